// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: which device is whose VF.
 *
 * Only a device the host could have given us becomes a VF: an Ethernet
 * PCI function (Hyper-V hot-adds VFs on its virtual PCI bus), neither a
 * master nor stacked on another device nor another device's lower.  The
 * host's association by serial number (assoc.c) comes first, the MAC
 * address second.  A device is never taken out of a namespace that a
 * user namespace other than the initial one owns: whoever made it there
 * needs no privilege on the host's devices.  Devices without a PCI parent
 * (veth) qualify only while root sets vf_trust_nonpci, for testing.
 *
 * Synthetic devices are hashed by MAC address, so that a netdev event
 * costs one lookup however many synthetic devices there are.  Those that
 * remember an evicted VF are also hashed by that VF's address in memory,
 * so that its final unregistration, whatever its MAC by then, finds them
 * in one lookup too.
 *
 * Locking: the hashes are changed and read under RTNL.  The vflist
 * module parameter is read without RTNL (a parameter is read with its
 * module's param_lock held, and other modules take theirs under RTNL), by
 * walking the reader's namespace under RCU.
 */

#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/pci.h>
#include <linux/ratelimit.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "netvsc.h"

#define NETVSC_HASH_BITS	8

static DEFINE_HASHTABLE(netvsc_devs, NETVSC_HASH_BITS);
static DEFINE_HASHTABLE(netvsc_evicted, NETVSC_HASH_BITS);

/* Lines about devices that are not ours: 10 a minute. */
static DEFINE_RATELIMIT_STATE(netvsc_foreign_rs, 60 * HZ, 10);

/**
 * netvsc_foreign_ratelimit - may a line about a foreign device be logged?
 *
 * Return: true if it may (see netvsc_foreign_info()).
 */
bool netvsc_foreign_ratelimit(void)
{
	return __ratelimit(&netvsc_foreign_rs);
}

static u64 netvsc_mac_key(const u8 *mac)
{
	return ether_addr_to_u64(mac);
}

static struct netvsc_priv *netvsc_lookup(const u8 *mac)
{
	struct netvsc_priv *priv;

	hash_for_each_possible(netvsc_devs, priv, mac_node, netvsc_mac_key(mac))
		if (ether_addr_equal(priv->dev->dev_addr, mac))
			return priv;
	return NULL;
}

/* 6.1 has no flag for ipvlan devices, and macvlan sets IFF_MACVLAN only
 * after registering: know both by their kind.
 */
static bool netvsc_is_mac_or_ipvlan(const struct net_device *dev)
{
	static const char * const kinds[] = {
		"macvlan", "macvtap", "ipvlan", "ipvtap",
	};
	const struct rtnl_link_ops *ops = dev->rtnl_link_ops;
	int i;

	if (netif_is_macvlan(dev))
		return true;
	for (i = 0; ops && i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(ops->kind, kinds[i]))
			return true;
	return false;
}

/**
 * netvsc_dev_is_pci - is this device a PCI function?
 * @dev: any device
 */
bool netvsc_dev_is_pci(const struct net_device *dev)
{
	return dev->dev.parent && dev_is_pci(dev->dev.parent);
}

/* A VF is an Ethernet device that is not a synthetic device, a master
 * (bond, team, bridge, Open vSwitch, VRF, failover), or stacked on
 * another device (VLAN, macvlan, ipvlan, macsec, anything with a lower
 * device).  Those share a MAC address with another device by design.
 */
static bool netvsc_vf_kind(const struct net_device *dev)
{
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN ||
	    dev->flags & (IFF_LOOPBACK | IFF_MASTER) || netvsc_is_netvsc(dev))
		return false;
	if (netif_is_bond_master(dev) || netif_is_team_master(dev) ||
	    netif_is_bridge_master(dev) || netif_is_ovs_master(dev) ||
	    netif_is_l3_master(dev) || netif_is_failover(dev))
		return false;
	if (is_vlan_dev(dev) || netif_is_macsec(dev) ||
	    netvsc_is_mac_or_ipvlan(dev))
		return false;
	/* The adjacency lists change under RTNL. */
	ASSERT_RTNL();
	return list_empty(&dev->adj_list.lower);
}

/* Already another device's lower device (a bond's slave, a port). */
static bool netvsc_vf_taken(const struct net_device *dev)
{
	return !list_empty(&dev->adj_list.upper);
}

/**
 * netvsc_vf_candidate - could this device be a VF at all, by its kind?
 * @dev: any device
 *
 * Return: true for an Ethernet device that is neither a master nor
 * stacked on another device, nor another device's lower device yet.
 *
 * Context: RTNL.
 */
bool netvsc_vf_candidate(const struct net_device *dev)
{
	return netvsc_vf_kind(dev) && !netvsc_vf_taken(dev);
}

/* A PCI function, or anything while root trusts non-PCI devices. */
static bool netvsc_vf_trusted(const struct net_device *dev)
{
	return netvsc_dev_is_pci(dev) || READ_ONCE(netvsc_vf_trust_nonpci);
}

/* A VF may join from its own namespace, or be moved out of one that the
 * initial user namespace owns; never out of one a user made.
 */
static bool netvsc_vf_reachable(const struct net_device *dev,
				const struct netvsc_priv *priv)
{
	struct net *net = dev_net(dev);

	return net_eq(net, dev_net(priv->dev)) || net->user_ns == &init_user_ns;
}

static struct netvsc_priv *netvsc_match_mac(const struct net_device *dev)
{
	struct netvsc_priv *priv;

	priv = netvsc_lookup(dev->dev_addr);
	if (!priv && is_valid_ether_addr(dev->perm_addr))
		priv = netvsc_lookup(dev->perm_addr);
	return priv;
}

/**
 * netvsc_match - the synthetic device a candidate VF belongs to
 * @dev: any device
 *
 * Return: for a trusted candidate (see the top of this file), the
 * synthetic device the host associated @dev with by serial number, else
 * the one whose MAC address is @dev's current or permanent one; NULL if
 * there is none, or @dev may not be taken from its namespace.
 */
struct netvsc_priv *netvsc_match(const struct net_device *dev)
{
	struct netvsc_priv *priv;

	ASSERT_RTNL();

	if (!netvsc_vf_candidate(dev) || !netvsc_vf_trusted(dev))
		return NULL;
	priv = netvsc_assoc_match(dev);
	if (!priv)
		priv = netvsc_match_mac(dev);
	if (priv && !netvsc_vf_reachable(dev, priv))
		return NULL;
	return priv;
}

/**
 * netvsc_match_explain - log why a device with our MAC is not our VF
 * @dev: a device netvsc_match() found no synthetic device for
 *
 * Masters and stacked devices share our MAC by design and are not
 * mentioned; a device refused because another device has it, for what
 * it is or for where it is, is, within the rate limit of lines about
 * foreign devices.
 */
void netvsc_match_explain(const struct net_device *dev)
{
	struct netvsc_priv *priv;
	const char *why;

	ASSERT_RTNL();

	if (!netvsc_vf_kind(dev))
		return;
	priv = netvsc_match_mac(dev);
	if (!priv)
		return;
	if (netvsc_vf_taken(dev))
		why = "belongs to another device";
	else if (!netvsc_vf_trusted(dev))
		why = "it is not a PCI device";
	else if (!netvsc_vf_reachable(dev, priv))
		why = "its network namespace belongs to another user namespace";
	else
		return;
	netvsc_foreign_info(priv, "%s has our MAC but %s; not taking it\n",
			    dev->name, why);
}

/**
 * netvsc_vf_owner - the synthetic device that claimed a VF
 * @vf: any device
 *
 * Return: the synthetic device whose rx_handler @vf carries, or NULL.
 */
struct netvsc_priv *netvsc_vf_owner(const struct net_device *vf)
{
	ASSERT_RTNL();

	if (rcu_access_pointer(vf->rx_handler) != netvsc_vf_rx_handler)
		return NULL;
	return netdev_priv(rtnl_dereference(vf->rx_handler_data));
}

/**
 * netvsc_hash_add - make a synthetic device findable by its MAC
 * @priv: the synthetic device
 */
void netvsc_hash_add(struct netvsc_priv *priv)
{
	ASSERT_RTNL();

	if (netvsc_lookup(priv->dev->dev_addr))
		netdev_warn(priv->dev,
			    "another synthetic device has MAC %pM; VFs go to the first\n",
			    priv->dev->dev_addr);
	hash_add(netvsc_devs, &priv->mac_node,
		 netvsc_mac_key(priv->dev->dev_addr));
}

/**
 * netvsc_hash_del - forget a synthetic device
 * @priv: the synthetic device
 */
void netvsc_hash_del(struct netvsc_priv *priv)
{
	ASSERT_RTNL();

	hash_del(&priv->mac_node);
}

/**
 * netvsc_hash_update - rehash a synthetic device after a MAC change
 * @priv: the synthetic device
 */
void netvsc_hash_update(struct netvsc_priv *priv)
{
	netvsc_hash_del(priv);
	netvsc_hash_add(priv);
}

/**
 * netvsc_evict_set - remember (or forget) the VF the user took away
 * @priv: the synthetic device
 * @vf: the VF not to claim back by itself, or NULL
 *
 * The pointer is never dereferenced.  It must not outlive the device, or
 * a new device allocated at the same address would be taken for it:
 * netvsc_evict_forget() clears it when the device unregisters for good.
 */
void netvsc_evict_set(struct netvsc_priv *priv, const struct net_device *vf)
{
	ASSERT_RTNL();

	hash_del(&priv->evict_node);
	priv->vf_evicted = vf;
	if (vf)
		hash_add(netvsc_evicted, &priv->evict_node, (unsigned long)vf);
}

/**
 * netvsc_evict_forget - a device unregisters for good
 * @dev: the device
 *
 * Any synthetic device that remembers @dev as its evicted VF forgets it.
 */
void netvsc_evict_forget(const struct net_device *dev)
{
	struct netvsc_priv *priv;
	struct hlist_node *tmp;

	ASSERT_RTNL();

	hash_for_each_possible_safe(netvsc_evicted, priv, tmp, evict_node,
				    (unsigned long)dev)
		if (priv->vf_evicted == dev)
			netvsc_evict_set(priv, NULL);
}

/**
 * netvsc_vflist - the names of the paired VFs the reader may see
 * @buf: where to write them, space separated, with a newline
 * @size: its size
 *
 * A module parameter is the same file in every namespace: it lists only
 * the VFs in the reader's network namespace (a VF is always in its
 * synthetic device's), whose names the reader sees anyway.  Read from
 * init_net, as udev does, it lists init_net's.
 *
 * Context: the reader's process context; takes no RTNL.
 * Return: the length written.
 */
int netvsc_vflist(char *buf, size_t size)
{
	struct net *net = current->nsproxy->net_ns;
	struct net_device *dev, *vf;
	int len = 0;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (!netvsc_is_netvsc(dev))
			continue;
		vf = rcu_dereference(((struct netvsc_priv *)netdev_priv(dev))->vf);
		if (vf && net_eq(dev_net(vf), net))
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? " " : "", vf->name);
	}
	rcu_read_unlock();
	len += scnprintf(buf + len, size - len, "\n");
	return len;
}
