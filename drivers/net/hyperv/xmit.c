// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc engine: transmit - RNDIS data packets with their per-packet
 * information, in a send-buffer section when they fit and as GPA-direct
 * page ranges when they don't, and their completions.  A channel that
 * sends one range only (channel.h) gets a frame whose pages don't chain
 * as a linear copy.
 *
 * Frames the host has no room for: with a qdisc above the device, the
 * queue is stopped and the qdisc holds them.  Without one (the device is
 * IFF_NO_QUEUE, so noqueue by default) a stopped queue would drop them,
 * so the engine holds up to tx_queue_len of them on its backlog and
 * sends them, in order and ahead of any new frame, as sends complete.
 *
 * Locking: xmit runs with BH disabled and the tx queue locked;
 * completions run in the channel callback, which never runs inside xmit
 * (channel.h), and take the tx queue lock to send the backlog.
 * eng->tx_lock protects the send slots and the section bitmap; the
 * backlog is only sent with the tx queue locked, and its skb list has
 * a lock of its own for the completion's lockless peek and the purge.
 */

#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/ip6_checksum.h>
#include <net/sch_generic.h>
#include <net/tcp.h>
#include <asm/unaligned.h>

#include "engine.h"

/**
 * netvsc_tx_init - allocate the send slots
 * @eng: the engine
 *
 * Return: 0 or -ENOMEM.
 */
int netvsc_tx_init(struct netvsc_eng *eng)
{
	skb_queue_head_init(&eng->tx_backlog);
	eng->tx = kcalloc(NETVSC_TX_SLOTS, sizeof(*eng->tx), GFP_KERNEL);
	eng->tx_free = kcalloc(NETVSC_TX_SLOTS, sizeof(*eng->tx_free),
			       GFP_KERNEL);
	if (!eng->tx || !eng->tx_free) {
		netvsc_tx_free(eng);
		return -ENOMEM;
	}
	netvsc_tx_reset(eng);
	return 0;
}

static void netvsc_tx_drop(struct netvsc_eng *eng, struct sk_buff *skb)
{
	netvsc_synth_tx_dropped(eng->dev);
	dev_kfree_skb_any(skb);
}

/**
 * netvsc_tx_reset - forget the sends in flight and the backlog
 * @eng: the engine, with its channel closed
 *
 * What the backlog held is dropped, and counted so.
 */
void netvsc_tx_reset(struct netvsc_eng *eng)
{
	struct sk_buff *skb;
	unsigned int i;

	local_bh_disable();
	while ((skb = skb_dequeue(&eng->tx_backlog)))
		netvsc_tx_drop(eng, skb);
	local_bh_enable();
	spin_lock_bh(&eng->tx_lock);
	for (i = 0; i < NETVSC_TX_SLOTS; i++) {
		struct netvsc_tx_slot *slot = &eng->tx[i];

		if (slot->busy)
			dev_kfree_skb_any(slot->skb);
		slot->skb = NULL;
		slot->busy = false;
		eng->tx_free[i] = i;
	}
	eng->tx_nfree = NETVSC_TX_SLOTS;
	if (eng->section_map)
		bitmap_zero(eng->section_map, eng->nsections);
	spin_unlock_bh(&eng->tx_lock);
}

/**
 * netvsc_tx_free - free the send slots
 * @eng: the engine, with its channel closed
 */
void netvsc_tx_free(struct netvsc_eng *eng)
{
	skb_queue_purge(&eng->tx_backlog);
	kfree(eng->tx);
	kfree(eng->tx_free);
	eng->tx = NULL;
	eng->tx_free = NULL;
}

/* Is there a qdisc above the device to hold what a stopped queue holds
 * back?  noqueue has no enqueue.  Context: BH disabled.
 */
static bool netvsc_tx_has_qdisc(struct net_device *dev)
{
	return !!rcu_dereference_bh(netdev_get_tx_queue(dev, 0)->qdisc)->enqueue;
}

/* Is a send in flight, whose completion will bring room? */
static bool netvsc_tx_in_flight(struct netvsc_eng *eng)
{
	bool busy;

	spin_lock(&eng->tx_lock);
	busy = eng->tx_nfree < NETVSC_TX_SLOTS;
	spin_unlock(&eng->tx_lock);
	return busy;
}

static void netvsc_slot_put(struct netvsc_eng *eng, unsigned int idx)
{
	struct netvsc_tx_slot *slot = &eng->tx[idx];

	lockdep_assert_held(&eng->tx_lock);

	if (slot->section != NVSP_NO_SECTION)
		__clear_bit(slot->section, eng->section_map);
	slot->busy = false;
	slot->skb = NULL;
	eng->tx_free[eng->tx_nfree++] = idx;
}

/* A slot, and a section if @want_section; returns the slot or -1. */
static int netvsc_slot_get(struct netvsc_eng *eng, bool want_section)
{
	struct netvsc_tx_slot *slot;
	unsigned int idx;

	spin_lock(&eng->tx_lock);
	if (!eng->tx_nfree) {
		spin_unlock(&eng->tx_lock);
		return -1;
	}
	idx = eng->tx_free[--eng->tx_nfree];
	slot = &eng->tx[idx];
	slot->busy = true;
	slot->gen++;
	slot->skb = NULL;
	slot->section = NVSP_NO_SECTION;
	if (want_section) {
		unsigned long s = find_first_zero_bit(eng->section_map,
						      eng->nsections);

		if (s < eng->nsections) {
			__set_bit(s, eng->section_map);
			slot->section = s;
		}
	}
	if (!eng->tx_nfree && netvsc_tx_has_qdisc(eng->dev))
		netif_stop_queue(eng->dev);
	spin_unlock(&eng->tx_lock);
	return idx;
}

static void netvsc_slot_abort(struct netvsc_eng *eng, unsigned int idx)
{
	spin_lock(&eng->tx_lock);
	netvsc_slot_put(eng, idx);
	spin_unlock(&eng->tx_lock);
}

static u8 *netvsc_put_ppi(u8 *p, u32 type, u32 val)
{
	struct rndis_ppi *ppi = (void *)p;

	ppi->size = sizeof(*ppi) + sizeof(u32);
	ppi->type = type;
	ppi->offset = sizeof(*ppi);
	put_unaligned_le32(val, p + sizeof(*ppi));
	return p + ppi->size;
}

/* LSOv2 wants the pseudo-header checksum without the length. */
static void netvsc_lso_prep(struct sk_buff *skb, bool v6)
{
	if (v6) {
		tcp_v6_gso_csum_prep(skb);
		return;
	}
	ip_hdr(skb)->tot_len = 0;
	ip_hdr(skb)->check = 0;
	tcp_hdr(skb)->check = ~csum_tcpudp_magic(ip_hdr(skb)->saddr,
						 ip_hdr(skb)->daddr, 0,
						 IPPROTO_TCP, 0);
}

/* Build the RNDIS header and PPIs of @skb in @hdr; returns their length,
 * or 0 when the frame cannot go (the caller drops it).
 */
static u32 netvsc_rndis_hdr(struct netvsc_eng *eng, struct sk_buff *skb,
			    u8 *hdr)
{
	struct rndis_packet *pkt = (void *)(hdr + sizeof(struct rndis_hdr));
	u8 *p = hdr + sizeof(struct rndis_hdr) + sizeof(*pkt);
	__be16 proto = vlan_get_protocol(skb);
	bool v6 = proto == htons(ETH_P_IPV6);
	u32 hlen;

	memset(hdr, 0, sizeof(struct rndis_hdr) + sizeof(*pkt));

	if (skb_vlan_tag_present(skb)) {
		u16 tci = skb_vlan_tag_get(skb);

		p = netvsc_put_ppi(p, PPI_IEEE8021Q,
				   (tci >> VLAN_PRIO_SHIFT) |
				   (tci & VLAN_VID_MASK) << PPI_VLAN_ID_SHIFT);
	}

	if (skb_is_gso(skb)) {
		u32 l4 = skb_transport_offset(skb);

		if (!(skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) ||
		    l4 > PPI_LSO_L4_OFFSET_MASK)
			return 0;
		netvsc_lso_prep(skb, v6);
		p = netvsc_put_ppi(p, PPI_LSO, PPI_LSO_V2 |
				   (v6 ? PPI_LSO_IPV6 : 0) |
				   l4 << PPI_LSO_L4_OFFSET_SHIFT |
				   (skb_shinfo(skb)->gso_size & PPI_LSO_MSS_MASK));
	} else if (skb->ip_summed == CHECKSUM_PARTIAL) {
		const struct netvsc_offload_caps *c = &eng->offload;
		bool tcp = skb->csum_offset == offsetof(struct tcphdr, check);
		bool udp = skb->csum_offset == offsetof(struct udphdr, check);
		u32 caps = v6 ? c->ip6_tx_csum : c->ip4_tx_csum;
		u32 l4 = skb_checksum_start_offset(skb);

		if ((proto == htons(ETH_P_IP) || v6) &&
		    ((tcp && (caps & NDIS_CSUM_TCP)) ||
		     (udp && (caps & NDIS_CSUM_UDP))) &&
		    l4 <= PPI_CSUM_TX_L4_OFFSET_MASK) {
			p = netvsc_put_ppi(p, PPI_CHECKSUM,
					   (v6 ? PPI_CSUM_TX_IPV6 :
						 PPI_CSUM_TX_IPV4) |
					   (tcp ? PPI_CSUM_TX_TCP :
						  PPI_CSUM_TX_UDP) |
					   l4 << PPI_CSUM_TX_L4_OFFSET_SHIFT);
		} else if (skb_checksum_help(skb)) {
			return 0;
		}
	}

	hlen = p - hdr;
	put_unaligned_le32(RNDIS_MSG_PACKET, hdr);
	put_unaligned_le32(hlen + skb->len, hdr + 4);
	pkt->data_offset = hlen - sizeof(struct rndis_hdr);
	pkt->data_len = skb->len;
	if (hlen > sizeof(struct rndis_hdr) + sizeof(*pkt)) {
		pkt->ppi_offset = sizeof(*pkt);
		pkt->ppi_len = hlen - sizeof(struct rndis_hdr) - sizeof(*pkt);
	}
	return hlen;
}

/* Append the page ranges of [addr, addr + len) in the linear map. */
static int netvsc_add_ranges(struct netvsc_chan_range *r, int n,
			     phys_addr_t addr, u32 len)
{
	while (len) {
		u32 off = addr & (NETVSC_HV_PAGE_SIZE - 1);
		u32 chunk = min_t(u32, len, NETVSC_HV_PAGE_SIZE - off);

		if (n >= NETVSC_CHAN_MAX_RANGES)
			return -E2BIG;
		r[n].pfn = addr >> NETVSC_HV_PAGE_SHIFT;
		r[n].offset = off;
		r[n].len = chunk;
		n++;
		addr += chunk;
		len -= chunk;
	}
	return n;
}

static int netvsc_skb_ranges(struct sk_buff *skb, struct netvsc_chan_range *r)
{
	int i, n;

	n = netvsc_add_ranges(r, 0, virt_to_phys(skb->data), skb_headlen(skb));
	for (i = 0; n >= 0 && i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		n = netvsc_add_ranges(r, n, page_to_phys(skb_frag_page(frag)) +
				      skb_frag_off(frag), skb_frag_size(frag));
	}
	return n;
}

/* The pages of @skb as ranges its channel can send: a channel that sends
 * one range only takes ranges that chain (channel.h); -EXDEV if they
 * don't, and then a linear copy of the frame does.
 */
static int netvsc_tx_ranges(struct netvsc_eng *eng, struct sk_buff *skb,
			    struct netvsc_chan_range *r)
{
	int n = netvsc_skb_ranges(skb, r);

	if (n > 1 && eng->chan->one_range && !netvsc_chan_ranges_chain(r, n))
		return -EXDEV;
	return n;
}

/* Send @skb to the host.  Return: 0 when the skb is consumed, sent or
 * dropped; -EBUSY when there is no free send slot or no room in the
 * ring, with the skb as it came.
 */
static int netvsc_tx_send(struct netvsc_eng *eng, struct sk_buff *skb)
{
	struct net_device *dev = eng->dev;
	struct netvsc_chan_range ranges[NETVSC_CHAN_MAX_RANGES];
	struct nvsp_msg msg = { .type = NVSP_MSG1_RNDIS_PKT };
	u8 hdr[NETVSC_RNDIS_TX_HDR];
	unsigned int len = skb->len;
	struct netvsc_tx_slot *slot;
	int idx, n = 0, err;
	u32 hlen, total;
	u64 id;

	if (skb_cow_head(skb, NETVSC_RNDIS_TX_HDR))
		goto drop;
	hlen = netvsc_rndis_hdr(eng, skb, hdr);
	if (!hlen)
		goto drop;
	total = hlen + skb->len;

	idx = netvsc_slot_get(eng, total <= eng->section_size);
	if (idx < 0)
		return -EBUSY;
	slot = &eng->tx[idx];
	id = NETVSC_ID_TX | (u64)slot->gen << 16 | idx;

	msg.rndis_pkt.channel = NVSP_RNDIS_DATA;
	msg.rndis_pkt.section = slot->section;
	if (slot->section != NVSP_NO_SECTION) {
		u8 *dst = eng->send_buf + slot->section * eng->section_size;

		memcpy(dst, hdr, hlen);
		skb_copy_bits(skb, 0, dst + hlen, skb->len);
		msg.rndis_pkt.section_size = total;
	} else {
		memcpy(skb_push(skb, hlen), hdr, hlen);
		n = netvsc_tx_ranges(eng, skb, ranges);
		if (n < 0) {
			__skb_pull(skb, hlen);
			if (__skb_linearize(skb))
				goto abort;
			memcpy(skb_push(skb, hlen), hdr, hlen);
			n = netvsc_tx_ranges(eng, skb, ranges);
			if (n < 0) {
				net_warn_ratelimited("%s: frame of %u bytes needs too many pages; dropped\n",
						     dev->name, total);
				goto abort;
			}
		}
		slot->skb = skb;
	}

	err = eng->chan->ops->send(eng->chan, &msg, sizeof(msg), ranges, n, id,
				   true);
	if (err == -EAGAIN) {
		if (slot->skb)
			__skb_pull(skb, hlen);
		netvsc_slot_abort(eng, idx);
		return -EBUSY;
	}
	if (err)
		goto abort;
	netvsc_synth_tx_sent(dev, len);
	if (slot->section != NVSP_NO_SECTION)
		consume_skb(skb);
	return 0;

abort:
	netvsc_slot_abort(eng, idx);
drop:
	netvsc_tx_drop(eng, skb);
	return 0;
}

/* Send the backlog, in order, while the host takes it.  A frame the
 * host has no room for while nothing is in flight is dropped: no
 * completion would come to send it.
 * Context: BH disabled, the tx queue locked.
 */
static void netvsc_tx_flush(struct netvsc_eng *eng)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&eng->tx_backlog))) {
		if (netvsc_tx_send(eng, skb) != -EBUSY)
			continue;
		if (netvsc_tx_in_flight(eng)) {
			skb_queue_head(&eng->tx_backlog, skb);
			return;
		}
		netvsc_tx_drop(eng, skb);
	}
}

/* The host has no room for @skb now: stop the queue for the qdisc to
 * hold it, or, without one, hold it on the backlog.
 */
static netdev_tx_t netvsc_tx_hold(struct netvsc_eng *eng, struct sk_buff *skb)
{
	struct net_device *dev = eng->dev;

	if (netvsc_tx_has_qdisc(dev)) {
		netif_stop_queue(dev);
		/* A completion wakes the queue; with none in flight, none will. */
		if (netvsc_tx_in_flight(eng))
			return NETDEV_TX_BUSY;
		netif_wake_queue(dev);
		netvsc_tx_drop(eng, skb);
		return NETDEV_TX_OK;
	}

	if (skb_queue_len(&eng->tx_backlog) >= READ_ONCE(dev->tx_queue_len)) {
		netvsc_tx_drop(eng, skb);
		return NETDEV_TX_OK;
	}
	skb_queue_tail(&eng->tx_backlog, skb);
	/* A completion sends it; with none in flight, none will. */
	if (!netvsc_tx_in_flight(eng))
		netvsc_tx_flush(eng);
	return NETDEV_TX_OK;
}

/**
 * netvsc_eng_xmit - send a frame to the host (transport xmit)
 * @skb: the frame
 * @dev: the synthetic device
 *
 * What the backlog holds goes first.
 *
 * Return: NETDEV_TX_OK, or NETDEV_TX_BUSY with the queue stopped when a
 * qdisc is there to hold the frame.
 */
netdev_tx_t netvsc_eng_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct netvsc_eng *eng = netvsc_transport_priv(dev);

	if (!READ_ONCE(eng->started) || READ_ONCE(eng->tx_paused)) {
		netvsc_tx_drop(eng, skb);
		return NETDEV_TX_OK;
	}
	if (unlikely(!skb_queue_empty_lockless(&eng->tx_backlog))) {
		netvsc_tx_flush(eng);
		if (!skb_queue_empty_lockless(&eng->tx_backlog))
			return netvsc_tx_hold(eng, skb);
	}
	if (netvsc_tx_send(eng, skb) == -EBUSY)
		return netvsc_tx_hold(eng, skb);
	return NETDEV_TX_OK;
}

/**
 * netvsc_tx_done - the host completed a send
 * @eng: the engine
 * @pkt: the completion
 *
 * Context: the channel callback (BH).
 */
void netvsc_tx_done(struct netvsc_eng *eng, const struct netvsc_vmpkt *pkt)
{
	unsigned int idx = pkt->trans_id & 0xffff;
	u16 gen = pkt->trans_id >> 16;
	struct sk_buff *skb = NULL;
	struct netvsc_tx_slot *slot;
	bool wake;

	spin_lock(&eng->tx_lock);
	slot = idx < NETVSC_TX_SLOTS ? &eng->tx[idx] : NULL;
	if (!slot || !slot->busy || slot->gen != gen) {
		spin_unlock(&eng->tx_lock);
		net_warn_ratelimited("%s: completion of no send of ours (id 0x%llx); ignored\n",
				     eng->dev->name, pkt->trans_id);
		return;
	}
	skb = slot->skb;
	netvsc_slot_put(eng, idx);
	wake = eng->tx_nfree >= NETVSC_TX_WAKE;
	spin_unlock(&eng->tx_lock);

	if (skb)
		napi_consume_skb(skb, 1);
	if (!READ_ONCE(eng->started))
		return;

	if (unlikely(!skb_queue_empty_lockless(&eng->tx_backlog))) {
		struct netdev_queue *txq = netdev_get_tx_queue(eng->dev, 0);

		__netif_tx_lock(txq, smp_processor_id());
		netvsc_tx_flush(eng);
		__netif_tx_unlock(txq);
	}
	if (wake && netif_queue_stopped(eng->dev) &&
	    skb_queue_empty_lockless(&eng->tx_backlog))
		netif_wake_queue(eng->dev);
}
