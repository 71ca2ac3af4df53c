// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: validation of VMBus packets, NVSP and RNDIS messages.
 *
 * Nothing here trusts a length, an offset or a count it reads: each is
 * checked against the bytes the caller has before anything behind it
 * is read, with 64-bit arithmetic where a sum could wrap.  Fields are
 * read unaligned, as the host packs them as it likes.
 *
 * Locking: none (pure functions).
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <asm/unaligned.h>

#include "parse.h"

static u32 rd32(const u8 *p)
{
	return get_unaligned_le32(p);
}

static u16 rd16(const u8 *p)
{
	return get_unaligned_le16(p);
}

/* Does [off, off + len) fit in size? */
static bool fits(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

static int reject(const char **why, const char *reason, int err)
{
	*why = reason;
	return err;
}

/**
 * netvsc_parse_vmpkt - check a VMBus packet from the host
 * @pkt: the packet, starting at its descriptor
 * @len: the bytes at @pkt
 * @out: what it says
 * @why: reason of a rejection
 *
 * Return: 0, or -EINVAL/-EMSGSIZE with *@why set.
 */
int netvsc_parse_vmpkt(const void *pkt, u32 len, struct netvsc_vmpkt *out,
		       const char **why)
{
	const u8 *p = pkt;
	u32 off, plen;

	if (len < sizeof(struct vmpkt_desc))
		return reject(why, "packet shorter than its descriptor", -EMSGSIZE);

	out->type = rd16(p + offsetof(struct vmpkt_desc, type));
	off = (u32)rd16(p + offsetof(struct vmpkt_desc, offset8)) << 3;
	plen = (u32)rd16(p + offsetof(struct vmpkt_desc, len8)) << 3;
	out->flags = rd16(p + offsetof(struct vmpkt_desc, flags));
	out->trans_id = get_unaligned_le64(p + offsetof(struct vmpkt_desc,
							trans_id));

	if (plen > len)
		return reject(why, "descriptor length beyond the packet", -EMSGSIZE);
	if (off < sizeof(struct vmpkt_desc) || off > plen)
		return reject(why, "bad payload offset in the descriptor", -EINVAL);

	out->data = p + off;
	out->len = plen - off;
	out->pageset_id = 0;
	out->range_count = 0;
	out->ranges = NULL;

	if (out->type != VMPKT_DATA_XFER_PAGES)
		return 0;

	if (off < sizeof(struct vmpkt_xfer_hdr))
		return reject(why, "transfer-page header truncated", -EMSGSIZE);
	out->pageset_id = rd16(p + offsetof(struct vmpkt_xfer_hdr, pageset_id));
	out->range_count = rd32(p + offsetof(struct vmpkt_xfer_hdr,
					     range_count));
	if (!out->range_count || out->range_count > NETVSC_MAX_XFER_RANGES)
		return reject(why, "bad transfer-page range count", -EINVAL);
	if (!fits(sizeof(struct vmpkt_xfer_hdr),
		  (u64)out->range_count * sizeof(struct vmpkt_xfer_range), off))
		return reject(why, "transfer-page ranges beyond the header", -EMSGSIZE);
	out->ranges = p + sizeof(struct vmpkt_xfer_hdr);
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_vmpkt);

/**
 * netvsc_parse_range - check one range of a transfer-page packet
 * @pkt: a packet checked by netvsc_parse_vmpkt()
 * @i: the range, below @pkt->range_count
 * @buf_size: size of the receive buffer
 * @offset: its offset in the receive buffer
 * @len: its length
 * @why: reason of a rejection
 *
 * Return: 0, or -EINVAL with *@why set.
 */
int netvsc_parse_range(const struct netvsc_vmpkt *pkt, u32 i, u32 buf_size,
		       u32 *offset, u32 *len, const char **why)
{
	const u8 *r;

	if (i >= pkt->range_count)
		return reject(why, "range index beyond the range count", -EINVAL);
	r = pkt->ranges + (size_t)i * sizeof(struct vmpkt_xfer_range);
	*len = rd32(r + offsetof(struct vmpkt_xfer_range, len));
	*offset = rd32(r + offsetof(struct vmpkt_xfer_range, offset));
	if (!*len)
		return reject(why, "empty receive-buffer range", -EINVAL);
	if (!fits(*offset, *len, buf_size))
		return reject(why, "receive-buffer range beyond the buffer", -EINVAL);
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_range);

/* Shortest valid message of each NVSP type, header included. */
static u32 nvsp_min_len(u32 type)
{
	switch (type) {
	case NVSP_MSG_INIT:
		return 4 + sizeof(struct nvsp_init);
	case NVSP_MSG_INIT_DONE:
		return 4 + sizeof(struct nvsp_init_done);
	case NVSP_MSG1_NDIS_VERSION:
		return 4 + sizeof(struct nvsp_ndis_version);
	case NVSP_MSG1_RECV_BUF:
	case NVSP_MSG1_SEND_BUF:
		return 4 + sizeof(struct nvsp_buf);
	case NVSP_MSG1_RECV_BUF_DONE:
		return 4 + sizeof(struct nvsp_recv_buf_done);
	case NVSP_MSG1_SEND_BUF_DONE:
		return 4 + sizeof(struct nvsp_send_buf_done);
	case NVSP_MSG1_REVOKE_RECV_BUF:
	case NVSP_MSG1_REVOKE_SEND_BUF:
		return 4 + sizeof(struct nvsp_revoke);
	case NVSP_MSG1_RNDIS_PKT:
		return 4 + sizeof(struct nvsp_rndis_pkt);
	case NVSP_MSG1_RNDIS_PKT_DONE:
		return 4 + sizeof(struct nvsp_rndis_pkt_done);
	case NVSP_MSG2_NDIS_CONFIG:
		return 4 + sizeof(struct nvsp_ndis_config);
	case NVSP_MSG4_VF_ASSOCIATION:
		return 4 + sizeof(struct nvsp_vf_assoc);
	case NVSP_MSG4_SWITCH_DATA_PATH:
		return 4 + sizeof(struct nvsp_datapath);
	default:
		return 4;
	}
}

/**
 * netvsc_parse_nvsp - check an NVSP message
 * @msg: the message
 * @len: its length
 * @type: its type
 * @why: reason of a rejection
 *
 * Checks that the message is long enough for its type; an unknown type
 * is the caller's to judge.
 *
 * Return: 0, or -EMSGSIZE with *@why set.
 */
int netvsc_parse_nvsp(const void *msg, u32 len, u32 *type, const char **why)
{
	if (len < 4)
		return reject(why, "NVSP message shorter than its header", -EMSGSIZE);
	*type = rd32(msg);
	if (len < nvsp_min_len(*type))
		return reject(why, "NVSP message truncated", -EMSGSIZE);
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_nvsp);

/**
 * netvsc_parse_recv_buf_done - check the host's answer to our receive buffer
 * @msg: an NVSP_MSG1_RECV_BUF_DONE message checked by netvsc_parse_nvsp()
 * @len: its length
 * @buf_size: size of the receive buffer
 * @why: reason of a rejection
 *
 * Return: 0, -EIO if the host refused the buffer, or -EINVAL/-EMSGSIZE.
 */
int netvsc_parse_recv_buf_done(const void *msg, u32 len, u32 buf_size,
			       const char **why)
{
	const u8 *p = msg;
	u32 i, n;

	if (rd32(p + 4) != NVSP_STAT_SUCCESS)
		return reject(why, "host refused the receive buffer", -EIO);
	n = rd32(p + 8);
	if (!n || n > 16)
		return reject(why, "bad receive-buffer section count", -EINVAL);
	if (!fits(12, (u64)n * sizeof(struct nvsp_recv_section), len))
		return reject(why, "receive-buffer sections truncated", -EMSGSIZE);

	for (i = 0; i < n; i++) {
		const u8 *s = p + 12 + i * sizeof(struct nvsp_recv_section);
		u32 start = rd32(s);
		u32 sub = rd32(s + 4);
		u32 count = rd32(s + 8);
		u32 end = rd32(s + 12);

		if (start > end || end > buf_size || !sub || !count ||
		    (u64)sub * count > end - start)
			return reject(why, "receive-buffer section beyond the buffer",
				      -EINVAL);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_recv_buf_done);

/**
 * netvsc_parse_send_buf_done - check the host's answer to our send buffer
 * @msg: an NVSP_MSG1_SEND_BUF_DONE message checked by netvsc_parse_nvsp()
 * @len: its length
 * @buf_size: size of the send buffer
 * @section_size: the section size the host chose
 * @why: reason of a rejection
 *
 * Return: 0, -EIO if the host refused the buffer, or -EINVAL.
 */
int netvsc_parse_send_buf_done(const void *msg, u32 len, u32 buf_size,
			       u32 *section_size, const char **why)
{
	const u8 *p = msg;

	if (len < 4 + sizeof(struct nvsp_send_buf_done))
		return reject(why, "NVSP message truncated", -EMSGSIZE);
	if (rd32(p + 4) != NVSP_STAT_SUCCESS)
		return reject(why, "host refused the send buffer", -EIO);
	*section_size = rd32(p + 8);
	if (*section_size < 64 || *section_size > buf_size)
		return reject(why, "bad send-buffer section size", -EINVAL);
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_send_buf_done);

/**
 * netvsc_parse_rndis - check the header of an RNDIS message
 * @msg: the message
 * @len: the bytes at @msg
 * @type: its type
 * @msg_len: its length, at most @len
 * @why: reason of a rejection
 *
 * Return: 0, or -EMSGSIZE with *@why set.
 */
int netvsc_parse_rndis(const void *msg, u32 len, u32 *type, u32 *msg_len,
		       const char **why)
{
	if (len < sizeof(struct rndis_hdr))
		return reject(why, "RNDIS message shorter than its header", -EMSGSIZE);
	*type = rd32(msg);
	*msg_len = rd32((const u8 *)msg + 4);
	if (*msg_len < sizeof(struct rndis_hdr) || *msg_len > len)
		return reject(why, "bad RNDIS message length", -EMSGSIZE);
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_rndis);

static int netvsc_parse_ppis(const u8 *p, u32 len, struct netvsc_rndis_pkt *out,
			     const char **why)
{
	while (len) {
		u32 size, type, off;

		if (len < sizeof(struct rndis_ppi))
			return reject(why, "PPI header truncated", -EMSGSIZE);
		size = rd32(p + offsetof(struct rndis_ppi, size));
		type = rd32(p + offsetof(struct rndis_ppi, type));
		off = rd32(p + offsetof(struct rndis_ppi, offset));
		if (size < sizeof(struct rndis_ppi) || size > len)
			return reject(why, "bad PPI size", -EINVAL);
		if (off < sizeof(struct rndis_ppi) || off > size)
			return reject(why, "bad PPI offset", -EINVAL);

		if (!(type & RNDIS_PPI_INTERNAL)) {
			u32 *val = NULL;

			switch (type) {
			case PPI_CHECKSUM:
				val = &out->csum;
				break;
			case PPI_LSO:
				val = &out->lso;
				break;
			case PPI_IEEE8021Q:
				val = &out->vlan;
				break;
			case PPI_HASH:
				val = &out->hash;
				break;
			}
			if (val) {
				if (size - off < sizeof(u32))
					return reject(why, "PPI data truncated",
						      -EMSGSIZE);
				*val = rd32(p + off);
				out->has |= BIT(type);
			}
		}
		p += size;
		len -= size;
	}
	return 0;
}

/**
 * netvsc_parse_rndis_pkt - check an RNDIS data packet
 * @msg: the message, checked by netvsc_parse_rndis()
 * @len: its length (the header's)
 * @out: where its frame is and what its PPIs say
 * @why: reason of a rejection
 *
 * Return: 0, or -EINVAL/-EMSGSIZE with *@why set.
 */
int netvsc_parse_rndis_pkt(const void *msg, u32 len,
			   struct netvsc_rndis_pkt *out, const char **why)
{
	const u8 *p = msg;
	const u8 *body = p + sizeof(struct rndis_hdr);
	u32 blen, ppi_off, ppi_len;

	if (len < sizeof(struct rndis_hdr) + sizeof(struct rndis_packet))
		return reject(why, "RNDIS packet message truncated", -EMSGSIZE);
	blen = len - sizeof(struct rndis_hdr);

	out->has = 0;
	out->data_offset = rd32(body + offsetof(struct rndis_packet, data_offset));
	out->data_len = rd32(body + offsetof(struct rndis_packet, data_len));
	ppi_off = rd32(body + offsetof(struct rndis_packet, ppi_offset));
	ppi_len = rd32(body + offsetof(struct rndis_packet, ppi_len));

	if (!out->data_len)
		return reject(why, "RNDIS packet without data", -EINVAL);
	if (out->data_offset < sizeof(struct rndis_packet) ||
	    !fits(out->data_offset, out->data_len, blen))
		return reject(why, "RNDIS data beyond the message", -EINVAL);
	out->data_offset += sizeof(struct rndis_hdr);

	if (!ppi_len)
		return 0;
	if (ppi_off < sizeof(struct rndis_packet) || !fits(ppi_off, ppi_len, blen))
		return reject(why, "RNDIS PPIs beyond the message", -EINVAL);
	return netvsc_parse_ppis(body + ppi_off, ppi_len, out, why);
}
EXPORT_SYMBOL_GPL(netvsc_parse_rndis_pkt);

/**
 * netvsc_parse_rndis_info - find the information buffer of an OID message
 * @msg: a QUERY or SET request or a QUERY completion, checked by
 *	netvsc_parse_rndis()
 * @len: its length (the header's)
 * @offset: offset of the buffer from @msg
 * @info_len: its length
 * @why: reason of a rejection
 *
 * Return: 0, or -EINVAL/-EMSGSIZE with *@why set.
 */
int netvsc_parse_rndis_info(const void *msg, u32 len, u32 *offset,
			    u32 *info_len, const char **why)
{
	const u8 *p = msg;
	u32 off;

	if (len < sizeof(struct rndis_hdr) + sizeof(struct rndis_query_done))
		return reject(why, "RNDIS OID message truncated", -EMSGSIZE);
	*info_len = rd32(p + 16);
	off = rd32(p + 20);
	if (!*info_len) {
		*offset = 0;
		return 0;
	}
	if (!fits((u64)off + sizeof(struct rndis_hdr), *info_len, len))
		return reject(why, "RNDIS information buffer beyond the message",
			      -EINVAL);
	*offset = off + sizeof(struct rndis_hdr);
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_rndis_info);

/**
 * netvsc_parse_indicate - check an RNDIS status indication
 * @msg: the message, checked by netvsc_parse_rndis()
 * @len: its length (the header's)
 * @status: the status it indicates
 * @why: reason of a rejection
 *
 * Return: 0, or -EINVAL/-EMSGSIZE with *@why set.
 */
int netvsc_parse_indicate(const void *msg, u32 len, u32 *status,
			  const char **why)
{
	const u8 *p = msg;
	u32 blen, boff;

	if (len < sizeof(struct rndis_hdr) + sizeof(struct rndis_indicate))
		return reject(why, "RNDIS indication truncated", -EMSGSIZE);
	*status = rd32(p + 8);
	blen = rd32(p + 12);
	boff = rd32(p + 16);
	if (blen && !fits((u64)boff + sizeof(struct rndis_hdr), blen, len))
		return reject(why, "RNDIS indication buffer beyond the message",
			      -EINVAL);
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_indicate);

/**
 * netvsc_parse_offload - read OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES
 * @info: the information buffer of the query completion
 * @len: its length
 * @caps: what the host can do
 * @why: reason of a rejection
 *
 * Return: 0, or -EINVAL/-EMSGSIZE with *@why set.
 */
int netvsc_parse_offload(const void *info, u32 len,
			 struct netvsc_offload_caps *caps, const char **why)
{
	const u8 *p = info;
	u32 size;

	if (len < NDIS_OFFLOAD_SIZE_6_0)
		return reject(why, "offload capabilities truncated", -EMSGSIZE);
	if (p[offsetof(struct ndis_offload, hdr.type)] != NDIS_OBJ_TYPE_OFFLOAD)
		return reject(why, "offload capabilities of the wrong type", -EINVAL);
	if (p[offsetof(struct ndis_offload, hdr.revision)] < NDIS_OFFLOAD_REVISION_1)
		return reject(why, "offload capabilities of a bad revision", -EINVAL);
	size = rd16(p + offsetof(struct ndis_offload, hdr.size));
	if (size < NDIS_OFFLOAD_SIZE_6_0 || size > len)
		return reject(why, "bad offload capabilities size", -EINVAL);

#define CAP(f) rd32(p + offsetof(struct ndis_offload, f))
	caps->ip4_tx_csum = CAP(csum.ip4_tx_encap) & NDIS_ENCAP_8023 ?
			    CAP(csum.ip4_tx) : 0;
	caps->ip4_rx_csum = CAP(csum.ip4_rx_encap) & NDIS_ENCAP_8023 ?
			    CAP(csum.ip4_rx) : 0;
	caps->ip6_tx_csum = CAP(csum.ip6_tx_encap) & NDIS_ENCAP_8023 ?
			    CAP(csum.ip6_tx) : 0;
	caps->ip6_rx_csum = CAP(csum.ip6_rx_encap) & NDIS_ENCAP_8023 ?
			    CAP(csum.ip6_rx) : 0;
	caps->lso4_max = CAP(lsov2.ip4_max_size);
	caps->lso4 = (CAP(lsov2.ip4_encap) & NDIS_ENCAP_8023) && caps->lso4_max;
	caps->lso4_min_segs = CAP(lsov2.ip4_min_segs);
	caps->lso6_max = CAP(lsov2.ip6_max_size);
	caps->lso6 = (CAP(lsov2.ip6_encap) & NDIS_ENCAP_8023) && caps->lso6_max;
	caps->lso6_min_segs = CAP(lsov2.ip6_min_segs);
#undef CAP
	return 0;
}
EXPORT_SYMBOL_GPL(netvsc_parse_offload);
