// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: the transparent VF - claim, join, leave and release.
 *
 * A VF goes through four steps, each undone by its mirror:
 *
 *   claim    rx_handler, master upper link, IFF_SLAVE   (state WAITING)
 *   join     after the join delay, from a work item:
 *            MTU, address lists and promisc/allmulti, VLAN IDs, open,
 *            then the data path switch                  (state JOINED)
 *   leave    the data path back to synthetic first, then the join
 *            undone in reverse order                    (state WAITING)
 *   release  leave if joined, then the claim undone     (state NONE)
 *
 * While joined, the synthetic device's features and TSO/GSO limits are
 * the intersection of its own and the VF's, and its carrier is the VF's
 * (carrier.c).
 *
 * Locking: everything here runs under RTNL (asserted).  The work items are
 * cancelled under RTNL, so they take it with rtnl_trylock() and, when
 * someone else holds it, try again NETVSC_RTNL_RETRY_MS later rather than
 * block (or spin, which requeueing at once would be).  The host's answer
 * to a data path switch comes in any context: netvsc_datapath_done()
 * records it under switch_lock and queues switch_work, which finishes a
 * switch to the VF under RTNL; nothing holds RTNL while the host thinks.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

#include "netvsc.h"

#define NETVSC_RTNL_RETRY_MS	10

/**
 * netvsc_work_rtnl - take RTNL in a work item that is cancelled under it
 * @dwork: the work item
 *
 * Return: true with RTNL held, or false with @dwork queued again
 * NETVSC_RTNL_RETRY_MS later.
 */
bool netvsc_work_rtnl(struct delayed_work *dwork)
{
	if (rtnl_trylock())
		return true;
	schedule_delayed_work(dwork, msecs_to_jiffies(NETVSC_RTNL_RETRY_MS));
	return false;
}

static void netvsc_record_switch(struct netvsc_priv *priv,
				 enum netvsc_reason reason)
{
	WRITE_ONCE(priv->last_reason, reason);
	WRITE_ONCE(priv->last_switch_ns, ktime_get_real_ns());
	WRITE_ONCE(priv->last_switch_boot_ns, ktime_get_boottime_ns());
}

/* A new switch request: its cookie; answers to older ones are ignored. */
static u32 netvsc_switch_begin(struct netvsc_priv *priv)
{
	u32 cookie;

	spin_lock_irq(&priv->switch_lock);
	cookie = ++priv->switch_cookie;
	priv->switch_err = 0;
	priv->switch_answered = false;
	reinit_completion(&priv->switch_done);
	spin_unlock_irq(&priv->switch_lock);
	return cookie;
}

/* Ask the transport to switch to synthetic, and wait a bounded time for
 * its answer: the VF may be about to close or go, and what the host still
 * steers to it until it has switched is lost.
 */
static int netvsc_switch_synthetic(struct netvsc_priv *priv)
{
	unsigned long timeout = msecs_to_jiffies(NETVSC_SWITCH_TIMEOUT_MS);
	u32 cookie = netvsc_switch_begin(priv);
	int err;

	err = priv->ops->set_datapath(priv->dev, NETVSC_DATAPATH_SYNTHETIC,
				      cookie);
	if (err)
		return err;

	if (!wait_for_completion_timeout(&priv->switch_done, timeout)) {
		netdev_err(priv->dev,
			   "host did not complete the data path switch to synthetic within %u ms\n",
			   NETVSC_SWITCH_TIMEOUT_MS);
		return -ETIMEDOUT;
	}

	spin_lock_irq(&priv->switch_lock);
	err = priv->switch_err;
	spin_unlock_irq(&priv->switch_lock);
	return err;
}

/* A switch to the VF that is under way goes no further: the VF is no
 * longer wanted.  The host may have switched already; send it back.
 */
static void netvsc_switch_abandon(struct netvsc_priv *priv)
{
	priv->switch_pending = false;
	cancel_delayed_work(&priv->switch_work);
	if (netvsc_switch_synthetic(priv))
		netdev_warn(priv->dev,
			    "host did not confirm the synthetic data path\n");
}

static void netvsc_to_synthetic(struct netvsc_priv *priv,
				enum netvsc_reason reason)
{
	int err;

	/* Transmit on the synthetic path before the VF stops. */
	RCU_INIT_POINTER(priv->vf_tx, NULL);
	synchronize_net();

	err = netvsc_switch_synthetic(priv);
	if (err)
		netdev_warn(priv->dev,
			    "data path switch to synthetic failed (%d); using it anyway\n",
			    err);

	WRITE_ONCE(priv->datapath, NETVSC_DATAPATH_SYNTHETIC);
	WRITE_ONCE(priv->switches, priv->switches + 1);
	netvsc_record_switch(priv, reason);
	netvsc_nl_notify(priv, NETVSC_EVENT_SWITCH, reason);
}

/* The host refused the switch to @vf, or did not answer. */
static void netvsc_to_vf_failed(struct netvsc_priv *priv,
				struct net_device *vf, int err)
{
	netdev_warn(priv->dev,
		    "data path switch to VF %s failed (%d); staying synthetic\n",
		    vf->name, err);
	/* Leave the host in a known state, without waiting for it: we
	 * transmit synthetic anyway.
	 */
	if (priv->ops->set_datapath(priv->dev, NETVSC_DATAPATH_SYNTHETIC,
				    netvsc_switch_begin(priv)))
		netdev_warn(priv->dev,
			    "host did not take the synthetic data path\n");
	netvsc_record_switch(priv, NETVSC_REASON_SWITCH_FAILED);
	netvsc_nl_notify(priv, NETVSC_EVENT_SWITCH, NETVSC_REASON_SWITCH_FAILED);
}

/* Ask the host to switch to @vf; netvsc_switch_work() goes on when it
 * answers, or when it has not within NETVSC_SWITCH_VF_TIMEOUT_MS.  Until
 * then we transmit synthetic and RTNL is free.
 */
static void netvsc_to_vf(struct netvsc_priv *priv, struct net_device *vf,
			 enum netvsc_reason reason)
{
	int err;

	if (priv->switch_pending)
		return;

	err = priv->ops->set_datapath(priv->dev, NETVSC_DATAPATH_VF,
				      netvsc_switch_begin(priv));
	if (err) {
		netvsc_to_vf_failed(priv, vf, err);
		return;
	}
	priv->switch_pending = true;
	priv->switch_reason = reason;
	priv->switch_deadline = jiffies +
				msecs_to_jiffies(NETVSC_SWITCH_VF_TIMEOUT_MS);
	/* Queued already if the answer came: it goes on at once then. */
	schedule_delayed_work(&priv->switch_work,
			      msecs_to_jiffies(NETVSC_SWITCH_VF_TIMEOUT_MS));
}

/* The host answered the switch to the VF, or the time for it ran out. */
static void netvsc_switch_work(struct work_struct *work)
{
	struct netvsc_priv *priv = container_of(to_delayed_work(work),
						struct netvsc_priv,
						switch_work);
	struct net_device *vf;
	bool answered;
	int err;

	if (!netvsc_work_rtnl(&priv->switch_work))
		return;
	vf = rtnl_dereference(priv->vf);
	if (!priv->switch_pending || !vf)
		goto unlock;

	spin_lock_irq(&priv->switch_lock);
	answered = priv->switch_answered;
	err = priv->switch_err;
	/* Queued by the answer to an older request: wait on. */
	if (!answered && time_before(jiffies, priv->switch_deadline)) {
		spin_unlock_irq(&priv->switch_lock);
		schedule_delayed_work(&priv->switch_work,
				      priv->switch_deadline - jiffies);
		goto unlock;
	}
	if (!answered)
		priv->switch_cookie++;	/* a late answer is ignored */
	spin_unlock_irq(&priv->switch_lock);
	priv->switch_pending = false;

	if (!answered) {
		netdev_err(priv->dev,
			   "host did not complete the data path switch to VF within %u ms\n",
			   NETVSC_SWITCH_VF_TIMEOUT_MS);
		err = -ETIMEDOUT;
	}
	if (err) {
		netvsc_to_vf_failed(priv, vf, err);
		goto unlock;
	}

	/* Non-transparent: we transmit synthetic; the bond uses the VF. */
	if (netvsc_vf_transparent)
		rcu_assign_pointer(priv->vf_tx, vf);
	WRITE_ONCE(priv->datapath, NETVSC_DATAPATH_VF);
	WRITE_ONCE(priv->switches, priv->switches + 1);
	netvsc_record_switch(priv, priv->switch_reason);
	netdev_info(priv->dev, "data path is VF %s\n", vf->name);
	netvsc_nl_notify(priv, NETVSC_EVENT_SWITCH, priv->switch_reason);
unlock:
	rtnl_unlock();
}

/**
 * netvsc_datapath_update - switch the data path to where it belongs
 * @priv: the synthetic device
 * @reason: the reason to record if it switches
 *
 * The data path is the VF while the VF is joined, both devices are
 * running, the VF has carrier and no administrator pinned it to
 * synthetic.  Otherwise it is synthetic.  A switch to the VF completes
 * when the host answers, without RTNL (netvsc_switch_work()); one to
 * synthetic waits for the answer, a bounded time.  In non-transparent mode it is
 * the VF whenever the paired VF is up and not pinned.
 */
void netvsc_datapath_update(struct netvsc_priv *priv,
			    enum netvsc_reason reason)
{
	struct net_device *vf = rtnl_dereference(priv->vf);
	enum netvsc_datapath want = NETVSC_DATAPATH_VF;

	ASSERT_RTNL();

	if (!vf || priv->vf_state != NETVSC_STATE_JOINED || priv->pinned ||
	    !netif_running(vf))
		want = NETVSC_DATAPATH_SYNTHETIC;
	/* Non-transparent: the VF is up, and userspace's bond uses it. */
	else if (netvsc_vf_transparent &&
		 (!netif_running(priv->dev) || !netif_carrier_ok(vf)))
		want = NETVSC_DATAPATH_SYNTHETIC;

	if (want == NETVSC_DATAPATH_SYNTHETIC && priv->switch_pending)
		netvsc_switch_abandon(priv);
	if (want == priv->datapath)
		return;

	if (want == NETVSC_DATAPATH_VF)
		netvsc_to_vf(priv, vf, reason);
	else
		netvsc_to_synthetic(priv, reason);
}

/**
 * netvsc_limits_update - recompute the TSO/GSO limits and the MTU range
 * @priv: the synthetic device
 *
 * The limits are the synthetic path's, lowered to the VF's while it is
 * joined.  A GSO size the user set on the synthetic device is kept as its
 * own limit.  No notifier reports a change of the VF's GSO size, so the
 * transmit path also schedules this when it sees one.
 */
void netvsc_limits_update(struct netvsc_priv *priv)
{
	struct net_device *vf = netvsc_joined_vf(priv);
	struct net_device *dev = priv->dev;
	unsigned int tso_size = priv->caps.tso_max_size;
	unsigned int tso_segs = priv->caps.tso_max_segs;
	unsigned int gso_size, gso_segs;

	ASSERT_RTNL();

	/* A value we did not write is the user's. */
	if (dev->gso_max_size != priv->gso_written)
		priv->gso_base = dev->gso_max_size;
	if (dev->gso_max_segs != priv->gso_segs_written)
		priv->gso_segs_base = dev->gso_max_segs;

	dev->max_mtu = priv->caps.max_mtu;
	if (vf) {
		tso_size = min(tso_size, vf->tso_max_size);
		tso_segs = min(tso_segs, vf->tso_max_segs);
		if (vf->max_mtu)
			dev->max_mtu = min(dev->max_mtu, vf->max_mtu);
	}
	netif_set_tso_max_size(dev, tso_size);
	netif_set_tso_max_segs(dev, tso_segs);

	gso_size = min(priv->gso_base, tso_size);
	gso_segs = min(priv->gso_segs_base, tso_segs);
	if (vf) {
		unsigned int vf_size = READ_ONCE(vf->gso_max_size);
		unsigned int vf_segs = READ_ONCE(vf->gso_max_segs);

		WRITE_ONCE(priv->vf_gso_seen, vf_size);
		WRITE_ONCE(priv->vf_gso_segs_seen, vf_segs);
		gso_size = min(gso_size, vf_size);
		gso_segs = min(gso_segs, vf_segs);
	}
	WRITE_ONCE(dev->gso_max_size, gso_size);
	WRITE_ONCE(dev->gso_max_segs, gso_segs);
	priv->gso_written = gso_size;
	priv->gso_segs_written = gso_segs;
}

static void netvsc_limits_work(struct work_struct *work)
{
	struct netvsc_priv *priv = container_of(to_delayed_work(work),
						struct netvsc_priv, limits_work);

	if (!netvsc_work_rtnl(&priv->limits_work))
		return;
	netvsc_limits_update(priv);
	rtnl_unlock();
}

/* Offloads.  The synthetic device's wanted features are the user's, and
 * nothing here rewrites them.  While a VF is joined it follows them in
 * what both paths offer (priv->caps) and it can toggle: at the join,
 * and whenever the user toggles an offload on the synthetic device.
 * The synthetic device then shows the intersection of its wanted set
 * with what the VF does, so a toggle made on the VF itself shows there
 * too, without changing what the user asked of the synthetic device.
 * On leave the VF gets its own wanted features back, and the synthetic
 * device its wanted set, unchanged by the VF's stay.
 */

/* Of @bits, those the VF can toggle; the checksum bits go as a group. */
static netdev_features_t netvsc_vf_movable(const struct net_device *vf,
					   netdev_features_t bits)
{
	if (bits & NETIF_F_CSUM_MASK)
		bits |= NETIF_F_CSUM_MASK;
	return bits & vf->hw_features & NETVSC_VF_OFFLOADS;
}

/* Of @moved, those the synthetic device wants on. */
static netdev_features_t netvsc_vf_follow(const struct net_device *dev,
					  netdev_features_t moved)
{
	netdev_features_t on = dev->wanted_features & moved &
			       ~NETIF_F_CSUM_MASK;

	/* Checksum bits differ between devices (HW_CSUM against IP and
	 * IPv6 checksums): any of ours wanted turns on all of the VF's.
	 */
	if (dev->wanted_features & NETIF_F_CSUM_MASK)
		on |= moved & NETIF_F_CSUM_MASK;
	return on;
}

/* The VF toggles the user changed on the synthetic device since the last
 * push to the VF.
 */
static netdev_features_t netvsc_vf_pending(const struct netvsc_priv *priv,
					   const struct net_device *vf)
{
	netdev_features_t changed = priv->dev->wanted_features ^
				    priv->wanted_pushed;

	return netvsc_vf_movable(vf, changed & priv->caps.features);
}

/**
 * netvsc_vf_features - what the joined VF does, for ndo_fix_features
 * @priv: the synthetic device
 * @vf: its joined VF
 *
 * The VF's features, with the toggles still to be pushed to it as they
 * will be once pushed (see netvsc_vf_push_features()).
 *
 * Return: the features to intersect the synthetic device's with.
 */
netdev_features_t netvsc_vf_features(const struct netvsc_priv *priv,
				     const struct net_device *vf)
{
	netdev_features_t moved = netvsc_vf_pending(priv, vf);

	ASSERT_RTNL();

	return (vf->features & ~moved) | netvsc_vf_follow(priv->dev, moved);
}

/* Set the VF's toggles in @moved as the synthetic device wants them. */
static void netvsc_vf_push(struct netvsc_priv *priv, struct net_device *vf,
			   netdev_features_t moved)
{
	netdev_features_t want;

	priv->wanted_pushed = priv->dev->wanted_features;
	want = (vf->wanted_features & ~moved) |
	       netvsc_vf_follow(priv->dev, moved);
	if (want == vf->wanted_features)
		return;

	priv->feat_pushing = true;
	vf->wanted_features = want;
	netdev_update_features(vf);
	priv->feat_pushing = false;
}

/**
 * netvsc_vf_apply_features - set the synthetic device's feature sets
 * @priv: the synthetic device
 *
 * Its hw and VLAN features are the synthetic path's, or their
 * intersection with the VF's while it is joined.  Tunnel offloads are the
 * VF's alone (the synthetic path has none, and does them in software):
 * while a VF is joined the device offers its tunnel GSO types and its
 * hw_enc_features, and room for its headers (needed_headroom and
 * needed_tailroom, the larger of both paths').  Then the features are
 * recomputed through ndo_fix_features.
 */
void netvsc_vf_apply_features(struct netvsc_priv *priv)
{
	struct net_device *vf = netvsc_joined_vf(priv);
	struct net_device *dev = priv->dev;
	netdev_features_t offloads = priv->caps.features & NETVSC_VF_OFFLOADS;
	netdev_features_t vlan = offloads & ~(NETIF_F_HW_VLAN_CTAG_TX |
					      NETIF_F_HW_VLAN_CTAG_RX);
	netdev_features_t enc = 0;
	unsigned short headroom = priv->headroom_base;
	unsigned short tailroom = priv->tailroom_base;

	ASSERT_RTNL();

	if (vf) {
		netdev_features_t has = vf->hw_features | vf->features;

		offloads = netdev_intersect_features(offloads, has);
		offloads |= has & NETIF_F_GSO_ENCAP_ALL;
		vlan = netdev_intersect_features(vlan, vf->vlan_features);
		enc = vf->hw_enc_features & NETVSC_VF_ENC_OFFLOADS;
		/* Our checksum bits are IPv4 and IPv6 where a VF may have
		 * the generic one, and the stack takes features &
		 * hw_enc_features: any checksum the VF does inside a tunnel
		 * counts as ours.  A frame the VF cannot checksum after all
		 * is checksummed by the VF's own dev_queue_xmit(), and one
		 * that takes the synthetic path by datapath.c.
		 */
		if (enc & NETIF_F_CSUM_MASK)
			enc |= NETIF_F_CSUM_MASK;
		headroom = max(headroom, vf->needed_headroom);
		tailroom = max(tailroom, vf->needed_tailroom);
	}
	dev->hw_features = offloads;
	dev->vlan_features = vlan;
	dev->hw_enc_features = enc;
	dev->needed_headroom = headroom;
	dev->needed_tailroom = tailroom;
	netdev_update_features(dev);
}

/**
 * netvsc_vf_features_changed - the VF's features changed
 * @priv: the synthetic device
 *
 * The synthetic device shows the change (an offload turned off on the
 * VF is off on the synthetic device, and back on), and its wanted set is
 * left as the user made it.
 */
void netvsc_vf_features_changed(struct netvsc_priv *priv)
{
	struct net_device *vf = netvsc_joined_vf(priv);

	ASSERT_RTNL();

	if (!vf || priv->feat_pushing)
		return;

	netvsc_vf_apply_features(priv);
	netvsc_limits_update(priv);
}

/**
 * netvsc_vf_push_features - push the user's toggles to the VF
 * @priv: the synthetic device
 *
 * Called from ndo_set_features: the offloads the user toggled on the
 * synthetic device since the last push are toggled on the VF, where the
 * VF can toggle them.  The features the VF got from elsewhere (its own
 * ethtool -K, say) are left as they are.
 */
void netvsc_vf_push_features(struct netvsc_priv *priv)
{
	struct net_device *vf = netvsc_joined_vf(priv);

	ASSERT_RTNL();

	if (vf)
		netvsc_vf_push(priv, vf, netvsc_vf_pending(priv, vf));
}

static void netvsc_join_work(struct work_struct *work)
{
	struct netvsc_priv *priv = container_of(to_delayed_work(work),
						struct netvsc_priv, join_work);

	if (!netvsc_work_rtnl(&priv->join_work))
		return;
	netvsc_vf_join(priv);
	rtnl_unlock();
}

/**
 * netvsc_vf_schedule_join - schedule the join of the claimed VF
 * @priv: the synthetic device
 * @delay: wait the join delay first
 */
void netvsc_vf_schedule_join(struct netvsc_priv *priv, bool delay)
{
	int ms = READ_ONCE(priv->join_delay_ms);

	if (ms < 0)
		ms = READ_ONCE(netvsc_vf_join_delay_ms);
	mod_delayed_work(system_wq, &priv->join_work,
			 delay ? msecs_to_jiffies(ms) : 0);
}

static void netvsc_vf_sync_addrs(struct netvsc_priv *priv,
				 struct net_device *vf, bool sync)
{
	struct net_device *dev = priv->dev;

	if (sync) {
		netif_addr_lock_bh(dev);
		priv->vf_addr_sync = true;
		dev_uc_sync(vf, dev);
		dev_mc_sync(vf, dev);
		netif_addr_unlock_bh(dev);
	} else {
		netif_addr_lock_bh(dev);
		priv->vf_addr_sync = false;
		netif_addr_unlock_bh(dev);
		dev_uc_unsync(vf, dev);
		dev_mc_unsync(vf, dev);
	}
}

static void netvsc_vf_rx_flags(struct netvsc_priv *priv,
			       struct net_device *vf, bool join)
{
	struct netvsc_vf_saved *saved = &priv->vf_saved;
	int inc = join ? 1 : -1;

	if (join) {
		saved->promisc = priv->dev->flags & IFF_PROMISC;
		saved->allmulti = priv->dev->flags & IFF_ALLMULTI;
	}
	if (saved->promisc)
		dev_set_promiscuity(vf, inc);
	if (saved->allmulti)
		dev_set_allmulti(vf, inc);
}

/**
 * netvsc_vf_rx_flags_changed - mirror a promisc/allmulti change
 * @priv: the synthetic device
 * @change: the flags that changed on the synthetic device
 */
void netvsc_vf_rx_flags_changed(struct netvsc_priv *priv, int change)
{
	struct net_device *vf = netvsc_joined_vf(priv);
	struct net_device *dev = priv->dev;

	ASSERT_RTNL();

	if (!vf)
		return;
	if (change & IFF_PROMISC) {
		priv->vf_saved.promisc = dev->flags & IFF_PROMISC;
		dev_set_promiscuity(vf, priv->vf_saved.promisc ? 1 : -1);
	}
	if (change & IFF_ALLMULTI) {
		priv->vf_saved.allmulti = dev->flags & IFF_ALLMULTI;
		dev_set_allmulti(vf, priv->vf_saved.allmulti ? 1 : -1);
	}
}

/**
 * netvsc_vf_join - finish the join of the claimed VF
 * @priv: the synthetic device
 *
 * A VF joins when it is up, or when the synthetic device is up and can
 * bring it up.  Otherwise it stays claimed and joins when one comes up.
 */
void netvsc_vf_join(struct netvsc_priv *priv)
{
	struct net_device *vf = rtnl_dereference(priv->vf);
	struct netvsc_vf_saved *saved = &priv->vf_saved;
	struct net_device *dev = priv->dev;
	int err;

	ASSERT_RTNL();

	if (!netvsc_vf_transparent || !vf ||
	    priv->vf_state != NETVSC_STATE_WAITING)
		return;
	if (!netif_running(vf) && !netif_running(dev))
		return;

	memset(saved, 0, sizeof(*saved));

	/* 1. MTU */
	saved->mtu = vf->mtu;
	if (vf->mtu != dev->mtu) {
		err = dev_set_mtu(vf, dev->mtu);
		if (err) {
			netdev_warn(dev,
				    "VF %s cannot take MTU %u (%d); not joining\n",
				    vf->name, dev->mtu, err);
			return;
		}
	}
	/* 2. address lists, promisc and allmulti */
	netvsc_vf_sync_addrs(priv, vf, true);
	netvsc_vf_rx_flags(priv, vf, true);

	/* 3. VLAN IDs */
	err = vlan_vids_add_by_dev(vf, dev);
	if (err)
		netdev_warn(dev, "VF %s refused the VLAN IDs (%d)\n",
			    vf->name, err);
	saved->vlans = !err;

	/* the VF follows the user's offload choices */
	WRITE_ONCE(priv->vf_state, NETVSC_STATE_JOINED);
	saved->wanted_features = vf->wanted_features;
	netvsc_vf_push(priv, vf, netvsc_vf_movable(vf, priv->caps.features));
	netvsc_vf_features_changed(priv);

	/* what the user set on this VF before it last left */
	netvsc_settings_join(priv, vf);

	/* 4. open */
	if (netif_running(dev) && !netif_running(vf)) {
		err = dev_open(vf, NULL);
		if (err)
			netdev_warn(dev, "cannot open VF %s (%d)\n",
				    vf->name, err);
		saved->opened = !err;
	}

	netdev_info(dev, "joined VF %s\n", vf->name);
	netvsc_nl_notify(priv, NETVSC_EVENT_JOIN, NETVSC_REASON_JOIN);
	netvsc_carrier_update(priv);
	if (netif_running(dev) && !saved->link_seen)
		netdev_info(dev, "VF %s has no carrier yet: the synthetic path carries the traffic until it has\n",
			    vf->name);

	/* 5. the data path */
	netvsc_datapath_update(priv, NETVSC_REASON_JOIN);
}

/**
 * netvsc_vf_leave - undo the join
 * @priv: the synthetic device
 * @reason: why, as recorded for the data path switch
 *
 * The data path goes back to synthetic first, while the VF still passes
 * traffic; then the join is undone in reverse.  What cannot be undone on
 * a VF that is being unregistered is left alone.
 */
void netvsc_vf_leave(struct netvsc_priv *priv, enum netvsc_reason reason)
{
	struct net_device *vf = netvsc_joined_vf(priv);
	struct netvsc_vf_saved *saved = &priv->vf_saved;
	struct net_device *dev = priv->dev;
	bool alive;

	ASSERT_RTNL();

	if (!vf)
		return;

	alive = vf->reg_state == NETREG_REGISTERED;
	if (alive)
		netvsc_settings_leave(priv, vf);
	WRITE_ONCE(priv->vf_state, NETVSC_STATE_LEAVING);

	/* 5. the data path */
	netvsc_datapath_update(priv, reason);

	/* 4. open: the VF goes down with the synthetic device, or when
	 * it is released, not on every leave; see netvsc_vf_release().
	 */

	/* features and limits */
	cancel_delayed_work_sync(&priv->limits_work);
	if (alive && vf->wanted_features != saved->wanted_features) {
		vf->wanted_features = saved->wanted_features;
		netdev_update_features(vf);
	}

	/* 3. VLAN IDs */
	if (saved->vlans)
		vlan_vids_del_by_dev(vf, dev);

	/* 2. promisc, allmulti and address lists */
	netvsc_vf_rx_flags(priv, vf, false);
	netvsc_vf_sync_addrs(priv, vf, false);

	/* 1. MTU */
	if (alive && vf->mtu != saved->mtu)
		dev_set_mtu(vf, saved->mtu);

	WRITE_ONCE(priv->vf_state, NETVSC_STATE_WAITING);
	netvsc_vf_apply_features(priv);
	netvsc_limits_update(priv);
	netvsc_carrier_update(priv);
	netdev_info(dev, "VF %s left\n", vf->name);
	netvsc_nl_notify(priv, NETVSC_EVENT_LEAVE, reason);
}

/**
 * netvsc_vf_acceptable - may this candidate become our VF?
 * @priv: the synthetic device
 * @vf: a candidate, in any namespace
 *
 * Refuses, with a (rate-limited) log line, a second VF and a device that
 * belongs to another (it has an rx_handler, as a bond's slave does).  A
 * refused device is left as it is.
 */
bool netvsc_vf_acceptable(struct netvsc_priv *priv, struct net_device *vf)
{
	struct net_device *cur = rtnl_dereference(priv->vf);

	ASSERT_RTNL();

	if (cur && cur != vf) {
		netvsc_foreign_info(priv, "%s has our MAC but %s is already our VF; ignoring it\n",
				    vf->name, cur->name);
		return false;
	}
	if (netdev_is_rx_handler_busy(vf)) {
		netvsc_foreign_info(priv, "%s has our MAC but belongs to another device; not taking it\n",
				    vf->name);
		return false;
	}
	return true;
}

/**
 * netvsc_vf_claim - make a VF our slave
 * @priv: the synthetic device
 * @vf: a candidate in our namespace
 *
 * Return: 0, or a negative errno with nothing changed.
 */
int netvsc_vf_claim(struct netvsc_priv *priv, struct net_device *vf)
{
	struct net_device *dev = priv->dev;
	int err;

	ASSERT_RTNL();

	/* Acceptable but already ours: nothing to do. */
	if (!netvsc_vf_acceptable(priv, vf) || rtnl_dereference(priv->vf))
		return -EBUSY;

	err = netdev_rx_handler_register(vf, netvsc_vf_rx_handler, dev);
	if (err)
		goto err_log;

	err = netdev_master_upper_dev_link(vf, dev, NULL, NULL, NULL);
	if (err)
		goto err_rx_handler;

	vf->flags |= IFF_SLAVE;
	netdev_hold(vf, &priv->vf_tracker, GFP_KERNEL);
	rcu_assign_pointer(priv->vf, vf);
	netvsc_evict_set(priv, NULL);
	WRITE_ONCE(priv->vf_state, NETVSC_STATE_WAITING);
	netdev_info(dev, "VF %s claimed\n", vf->name);

	netvsc_vf_schedule_join(priv, true);
	return 0;

err_rx_handler:
	netdev_rx_handler_unregister(vf);
err_log:
	netdev_warn(dev, "cannot take VF %s (%d)\n", vf->name, err);
	return err;
}

/**
 * netvsc_vf_release - let the VF go
 * @priv: the synthetic device
 * @reason: why, as recorded for the data path switch
 * @close: close the VF if the join opened it
 *
 * The VF is left an ordinary device.
 */
void netvsc_vf_release(struct netvsc_priv *priv, enum netvsc_reason reason,
		       bool close)
{
	struct net_device *vf = rtnl_dereference(priv->vf);
	struct net_device *dev = priv->dev;
	bool opened = priv->vf_saved.opened;

	ASSERT_RTNL();

	if (!netvsc_vf_transparent) {
		netvsc_nt_unpair(priv, reason);
		return;
	}
	if (!vf)
		return;

	close = close && priv->vf_state == NETVSC_STATE_JOINED && opened;
	netvsc_vf_leave(priv, reason);
	if (close && vf->reg_state == NETREG_REGISTERED && netif_running(vf))
		dev_close(vf);
	cancel_delayed_work_sync(&priv->join_work);
	WRITE_ONCE(priv->vf_state, NETVSC_STATE_LEAVING);

	vf->flags &= ~IFF_SLAVE;
	netdev_upper_dev_unlink(vf, dev);
	netdev_rx_handler_unregister(vf);
	RCU_INIT_POINTER(priv->vf, NULL);
	WRITE_ONCE(priv->vf_state, NETVSC_STATE_NONE);
	netdev_info(dev, "VF %s released\n", vf->name);
	netdev_put(vf, &priv->vf_tracker);
}

/**
 * netvsc_vf_scan - look for a VF that already exists
 * @priv: the synthetic device, which has none
 *
 * A match in our namespace is claimed; one in another namespace is moved
 * into ours first.  The one the host associated with us comes first, then
 * one in our namespace.
 */
void netvsc_vf_scan(struct netvsc_priv *priv)
{
	struct net_device *dev = priv->dev;
	struct net_device *vf, *found = NULL;
	int rank, best = -1;
	struct net *net;

	ASSERT_RTNL();

	if (rtnl_dereference(priv->vf))
		return;

	rcu_read_lock();
	for_each_net_rcu(net) {
		for_each_netdev_rcu(net, vf) {
			if (vf->reg_state != NETREG_REGISTERED ||
			    vf == priv->vf_evicted)
				continue;
			if (netvsc_match(vf) != priv) {
				if (ether_addr_equal(vf->dev_addr,
						     dev->dev_addr))
					netvsc_match_explain(vf);
				continue;
			}
			if (!check_net(net))
				continue;
			rank = (netvsc_assoc_match(vf) == priv) * 2 +
			       net_eq(net, dev_net(dev));
			if (rank > best) {
				found = vf;
				best = rank;
			}
		}
	}
	rcu_read_unlock();

	if (!found)
		return;
	if (!netvsc_vf_transparent) {
		/* Non-transparent mode pairs within a namespace only. */
		if (net_eq(dev_net(found), dev_net(dev)))
			netvsc_nt_pair(priv, found);
	} else if (net_eq(dev_net(found), dev_net(dev))) {
		netvsc_vf_claim(priv, found);
	} else {
		netvsc_vf_queue_move(priv, found);
	}
}

static void netvsc_move_work(struct work_struct *work)
{
	struct netvsc_priv *priv = container_of(to_delayed_work(work),
						struct netvsc_priv, move_work);
	struct net_device *dev = priv->dev;
	struct net_device *vf;
	struct net *net;
	int err;

	if (!netvsc_work_rtnl(&priv->move_work))
		return;

	net = priv->move_net;
	priv->move_net = NULL;
	if (!net)
		goto unlock;

	vf = __dev_get_by_index(net, priv->move_ifindex);
	if (!vf || netvsc_match(vf) != priv || net_eq(net, dev_net(dev)) ||
	    !netvsc_vf_acceptable(priv, vf))
		goto put_net;

	netdev_info(dev, "moving VF %s into our namespace\n", vf->name);
	err = dev_change_net_namespace(vf, dev_net(dev), "eth%d");
	if (err)
		netvsc_foreign_info(priv, "cannot move VF %s into our namespace (%d)\n",
				    vf->name, err);
	/* On success, NETDEV_REGISTER in our namespace claims it; on
	 * failure the device is as it was: nothing was set on it.
	 */

put_net:
	put_net(net);
unlock:
	rtnl_unlock();
}

/**
 * netvsc_vf_queue_move - move a VF into our namespace, later
 * @priv: the synthetic device
 * @vf: the VF, in another namespace
 *
 * Moving a device from inside a netdev notifier is not allowed, so a
 * work item does it.
 */
void netvsc_vf_queue_move(struct netvsc_priv *priv, struct net_device *vf)
{
	struct net *net;

	ASSERT_RTNL();

	if (priv->move_net || !netvsc_vf_acceptable(priv, vf))
		return;
	net = maybe_get_net(dev_net(vf));
	if (!net)
		return;
	priv->move_net = net;
	priv->move_ifindex = vf->ifindex;
	schedule_delayed_work(&priv->move_work, 0);
}

/**
 * netvsc_vf_init - set up the VF machinery of a new synthetic device
 * @priv: the synthetic device
 */
void netvsc_vf_init(struct netvsc_priv *priv)
{
	INIT_DELAYED_WORK(&priv->join_work, netvsc_join_work);
	INIT_DELAYED_WORK(&priv->limits_work, netvsc_limits_work);
	INIT_DELAYED_WORK(&priv->move_work, netvsc_move_work);
	INIT_DELAYED_WORK(&priv->switch_work, netvsc_switch_work);
}

/**
 * netvsc_vf_cancel - stop the VF machinery of a dying synthetic device
 * @priv: the synthetic device, whose VF is released already
 */
void netvsc_vf_cancel(struct netvsc_priv *priv)
{
	ASSERT_RTNL();

	cancel_delayed_work_sync(&priv->join_work);
	cancel_delayed_work_sync(&priv->limits_work);
	cancel_delayed_work_sync(&priv->move_work);
	/* No answer of the host may queue the switch work any more. */
	spin_lock_irq(&priv->switch_lock);
	priv->switch_cookie++;
	spin_unlock_irq(&priv->switch_lock);
	cancel_delayed_work_sync(&priv->switch_work);
	priv->switch_pending = false;
	if (priv->move_net) {
		put_net(priv->move_net);
		priv->move_net = NULL;
	}
}
