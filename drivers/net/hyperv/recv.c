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
 * Locking: runs in the channel callback (BH), one packet at a time per
 * channel; needs no lock of its own.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

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

static void netvsc_recv_complete(struct netvsc_eng *eng, u64 trans_id)
{
	struct nvsp_msg msg = {
		.type = NVSP_MSG1_RNDIS_PKT_DONE,
		.rndis_pkt_done.status = NVSP_STAT_SUCCESS,
	};
	int err;

	err = eng->chan->ops->complete(eng->chan, &msg, sizeof(msg), trans_id);
	if (err)
		net_err_ratelimited("%s: cannot return receive buffer space to the host (%d)\n",
				    eng->dev->name, err);
}

/**
 * netvsc_recv_reject - give back the space of a packet we rejected
 * @eng: the engine
 * @trans_id: the packet's transaction id
 *
 * Context: the channel callback (BH).
 */
void netvsc_recv_reject(struct netvsc_eng *eng, u64 trans_id)
{
	netvsc_recv_complete(eng, trans_id);
}

/**
 * netvsc_recv_xfer - a transfer-page packet: RNDIS messages from the host
 * @eng: the engine
 * @pkt: the packet, checked by netvsc_parse_vmpkt()
 *
 * Every range is checked against the receive buffer before it is read.
 * The packet is completed whatever became of its ranges, so that the
 * host gets its space back.
 *
 * Context: the channel callback (BH).
 */
void netvsc_recv_xfer(struct netvsc_eng *eng, const struct netvsc_vmpkt *pkt)
{
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
	netvsc_recv_complete(eng, pkt->trans_id);
}
