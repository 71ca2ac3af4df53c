// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: the non-transparent VF mode (vf_transparent=0).
 *
 * The VF is not enslaved: the synthetic device only pairs with it by MAC
 * address.  While the paired VF is up, the data path is the VF, the
 * synthetic device reports no carrier, and frames that still arrive on
 * the synthetic path are relabelled as received on the VF, so that an
 * active-backup bond over both sees them on its active slave.  Userspace
 * builds that bond on the uevents sent here (tools/udev/).
 *
 * Locking: RTNL for everything but the relabelling, which reads
 * priv->vf_rx under RCU in netvsc_rx().  The owner hash is changed and
 * read under RTNL.
 */

#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/kobject.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"

/* Paired VFs, by net_device pointer, so that their events find us. */
static DEFINE_HASHTABLE(netvsc_nt_vfs, 8);

/**
 * netvsc_nt_owner - the synthetic device paired with a VF
 * @vf: any device
 *
 * Return: the synthetic device, or NULL.
 */
struct netvsc_priv *netvsc_nt_owner(const struct net_device *vf)
{
	struct netvsc_priv *priv;

	ASSERT_RTNL();

	hash_for_each_possible(netvsc_nt_vfs, priv, nt_node, (unsigned long)vf)
		if (rtnl_dereference(priv->vf) == vf)
			return priv;
	return NULL;
}

static void netvsc_nt_uevent(struct netvsc_priv *priv, struct net_device *vf,
			     bool up)
{
	char event[32], name[IFNAMSIZ + 16];
	char *envp[3];

	snprintf(event, sizeof(event), "NETVSC_EVENT=%s",
		 up ? "VF_UP" : "VF_DOWN");
	snprintf(name, sizeof(name), "NETVSC_VF=%s", vf->name);
	envp[0] = event;
	envp[1] = name;
	envp[2] = NULL;
	kobject_uevent_env(&priv->dev->dev.kobj, KOBJ_CHANGE, envp);
}

static void netvsc_nt_vf_up(struct netvsc_priv *priv, struct net_device *vf)
{
	if (priv->vf_state == NETVSC_STATE_JOINED)
		return;

	WRITE_ONCE(priv->vf_state, NETVSC_STATE_JOINED);
	netdev_info(priv->dev, "VF %s is up\n", vf->name);
	netvsc_nl_notify(priv, NETVSC_EVENT_JOIN, NETVSC_REASON_JOIN);
	netvsc_datapath_update(priv, NETVSC_REASON_JOIN);
	rcu_assign_pointer(priv->vf_rx, vf);
	netvsc_carrier_update(priv);
	netvsc_nt_uevent(priv, vf, true);
}

static void netvsc_nt_vf_down(struct netvsc_priv *priv, struct net_device *vf,
			      enum netvsc_reason reason)
{
	if (priv->vf_state != NETVSC_STATE_JOINED)
		return;

	WRITE_ONCE(priv->vf_state, NETVSC_STATE_LEAVING);
	RCU_INIT_POINTER(priv->vf_rx, NULL);
	netvsc_datapath_update(priv, reason);
	synchronize_net();
	WRITE_ONCE(priv->vf_state, NETVSC_STATE_WAITING);
	netvsc_carrier_update(priv);
	netdev_info(priv->dev, "VF %s is down\n", vf->name);
	netvsc_nl_notify(priv, NETVSC_EVENT_LEAVE, reason);
	netvsc_nt_uevent(priv, vf, false);
}

/**
 * netvsc_nt_pair - pair with a VF without enslaving it
 * @priv: the synthetic device
 * @vf: a candidate in our namespace
 */
void netvsc_nt_pair(struct netvsc_priv *priv, struct net_device *vf)
{
	struct net_device *cur = rtnl_dereference(priv->vf);

	ASSERT_RTNL();

	if (cur) {
		if (cur != vf)
			netvsc_foreign_info(priv,
					    "%s has our MAC but %s is already our VF; ignoring it\n",
					    vf->name, cur->name);
		return;
	}

	netdev_hold(vf, &priv->vf_tracker, GFP_KERNEL);
	rcu_assign_pointer(priv->vf, vf);
	hash_add(netvsc_nt_vfs, &priv->nt_node, (unsigned long)vf);
	WRITE_ONCE(priv->vf_state, NETVSC_STATE_WAITING);
	netdev_info(priv->dev, "paired with VF %s\n", vf->name);

	if (netif_running(vf))
		netvsc_nt_vf_up(priv, vf);
}

/**
 * netvsc_nt_unpair - forget the paired VF
 * @priv: the synthetic device
 * @reason: why, as recorded for the data path switch
 */
void netvsc_nt_unpair(struct netvsc_priv *priv, enum netvsc_reason reason)
{
	struct net_device *vf = rtnl_dereference(priv->vf);

	ASSERT_RTNL();

	if (!vf)
		return;

	netvsc_nt_vf_down(priv, vf, reason);
	hash_del(&priv->nt_node);
	RCU_INIT_POINTER(priv->vf, NULL);
	WRITE_ONCE(priv->vf_state, NETVSC_STATE_NONE);
	netdev_info(priv->dev, "unpaired from VF %s\n", vf->name);
	netdev_put(vf, &priv->vf_tracker);
}

/**
 * netvsc_nt_vf_event - an event of a paired VF
 * @priv: the synthetic device
 * @vf: its VF
 * @event: the netdev event
 */
void netvsc_nt_vf_event(struct netvsc_priv *priv, struct net_device *vf,
			unsigned long event)
{
	ASSERT_RTNL();

	switch (event) {
	case NETDEV_UP:
		netvsc_nt_vf_up(priv, vf);
		break;
	case NETDEV_GOING_DOWN:
	case NETDEV_DOWN:
		/* A device being unregistered is closed first. */
		netvsc_nt_vf_down(priv, vf, vf->dismantle ?
				  NETVSC_REASON_VF_REMOVED :
				  NETVSC_REASON_VF_DOWN);
		break;
	case NETDEV_CHANGEADDR:
		if (!ether_addr_equal(vf->dev_addr, priv->dev->dev_addr))
			netvsc_nt_unpair(priv, NETVSC_REASON_VF_REMOVED);
		break;
	case NETDEV_UNREGISTER:
		netvsc_nt_unpair(priv, NETVSC_REASON_VF_REMOVED);
		break;
	}
}
