// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: the netdev notifier.  It sees the synthetic devices' own
 * events, their VFs' events, and every other device's, among which it
 * finds new VFs (match.c says which devices qualify).
 *
 * A new VF is hidden (IFF_SLAVE) from NETDEV_POST_INIT on, before anyone
 * sees it, if it is to be claimed in its own namespace at NETDEV_REGISTER;
 * if it is not claimed then after all, NETDEV_REGISTER unhides it.  One
 * that is to be moved in from another namespace is not hidden there, so
 * that a move that is refused, fails or never runs leaves it unchanged.
 *
 * Locking: netdev notifiers run under RTNL, and so does every access to
 * netvsc_hidden.  Nothing here blocks for long: joins and namespace moves
 * are deferred to work items (vf.c).
 */

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"

/* The device NETDEV_POST_INIT hid, until its NETDEV_REGISTER: only
 * compared with, never dereferenced (a device whose registration fails in
 * between is freed without a NETDEV_REGISTER; the next POST_INIT
 * overwrites the pointer before any device at that address registers).
 */
static const struct net_device *netvsc_hidden;

static int netvsc_self_event(struct netvsc_priv *priv, unsigned long event,
			     void *ptr)
{
	struct netlink_ext_ack *extack;
	const unsigned char *addr;

	switch (event) {
	case NETDEV_REGISTER:
		/* Registered, or arrived from another namespace. */
		if (hlist_unhashed(&priv->mac_node))
			netvsc_hash_add(priv);
		netvsc_vf_scan(priv);
		break;
	case NETDEV_UNREGISTER:
		/* Going away, or leaving for another namespace. */
		netvsc_vf_release(priv, NETVSC_REASON_VF_REMOVED, true);
		break;
	case NETDEV_PRE_CHANGEADDR:
		addr = ((struct netdev_notifier_pre_changeaddr_info *)ptr)->dev_addr;
		/* A bond sets its slaves' address, often to the one they have. */
		if (rtnl_dereference(priv->vf) &&
		    !ether_addr_equal(addr, priv->dev->dev_addr)) {
			extack = netdev_notifier_info_to_extack(ptr);
			NL_SET_ERR_MSG(extack,
				       "cannot change the MAC address of a device with a VF");
			return notifier_from_errno(-EBUSY);
		}
		break;
	case NETDEV_CHANGEADDR:
		netvsc_hash_update(priv);
		netvsc_vf_scan(priv);
		break;
	case NETDEV_UP:
		/* Bring the VF up with us, unless its join delay runs. */
		if (priv->vf_state == NETVSC_STATE_WAITING &&
		    !delayed_work_pending(&priv->join_work))
			netvsc_vf_join(priv);
		else
			netvsc_datapath_update(priv, NETVSC_REASON_JOIN);
		break;
	}
	return NOTIFY_DONE;
}

static int netvsc_vf_event(struct netvsc_priv *priv, struct net_device *vf,
			   unsigned long event)
{
	switch (event) {
	case NETDEV_GOING_DOWN:
	case NETDEV_DOWN:
		/* A device being unregistered is closed first. */
		netvsc_vf_leave(priv, vf->dismantle ? NETVSC_REASON_VF_REMOVED :
					    NETVSC_REASON_VF_DOWN);
		break;
	case NETDEV_UP:
		if (priv->vf_state == NETVSC_STATE_WAITING)
			netvsc_vf_schedule_join(priv, true);
		netvsc_carrier_update(priv);
		netvsc_datapath_update(priv, NETVSC_REASON_JOIN);
		break;
	case NETDEV_CHANGE:
		/* The carrier first: the switch says whether it is held. */
		netvsc_carrier_update(priv);
		if (netif_carrier_ok(vf))
			netvsc_datapath_update(priv, NETVSC_REASON_JOIN);
		else
			netvsc_datapath_update(priv, priv->carrier_held ?
					       NETVSC_REASON_VF_CARRIER_HELD :
					       NETVSC_REASON_VF_CARRIER_LOST);
		break;
	case NETDEV_FEAT_CHANGE:
		netvsc_vf_features_changed(priv);
		break;
	case NETDEV_CHANGEADDR:
		if (ether_addr_equal(vf->dev_addr, priv->dev->dev_addr))
			break;
		/* The user took the VF over; do not claim it back. */
		netvsc_evict_set(priv, vf);
		netvsc_vf_release(priv, NETVSC_REASON_VF_REMOVED, false);
		netvsc_vf_scan(priv);
		break;
	case NETDEV_UNREGISTER:
		/* Still registered: it is moving to another namespace. */
		if (vf->reg_state == NETREG_REGISTERED)
			netvsc_evict_set(priv, vf);
		netvsc_vf_release(priv, NETVSC_REASON_VF_REMOVED, false);
		netvsc_vf_scan(priv);
		break;
	}
	return NOTIFY_DONE;
}

static void netvsc_candidate(struct netvsc_priv *priv, struct net_device *dev,
			     unsigned long event)
{
	bool here = net_eq(dev_net(dev), dev_net(priv->dev));
	bool same_mac = ether_addr_equal(dev->dev_addr, priv->dev->dev_addr);

	/* After a MAC change only the current address counts. */
	if (event == NETDEV_CHANGEADDR && !same_mac)
		return;
	/* A VF the user took away comes back only by the user's hand. */
	if (dev == priv->vf_evicted && !(here && same_mac))
		return;
	if (here)
		netvsc_vf_claim(priv, dev);
	else
		netvsc_vf_queue_move(priv, dev);
}

/* Non-transparent mode: pair within our namespace, by current MAC. */
static void netvsc_nt_candidate(struct netvsc_priv *priv,
				struct net_device *dev, unsigned long event)
{
	if (!net_eq(dev_net(dev), dev_net(priv->dev)))
		return;
	if (event == NETDEV_CHANGEADDR &&
	    !ether_addr_equal(dev->dev_addr, priv->dev->dev_addr))
		return;
	netvsc_nt_pair(priv, dev);
}

static int netvsc_other_event(struct net_device *dev, unsigned long event)
{
	struct netvsc_priv *priv;

	switch (event) {
	case NETDEV_POST_INIT:
		/* Hide a VF from addrconf and friends before anyone sees it. */
		netvsc_hidden = NULL;
		priv = netvsc_match(dev);
		if (netvsc_vf_transparent && priv &&
		    net_eq(dev_net(dev), dev_net(priv->dev))) {
			dev->flags |= IFF_SLAVE;
			netvsc_hidden = dev;
		}
		break;
	case NETDEV_REGISTER:
	case NETDEV_CHANGEADDR:
	case NETDEV_UP:
		priv = netvsc_match(dev);
		if (!priv && event != NETDEV_UP)
			netvsc_match_explain(dev);
		else if (priv && netvsc_vf_transparent)
			netvsc_candidate(priv, dev, event);
		else if (priv)
			netvsc_nt_candidate(priv, dev, event);
		/* Not claimed after all: unhide what NETDEV_POST_INIT hid. */
		if (event == NETDEV_REGISTER && dev == netvsc_hidden) {
			netvsc_hidden = NULL;
			if (!netvsc_vf_owner(dev))
				dev->flags &= ~IFF_SLAVE;
		}
		break;
	case NETDEV_UNREGISTER:
		if (dev == netvsc_hidden)
			netvsc_hidden = NULL;
		break;
	}
	return NOTIFY_DONE;
}

static int netvsc_netdev_event(struct notifier_block *nb,
			       unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netvsc_priv *priv;

	/* Gone for good: no synthetic device may remember it as the VF the
	 * user took away, whoever owns it now (a new device could be
	 * allocated at its address).
	 */
	if (event == NETDEV_UNREGISTER && dev->reg_state != NETREG_REGISTERED)
		netvsc_evict_forget(dev);

	if (netvsc_is_netvsc(dev))
		return netvsc_self_event(netdev_priv(dev), event, ptr);

	priv = netvsc_vf_owner(dev);
	if (priv)
		return netvsc_vf_event(priv, dev, event);

	if (!netvsc_vf_transparent) {
		priv = netvsc_nt_owner(dev);
		if (priv) {
			netvsc_nt_vf_event(priv, dev, event);
			return NOTIFY_DONE;
		}
	}

	return netvsc_other_event(dev, event);
}

static struct notifier_block netvsc_netdev_notifier = {
	.notifier_call = netvsc_netdev_event,
};

int netvsc_notifier_init(void)
{
	return register_netdevice_notifier(&netvsc_netdev_notifier);
}

void netvsc_notifier_exit(void)
{
	unregister_netdevice_notifier(&netvsc_netdev_notifier);
}
