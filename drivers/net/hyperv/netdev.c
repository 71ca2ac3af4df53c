// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: net_device_ops of the synthetic device.  Each operation goes
 * to the synthetic path and, while a VF is joined, is mirrored to it.
 *
 * Locking: RTNL for all but ndo_start_xmit (see datapath.c),
 * ndo_get_stats64 (lockless) and ndo_set_rx_mode (address list lock,
 * BH disabled; it reads the VF under RCU).
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"

static int netvsc_init(struct net_device *dev)
{
	netdev_lockdep_set_classes(dev);
	return 0;
}

static void netvsc_uninit(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	netvsc_hash_del(priv);
	netvsc_evict_set(priv, NULL);
	netvsc_vf_cancel(priv);
	netvsc_carrier_cancel(priv);
}

static int netvsc_open(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	/* The VF comes up with us: see NETDEV_UP in notifier.c. */
	return priv->ops->open(dev);
}

static int netvsc_stop(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	struct net_device *vf = rtnl_dereference(priv->vf);

	netvsc_vf_leave(priv, NETVSC_REASON_VF_DOWN);
	if (netvsc_vf_transparent && vf && netif_running(vf))
		dev_close(vf);
	priv->ops->close(dev);
	return 0;
}

static void netvsc_set_rx_mode(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	u32 filter = NETVSC_RX_DIRECTED | NETVSC_RX_BROADCAST;
	struct net_device *vf;

	if (dev->flags & IFF_PROMISC)
		filter |= NETVSC_RX_PROMISC;
	if (dev->flags & IFF_ALLMULTI)
		filter |= NETVSC_RX_ALLMULTI;
	if (!netdev_mc_empty(dev))
		filter |= NETVSC_RX_MULTICAST;
	priv->ops->set_rx_filter(dev, filter);

	rcu_read_lock();
	vf = rcu_dereference(priv->vf);
	if (vf && priv->vf_addr_sync) {
		dev_uc_sync(vf, dev);
		dev_mc_sync(vf, dev);
	}
	rcu_read_unlock();
}

static void netvsc_change_rx_flags(struct net_device *dev, int change)
{
	netvsc_vf_rx_flags_changed(netdev_priv(dev), change);
}

/* The VF takes the MTU first; each side is rolled back if the other fails. */
static int netvsc_change_mtu(struct net_device *dev, int mtu)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	struct net_device *vf = netvsc_joined_vf(priv);
	int old = dev->mtu;
	int err;

	if (vf) {
		err = dev_set_mtu(vf, mtu);
		if (err) {
			netdev_warn(dev, "VF %s refused MTU %d (%d)\n",
				    vf->name, mtu, err);
			return err;
		}
	}

	err = priv->ops->set_mtu(dev, mtu);
	if (err) {
		netdev_warn(dev, "host refused MTU %d (%d)\n", mtu, err);
		if (vf && dev_set_mtu(vf, old))
			netdev_err(dev, "cannot restore MTU %d on VF %s\n",
				   old, vf->name);
		return err;
	}

	dev->mtu = mtu;
	return 0;
}

static netdev_features_t netvsc_fix_features(struct net_device *dev,
					     netdev_features_t features)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	struct net_device *vf = netvsc_joined_vf(priv);
	netdev_features_t offered = priv->caps.features;

	/* Tunnel GSO while a VF is joined: its own (vf.c). */
	if (vf)
		offered |= NETIF_F_GSO_ENCAP_ALL;
	features &= offered | ~NETVSC_VF_OFFLOADS;
	if (vf)
		features = netdev_intersect_features(features,
						     netvsc_vf_features(priv, vf) |
						     ~NETVSC_VF_OFFLOADS);
	return features;
}

static int netvsc_set_features(struct net_device *dev,
			       netdev_features_t features)
{
	netvsc_vf_push_features(netdev_priv(dev));
	return 0;
}

static int netvsc_vlan_rx_add_vid(struct net_device *dev, __be16 proto,
				  u16 vid)
{
	struct net_device *vf = netvsc_joined_vf(netdev_priv(dev));

	return vf ? vlan_vid_add(vf, proto, vid) : 0;
}

static int netvsc_vlan_rx_kill_vid(struct net_device *dev, __be16 proto,
				   u16 vid)
{
	struct net_device *vf = netvsc_joined_vf(netdev_priv(dev));

	if (vf)
		vlan_vid_del(vf, proto, vid);
	return 0;
}

static void netvsc_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *tot)
{
	struct netvsc_stats synth, vf;

	netvsc_stats_read(netdev_priv(dev), &synth, &vf);
	tot->rx_packets = synth.rx_packets + vf.rx_packets;
	tot->rx_bytes = synth.rx_bytes + vf.rx_bytes;
	tot->tx_packets = synth.tx_packets + vf.tx_packets;
	tot->tx_bytes = synth.tx_bytes + vf.tx_bytes;
	tot->tx_dropped = synth.tx_dropped + vf.tx_dropped;
}

const struct net_device_ops netvsc_netdev_ops = {
	.ndo_init		= netvsc_init,
	.ndo_uninit		= netvsc_uninit,
	.ndo_open		= netvsc_open,
	.ndo_stop		= netvsc_stop,
	.ndo_start_xmit		= netvsc_start_xmit,
	.ndo_set_rx_mode	= netvsc_set_rx_mode,
	.ndo_change_rx_flags	= netvsc_change_rx_flags,
	.ndo_change_mtu		= netvsc_change_mtu,
	.ndo_fix_features	= netvsc_fix_features,
	.ndo_set_features	= netvsc_set_features,
	.ndo_vlan_rx_add_vid	= netvsc_vlan_rx_add_vid,
	.ndo_vlan_rx_kill_vid	= netvsc_vlan_rx_kill_vid,
	.ndo_get_stats64	= netvsc_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};
