/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsc: the NVSP/RNDIS engine - the synthetic path over a channel.
 *
 * The engine is a netvsc transport (transport.h) that speaks NVSP and
 * RNDIS to the host over a struct netvsc_chan (channel.h).  It is part
 * of netvsc.ko and has no hv_vmbus dependency: hv_netvsc.ko runs it over
 * VMBus, netvsc_sim.ko over its simulated host.
 *
 * A transport makes a channel and calls netvsc_eng_add(), which brings
 * the protocol up, registers the synthetic device and returns it;
 * netvsc_eng_remove() undoes it.
 *
 * Locking:
 *  - @ctrl_lock (a mutex) serialises control requests, bring-up and
 *    teardown; it is taken under RTNL (set_mtu) and never held while
 *    taking RTNL.
 *  - @wait_lock protects the request being waited for against the
 *    packet handler that answers it.
 *  - @tx_lock protects the send slots and send-buffer sections against
 *    their completions.
 *  - @upcall_lock orders link and VF association up-calls against
 *    removal: none is made once @upcalls is clear.  The VF association
 *    up-call sleeps, so it is made from @assoc_work, which is queued
 *    only while @upcalls is set and cancelled once it is clear.
 *  - @started is written under @ctrl_lock and read with READ_ONCE() on
 *    the datapath; the channel is open whenever it is set.
 *  - @tx_paused is written under the device's tx queue lock, which the
 *    synthetic path holds around netvsc_eng_xmit() (datapath.c): once
 *    it is set and the lock dropped, no transmit is inside the engine.
 *  - Each channel's receive completions that wait for room in its ring
 *    are under that channel's netvsc_eng_chan.rc_lock; see recv.c.
 *
 * Room for vRSS (not implemented; the host gets one channel):
 *  - The channel interface already names a channel by its index
 *    (netvsc_chan.index), and packets arrive per channel.  What the
 *    engine keeps per channel is in struct netvsc_eng_chan, @ech[index]:
 *    today only the receive completions waiting for room, which must go
 *    back on the channel their packet came on.
 *  - Subchannels would need: an NVSP 5 subchannel request after RNDIS
 *    is up, and the RSS parameters (OID_GEN_RECEIVE_SCALE_PARAMETERS:
 *    hash key and indirection table) set over RNDIS; a channel
 *    operation for the transport to open the subchannels the host
 *    offers, each a struct netvsc_chan with its own index, calling
 *    netvsc_eng_packet() on its own; NETVSC_ENG_MAX_CHANNELS raised and
 *    @ech sized by what the host grants.
 *  - Per channel too: send slots, their lock and a share of the
 *    send-buffer sections (today @tx, @tx_lock and @section_map are the
 *    primary's), a NAPI context instead of delivery in the callback,
 *    and the host's send indirection table (NVSP 5, ignored today) to
 *    pick the channel of a tx queue.
 *  - In the core: a multi-queue net_device, caps.max_channels above 1
 *    and a transport operation for ethtool -L.
 *  Control requests, the buffers' GPADLs and the data path switch stay
 *  on the primary channel, @chan.
 */
#ifndef _NETVSC_ENGINE_H
#define _NETVSC_ENGINE_H

#include <linux/completion.h>
#include <linux/if_ether.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "channel.h"
#include "parse.h"
#include "transport.h"

/* Sizes of the buffers shared with the host. */
#define NETVSC_RECV_BUF_SIZE	(8 * 1024 * 1024)
#define NETVSC_SEND_BUF_SIZE	(1024 * 1024)

/* Sends in flight at most; VMBus's requestor must hold them all. */
#define NETVSC_TX_SLOTS		512
#define NETVSC_TX_WAKE		32

/* Channels the engine runs; see "Room for vRSS" above. */
#define NETVSC_ENG_MAX_CHANNELS	1

/* Receive completions that wait for room in a channel's ring: at most as
 * many as the host has receive-buffer sub-allocations (it cannot have
 * more packets outstanding), and never more than this.
 */
#define NETVSC_RC_MAX		8192
/* Retry delay while completions wait: doubles up to the maximum. */
#define NETVSC_RC_DELAY_MIN	1
#define NETVSC_RC_DELAY_MAX	msecs_to_jiffies(20)

/* Longest answer to a control request we keep. */
#define NETVSC_RESP_MAX		512

/* Room in front of a frame for the RNDIS header and our PPIs. */
#define NETVSC_RNDIS_TX_HDR	(sizeof(struct rndis_hdr) +		\
				 sizeof(struct rndis_packet) +		\
				 3 * (sizeof(struct rndis_ppi) + 4))

/* Kinds of request ids, in their top byte. */
#define NETVSC_ID_KIND_SHIFT	56
#define NETVSC_ID_CTRL		BIT_ULL(NETVSC_ID_KIND_SHIFT)
#define NETVSC_ID_TX		(2ULL << NETVSC_ID_KIND_SHIFT)
#define NETVSC_ID_RNDIS		(3ULL << NETVSC_ID_KIND_SHIFT)
#define NETVSC_ID_SWITCH	(4ULL << NETVSC_ID_KIND_SHIFT)
#define NETVSC_ID_KIND(id)	((id) & (0xffULL << NETVSC_ID_KIND_SHIFT))
/* A switch the engine made on its own: the core is not told. */
#define NETVSC_ID_QUIET		BIT_ULL(40)

/* A send in flight: its frame (GPA direct) or its section. */
struct netvsc_tx_slot {
	struct sk_buff *skb;
	u32 section;
	u16 gen;
	bool busy;
};

/**
 * struct netvsc_eng_chan - what the engine keeps per channel
 * @eng: the engine
 * @chan: the channel
 * @rc_lock: protects the rc_* fields below
 * @rc_ids: transaction ids of the receive completions that wait for room
 *	in the channel's ring, a ring buffer, oldest at @rc_head
 * @rc_size: room in @rc_ids
 * @rc_head: index of the oldest
 * @rc_count: how many wait; read without the lock as a hint
 * @rc_on: completions may wait: the receive buffer is with the host
 * @rc_delay: the next retry delay, in jiffies
 * @rc_work: retries when no packet from the host does
 * @rc_waited: completions that had to wait, for the log
 */
struct netvsc_eng_chan {
	struct netvsc_eng *eng;
	struct netvsc_chan *chan;

	spinlock_t rc_lock;	/* the waiting receive completions */
	u64 *rc_ids;
	u32 rc_size;
	u32 rc_head;
	u32 rc_count;
	bool rc_on;
	unsigned long rc_delay;
	struct delayed_work rc_work;
	u64 rc_waited;
};

/**
 * struct netvsc_eng - the engine of one synthetic device
 * @dev: the synthetic device
 * @chan: its primary channel: control requests and the buffers
 * @ech: per-channel state, by channel index
 * @nvsp_version: negotiated NVSP version
 * @mtu: MTU told to the host in the NDIS configuration
 * @mac: permanent MAC address
 * @link: link state the host last reported
 * @max_mtu: largest MTU (the host's maximum frame size)
 * @offload: the host's offload capabilities
 * @has_offload: @offload is valid
 * @recv_buf: receive buffer
 * @recv_handle: its GPADL handle
 * @send_buf: send buffer
 * @send_handle: its GPADL handle
 * @section_size: size of a send-buffer section
 * @nsections: number of sections
 * @section_map: sections in use
 * @ctrl_page: where RNDIS control requests are built
 * @ctrl_lock: serialises control requests, bring-up and teardown
 * @wait_lock: protects the wait_* fields and @resp
 * @wait_nvsp_id: transaction id of the NVSP request waited for, or 0
 * @wait_rndis_id: RNDIS request id waited for, or 0
 * @wait_rndis_type: RNDIS completion type waited for
 * @resp: copy of the answer
 * @resp_len: its length
 * @done: completed when the answer arrived
 * @next_id: last request id used
 * @tx_lock: protects @tx, @tx_free, @tx_nfree and @section_map
 * @tx: send slots
 * @tx_free: free slot indexes
 * @tx_nfree: their number
 * @tx_backlog: frames the host had no room for, without a qdisc to hold
 *	them (xmit.c)
 * @upcall_lock: orders up-calls against removal
 * @upcalls: link and VF association up-calls are allowed
 * @vf_allocated: the host's last VF association: allocated
 * @vf_serial: and the serial number in it
 * @assoc_work: reports the VF association to the core, which sleeps
 * @started: the protocol is up
 * @running: the device is open
 * @tx_paused: the synthetic path drops (and counts) what it is given:
 *	the protocol is being restarted (set_mtu)
 * @filter: the receive filter the core asked for (NETVSC_RX_*)
 * @filter_work: sends @filter to the host
 * @datapath: the data path last asked for
 */
struct netvsc_eng {
	struct net_device *dev;
	struct netvsc_chan *chan;
	struct netvsc_eng_chan ech[NETVSC_ENG_MAX_CHANNELS];

	u32 nvsp_version;
	u32 mtu;
	u8 mac[ETH_ALEN];
	bool link;
	u32 max_mtu;
	struct netvsc_offload_caps offload;
	bool has_offload;

	void *recv_buf;
	u32 recv_handle;
	void *send_buf;
	u32 send_handle;
	u32 section_size;
	u32 nsections;
	unsigned long *section_map;
	void *ctrl_page;

	struct mutex ctrl_lock;	/* control requests, bring-up, teardown */
	spinlock_t wait_lock;	/* the request waited for */
	u64 wait_nvsp_id;
	u32 wait_rndis_id;
	u32 wait_rndis_type;
	u8 resp[NETVSC_RESP_MAX];
	u32 resp_len;
	struct completion done;
	u32 next_id;

	spinlock_t tx_lock;	/* send slots and sections */
	struct netvsc_tx_slot *tx;
	u16 *tx_free;
	unsigned int tx_nfree;
	struct sk_buff_head tx_backlog;

	spinlock_t upcall_lock;	/* up-calls against removal */
	bool upcalls;
	bool vf_allocated;
	u32 vf_serial;
	struct work_struct assoc_work;
	bool started;
	bool running;
	bool tx_paused;
	u32 filter;
	struct work_struct filter_work;
	enum netvsc_datapath datapath;
};

/* For transports: engine.c */
struct net_device *netvsc_eng_add(struct netvsc_chan *chan,
				  struct device *parent, struct net *net);
void netvsc_eng_remove(struct net_device *dev);
int netvsc_eng_refresh_caps(struct net_device *dev);

/* Inside the engine. */
extern unsigned int netvsc_ctrl_timeout_ms;

/* nvsp.c */
int netvsc_nvsp_start(struct netvsc_eng *eng);
void netvsc_nvsp_stop(struct netvsc_eng *eng);
int netvsc_nvsp_request(struct netvsc_eng *eng, struct nvsp_msg *msg,
			u32 done_type, const char *what);
int netvsc_nvsp_send(struct netvsc_eng *eng, struct nvsp_msg *msg);
void netvsc_nvsp_completion(struct netvsc_eng *eng,
			    const struct netvsc_vmpkt *pkt);
void netvsc_nvsp_inband(struct netvsc_eng *eng,
			const struct netvsc_vmpkt *pkt);

/* rndis.c */
int netvsc_rndis_start(struct netvsc_eng *eng);
void netvsc_rndis_halt(struct netvsc_eng *eng);
int netvsc_rndis_query_caps(struct netvsc_eng *eng);
int netvsc_rndis_set_filter(struct netvsc_eng *eng, u32 filter);
void netvsc_rndis_control(struct netvsc_eng *eng, const u8 *msg, u32 len,
			  u32 type);

/* recv.c */
void netvsc_recv_init(struct netvsc_eng_chan *ec);
int netvsc_recv_start(struct netvsc_eng_chan *ec, u32 slots);
void netvsc_recv_stop(struct netvsc_eng_chan *ec);
void netvsc_recv_free(struct netvsc_eng_chan *ec);
void netvsc_recv_retry(struct netvsc_eng_chan *ec);
void netvsc_recv_xfer(struct netvsc_eng_chan *ec,
		      const struct netvsc_vmpkt *pkt);
void netvsc_recv_reject(struct netvsc_eng_chan *ec, u64 trans_id);

/* xmit.c */
int netvsc_tx_init(struct netvsc_eng *eng);
void netvsc_tx_reset(struct netvsc_eng *eng);
void netvsc_tx_free(struct netvsc_eng *eng);
netdev_tx_t netvsc_eng_xmit(struct sk_buff *skb, struct net_device *dev);
void netvsc_tx_done(struct netvsc_eng *eng, const struct netvsc_vmpkt *pkt);

/* engine.c */
void netvsc_eng_link(struct netvsc_eng *eng, bool up);
void netvsc_eng_network_change(struct netvsc_eng *eng);
void netvsc_eng_vf_assoc(struct netvsc_eng *eng, bool allocated, u32 serial);

#endif /* _NETVSC_ENGINE_H */
