// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: VF settings that survive a VF swap.
 *
 * A hot-added VF comes with its driver's defaults.  What the user set on
 * a joined VF is remembered, keyed by the VF's permanent MAC address,
 * and applied again when a VF with that address joins next, as after a
 * live migration or a host's servicing:
 *
 *   join    the VF's ring sizes are read (its defaults), then what is
 *           remembered for its address is applied, before it is opened
 *   leave   the VF's ring sizes are read again: if they are not its
 *           defaults they are remembered, otherwise what was remembered
 *           for it is dropped (the user went back to the defaults)
 *
 * Ring sizes (ethtool -G, rx and tx) are what is remembered.  Channel
 * counts are not: no VF here can be hot-plugged with several queues to
 * test them on (QEMU's hub ports have one), and a setting that cannot be
 * tested is not offered.  A qdisc on the VF is tc's configuration, of any
 * depth; userspace restores it (a udev rule), not the driver.
 *
 * Locking: RTNL for everything here (asserted), as the ethtool core holds
 * it for the driver's ring operations.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"

/* The VF's ring sizes, if it can report and set them. */
static bool netvsc_vf_rings(struct net_device *vf,
			    struct ethtool_ringparam *ring,
			    struct kernel_ethtool_ringparam *kring)
{
	if (!vf->ethtool_ops || !vf->ethtool_ops->get_ringparam ||
	    !vf->ethtool_ops->set_ringparam)
		return false;
	memset(ring, 0, sizeof(*ring));
	memset(kring, 0, sizeof(*kring));
	vf->ethtool_ops->get_ringparam(vf, ring, kring, NULL);
	return true;
}

/* Apply @s to @vf, within what it reports it can take. */
static void netvsc_settings_apply(struct netvsc_priv *priv,
				  struct net_device *vf,
				  const struct netvsc_vf_settings *s,
				  const struct ethtool_ringparam *ring,
				  struct kernel_ethtool_ringparam *kring)
{
	struct ethtool_ringparam want = *ring;
	int err;

	if (s->rx_ring == ring->rx_pending && s->tx_ring == ring->tx_pending)
		return;
	if (s->rx_ring > ring->rx_max_pending ||
	    s->tx_ring > ring->tx_max_pending) {
		netdev_warn(priv->dev,
			    "VF %s cannot take the ring sizes it had (rx %u, tx %u; at most %u, %u); keeping its own\n",
			    vf->name, s->rx_ring, s->tx_ring,
			    ring->rx_max_pending, ring->tx_max_pending);
		return;
	}

	want.rx_pending = s->rx_ring;
	want.tx_pending = s->tx_ring;
	err = vf->ethtool_ops->set_ringparam(vf, &want, kring, NULL);
	if (err)
		netdev_warn(priv->dev,
			    "VF %s refused the ring sizes it had (rx %u, tx %u): %d\n",
			    vf->name, s->rx_ring, s->tx_ring, err);
	else
		netdev_info(priv->dev,
			    "VF %s: ring sizes rx %u, tx %u re-applied\n",
			    vf->name, s->rx_ring, s->tx_ring);
}

/**
 * netvsc_settings_join - note a joining VF's defaults, apply what it had
 * @priv: the synthetic device
 * @vf: the VF, joining, not yet opened by the join
 */
void netvsc_settings_join(struct netvsc_priv *priv, struct net_device *vf)
{
	struct netvsc_vf_settings *s = &priv->vf_settings;
	struct kernel_ethtool_ringparam kring;
	struct ethtool_ringparam ring;

	ASSERT_RTNL();

	priv->vf_defaults_valid = netvsc_vf_rings(vf, &ring, &kring);
	if (!priv->vf_defaults_valid)
		return;
	priv->vf_default_rx = ring.rx_pending;
	priv->vf_default_tx = ring.tx_pending;

	if (s->valid && ether_addr_equal(s->perm_addr, vf->perm_addr))
		netvsc_settings_apply(priv, vf, s, &ring, &kring);
}

/**
 * netvsc_settings_leave - remember what the user set on a leaving VF
 * @priv: the synthetic device
 * @vf: the VF, still registered
 */
void netvsc_settings_leave(struct netvsc_priv *priv, struct net_device *vf)
{
	struct netvsc_vf_settings *s = &priv->vf_settings;
	struct kernel_ethtool_ringparam kring;
	struct ethtool_ringparam ring;

	ASSERT_RTNL();

	if (!priv->vf_defaults_valid || !netvsc_vf_rings(vf, &ring, &kring))
		return;
	priv->vf_defaults_valid = false;

	if (ring.rx_pending == priv->vf_default_rx &&
	    ring.tx_pending == priv->vf_default_tx) {
		if (s->valid && ether_addr_equal(s->perm_addr, vf->perm_addr))
			s->valid = false;
		return;
	}
	ether_addr_copy(s->perm_addr, vf->perm_addr);
	s->rx_ring = ring.rx_pending;
	s->tx_ring = ring.tx_pending;
	s->valid = true;
}

/**
 * netvsc_settings_clear - forget what was remembered
 * @priv: the synthetic device
 *
 * A joined VF's present ring sizes become its defaults: they are not
 * remembered at its leave either.
 */
void netvsc_settings_clear(struct netvsc_priv *priv)
{
	struct net_device *vf = netvsc_joined_vf(priv);
	struct kernel_ethtool_ringparam kring;
	struct ethtool_ringparam ring;

	ASSERT_RTNL();

	priv->vf_settings.valid = false;
	if (vf && priv->vf_defaults_valid &&
	    netvsc_vf_rings(vf, &ring, &kring)) {
		priv->vf_default_rx = ring.rx_pending;
		priv->vf_default_tx = ring.tx_pending;
	}
}
