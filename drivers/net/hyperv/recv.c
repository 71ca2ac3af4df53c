// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc engine: receive - RNDIS messages the host places in the receive
 * buffer, frames with their per-packet information, and the completion
 * that gives the host its buffer space back.
 *
 * The receive buffer is shared with the host, which may change it under
 * us.  Each range is therefore copied once into an skb, and only the copy
 * is validated and used.
 *
 * Every transfer-page packet is completed exactly once, or the host never
 * gets that part of its receive buffer back and, once all of it is held,
 * sends us nothing more.  A completion the channel cannot take because
 * its ring to the host is full (-EAGAIN or -ENOBUFS) waits in the
 * channel's queue, in order, and is sent again before anything newer:
 * when the next packet arrives from the host, and from a delayed work
 * (1 jiffy, doubling up to 20 ms) when none does.  The queue holds as
 * many completions as the host has sub-allocations in the buffer.  It is
 * emptied without sending when the buffer is revoked: the host takes all
 * of it back then.
 *
 * Locking: packets are handled in the channel callback (BH), one at a
 * time per channel.  The waiting completions are under the channel's
 * ec->rc_lock, which the callback and the retry work take; the callback
 * reads ec->rc_count without it to skip the lock when nothing waits.
 * The retry work is cancelled before the channel is closed and the
 * queue freed after, when no callback runs.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "engine.h"

/* Largest RNDIS message a frame makes: header, PPIs, frame. */
#define NETVSC_RECV_MAX		(ETH_MAX_MTU + VLAN_ETH_HLEN + 1024)

static void netvsc_recv_drop(struct netvsc_eng *eng, const char *why)
{
	net_warn_ratelimited("%s: receive from the host rejected: %s\n",
			     eng->dev->name, why);
	dev_core_stats_rx_dropped_inc(eng->dev);
}

static void netvsc_recv_frame(struct netvsc_eng *eng, struct sk_buff *skb)
{
	struct net_device *dev = eng->dev;
	struct netvsc_rndis_pkt info;
	const char *why;

	if (netvsc_parse_rndis_pkt(skb->data, skb->len, &info, &why)) {
		netvsc_recv_drop(eng, why);
		goto drop;
	}
	if (info.data_len < ETH_HLEN) {
		netvsc_recv_drop(eng, "frame shorter than an Ethernet header");
		goto drop;
	}
	if (!netif_running(dev))
		goto drop;

	skb_pull(skb, info.data_offset);
	skb_trim(skb, info.data_len);

	if ((info.has & BIT(PPI_CHECKSUM)) && (dev->features & NETIF_F_RXCSUM) &&
	    (info.csum & (PPI_CSUM_RX_TCP_OK | PPI_CSUM_RX_UDP_OK)) &&
	    !(info.csum & (PPI_CSUM_RX_TCP_FAILED | PPI_CSUM_RX_UDP_FAILED |
			   PPI_CSUM_RX_IP_FAILED)))
		skb->ip_summed = CHECKSUM_UNNECESSARY;

	if (info.has & BIT(PPI_IEEE8021Q)) {
		u16 tci = ((info.vlan >> PPI_VLAN_ID_SHIFT) & PPI_VLAN_ID_MASK) |
			  (info.vlan & PPI_VLAN_PRIO_MASK) << VLAN_PRIO_SHIFT;

		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), tci);
	}

	netvsc_rx(dev, skb);
	return;

drop:
	kfree_skb(skb);
}

/* One range: one RNDIS message. */
static void netvsc_recv_range(struct netvsc_eng *eng, u32 offset, u32 len)
{
	struct sk_buff *skb;
	const char *why;
	u32 type, msg_len;

	if (len > NETVSC_RECV_MAX) {
		netvsc_recv_drop(eng, "receive-buffer range larger than any frame");
		return;
	}
	skb = netdev_alloc_skb_ip_align(eng->dev, len);
	if (!skb) {
		dev_core_stats_rx_dropped_inc(eng->dev);
		return;
	}
	skb_put_data(skb, eng->recv_buf + offset, len);

	if (netvsc_parse_rndis(skb->data, skb->len, &type, &msg_len, &why)) {
		netvsc_recv_drop(eng, why);
		kfree_skb(skb);
		return;
	}
	skb_trim(skb, msg_len);

	if (type == RNDIS_MSG_PACKET) {
		netvsc_recv_frame(eng, skb);
		return;
	}
	netvsc_rndis_control(eng, skb->data, skb->len, type);
	consume_skb(skb);
}

/* -EAGAIN and -ENOBUFS: the ring to the host is full for now. */
static bool netvsc_ring_full(int err)
{
	return err == -EAGAIN || err == -ENOBUFS;
}

static int netvsc_recv_send_done(struct netvsc_eng_chan *ec, u64 trans_id)
{
	struct nvsp_msg msg = {
		.type = NVSP_MSG1_RNDIS_PKT_DONE,
		.rndis_pkt_done.status = NVSP_STAT_SUCCESS,
	};

	return ec->chan->ops->complete(ec->chan, &msg, sizeof(msg), trans_id);
}

static void netvsc_recv_lost(struct netvsc_eng_chan *ec, u64 trans_id,
			     int err)
{
	net_err_ratelimited("%s: cannot return receive buffer space to the host (packet 0x%llx, error %d); the host keeps it\n",
			    ec->eng->dev->name, trans_id, err);
}

/* Send the waiting completions, oldest first, until the ring is full.
 * Context: ec->rc_lock held.
 */
static void netvsc_recv_flush(struct netvsc_eng_chan *ec)
{
	u32 sent = 0;
	int err;

	lockdep_assert_held(&ec->rc_lock);

	while (ec->rc_count) {
		u64 id = ec->rc_ids[ec->rc_head];

		err = netvsc_recv_send_done(ec, id);
		if (netvsc_ring_full(err))
			break;
		if (err)
			netvsc_recv_lost(ec, id, err);
		ec->rc_head = (ec->rc_head + 1) % ec->rc_size;
		WRITE_ONCE(ec->rc_count, ec->rc_count - 1);
		sent++;
	}
	if (sent && !ec->rc_count) {
		ec->rc_delay = NETVSC_RC_DELAY_MIN;
		netdev_dbg(ec->eng->dev,
			   "ring to the host has room again; %llu receive completions waited so far\n",
			   ec->rc_waited);
	}
}

/* Queue a completion behind the waiting ones and send what fits.
 * Context: ec->rc_lock held.
 * Return: 0, -ESHUTDOWN if the buffer is being revoked, or -ENOSPC.
 */
static int netvsc_recv_queue(struct netvsc_eng_chan *ec, u64 trans_id)
{
	lockdep_assert_held(&ec->rc_lock);

	if (!ec->rc_on)
		return -ESHUTDOWN;
	if (ec->rc_count >= ec->rc_size) {
		netvsc_recv_flush(ec);
		if (ec->rc_count >= ec->rc_size)
			return -ENOSPC;
	}
	if (!ec->rc_count)
		net_info_ratelimited("%s: ring to the host full: receive completions wait and are retried\n",
				     ec->eng->dev->name);
	ec->rc_ids[(ec->rc_head + ec->rc_count) % ec->rc_size] = trans_id;
	WRITE_ONCE(ec->rc_count, ec->rc_count + 1);
	ec->rc_waited++;
	netvsc_recv_flush(ec);
	if (ec->rc_count)
		schedule_delayed_work(&ec->rc_work, ec->rc_delay);
	return 0;
}

/* Give the host the space of its packet @trans_id back, now or later. */
static void netvsc_recv_complete(struct netvsc_eng_chan *ec, u64 trans_id)
{
	int err = -EAGAIN;

	/* The usual case: nothing waits, no lock. */
	if (!READ_ONCE(ec->rc_count))
		err = netvsc_recv_send_done(ec, trans_id);
	if (netvsc_ring_full(err)) {
		spin_lock_bh(&ec->rc_lock);
		err = netvsc_recv_queue(ec, trans_id);
		spin_unlock_bh(&ec->rc_lock);
	}
	if (err == -ESHUTDOWN)
		netdev_dbg(ec->eng->dev,
			   "receive completion 0x%llx dropped: the buffer is being revoked\n",
			   trans_id);
	else if (err)
		netvsc_recv_lost(ec, trans_id, err);
}

static void netvsc_recv_retry_work(struct work_struct *work)
{
	struct netvsc_eng_chan *ec = container_of(to_delayed_work(work),
						  struct netvsc_eng_chan,
						  rc_work);

	spin_lock_bh(&ec->rc_lock);
	netvsc_recv_flush(ec);
	if (ec->rc_count && ec->rc_on) {
		ec->rc_delay = min(ec->rc_delay * 2, NETVSC_RC_DELAY_MAX);
		schedule_delayed_work(&ec->rc_work, ec->rc_delay);
	}
	spin_unlock_bh(&ec->rc_lock);
}

/**
 * netvsc_recv_retry - send the receive completions that wait, if any
 * @ec: the channel
 *
 * Called for every packet from the host: it often means room in the ring.
 *
 * Context: the channel callback (BH).
 */
void netvsc_recv_retry(struct netvsc_eng_chan *ec)
{
	if (!READ_ONCE(ec->rc_count))
		return;
	spin_lock_bh(&ec->rc_lock);
	netvsc_recv_flush(ec);
	spin_unlock_bh(&ec->rc_lock);
}

/**
 * netvsc_recv_init - set up the receive state of a channel
 * @ec: the channel
 */
void netvsc_recv_init(struct netvsc_eng_chan *ec)
{
	spin_lock_init(&ec->rc_lock);
	INIT_DELAYED_WORK(&ec->rc_work, netvsc_recv_retry_work);
	ec->rc_delay = NETVSC_RC_DELAY_MIN;
}

/**
 * netvsc_recv_start - let receive completions wait on a channel
 * @ec: the channel, open, whose receive buffer the host took
 * @slots: the host's sub-allocations in it
 *
 * Context: process; eng->ctrl_lock held.
 * Return: 0 or -ENOMEM.
 */
int netvsc_recv_start(struct netvsc_eng_chan *ec, u32 slots)
{
	u32 size = clamp_t(u32, slots, 1, NETVSC_RC_MAX);
	u64 *ids;

	ids = kvcalloc(size, sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return -ENOMEM;
	spin_lock_bh(&ec->rc_lock);
	ec->rc_ids = ids;
	ec->rc_size = size;
	ec->rc_head = 0;
	WRITE_ONCE(ec->rc_count, 0);
	ec->rc_delay = NETVSC_RC_DELAY_MIN;
	ec->rc_on = true;
	spin_unlock_bh(&ec->rc_lock);
	return 0;
}

/**
 * netvsc_recv_stop - stop retrying receive completions on a channel
 * @ec: the channel, still open
 *
 * Before the receive buffer is revoked and the channel closed: the
 * completions that wait are dropped, as the host takes the whole buffer
 * back, and none waits from now on.
 *
 * Context: process; sleeps.
 */
void netvsc_recv_stop(struct netvsc_eng_chan *ec)
{
	u32 dropped;

	spin_lock_bh(&ec->rc_lock);
	ec->rc_on = false;
	dropped = ec->rc_count;
	ec->rc_head = 0;
	WRITE_ONCE(ec->rc_count, 0);
	spin_unlock_bh(&ec->rc_lock);
	cancel_delayed_work_sync(&ec->rc_work);
	if (dropped)
		netdev_dbg(ec->eng->dev,
			   "%u waiting receive completions dropped: the buffer is revoked\n",
			   dropped);
}

/**
 * netvsc_recv_free - free the completion queue of a channel
 * @ec: the channel, stopped and closed
 */
void netvsc_recv_free(struct netvsc_eng_chan *ec)
{
	kvfree(ec->rc_ids);
	ec->rc_ids = NULL;
	ec->rc_size = 0;
}

/**
 * netvsc_recv_reject - give back the space of a packet we rejected
 * @ec: the channel it came on
 * @trans_id: the packet's transaction id
 *
 * Context: the channel callback (BH).
 */
void netvsc_recv_reject(struct netvsc_eng_chan *ec, u64 trans_id)
{
	netvsc_recv_complete(ec, trans_id);
}

/**
 * netvsc_recv_xfer - a transfer-page packet: RNDIS messages from the host
 * @ec: the channel it came on
 * @pkt: the packet, checked by netvsc_parse_vmpkt()
 *
 * Every range is checked against the receive buffer before it is read.
 * The packet is completed whatever became of its ranges, so that the
 * host gets its space back.
 *
 * Context: the channel callback (BH).
 */
void netvsc_recv_xfer(struct netvsc_eng_chan *ec,
		      const struct netvsc_vmpkt *pkt)
{
	struct netvsc_eng *eng = ec->eng;
	const char *why;
	u32 i, type;

	if (netvsc_parse_nvsp(pkt->data, pkt->len, &type, &why)) {
		netvsc_recv_drop(eng, why);
		goto complete;
	}
	if (type != NVSP_MSG1_RNDIS_PKT) {
		netvsc_recv_drop(eng, "transfer-page packet that is not RNDIS");
		goto complete;
	}
	if (pkt->pageset_id != NVSP_RECV_BUF_ID || !eng->recv_buf) {
		netvsc_recv_drop(eng, "transfer-page packet not in our receive buffer");
		goto complete;
	}

	for (i = 0; i < pkt->range_count; i++) {
		u32 offset, len;

		if (netvsc_parse_range(pkt, i, NETVSC_RECV_BUF_SIZE, &offset,
				       &len, &why)) {
			netvsc_recv_drop(eng, why);
			continue;
		}
		netvsc_recv_range(eng, offset, len);
	}

complete:
	netvsc_recv_complete(ec, pkt->trans_id);
}
