// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc_sim: the simulated VMBus channel of a protocol-mode device - the
 * channel operations the guest's engine uses, GPADLs as plain pointers,
 * and the packets the host sends, built as VMBus lays them out.
 *
 * What the guest sends is handled at once by sim_proto.c, in the
 * guest's context.  What the host sends is queued and handed to the
 * engine from a work item with BH disabled, as VMBus's tasklet would.
 * The ring_full knob makes the guest's next N writes, sends and
 * completions alike, fail with -EAGAIN as a full VMBus ring would; the
 * deliver_hold knob keeps what the host sends in the queue until it is
 * cleared, as a host that is slow to answer would.
 *
 * Locking: p->lock protects @open and the GPADL table; a packet is only
 * queued while the channel is open, and close() cancels the delivery
 * work and purges the queue after clearing @open, so that no packet
 * reaches the engine once close() returned.
 */

#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "nvsp.h"
#include "sim.h"

static struct netvsc_sim_proto *netvsc_sim_proto_of(struct netvsc_chan *chan)
{
	return container_of(chan, struct netvsc_sim_proto, chan);
}

static void netvsc_sim_deliver(struct work_struct *work)
{
	struct netvsc_sim_proto *p = container_of(work, struct netvsc_sim_proto,
						  deliver);
	struct sk_buff *skb;

	while (!READ_ONCE(p->deliver_hold) &&
	       (skb = skb_dequeue(&p->queue))) {
		local_bh_disable();
		netvsc_eng_packet(&p->chan, skb->data, skb->len);
		local_bh_enable();
		consume_skb(skb);
	}
}

/**
 * netvsc_sim_send_raw - send the guest a packet, as it is
 * @p: the channel
 * @pkt: a VMBus packet, descriptor first
 * @len: its length
 *
 * Context: any but hard IRQ.
 */
void netvsc_sim_send_raw(struct netvsc_sim_proto *p, const void *pkt, u32 len)
{
	struct sk_buff *skb;

	skb = alloc_skb(len, GFP_ATOMIC);
	if (!skb)
		return;
	skb_put_data(skb, pkt, len);

	spin_lock_bh(&p->lock);
	if (p->open) {
		skb_queue_tail(&p->queue, skb);
		schedule_work(&p->deliver);
		skb = NULL;
	}
	spin_unlock_bh(&p->lock);
	kfree_skb(skb);
}

/* A packet of @type whose payload @msg follows its @hlen-byte header. */
static void netvsc_sim_send(struct netvsc_sim_proto *p, void *hdr, u32 hlen,
			    u16 type, u64 trans_id, const void *msg, u32 len)
{
	struct vmpkt_desc *d = hdr;
	u32 total = hlen + ALIGN(len, 8);
	u8 *pkt;

	pkt = kzalloc(total, GFP_ATOMIC);
	if (!pkt)
		return;
	d->type = type;
	d->offset8 = hlen >> 3;
	d->len8 = total >> 3;
	d->flags = 0;
	d->trans_id = trans_id;
	memcpy(pkt, hdr, hlen);
	memcpy(pkt + hlen, msg, len);
	netvsc_sim_send_raw(p, pkt, total);
	kfree(pkt);
}

/**
 * netvsc_sim_send_comp - complete a request of the guest
 * @p: the channel
 * @trans_id: the request's id
 * @msg: the completion's payload
 * @len: its length
 */
void netvsc_sim_send_comp(struct netvsc_sim_proto *p, u64 trans_id,
			  const void *msg, u32 len)
{
	struct vmpkt_desc d;

	netvsc_sim_send(p, &d, sizeof(d), VMPKT_COMP, trans_id, msg, len);
}

/**
 * netvsc_sim_send_inband - send the guest an NVSP message
 * @p: the channel
 * @msg: the message
 * @len: its length
 */
void netvsc_sim_send_inband(struct netvsc_sim_proto *p, const void *msg,
			    u32 len)
{
	struct vmpkt_desc d;

	netvsc_sim_send(p, &d, sizeof(d), VMPKT_DATA_INBAND, 0, msg, len);
}

/**
 * netvsc_sim_send_xfer - tell the guest about an RNDIS message in its
 *	receive buffer
 * @p: the channel
 * @trans_id: id the guest completes it with
 * @offset: where the message is in the receive buffer
 * @len: its length
 * @channel: NVSP_RNDIS_DATA or NVSP_RNDIS_CONTROL
 */
void netvsc_sim_send_xfer(struct netvsc_sim_proto *p, u64 trans_id,
			  u32 offset, u32 len, u32 channel)
{
	struct nvsp_msg msg = {
		.type = NVSP_MSG1_RNDIS_PKT,
		.rndis_pkt.channel = channel,
		.rndis_pkt.section = NVSP_NO_SECTION,
	};
	struct {
		struct vmpkt_xfer_hdr h;
		struct vmpkt_xfer_range r;
	} __packed x = {
		.h.pageset_id = NVSP_RECV_BUF_ID,
		.h.range_count = 1,
		.r.len = len,
		.r.offset = offset,
	};

	netvsc_sim_send(p, &x, sizeof(x), VMPKT_DATA_XFER_PAGES, trans_id,
			&msg, sizeof(msg));
}

/**
 * netvsc_sim_gpadl - the buffer the guest shared under @handle
 * @p: the channel
 * @handle: the GPADL handle
 * @size: its size
 *
 * Context: p->lock held.
 * Return: the buffer, or NULL.
 */
void *netvsc_sim_gpadl(struct netvsc_sim_proto *p, u32 handle, u32 *size)
{
	int i;

	lockdep_assert_held(&p->lock);

	for (i = 0; i < NETVSC_SIM_NGPADL; i++) {
		if (handle && p->gpadl[i].handle == handle) {
			*size = p->gpadl[i].size;
			return p->gpadl[i].buf;
		}
	}
	return NULL;
}

static int netvsc_sim_chan_open(struct netvsc_chan *chan)
{
	struct netvsc_sim_proto *p = netvsc_sim_proto_of(chan);

	spin_lock_bh(&p->lock);
	netvsc_sim_proto_reset(p);
	p->open = true;
	spin_unlock_bh(&p->lock);
	return 0;
}

static void netvsc_sim_chan_close(struct netvsc_chan *chan)
{
	struct netvsc_sim_proto *p = netvsc_sim_proto_of(chan);

	spin_lock_bh(&p->lock);
	p->open = false;
	netvsc_sim_proto_reset(p);
	spin_unlock_bh(&p->lock);
	cancel_work_sync(&p->deliver);
	skb_queue_purge(&p->queue);
}

/* The ring_full knob: one write of the guest finds the ring full. */
static bool netvsc_sim_ring_full(struct netvsc_sim_proto *p)
{
	if (atomic_dec_if_positive(&p->ring_full) < 0)
		return false;
	atomic_inc(&p->ring_full_hits);
	return true;
}

static int netvsc_sim_chan_send(struct netvsc_chan *chan, const void *msg,
				u32 len, const struct netvsc_chan_range *ranges,
				unsigned int nranges, u64 req_id,
				bool completion)
{
	struct netvsc_sim_proto *p = netvsc_sim_proto_of(chan);

	if (!READ_ONCE(p->open))
		return -EIO;
	if (nranges > NETVSC_CHAN_MAX_RANGES)
		return -EINVAL;
	if (netvsc_sim_ring_full(p))
		return -EAGAIN;
	netvsc_sim_proto_guest_msg(p, msg, len, ranges, nranges, req_id,
				   completion);
	return 0;
}

static int netvsc_sim_chan_complete(struct netvsc_chan *chan, const void *msg,
				    u32 len, u64 trans_id)
{
	struct netvsc_sim_proto *p = netvsc_sim_proto_of(chan);

	if (!READ_ONCE(p->open))
		return -EIO;
	if (netvsc_sim_ring_full(p))
		return -EAGAIN;
	netvsc_sim_proto_guest_comp(p, msg, len, trans_id);
	return 0;
}

static int netvsc_sim_chan_share(struct netvsc_chan *chan, void *buf, u32 size,
				 u32 *handle)
{
	struct netvsc_sim_proto *p = netvsc_sim_proto_of(chan);
	int i, err = -ENOSPC;

	spin_lock_bh(&p->lock);
	for (i = 0; i < NETVSC_SIM_NGPADL; i++) {
		struct netvsc_sim_gpadl *g = &p->gpadl[i];

		if (g->handle)
			continue;
		g->handle = ++p->next_handle ?: ++p->next_handle;
		g->buf = buf;
		g->size = size;
		*handle = g->handle;
		err = 0;
		break;
	}
	spin_unlock_bh(&p->lock);
	return err;
}

static void netvsc_sim_chan_unshare(struct netvsc_chan *chan, u32 handle)
{
	struct netvsc_sim_proto *p = netvsc_sim_proto_of(chan);
	int i;

	spin_lock_bh(&p->lock);
	for (i = 0; i < NETVSC_SIM_NGPADL; i++) {
		struct netvsc_sim_gpadl *g = &p->gpadl[i];

		if (g->handle != handle)
			continue;
		/* The host lets go of it, revoked or not. */
		if (g->buf == p->recv_buf)
			p->recv_buf = NULL;
		if (g->buf == p->send_buf)
			p->send_buf = NULL;
		memset(g, 0, sizeof(*g));
	}
	spin_unlock_bh(&p->lock);
}

static const struct netvsc_chan_ops netvsc_sim_chan_ops = {
	.open		= netvsc_sim_chan_open,
	.close		= netvsc_sim_chan_close,
	.send		= netvsc_sim_chan_send,
	.complete	= netvsc_sim_chan_complete,
	.share		= netvsc_sim_chan_share,
	.unshare	= netvsc_sim_chan_unshare,
	.driver		= KBUILD_MODNAME,
};

/**
 * netvsc_sim_chan_new - the channel of a protocol-mode device
 * @sim: the device
 *
 * Return: the host's end of the channel, or an ERR_PTR().
 */
struct netvsc_sim_proto *netvsc_sim_chan_new(struct netvsc_sim_dev *sim)
{
	struct netvsc_sim_proto *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->sim = sim;
	p->chan.ops = &netvsc_sim_chan_ops;
	spin_lock_init(&p->lock);
	skb_queue_head_init(&p->queue);
	INIT_WORK(&p->deliver, netvsc_sim_deliver);

	err = netvsc_sim_proto_init(p);
	if (err) {
		kfree(p);
		return ERR_PTR(err);
	}
	return p;
}

/**
 * netvsc_sim_chan_free - free a channel, closed
 * @p: the channel
 */
void netvsc_sim_chan_free(struct netvsc_sim_proto *p)
{
	cancel_work_sync(&p->deliver);
	skb_queue_purge(&p->queue);
	bitmap_free(p->slot_map);
	kfree(p);
}

/**
 * netvsc_sim_chan - the guest's view of a channel
 * @p: the channel
 */
struct netvsc_chan *netvsc_sim_chan(struct netvsc_sim_proto *p)
{
	return &p->chan;
}
