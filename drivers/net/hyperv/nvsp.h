/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsc: the wire format of VMBus packets and of NVSP, the Network
 * Virtual Service Protocol that runs on the netvsc channel.
 *
 * All fields are little endian, as Hyper-V is; layouts are packed and
 * their documented sizes are pinned below.  The engine and the
 * simulated host read them with the accessors of parse.h, never by
 * dereferencing a host-controlled pointer.
 *
 * Locking: none; layouts only.
 */
#ifndef _NETVSC_NVSP_H
#define _NETVSC_NVSP_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* VMBus packet types that the netvsc channel carries. */
#define VMPKT_DATA_INBAND		6
#define VMPKT_DATA_XFER_PAGES		7
#define VMPKT_DATA_GPA_DIRECT		9
#define VMPKT_COMP			11

#define VMPKT_FLAG_COMPLETION		1

/* The descriptor at the start of every VMBus packet. */
struct vmpkt_desc {
	u16 type;
	u16 offset8;	/* payload offset, in 8-byte units */
	u16 len8;	/* packet length, in 8-byte units */
	u16 flags;
	u64 trans_id;
} __packed;

/* One range of the host's transfer page set (our receive buffer). */
struct vmpkt_xfer_range {
	u32 len;
	u32 offset;
} __packed;

/* A packet whose data is in the receive buffer. */
struct vmpkt_xfer_hdr {
	struct vmpkt_desc desc;
	u16 pageset_id;
	u8 sender_owns_set;
	u8 reserved;
	u32 range_count;
	struct vmpkt_xfer_range ranges[];
} __packed;

/* NVSP versions, oldest first. */
#define NVSP_VERSION_1		0x00002
#define NVSP_VERSION_2		0x30002
#define NVSP_VERSION_4		0x40000
#define NVSP_VERSION_5		0x50000
#define NVSP_VERSION_6		0x60000
#define NVSP_VERSION_61		0x60001

/* NVSP message types. */
#define NVSP_MSG_INIT			1
#define NVSP_MSG_INIT_DONE		2
#define NVSP_MSG1_NDIS_VERSION		100
#define NVSP_MSG1_RECV_BUF		101
#define NVSP_MSG1_RECV_BUF_DONE		102
#define NVSP_MSG1_REVOKE_RECV_BUF	103
#define NVSP_MSG1_SEND_BUF		104
#define NVSP_MSG1_SEND_BUF_DONE		105
#define NVSP_MSG1_REVOKE_SEND_BUF	106
#define NVSP_MSG1_RNDIS_PKT		107
#define NVSP_MSG1_RNDIS_PKT_DONE	108
#define NVSP_MSG2_NDIS_CONFIG		125
#define NVSP_MSG4_VF_ASSOCIATION	128
#define NVSP_MSG4_SWITCH_DATA_PATH	129
#define NVSP_MSG5_SEND_INDIRECTION_TABLE 134

/* NVSP status codes. */
#define NVSP_STAT_NONE			0
#define NVSP_STAT_SUCCESS		1
#define NVSP_STAT_FAIL			2
#define NVSP_STAT_PROTOCOL_TOO_NEW	3
#define NVSP_STAT_PROTOCOL_TOO_OLD	4
#define NVSP_STAT_INVALID_RNDIS_PKT	5
#define NVSP_STAT_BUSY			6

/* RNDIS channel types of NVSP_MSG1_RNDIS_PKT. */
#define NVSP_RNDIS_DATA			0
#define NVSP_RNDIS_CONTROL		1

#define NVSP_NO_SECTION			0xffffffff

/* Capabilities in NVSP_MSG2_NDIS_CONFIG. */
#define NVSP_CAP_VMQ			BIT_ULL(0)
#define NVSP_CAP_CHIMNEY		BIT_ULL(1)
#define NVSP_CAP_SRIOV			BIT_ULL(2)
#define NVSP_CAP_IEEE8021Q		BIT_ULL(3)
#define NVSP_CAP_CORRELATION_ID		BIT_ULL(4)
#define NVSP_CAP_TEAMING		BIT_ULL(5)

/* Data paths of NVSP_MSG4_SWITCH_DATA_PATH. */
#define NVSP_DATAPATH_SYNTHETIC		0
#define NVSP_DATAPATH_VF		1

/* The receive and send buffer ids we use. */
#define NVSP_RECV_BUF_ID		0xcafe
#define NVSP_SEND_BUF_ID		0

struct nvsp_init {
	u32 min_version;
	u32 max_version;
} __packed;

struct nvsp_init_done {
	u32 version;
	u32 max_mdl_chain_len;
	u32 status;
} __packed;

struct nvsp_ndis_version {
	u32 major;
	u32 minor;
} __packed;

struct nvsp_buf {
	u32 gpadl;
	u16 id;
} __packed;

struct nvsp_recv_section {
	u32 offset;
	u32 sub_alloc_size;
	u32 num_sub_allocs;
	u32 end_offset;
} __packed;

struct nvsp_recv_buf_done {
	u32 status;
	u32 num_sections;
	struct nvsp_recv_section sections[];
} __packed;

struct nvsp_send_buf_done {
	u32 status;
	u32 section_size;
} __packed;

struct nvsp_revoke {
	u16 id;
} __packed;

struct nvsp_rndis_pkt {
	u32 channel;
	u32 section;
	u32 section_size;
} __packed;

struct nvsp_rndis_pkt_done {
	u32 status;
} __packed;

struct nvsp_ndis_config {
	u32 mtu;
	u32 reserved;
	u64 caps;
} __packed;

struct nvsp_vf_assoc {
	u32 allocated;
	u32 serial;
} __packed;

struct nvsp_datapath {
	u32 active;
} __packed;

#define NVSP_BODY_SIZE	36

/* Every NVSP message the guest sends is this size. */
struct nvsp_msg {
	u32 type;
	union {
		struct nvsp_init init;
		struct nvsp_init_done init_done;
		struct nvsp_ndis_version ndis_version;
		struct nvsp_buf buf;
		struct nvsp_recv_buf_done recv_buf_done;
		struct nvsp_send_buf_done send_buf_done;
		struct nvsp_revoke revoke;
		struct nvsp_rndis_pkt rndis_pkt;
		struct nvsp_rndis_pkt_done rndis_pkt_done;
		struct nvsp_ndis_config ndis_config;
		struct nvsp_vf_assoc vf_assoc;
		struct nvsp_datapath datapath;
		u8 raw[NVSP_BODY_SIZE];
	};
} __packed;

static_assert(sizeof(struct vmpkt_desc) == 16);
static_assert(sizeof(struct vmpkt_xfer_range) == 8);
static_assert(sizeof(struct vmpkt_xfer_hdr) == 24);
static_assert(sizeof(struct nvsp_init) == 8);
static_assert(sizeof(struct nvsp_init_done) == 12);
static_assert(sizeof(struct nvsp_buf) == 6);
static_assert(sizeof(struct nvsp_recv_section) == 16);
static_assert(sizeof(struct nvsp_recv_buf_done) == 8);
static_assert(sizeof(struct nvsp_send_buf_done) == 8);
static_assert(sizeof(struct nvsp_rndis_pkt) == 12);
static_assert(sizeof(struct nvsp_ndis_config) == 16);
static_assert(sizeof(struct nvsp_vf_assoc) == 8);
static_assert(sizeof(struct nvsp_datapath) == 4);
static_assert(sizeof(struct nvsp_msg) == 40);

#endif /* _NETVSC_NVSP_H */
