// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: ethtool operations.
 *
 * Locking: the ethtool core holds RTNL for every operation here; the
 * counters are read locklessly.
 */

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"

/* The vf_* names are the ones Azure's documentation tells users to look
 * for; keep them.
 */
static const char netvsc_stat_names[][ETH_GSTRING_LEN] = {
	"synth_rx_packets",
	"synth_rx_bytes",
	"synth_tx_packets",
	"synth_tx_bytes",
	"synth_tx_dropped",
	"vf_rx_packets",
	"vf_rx_bytes",
	"vf_tx_packets",
	"vf_tx_bytes",
	"vf_tx_dropped",
	"datapath_switches",
};

/* The driver is the transport's module, as udev's ID_NET_DRIVER must see
 * it (transport.h); "N/A" for the firmware, as the in-tree driver says.
 */
static void netvsc_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	priv->ops->get_drvinfo(dev, info);
	if (!info->driver[0])
		strscpy(info->driver, NETVSC_DRV_NAME, sizeof(info->driver));
	if (!info->bus_info[0] && dev->dev.parent)
		strscpy(info->bus_info, dev_name(dev->dev.parent),
			sizeof(info->bus_info));
	strscpy(info->fw_version, "N/A", sizeof(info->fw_version));
}

static int netvsc_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(netvsc_stat_names);
}

static void netvsc_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, netvsc_stat_names, sizeof(netvsc_stat_names));
}

static void netvsc_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *estats, u64 *data)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	struct netvsc_stats synth, vf;
	unsigned int i = 0;

	netvsc_stats_read(priv, &synth, &vf);
	data[i++] = synth.rx_packets;
	data[i++] = synth.rx_bytes;
	data[i++] = synth.tx_packets;
	data[i++] = synth.tx_bytes;
	data[i++] = synth.tx_dropped;
	data[i++] = vf.rx_packets;
	data[i++] = vf.rx_bytes;
	data[i++] = vf.tx_packets;
	data[i++] = vf.tx_bytes;
	data[i++] = vf.tx_dropped;
	data[i++] = READ_ONCE(priv->switches);
	WARN_ON_ONCE(i != ARRAY_SIZE(netvsc_stat_names));
}

static void netvsc_get_channels(struct net_device *dev,
				struct ethtool_channels *ch)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	ch->max_combined = priv->caps.max_channels;
	ch->combined_count = dev->real_num_tx_queues;
}

static int netvsc_get_link_ksettings(struct net_device *dev,
				     struct ethtool_link_ksettings *cmd)
{
	struct net_device *vf = netvsc_joined_vf(netdev_priv(dev));

	if (vf)
		return __ethtool_get_link_ksettings(vf, cmd);

	ethtool_link_ksettings_zero_link_mode(cmd, supported);
	ethtool_link_ksettings_zero_link_mode(cmd, advertising);
	cmd->base.speed = SPEED_UNKNOWN;
	cmd->base.duplex = DUPLEX_FULL;
	cmd->base.port = PORT_OTHER;
	return 0;
}

const struct ethtool_ops netvsc_ethtool_ops = {
	.get_drvinfo		= netvsc_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= netvsc_get_sset_count,
	.get_strings		= netvsc_get_strings,
	.get_ethtool_stats	= netvsc_get_ethtool_stats,
	.get_channels		= netvsc_get_channels,
	.get_link_ksettings	= netvsc_get_link_ksettings,
};
