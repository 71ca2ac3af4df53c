/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsc: the wire format of RNDIS as Hyper-V's network VSP speaks it,
 * with the NDIS objects and per-packet information it carries.
 *
 * All fields are little endian.  Offsets inside a message are counted
 * from the field after the 8-byte RNDIS header, except the offset of a
 * PPI's data, which is counted from the PPI.  Layout sizes are pinned
 * below.
 *
 * Locking: none; layouts only.
 */
#ifndef _NETVSC_RNDIS_H
#define _NETVSC_RNDIS_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Message types. */
#define RNDIS_MSG_PACKET	0x00000001
#define RNDIS_MSG_INIT		0x00000002
#define RNDIS_MSG_HALT		0x00000003
#define RNDIS_MSG_QUERY		0x00000004
#define RNDIS_MSG_SET		0x00000005
#define RNDIS_MSG_RESET		0x00000006
#define RNDIS_MSG_INDICATE	0x00000007
#define RNDIS_MSG_KEEPALIVE	0x00000008
#define RNDIS_MSG_DONE		0x80000000

/* Status codes. */
#define RNDIS_STATUS_SUCCESS		0x00000000
#define RNDIS_STATUS_MEDIA_CONNECT	0x4001000b
#define RNDIS_STATUS_MEDIA_DISCONNECT	0x4001000c
#define RNDIS_STATUS_NETWORK_CHANGE	0x40010018
#define RNDIS_STATUS_FAILURE		0xc0000001
#define RNDIS_STATUS_NOT_SUPPORTED	0xc00000bb
#define RNDIS_STATUS_INVALID_LENGTH	0xc0010014
#define RNDIS_STATUS_INVALID_DATA	0xc0010015

/* OIDs. */
#define OID_GEN_MAXIMUM_FRAME_SIZE		0x00010106
#define OID_GEN_LINK_SPEED			0x00010107
#define OID_GEN_CURRENT_PACKET_FILTER		0x0001010e
#define OID_GEN_MEDIA_CONNECT_STATUS		0x00010114
#define OID_802_3_PERMANENT_ADDRESS		0x01010101
#define OID_802_3_CURRENT_ADDRESS		0x01010102
#define OID_TCP_OFFLOAD_PARAMETERS		0xfc01020c
#define OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES	0xfc01020d

/* OID_GEN_MEDIA_CONNECT_STATUS values. */
#define NDIS_MEDIA_CONNECTED		0
#define NDIS_MEDIA_DISCONNECTED		1

/* OID_GEN_CURRENT_PACKET_FILTER bits. */
#define NDIS_PACKET_TYPE_DIRECTED	0x00000001
#define NDIS_PACKET_TYPE_MULTICAST	0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST	0x00000004
#define NDIS_PACKET_TYPE_BROADCAST	0x00000008
#define NDIS_PACKET_TYPE_PROMISCUOUS	0x00000020

#define RNDIS_MAJOR_VERSION		1
#define RNDIS_MINOR_VERSION		0
#define RNDIS_DF_CONNECTIONLESS		0x00000001
#define RNDIS_MEDIUM_802_3		0

struct rndis_hdr {
	u32 type;
	u32 len;
} __packed;

struct rndis_init_req {
	u32 req_id;
	u32 major;
	u32 minor;
	u32 max_xfer_size;
} __packed;

struct rndis_init_done {
	u32 req_id;
	u32 status;
	u32 major;
	u32 minor;
	u32 dev_flags;
	u32 medium;
	u32 max_pkts_per_msg;
	u32 max_xfer_size;
	u32 pkt_align_shift;
	u32 af_list_offset;
	u32 af_list_size;
} __packed;

struct rndis_halt_req {
	u32 req_id;
} __packed;

/* QUERY and SET requests share this layout. */
struct rndis_oid_req {
	u32 req_id;
	u32 oid;
	u32 info_len;
	u32 info_offset;
	u32 vc_handle;
} __packed;

struct rndis_query_done {
	u32 req_id;
	u32 status;
	u32 info_len;
	u32 info_offset;
} __packed;

struct rndis_set_done {
	u32 req_id;
	u32 status;
} __packed;

struct rndis_indicate {
	u32 status;
	u32 buf_len;
	u32 buf_offset;
} __packed;

struct rndis_keepalive_done {
	u32 req_id;
	u32 status;
} __packed;

struct rndis_packet {
	u32 data_offset;
	u32 data_len;
	u32 oob_offset;
	u32 oob_len;
	u32 oob_count;
	u32 ppi_offset;
	u32 ppi_len;
	u32 vc_handle;
	u32 reserved;
} __packed;

/* Per-packet information: a header, then its data at @offset. */
struct rndis_ppi {
	u32 size;
	u32 type;	/* bit 31: internal */
	u32 offset;
} __packed;

#define RNDIS_PPI_INTERNAL		BIT(31)

/* PPI types. */
#define PPI_CHECKSUM			0
#define PPI_LSO				2
#define PPI_IEEE8021Q			6
#define PPI_HASH			8

/* PPI_CHECKSUM, transmit. */
#define PPI_CSUM_TX_IPV4		BIT(0)
#define PPI_CSUM_TX_IPV6		BIT(1)
#define PPI_CSUM_TX_TCP			BIT(2)
#define PPI_CSUM_TX_UDP			BIT(3)
#define PPI_CSUM_TX_IP			BIT(4)
#define PPI_CSUM_TX_L4_OFFSET_SHIFT	16
#define PPI_CSUM_TX_L4_OFFSET_MASK	0x3ff

/* PPI_CHECKSUM, receive. */
#define PPI_CSUM_RX_TCP_FAILED		BIT(0)
#define PPI_CSUM_RX_UDP_FAILED		BIT(1)
#define PPI_CSUM_RX_IP_FAILED		BIT(2)
#define PPI_CSUM_RX_TCP_OK		BIT(3)
#define PPI_CSUM_RX_UDP_OK		BIT(4)
#define PPI_CSUM_RX_IP_OK		BIT(5)

/* PPI_LSO, LSOv2 transmit. */
#define PPI_LSO_MSS_MASK		0xfffff
#define PPI_LSO_L4_OFFSET_SHIFT		20
#define PPI_LSO_L4_OFFSET_MASK		0x3ff
#define PPI_LSO_V2			BIT(30)
#define PPI_LSO_IPV6			BIT(31)

/* PPI_IEEE8021Q. */
#define PPI_VLAN_PRIO_MASK		0x7
#define PPI_VLAN_CFI			BIT(3)
#define PPI_VLAN_ID_SHIFT		4
#define PPI_VLAN_ID_MASK		0xfff

/* NDIS object header. */
struct ndis_obj_hdr {
	u8 type;
	u8 revision;
	u16 size;
} __packed;

#define NDIS_OBJ_TYPE_DEFAULT		0x80
#define NDIS_OBJ_TYPE_OFFLOAD		0xa7

struct ndis_csum_caps {
	u32 ip4_tx_encap;
	u32 ip4_tx;
	u32 ip4_rx_encap;
	u32 ip4_rx;
	u32 ip6_tx_encap;
	u32 ip6_tx;
	u32 ip6_rx_encap;
	u32 ip6_rx;
} __packed;

#define NDIS_CSUM_IP4_OPTS		0x001
#define NDIS_CSUM_TCP_OPTS		0x004
#define NDIS_CSUM_TCP			0x010
#define NDIS_CSUM_UDP			0x040
#define NDIS_CSUM_IP4			0x100

#define NDIS_ENCAP_8023			0x0002

struct ndis_lsov1_caps {
	u32 encap;
	u32 max_size;
	u32 min_segs;
	u32 opts;
} __packed;

struct ndis_ipsecv1_caps {
	u32 encap;
	u32 ah_esp;
	u32 xport_tun;
	u32 ip4_opts;
	u32 flags;
	u32 ip4_ah;
	u32 ip4_esp;
} __packed;

struct ndis_lsov2_caps {
	u32 ip4_encap;
	u32 ip4_max_size;
	u32 ip4_min_segs;
	u32 ip6_encap;
	u32 ip6_max_size;
	u32 ip6_min_segs;
	u32 ip6_opts;
} __packed;

struct ndis_ipsecv2_caps {
	u32 encap;
	u8 flags[11];
	u8 pad;
	u32 udp_esp;
	u32 auth;
	u32 crypto;
	u32 sa_caps;
} __packed;

/* OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES. */
struct ndis_offload {
	struct ndis_obj_hdr hdr;
	struct ndis_csum_caps csum;
	struct ndis_lsov1_caps lsov1;
	struct ndis_ipsecv1_caps ipsecv1;
	struct ndis_lsov2_caps lsov2;
	u32 flags;
	/* NDIS 6.1 */
	struct ndis_ipsecv2_caps ipsecv2;
	/* NDIS 6.30 */
	u8 rsc_ip4;
	u8 rsc_ip6;
	u16 pad;
	u32 encap_flags;
	u32 encap_max_hdr;
} __packed;

#define NDIS_OFFLOAD_REVISION_1		1
#define NDIS_OFFLOAD_REVISION_2		2
#define NDIS_OFFLOAD_REVISION_3		3
#define NDIS_OFFLOAD_SIZE_6_0		offsetof(struct ndis_offload, ipsecv2)
#define NDIS_OFFLOAD_SIZE_6_1		offsetof(struct ndis_offload, rsc_ip4)
#define NDIS_OFFLOAD_SIZE_6_30		sizeof(struct ndis_offload)

/* OID_TCP_OFFLOAD_PARAMETERS. */
struct ndis_offload_params {
	struct ndis_obj_hdr hdr;
	u8 ip4_csum;
	u8 tcp4_csum;
	u8 udp4_csum;
	u8 tcp6_csum;
	u8 udp6_csum;
	u8 lsov1;
	u8 ipsecv1;
	u8 lsov2_ip4;
	u8 lsov2_ip6;
	u8 tcp_conn_ip4;
	u8 tcp_conn_ip6;
	u8 pad;
	u32 flags;
	u8 ipsecv2;
	u8 ipsecv2_ip4;
	u8 rsc_ip4;
	u8 rsc_ip6;
	u8 encap_task;
	u8 encap_types;
	u16 pad2;
} __packed;

#define NDIS_OFFLOAD_PARAMS_REVISION_3	3
#define NDIS_OFFLOAD_PARAMS_SIZE_V4	22	/* NVSP 4 and older */
#define NDIS_OFFLOAD_PARAMS_SIZE	sizeof(struct ndis_offload_params)

#define NDIS_OFFLOAD_NO_CHANGE		0
#define NDIS_OFFLOAD_LSOV2_DISABLED	1
#define NDIS_OFFLOAD_LSOV2_ENABLED	2
#define NDIS_OFFLOAD_TX_RX_DISABLED	1
#define NDIS_OFFLOAD_TX_RX_ENABLED	4

static_assert(sizeof(struct rndis_hdr) == 8);
static_assert(sizeof(struct rndis_init_req) == 16);
static_assert(sizeof(struct rndis_init_done) == 44);
static_assert(sizeof(struct rndis_oid_req) == 20);
static_assert(sizeof(struct rndis_query_done) == 16);
static_assert(sizeof(struct rndis_set_done) == 8);
static_assert(sizeof(struct rndis_indicate) == 12);
static_assert(sizeof(struct rndis_packet) == 36);
static_assert(sizeof(struct rndis_ppi) == 12);
static_assert(sizeof(struct ndis_csum_caps) == 32);
static_assert(NDIS_OFFLOAD_SIZE_6_0 == 112);
static_assert(NDIS_OFFLOAD_SIZE_6_1 == 144);
static_assert(NDIS_OFFLOAD_SIZE_6_30 == 156);
static_assert(sizeof(struct ndis_offload_params) == 28);

#endif /* _NETVSC_RNDIS_H */
