/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsc: validation of what comes off the wire.
 *
 * These functions check a VMBus packet, an NVSP message or an RNDIS
 * message against the length the caller has, and say what they found.
 * They are pure: no allocation, no locking, no global state, so they
 * build in userspace for the unit tests and the fuzzer (tests/unit/).
 * On rejection they return -EINVAL or -EMSGSIZE and point *@why at a
 * constant string for the log line.
 *
 * Locking: none.
 */
#ifndef _NETVSC_PARSE_H
#define _NETVSC_PARSE_H

#include <linux/types.h>

#include "nvsp.h"
#include "rndis.h"

/* Most ranges we accept in one transfer-page packet. */
#define NETVSC_MAX_XFER_RANGES	64

/**
 * struct netvsc_vmpkt - a VMBus packet, checked
 * @type: VMPKT_*
 * @flags: VMPKT_FLAG_*
 * @trans_id: transaction id
 * @data: payload (offset8 * 8 into the packet)
 * @len: payload length
 * @pageset_id: transfer page set (VMPKT_DATA_XFER_PAGES only)
 * @range_count: number of ranges (VMPKT_DATA_XFER_PAGES only)
 * @ranges: the ranges, all inside the packet (VMPKT_DATA_XFER_PAGES)
 */
struct netvsc_vmpkt {
	u16 type;
	u16 flags;
	u64 trans_id;
	const u8 *data;
	u32 len;
	u16 pageset_id;
	u32 range_count;
	const u8 *ranges;
};

/**
 * struct netvsc_rndis_pkt - an RNDIS data packet, checked
 * @data_offset: offset of the frame from the RNDIS header
 * @data_len: its length
 * @csum: PPI_CHECKSUM value, if @has & BIT(PPI_CHECKSUM)
 * @lso: PPI_LSO value, if @has & BIT(PPI_LSO)
 * @vlan: PPI_IEEE8021Q value, if @has & BIT(PPI_IEEE8021Q)
 * @hash: PPI_HASH value, if @has & BIT(PPI_HASH)
 * @has: which PPIs were present (BIT(type) for the types above)
 */
struct netvsc_rndis_pkt {
	u32 data_offset;
	u32 data_len;
	u32 csum;
	u32 lso;
	u32 vlan;
	u32 hash;
	u32 has;
};

/**
 * struct netvsc_offload_caps - what OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES said
 * @ip4_tx_csum: NDIS_CSUM_* the host computes on IPv4 transmit
 * @ip4_rx_csum: NDIS_CSUM_* it verifies on IPv4 receive
 * @ip6_tx_csum: the same for IPv6
 * @ip6_rx_csum: the same for IPv6
 * @lso4: whether the host does IPv4 LSOv2
 * @lso4_max: largest IPv4 LSOv2 frame
 * @lso4_min_segs: fewest segments in one
 * @lso6: the same for IPv6
 * @lso6_max: the same for IPv6
 * @lso6_min_segs: the same for IPv6
 */
struct netvsc_offload_caps {
	u32 ip4_tx_csum;
	u32 ip4_rx_csum;
	u32 ip6_tx_csum;
	u32 ip6_rx_csum;
	bool lso4;
	u32 lso4_max;
	u32 lso4_min_segs;
	bool lso6;
	u32 lso6_max;
	u32 lso6_min_segs;
};

int netvsc_parse_vmpkt(const void *pkt, u32 len, struct netvsc_vmpkt *out,
		       const char **why);
int netvsc_parse_range(const struct netvsc_vmpkt *pkt, u32 i, u32 buf_size,
		       u32 *offset, u32 *len, const char **why);
int netvsc_parse_nvsp(const void *msg, u32 len, u32 *type, const char **why);
int netvsc_parse_recv_buf_done(const void *msg, u32 len, u32 buf_size,
			       const char **why);
int netvsc_parse_send_buf_done(const void *msg, u32 len, u32 buf_size,
			       u32 *section_size, const char **why);
int netvsc_parse_rndis(const void *msg, u32 len, u32 *type, u32 *msg_len,
		       const char **why);
int netvsc_parse_rndis_pkt(const void *msg, u32 len,
			   struct netvsc_rndis_pkt *out, const char **why);
int netvsc_parse_rndis_info(const void *msg, u32 len, u32 *offset,
			    u32 *info_len, const char **why);
int netvsc_parse_indicate(const void *msg, u32 len, u32 *status,
			  const char **why);
int netvsc_parse_offload(const void *info, u32 len,
			 struct netvsc_offload_caps *caps, const char **why);

#endif /* _NETVSC_PARSE_H */
