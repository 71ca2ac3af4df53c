/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsc: the channel under the NVSP/RNDIS engine.
 *
 * A channel is what the engine needs from VMBus: a pipe of packets to
 * and from the host, and a way to share guest buffers with it.  The
 * VMBus glue (hv_netvsc.ko) implements it with vmbus_open(), GPADLs and
 * vmbus_sendpacket*(); the simulated host (netvsc_sim.ko) implements it
 * in memory.  The engine never sees which one it runs on.
 *
 * Packets towards the guest are whole VMBus packets: a struct
 * vmbus_pkt_desc, then the payload at offset8 * 8.  The channel checks
 * nothing in them but their total length; the engine validates the
 * rest.  A completion's transaction id is the request id the engine
 * passed to ->send(): a channel that maps ids (VMBus's requestor) maps
 * them back first.
 *
 * Context rules:
 *  - open, close, share and unshare sleep; the engine serialises them.
 *  - send and complete may be called from any context but hard IRQ,
 *    concurrently, and never call back into the engine.  They return
 *    -EAGAIN (or -ENOBUFS) when the ring is full and -EIO when the
 *    channel is not open.  The engine retries a receive completion that
 *    found the ring full (recv.c).
 *  - The channel calls netvsc_eng_packet() for each packet from the
 *    host, in BH context (or with BH disabled), one at a time per
 *    channel, and only between ->open() and the return of ->close().
 *
 * Room for vRSS: @index is 0 for the primary channel; subchannels
 * would be further channels with their own index and callback, and the
 * engine keeps its per-channel state by index (engine.h says what more
 * vRSS needs).  netvsc_eng_add() takes a primary channel only.
 */
#ifndef _NETVSC_CHANNEL_H
#define _NETVSC_CHANNEL_H

#include <linux/bits.h>
#include <linux/types.h>

/* Hyper-V pages are 4 KiB, whatever the guest's page size. */
#define NETVSC_HV_PAGE_SHIFT	12
#define NETVSC_HV_PAGE_SIZE	BIT(NETVSC_HV_PAGE_SHIFT)

/* Most page ranges in one packet, as VMBus allows. */
#define NETVSC_CHAN_MAX_RANGES	32

/**
 * struct netvsc_chan_range - guest memory the host reads a packet from
 * @pfn: Hyper-V page frame number
 * @offset: offset in that page
 * @len: length; @offset + @len does not cross the page
 */
struct netvsc_chan_range {
	u64 pfn;
	u32 offset;
	u32 len;
};

struct netvsc_chan;

/**
 * struct netvsc_chan_ops - what a channel does for the engine
 * @open: open the channel; packets may arrive afterwards
 * @close: close it; no packet is delivered once it returns
 * @send: send @len bytes of @msg in band, or, with @nranges, as a
 *	GPA-direct packet whose data is in @ranges; @req_id comes back in
 *	the completion if @completion is set
 * @complete: complete the host's packet @trans_id with @msg
 * @share: share @size bytes at @buf (vmalloc'ed, page aligned) with the
 *	host, as a GPADL; *@handle is its handle
 * @unshare: stop sharing the buffer with @handle
 * @driver: the name of the module that provides the channel, which
 *	ethtool -i reports as the driver of the device on it (transport.h)
 */
struct netvsc_chan_ops {
	int (*open)(struct netvsc_chan *chan);
	void (*close)(struct netvsc_chan *chan);
	int (*send)(struct netvsc_chan *chan, const void *msg, u32 len,
		    const struct netvsc_chan_range *ranges,
		    unsigned int nranges, u64 req_id, bool completion);
	int (*complete)(struct netvsc_chan *chan, const void *msg, u32 len,
			u64 trans_id);
	int (*share)(struct netvsc_chan *chan, void *buf, u32 size,
		     u32 *handle);
	void (*unshare)(struct netvsc_chan *chan, u32 handle);
	const char *driver;
};

/**
 * struct netvsc_chan - a channel
 * @ops: its operations
 * @eng: the engine on it, set by the engine
 * @index: 0 for the primary channel
 * @one_range: a GPA-direct packet carries one range of pages only (the
 *	VMBus of kernels before 6.1.140, see vmbus.c): ->send() then takes
 *	only ranges that chain (netvsc_chan_ranges_chain()); set before
 *	netvsc_eng_add()
 */
struct netvsc_chan {
	const struct netvsc_chan_ops *ops;
	struct netvsc_eng *eng;
	u16 index;
	bool one_range;
};

/**
 * netvsc_chan_ranges_chain - do page ranges make one run of bytes?
 * @r: the ranges
 * @n: their number
 *
 * Every range but the first starts its page and every range but the last
 * ends its page: then they are one VMBus multi-page range (an offset, a
 * length and the pages in order).
 *
 * Return: true if they do.
 */
static inline bool netvsc_chan_ranges_chain(const struct netvsc_chan_range *r,
					    unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (r[i].offset ||
		    r[i - 1].offset + r[i - 1].len != NETVSC_HV_PAGE_SIZE)
			return false;
	return true;
}

void netvsc_eng_packet(struct netvsc_chan *chan, const void *pkt, u32 len);

#endif /* _NETVSC_CHANNEL_H */
