// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc_sim: the host's side of NVSP and RNDIS, for protocol-mode
 * devices.
 *
 * The host honours and checks every message as Hyper-V's network VSP
 * does: an NVSP request it cannot honour is completed with
 * NVSP_STAT_FAIL, a malformed RNDIS message with
 * NVSP_STAT_INVALID_RNDIS_PKT, an unknown OID with
 * RNDIS_STATUS_NOT_SUPPORTED and a bad information buffer with
 * RNDIS_STATUS_INVALID_LENGTH.  Frames towards the guest go into
 * receive-buffer slots that the guest gives back by completing them.
 *
 * Locking: p->lock (BH) protects the protocol state and the receive
 * slots; the guest's messages are handled in the guest's context
 * (process, or its transmit path with BH disabled).  Frames are handed
 * to the host end outside the lock.  Counters are written under the
 * lock or with WRITE_ONCE() and read by debugfs without it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>
#include <asm/unaligned.h>

#include "parse.h"
#include "sim.h"

/* One receive slot holds any frame with its RNDIS header and PPIs. */
#define NETVSC_SIM_SLOT_SIZE	ALIGN(ETH_MAX_MTU + VLAN_ETH_HLEN + 256, 512)
#define NETVSC_SIM_SECTION_SIZE	6144
#define NETVSC_SIM_LINK_SPEED	100000000	/* 10 Gb/s, in 100 b/s */

struct netvsc_sim_proto_knobs netvsc_sim_proto_defaults = {
	.max_nvsp_version = NVSP_VERSION_61,
};

/* What the host speaks, newest first. */
static const u32 netvsc_sim_nvsp_versions[] = {
	NVSP_VERSION_61, NVSP_VERSION_6, NVSP_VERSION_5, NVSP_VERSION_4,
	NVSP_VERSION_2, NVSP_VERSION_1,
};

#define sim_dbg_name(p)	dev_name(&(p)->sim->dev)

static void netvsc_sim_bad(struct netvsc_sim_proto *p, const char *what,
			   const char *why)
{
	WRITE_ONCE(p->bad_msgs, p->bad_msgs + 1);
	pr_warn_ratelimited("%s: host rejects %s from the guest: %s\n",
			    sim_dbg_name(p), what, why);
}

static bool netvsc_sim_drop_completion(struct netvsc_sim_proto *p,
				       const char *what)
{
	if (atomic_dec_if_positive(&p->knobs.drop_completion) < 0)
		return false;
	pr_info("%s: host drops its answer to %s (drop_completion)\n",
		sim_dbg_name(p), what);
	return true;
}

/* The MAC address the host answers with: the device's, or the broken one
 * that bad_mac asks for (1: all zeroes, 2: a multicast address).  A host
 * has no business sending either; the guest must refuse them.
 */
static void netvsc_sim_mac_answer(struct netvsc_sim_proto *p, u8 *mac)
{
	switch (READ_ONCE(p->knobs.bad_mac)) {
	case 1:
		eth_zero_addr(mac);
		break;
	case 2:
		ether_addr_copy(mac, p->sim->mac);
		mac[0] |= 0x01;
		break;
	default:
		ether_addr_copy(mac, p->sim->mac);
		break;
	}
}

/**
 * netvsc_sim_proto_init - initial state of a protocol-mode host
 * @p: the channel
 *
 * Return: 0.
 */
int netvsc_sim_proto_init(struct netvsc_sim_proto *p)
{
	const struct netvsc_sim_proto_knobs *d = &netvsc_sim_proto_defaults;

	p->knobs.max_nvsp_version = READ_ONCE(d->max_nvsp_version);
	atomic_set(&p->knobs.fail_query, atomic_read(&d->fail_query));
	p->knobs.fail_oid = READ_ONCE(d->fail_oid);
	atomic_set(&p->knobs.drop_completion,
		   atomic_read(&d->drop_completion));
	p->knobs.bad_mac = READ_ONCE(d->bad_mac);
	p->knobs.one_range = !!READ_ONCE(d->one_range);
	p->chan.one_range = p->knobs.one_range;
	return 0;
}

/**
 * netvsc_sim_proto_reset - forget the protocol state of a channel
 * @p: the channel
 *
 * Context: p->lock held.
 */
void netvsc_sim_proto_reset(struct netvsc_sim_proto *p)
{
	lockdep_assert_held(&p->lock);

	p->nvsp_version = 0;
	p->refuse_init = false;
	p->recv_buf = NULL;
	p->send_buf = NULL;
	p->rndis_up = false;
	bitmap_free(p->slot_map);
	p->slot_map = NULL;
	p->nslots = 0;
	WRITE_ONCE(p->sim->rx_filter, 0);
}

/* A free receive slot, or -1.  Context: p->lock held. */
static int netvsc_sim_slot_get(struct netvsc_sim_proto *p)
{
	unsigned long s;

	lockdep_assert_held(&p->lock);

	if (!p->recv_buf || !p->slot_map)
		return -1;
	s = find_first_zero_bit(p->slot_map, p->nslots);
	if (s >= p->nslots)
		return -1;
	__set_bit(s, p->slot_map);
	return s;
}

/* Put @hlen bytes of @hdr and then @skb's bytes (if any) into a receive
 * slot and tell the guest.  Returns false if there was no room.
 */
static bool netvsc_sim_place(struct netvsc_sim_proto *p, const void *hdr,
			     u32 hlen, const struct sk_buff *skb, u32 channel)
{
	u32 len = hlen + (skb ? skb->len : 0);
	u32 off;
	int s;

	if (len > NETVSC_SIM_SLOT_SIZE)
		return false;

	spin_lock_bh(&p->lock);
	s = netvsc_sim_slot_get(p);
	if (s < 0) {
		spin_unlock_bh(&p->lock);
		WRITE_ONCE(p->rx_nobuf, p->rx_nobuf + 1);
		return false;
	}
	off = s * p->slot_size;
	memcpy(p->recv_buf + off, hdr, hlen);
	if (skb && skb_copy_bits(skb, 0, p->recv_buf + off + hlen, skb->len))
		len = hlen;
	spin_unlock_bh(&p->lock);

	netvsc_sim_send_xfer(p, s + 1, off, len, channel);
	return true;
}

static void netvsc_sim_nvsp_reply(struct netvsc_sim_proto *p, u64 id,
				  struct nvsp_msg *msg, const char *what)
{
	if (netvsc_sim_drop_completion(p, what))
		return;
	netvsc_sim_send_comp(p, id, msg, sizeof(*msg));
}

static void netvsc_sim_nvsp_init(struct netvsc_sim_proto *p, const u8 *m,
				 u64 id)
{
	u32 lo = get_unaligned_le32(m + 4), hi = get_unaligned_le32(m + 8);
	u32 max = READ_ONCE(p->knobs.max_nvsp_version);
	struct nvsp_msg r = { .type = NVSP_MSG_INIT_DONE };
	int i;

	r.init_done.status = NVSP_STAT_FAIL;
	spin_lock_bh(&p->lock);
	for (i = 0; !p->nvsp_version &&
	     i < ARRAY_SIZE(netvsc_sim_nvsp_versions); i++) {
		u32 v = netvsc_sim_nvsp_versions[i];

		if (v >= lo && v <= hi && v <= max) {
			p->nvsp_version = v;
			r.init_done.version = v;
			r.init_done.status = NVSP_STAT_SUCCESS;
		}
	}
	spin_unlock_bh(&p->lock);
	if (r.init_done.status != NVSP_STAT_SUCCESS)
		pr_info("%s: host refuses NVSP versions 0x%x..0x%x (max_nvsp_version 0x%x)\n",
			sim_dbg_name(p), lo, hi, max);
	netvsc_sim_nvsp_reply(p, id, &r, "NVSP INIT");
}

static void netvsc_sim_ndis_config(struct netvsc_sim_proto *p, const u8 *m)
{
	u32 frame = get_unaligned_le32(m + 4);
	u32 mtu = frame > ETH_HLEN ? frame - ETH_HLEN : 0;
	struct netvsc_sim_dev *sim = p->sim;
	bool refuse;

	refuse = p->mtu_ok && mtu != p->mtu_ok &&
		 atomic_dec_if_positive(&sim->fail_mtu) >= 0;
	if (refuse)
		pr_info("%s: host refuses MTU %u (fail_mtu)\n",
			sim_dbg_name(p), mtu);

	spin_lock_bh(&p->lock);
	p->ndis_mtu = mtu;
	p->ndis_caps = get_unaligned_le64(m + 12);
	p->refuse_init = refuse;
	spin_unlock_bh(&p->lock);
}

static void netvsc_sim_recv_buf(struct netvsc_sim_proto *p, const u8 *m,
				u64 id)
{
	struct nvsp_msg r = { .type = NVSP_MSG1_RECV_BUF_DONE };
	u32 handle = get_unaligned_le32(m + 4), size;
	u16 bufid = get_unaligned_le16(m + 8);
	struct nvsp_recv_section *sec = (void *)r.raw + 8;
	void *buf;

	r.recv_buf_done.status = NVSP_STAT_FAIL;
	spin_lock_bh(&p->lock);
	buf = netvsc_sim_gpadl(p, handle, &size);
	if (!p->nvsp_version || p->recv_buf || !buf ||
	    bufid != NVSP_RECV_BUF_ID || size < NETVSC_SIM_SLOT_SIZE) {
		spin_unlock_bh(&p->lock);
		netvsc_sim_bad(p, "a receive buffer", "unknown GPADL, bad id or size");
		goto reply;
	}
	p->slot_size = NETVSC_SIM_SLOT_SIZE;
	p->nslots = size / p->slot_size;
	p->slot_map = bitmap_zalloc(p->nslots, GFP_ATOMIC);
	if (p->slot_map) {
		p->recv_buf = buf;
		p->recv_size = size;
		r.recv_buf_done.status = NVSP_STAT_SUCCESS;
		r.recv_buf_done.num_sections = 1;
		sec->offset = 0;
		sec->sub_alloc_size = p->slot_size;
		sec->num_sub_allocs = p->nslots;
		sec->end_offset = p->nslots * p->slot_size;
	}
	spin_unlock_bh(&p->lock);
reply:
	netvsc_sim_nvsp_reply(p, id, &r, "the receive buffer");
}

static void netvsc_sim_send_buf(struct netvsc_sim_proto *p, const u8 *m,
				u64 id)
{
	struct nvsp_msg r = { .type = NVSP_MSG1_SEND_BUF_DONE };
	u32 handle = get_unaligned_le32(m + 4), size;
	void *buf;

	r.send_buf_done.status = NVSP_STAT_FAIL;
	spin_lock_bh(&p->lock);
	buf = netvsc_sim_gpadl(p, handle, &size);
	if (p->nvsp_version && !p->send_buf && buf &&
	    size >= NETVSC_SIM_SECTION_SIZE) {
		p->send_buf = buf;
		p->send_size = size;
		r.send_buf_done.status = NVSP_STAT_SUCCESS;
		r.send_buf_done.section_size = NETVSC_SIM_SECTION_SIZE;
	}
	spin_unlock_bh(&p->lock);
	if (r.send_buf_done.status != NVSP_STAT_SUCCESS)
		netvsc_sim_bad(p, "a send buffer", "unknown GPADL or bad size");
	netvsc_sim_nvsp_reply(p, id, &r, "the send buffer");
}

static void netvsc_sim_switch(struct netvsc_sim_proto *p, const u8 *m, u64 id)
{
	struct netvsc_sim_dev *sim = p->sim;
	u32 active = get_unaligned_le32(m + 4);
	int err = 0;

	if (active > NVSP_DATAPATH_VF) {
		netvsc_sim_bad(p, "a data path switch", "unknown data path");
		err = -EINVAL;
	}
	if (atomic_dec_if_positive(&sim->fail_switch) >= 0)
		err = -EIO;

	spin_lock_bh(&sim->switch_lock);
	sim->pending_path = active == NVSP_DATAPATH_VF ? NETVSC_DATAPATH_VF :
							 NETVSC_DATAPATH_SYNTHETIC;
	sim->pending_id = id;
	sim->pending_err = err;
	WRITE_ONCE(sim->switch_requests, sim->switch_requests + 1);
	spin_unlock_bh(&sim->switch_lock);

	mod_delayed_work(system_wq, &sim->switch_work,
			 msecs_to_jiffies(READ_ONCE(sim->switch_delay_ms)));
}

/**
 * netvsc_sim_proto_switch_done - the host answers a data path switch
 * @sim: the device
 * @id: the request's id
 * @path: the path asked for
 * @err: 0 if the host switched
 *
 * The completion carries the data path the host is on.
 */
void netvsc_sim_proto_switch_done(struct netvsc_sim_dev *sim, u64 id,
				  enum netvsc_datapath path, int err)
{
	struct nvsp_msg r = { .type = NVSP_MSG4_SWITCH_DATA_PATH };

	if (err)
		path = READ_ONCE(sim->datapath);
	r.datapath.active = path == NETVSC_DATAPATH_VF ? NVSP_DATAPATH_VF :
							 NVSP_DATAPATH_SYNTHETIC;
	netvsc_sim_send_comp(sim->proto, id, &r, sizeof(r));
}

/* ------------------------------------------------------------ RNDIS */

static void netvsc_sim_rndis_reply(struct netvsc_sim_proto *p, const u8 *msg,
				   u32 len, const char *what)
{
	if (netvsc_sim_drop_completion(p, what))
		return;
	if (!netvsc_sim_place(p, msg, len, NULL, NVSP_RNDIS_CONTROL))
		pr_warn_ratelimited("%s: no receive slot for the answer to %s\n",
				    sim_dbg_name(p), what);
}

static u32 netvsc_sim_hw_caps(struct netvsc_sim_proto *p, const u8 *in,
			      u32 in_len, struct ndis_offload *o)
{
	const struct netvsc_sim_caps *c = &p->sim->caps;
	u8 rev;
	u32 size;

	if (in_len < sizeof(struct ndis_obj_hdr) ||
	    in[0] != NDIS_OBJ_TYPE_OFFLOAD)
		return 0;
	rev = in[1];
	size = rev >= NDIS_OFFLOAD_REVISION_3 ? NDIS_OFFLOAD_SIZE_6_30 :
	       rev == NDIS_OFFLOAD_REVISION_2 ? NDIS_OFFLOAD_SIZE_6_1 :
	       rev == NDIS_OFFLOAD_REVISION_1 ? NDIS_OFFLOAD_SIZE_6_0 : 0;
	if (!size)
		return 0;

	memset(o, 0, sizeof(*o));
	o->hdr.type = NDIS_OBJ_TYPE_OFFLOAD;
	o->hdr.revision = min_t(u8, rev, NDIS_OFFLOAD_REVISION_3);
	o->hdr.size = size;
	if (READ_ONCE(c->tx_csum)) {
		o->csum.ip4_tx_encap = NDIS_ENCAP_8023;
		o->csum.ip4_tx = NDIS_CSUM_TCP | NDIS_CSUM_UDP | NDIS_CSUM_IP4 |
				 NDIS_CSUM_TCP_OPTS | NDIS_CSUM_IP4_OPTS;
		o->csum.ip6_tx_encap = NDIS_ENCAP_8023;
		o->csum.ip6_tx = NDIS_CSUM_TCP | NDIS_CSUM_UDP |
				 NDIS_CSUM_TCP_OPTS;
	}
	if (READ_ONCE(c->rx_csum)) {
		o->csum.ip4_rx_encap = NDIS_ENCAP_8023;
		o->csum.ip4_rx = NDIS_CSUM_TCP | NDIS_CSUM_UDP | NDIS_CSUM_IP4;
		o->csum.ip6_rx_encap = NDIS_ENCAP_8023;
		o->csum.ip6_rx = NDIS_CSUM_TCP | NDIS_CSUM_UDP;
	}
	/* The size limit stands whether LSO is on or not. */
	o->lsov2.ip4_max_size = READ_ONCE(c->tso_max_size);
	o->lsov2.ip4_min_segs = 2;
	o->lsov2.ip6_max_size = READ_ONCE(c->tso_max_size);
	o->lsov2.ip6_min_segs = 2;
	if (READ_ONCE(c->tso)) {
		o->lsov2.ip4_encap = NDIS_ENCAP_8023;
		o->lsov2.ip6_encap = NDIS_ENCAP_8023;
	}
	return size;
}

static bool netvsc_sim_fail_query(struct netvsc_sim_proto *p, u32 oid)
{
	u32 only = READ_ONCE(p->knobs.fail_oid);

	if (only && only != oid)
		return false;
	if (atomic_dec_if_positive(&p->knobs.fail_query) < 0)
		return false;
	pr_info("%s: host fails QUERY of OID 0x%08x (fail_query)\n",
		sim_dbg_name(p), oid);
	return true;
}

static void netvsc_sim_rndis_query(struct netvsc_sim_proto *p, const u8 *m,
				   u32 len)
{
	struct netvsc_sim_dev *sim = p->sim;
	struct {
		struct rndis_hdr h;
		struct rndis_query_done d;
		union {
			u8 mac[ETH_ALEN];
			u32 val;
			struct ndis_offload offload;
		} info;
	} __packed r = {};
	u32 oid = get_unaligned_le32(m + 12), off, ilen, olen = 0;
	const char *why;

	r.h.type = RNDIS_MSG_QUERY | RNDIS_MSG_DONE;
	r.d.req_id = get_unaligned_le32(m + 8);
	r.d.status = RNDIS_STATUS_SUCCESS;

	if (netvsc_parse_rndis_info(m, len, &off, &ilen, &why)) {
		netvsc_sim_bad(p, "a QUERY", why);
		r.d.status = RNDIS_STATUS_INVALID_LENGTH;
	} else if (netvsc_sim_fail_query(p, oid)) {
		r.d.status = RNDIS_STATUS_FAILURE;
	} else {
		switch (oid) {
		case OID_802_3_PERMANENT_ADDRESS:
		case OID_802_3_CURRENT_ADDRESS:
			netvsc_sim_mac_answer(p, r.info.mac);
			olen = ETH_ALEN;
			break;
		case OID_GEN_MEDIA_CONNECT_STATUS:
			r.info.val = READ_ONCE(sim->link) ? NDIS_MEDIA_CONNECTED :
							    NDIS_MEDIA_DISCONNECTED;
			olen = sizeof(u32);
			break;
		case OID_GEN_MAXIMUM_FRAME_SIZE:
			r.info.val = READ_ONCE(sim->caps.max_mtu);
			olen = sizeof(u32);
			break;
		case OID_GEN_LINK_SPEED:
			r.info.val = NETVSC_SIM_LINK_SPEED;
			olen = sizeof(u32);
			break;
		case OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
			olen = netvsc_sim_hw_caps(p, m + off, ilen, &r.info.offload);
			if (!olen) {
				netvsc_sim_bad(p, "an offload query", "bad NDIS object header");
				r.d.status = RNDIS_STATUS_INVALID_DATA;
			}
			break;
		default:
			r.d.status = RNDIS_STATUS_NOT_SUPPORTED;
		}
	}
	r.d.info_len = olen;
	r.d.info_offset = olen ? sizeof(r.d) : 0;
	r.h.len = sizeof(r.h) + sizeof(r.d) + olen;
	netvsc_sim_rndis_reply(p, (u8 *)&r, r.h.len, "an RNDIS QUERY");
}

static u32 netvsc_sim_filter_bits(u32 ndis)
{
	u32 f = 0;

	if (ndis & NDIS_PACKET_TYPE_DIRECTED)
		f |= NETVSC_RX_DIRECTED;
	if (ndis & NDIS_PACKET_TYPE_MULTICAST)
		f |= NETVSC_RX_MULTICAST;
	if (ndis & NDIS_PACKET_TYPE_ALL_MULTICAST)
		f |= NETVSC_RX_ALLMULTI;
	if (ndis & NDIS_PACKET_TYPE_BROADCAST)
		f |= NETVSC_RX_BROADCAST;
	if (ndis & NDIS_PACKET_TYPE_PROMISCUOUS)
		f |= NETVSC_RX_PROMISC;
	return f;
}

static void netvsc_sim_rndis_set(struct netvsc_sim_proto *p, const u8 *m,
				 u32 len)
{
	struct {
		struct rndis_hdr h;
		struct rndis_set_done d;
	} __packed r = {
		.h.type = RNDIS_MSG_SET | RNDIS_MSG_DONE,
		.h.len = sizeof(r),
		.d.status = RNDIS_STATUS_SUCCESS,
	};
	u32 oid = get_unaligned_le32(m + 12), off, ilen;
	const char *why;

	r.d.req_id = get_unaligned_le32(m + 8);
	if (netvsc_parse_rndis_info(m, len, &off, &ilen, &why)) {
		netvsc_sim_bad(p, "a SET", why);
		r.d.status = RNDIS_STATUS_INVALID_LENGTH;
		goto reply;
	}

	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (ilen != sizeof(u32)) {
			netvsc_sim_bad(p, "a packet filter", "not 4 bytes");
			r.d.status = RNDIS_STATUS_INVALID_LENGTH;
			break;
		}
		WRITE_ONCE(p->sim->rx_filter,
			   netvsc_sim_filter_bits(get_unaligned_le32(m + off)));
		break;
	case OID_TCP_OFFLOAD_PARAMETERS:
		if (ilen < NDIS_OFFLOAD_PARAMS_SIZE_V4) {
			netvsc_sim_bad(p, "offload parameters", "too short");
			r.d.status = RNDIS_STATUS_INVALID_LENGTH;
		} else if (m[off] != NDIS_OBJ_TYPE_DEFAULT) {
			netvsc_sim_bad(p, "offload parameters", "bad NDIS object type");
			r.d.status = RNDIS_STATUS_INVALID_DATA;
		}
		break;
	default:
		r.d.status = RNDIS_STATUS_NOT_SUPPORTED;
	}
reply:
	netvsc_sim_rndis_reply(p, (u8 *)&r, sizeof(r), "an RNDIS SET");
}

static void netvsc_sim_rndis_init(struct netvsc_sim_proto *p, const u8 *m,
				  u32 len)
{
	struct {
		struct rndis_hdr h;
		struct rndis_init_done d;
	} __packed r = {
		.h.type = RNDIS_MSG_INIT | RNDIS_MSG_DONE,
		.h.len = sizeof(r),
		.d.major = RNDIS_MAJOR_VERSION,
		.d.minor = RNDIS_MINOR_VERSION,
		.d.dev_flags = RNDIS_DF_CONNECTIONLESS,
		.d.medium = RNDIS_MEDIUM_802_3,
		.d.max_pkts_per_msg = 8,
		.d.max_xfer_size = NETVSC_SIM_SECTION_SIZE,
		.d.pkt_align_shift = 3,
	};

	r.d.req_id = get_unaligned_le32(m + 8);
	if (len < sizeof(struct rndis_hdr) + sizeof(struct rndis_init_req)) {
		netvsc_sim_bad(p, "an INITIALIZE", "truncated");
		r.d.status = RNDIS_STATUS_INVALID_LENGTH;
	} else if (get_unaligned_le32(m + 12) != RNDIS_MAJOR_VERSION) {
		netvsc_sim_bad(p, "an INITIALIZE", "unknown RNDIS version");
		r.d.status = RNDIS_STATUS_FAILURE;
	} else {
		spin_lock_bh(&p->lock);
		if (p->refuse_init) {
			r.d.status = RNDIS_STATUS_FAILURE;
		} else {
			p->rndis_up = true;
			p->mtu_ok = p->ndis_mtu;
			WRITE_ONCE(p->sim->mtu, p->ndis_mtu);
		}
		spin_unlock_bh(&p->lock);
	}
	netvsc_sim_rndis_reply(p, (u8 *)&r, sizeof(r), "an RNDIS INITIALIZE");
}

/* A control message: the answer goes to the receive buffer. */
static void netvsc_sim_rndis_control(struct netvsc_sim_proto *p, const u8 *m,
				     u32 len, u32 type)
{
	struct {
		struct rndis_hdr h;
		struct rndis_keepalive_done d;
	} __packed ka = {
		.h.type = RNDIS_MSG_KEEPALIVE | RNDIS_MSG_DONE,
		.h.len = sizeof(ka),
	};

	if (len < sizeof(struct rndis_hdr) + sizeof(u32)) {
		netvsc_sim_bad(p, "an RNDIS request", "no request id");
		return;
	}

	switch (type) {
	case RNDIS_MSG_INIT:
		netvsc_sim_rndis_init(p, m, len);
		break;
	case RNDIS_MSG_QUERY:
		netvsc_sim_rndis_query(p, m, len);
		break;
	case RNDIS_MSG_SET:
		netvsc_sim_rndis_set(p, m, len);
		break;
	case RNDIS_MSG_HALT:
		spin_lock_bh(&p->lock);
		p->rndis_up = false;
		spin_unlock_bh(&p->lock);
		break;
	case RNDIS_MSG_KEEPALIVE:
		ka.d.req_id = get_unaligned_le32(m + 8);
		netvsc_sim_rndis_reply(p, (u8 *)&ka, sizeof(ka), "a KEEPALIVE");
		break;
	default:
		netvsc_sim_bad(p, "an RNDIS message", "unknown type");
	}
}

/* Rebuild the offloads the guest delegated; false if they are bogus. */
static bool netvsc_sim_apply_ppis(struct netvsc_sim_proto *p,
				  struct sk_buff *skb,
				  const struct netvsc_rndis_pkt *info)
{
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);

	if (info->has & BIT(PPI_IEEE8021Q)) {
		u32 v = info->vlan;

		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q),
				       ((v >> PPI_VLAN_ID_SHIFT) & PPI_VLAN_ID_MASK) |
				       (v & PPI_VLAN_PRIO_MASK) << VLAN_PRIO_SHIFT);
		WRITE_ONCE(p->vlan_ppi, p->vlan_ppi + 1);
	}

	if ((info->has & BIT(PPI_LSO)) && (info->lso & PPI_LSO_V2)) {
		u32 l4 = (info->lso >> PPI_LSO_L4_OFFSET_SHIFT) & PPI_LSO_L4_OFFSET_MASK;
		u32 mss = info->lso & PPI_LSO_MSS_MASK;
		bool v6 = info->lso & PPI_LSO_IPV6;
		struct tcphdr *th;
		u32 l4len;

		if (!mss || l4 < ETH_HLEN + sizeof(struct iphdr) ||
		    l4 + sizeof(struct tcphdr) > skb->len)
			return false;
		skb_set_transport_header(skb, l4);
		th = tcp_hdr(skb);
		l4len = skb->len - l4;
		if (v6) {
			ipv6_hdr(skb)->payload_len = htons(skb->len - ETH_HLEN -
							   sizeof(struct ipv6hdr));
			th->check = ~tcp_v6_check(l4len, &ipv6_hdr(skb)->saddr,
						  &ipv6_hdr(skb)->daddr, 0);
		} else {
			ip_hdr(skb)->tot_len = htons(skb->len - ETH_HLEN);
			ip_send_check(ip_hdr(skb));
			th->check = ~tcp_v4_check(l4len, ip_hdr(skb)->saddr,
						  ip_hdr(skb)->daddr, 0);
		}
		if (!skb_partial_csum_set(skb, l4, offsetof(struct tcphdr, check)))
			return false;
		skb_shinfo(skb)->gso_size = mss;
		skb_shinfo(skb)->gso_type = (v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4) |
					    SKB_GSO_DODGY;
		skb_shinfo(skb)->gso_segs = 0;
		WRITE_ONCE(p->lso_ppi, p->lso_ppi + 1);
		return true;
	}

	if ((info->has & BIT(PPI_CHECKSUM)) &&
	    (info->csum & (PPI_CSUM_TX_TCP | PPI_CSUM_TX_UDP))) {
		u32 l4 = (info->csum >> PPI_CSUM_TX_L4_OFFSET_SHIFT) &
			 PPI_CSUM_TX_L4_OFFSET_MASK;
		bool tcp = info->csum & PPI_CSUM_TX_TCP;
		u32 field = tcp ? offsetof(struct tcphdr, check) :
				  offsetof(struct udphdr, check);

		if (l4 < ETH_HLEN || l4 + field + 2 > skb->len ||
		    !skb_partial_csum_set(skb, l4, field))
			return false;
		WRITE_ONCE(p->csum_ppi, p->csum_ppi + 1);
	}
	return true;
}

/* A frame from the guest: @skb holds its RNDIS message. */
static u32 netvsc_sim_rndis_frame(struct netvsc_sim_proto *p,
				  struct sk_buff *skb)
{
	struct netvsc_rndis_pkt info;
	const char *why;

	if (netvsc_parse_rndis_pkt(skb->data, skb->len, &info, &why)) {
		netvsc_sim_bad(p, "an RNDIS packet", why);
		kfree_skb(skb);
		return NVSP_STAT_INVALID_RNDIS_PKT;
	}
	if (info.data_len < ETH_HLEN) {
		netvsc_sim_bad(p, "an RNDIS packet", "runt frame");
		kfree_skb(skb);
		return NVSP_STAT_INVALID_RNDIS_PKT;
	}
	skb_pull(skb, info.data_offset);
	skb_trim(skb, info.data_len);
	if (!netvsc_sim_apply_ppis(p, skb, &info)) {
		netvsc_sim_bad(p, "an RNDIS packet", "bad offload PPI");
		kfree_skb(skb);
		return NVSP_STAT_INVALID_RNDIS_PKT;
	}
	netvsc_sim_guest_to_host(p->sim, skb);
	return NVSP_STAT_SUCCESS;
}

/* Copy the RNDIS message of an NVSP RNDIS packet out of guest memory. */
static struct sk_buff *netvsc_sim_fetch(struct netvsc_sim_proto *p,
					const u8 *m,
					const struct netvsc_chan_range *ranges,
					unsigned int nranges)
{
	u32 section = get_unaligned_le32(m + 8);
	u32 size = get_unaligned_le32(m + 12);
	struct sk_buff *skb;
	unsigned int i;
	u32 total = 0;

	if (section != NVSP_NO_SECTION) {
		skb = netdev_alloc_skb(p->sim->host, size);
		if (!skb)
			return NULL;
		spin_lock_bh(&p->lock);
		if (!p->send_buf || !size || size > NETVSC_SIM_SECTION_SIZE ||
		    (u64)section * NETVSC_SIM_SECTION_SIZE + size > p->send_size) {
			spin_unlock_bh(&p->lock);
			netvsc_sim_bad(p, "an RNDIS packet", "bad send-buffer section");
			kfree_skb(skb);
			return NULL;
		}
		skb_put_data(skb, p->send_buf + section * NETVSC_SIM_SECTION_SIZE,
			     size);
		spin_unlock_bh(&p->lock);
		return skb;
	}

	for (i = 0; i < nranges; i++) {
		if (ranges[i].offset + (u64)ranges[i].len > NETVSC_HV_PAGE_SIZE ||
		    !pfn_valid(ranges[i].pfn)) {
			netvsc_sim_bad(p, "an RNDIS packet", "bad page range");
			return NULL;
		}
		total += ranges[i].len;
	}
	/* The VMBus of kernels before 6.1.140 sends one range only: the host
	 * would read the first and lose the rest (vmbus.c).  The simulated
	 * one, told so (one_range), refuses a packet it cannot have got whole.
	 */
	if (!netvsc_chan_ranges_chain(ranges, nranges)) {
		WRITE_ONCE(p->split_sends, p->split_sends + 1);
		if (p->knobs.one_range) {
			netvsc_sim_bad(p, "an RNDIS packet",
				       "its pages are several ranges, which VMBus sends as one here (one_range)");
			return NULL;
		}
	}
	if (!total) {
		netvsc_sim_bad(p, "an RNDIS packet", "no data");
		return NULL;
	}
	skb = netdev_alloc_skb(p->sim->host, total);
	if (!skb)
		return NULL;
	for (i = 0; i < nranges; i++)
		skb_put_data(skb, page_address(pfn_to_page(ranges[i].pfn)) +
			     ranges[i].offset, ranges[i].len);
	return skb;
}

static u32 netvsc_sim_rndis_pkt(struct netvsc_sim_proto *p, const u8 *m,
				const struct netvsc_chan_range *ranges,
				unsigned int nranges)
{
	struct sk_buff *skb;
	const char *why;
	u32 type, len;

	skb = netvsc_sim_fetch(p, m, ranges, nranges);
	if (!skb)
		return NVSP_STAT_INVALID_RNDIS_PKT;
	if (netvsc_parse_rndis(skb->data, skb->len, &type, &len, &why)) {
		netvsc_sim_bad(p, "an RNDIS message", why);
		kfree_skb(skb);
		return NVSP_STAT_INVALID_RNDIS_PKT;
	}
	skb_trim(skb, len);
	if (type == RNDIS_MSG_PACKET) {
		if (!READ_ONCE(p->rndis_up)) {
			kfree_skb(skb);
			return NVSP_STAT_FAIL;
		}
		return netvsc_sim_rndis_frame(p, skb);
	}
	netvsc_sim_rndis_control(p, skb->data, skb->len, type);
	consume_skb(skb);
	return NVSP_STAT_SUCCESS;
}

/**
 * netvsc_sim_proto_guest_msg - the host receives an NVSP message
 * @p: the channel
 * @msg: the message
 * @len: its length
 * @ranges: guest memory of a GPA-direct packet
 * @nranges: number of @ranges
 * @req_id: the guest's request id
 * @completion: whether the guest wants a completion
 *
 * Context: the guest's, process or BH disabled.
 */
void netvsc_sim_proto_guest_msg(struct netvsc_sim_proto *p, const void *msg,
				u32 len, const struct netvsc_chan_range *ranges,
				unsigned int nranges, u64 req_id,
				bool completion)
{
	struct nvsp_msg r = {};
	const u8 *m = msg;
	const char *why;
	u32 type;

	if (netvsc_parse_nvsp(msg, len, &type, &why)) {
		netvsc_sim_bad(p, "an NVSP message", why);
		return;
	}
	if (type != NVSP_MSG_INIT && !READ_ONCE(p->nvsp_version)) {
		netvsc_sim_bad(p, "an NVSP message", "sent before INIT");
		goto fail;
	}

	switch (type) {
	case NVSP_MSG_INIT:
		netvsc_sim_nvsp_init(p, m, req_id);
		return;
	case NVSP_MSG1_NDIS_VERSION:
		spin_lock_bh(&p->lock);
		p->ndis_major = get_unaligned_le32(m + 4);
		p->ndis_minor = get_unaligned_le32(m + 8);
		spin_unlock_bh(&p->lock);
		return;
	case NVSP_MSG2_NDIS_CONFIG:
		if (READ_ONCE(p->nvsp_version) < NVSP_VERSION_2)
			break;
		netvsc_sim_ndis_config(p, m);
		return;
	case NVSP_MSG1_RECV_BUF:
		netvsc_sim_recv_buf(p, m, req_id);
		return;
	case NVSP_MSG1_SEND_BUF:
		netvsc_sim_send_buf(p, m, req_id);
		return;
	case NVSP_MSG1_REVOKE_RECV_BUF:
		spin_lock_bh(&p->lock);
		p->recv_buf = NULL;
		spin_unlock_bh(&p->lock);
		return;
	case NVSP_MSG1_REVOKE_SEND_BUF:
		spin_lock_bh(&p->lock);
		p->send_buf = NULL;
		spin_unlock_bh(&p->lock);
		return;
	case NVSP_MSG4_SWITCH_DATA_PATH:
		if (READ_ONCE(p->nvsp_version) < NVSP_VERSION_4)
			break;
		netvsc_sim_switch(p, m, req_id);
		return;
	case NVSP_MSG1_RNDIS_PKT:
		r.type = NVSP_MSG1_RNDIS_PKT_DONE;
		r.rndis_pkt_done.status = netvsc_sim_rndis_pkt(p, m, ranges,
							       nranges);
		if (completion)
			netvsc_sim_send_comp(p, req_id, &r, sizeof(r));
		return;
	}
	netvsc_sim_bad(p, "an NVSP message", "unknown type for this version");
fail:
	if (completion) {
		r.type = type;
		put_unaligned_le32(NVSP_STAT_FAIL, r.raw);
		netvsc_sim_send_comp(p, req_id, &r, sizeof(r));
	}
}

/**
 * netvsc_sim_proto_guest_comp - the guest completed a packet of the host
 * @p: the channel
 * @msg: the completion's payload
 * @len: its length
 * @trans_id: the packet's id: its receive slot + 1
 */
void netvsc_sim_proto_guest_comp(struct netvsc_sim_proto *p, const void *msg,
				 u32 len, u64 trans_id)
{
	const char *why;
	u32 type;

	if (netvsc_parse_nvsp(msg, len, &type, &why) ||
	    type != NVSP_MSG1_RNDIS_PKT_DONE) {
		netvsc_sim_bad(p, "a completion", "not an RNDIS packet completion");
		return;
	}
	spin_lock_bh(&p->lock);
	if (trans_id && trans_id <= p->nslots && p->slot_map &&
	    test_bit(trans_id - 1, p->slot_map)) {
		__clear_bit(trans_id - 1, p->slot_map);
		trans_id = 0;
	}
	spin_unlock_bh(&p->lock);
	if (trans_id)
		netvsc_sim_bad(p, "a completion", "for no packet in flight");
}

/* ------------------------------------------------------------ to the guest */

static u8 *netvsc_sim_put_ppi(u8 *q, u32 type, u32 val)
{
	struct rndis_ppi *ppi = (void *)q;

	ppi->size = sizeof(*ppi) + sizeof(u32);
	ppi->type = type;
	ppi->offset = sizeof(*ppi);
	put_unaligned_le32(val, q + sizeof(*ppi));
	return q + ppi->size;
}

/* Checksum PPI bits for a frame whose checksums are good, or 0. */
static u32 netvsc_sim_rx_csum(const struct sk_buff *skb)
{
	const u8 *d = skb->data;
	u8 proto;

	if (skb->len < ETH_HLEN + sizeof(struct ipv6hdr))
		return 0;
	switch (get_unaligned_be16(d + 12)) {
	case ETH_P_IP:
		proto = d[ETH_HLEN + offsetof(struct iphdr, protocol)];
		if (proto == IPPROTO_TCP)
			return PPI_CSUM_RX_IP_OK | PPI_CSUM_RX_TCP_OK;
		if (proto == IPPROTO_UDP)
			return PPI_CSUM_RX_IP_OK | PPI_CSUM_RX_UDP_OK;
		return 0;
	case ETH_P_IPV6:
		proto = d[ETH_HLEN + offsetof(struct ipv6hdr, nexthdr)];
		if (proto == IPPROTO_TCP)
			return PPI_CSUM_RX_TCP_OK;
		if (proto == IPPROTO_UDP)
			return PPI_CSUM_RX_UDP_OK;
		return 0;
	}
	return 0;
}

static void netvsc_sim_to_guest_one(struct netvsc_sim_proto *p,
				    struct sk_buff *skb, bool verified)
{
	u8 hdr[sizeof(struct rndis_hdr) + sizeof(struct rndis_packet) +
	       2 * (sizeof(struct rndis_ppi) + 4)] = {};
	struct rndis_packet *pkt = (void *)(hdr + sizeof(struct rndis_hdr));
	u8 *q = hdr + sizeof(struct rndis_hdr) + sizeof(*pkt);
	u32 csum = 0, hlen;

	if (skb->len > READ_ONCE(p->ndis_mtu) + ETH_HLEN + VLAN_HLEN)
		goto drop;

	if (verified && READ_ONCE(p->sim->caps.rx_csum))
		csum = netvsc_sim_rx_csum(skb);
	if (csum) {
		q = netvsc_sim_put_ppi(q, PPI_CHECKSUM, csum);
		WRITE_ONCE(p->rx_csum_ppi, p->rx_csum_ppi + 1);
	}
	if (skb_vlan_tag_present(skb)) {
		u16 tci = skb_vlan_tag_get(skb);

		q = netvsc_sim_put_ppi(q, PPI_IEEE8021Q,
				       (tci >> VLAN_PRIO_SHIFT) |
				       (tci & VLAN_VID_MASK) << PPI_VLAN_ID_SHIFT);
		WRITE_ONCE(p->rx_vlan_ppi, p->rx_vlan_ppi + 1);
	}

	hlen = q - hdr;
	put_unaligned_le32(RNDIS_MSG_PACKET, hdr);
	put_unaligned_le32(hlen + skb->len, hdr + 4);
	pkt->data_offset = hlen - sizeof(struct rndis_hdr);
	pkt->data_len = skb->len;
	if (hlen > sizeof(struct rndis_hdr) + sizeof(*pkt)) {
		pkt->ppi_offset = sizeof(*pkt);
		pkt->ppi_len = hlen - sizeof(struct rndis_hdr) - sizeof(*pkt);
	}
	if (netvsc_sim_place(p, hdr, hlen, skb, NVSP_RNDIS_DATA)) {
		consume_skb(skb);
		return;
	}
drop:
	dev_core_stats_tx_dropped_inc(p->sim->host);
	kfree_skb(skb);
}

/**
 * netvsc_sim_proto_host_to_guest - carry a frame from the host end to the
 *	guest, through the receive buffer
 * @sim: the device
 * @skb: the frame, starting at its Ethernet header
 *
 * Large frames are segmented and checksums completed here, as the
 * virtual switch does; the checksum PPI tells the guest they are good.
 */
void netvsc_sim_proto_host_to_guest(struct netvsc_sim_dev *sim,
				    struct sk_buff *skb)
{
	struct netvsc_sim_proto *p = sim->proto;
	struct sk_buff *segs, *seg, *next;
	bool verified = skb->ip_summed != CHECKSUM_NONE;

	skb_reset_mac_header(skb);
	if (!READ_ONCE(sim->link) || !READ_ONCE(p->rndis_up) ||
	    !netvsc_sim_filter_pass(sim, skb))
		goto drop;

	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs))
			goto drop;
		consume_skb(skb);
		skb_list_walk_safe(segs, seg, next) {
			skb_mark_not_on_list(seg);
			netvsc_sim_to_guest_one(p, seg, verified);
		}
		return;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop;
	netvsc_sim_to_guest_one(p, skb, verified);
	return;

drop:
	dev_core_stats_tx_dropped_inc(sim->host);
	kfree_skb(skb);
}

/**
 * netvsc_sim_proto_link - indicate a link change to the guest
 * @sim: the device
 * @up: the new state
 */
void netvsc_sim_proto_link(struct netvsc_sim_dev *sim, bool up)
{
	netvsc_sim_proto_indicate(sim, up ? RNDIS_STATUS_MEDIA_CONNECT :
					    RNDIS_STATUS_MEDIA_DISCONNECT);
}

/**
 * netvsc_sim_proto_indicate - send the guest an RNDIS status indication
 * @sim: the device
 * @status: RNDIS_STATUS_*
 */
void netvsc_sim_proto_indicate(struct netvsc_sim_dev *sim, u32 status)
{
	struct netvsc_sim_proto *p = sim->proto;
	struct {
		struct rndis_hdr h;
		struct rndis_indicate i;
	} __packed r = {
		.h.type = RNDIS_MSG_INDICATE,
		.h.len = sizeof(r),
		.i.status = status,
	};

	if (READ_ONCE(p->rndis_up))
		netvsc_sim_place(p, &r, sizeof(r), NULL, NVSP_RNDIS_CONTROL);
}

/**
 * netvsc_sim_proto_link_sync - indicate a link change, and deliver it now
 * @sim: the device
 * @up: the new state
 *
 * Returns once the guest's engine has taken the indication.
 *
 * Context: process; sleeps.
 */
void netvsc_sim_proto_link_sync(struct netvsc_sim_dev *sim, bool up)
{
	netvsc_sim_proto_link(sim, up);
	flush_work(&sim->proto->deliver);
}

/**
 * netvsc_sim_proto_vf_assoc - send the guest the VF association
 * @sim: the device
 *
 * While vf_assoc_hold is set the message is held back, and sent, with
 * what vf_allocated and vf_serial say then, when it is cleared.
 *
 * Return: 0, or -ENODEV if the guest's NVSP has no VF association.
 */
int netvsc_sim_proto_vf_assoc(struct netvsc_sim_dev *sim)
{
	struct netvsc_sim_proto *p = sim->proto;
	struct nvsp_msg m = { .type = NVSP_MSG4_VF_ASSOCIATION };
	bool hold;

	if (READ_ONCE(p->nvsp_version) < NVSP_VERSION_4)
		return -ENODEV;
	spin_lock_bh(&p->lock);
	hold = p->vf_assoc_hold;
	if (hold)
		p->vf_assoc_held = true;
	spin_unlock_bh(&p->lock);
	if (hold) {
		pr_info("%s: host holds the VF association back (vf_assoc_hold)\n",
			sim_dbg_name(p));
		return 0;
	}
	m.vf_assoc.allocated = READ_ONCE(p->vf_allocated);
	m.vf_assoc.serial = READ_ONCE(p->vf_serial);
	netvsc_sim_send_inband(p, &m, sizeof(m));
	return 0;
}

/* ------------------------------------------------------------ faults */

static const char * const netvsc_sim_malformed[] = {
	"rndis_len", "ppi_offset", "data_offset", "range_offset",
	"range_count", "truncated", "nvsp_truncated",
};

/* A transfer-page packet for slot @s with the given range. */
static void netvsc_sim_bad_xfer(struct netvsc_sim_proto *p, int s, u32 count,
				u32 off, u32 len)
{
	struct {
		struct vmpkt_xfer_hdr h;
		struct vmpkt_xfer_range r;
		struct nvsp_msg m;
	} __packed x = {
		.h.desc.type = VMPKT_DATA_XFER_PAGES,
		.h.desc.offset8 = (sizeof(x.h) + sizeof(x.r)) >> 3,
		.h.desc.len8 = sizeof(x) >> 3,
		.h.desc.trans_id = s + 1,
		.h.pageset_id = NVSP_RECV_BUF_ID,
		.h.range_count = count,
		.r.len = len,
		.r.offset = off,
		.m.type = NVSP_MSG1_RNDIS_PKT,
	};

	netvsc_sim_send_raw(p, &x, sizeof(x));
}

/**
 * netvsc_sim_proto_inject - send the guest one malformed packet
 * @sim: the device
 * @kind: which malformation (netvsc_sim_malformed)
 *
 * Return: 0, -EINVAL for an unknown kind, -ENODEV if the guest is not
 * ready, -EBUSY without a free receive slot.
 */
int netvsc_sim_proto_inject(struct netvsc_sim_dev *sim, const char *kind)
{
	struct netvsc_sim_proto *p = sim->proto;
	u8 msg[sizeof(struct rndis_hdr) + sizeof(struct rndis_packet) +
	       sizeof(struct rndis_ppi) + 4 + ETH_ZLEN] = {};
	struct rndis_packet *pkt = (void *)(msg + sizeof(struct rndis_hdr));
	struct rndis_ppi *ppi = (void *)(pkt + 1);
	int i, s;

	i = match_string(netvsc_sim_malformed, ARRAY_SIZE(netvsc_sim_malformed),
			 kind);
	if (i < 0)
		return -EINVAL;
	if (!READ_ONCE(p->rndis_up))
		return -ENODEV;

	if (i == 6) {
		/* A VF association is 12 bytes long: send 8. */
		u8 raw[24] = {};
		struct vmpkt_desc *d = (void *)raw;

		d->type = VMPKT_DATA_INBAND;
		d->offset8 = 2;
		d->len8 = 3;
		put_unaligned_le32(NVSP_MSG4_VF_ASSOCIATION, raw + 16);
		netvsc_sim_send_raw(p, raw, sizeof(raw));
		return 0;
	}
	if (i == 5) {
		struct vmpkt_desc d = {
			.type = VMPKT_DATA_XFER_PAGES,
			.offset8 = 4,
			.len8 = 9,
		};

		netvsc_sim_send_raw(p, &d, sizeof(d));
		return 0;
	}

	/* A valid-looking frame, then one field broken. */
	put_unaligned_le32(RNDIS_MSG_PACKET, msg);
	put_unaligned_le32(sizeof(msg), msg + 4);
	pkt->ppi_offset = sizeof(*pkt);
	pkt->ppi_len = sizeof(*ppi) + 4;
	pkt->data_offset = sizeof(*pkt) + pkt->ppi_len;
	pkt->data_len = ETH_ZLEN;
	ppi->size = sizeof(*ppi) + 4;
	ppi->type = PPI_CHECKSUM;
	ppi->offset = sizeof(*ppi);
	memset(msg + sizeof(msg) - ETH_ZLEN, 0xff, ETH_ALEN);
	switch (i) {
	case 0:
		put_unaligned_le32(NETVSC_SIM_SLOT_SIZE * 2, msg + 4);
		break;
	case 1:
		ppi->offset = 0x1000;
		break;
	case 2:
		pkt->data_offset = 0x10000;
		break;
	}

	spin_lock_bh(&p->lock);
	s = netvsc_sim_slot_get(p);
	if (s >= 0)
		memcpy(p->recv_buf + s * p->slot_size, msg, sizeof(msg));
	spin_unlock_bh(&p->lock);
	if (s < 0)
		return -EBUSY;

	pr_info("%s: host sends a malformed packet (%s)\n", sim_dbg_name(p),
		kind);
	switch (i) {
	case 3:
		netvsc_sim_bad_xfer(p, s, 1, p->recv_size - 8, 64);
		break;
	case 4:
		netvsc_sim_bad_xfer(p, s, 5, s * p->slot_size, sizeof(msg));
		break;
	default:
		netvsc_sim_bad_xfer(p, s, 1, s * p->slot_size, sizeof(msg));
	}
	return 0;
}

/* ------------------------------------------------------------ debugfs */

/* A Hyper-V host tells the guest so when it moves the NIC to another
 * network (RNDIS_STATUS_NETWORK_CHANGE; Linux's in-tree driver and
 * FreeBSD's hn(4) renew the link for it).
 */
static int netvsc_sim_netchange_set(void *data, u64 val)
{
	struct netvsc_sim_dev *sim = data;

	if (val != 1)
		return -EINVAL;
	netvsc_sim_proto_indicate(sim, RNDIS_STATUS_NETWORK_CHANGE);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(netvsc_sim_netchange_fops, NULL,
			 netvsc_sim_netchange_set, "%llu\n");

static int netvsc_sim_vf_alloc_get(void *data, u64 *val)
{
	struct netvsc_sim_dev *sim = data;

	*val = READ_ONCE(sim->proto->vf_allocated);
	return 0;
}

static int netvsc_sim_vf_alloc_set(void *data, u64 val)
{
	struct netvsc_sim_dev *sim = data;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(sim->proto->vf_allocated, val);
	return netvsc_sim_proto_vf_assoc(sim);
}
DEFINE_DEBUGFS_ATTRIBUTE(netvsc_sim_vf_alloc_fops, netvsc_sim_vf_alloc_get,
			 netvsc_sim_vf_alloc_set, "%llu\n");

static int netvsc_sim_assoc_hold_get(void *data, u64 *val)
{
	struct netvsc_sim_dev *sim = data;

	*val = READ_ONCE(sim->proto->vf_assoc_hold);
	return 0;
}

/* Clearing the hold sends the association held back, if any. */
static int netvsc_sim_assoc_hold_set(void *data, u64 val)
{
	struct netvsc_sim_dev *sim = data;
	struct netvsc_sim_proto *p = sim->proto;
	bool send;

	if (val > 1)
		return -EINVAL;
	spin_lock_bh(&p->lock);
	p->vf_assoc_hold = val;
	send = !val && p->vf_assoc_held;
	if (send)
		p->vf_assoc_held = false;
	spin_unlock_bh(&p->lock);
	if (!send)
		return 0;
	pr_info("%s: host sends the VF association it held back\n",
		sim_dbg_name(p));
	return netvsc_sim_proto_vf_assoc(sim);
}
DEFINE_DEBUGFS_ATTRIBUTE(netvsc_sim_assoc_hold_fops, netvsc_sim_assoc_hold_get,
			 netvsc_sim_assoc_hold_set, "%llu\n");

static int netvsc_sim_deliver_hold_get(void *data, u64 *val)
{
	struct netvsc_sim_proto *p = data;

	*val = READ_ONCE(p->deliver_hold);
	return 0;
}

/* Clearing the hold delivers what was held back. */
static int netvsc_sim_deliver_hold_set(void *data, u64 val)
{
	struct netvsc_sim_proto *p = data;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(p->deliver_hold, val);
	if (!val)
		schedule_work(&p->deliver);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(netvsc_sim_deliver_hold_fops,
			 netvsc_sim_deliver_hold_get,
			 netvsc_sim_deliver_hold_set, "%llu\n");

/* Receive-buffer slots the guest has not completed. */
static int netvsc_sim_rx_outstanding_get(void *data, u64 *val)
{
	struct netvsc_sim_proto *p = data;

	spin_lock_bh(&p->lock);
	*val = p->slot_map ? bitmap_weight(p->slot_map, p->nslots) : 0;
	spin_unlock_bh(&p->lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(netvsc_sim_rx_outstanding_fops,
			 netvsc_sim_rx_outstanding_get, NULL, "%llu\n");

static ssize_t netvsc_sim_inject_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	struct netvsc_sim_dev *sim = file->private_data;
	char kind[32];
	int err;

	if (!count || count >= sizeof(kind))
		return -EINVAL;
	if (copy_from_user(kind, ubuf, count))
		return -EFAULT;
	kind[count] = '\0';
	strim(kind);
	err = netvsc_sim_proto_inject(sim, strim(kind));
	if (err == -EINVAL)
		pr_err("%s: inject_malformed: unknown kind \"%s\"; expected rndis_len, ppi_offset, data_offset, range_offset, range_count, truncated or nvsp_truncated\n",
		       dev_name(&sim->dev), kind);
	return err ?: count;
}

static const struct file_operations netvsc_sim_inject_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= netvsc_sim_inject_write,
	.llseek	= no_llseek,
};

/**
 * netvsc_sim_proto_debugfs - the protocol-mode files of a device
 * @sim: the device
 * @dir: its debugfs directory
 */
void netvsc_sim_proto_debugfs(struct netvsc_sim_dev *sim, struct dentry *dir)
{
	struct netvsc_sim_proto *p = sim->proto;

	debugfs_create_x32("nvsp_version", 0400, dir, &p->nvsp_version);
	debugfs_create_u32("ndis_minor", 0400, dir, &p->ndis_minor);
	debugfs_create_x64("ndis_caps", 0400, dir, &p->ndis_caps);
	debugfs_create_x32("max_nvsp_version", 0600, dir,
			   &p->knobs.max_nvsp_version);
	debugfs_create_atomic_t("fail_query", 0600, dir, &p->knobs.fail_query);
	debugfs_create_x32("fail_oid", 0600, dir, &p->knobs.fail_oid);
	debugfs_create_atomic_t("drop_completion", 0600, dir,
				&p->knobs.drop_completion);
	debugfs_create_u32("vf_serial", 0600, dir, &p->vf_serial);
	debugfs_create_file_unsafe("vf_allocated", 0600, dir, sim,
				   &netvsc_sim_vf_alloc_fops);
	debugfs_create_file_unsafe("vf_assoc_hold", 0600, dir, sim,
				   &netvsc_sim_assoc_hold_fops);
	debugfs_create_file_unsafe("network_change", 0200, dir, sim,
				   &netvsc_sim_netchange_fops);
	debugfs_create_atomic_t("ring_full", 0600, dir, &p->ring_full);
	debugfs_create_file_unsafe("deliver_hold", 0600, dir, p,
				   &netvsc_sim_deliver_hold_fops);
	debugfs_create_atomic_t("ring_full_hits", 0400, dir,
				&p->ring_full_hits);
	debugfs_create_file_unsafe("rx_outstanding", 0400, dir, p,
				   &netvsc_sim_rx_outstanding_fops);
	debugfs_create_file("inject_malformed", 0200, dir, sim,
			    &netvsc_sim_inject_fops);
	debugfs_create_u32("csum_ppi", 0400, dir, &p->csum_ppi);
	debugfs_create_u32("lso_ppi", 0400, dir, &p->lso_ppi);
	debugfs_create_u32("vlan_ppi", 0400, dir, &p->vlan_ppi);
	debugfs_create_u32("rx_csum_ppi", 0400, dir, &p->rx_csum_ppi);
	debugfs_create_u32("rx_vlan_ppi", 0400, dir, &p->rx_vlan_ppi);
	debugfs_create_u32("bad_msgs", 0400, dir, &p->bad_msgs);
	debugfs_create_u32("rx_nobuf", 0400, dir, &p->rx_nobuf);
	debugfs_create_u32("one_range", 0400, dir, &p->knobs.one_range);
	debugfs_create_u32("split_sends", 0400, dir, &p->split_sends);
}
