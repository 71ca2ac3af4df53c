// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: the datapath - transmit over the VF or the synthetic path,
 * receive from both, and count per path.
 *
 * Locking: lockless.  ndo_start_xmit runs under rcu_read_lock_bh() and
 * reads priv->vf_tx; the VF's rx_handler runs under rcu_read_lock() and
 * reads its rx_handler_data.  Both are cleared under RTNL, followed by a
 * grace period before the VF is let go.  Counters are per-CPU u64_stats.
 * The device is NETIF_F_LLTX: frames for the VF are not serialised here,
 * and the synthetic path takes the tx queue lock itself, which is what
 * its transport expects (transport.h).  Under netpoll, which calls us
 * with interrupts off, frames never go to the VF, and the synthetic path
 * only tries the lock, which the CPU may hold already.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/netpoll.h>

#include "netvsc.h"

static void netvsc_count_tx(struct netvsc_priv *priv,
			    struct netvsc_path_stats *path, unsigned int len)
{
	struct netvsc_pcpu_stats *stats = this_cpu_ptr(priv->stats);

	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&path->tx_packets);
	u64_stats_add(&path->tx_bytes, len);
	u64_stats_update_end(&stats->syncp);
}

static void netvsc_count_drop(struct netvsc_priv *priv, bool vf)
{
	struct netvsc_pcpu_stats *stats = this_cpu_ptr(priv->stats);

	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(vf ? &stats->vf.tx_dropped : &stats->synth.tx_dropped);
	u64_stats_update_end(&stats->syncp);
}

static void netvsc_count_rx(struct netvsc_priv *priv, bool vf,
			    unsigned int len)
{
	struct netvsc_pcpu_stats *stats = this_cpu_ptr(priv->stats);
	struct netvsc_path_stats *path = vf ? &stats->vf : &stats->synth;

	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&path->rx_packets);
	u64_stats_add(&path->rx_bytes, len);
	u64_stats_update_end(&stats->syncp);
}

/**
 * netvsc_synth_tx_sent - a transport handed a frame to the host
 * @dev: the synthetic device
 * @len: the frame's length, without the transport's headers
 *
 * Context: BH disabled (the transport's xmit, or its send completions).
 */
void netvsc_synth_tx_sent(struct net_device *dev, unsigned int len)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	netvsc_count_tx(priv, &this_cpu_ptr(priv->stats)->synth, len);
}
EXPORT_SYMBOL_GPL(netvsc_synth_tx_sent);

/**
 * netvsc_synth_tx_dropped - a transport dropped a frame it was given
 * @dev: the synthetic device
 *
 * Context: BH disabled (the transport's xmit, or its send completions).
 */
void netvsc_synth_tx_dropped(struct net_device *dev)
{
	netvsc_count_drop(netdev_priv(dev), false);
}
EXPORT_SYMBOL_GPL(netvsc_synth_tx_dropped);

/* Does a GSO frame fit the limits of the path it is about to take? */
static bool netvsc_gso_fits(const struct sk_buff *skb, unsigned int size,
			    unsigned int segs)
{
	return skb->len <= size && skb_shinfo(skb)->gso_segs <= segs;
}

static netdev_tx_t netvsc_vf_xmit_one(struct netvsc_priv *priv,
				      struct net_device *vf,
				      struct sk_buff *skb)
{
	unsigned int len = skb->len;
	int rc;

	skb->dev = vf;
	rc = dev_queue_xmit(skb);
	if (likely(net_xmit_eval(rc) == 0))
		netvsc_count_tx(priv, &this_cpu_ptr(priv->stats)->vf, len);
	else
		netvsc_count_drop(priv, true);
	return NETDEV_TX_OK;
}

static netdev_tx_t netvsc_synth_xmit_one(struct netvsc_priv *priv,
					 struct sk_buff *skb)
{
	struct net_device *dev = priv->dev;

	if (skb_vlan_tag_present(skb) &&
	    !(READ_ONCE(priv->caps.features) & NETIF_F_HW_VLAN_CTAG_TX)) {
		skb = __vlan_hwaccel_push_inside(skb);
		if (!skb) {
			netvsc_count_drop(priv, false);
			return NETDEV_TX_OK;
		}
	}

	/* The transport counts what it sends and what it drops: a frame it
	 * holds is counted when it goes.
	 */
	return priv->ops->xmit(skb, dev);
}

/* A GSO frame built for larger limits than its path takes (it was queued
 * before a join, or the VF lowered its GSO size), or for a GSO type the
 * synthetic path lacks, is segmented here, with @features.
 */
static netdev_tx_t netvsc_xmit_segmented(struct netvsc_priv *priv,
					 struct net_device *vf,
					 struct sk_buff *skb,
					 netdev_features_t features)
{
	struct sk_buff *segs, *seg, *next;

	segs = skb_gso_segment(skb, features & ~NETIF_F_GSO_MASK);
	if (IS_ERR_OR_NULL(segs)) {
		netvsc_count_drop(priv, vf);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	consume_skb(skb);

	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		if (vf) {
			netvsc_vf_xmit_one(priv, vf, seg);
		} else if (netvsc_synth_xmit_one(priv, seg) != NETDEV_TX_OK) {
			/* Too late to requeue the frame we segmented. */
			netvsc_count_drop(priv, false);
			kfree_skb(seg);
		}
	}
	return NETDEV_TX_OK;
}

static netdev_tx_t netvsc_vf_xmit(struct netvsc_priv *priv,
				  struct net_device *vf, struct sk_buff *skb)
{
	if (skb_is_gso(skb)) {
		unsigned int size = READ_ONCE(vf->gso_max_size);
		unsigned int segs = READ_ONCE(vf->gso_max_segs);

		/* No notifier tells us the VF's GSO limits changed. */
		if (unlikely(size != READ_ONCE(priv->vf_gso_seen) ||
			     segs != READ_ONCE(priv->vf_gso_segs_seen)))
			schedule_delayed_work(&priv->limits_work, 0);
		if (unlikely(!netvsc_gso_fits(skb, size, segs)))
			return netvsc_xmit_segmented(priv, vf, skb,
						     READ_ONCE(vf->features));
	}
	return netvsc_vf_xmit_one(priv, vf, skb);
}

/* The synthetic path's offloads for @skb, within the device's.  The stack
 * built the frame for the device's features, which include a joined VF's
 * tunnel offloads (vf.c), maybe before the VF went or lost carrier; the
 * synthetic path has no offload for an encapsulated frame.
 */
static netdev_features_t netvsc_synth_features(const struct netvsc_priv *priv,
					       const struct sk_buff *skb)
{
	netdev_features_t features = READ_ONCE(priv->caps.features) &
				     READ_ONCE(priv->dev->features);

	if (skb->encapsulation)
		features &= ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);
	return features;
}

static netdev_tx_t netvsc_synth_xmit(struct netvsc_priv *priv,
				     struct sk_buff *skb)
{
	struct netdev_queue *txq = netdev_get_tx_queue(priv->dev, 0);
	netdev_features_t features = netvsc_synth_features(priv, skb);
	netdev_tx_t rc;

	if (unlikely(netpoll_tx_running(priv->dev))) {
		if (!__netif_tx_trylock(txq))
			return NETDEV_TX_BUSY;
	} else {
		__netif_tx_lock(txq, smp_processor_id());
	}

	if (skb_is_gso(skb) &&
	    unlikely(!skb_gso_ok(skb, features) ||
		     !netvsc_gso_fits(skb, READ_ONCE(priv->caps.tso_max_size),
				      READ_ONCE(priv->caps.tso_max_segs)))) {
		rc = netvsc_xmit_segmented(priv, NULL, skb, features);
	} else if (skb->ip_summed == CHECKSUM_PARTIAL &&
		   unlikely(!(features & NETIF_F_CSUM_MASK)) &&
		   skb_csum_hwoffload_help(skb, features)) {
		netvsc_count_drop(priv, false);
		kfree_skb(skb);
		rc = NETDEV_TX_OK;
	} else {
		rc = netvsc_synth_xmit_one(priv, skb);
	}

	__netif_tx_unlock(txq);
	return rc;
}

/**
 * netvsc_start_xmit - ndo_start_xmit of the synthetic device
 * @skb: the frame
 * @dev: the synthetic device
 *
 * While the data path is the VF and the VF is running with carrier, the
 * frame goes out of the VF, which picks its own queue.  Otherwise it
 * takes the synthetic path.  So does a frame of netpoll (netconsole):
 * netpoll transmits with interrupts off, where dev_queue_xmit() to the
 * VF must not be called, and the host takes synthetic frames whatever
 * the data path.
 */
netdev_tx_t netvsc_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	struct net_device *vf = rcu_dereference_bh(priv->vf_tx);

	if (vf && !netpoll_tx_running(dev) && netif_running(vf) &&
	    netif_carrier_ok(vf))
		return netvsc_vf_xmit(priv, vf, skb);
	return netvsc_synth_xmit(priv, skb);
}

/**
 * netvsc_vf_rx_handler - rx_handler of a claimed VF
 * @pskb: the frame received on the VF
 *
 * The frame is delivered again as received on the synthetic device.
 */
rx_handler_result_t netvsc_vf_rx_handler(struct sk_buff **pskb)
{
	struct net_device *dev = rcu_dereference((*pskb)->dev->rx_handler_data);
	struct sk_buff *skb;

	skb = skb_share_check(*pskb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	*pskb = skb;

	skb->dev = dev;
	netvsc_count_rx(netdev_priv(dev), true, skb->len + ETH_HLEN);
	return RX_HANDLER_ANOTHER;
}

/**
 * netvsc_rx - the transport received a frame on the synthetic path
 * @dev: the synthetic device
 * @skb: the frame, starting at its Ethernet header
 *
 * While a non-transparent VF is up the frame is delivered as received on
 * the VF.
 */
void netvsc_rx(struct net_device *dev, struct sk_buff *skb)
{
	struct netvsc_priv *priv = netdev_priv(dev);
	struct net_device *vf;

	netvsc_count_rx(priv, false, skb->len);

	/* Non-transparent: received on the VF, as far as anyone can tell. */
	rcu_read_lock();
	vf = rcu_dereference(priv->vf_rx);
	skb->protocol = eth_type_trans(skb, vf ?: dev);
	rcu_read_unlock();
	netif_rx(skb);
}
EXPORT_SYMBOL_GPL(netvsc_rx);

static void netvsc_path_read(const struct netvsc_path_stats *path,
			     struct netvsc_stats *s)
{
	s->rx_packets = u64_stats_read(&path->rx_packets);
	s->rx_bytes = u64_stats_read(&path->rx_bytes);
	s->tx_packets = u64_stats_read(&path->tx_packets);
	s->tx_bytes = u64_stats_read(&path->tx_bytes);
	s->tx_dropped = u64_stats_read(&path->tx_dropped);
}

static void netvsc_stats_add(struct netvsc_stats *sum,
			     const struct netvsc_stats *s)
{
	sum->rx_packets += s->rx_packets;
	sum->rx_bytes += s->rx_bytes;
	sum->tx_packets += s->tx_packets;
	sum->tx_bytes += s->tx_bytes;
	sum->tx_dropped += s->tx_dropped;
}

/**
 * netvsc_stats_read - total the per-CPU counters of each path
 * @priv: the synthetic device
 * @synth: the synthetic path's totals
 * @vf: the VF's totals
 */
void netvsc_stats_read(const struct netvsc_priv *priv,
		       struct netvsc_stats *synth, struct netvsc_stats *vf)
{
	int cpu;

	memset(synth, 0, sizeof(*synth));
	memset(vf, 0, sizeof(*vf));

	for_each_possible_cpu(cpu) {
		const struct netvsc_pcpu_stats *stats =
			per_cpu_ptr(priv->stats, cpu);
		struct netvsc_stats s, v;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&stats->syncp);
			netvsc_path_read(&stats->synth, &s);
			netvsc_path_read(&stats->vf, &v);
		} while (u64_stats_fetch_retry(&stats->syncp, start));

		netvsc_stats_add(synth, &s);
		netvsc_stats_add(vf, &v);
	}
}
