// SPDX-License-Identifier: GPL-2.0
/*
 * hv_netvsc: the VMBus glue - a netvsc channel (channel.h) over a VMBus
 * channel, and the vmbus_driver that binds the Hyper-V synthetic NIC.
 *
 * Everything protocol is in the engine (netvsc.ko); this module only
 * opens the channel, shares buffers as GPADLs, sends packets and hands
 * the packets the host sends to the engine.  It is the only netvsc
 * module that needs hv_vmbus.
 *
 * GPA-direct sends: vmbus_sendpacket_mpb_desc() sends several page
 * ranges in one packet only since Linux 6.1.140 (Debian 6.1.0-37, the
 * stable update "Drivers: hv: Allow vmbus_sendpacket_mpb_desc() to create
 * multiple ranges"); before, it sets the range count to one and the host
 * reads the first range only.  The Makefile's compile probe sets
 * NETVSC_VMBUS_MULTI_RANGE: 1, one single-page range per piece of the
 * frame; 0, one multi-page range (an offset, a length and the pages in
 * order), which every kernel sends whole, and the engine makes the frame
 * linear when its pages don't chain (netvsc_chan.one_range).
 *
 * Locking: the engine serialises open, close, share and unshare; sends
 * go through the VMBus ring's own lock.  The channel callback runs in
 * VMBus's per-channel tasklet, one at a time.  @gpadl is only touched
 * by share and unshare.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <asm/mshyperv.h>

#include "engine.h"

#define NETVSC_VMBUS_RING_SIZE	VMBUS_RING_SIZE(128 * 4096)
#define NETVSC_VMBUS_MAX_PKT	8192
/* Every send in flight, and the control requests. */
#define NETVSC_VMBUS_RQSTOR	(NETVSC_TX_SLOTS + 64)
#define NETVSC_VMBUS_NGPADL	2

/* Without the probe's answer, the send every kernel takes. */
#ifndef NETVSC_VMBUS_MULTI_RANGE
#define NETVSC_VMBUS_MULTI_RANGE	0
#endif

struct netvsc_vmbus {
	struct netvsc_chan chan;
	struct hv_device *hdev;
	struct net_device *dev;
	struct vmbus_gpadl gpadl[NETVSC_VMBUS_NGPADL];
};

static struct netvsc_vmbus *netvsc_vmbus_of(struct netvsc_chan *chan)
{
	return container_of(chan, struct netvsc_vmbus, chan);
}

static void netvsc_vmbus_callback(void *context)
{
	struct netvsc_vmbus *nv = context;
	struct vmbus_channel *channel = nv->hdev->channel;
	struct vmpacket_descriptor *desc;

	foreach_vmbus_pkt(desc, channel) {
		if (desc->type == VM_PKT_COMP) {
			u64 id = channel->request_addr_callback(channel,
								desc->trans_id);

			if (id == VMBUS_RQST_ERROR) {
				net_warn_ratelimited("%s: completion with unknown transaction id 0x%llx\n",
						     nv->dev ? nv->dev->name : "hv_netvsc",
						     desc->trans_id);
				continue;
			}
			/* A private copy of the packet: give back our id. */
			desc->trans_id = id;
		}
		netvsc_eng_packet(&nv->chan, desc, hv_pkt_len(desc));
	}
}

static int netvsc_vmbus_open(struct netvsc_chan *chan)
{
	struct netvsc_vmbus *nv = netvsc_vmbus_of(chan);
	struct vmbus_channel *channel = nv->hdev->channel;

	channel->next_request_id_callback = vmbus_next_request_id;
	channel->request_addr_callback = vmbus_request_addr;
	channel->rqstor_size = NETVSC_VMBUS_RQSTOR;
	channel->max_pkt_size = NETVSC_VMBUS_MAX_PKT;

	return vmbus_open(channel, NETVSC_VMBUS_RING_SIZE,
			  NETVSC_VMBUS_RING_SIZE, NULL, 0,
			  netvsc_vmbus_callback, nv);
}

static void netvsc_vmbus_close(struct netvsc_chan *chan)
{
	vmbus_close(netvsc_vmbus_of(chan)->hdev->channel);
}

/* A GPA-direct descriptor: room for one single-page range per entry, or
 * for one range of that many pages.
 */
struct netvsc_vmbus_gpa {
	struct vmbus_packet_mpb_array mpb;
	struct hv_page_buffer more[NETVSC_CHAN_MAX_RANGES];
};

/* Several ranges: they follow the packet header as hv_page_buffers. */
static u32 netvsc_vmbus_ranges(struct netvsc_vmbus_gpa *gpa,
			       const struct netvsc_chan_range *ranges,
			       unsigned int nranges)
{
	struct hv_page_buffer *pb = (struct hv_page_buffer *)&gpa->mpb.range;
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct hv_page_buffer) != 16);
	BUILD_BUG_ON(offsetof(struct vmbus_packet_mpb_array, range) != 24);
	for (i = 0; i < nranges; i++) {
		pb[i].len = ranges[i].len;
		pb[i].offset = ranges[i].offset;
		pb[i].pfn = ranges[i].pfn;
	}
	gpa->mpb.rangecount = nranges;
	return offsetof(struct vmbus_packet_mpb_array, range) +
	       nranges * sizeof(*pb);
}

/* One range of the pages in order, from the first range's offset; the
 * ranges chain.
 */
static u32 netvsc_vmbus_one_range(struct netvsc_vmbus_gpa *gpa,
				  const struct netvsc_chan_range *ranges,
				  unsigned int nranges)
{
	struct hv_mpb_array *r = &gpa->mpb.range;
	unsigned int i;

	BUILD_BUG_ON(sizeof(gpa->more) <
		     NETVSC_CHAN_MAX_RANGES * sizeof(r->pfn_array[0]));
	r->offset = ranges[0].offset;
	r->len = 0;
	for (i = 0; i < nranges; i++) {
		r->len += ranges[i].len;
		r->pfn_array[i] = ranges[i].pfn;
	}
	gpa->mpb.rangecount = 1;
	return struct_size(r, pfn_array, nranges) +
	       offsetof(struct vmbus_packet_mpb_array, range);
}

static int netvsc_vmbus_send(struct netvsc_chan *chan, const void *msg,
			     u32 len, const struct netvsc_chan_range *ranges,
			     unsigned int nranges, u64 req_id, bool completion)
{
	struct vmbus_channel *channel = netvsc_vmbus_of(chan)->hdev->channel;
	struct netvsc_vmbus_gpa gpa;
	u32 size;

	if (!nranges)
		return vmbus_sendpacket(channel, (void *)msg, len, req_id,
					VM_PKT_DATA_INBAND, completion ?
					VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED :
					0);

	/* VMBus completes every GPA-direct packet. */
	if (!completion || nranges > NETVSC_CHAN_MAX_RANGES)
		return -EINVAL;

	if (!chan->one_range) {
		size = netvsc_vmbus_ranges(&gpa, ranges, nranges);
	} else {
		if (!netvsc_chan_ranges_chain(ranges, nranges))
			return -EINVAL;
		size = netvsc_vmbus_one_range(&gpa, ranges, nranges);
	}
	return vmbus_sendpacket_mpb_desc(channel, &gpa.mpb, size, (void *)msg,
					 len, req_id);
}

static int netvsc_vmbus_complete(struct netvsc_chan *chan, const void *msg,
				 u32 len, u64 trans_id)
{
	return vmbus_sendpacket(netvsc_vmbus_of(chan)->hdev->channel,
				(void *)msg, len, trans_id, VM_PKT_COMP, 0);
}

static int netvsc_vmbus_share(struct netvsc_chan *chan, void *buf, u32 size,
			      u32 *handle)
{
	struct netvsc_vmbus *nv = netvsc_vmbus_of(chan);
	int i, err;

	for (i = 0; i < NETVSC_VMBUS_NGPADL; i++) {
		struct vmbus_gpadl *g = &nv->gpadl[i];

		if (g->gpadl_handle)
			continue;
		err = vmbus_establish_gpadl(nv->hdev->channel, buf, size, g);
		if (err)
			return err;
		*handle = g->gpadl_handle;
		return 0;
	}
	return -ENOSPC;
}

static void netvsc_vmbus_unshare(struct netvsc_chan *chan, u32 handle)
{
	struct netvsc_vmbus *nv = netvsc_vmbus_of(chan);
	int i, err;

	for (i = 0; i < NETVSC_VMBUS_NGPADL; i++) {
		struct vmbus_gpadl *g = &nv->gpadl[i];

		if (g->gpadl_handle != handle)
			continue;
		err = vmbus_teardown_gpadl(nv->hdev->channel, g);
		if (err)
			/* The host may still use it: better leak it. */
			dev_err(&nv->hdev->device,
				"cannot tear down GPADL %u (%d); leaking its buffer\n",
				handle, err);
		memset(g, 0, sizeof(*g));
		return;
	}
}

static const struct netvsc_chan_ops netvsc_vmbus_ops = {
	.open		= netvsc_vmbus_open,
	.close		= netvsc_vmbus_close,
	.send		= netvsc_vmbus_send,
	.complete	= netvsc_vmbus_complete,
	.share		= netvsc_vmbus_share,
	.unshare	= netvsc_vmbus_unshare,
	.driver		= KBUILD_MODNAME,
};

static int netvsc_vmbus_probe(struct hv_device *hdev,
			      const struct hv_vmbus_device_id *id)
{
	struct netvsc_vmbus *nv;
	struct net_device *dev;

	nv = kzalloc(sizeof(*nv), GFP_KERNEL);
	if (!nv)
		return -ENOMEM;
	nv->hdev = hdev;
	nv->chan.ops = &netvsc_vmbus_ops;
	nv->chan.one_range = !NETVSC_VMBUS_MULTI_RANGE;
	hv_set_drvdata(hdev, nv);

	dev = netvsc_eng_add(&nv->chan, &hdev->device, NULL);
	if (IS_ERR(dev)) {
		hv_set_drvdata(hdev, NULL);
		kfree(nv);
		return PTR_ERR(dev);
	}
	nv->dev = dev;
	return 0;
}

static int netvsc_vmbus_remove(struct hv_device *hdev)
{
	struct netvsc_vmbus *nv = hv_get_drvdata(hdev);

	netvsc_eng_remove(nv->dev);
	hv_set_drvdata(hdev, NULL);
	kfree(nv);
	return 0;
}

static const struct hv_vmbus_device_id netvsc_vmbus_ids[] = {
	{ HV_NIC_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, netvsc_vmbus_ids);

static struct hv_driver netvsc_vmbus_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= netvsc_vmbus_ids,
	.probe		= netvsc_vmbus_probe,
	.remove		= netvsc_vmbus_remove,
	.driver = {
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

/* An isolated (confidential) VM's host reads only what the guest shares
 * decrypted: the in-tree driver remaps its receive and send buffers into
 * the shared address space and DMA-maps every frame through the VMBus
 * device, and ours does neither.  Refuse to load at all, and so let
 * tools/modprobe's netvsc-load load the in-tree driver instead.
 */
static int __init netvsc_vmbus_init(void)
{
	if (hv_is_isolation_supported()) {
		pr_err("isolated (confidential) VM: not supported, not loading; the kernel's own hv_netvsc must drive this VM's NICs (netvsc-load, installed with its modprobe rule, loads it)\n");
		return -ENODEV;
	}
	return vmbus_driver_register(&netvsc_vmbus_driver);
}

static void __exit netvsc_vmbus_exit(void)
{
	vmbus_driver_unregister(&netvsc_vmbus_driver);
}

module_init(netvsc_vmbus_init);
module_exit(netvsc_vmbus_exit);

/* modinfo -F vmbus_multi_range: what the build's probe found (vmbus.c). */
MODULE_INFO(vmbus_multi_range, __stringify(NETVSC_VMBUS_MULTI_RANGE));
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Hyper-V synthetic NIC over VMBus (netvsc transport)");
