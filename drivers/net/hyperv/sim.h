/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsc_sim: a simulated Hyper-V host for netvsc.
 *
 * Each device is a synthetic NIC (a netvsc device, the guest end) wired
 * to a host-side netdevice nvshID (the host end).  Frames the guest sends
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
 */
#ifndef _NETVSC_SIM_H
#define _NETVSC_SIM_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>

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

/* One offload knob file: which caps, which field, and the live device. */
struct netvsc_sim_knob_ref {
	struct netvsc_sim_caps *caps;
	struct netvsc_sim_dev *sim;	/* NULL for the defaults */
	unsigned int knob;
};

struct netvsc_sim_knobs {
	struct netvsc_sim_knob_ref ref[NETVSC_SIM_NKNOBS];
};

struct netvsc_sim_dev {
	struct device dev;
	struct list_head list;
	u32 id;

	struct net_device *guest;
	struct net_device *host;
	struct dentry *ddir;

	struct netvsc_sim_caps caps;
	struct netvsc_sim_knobs knobs;
	bool link;
	bool guest_open;
	u32 rx_filter;
	u32 mtu;

	/* host view of the data path */
	u32 datapath;
	u32 switches;

	/* fault injection */
	atomic_t fail_switch;
	atomic_t drop_tx;
	atomic_t fail_mtu;
	u32 switch_delay_ms;

	spinlock_t switch_lock;	/* the pending switch */
	struct delayed_work switch_work;
	enum netvsc_datapath pending_path;
	u32 pending_cookie;
	int pending_err;
};

extern struct netvsc_sim_caps netvsc_sim_defaults;
extern struct bus_type netvsc_sim_bus;

/* sim_dev.c */
struct netvsc_sim_dev *netvsc_sim_dev_new(u32 id, const u8 *mac);
void netvsc_sim_dev_del(struct netvsc_sim_dev *sim);
void netvsc_sim_caps_changed(struct netvsc_sim_dev *sim);

/* sim_host.c */
struct net_device *netvsc_sim_host_new(struct netvsc_sim_dev *sim);
void netvsc_sim_host_free(struct net_device *host);
void netvsc_sim_host_to_guest(struct netvsc_sim_dev *sim, struct sk_buff *skb);
void netvsc_sim_guest_to_host(struct netvsc_sim_dev *sim, struct sk_buff *skb);

/* sim_debugfs.c */
int netvsc_sim_debugfs_init(void);
void netvsc_sim_debugfs_exit(void);
void netvsc_sim_debugfs_add(struct netvsc_sim_dev *sim);
void netvsc_sim_debugfs_del(struct netvsc_sim_dev *sim);

#endif /* _NETVSC_SIM_H */
