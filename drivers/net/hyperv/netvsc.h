/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsc core: private state of a synthetic device and its VF.
 *
 * Locking:
 *  - Everything about the VF pairing (claim, join, leave, saved state,
 *    the data path and its switch bookkeeping, the MAC hash) is changed
 *    under RTNL only.
 *  - The datapath reads @vf_tx under rcu_read_lock_bh() (ndo_start_xmit)
 *    and the VF's rx_handler_data under rcu_read_lock() (rx_handler).
 *    Readers outside RTNL (stats, ethtool, netlink) use READ_ONCE() or
 *    rcu_dereference() on the fields marked so.
 *  - @vf_addr_sync is changed under the synthetic device's address
 *    list lock, which ndo_set_rx_mode already holds.
 *  - @switch_lock protects the outstanding switch request against the
 *    completion up-call.
 */
#ifndef _NETVSC_H
#define _NETVSC_H

#include <linux/completion.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "transport.h"

#define NETVSC_DRV_NAME		"netvsc"
/* The largest join delay and carrier hold, in ms, per device or module. */
#define NETVSC_MS_SETTING_MAX		600000

/* How long a switch to synthetic waits for the host, under RTNL. */
#define NETVSC_SWITCH_TIMEOUT_MS	2000
/* How long a switch to the VF may take; nothing waits for it meanwhile. */
#define NETVSC_SWITCH_VF_TIMEOUT_MS	10000

/* Offloads intersected with the VF while it is joined. */
#define NETVSC_VF_OFFLOADS	(NETIF_F_SG | NETIF_F_CSUM_MASK |	\
				 NETIF_F_ALL_TSO | NETIF_F_GSO_UDP_L4 |	\
				 NETIF_F_GSO_ENCAP_ALL | NETIF_F_RXCSUM | \
				 NETIF_F_RXHASH | NETIF_F_HIGHDMA |	\
				 NETIF_F_LRO | NETIF_F_HW_VLAN_CTAG_TX | \
				 NETIF_F_HW_VLAN_CTAG_RX)

/* Offloads of encapsulated frames (hw_enc_features) taken from a joined
 * VF.  The synthetic path has none: a tunnel frame that takes it is
 * segmented and checksummed in software (datapath.c).
 */
#define NETVSC_VF_ENC_OFFLOADS	(NETIF_F_SG | NETIF_F_CSUM_MASK |	\
				 NETIF_F_ALL_TSO | NETIF_F_GSO_UDP_L4 |	\
				 NETIF_F_GSO_ENCAP_ALL | NETIF_F_HIGHDMA)

/* Per-CPU counters, one set per path. */
struct netvsc_path_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t tx_dropped;
};

struct netvsc_pcpu_stats {
	struct netvsc_path_stats synth;
	struct netvsc_path_stats vf;
	struct u64_stats_sync syncp;
};

/* Totals of the per-CPU counters, for readers. */
struct netvsc_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 tx_dropped;
};

/* What the join changed on the VF, so that a leave can undo it; and
 * whether the VF has had carrier since (its carrier is ours from then).
 */
struct netvsc_vf_saved {
	unsigned int mtu;
	netdev_features_t wanted_features;
	bool promisc;
	bool allmulti;
	bool vlans;
	bool opened;
	bool link_seen;
};

/* VF settings remembered across VF swaps (settings.c). */
struct netvsc_vf_settings {
	bool valid;
	u8 perm_addr[ETH_ALEN];
	u32 rx_ring;
	u32 tx_ring;
};

/**
 * struct netvsc_priv - a synthetic device
 * @dev: the synthetic net_device
 * @ops: its transport
 * @caps: capabilities of the synthetic path (RTNL; READ_ONCE on the
 *	datapath)
 * @stats: per-CPU counters
 * @mac_node: entry in the MAC hash of synthetic devices
 * @vf: the claimed VF, or NULL
 * @vf_tracker: reference tracker for @vf
 * @vf_tx: the VF while the data path is the VF, or NULL
 * @vf_rx: in non-transparent mode, the VF that synthetic receptions are
 *	relabelled to while it is up, or NULL
 * @nt_node: in non-transparent mode, entry in the hash of paired VFs
 * @vf_state: pairing state (enum netvsc_state)
 * @vf_addr_sync: whether ndo_set_rx_mode syncs address lists to @vf
 * @vf_saved: what the join changed
 * @vf_settings: what the user set on a VF, for the next VF with its
 *	permanent address
 * @vf_defaults_valid: @vf_default_rx and @vf_default_tx hold the joined
 *	VF's ring sizes as it joined
 * @vf_default_rx: its rx ring size then
 * @vf_default_tx: its tx ring size then
 * @vf_evicted: a VF that the user took away (moved out of our namespace,
 *	or gave another address); it is only compared with, never
 *	dereferenced, and forgotten when it unregisters for good (see
 *	netvsc_evict_set())
 * @evict_node: entry in the hash of evicted VFs, by @vf_evicted
 * @vf_gso_seen: the VF's GSO size the limits were last computed with
 * @vf_gso_segs_seen: the same for its GSO segments
 * @gso_base: the synthetic device's own GSO size, as the user set it
 * @gso_segs_base: the same for GSO segments
 * @gso_written: the GSO size the driver last wrote
 * @gso_segs_written: the same for GSO segments
 * @headroom_base: the synthetic path's needed_headroom
 * @tailroom_base: the synthetic path's needed_tailroom
 * @wanted_pushed: the synthetic device's wanted features when the VF was
 *	last made to follow them
 * @feat_pushing: a feature change is being pushed to the VF
 * @join_work: finishes a join after the join delay
 * @limits_work: recomputes the TSO/GSO limits outside the datapath
 * @move_work: moves a VF from another namespace into ours
 * @move_net: namespace of the VF to move (holds a reference)
 * @move_ifindex: ifindex of the VF to move in @move_net
 * @link_work: applies a synthetic link change under RTNL
 * @synth_link: link state of the synthetic path
 * @carrier_hold_ms: per-device carrier hold, or -1 for the module default
 * @carrier_held: the VF lost its link and the carrier is held on
 * @hold_expired: the hold ran out; the carrier follows the VF until its
 *	link is back
 * @held_flaps: number of holds started
 * @hold_work: ends the hold when it runs out
 * @net_changed: the host reported a network change (any context)
 * @renewing: the carrier is off for a network change
 * @renew_work: gives it back
 * @datapath: the data path in effect (enum netvsc_datapath)
 * @pinned: an administrator pinned the data path to synthetic
 * @join_delay_ms: per-device join delay, or -1 for the module default
 * @switches: number of data path changes
 * @last_switch_ns: wall-clock time of the last switch, in ns
 * @last_switch_boot_ns: CLOCK_BOOTTIME of the last switch, in ns
 * @last_reason: reason of the last switch (enum netvsc_reason)
 * @switch_lock: protects @switch_cookie, @switch_err and @switch_answered
 * @switch_cookie: cookie of the outstanding switch request
 * @switch_err: outcome reported for it
 * @switch_answered: the transport reported it
 * @switch_done: completed when the transport reports the outcome
 * @switch_pending: a switch to the VF awaits the host's answer (RTNL)
 * @switch_reason: the reason to record when it completes (RTNL)
 * @switch_deadline: when it times out, in jiffies (RTNL)
 * @switch_work: completes it, on the answer or when the time runs out
 * @vf_allocated: the host associated a VF (assoc.c; WRITE_ONCE/READ_ONCE)
 * @vf_serial: the serial number of that VF
 */
struct netvsc_priv {
	struct net_device *dev;
	const struct netvsc_transport_ops *ops;
	struct netvsc_caps caps;
	struct netvsc_pcpu_stats __percpu *stats;
	struct hlist_node mac_node;

	struct net_device __rcu *vf;
	netdevice_tracker vf_tracker;
	struct net_device __rcu *vf_tx;
	struct net_device __rcu *vf_rx;
	struct hlist_node nt_node;
	enum netvsc_state vf_state;
	bool vf_addr_sync;
	struct netvsc_vf_saved vf_saved;
	struct netvsc_vf_settings vf_settings;
	bool vf_defaults_valid;
	u32 vf_default_rx;
	u32 vf_default_tx;
	const struct net_device *vf_evicted;
	struct hlist_node evict_node;
	unsigned int vf_gso_seen;
	unsigned int vf_gso_segs_seen;
	unsigned int gso_base;
	unsigned int gso_segs_base;
	unsigned int gso_written;
	unsigned int gso_segs_written;
	unsigned short headroom_base;
	unsigned short tailroom_base;
	netdev_features_t wanted_pushed;
	bool feat_pushing;

	struct delayed_work join_work;
	struct delayed_work limits_work;
	struct delayed_work move_work;
	struct net *move_net;
	int move_ifindex;
	struct work_struct link_work;
	bool synth_link;
	int carrier_hold_ms;
	bool carrier_held;
	bool hold_expired;
	u64 held_flaps;
	struct delayed_work hold_work;
	bool net_changed;
	bool renewing;
	struct delayed_work renew_work;

	enum netvsc_datapath datapath;
	bool pinned;
	int join_delay_ms;
	u64 switches;
	u64 last_switch_ns;
	u64 last_switch_boot_ns;
	enum netvsc_reason last_reason;

	spinlock_t switch_lock;	/* the outstanding switch */
	u32 switch_cookie;
	int switch_err;
	bool switch_answered;
	struct completion switch_done;
	bool switch_pending;
	enum netvsc_reason switch_reason;
	unsigned long switch_deadline;
	struct delayed_work switch_work;

	bool vf_allocated;
	u32 vf_serial;
};

extern const struct net_device_ops netvsc_netdev_ops;
extern const struct ethtool_ops netvsc_ethtool_ops;
extern unsigned int netvsc_vf_join_delay_ms;
extern unsigned int netvsc_vf_carrier_hold_ms;
extern bool netvsc_vf_transparent;
extern bool netvsc_vf_trust_nonpci;

static inline bool netvsc_is_netvsc(const struct net_device *dev)
{
	return dev->netdev_ops == &netvsc_netdev_ops;
}

/**
 * netvsc_joined_vf - the VF, if it is joined transparently
 * @priv: the synthetic device
 *
 * Context: RTNL.
 */
static inline struct net_device *netvsc_joined_vf(struct netvsc_priv *priv)
{
	if (!netvsc_vf_transparent || priv->vf_state != NETVSC_STATE_JOINED)
		return NULL;
	return rtnl_dereference(priv->vf);
}

/* A log line about a device that is not (yet) ours: a local user can make
 * such devices at will, so these lines are rate-limited together.
 */
#define netvsc_foreign_info(priv, fmt, ...)				\
	do {								\
		if (netvsc_foreign_ratelimit())				\
			netdev_info((priv)->dev, fmt, ##__VA_ARGS__);	\
	} while (0)

/* datapath.c */
netdev_tx_t netvsc_start_xmit(struct sk_buff *skb, struct net_device *dev);
rx_handler_result_t netvsc_vf_rx_handler(struct sk_buff **pskb);
void netvsc_stats_read(const struct netvsc_priv *priv,
		       struct netvsc_stats *synth, struct netvsc_stats *vf);

/* vf.c */
void netvsc_vf_scan(struct netvsc_priv *priv);
bool netvsc_vf_acceptable(struct netvsc_priv *priv, struct net_device *vf);
int netvsc_vf_claim(struct netvsc_priv *priv, struct net_device *vf);
void netvsc_vf_release(struct netvsc_priv *priv, enum netvsc_reason reason,
		       bool close);
void netvsc_vf_join(struct netvsc_priv *priv);
void netvsc_vf_leave(struct netvsc_priv *priv, enum netvsc_reason reason);
void netvsc_vf_schedule_join(struct netvsc_priv *priv, bool delay);
void netvsc_vf_queue_move(struct netvsc_priv *priv, struct net_device *vf);
void netvsc_vf_features_changed(struct netvsc_priv *priv);
void netvsc_vf_push_features(struct netvsc_priv *priv);
netdev_features_t netvsc_vf_features(const struct netvsc_priv *priv,
				     const struct net_device *vf);
void netvsc_vf_rx_flags_changed(struct netvsc_priv *priv, int change);
void netvsc_vf_apply_features(struct netvsc_priv *priv);
void netvsc_limits_update(struct netvsc_priv *priv);
void netvsc_datapath_update(struct netvsc_priv *priv,
			    enum netvsc_reason reason);
void netvsc_vf_init(struct netvsc_priv *priv);
void netvsc_vf_cancel(struct netvsc_priv *priv);
bool netvsc_work_rtnl(struct delayed_work *dwork);

/* settings.c */
void netvsc_settings_join(struct netvsc_priv *priv, struct net_device *vf);
void netvsc_settings_leave(struct netvsc_priv *priv, struct net_device *vf);
void netvsc_settings_clear(struct netvsc_priv *priv);

/* carrier.c */
unsigned int netvsc_carrier_hold_ms(const struct netvsc_priv *priv);
void netvsc_carrier_update(struct netvsc_priv *priv);
void netvsc_carrier_renew(struct netvsc_priv *priv);
void netvsc_carrier_init(struct netvsc_priv *priv);
void netvsc_carrier_cancel(struct netvsc_priv *priv);

/* assoc.c */
bool netvsc_slot_serial(const char *name, u32 *serial);
struct netvsc_priv *netvsc_assoc_match(const struct net_device *vf);

/* match.c */
bool netvsc_dev_is_pci(const struct net_device *dev);
bool netvsc_vf_candidate(const struct net_device *dev);
void netvsc_match_explain(const struct net_device *dev);
bool netvsc_foreign_ratelimit(void);
struct netvsc_priv *netvsc_match(const struct net_device *dev);
struct netvsc_priv *netvsc_vf_owner(const struct net_device *vf);
void netvsc_hash_add(struct netvsc_priv *priv);
void netvsc_hash_del(struct netvsc_priv *priv);
void netvsc_hash_update(struct netvsc_priv *priv);
void netvsc_evict_set(struct netvsc_priv *priv, const struct net_device *vf);
void netvsc_evict_forget(const struct net_device *dev);
int netvsc_vflist(char *buf, size_t size);

/* nontransparent.c */
struct netvsc_priv *netvsc_nt_owner(const struct net_device *vf);
void netvsc_nt_pair(struct netvsc_priv *priv, struct net_device *vf);
void netvsc_nt_unpair(struct netvsc_priv *priv, enum netvsc_reason reason);
void netvsc_nt_vf_event(struct netvsc_priv *priv, struct net_device *vf,
			unsigned long event);

/* netlink.c */
int netvsc_nl_init(void);
void netvsc_nl_exit(void);
void netvsc_nl_notify(struct netvsc_priv *priv, enum netvsc_event event,
		      enum netvsc_reason reason);

/* notifier.c */
int netvsc_notifier_init(void);
void netvsc_notifier_exit(void);

#endif /* _NETVSC_H */
