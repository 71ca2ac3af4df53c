/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfctl: show and control netvsc devices over the "netvsc" generic
 * netlink family.
 */
#ifndef _VFCTL_H
#define _VFCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/netvsc.h>
#include <linux/types.h>

#include "json.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct nlmsghdr;
struct mnl_socket;

/* ------------------------------------------------------------ netlink */

/**
 * struct nl_ext - what the kernel said about the last failed request
 * @msg: the extack message, empty if none
 * @attr: the offending attribute named from its offset, empty if none
 * @has_range: @min and @max are valid (from the policy of @attr)
 * @min: smallest value the policy accepts
 * @max: largest value the policy accepts
 * @miss_type: type of a missing attribute, 0 if none
 */
struct nl_ext {
	char msg[256];
	char attr[64];
	bool has_range;
	__u64 min;
	__u64 max;
	__u32 miss_type;
};

/**
 * struct nl_ctx - a generic netlink socket talking to the netvsc family
 * @sk: the socket
 * @portid: its port id
 * @seq: sequence number of the last request
 * @family: id of the netvsc family, 0 until resolved
 * @version: version the kernel reports for it
 * @mcgrp_events: id of its "events" multicast group, 0 if it has none
 * @tx: request buffer
 * @rx: receive buffer
 * @ext: extended ack of the last request
 */
struct nl_ctx {
	struct mnl_socket *sk;
	__u32 portid;
	__u32 seq;
	__u16 family;
	__u32 version;
	__u32 mcgrp_events;
	char *tx;
	char *rx;
	struct nl_ext ext;
};

/*
 * Message callbacks return 0 to go on, a negative errno to stop the
 * exchange with that error.
 */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

int nl_open(struct nl_ctx *ctx);
void nl_close(struct nl_ctx *ctx);
int nl_resolve(struct nl_ctx *ctx);
struct nlmsghdr *nl_msg_start(struct nl_ctx *ctx, __u16 type, __u16 flags,
			      __u8 cmd, __u8 version);
int nl_exchange(struct nl_ctx *ctx, struct nlmsghdr *nlh, nl_msg_cb cb,
		void *data);
int nl_subscribe(struct nl_ctx *ctx, __u32 group);
int nl_listen(struct nl_ctx *ctx, nl_msg_cb cb, void *data,
	      void (*lost)(void *data));

/* ------------------------------------------------------------ devices */

enum {
	VF_ACTIVE,	/* in effect */
	VF_SYNTH,	/* synthetic path */
	VF_VF,		/* the VF */
	VF_NPATHS
};

/**
 * struct vf_dev - a netvsc device as the kernel reported it
 * @present: bit N set when attribute N (NETVSC_A_*) was present
 * @cmd: the generic netlink command of the message
 * @stats_present: bit N set when NETVSC_A_STATS_* N was present
 * @limits_present: per path, bit N set when NETVSC_A_LIMITS_* N was
 * @limits: per path (VF_ACTIVE...), NETVSC_A_LIMITS_* values
 * @features: per path, NETVSC_F_* masks
 * @settings_present: bit N set when NETVSC_A_VF_SETTINGS_* N was present
 * @settings_addr: the remembered VF settings' permanent address
 * @settings_rx_ring: their rx ring size
 * @settings_tx_ring: their tx ring size
 */
struct vf_dev {
	__u64 present;
	__u8 cmd;
	__u32 ifindex;
	char ifname[IF_NAMESIZE];
	__u32 vf_ifindex;
	char vf_ifname[IF_NAMESIZE];
	__u32 mode;
	__u32 state;
	__u32 datapath;
	__u32 pin;
	__u32 join_delay_ms;
	__u32 carrier_hold_ms;
	__u64 carrier_holds;
	__u64 switches;
	__u64 last_switch_ns;
	__u64 last_switch_boot_ns;
	__u32 last_reason;
	__u32 stats_present;
	__u64 stats[NETVSC_A_STATS_MAX + 1];
	__u32 features[VF_NPATHS];
	__u32 limits_present[VF_NPATHS];
	__u32 limits[VF_NPATHS][NETVSC_A_LIMITS_MAX + 1];
	__u32 settings_present;
	unsigned char settings_addr[6];
	__u32 settings_rx_ring;
	__u32 settings_tx_ring;
	__u32 event;
	__u32 reason;
};

static inline bool vf_has(const struct vf_dev *d, unsigned int attr)
{
	return attr < 64 && (d->present & (1ULL << attr));
}

const char *vf_attr_name(unsigned int type);
int vf_dev_parse(const struct nlmsghdr *nlh, struct vf_dev *d, char *err,
		 size_t errlen);
void vf_time_str(__u64 ns, char *buf, size_t len);
void vf_mac_str(const unsigned char *addr, char *buf, size_t len);
__u64 vf_age_ns(__u64 boot_ns);
void vf_dev_json_members(struct jw *jw, const struct vf_dev *d);
void vf_dev_print(const struct vf_dev *d);
void vf_event_json(struct jw *jw, const struct vf_dev *d, const char *ts);
void vf_event_print(const struct vf_dev *d, const char *ts);

#endif /* _VFCTL_H */
