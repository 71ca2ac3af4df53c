// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: the carrier of the synthetic device, and the hold that rides
 * out a short loss of the VF's link.
 *
 * While a VF is joined the carrier is the VF's.  When a joined VF that
 * has had link loses it, the data path goes back to synthetic at once
 * (vf.c), but the carrier stays on for the carrier hold time
 * (carrier_hold_ms, per device; the module's vf_carrier_hold_ms by
 * default): if the VF's link returns within it, the data path returns to
 * the VF and userspace never sees a flap.  If it does not, the carrier
 * follows the VF when the hold expires.  A hold of 0 takes the carrier
 * off at once.  The carrier is held only while the synthetic link, which
 * carries the traffic meanwhile, is up.
 *
 *   VF link lost    hold starts (carrier stays on), or carrier off
 *   VF link back    hold ends (carrier stays on)
 *   hold expires    carrier off until the VF's link is back
 *   VF leaves       hold ends; the carrier is the synthetic link's
 *
 * When the host moves the synthetic NIC to another network
 * (RNDIS_STATUS_NETWORK_CHANGE) the carrier goes off for
 * NETVSC_RENEW_MS, VF or not, so that DHCP clients and the like renew
 * what they got from the old network; Linux's in-tree driver does so for
 * 2 s (linkwatch reports a change at most once a second).
 *
 * Locking: the carrier state is RTNL's (asserted).  The hold's work item
 * is cancelled under RTNL, so it takes RTNL with netvsc_work_rtnl() and
 * checks under it that its hold is still on: a hold that ended while the
 * work waited for RTNL is left alone.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"

#define NETVSC_RENEW_MS		2000

/**
 * netvsc_carrier_hold_ms - the carrier hold time in effect
 * @priv: the synthetic device
 *
 * Return: the device's own, or the module's vf_carrier_hold_ms.
 */
unsigned int netvsc_carrier_hold_ms(const struct netvsc_priv *priv)
{
	int ms = READ_ONCE(priv->carrier_hold_ms);

	return ms >= 0 ? ms : READ_ONCE(netvsc_vf_carrier_hold_ms);
}

/* The VF's link is back, or the VF left: no hold, none expired. */
static void netvsc_carrier_unhold(struct netvsc_priv *priv)
{
	if (priv->carrier_held)
		cancel_delayed_work(&priv->hold_work);
	priv->carrier_held = false;
	priv->hold_expired = false;
}

/* The joined VF @vf has no link: may the carrier stay on? */
static bool netvsc_carrier_hold(struct netvsc_priv *priv,
				struct net_device *vf)
{
	struct net_device *dev = priv->dev;
	unsigned int ms;

	if (priv->hold_expired)
		return false;
	if (priv->carrier_held) {
		if (READ_ONCE(priv->synth_link))
			return true;
		/* Nothing left to carry the traffic. */
		cancel_delayed_work(&priv->hold_work);
		priv->carrier_held = false;
		priv->hold_expired = true;
		netdev_info(dev, "synthetic link lost while VF %s has none: carrier off\n",
			    vf->name);
		return false;
	}

	ms = netvsc_carrier_hold_ms(priv);
	if (!ms || !netif_running(vf) || !READ_ONCE(priv->synth_link) ||
	    !netif_carrier_ok(dev))
		return false;

	priv->carrier_held = true;
	priv->held_flaps++;
	schedule_delayed_work(&priv->hold_work, msecs_to_jiffies(ms));
	netdev_info(dev, "VF %s lost its link: data path synthetic, carrier held for %u ms\n",
		    vf->name, ms);
	return true;
}

/**
 * netvsc_carrier_update - set the carrier of the synthetic device
 * @priv: the synthetic device
 *
 * While a VF is joined the carrier is the VF's, from the VF's first
 * carrier on: a VF that joins before its link is up (a hot-added VF
 * still negotiating) must not take the carrier off a synthetic path that
 * carries the traffic meanwhile.  A loss of the VF's link is held (see
 * above).  Otherwise the carrier is the synthetic link's.  In
 * non-transparent mode the synthetic device pretends its link is down
 * while the paired VF is up, so that a bond over both prefers the VF.
 */
void netvsc_carrier_update(struct netvsc_priv *priv)
{
	struct net_device *vf = rtnl_dereference(priv->vf);
	bool joined = vf && priv->vf_state == NETVSC_STATE_JOINED;
	bool vf_link = joined && netif_running(vf) && netif_carrier_ok(vf);
	bool on;

	ASSERT_RTNL();

	if (vf_link)
		priv->vf_saved.link_seen = true;
	if (priv->renewing) {
		netvsc_carrier_unhold(priv);
		netif_carrier_off(priv->dev);
		return;
	}
	if (vf_link || !joined || !netvsc_vf_transparent)
		netvsc_carrier_unhold(priv);

	if (joined && !netvsc_vf_transparent)
		on = false;
	else if (joined && priv->vf_saved.link_seen)
		on = vf_link || netvsc_carrier_hold(priv, vf);
	else
		on = READ_ONCE(priv->synth_link);

	if (on)
		netif_carrier_on(priv->dev);
	else
		netif_carrier_off(priv->dev);
}

static void netvsc_hold_work(struct work_struct *work)
{
	struct netvsc_priv *priv = container_of(to_delayed_work(work),
						struct netvsc_priv, hold_work);
	struct net_device *vf;

	if (!netvsc_work_rtnl(&priv->hold_work))
		return;
	vf = rtnl_dereference(priv->vf);
	if (priv->carrier_held && vf) {
		priv->carrier_held = false;
		priv->hold_expired = true;
		netdev_info(priv->dev, "VF %s still has no link after %u ms: carrier off\n",
			    vf->name, netvsc_carrier_hold_ms(priv));
		netvsc_carrier_update(priv);
	}
	rtnl_unlock();
}

/**
 * netvsc_carrier_renew - take the carrier off for a network change
 * @priv: the synthetic device
 *
 * Only a carrier that is on goes: a device without link has nothing to
 * renew.
 */
void netvsc_carrier_renew(struct netvsc_priv *priv)
{
	ASSERT_RTNL();

	if (!netif_carrier_ok(priv->dev) || priv->renewing)
		return;
	netdev_info(priv->dev,
		    "the host moved us to another network: carrier off for %u ms\n",
		    NETVSC_RENEW_MS);
	priv->renewing = true;
	schedule_delayed_work(&priv->renew_work,
			      msecs_to_jiffies(NETVSC_RENEW_MS));
}

static void netvsc_renew_work(struct work_struct *work)
{
	struct netvsc_priv *priv = container_of(to_delayed_work(work),
						struct netvsc_priv, renew_work);

	if (!netvsc_work_rtnl(&priv->renew_work))
		return;
	priv->renewing = false;
	netvsc_carrier_update(priv);
	rtnl_unlock();
}

/**
 * netvsc_carrier_init - set up the carrier hold of a new synthetic device
 * @priv: the synthetic device
 */
void netvsc_carrier_init(struct netvsc_priv *priv)
{
	priv->carrier_hold_ms = -1;
	INIT_DELAYED_WORK(&priv->hold_work, netvsc_hold_work);
	INIT_DELAYED_WORK(&priv->renew_work, netvsc_renew_work);
}

/**
 * netvsc_carrier_cancel - stop the carrier hold of a dying synthetic device
 * @priv: the synthetic device, whose VF is released already
 */
void netvsc_carrier_cancel(struct netvsc_priv *priv)
{
	ASSERT_RTNL();

	cancel_delayed_work_sync(&priv->hold_work);
	cancel_delayed_work_sync(&priv->renew_work);
	priv->carrier_held = false;
	priv->hold_expired = false;
	priv->renewing = false;
}
