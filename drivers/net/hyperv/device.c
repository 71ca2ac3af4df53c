// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: life of a synthetic device, and the up-calls of its transport.
 *
 * Locking: netvsc_register() and netvsc_unregister() take RTNL and must
 * be called without it.  netvsc_link_change(), netvsc_network_change()
 * and netvsc_datapath_done() may be called from any context; netvsc_caps_changed() sleeps and takes
 * RTNL.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"

static void netvsc_link_work(struct work_struct *work)
{
	struct netvsc_priv *priv = container_of(work, struct netvsc_priv,
						link_work);

	rtnl_lock();
	if (priv->dev->reg_state == NETREG_REGISTERED) {
		if (xchg(&priv->net_changed, false))
			netvsc_carrier_renew(priv);
		netvsc_carrier_update(priv);
		netvsc_datapath_update(priv, NETVSC_REASON_JOIN);
	}
	rtnl_unlock();
}

/**
 * netvsc_alloc - allocate a synthetic device
 * @ops: operations of its transport
 * @priv_size: size of the transport's private area
 * @parent: the device the transport binds to
 *
 * Return: the device, or NULL.  The transport sets the MAC address and
 * calls netvsc_register().
 */
struct net_device *netvsc_alloc(const struct netvsc_transport_ops *ops,
				size_t priv_size, struct device *parent)
{
	struct netvsc_priv *priv;
	struct net_device *dev;

	dev = alloc_etherdev(ALIGN(sizeof(*priv), NETDEV_ALIGN) + priv_size);
	if (!dev)
		return NULL;

	priv = netdev_priv(dev);
	priv->stats = netdev_alloc_pcpu_stats(struct netvsc_pcpu_stats);
	if (!priv->stats) {
		free_netdev(dev);
		return NULL;
	}

	priv->dev = dev;
	priv->ops = ops;
	priv->join_delay_ms = -1;
	INIT_HLIST_NODE(&priv->mac_node);
	INIT_HLIST_NODE(&priv->evict_node);
	INIT_WORK(&priv->link_work, netvsc_link_work);
	spin_lock_init(&priv->switch_lock);
	init_completion(&priv->switch_done);
	netvsc_vf_init(priv);
	netvsc_carrier_init(priv);

	dev->netdev_ops = &netvsc_netdev_ops;
	dev->ethtool_ops = &netvsc_ethtool_ops;
	/* Lockless transmit, as bonding and team: frames for the VF go to
	 * its queues from every CPU at once; the synthetic path takes the
	 * tx queue lock itself (datapath.c).
	 */
	dev->features = NETIF_F_HW_VLAN_CTAG_FILTER | NETIF_F_LLTX;
	/* No qdisc by default: frames for the VF meet the VF's own, and a
	 * transport holds what the host has no room for (transport.h).
	 */
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	SET_NETDEV_DEV(dev, parent);

	return dev;
}
EXPORT_SYMBOL_GPL(netvsc_alloc);

/**
 * netvsc_transport_priv - the transport's private area of a device
 * @dev: a device from netvsc_alloc()
 */
void *netvsc_transport_priv(const struct net_device *dev)
{
	return (u8 *)netdev_priv(dev) +
		ALIGN(sizeof(struct netvsc_priv), NETDEV_ALIGN);
}
EXPORT_SYMBOL_GPL(netvsc_transport_priv);

/**
 * netvsc_register - register a synthetic device
 * @dev: a device from netvsc_alloc() with its MAC address set
 *
 * Queries the capabilities of the synthetic path, registers the device
 * and pairs it with a matching VF that already exists.
 *
 * Return: 0 or a negative errno.
 */
int netvsc_register(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	netdev_features_t offloads;
	int err;

	priv->ops->get_caps(dev, &priv->caps);
	offloads = priv->caps.features & NETVSC_VF_OFFLOADS;
	dev->hw_features = offloads;
	dev->vlan_features = offloads & ~(NETIF_F_HW_VLAN_CTAG_TX |
					  NETIF_F_HW_VLAN_CTAG_RX);
	dev->features |= priv->caps.features;
	dev->min_mtu = priv->caps.min_mtu;
	dev->max_mtu = priv->caps.max_mtu;
	netif_carrier_off(dev);

	rtnl_lock();
	netif_set_tso_max_size(dev, priv->caps.tso_max_size);
	netif_set_tso_max_segs(dev, priv->caps.tso_max_segs);
	priv->gso_base = dev->gso_max_size;
	priv->gso_segs_base = dev->gso_max_segs;
	priv->gso_written = priv->gso_base;
	priv->gso_segs_written = priv->gso_segs_base;
	priv->headroom_base = dev->needed_headroom;
	priv->tailroom_base = dev->needed_tailroom;
	err = register_netdevice(dev);
	/* Tunnel offloads are wanted, for a VF that has them (vf.c). */
	if (!err)
		dev->wanted_features |= NETIF_F_GSO_ENCAP_ALL;
	rtnl_unlock();

	return err;
}
EXPORT_SYMBOL_GPL(netvsc_register);

/**
 * netvsc_unregister - unregister a synthetic device
 * @dev: the device
 *
 * Releases its VF, which stays behind as an ordinary device.  The
 * transport must have stopped its up-calls.
 */
void netvsc_unregister(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	cancel_work_sync(&priv->link_work);
	unregister_netdev(dev);
}
EXPORT_SYMBOL_GPL(netvsc_unregister);

/**
 * netvsc_free - free a synthetic device
 * @dev: the device, unregistered or never registered
 *
 * The transport must have stopped its up-calls.  A link change it
 * reported before a registration that failed is cancelled here.
 */
void netvsc_free(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	cancel_work_sync(&priv->link_work);
	free_percpu(priv->stats);
	free_netdev(dev);
}
EXPORT_SYMBOL_GPL(netvsc_free);

/**
 * netvsc_link_change - the host reports the synthetic link state
 * @dev: the device
 * @up: whether the link is up
 */
void netvsc_link_change(struct net_device *dev, bool up)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	WRITE_ONCE(priv->synth_link, up);
	schedule_work(&priv->link_work);
}
EXPORT_SYMBOL_GPL(netvsc_link_change);

/**
 * netvsc_network_change - the host moved the synthetic NIC to another
 *	network
 * @dev: the device
 *
 * The carrier goes off for a moment, so that userspace renews its
 * addresses (carrier.c).
 */
void netvsc_network_change(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	WRITE_ONCE(priv->net_changed, true);
	schedule_work(&priv->link_work);
}
EXPORT_SYMBOL_GPL(netvsc_network_change);

/**
 * netvsc_datapath_done - the host answered a data path switch
 * @dev: the device
 * @cookie: the cookie passed to set_datapath
 * @err: 0 if the host switched, or a negative errno
 *
 * An answer to a request that timed out already is ignored.
 */
void netvsc_datapath_done(struct net_device *dev, u32 cookie, int err)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	unsigned long flags;

	spin_lock_irqsave(&priv->switch_lock, flags);
	if (cookie == priv->switch_cookie) {
		priv->switch_err = err;
		priv->switch_answered = true;
		complete(&priv->switch_done);
		/* A switch to the VF goes on from here. */
		mod_delayed_work(system_wq, &priv->switch_work, 0);
	}
	spin_unlock_irqrestore(&priv->switch_lock, flags);
}
EXPORT_SYMBOL_GPL(netvsc_datapath_done);

/**
 * netvsc_caps_changed - the synthetic path's capabilities changed
 * @dev: the device
 *
 * Queries them again and recomputes features and limits.  Sleeps; takes
 * RTNL.
 */
void netvsc_caps_changed(struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	netdev_features_t old;

	rtnl_lock();
	old = priv->caps.features;
	priv->ops->get_caps(dev, &priv->caps);
	dev->min_mtu = priv->caps.min_mtu;

	/* Offloads the host has just started offering are wanted. */
	dev->wanted_features |= priv->caps.features & ~old & NETVSC_VF_OFFLOADS;
	netvsc_vf_apply_features(priv);
	netvsc_limits_update(priv);
	rtnl_unlock();
}
EXPORT_SYMBOL_GPL(netvsc_caps_changed);
