// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc engine: the transport operations over NVSP/RNDIS, and the life
 * of an engine - bring-up, teardown, the MTU change that re-does both,
 * and the up-calls to the core.
 *
 * Locking: see engine.h.  Bring-up and teardown run under
 * eng->ctrl_lock.  The link up-call is made under eng->upcall_lock and
 * only while eng->upcalls is set, which netvsc_eng_remove() clears
 * before unregistering the device.  The VF association up-call sleeps
 * and takes RTNL: the packet handler records the association under
 * eng->upcall_lock and queues eng->assoc_work, which reports the latest
 * one; the work is queued only while eng->upcalls is set and cancelled
 * after it is cleared.
 */

#include <linux/etherdevice.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "engine.h"

static struct netvsc_eng *netvsc_eng_of(const struct net_device *dev)
{
	return netvsc_transport_priv(dev);
}

/**
 * netvsc_eng_link - report the host's link state to the core
 * @eng: the engine
 * @up: whether the link is up
 *
 * Context: any.
 */
void netvsc_eng_link(struct netvsc_eng *eng, bool up)
{
	unsigned long flags;

	spin_lock_irqsave(&eng->upcall_lock, flags);
	eng->link = up;
	if (eng->upcalls)
		netvsc_link_change(eng->dev, up);
	spin_unlock_irqrestore(&eng->upcall_lock, flags);
}

/**
 * netvsc_eng_network_change - report that the host moved us to another
 *	network
 * @eng: the engine
 *
 * Context: any.
 */
void netvsc_eng_network_change(struct netvsc_eng *eng)
{
	unsigned long flags;

	spin_lock_irqsave(&eng->upcall_lock, flags);
	if (eng->upcalls)
		netvsc_network_change(eng->dev);
	spin_unlock_irqrestore(&eng->upcall_lock, flags);
}

/**
 * netvsc_eng_vf_assoc - report the host's VF association to the core
 * @eng: the engine
 * @allocated: whether a VF is allocated to us
 * @serial: its serial number
 *
 * The core is told from a work item: it takes RTNL, and looks for the VF
 * again if the association came after the VF appeared.
 *
 * Context: any.
 */
void netvsc_eng_vf_assoc(struct netvsc_eng *eng, bool allocated, u32 serial)
{
	unsigned long flags;

	netdev_info(eng->dev, "host %s VF with serial %u\n",
		    allocated ? "associated the" : "withdrew the", serial);
	spin_lock_irqsave(&eng->upcall_lock, flags);
	/* Kept for the core, which may not be listening yet. */
	eng->vf_allocated = allocated;
	eng->vf_serial = serial;
	if (eng->upcalls)
		schedule_work(&eng->assoc_work);
	spin_unlock_irqrestore(&eng->upcall_lock, flags);
}

/* Tell the core the latest association.  One work item, so the core
 * never gets an older association after a newer one.
 */
static void netvsc_eng_assoc_work(struct work_struct *work)
{
	struct netvsc_eng *eng = container_of(work, struct netvsc_eng,
					      assoc_work);
	unsigned long flags;
	bool allocated, on;
	u32 serial;

	spin_lock_irqsave(&eng->upcall_lock, flags);
	on = eng->upcalls;
	allocated = eng->vf_allocated;
	serial = eng->vf_serial;
	spin_unlock_irqrestore(&eng->upcall_lock, flags);

	if (on)
		netvsc_vf_assoc(eng->dev, allocated, serial);
}

/* Let the up-calls through, with what the host said before, which the
 * core has once this returns.  Context: process; takes RTNL.
 */
static void netvsc_eng_upcalls_on(struct netvsc_eng *eng)
{
	unsigned long flags;

	spin_lock_irqsave(&eng->upcall_lock, flags);
	eng->upcalls = true;
	schedule_work(&eng->assoc_work);
	spin_unlock_irqrestore(&eng->upcall_lock, flags);
	flush_work(&eng->assoc_work);
}

/* Stop the up-calls.  Context: process; sleeps. */
static void netvsc_eng_upcalls_off(struct netvsc_eng *eng)
{
	unsigned long flags;

	spin_lock_irqsave(&eng->upcall_lock, flags);
	eng->upcalls = false;
	spin_unlock_irqrestore(&eng->upcall_lock, flags);
	cancel_work_sync(&eng->assoc_work);
}

/* Bring the protocol up with @mtu.  Context: eng->ctrl_lock held. */
static int netvsc_eng_start(struct netvsc_eng *eng, u32 mtu)
{
	int err;

	lockdep_assert_held(&eng->ctrl_lock);

	eng->mtu = mtu;
	err = netvsc_nvsp_start(eng);
	if (err)
		return err;
	netvsc_tx_reset(eng);
	err = netvsc_rndis_start(eng);
	if (err)
		goto err_nvsp;
	WRITE_ONCE(eng->started, true);
	return 0;

err_nvsp:
	netvsc_nvsp_stop(eng);
	netvsc_tx_reset(eng);
	return err;
}

/* Take the protocol down.  Context: eng->ctrl_lock held. */
static void netvsc_eng_stop(struct netvsc_eng *eng)
{
	lockdep_assert_held(&eng->ctrl_lock);

	if (!eng->started)
		return;
	WRITE_ONCE(eng->started, false);
	netvsc_rndis_halt(eng);
	netvsc_nvsp_stop(eng);
	/* The channel is closed: nothing completes the sends in flight. */
	netvsc_tx_reset(eng);
}

static void netvsc_eng_filter_work(struct work_struct *work)
{
	struct netvsc_eng *eng = container_of(work, struct netvsc_eng,
					      filter_work);

	mutex_lock(&eng->ctrl_lock);
	if (eng->started)
		netvsc_rndis_set_filter(eng, READ_ONCE(eng->running) ?
					READ_ONCE(eng->filter) : 0);
	mutex_unlock(&eng->ctrl_lock);
}

static int netvsc_eng_open(struct net_device *dev)
{
	struct netvsc_eng *eng = netvsc_eng_of(dev);

	WRITE_ONCE(eng->running, true);
	schedule_work(&eng->filter_work);
	return 0;
}

static void netvsc_eng_close(struct net_device *dev)
{
	struct netvsc_eng *eng = netvsc_eng_of(dev);

	WRITE_ONCE(eng->running, false);
	cancel_work_sync(&eng->filter_work);
	mutex_lock(&eng->ctrl_lock);
	if (eng->started)
		netvsc_rndis_set_filter(eng, 0);
	mutex_unlock(&eng->ctrl_lock);
}

static void netvsc_eng_set_rx_filter(struct net_device *dev, u32 filter)
{
	struct netvsc_eng *eng = netvsc_eng_of(dev);

	WRITE_ONCE(eng->filter, filter);
	schedule_work(&eng->filter_work);
}

/* Ask for @path; the answer goes to the core unless @quiet. */
static int netvsc_eng_switch(struct netvsc_eng *eng,
			     enum netvsc_datapath path, u32 cookie, bool quiet)
{
	struct nvsp_msg msg = { .type = NVSP_MSG4_SWITCH_DATA_PATH };
	u32 active = path == NETVSC_DATAPATH_VF ? NVSP_DATAPATH_VF :
						   NVSP_DATAPATH_SYNTHETIC;

	msg.datapath.active = active;
	return eng->chan->ops->send(eng->chan, &msg, sizeof(msg), NULL, 0,
				    NETVSC_ID_SWITCH |
				    (quiet ? NETVSC_ID_QUIET : 0) |
				    (u64)active << 32 | cookie, true);
}

static int netvsc_eng_set_datapath(struct net_device *dev,
				   enum netvsc_datapath path, u32 cookie)
{
	struct netvsc_eng *eng = netvsc_eng_of(dev);
	int err;

	ASSERT_RTNL();

	mutex_lock(&eng->ctrl_lock);
	if (!eng->started)
		err = -ENODEV;
	else if (eng->nvsp_version < NVSP_VERSION_4)
		err = -EOPNOTSUPP;
	else
		err = netvsc_eng_switch(eng, path, cookie, false);
	if (!err)
		eng->datapath = path;
	mutex_unlock(&eng->ctrl_lock);
	return err;
}

/* Stop or restart the synthetic path's transmits without stopping the
 * device's queue: the device has no qdisc, so a stopped queue would drop
 * every frame, those for the VF too, each with a "asks to queue packet"
 * line.  While paused, the synthetic path drops and counts.
 */
static void netvsc_eng_tx_pause(struct netvsc_eng *eng, bool pause)
{
	struct netdev_queue *txq = netdev_get_tx_queue(eng->dev, 0);

	__netif_tx_lock_bh(txq);
	WRITE_ONCE(eng->tx_paused, pause);
	__netif_tx_unlock_bh(txq);
}

/* The host takes a new MTU only with a new NDIS configuration. */
static int netvsc_eng_set_mtu(struct net_device *dev, unsigned int mtu)
{
	struct netvsc_eng *eng = netvsc_eng_of(dev);
	u32 old = eng->mtu;
	int err, err2;

	ASSERT_RTNL();

	if (mtu == old)
		return 0;

	netvsc_eng_tx_pause(eng, true);
	mutex_lock(&eng->ctrl_lock);
	netvsc_eng_stop(eng);
	err = netvsc_eng_start(eng, mtu);
	if (err) {
		netdev_warn(dev, "host refused MTU %u (%d); back to %u\n", mtu,
			    err, old);
		err2 = netvsc_eng_start(eng, old);
		if (err2)
			netdev_err(dev, "synthetic path down: cannot restart it (%d)\n",
				   err2);
	}
	if (eng->started) {
		if (eng->running)
			netvsc_rndis_set_filter(eng, eng->filter);
		/* A new channel starts on the synthetic path. */
		if (eng->datapath == NETVSC_DATAPATH_VF &&
		    eng->nvsp_version >= NVSP_VERSION_4)
			netvsc_eng_switch(eng, NETVSC_DATAPATH_VF, 0, true);
	}
	mutex_unlock(&eng->ctrl_lock);

	netvsc_eng_link(eng, eng->link);
	netvsc_eng_tx_pause(eng, false);
	/* With a qdisc, a queue the full ring stopped has no completion
	 * left to wake it.
	 */
	if (netif_running(dev))
		netif_tx_wake_all_queues(dev);
	return err;
}

static void netvsc_eng_get_caps(struct net_device *dev,
				struct netvsc_caps *caps)
{
	struct netvsc_eng *eng = netvsc_eng_of(dev);
	const struct netvsc_offload_caps *c = &eng->offload;

	caps->features = NETIF_F_SG | NETIF_F_HIGHDMA |
			 NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_CTAG_RX;
	if (c->ip4_tx_csum & NDIS_CSUM_TCP)
		caps->features |= NETIF_F_IP_CSUM;
	if (c->ip6_tx_csum & NDIS_CSUM_TCP)
		caps->features |= NETIF_F_IPV6_CSUM;
	if ((c->ip4_rx_csum | c->ip6_rx_csum) & NDIS_CSUM_TCP)
		caps->features |= NETIF_F_RXCSUM;
	if (c->lso4 && (caps->features & NETIF_F_IP_CSUM))
		caps->features |= NETIF_F_TSO;
	if (c->lso6 && (caps->features & NETIF_F_IPV6_CSUM))
		caps->features |= NETIF_F_TSO6;
	/* The host's limit holds whenever it gives one, LSO on or not. */
	caps->tso_max_size = GSO_MAX_SIZE;
	if (c->lso4_max)
		caps->tso_max_size = min(caps->tso_max_size, c->lso4_max);
	if (c->lso6_max)
		caps->tso_max_size = min(caps->tso_max_size, c->lso6_max);
	/* NDIS has no segment limit; a frame's pages are limited instead. */
	caps->tso_max_segs = GSO_MAX_SEGS;
	caps->min_mtu = ETH_MIN_MTU;
	caps->max_mtu = eng->max_mtu;
	caps->max_channels = 1;
}

/* The driver is the channel's module: hv_netvsc, or netvsc_sim. */
static void netvsc_eng_get_drvinfo(struct net_device *dev,
				   struct ethtool_drvinfo *info)
{
	strscpy(info->driver, netvsc_eng_of(dev)->chan->ops->driver,
		sizeof(info->driver));
}

static const struct netvsc_transport_ops netvsc_eng_ops = {
	.open		= netvsc_eng_open,
	.close		= netvsc_eng_close,
	.xmit		= netvsc_eng_xmit,
	.set_rx_filter	= netvsc_eng_set_rx_filter,
	.set_mtu	= netvsc_eng_set_mtu,
	.get_caps	= netvsc_eng_get_caps,
	.set_datapath	= netvsc_eng_set_datapath,
	.get_drvinfo	= netvsc_eng_get_drvinfo,
};

/**
 * netvsc_eng_add - bring a synthetic NIC up over a channel
 * @chan: the channel, not open
 * @parent: the device the NIC belongs to
 * @net: the namespace to register it in, or NULL for the initial one
 *
 * Opens the channel, negotiates NVSP and RNDIS, learns the MAC address,
 * link and offloads, and registers the synthetic device.
 *
 * Context: process; sleeps; takes RTNL.
 * Return: the registered device, or an ERR_PTR().
 */
struct net_device *netvsc_eng_add(struct netvsc_chan *chan,
				  struct device *parent, struct net *net)
{
	struct netvsc_eng *eng;
	struct net_device *dev;
	int err;

	if (chan->index) {
		dev_err(parent, "channel %u is no primary channel\n",
			chan->index);
		return ERR_PTR(-EINVAL);
	}
	dev = netvsc_alloc(&netvsc_eng_ops, sizeof(*eng), parent);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	eng = netvsc_eng_of(dev);
	eng->dev = dev;
	eng->chan = chan;
	chan->eng = eng;
	eng->ech[0].eng = eng;
	eng->ech[0].chan = chan;
	netvsc_recv_init(&eng->ech[0]);
	mutex_init(&eng->ctrl_lock);
	spin_lock_init(&eng->wait_lock);
	spin_lock_init(&eng->tx_lock);
	spin_lock_init(&eng->upcall_lock);
	init_completion(&eng->done);
	INIT_WORK(&eng->filter_work, netvsc_eng_filter_work);
	INIT_WORK(&eng->assoc_work, netvsc_eng_assoc_work);
	eng->datapath = NETVSC_DATAPATH_SYNTHETIC;
	dev->needed_headroom = NETVSC_RNDIS_TX_HDR;

	err = -ENOMEM;
	eng->ctrl_page = (void *)get_zeroed_page(GFP_KERNEL);
	if (!eng->ctrl_page)
		goto err_free_dev;
	err = netvsc_tx_init(eng);
	if (err)
		goto err_free_page;

	mutex_lock(&eng->ctrl_lock);
	err = netvsc_eng_start(eng, ETH_DATA_LEN);
	mutex_unlock(&eng->ctrl_lock);
	if (err)
		goto err_free_tx;

	eth_hw_addr_set(dev, eng->mac);
	if (net)
		dev_net_set(dev, net);
	netvsc_eng_upcalls_on(eng);
	err = netvsc_register(dev);
	if (err)
		goto err_stop;
	netdev_info(dev, "NVSP 0x%x, MTU %u..%u, offloads %s\n",
		    eng->nvsp_version, ETH_MIN_MTU, eng->max_mtu,
		    eng->has_offload ? "on" : "off");
	netvsc_eng_link(eng, eng->link);
	return dev;

err_stop:
	netvsc_eng_upcalls_off(eng);
	mutex_lock(&eng->ctrl_lock);
	netvsc_eng_stop(eng);
	mutex_unlock(&eng->ctrl_lock);
err_free_tx:
	netvsc_tx_free(eng);
err_free_page:
	free_page((unsigned long)eng->ctrl_page);
err_free_dev:
	netvsc_free(dev);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(netvsc_eng_add);

/**
 * netvsc_eng_remove - take a synthetic NIC down and free it
 * @dev: a device from netvsc_eng_add()
 *
 * Context: process; sleeps; takes RTNL.
 */
void netvsc_eng_remove(struct net_device *dev)
{
	struct netvsc_eng *eng = netvsc_eng_of(dev);

	netvsc_eng_upcalls_off(eng);

	/* The channel stays open: the VF's release switches the path back. */
	netvsc_unregister(dev);
	cancel_work_sync(&eng->filter_work);

	mutex_lock(&eng->ctrl_lock);
	netvsc_eng_stop(eng);
	mutex_unlock(&eng->ctrl_lock);

	netvsc_tx_free(eng);
	free_page((unsigned long)eng->ctrl_page);
	netvsc_free(dev);
}
EXPORT_SYMBOL_GPL(netvsc_eng_remove);

/**
 * netvsc_eng_refresh_caps - query the host's capabilities again
 * @dev: a device from netvsc_eng_add()
 *
 * For a host that changed what it offers (the simulated host's knobs).
 *
 * Context: process; sleeps; takes RTNL.  Not under RTNL.
 * Return: 0 or a negative errno.
 */
int netvsc_eng_refresh_caps(struct net_device *dev)
{
	struct netvsc_eng *eng = netvsc_eng_of(dev);
	int err = -ENODEV;

	mutex_lock(&eng->ctrl_lock);
	if (eng->started)
		err = netvsc_rndis_query_caps(eng);
	mutex_unlock(&eng->ctrl_lock);
	if (!err)
		netvsc_caps_changed(dev);
	return err;
}
EXPORT_SYMBOL_GPL(netvsc_eng_refresh_caps);
