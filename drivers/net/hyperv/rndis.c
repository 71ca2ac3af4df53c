// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc engine: RNDIS control - initialize, halt, query and set, the
 * host's answers and its status indications.
 *
 * A control request is built in eng->ctrl_page and sent as a GPA-direct
 * NVSP packet on the control channel; the host answers with an RNDIS
 * message in the receive buffer, which recv.c hands to
 * netvsc_rndis_control().
 *
 * Locking: requests run under eng->ctrl_lock, one at a time, and wait
 * at most ctrl_timeout_ms; the answer is handed over under
 * eng->wait_lock.
 */

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "engine.h"

static const char *netvsc_rndis_name(u32 type)
{
	switch (type) {
	case RNDIS_MSG_INIT:
		return "INITIALIZE";
	case RNDIS_MSG_QUERY:
		return "QUERY";
	case RNDIS_MSG_SET:
		return "SET";
	default:
		return "request";
	}
}

/* Send the request in ctrl_page and wait for its answer in eng->resp. */
static int netvsc_rndis_request(struct netvsc_eng *eng, u32 len, u32 oid)
{
	struct nvsp_msg msg = { .type = NVSP_MSG1_RNDIS_PKT };
	struct netvsc_chan_range range;
	u8 *req = eng->ctrl_page;
	u32 type = get_unaligned_le32(req);
	u32 id = ++eng->next_id ?: ++eng->next_id;
	unsigned long timeout;
	int err;

	lockdep_assert_held(&eng->ctrl_lock);

	put_unaligned_le32(len, req + 4);
	put_unaligned_le32(id, req + 8);
	timeout = msecs_to_jiffies(max(READ_ONCE(netvsc_ctrl_timeout_ms), 1U));

	msg.rndis_pkt.channel = NVSP_RNDIS_CONTROL;
	msg.rndis_pkt.section = NVSP_NO_SECTION;
	range.pfn = virt_to_phys(req) >> NETVSC_HV_PAGE_SHIFT;
	range.offset = virt_to_phys(req) & (NETVSC_HV_PAGE_SIZE - 1);
	range.len = len;

	spin_lock_bh(&eng->wait_lock);
	eng->wait_rndis_id = id;
	eng->wait_rndis_type = type | RNDIS_MSG_DONE;
	eng->resp_len = 0;
	reinit_completion(&eng->done);
	spin_unlock_bh(&eng->wait_lock);

	err = eng->chan->ops->send(eng->chan, &msg, sizeof(msg), &range, 1,
				   NETVSC_ID_RNDIS, true);
	if (!err && !wait_for_completion_timeout(&eng->done, timeout)) {
		netdev_err(eng->dev,
			   "RNDIS %s (OID 0x%08x): no answer from the host in %u ms; giving up\n",
			   netvsc_rndis_name(type), oid,
			   READ_ONCE(netvsc_ctrl_timeout_ms));
		err = -ETIMEDOUT;
	}

	spin_lock_bh(&eng->wait_lock);
	eng->wait_rndis_id = 0;
	spin_unlock_bh(&eng->wait_lock);
	return err;
}

/* Status of the answer in eng->resp, as an errno. */
static int netvsc_rndis_status(struct netvsc_eng *eng, const char *what,
			       u32 oid)
{
	u32 status = get_unaligned_le32(eng->resp + 12);

	switch (status) {
	case RNDIS_STATUS_SUCCESS:
		return 0;
	case RNDIS_STATUS_NOT_SUPPORTED:
		netdev_warn(eng->dev, "RNDIS %s of OID 0x%08x: not supported by the host\n",
			    what, oid);
		return -EOPNOTSUPP;
	default:
		netdev_warn(eng->dev, "RNDIS %s of OID 0x%08x failed: status 0x%08x\n",
			    what, oid, status);
		return -EIO;
	}
}

static u8 *netvsc_rndis_oid_req(struct netvsc_eng *eng, u32 type, u32 oid,
				u32 info_len)
{
	struct rndis_oid_req *r;
	u8 *req = eng->ctrl_page;

	memset(req, 0, sizeof(struct rndis_hdr) + sizeof(*r) + info_len);
	put_unaligned_le32(type, req);
	r = (void *)(req + sizeof(struct rndis_hdr));
	r->oid = oid;
	r->info_len = info_len;
	r->info_offset = info_len ? sizeof(*r) : 0;
	return req + sizeof(struct rndis_hdr) + sizeof(*r);
}

/* Query @oid; @in (@in_len bytes) is sent as the information buffer.
 * On success the answer is at *@info, *@info_len bytes, in eng->resp.
 */
static int netvsc_rndis_query(struct netvsc_eng *eng, u32 oid, const void *in,
			      u32 in_len, const u8 **info, u32 *info_len)
{
	const char *why;
	u32 off;
	int err;

	memcpy(netvsc_rndis_oid_req(eng, RNDIS_MSG_QUERY, oid, in_len), in,
	       in_len);
	err = netvsc_rndis_request(eng, sizeof(struct rndis_hdr) +
				   sizeof(struct rndis_oid_req) + in_len, oid);
	if (err)
		return err;
	err = netvsc_rndis_status(eng, "QUERY", oid);
	if (err)
		return err;
	err = netvsc_parse_rndis_info(eng->resp, eng->resp_len, &off,
				      info_len, &why);
	if (err) {
		netdev_err(eng->dev, "RNDIS QUERY of OID 0x%08x: %s\n", oid, why);
		return err;
	}
	*info = eng->resp + off;
	return 0;
}

static int netvsc_rndis_query_u32(struct netvsc_eng *eng, u32 oid, u32 *val)
{
	const u8 *info;
	u32 len;
	int err;

	err = netvsc_rndis_query(eng, oid, NULL, 0, &info, &len);
	if (err)
		return err;
	if (len < sizeof(u32)) {
		netdev_err(eng->dev, "RNDIS QUERY of OID 0x%08x: answer of %u bytes\n",
			   oid, len);
		return -EPROTO;
	}
	*val = get_unaligned_le32(info);
	return 0;
}

static int netvsc_rndis_set(struct netvsc_eng *eng, u32 oid, const void *in,
			    u32 in_len)
{
	int err;

	memcpy(netvsc_rndis_oid_req(eng, RNDIS_MSG_SET, oid, in_len), in,
	       in_len);
	err = netvsc_rndis_request(eng, sizeof(struct rndis_hdr) +
				   sizeof(struct rndis_oid_req) + in_len, oid);
	if (err)
		return err;
	return netvsc_rndis_status(eng, "SET", oid);
}

static int netvsc_rndis_init(struct netvsc_eng *eng)
{
	struct rndis_init_req *r;
	u8 *req = eng->ctrl_page;
	int err;

	memset(req, 0, sizeof(struct rndis_hdr) + sizeof(*r));
	put_unaligned_le32(RNDIS_MSG_INIT, req);
	r = (void *)(req + sizeof(struct rndis_hdr));
	r->major = RNDIS_MAJOR_VERSION;
	r->minor = RNDIS_MINOR_VERSION;
	r->max_xfer_size = 0x4000;

	err = netvsc_rndis_request(eng, sizeof(struct rndis_hdr) + sizeof(*r),
				   0);
	if (err)
		return err;
	if (eng->resp_len < sizeof(struct rndis_hdr) +
			    sizeof(struct rndis_init_done)) {
		netdev_err(eng->dev, "RNDIS INITIALIZE: answer truncated\n");
		return -EPROTO;
	}
	return netvsc_rndis_status(eng, "INITIALIZE", 0);
}

/**
 * netvsc_rndis_halt - tell the host we are done with RNDIS
 * @eng: the engine
 *
 * The host does not answer a HALT.
 */
void netvsc_rndis_halt(struct netvsc_eng *eng)
{
	struct nvsp_msg msg = { .type = NVSP_MSG1_RNDIS_PKT };
	struct netvsc_chan_range range;
	u8 *req = eng->ctrl_page;

	memset(req, 0, sizeof(struct rndis_hdr) + sizeof(struct rndis_halt_req));
	put_unaligned_le32(RNDIS_MSG_HALT, req);
	put_unaligned_le32(sizeof(struct rndis_hdr) +
			   sizeof(struct rndis_halt_req), req + 4);
	put_unaligned_le32(++eng->next_id, req + 8);

	msg.rndis_pkt.channel = NVSP_RNDIS_CONTROL;
	msg.rndis_pkt.section = NVSP_NO_SECTION;
	range.pfn = virt_to_phys(req) >> NETVSC_HV_PAGE_SHIFT;
	range.offset = virt_to_phys(req) & (NETVSC_HV_PAGE_SIZE - 1);
	range.len = sizeof(struct rndis_hdr) + sizeof(struct rndis_halt_req);
	eng->chan->ops->send(eng->chan, &msg, sizeof(msg), &range, 1,
			     NETVSC_ID_RNDIS, true);
}

/**
 * netvsc_rndis_query_caps - ask the host what the synthetic path can do
 * @eng: the engine
 *
 * Queries the maximum frame size and the offload capabilities.  The host
 * not answering the offload query is not fatal: the device works
 * without offloads.
 *
 * Return: 0 or a negative errno.
 */
int netvsc_rndis_query_caps(struct netvsc_eng *eng)
{
	struct ndis_offload in = {};
	const u8 *info;
	const char *why;
	u32 len, frame;
	int err;

	err = netvsc_rndis_query_u32(eng, OID_GEN_MAXIMUM_FRAME_SIZE, &frame);
	if (err)
		return err;
	eng->max_mtu = clamp_t(u32, frame, ETH_MIN_MTU, ETH_MAX_MTU);

	in.hdr.type = NDIS_OBJ_TYPE_OFFLOAD;
	if (eng->nvsp_version >= NVSP_VERSION_5) {
		in.hdr.revision = NDIS_OFFLOAD_REVISION_3;
		in.hdr.size = NDIS_OFFLOAD_SIZE_6_30;
	} else if (eng->nvsp_version >= NVSP_VERSION_4) {
		in.hdr.revision = NDIS_OFFLOAD_REVISION_2;
		in.hdr.size = NDIS_OFFLOAD_SIZE_6_1;
	} else {
		in.hdr.revision = NDIS_OFFLOAD_REVISION_1;
		in.hdr.size = NDIS_OFFLOAD_SIZE_6_0;
	}
	eng->has_offload = false;
	err = netvsc_rndis_query(eng, OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
				 &in, in.hdr.size, &info, &len);
	if (!err) {
		err = netvsc_parse_offload(info, len, &eng->offload, &why);
		if (err)
			netdev_warn(eng->dev, "offload capabilities: %s\n", why);
	}
	if (err) {
		netdev_warn(eng->dev,
			    "no offload capabilities from the host; running without offloads\n");
		memset(&eng->offload, 0, sizeof(eng->offload));
		return err == -ETIMEDOUT ? err : 0;
	}
	eng->has_offload = true;
	return 0;
}

/* Turn on the offloads the host has, for both directions. */
static int netvsc_rndis_set_offloads(struct netvsc_eng *eng)
{
	const struct netvsc_offload_caps *c = &eng->offload;
	struct ndis_offload_params p = {};
	u32 size;

	if (!eng->has_offload)
		return 0;

	size = eng->nvsp_version <= NVSP_VERSION_4 ?
	       NDIS_OFFLOAD_PARAMS_SIZE_V4 : NDIS_OFFLOAD_PARAMS_SIZE;
	p.hdr.type = NDIS_OBJ_TYPE_DEFAULT;
	p.hdr.revision = NDIS_OFFLOAD_PARAMS_REVISION_3;
	p.hdr.size = size;
#define ONOFF(x) ((x) ? NDIS_OFFLOAD_TX_RX_ENABLED : NDIS_OFFLOAD_TX_RX_DISABLED)
	p.ip4_csum = ONOFF(c->ip4_tx_csum & NDIS_CSUM_IP4);
	p.tcp4_csum = ONOFF(c->ip4_tx_csum & NDIS_CSUM_TCP);
	p.udp4_csum = ONOFF(c->ip4_tx_csum & NDIS_CSUM_UDP);
	p.tcp6_csum = ONOFF(c->ip6_tx_csum & NDIS_CSUM_TCP);
	p.udp6_csum = ONOFF(c->ip6_tx_csum & NDIS_CSUM_UDP);
#undef ONOFF
	p.lsov2_ip4 = c->lso4 ? NDIS_OFFLOAD_LSOV2_ENABLED :
				NDIS_OFFLOAD_LSOV2_DISABLED;
	p.lsov2_ip6 = c->lso6 ? NDIS_OFFLOAD_LSOV2_ENABLED :
				NDIS_OFFLOAD_LSOV2_DISABLED;
	return netvsc_rndis_set(eng, OID_TCP_OFFLOAD_PARAMETERS, &p, size);
}

/**
 * netvsc_rndis_start - bring RNDIS up and learn about the device
 * @eng: the engine, with NVSP up
 *
 * Initialises RNDIS, queries the MAC address, the link, the frame size
 * and the offloads, and turns the offloads on.
 *
 * Context: eng->ctrl_lock held; sleeps.
 * Return: 0 or a negative errno; on error RNDIS is halted.
 */
int netvsc_rndis_start(struct netvsc_eng *eng)
{
	const u8 *info;
	u32 len, media;
	int err;

	err = netvsc_rndis_init(eng);
	if (err)
		return err;

	err = netvsc_rndis_query(eng, OID_802_3_PERMANENT_ADDRESS, NULL, 0,
				 &info, &len);
	if (!err && len < ETH_ALEN) {
		netdev_err(eng->dev, "MAC address of %u bytes from the host\n",
			   len);
		err = -EPROTO;
	}
	if (!err && !is_valid_ether_addr(info)) {
		netdev_err(eng->dev,
			   "the host gave an invalid MAC address %pM; refusing the device\n",
			   info);
		err = -EADDRNOTAVAIL;
	}
	if (err)
		goto err_halt;
	ether_addr_copy(eng->mac, info);

	err = netvsc_rndis_query_u32(eng, OID_GEN_MEDIA_CONNECT_STATUS, &media);
	if (err)
		goto err_halt;
	eng->link = media == NDIS_MEDIA_CONNECTED;

	err = netvsc_rndis_query_caps(eng);
	if (err)
		goto err_halt;
	err = netvsc_rndis_set_offloads(eng);
	if (err)
		goto err_halt;
	return 0;

err_halt:
	netvsc_rndis_halt(eng);
	return err;
}

/**
 * netvsc_rndis_set_filter - set the host's receive filter
 * @eng: the engine
 * @filter: NETVSC_RX_* bits
 *
 * Context: eng->ctrl_lock held; sleeps.
 * Return: 0 or a negative errno.
 */
int netvsc_rndis_set_filter(struct netvsc_eng *eng, u32 filter)
{
	u32 ndis = 0;

	if (filter & NETVSC_RX_DIRECTED)
		ndis |= NDIS_PACKET_TYPE_DIRECTED;
	/* NDIS_PACKET_TYPE_MULTICAST passes the groups of the host's
	 * multicast list only, and we program none
	 * (OID_802_3_MULTICAST_LIST): any group takes ALL_MULTICAST, as
	 * Linux's in-tree rndis_set_multicast(), FreeBSD's hn(4) and DPDK's
	 * net/netvsc do.
	 */
	if (filter & (NETVSC_RX_MULTICAST | NETVSC_RX_ALLMULTI))
		ndis |= NDIS_PACKET_TYPE_ALL_MULTICAST;
	if (filter & NETVSC_RX_BROADCAST)
		ndis |= NDIS_PACKET_TYPE_BROADCAST;
	if (filter & NETVSC_RX_PROMISC)
		ndis |= NDIS_PACKET_TYPE_PROMISCUOUS;
	return netvsc_rndis_set(eng, OID_GEN_CURRENT_PACKET_FILTER, &ndis,
				sizeof(ndis));
}

static void netvsc_rndis_indicate(struct netvsc_eng *eng, const u8 *msg,
				  u32 len)
{
	const char *why;
	u32 status;

	if (netvsc_parse_indicate(msg, len, &status, &why)) {
		net_warn_ratelimited("%s: RNDIS indication rejected: %s\n",
				     eng->dev->name, why);
		dev_core_stats_rx_dropped_inc(eng->dev);
		return;
	}
	switch (status) {
	case RNDIS_STATUS_MEDIA_CONNECT:
		netvsc_eng_link(eng, true);
		break;
	case RNDIS_STATUS_MEDIA_DISCONNECT:
		netvsc_eng_link(eng, false);
		break;
	case RNDIS_STATUS_NETWORK_CHANGE:
		netvsc_eng_network_change(eng);
		break;
	default:
		netdev_dbg(eng->dev, "RNDIS status 0x%08x indicated\n", status);
	}
}

/**
 * netvsc_rndis_control - an RNDIS control message from the host
 * @eng: the engine
 * @msg: the message, checked by netvsc_parse_rndis(), in memory the host
 *	cannot change
 * @len: its length (the header's)
 * @type: its type
 *
 * Context: the channel callback (BH).
 */
void netvsc_rndis_control(struct netvsc_eng *eng, const u8 *msg, u32 len,
			  u32 type)
{
	if (type == RNDIS_MSG_INDICATE) {
		netvsc_rndis_indicate(eng, msg, len);
		return;
	}
	if (!(type & RNDIS_MSG_DONE) || len < sizeof(struct rndis_hdr) + 8) {
		net_warn_ratelimited("%s: RNDIS message 0x%08x of %u bytes from the host; ignored\n",
				     eng->dev->name, type, len);
		return;
	}

	spin_lock(&eng->wait_lock);
	if (eng->wait_rndis_id && type == eng->wait_rndis_type &&
	    get_unaligned_le32(msg + 8) == eng->wait_rndis_id) {
		eng->resp_len = min_t(u32, len, NETVSC_RESP_MAX);
		memcpy(eng->resp, msg, eng->resp_len);
		eng->wait_rndis_id = 0;
		complete(&eng->done);
	} else if (type != (RNDIS_MSG_KEEPALIVE | RNDIS_MSG_DONE)) {
		net_warn_ratelimited("%s: RNDIS answer 0x%08x to no request of ours; ignored\n",
				     eng->dev->name, type);
	}
	spin_unlock(&eng->wait_lock);
}
