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
 */
enum netvsc_reason {
	NETVSC_REASON_NONE,
	NETVSC_REASON_JOIN,
	NETVSC_REASON_VF_DOWN,
	NETVSC_REASON_VF_REMOVED,
	NETVSC_REASON_VF_CARRIER_LOST,
	NETVSC_REASON_SWITCH_FAILED,
	NETVSC_REASON_ADMIN,
};

#endif /* _UAPI_LINUX_NETVSC_H */
