/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsc_sim: a simulated Hyper-V host for netvsc.
 *
 * Each device is a synthetic NIC (a netvsc device, the guest end) wired
 * to a host-side netdevice nvshID (the host end).  In direct mode the
 * simulator is the guest's transport itself; in protocol mode the guest
 * runs the NVSP/RNDIS engine over a simulated channel, and sim_proto.c
 * plays the host's side of both protocols.  Frames the guest sends
 * on the synthetic path are received on nvshID; frames sent out of nvshID
 * arrive on the guest's synthetic path.  debugfs knobs set the offloads,
 * the link and faults.
 *
 * Locking:
 *  - netvsc_sim_lock (a mutex) protects the device list and serialises
 *    creation and deletion.
 *  - The knobs are single words, read with READ_ONCE() where the datapath
 *    or a work item reads them; the fault counters are atomics.
 *  - @switch_lock protects the pending data path switch.
 *  - In protocol mode, the host's protocol state is under
 *    netvsc_sim_proto.lock (sim_proto.c).
 */
#ifndef _NETVSC_SIM_H
#define _NETVSC_SIM_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "channel.h"
#include "transport.h"

#define NETVSC_SIM_NAME		"netvsc_sim"

/* What the simulated host advertises; the debugfs defaults/ and live knobs. */
struct netvsc_sim_caps {
	u32 sg;
	u32 tx_csum;
	u32 rx_csum;
	u32 tso;
	u32 tso_max_size;
	u32 tso_max_segs;
	u32 max_mtu;
};

#define NETVSC_SIM_NKNOBS	7

struct netvsc_sim_dev;
struct netvsc_sim_proto;

/* Protocol-mode faults; defaults/ holds the ones a new device starts with. */
struct netvsc_sim_proto_knobs {
	u32 max_nvsp_version;
	atomic_t fail_query;
	u32 fail_oid;
	atomic_t drop_completion;
	u32 bad_mac;
	u32 one_range;
};

/* One offload knob file: which caps, which field, and the live device. */
struct netvsc_sim_knob_ref {
	struct netvsc_sim_caps *caps;
	struct netvsc_sim_dev *sim;	/* NULL for the defaults */
	unsigned int knob;
};

struct netvsc_sim_knobs {
	struct netvsc_sim_knob_ref ref[NETVSC_SIM_NKNOBS];
};

#define NETVSC_SIM_NGPADL	2

/* A buffer the guest shared with the host. */
struct netvsc_sim_gpadl {
	u32 handle;
	void *buf;
	u32 size;
};

/**
 * struct netvsc_sim_proto - the host's end of a protocol-mode channel
 * @chan: the guest's channel
 * @sim: the device
 * @lock: protects everything below but the counters and knobs
 * @open: the guest opened the channel
 * @queue: packets on their way to the guest
 * @deliver: hands @queue to the guest's engine
 * @gpadl: buffers the guest shared
 * @next_handle: last GPADL handle given out
 * @nvsp_version: negotiated NVSP version, 0 before INIT
 * @ndis_major: NDIS version the guest sent
 * @ndis_minor: the same
 * @ndis_mtu: MTU of the NDIS configuration (the frame size minus 14)
 * @ndis_caps: capabilities of the NDIS configuration
 * @mtu_ok: the last MTU the host took
 * @refuse_init: fail the next RNDIS INITIALIZE (fail_mtu)
 * @recv_buf: the guest's receive buffer, once posted
 * @recv_size: its size
 * @slot_size: size of one receive slot
 * @nslots: number of slots
 * @slot_map: slots the guest has not completed yet
 * @send_buf: the guest's send buffer, once posted
 * @send_size: its size
 * @rndis_up: RNDIS initialised
 * @knobs: protocol faults
 * @vf_serial: serial number sent in the VF association
 * @vf_allocated: whether the VF association says allocated
 * @vf_assoc_hold: hold VF association messages back (a knob)
 * @vf_assoc_held: one was held back; it goes when @vf_assoc_hold clears
 * @ring_full: the guest's next N writes (sends and completions) find
 *	the ring to the host full (a knob)
 * @ring_full_hits: writes refused so
 * @deliver_hold: hold back everything the host sends the guest (a knob;
 *	READ_ONCE in the delivery work)
 * @csum_ppi: checksum PPIs the guest sent
 * @lso_ppi: LSO PPIs the guest sent
 * @vlan_ppi: VLAN PPIs the guest sent
 * @rx_csum_ppi: checksum PPIs sent to the guest
 * @rx_vlan_ppi: VLAN PPIs sent to the guest
 * @bad_msgs: malformed messages from the guest
 * @rx_nobuf: frames dropped for want of a receive slot
 */
struct netvsc_sim_proto {
	struct netvsc_chan chan;
	struct netvsc_sim_dev *sim;
	spinlock_t lock;	/* host protocol state */
	bool open;
	struct sk_buff_head queue;
	struct work_struct deliver;
	struct netvsc_sim_gpadl gpadl[NETVSC_SIM_NGPADL];
	u32 next_handle;

	u32 nvsp_version;
	u32 ndis_major;
	u32 ndis_minor;
	u32 ndis_mtu;
	u64 ndis_caps;
	u32 mtu_ok;
	bool refuse_init;
	void *recv_buf;
	u32 recv_size;
	u32 slot_size;
	u32 nslots;
	unsigned long *slot_map;
	void *send_buf;
	u32 send_size;
	bool rndis_up;

	struct netvsc_sim_proto_knobs knobs;
	u32 vf_serial;
	u32 vf_allocated;
	u32 vf_assoc_hold;
	bool vf_assoc_held;
	atomic_t ring_full;
	atomic_t ring_full_hits;
	u32 deliver_hold;
	u32 csum_ppi;
	u32 lso_ppi;
	u32 vlan_ppi;
	u32 rx_csum_ppi;
	u32 rx_vlan_ppi;
	u32 bad_msgs;
	u32 rx_nobuf;
	u32 split_sends;
};

struct netvsc_sim_dev {
	struct device dev;
	struct list_head list;
	u32 id;

	struct net_device *guest;
	struct net_device *host;
	struct dentry *ddir;
	u8 mac[ETH_ALEN];
	struct netvsc_sim_proto *proto;	/* NULL in direct mode */

	struct netvsc_sim_caps caps;
	struct netvsc_sim_knobs knobs;
	bool link;
	bool guest_open;
	u32 rx_filter;
	u32 mtu;

	/* host view of the data path */
	u32 datapath;
	u32 switches;
	u32 switch_requests;

	/* fault injection */
	atomic_t fail_switch;
	atomic_t drop_tx;
	atomic_t fail_mtu;
	u32 switch_delay_ms;

	spinlock_t switch_lock;	/* the pending switch */
	struct delayed_work switch_work;
	enum netvsc_datapath pending_path;
	u32 pending_cookie;
	u64 pending_id;
	int pending_err;
};

extern struct netvsc_sim_caps netvsc_sim_defaults;
extern struct netvsc_sim_proto_knobs netvsc_sim_proto_defaults;
extern struct bus_type netvsc_sim_bus;

/* sim_dev.c */
struct netvsc_sim_dev *netvsc_sim_dev_new(u32 id, const u8 *mac, bool proto);
void netvsc_sim_dev_del(struct netvsc_sim_dev *sim);
void netvsc_sim_caps_changed(struct netvsc_sim_dev *sim);

/* sim_host.c */
struct net_device *netvsc_sim_host_new(struct netvsc_sim_dev *sim);
void netvsc_sim_host_free(struct net_device *host);
void netvsc_sim_host_to_guest(struct netvsc_sim_dev *sim, struct sk_buff *skb);
void netvsc_sim_guest_to_host(struct netvsc_sim_dev *sim, struct sk_buff *skb);
bool netvsc_sim_filter_pass(const struct netvsc_sim_dev *sim,
			    const struct sk_buff *skb);

/* sim_chan.c: the simulated channel and the packets the host sends */
struct netvsc_sim_proto *netvsc_sim_chan_new(struct netvsc_sim_dev *sim);
void netvsc_sim_chan_free(struct netvsc_sim_proto *p);
struct netvsc_chan *netvsc_sim_chan(struct netvsc_sim_proto *p);
void netvsc_sim_send_comp(struct netvsc_sim_proto *p, u64 trans_id,
			  const void *msg, u32 len);
void netvsc_sim_send_inband(struct netvsc_sim_proto *p, const void *msg,
			    u32 len);
void netvsc_sim_send_xfer(struct netvsc_sim_proto *p, u64 trans_id,
			  u32 offset, u32 len, u32 channel);
void netvsc_sim_send_raw(struct netvsc_sim_proto *p, const void *pkt, u32 len);
void *netvsc_sim_gpadl(struct netvsc_sim_proto *p, u32 handle, u32 *size);

/* sim_proto.c: the host's side of NVSP and RNDIS */
int netvsc_sim_proto_init(struct netvsc_sim_proto *p);
void netvsc_sim_proto_reset(struct netvsc_sim_proto *p);
void netvsc_sim_proto_guest_msg(struct netvsc_sim_proto *p, const void *msg,
				u32 len, const struct netvsc_chan_range *ranges,
				unsigned int nranges, u64 req_id,
				bool completion);
void netvsc_sim_proto_guest_comp(struct netvsc_sim_proto *p, const void *msg,
				 u32 len, u64 trans_id);
void netvsc_sim_proto_host_to_guest(struct netvsc_sim_dev *sim,
				    struct sk_buff *skb);
void netvsc_sim_proto_link(struct netvsc_sim_dev *sim, bool up);
void netvsc_sim_proto_link_sync(struct netvsc_sim_dev *sim, bool up);
void netvsc_sim_proto_indicate(struct netvsc_sim_dev *sim, u32 status);
void netvsc_sim_proto_switch_done(struct netvsc_sim_dev *sim, u64 id,
				  enum netvsc_datapath path, int err);
int netvsc_sim_proto_vf_assoc(struct netvsc_sim_dev *sim);
int netvsc_sim_proto_inject(struct netvsc_sim_dev *sim, const char *kind);
void netvsc_sim_proto_debugfs(struct netvsc_sim_dev *sim, struct dentry *dir);

/* sim_faults.c */
extern atomic_t netvsc_sim_fail_register;
void netvsc_sim_faults_debugfs(struct dentry *dir);
int netvsc_sim_faults_init(void);
void netvsc_sim_faults_exit(void);

/* sim_debugfs.c */
int netvsc_sim_debugfs_init(void);
void netvsc_sim_debugfs_exit(void);
void netvsc_sim_debugfs_add(struct netvsc_sim_dev *sim);
void netvsc_sim_debugfs_del(struct netvsc_sim_dev *sim);

#endif /* _NETVSC_SIM_H */
