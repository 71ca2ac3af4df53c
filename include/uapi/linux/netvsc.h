/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * netvsc: Hyper-V synthetic NIC with a transparent SR-IOV VF slave.
 *
 * Values shared by the kernel driver and userspace.
 */
#ifndef _UAPI_LINUX_NETVSC_H
#define _UAPI_LINUX_NETVSC_H

/**
 * enum netvsc_mode - how the VF is paired with the synthetic device
 * @NETVSC_MODE_TRANSPARENT: the VF is an rx_handler slave of the
 *	synthetic device, which carries all configuration
 * @NETVSC_MODE_NON_TRANSPARENT: the VF stays independent; userspace
 *	builds an active-backup bond over both
 */
enum netvsc_mode {
	NETVSC_MODE_TRANSPARENT,
	NETVSC_MODE_NON_TRANSPARENT,
};

/**
 * enum netvsc_state - pairing state of a synthetic device
 * @NETVSC_STATE_NONE: no VF
 * @NETVSC_STATE_WAITING: a VF is claimed; the join is pending (join
 *	delay, or the VF or the synthetic device is down)
 * @NETVSC_STATE_JOINED: the VF is joined and mirrors the synthetic device
 * @NETVSC_STATE_LEAVING: the VF is being released
 */
enum netvsc_state {
	NETVSC_STATE_NONE,
	NETVSC_STATE_WAITING,
	NETVSC_STATE_JOINED,
	NETVSC_STATE_LEAVING,
};

/**
 * enum netvsc_datapath - where the host sends and the guest sends traffic
 * @NETVSC_DATAPATH_SYNTHETIC: the VMBus (synthetic) path
 * @NETVSC_DATAPATH_VF: the SR-IOV virtual function
 */
enum netvsc_datapath {
	NETVSC_DATAPATH_SYNTHETIC,
	NETVSC_DATAPATH_VF,
};

/**
 * enum netvsc_reason - why the data path last switched
 * @NETVSC_REASON_NONE: it never switched
 * @NETVSC_REASON_JOIN: a VF joined, or became usable again
 * @NETVSC_REASON_VF_DOWN: the VF or the synthetic device went down
 * @NETVSC_REASON_VF_REMOVED: the VF went away or stopped matching
 * @NETVSC_REASON_VF_CARRIER_LOST: the VF lost its carrier
 * @NETVSC_REASON_SWITCH_FAILED: the host refused or did not complete
 *	a switch to the VF
 * @NETVSC_REASON_ADMIN: an administrator pinned or released the path
 * @NETVSC_REASON_VF_CARRIER_HELD: the VF lost its carrier, and the
 *	synthetic device's carrier is held on ("vf link lost (held)")
 */
enum netvsc_reason {
	NETVSC_REASON_NONE,
	NETVSC_REASON_JOIN,
	NETVSC_REASON_VF_DOWN,
	NETVSC_REASON_VF_REMOVED,
	NETVSC_REASON_VF_CARRIER_LOST,
	NETVSC_REASON_SWITCH_FAILED,
	NETVSC_REASON_ADMIN,
	NETVSC_REASON_VF_CARRIER_HELD,
};

/**
 * enum netvsc_pin - administrative override of the data path
 * @NETVSC_PIN_AUTO: the driver chooses (the VF when it can)
 * @NETVSC_PIN_SYNTHETIC: always the synthetic path
 */
enum netvsc_pin {
	NETVSC_PIN_AUTO,
	NETVSC_PIN_SYNTHETIC,
};

/**
 * enum netvsc_event - what a notification reports
 * @NETVSC_EVENT_JOIN: a VF joined
 * @NETVSC_EVENT_LEAVE: a VF left
 * @NETVSC_EVENT_SWITCH: the data path switched
 */
enum netvsc_event {
	NETVSC_EVENT_JOIN = 1,
	NETVSC_EVENT_LEAVE,
	NETVSC_EVENT_SWITCH,
};

/*
 * Offloads, as reported in NETVSC_A_*FEATURES.  These bits are ABI; they
 * are not the kernel's internal NETIF_F_* bit numbers.
 */
#define NETVSC_F_SG		(1U << 0)	/* scatter-gather */
#define NETVSC_F_TX_CSUM	(1U << 1)	/* transmit checksum */
#define NETVSC_F_RX_CSUM	(1U << 2)	/* receive checksum */
#define NETVSC_F_TSO		(1U << 3)	/* TCP segmentation, IPv4 */
#define NETVSC_F_TSO6		(1U << 4)	/* TCP segmentation, IPv6 */
#define NETVSC_F_GSO_UDP_L4	(1U << 5)	/* UDP segmentation */
#define NETVSC_F_TUNNEL_GSO	(1U << 6)	/* segmentation of tunnels */
#define NETVSC_F_TX_VLAN	(1U << 7)	/* VLAN tag insertion */
#define NETVSC_F_RX_VLAN	(1U << 8)	/* VLAN tag stripping */
#define NETVSC_F_RXHASH		(1U << 9)	/* receive hashing */
#define NETVSC_F_LRO		(1U << 10)	/* large receive offload */
#define NETVSC_F_HIGHDMA	(1U << 11)	/* DMA to high memory */

/* Generic netlink family */
#define NETVSC_FAMILY_NAME	"netvsc"
#define NETVSC_FAMILY_VERSION	1
#define NETVSC_MCGRP_EVENTS	"events"

/**
 * enum netvsc_cmd - commands of the netvsc family
 * @NETVSC_CMD_DEV_GET: get one synthetic device (do) or all (dump)
 * @NETVSC_CMD_DEV_SET: set the join delay, the carrier hold or the data
 *	path pin, or forget the remembered VF settings
 * @NETVSC_CMD_DEV_NTF: notification, on the "events" group
 */
enum netvsc_cmd {
	NETVSC_CMD_UNSPEC,
	NETVSC_CMD_DEV_GET,
	NETVSC_CMD_DEV_SET,
	NETVSC_CMD_DEV_NTF,

	__NETVSC_CMD_MAX,
	NETVSC_CMD_MAX = __NETVSC_CMD_MAX - 1
};

/**
 * enum netvsc_attr - attributes of a synthetic device
 * @NETVSC_A_IFINDEX: its ifindex (u32)
 * @NETVSC_A_IFNAME: its name (string)
 * @NETVSC_A_VF_IFINDEX: the VF's ifindex (u32), absent without a VF
 * @NETVSC_A_VF_IFNAME: the VF's name (string), absent without a VF
 * @NETVSC_A_MODE: enum netvsc_mode (u32)
 * @NETVSC_A_STATE: enum netvsc_state (u32)
 * @NETVSC_A_DATAPATH: enum netvsc_datapath (u32)
 * @NETVSC_A_PIN: enum netvsc_pin (u32)
 * @NETVSC_A_JOIN_DELAY_MS: the join delay in effect (u32)
 * @NETVSC_A_SWITCHES: data path switches (u64)
 * @NETVSC_A_LAST_SWITCH_NS: wall-clock time of the last switch, in ns
 *	since the epoch (u64), absent if it never switched
 * @NETVSC_A_LAST_SWITCH_REASON: enum netvsc_reason (u32)
 * @NETVSC_A_STATS: counters (nest of enum netvsc_stats_attr)
 * @NETVSC_A_FEATURES: offloads in effect (u32, NETVSC_F_*)
 * @NETVSC_A_SYNTH_FEATURES: offloads of the synthetic path (u32)
 * @NETVSC_A_VF_FEATURES: offloads of the VF (u32), absent without a VF
 * @NETVSC_A_LIMITS: TSO/GSO limits in effect (nest of netvsc_limits_attr)
 * @NETVSC_A_SYNTH_LIMITS: limits of the synthetic path (nest)
 * @NETVSC_A_VF_LIMITS: limits of the VF (nest), absent without a VF
 * @NETVSC_A_EVENT: enum netvsc_event (u32), in notifications
 * @NETVSC_A_REASON: enum netvsc_reason of the event (u32), in
 *	notifications
 * @NETVSC_A_PAD: padding for 64-bit attributes
 * @NETVSC_A_JOIN_DELAY_DEFAULT: in DEV_SET, go back to the module's
 *	vf_join_delay_ms (flag)
 * @NETVSC_A_LAST_SWITCH_BOOTTIME_NS: CLOCK_BOOTTIME of the last switch,
 *	in ns (u64), absent if it never switched: for intervals, which
 *	@NETVSC_A_LAST_SWITCH_NS gets wrong when the wall clock is set
 * @NETVSC_A_CARRIER_HOLD_MS: how long the carrier stays on when a
 *	joined VF loses its link, in ms (u32); in DEV_SET, the device's own
 * @NETVSC_A_CARRIER_HOLD_DEFAULT: in DEV_SET, go back to the module's
 *	vf_carrier_hold_ms (flag)
 * @NETVSC_A_CARRIER_HELD: the VF has no link and the carrier is held on
 *	(flag), absent otherwise
 * @NETVSC_A_CARRIER_HOLDS: holds started, that is VF link losses the
 *	carrier rode out or began to (u64)
 * @NETVSC_A_VF_SETTINGS: what the user set on a VF, applied again when a
 *	VF with the same permanent address joins (nest of enum
 *	netvsc_vf_settings_attr), absent if nothing is remembered
 * @NETVSC_A_VF_SETTINGS_CLEAR: in DEV_SET, forget them (flag)
 */
enum netvsc_attr {
	NETVSC_A_UNSPEC,
	NETVSC_A_IFINDEX,
	NETVSC_A_IFNAME,
	NETVSC_A_VF_IFINDEX,
	NETVSC_A_VF_IFNAME,
	NETVSC_A_MODE,
	NETVSC_A_STATE,
	NETVSC_A_DATAPATH,
	NETVSC_A_PIN,
	NETVSC_A_JOIN_DELAY_MS,
	NETVSC_A_SWITCHES,
	NETVSC_A_LAST_SWITCH_NS,
	NETVSC_A_LAST_SWITCH_REASON,
	NETVSC_A_STATS,
	NETVSC_A_FEATURES,
	NETVSC_A_SYNTH_FEATURES,
	NETVSC_A_VF_FEATURES,
	NETVSC_A_LIMITS,
	NETVSC_A_SYNTH_LIMITS,
	NETVSC_A_VF_LIMITS,
	NETVSC_A_EVENT,
	NETVSC_A_REASON,
	NETVSC_A_PAD,
	NETVSC_A_JOIN_DELAY_DEFAULT,
	NETVSC_A_LAST_SWITCH_BOOTTIME_NS,
	NETVSC_A_CARRIER_HOLD_MS,
	NETVSC_A_CARRIER_HOLD_DEFAULT,
	NETVSC_A_CARRIER_HELD,
	NETVSC_A_CARRIER_HOLDS,
	NETVSC_A_VF_SETTINGS,
	NETVSC_A_VF_SETTINGS_CLEAR,

	__NETVSC_A_MAX,
	NETVSC_A_MAX = __NETVSC_A_MAX - 1
};

/* Counters in NETVSC_A_STATS, all u64. */
enum netvsc_stats_attr {
	NETVSC_A_STATS_UNSPEC,
	NETVSC_A_STATS_PAD,
	NETVSC_A_STATS_SYNTH_RX_PACKETS,
	NETVSC_A_STATS_SYNTH_RX_BYTES,
	NETVSC_A_STATS_SYNTH_TX_PACKETS,
	NETVSC_A_STATS_SYNTH_TX_BYTES,
	NETVSC_A_STATS_SYNTH_TX_DROPPED,
	NETVSC_A_STATS_VF_RX_PACKETS,
	NETVSC_A_STATS_VF_RX_BYTES,
	NETVSC_A_STATS_VF_TX_PACKETS,
	NETVSC_A_STATS_VF_TX_BYTES,
	NETVSC_A_STATS_VF_TX_DROPPED,

	__NETVSC_A_STATS_MAX,
	NETVSC_A_STATS_MAX = __NETVSC_A_STATS_MAX - 1
};

/* Limits in NETVSC_A_*LIMITS, all u32. */
enum netvsc_limits_attr {
	NETVSC_A_LIMITS_UNSPEC,
	NETVSC_A_LIMITS_TSO_MAX_SIZE,
	NETVSC_A_LIMITS_TSO_MAX_SEGS,
	NETVSC_A_LIMITS_GSO_MAX_SIZE,
	NETVSC_A_LIMITS_GSO_MAX_SEGS,

	__NETVSC_A_LIMITS_MAX,
	NETVSC_A_LIMITS_MAX = __NETVSC_A_LIMITS_MAX - 1
};

/* Remembered VF settings in NETVSC_A_VF_SETTINGS. */
enum netvsc_vf_settings_attr {
	NETVSC_A_VF_SETTINGS_UNSPEC,
	NETVSC_A_VF_SETTINGS_PERM_ADDR,	/* the VF's permanent MAC (binary) */
	NETVSC_A_VF_SETTINGS_RX_RING,	/* rx ring size (u32) */
	NETVSC_A_VF_SETTINGS_TX_RING,	/* tx ring size (u32) */

	__NETVSC_A_VF_SETTINGS_MAX,
	NETVSC_A_VF_SETTINGS_MAX = __NETVSC_A_VF_SETTINGS_MAX - 1
};

#endif /* _UAPI_LINUX_NETVSC_H */
