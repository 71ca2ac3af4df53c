// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: the "netvsc" generic netlink family.
 *
 *   dev-get  do (by ifindex or ifname) and dump, in the caller's netns
 *   dev-set  the per-device join delay, carrier hold and data path pin;
 *            forget the remembered VF settings
 *            (CAP_NET_ADMIN in the device's netns)
 *   events   a notification for every join, leave and data path switch
 *
 * Locking: requests take RTNL to find the device and read its pairing
 * consistently.  Notifications are built and sent under RTNL, from the
 * places in vf.c that change the pairing.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "netvsc.h"

/* The join delay and the carrier hold. */
static struct netlink_range_validation netvsc_nl_ms_range = {
	.max = NETVSC_MS_SETTING_MAX,
};

static const struct nla_policy netvsc_nl_policy[NETVSC_A_MAX + 1] = {
	[NETVSC_A_IFINDEX]		= NLA_POLICY_MIN(NLA_U32, 1),
	[NETVSC_A_IFNAME]		= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[NETVSC_A_JOIN_DELAY_MS]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &netvsc_nl_ms_range),
	[NETVSC_A_JOIN_DELAY_DEFAULT]	= { .type = NLA_FLAG },
	[NETVSC_A_CARRIER_HOLD_MS]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &netvsc_nl_ms_range),
	[NETVSC_A_CARRIER_HOLD_DEFAULT]	= { .type = NLA_FLAG },
	[NETVSC_A_VF_SETTINGS_CLEAR]	= { .type = NLA_FLAG },
	[NETVSC_A_PIN]			= NLA_POLICY_MAX(NLA_U32,
							 NETVSC_PIN_SYNTHETIC),
};

static const struct genl_multicast_group netvsc_nl_mcgrps[] = {
	{ .name = NETVSC_MCGRP_EVENTS },
};

static struct genl_family netvsc_nl_family;

/* Our ABI bits for the kernel's feature flags. */
static const struct {
	netdev_features_t netif;
	u32 bit;
} netvsc_nl_feature_map[] = {
	{ NETIF_F_SG,			NETVSC_F_SG },
	{ NETIF_F_CSUM_MASK,		NETVSC_F_TX_CSUM },
	{ NETIF_F_RXCSUM,		NETVSC_F_RX_CSUM },
	{ NETIF_F_TSO,			NETVSC_F_TSO },
	{ NETIF_F_TSO6,			NETVSC_F_TSO6 },
	{ NETIF_F_GSO_UDP_L4,		NETVSC_F_GSO_UDP_L4 },
	{ NETIF_F_GSO_ENCAP_ALL,	NETVSC_F_TUNNEL_GSO },
	{ NETIF_F_HW_VLAN_CTAG_TX,	NETVSC_F_TX_VLAN },
	{ NETIF_F_HW_VLAN_CTAG_RX,	NETVSC_F_RX_VLAN },
	{ NETIF_F_RXHASH,		NETVSC_F_RXHASH },
	{ NETIF_F_LRO,			NETVSC_F_LRO },
	{ NETIF_F_HIGHDMA,		NETVSC_F_HIGHDMA },
};

static u32 netvsc_nl_features(netdev_features_t features)
{
	u32 bits = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(netvsc_nl_feature_map); i++)
		if (features & netvsc_nl_feature_map[i].netif)
			bits |= netvsc_nl_feature_map[i].bit;
	return bits;
}

static int netvsc_nl_put_limits(struct sk_buff *skb, int type,
				unsigned int tso_size, unsigned int tso_segs,
				unsigned int gso_size, unsigned int gso_segs)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u32(skb, NETVSC_A_LIMITS_TSO_MAX_SIZE, tso_size) ||
	    nla_put_u32(skb, NETVSC_A_LIMITS_TSO_MAX_SEGS, tso_segs) ||
	    nla_put_u32(skb, NETVSC_A_LIMITS_GSO_MAX_SIZE, gso_size) ||
	    nla_put_u32(skb, NETVSC_A_LIMITS_GSO_MAX_SEGS, gso_segs))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int netvsc_nl_put_stats(struct sk_buff *skb,
			       const struct netvsc_priv *priv)
{
	struct netvsc_stats synth, vf;
	struct nlattr *nest;

	netvsc_stats_read(priv, &synth, &vf);

	nest = nla_nest_start(skb, NETVSC_A_STATS);
	if (!nest)
		return -EMSGSIZE;
#define PUT(attr, val) \
	nla_put_u64_64bit(skb, NETVSC_A_STATS_##attr, val, NETVSC_A_STATS_PAD)
	if (PUT(SYNTH_RX_PACKETS, synth.rx_packets) ||
	    PUT(SYNTH_RX_BYTES, synth.rx_bytes) ||
	    PUT(SYNTH_TX_PACKETS, synth.tx_packets) ||
	    PUT(SYNTH_TX_BYTES, synth.tx_bytes) ||
	    PUT(SYNTH_TX_DROPPED, synth.tx_dropped) ||
	    PUT(VF_RX_PACKETS, vf.rx_packets) ||
	    PUT(VF_RX_BYTES, vf.rx_bytes) ||
	    PUT(VF_TX_PACKETS, vf.tx_packets) ||
	    PUT(VF_TX_BYTES, vf.tx_bytes) ||
	    PUT(VF_TX_DROPPED, vf.tx_dropped))
		return -EMSGSIZE;
#undef PUT
	nla_nest_end(skb, nest);
	return 0;
}

static int netvsc_nl_put_vf(struct sk_buff *skb, struct net_device *vf)
{
	if (nla_put_u32(skb, NETVSC_A_VF_IFINDEX, vf->ifindex) ||
	    nla_put_string(skb, NETVSC_A_VF_IFNAME, vf->name) ||
	    nla_put_u32(skb, NETVSC_A_VF_FEATURES,
			netvsc_nl_features(vf->features)))
		return -EMSGSIZE;
	return netvsc_nl_put_limits(skb, NETVSC_A_VF_LIMITS,
				    vf->tso_max_size, vf->tso_max_segs,
				    READ_ONCE(vf->gso_max_size),
				    READ_ONCE(vf->gso_max_segs));
}

static int netvsc_nl_put_settings(struct sk_buff *skb,
				  const struct netvsc_vf_settings *s)
{
	struct nlattr *nest;

	if (!s->valid)
		return 0;
	nest = nla_nest_start(skb, NETVSC_A_VF_SETTINGS);
	if (!nest ||
	    nla_put(skb, NETVSC_A_VF_SETTINGS_PERM_ADDR, ETH_ALEN,
		    s->perm_addr) ||
	    nla_put_u32(skb, NETVSC_A_VF_SETTINGS_RX_RING, s->rx_ring) ||
	    nla_put_u32(skb, NETVSC_A_VF_SETTINGS_TX_RING, s->tx_ring)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One device; a notification (@event not 0) also carries its event. */
static int netvsc_nl_fill(struct sk_buff *skb, struct netvsc_priv *priv,
			  u32 portid, u32 seq, int flags, u8 cmd,
			  enum netvsc_event event, enum netvsc_reason reason)
{
	struct net_device *vf = rtnl_dereference(priv->vf);
	struct net_device *dev = priv->dev;
	unsigned int delay;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &netvsc_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	delay = priv->join_delay_ms >= 0 ? priv->join_delay_ms :
					    READ_ONCE(netvsc_vf_join_delay_ms);
	if (nla_put_u32(skb, NETVSC_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, NETVSC_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, NETVSC_A_MODE, netvsc_vf_transparent ?
			NETVSC_MODE_TRANSPARENT :
			NETVSC_MODE_NON_TRANSPARENT) ||
	    nla_put_u32(skb, NETVSC_A_STATE, priv->vf_state) ||
	    nla_put_u32(skb, NETVSC_A_DATAPATH, priv->datapath) ||
	    nla_put_u32(skb, NETVSC_A_PIN, priv->pinned ?
			NETVSC_PIN_SYNTHETIC : NETVSC_PIN_AUTO) ||
	    nla_put_u32(skb, NETVSC_A_JOIN_DELAY_MS, delay) ||
	    nla_put_u32(skb, NETVSC_A_CARRIER_HOLD_MS,
			netvsc_carrier_hold_ms(priv)) ||
	    nla_put_u64_64bit(skb, NETVSC_A_CARRIER_HOLDS, priv->held_flaps,
			      NETVSC_A_PAD) ||
	    (priv->carrier_held &&
	     nla_put_flag(skb, NETVSC_A_CARRIER_HELD)) ||
	    nla_put_u64_64bit(skb, NETVSC_A_SWITCHES, priv->switches,
			      NETVSC_A_PAD) ||
	    nla_put_u32(skb, NETVSC_A_LAST_SWITCH_REASON, priv->last_reason) ||
	    nla_put_u32(skb, NETVSC_A_FEATURES,
			netvsc_nl_features(dev->features)) ||
	    nla_put_u32(skb, NETVSC_A_SYNTH_FEATURES,
			netvsc_nl_features(priv->caps.features)))
		goto cancel;

	if (priv->last_reason != NETVSC_REASON_NONE &&
	    (nla_put_u64_64bit(skb, NETVSC_A_LAST_SWITCH_NS,
			       priv->last_switch_ns, NETVSC_A_PAD) ||
	     nla_put_u64_64bit(skb, NETVSC_A_LAST_SWITCH_BOOTTIME_NS,
			       priv->last_switch_boot_ns, NETVSC_A_PAD)))
		goto cancel;

	if (netvsc_nl_put_stats(skb, priv) ||
	    netvsc_nl_put_limits(skb, NETVSC_A_LIMITS,
				 dev->tso_max_size, dev->tso_max_segs,
				 READ_ONCE(dev->gso_max_size),
				 READ_ONCE(dev->gso_max_segs)) ||
	    netvsc_nl_put_limits(skb, NETVSC_A_SYNTH_LIMITS,
				 priv->caps.tso_max_size,
				 priv->caps.tso_max_segs,
				 min(priv->gso_base, priv->caps.tso_max_size),
				 min(priv->gso_segs_base,
				     priv->caps.tso_max_segs)))
		goto cancel;

	if (vf && netvsc_nl_put_vf(skb, vf))
		goto cancel;
	if (netvsc_nl_put_settings(skb, &priv->vf_settings))
		goto cancel;

	if (event && (nla_put_u32(skb, NETVSC_A_EVENT, event) ||
		      nla_put_u32(skb, NETVSC_A_REASON, reason)))
		goto cancel;

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* The device a request names, in the caller's namespace. */
static struct netvsc_priv *netvsc_nl_find(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr **tb = info->attrs;
	struct net_device *dev = NULL;
	struct nlattr *attr;

	ASSERT_RTNL();

	if (tb[NETVSC_A_IFINDEX]) {
		attr = tb[NETVSC_A_IFINDEX];
		dev = __dev_get_by_index(net, nla_get_u32(attr));
	} else if (tb[NETVSC_A_IFNAME]) {
		attr = tb[NETVSC_A_IFNAME];
		dev = __dev_get_by_name(net, nla_data(attr));
	} else {
		GENL_SET_ERR_MSG(info, "ifindex or ifname required");
		return ERR_PTR(-EINVAL);
	}

	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!netvsc_is_netvsc(dev)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "not a netvsc device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static int netvsc_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netvsc_priv *priv;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	priv = netvsc_nl_find(info);
	if (IS_ERR(priv))
		err = PTR_ERR(priv);
	else
		err = netvsc_nl_fill(msg, priv, info->snd_portid,
				     info->snd_seq, 0, NETVSC_CMD_DEV_GET, 0, 0);
	rtnl_unlock();

	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int netvsc_nl_dev_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned long done = cb->args[0];
	struct net_device *dev;
	unsigned long idx = 0;
	int err = 0;

	rtnl_lock();
	/* Flag a part that raced with devices coming or going. */
	cb->seq = net->dev_base_seq;
	for_each_netdev(net, dev) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)skb_tail_pointer(skb);

		if (!netvsc_is_netvsc(dev) || idx++ < done)
			continue;
		err = netvsc_nl_fill(skb, netdev_priv(dev),
				     NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     NETVSC_CMD_DEV_GET, 0, 0);
		if (err)
			break;
		nl_dump_check_consistent(cb, nlh);
		done++;
	}
	rtnl_unlock();

	cb->args[0] = done;
	/* A full skb ends this part; the next one goes on from there. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static int netvsc_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct netvsc_priv *priv;
	int err = 0;

	if (!tb[NETVSC_A_JOIN_DELAY_MS] && !tb[NETVSC_A_JOIN_DELAY_DEFAULT] &&
	    !tb[NETVSC_A_CARRIER_HOLD_MS] &&
	    !tb[NETVSC_A_CARRIER_HOLD_DEFAULT] && !tb[NETVSC_A_PIN] &&
	    !tb[NETVSC_A_VF_SETTINGS_CLEAR]) {
		GENL_SET_ERR_MSG(info, "nothing to set");
		return -EINVAL;
	}
	if (tb[NETVSC_A_JOIN_DELAY_MS] && tb[NETVSC_A_JOIN_DELAY_DEFAULT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NETVSC_A_JOIN_DELAY_DEFAULT],
				    "a join delay and the default together");
		return -EINVAL;
	}
	if (tb[NETVSC_A_CARRIER_HOLD_MS] && tb[NETVSC_A_CARRIER_HOLD_DEFAULT]) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[NETVSC_A_CARRIER_HOLD_DEFAULT],
				    "a carrier hold and the default together");
		return -EINVAL;
	}

	rtnl_lock();
	priv = netvsc_nl_find(info);
	if (IS_ERR(priv)) {
		err = PTR_ERR(priv);
		goto unlock;
	}

	if (tb[NETVSC_A_JOIN_DELAY_MS])
		WRITE_ONCE(priv->join_delay_ms,
			   nla_get_u32(tb[NETVSC_A_JOIN_DELAY_MS]));
	if (tb[NETVSC_A_JOIN_DELAY_DEFAULT])
		WRITE_ONCE(priv->join_delay_ms, -1);
	/* A hold under way keeps the time it started with. */
	if (tb[NETVSC_A_CARRIER_HOLD_MS])
		WRITE_ONCE(priv->carrier_hold_ms,
			   nla_get_u32(tb[NETVSC_A_CARRIER_HOLD_MS]));
	if (tb[NETVSC_A_CARRIER_HOLD_DEFAULT])
		WRITE_ONCE(priv->carrier_hold_ms, -1);
	if (tb[NETVSC_A_VF_SETTINGS_CLEAR])
		netvsc_settings_clear(priv);
	if (tb[NETVSC_A_PIN]) {
		priv->pinned = nla_get_u32(tb[NETVSC_A_PIN]) ==
			       NETVSC_PIN_SYNTHETIC;
		netvsc_datapath_update(priv, NETVSC_REASON_ADMIN);
	}
unlock:
	rtnl_unlock();
	return err;
}

static const struct genl_small_ops netvsc_nl_ops[] = {
	{
		.cmd	= NETVSC_CMD_DEV_GET,
		.doit	= netvsc_nl_dev_get_doit,
		.dumpit	= netvsc_nl_dev_get_dumpit,
	},
	{
		.cmd	= NETVSC_CMD_DEV_SET,
		.doit	= netvsc_nl_dev_set_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family netvsc_nl_family __ro_after_init = {
	.name		= NETVSC_FAMILY_NAME,
	.version	= NETVSC_FAMILY_VERSION,
	.maxattr	= NETVSC_A_MAX,
	.policy		= netvsc_nl_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= netvsc_nl_ops,
	.n_small_ops	= ARRAY_SIZE(netvsc_nl_ops),
	.resv_start_op	= NETVSC_CMD_DEV_GET,
	.mcgrps		= netvsc_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(netvsc_nl_mcgrps),
};

/**
 * netvsc_nl_notify - tell the events group about a pairing change
 * @priv: the synthetic device
 * @event: what happened (enum netvsc_event)
 * @reason: why (enum netvsc_reason)
 */
void netvsc_nl_notify(struct netvsc_priv *priv, enum netvsc_event event,
		      enum netvsc_reason reason)
{
	struct net *net = dev_net(priv->dev);
	struct sk_buff *msg;

	ASSERT_RTNL();

	if (!genl_has_listeners(&netvsc_nl_family, net, 0))
		return;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (netvsc_nl_fill(msg, priv, 0, 0, 0, NETVSC_CMD_DEV_NTF, event,
			   reason)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&netvsc_nl_family, net, msg, 0, 0, GFP_KERNEL);
}

int __init netvsc_nl_init(void)
{
	return genl_register_family(&netvsc_nl_family);
}

void netvsc_nl_exit(void)
{
	genl_unregister_family(&netvsc_nl_family);
}
