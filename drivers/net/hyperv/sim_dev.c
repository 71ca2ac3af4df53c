// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc_sim: a simulated device - the host side of the transport
 * operations (direct mode), and creation and deletion in both modes.
 *
 * Locking: creation and deletion run under netvsc_sim_lock (sim_bus.c).
 * The transport operations follow the rules of transport.h; the knobs
 * they read are single words read with READ_ONCE(), and the pending
 * switch is under @switch_lock.
 */

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>

#include "engine.h"
#include "sim.h"

static struct netvsc_sim_dev *netvsc_sim_of(struct net_device *guest)
{
	return *(struct netvsc_sim_dev **)netvsc_transport_priv(guest);
}

static int netvsc_sim_open(struct net_device *guest)
{
	WRITE_ONCE(netvsc_sim_of(guest)->guest_open, true);
	return 0;
}

static void netvsc_sim_close(struct net_device *guest)
{
	WRITE_ONCE(netvsc_sim_of(guest)->guest_open, false);
}

static netdev_tx_t netvsc_sim_xmit(struct sk_buff *skb,
				   struct net_device *guest)
{
	/* What the host does with it then (drop_tx) is the host's business:
	 * the guest sent it.
	 */
	netvsc_synth_tx_sent(guest, skb->len);
	netvsc_sim_guest_to_host(netvsc_sim_of(guest), skb);
	return NETDEV_TX_OK;
}

static void netvsc_sim_set_rx_filter(struct net_device *guest, u32 filter)
{
	WRITE_ONCE(netvsc_sim_of(guest)->rx_filter, filter);
}

static int netvsc_sim_set_mtu(struct net_device *guest, unsigned int mtu)
{
	struct netvsc_sim_dev *sim = netvsc_sim_of(guest);

	if (atomic_dec_if_positive(&sim->fail_mtu) >= 0)
		return -EIO;
	WRITE_ONCE(sim->mtu, mtu);
	return 0;
}

static void netvsc_sim_get_caps(struct net_device *guest,
				struct netvsc_caps *caps)
{
	const struct netvsc_sim_caps *c = &netvsc_sim_of(guest)->caps;

	caps->features = NETIF_F_HIGHDMA;
	if (READ_ONCE(c->sg))
		caps->features |= NETIF_F_SG;
	if (READ_ONCE(c->tx_csum))
		caps->features |= NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM;
	if (READ_ONCE(c->rx_csum))
		caps->features |= NETIF_F_RXCSUM;
	if (READ_ONCE(c->tso))
		caps->features |= NETIF_F_TSO | NETIF_F_TSO6;
	caps->tso_max_size = READ_ONCE(c->tso_max_size);
	caps->tso_max_segs = READ_ONCE(c->tso_max_segs);
	caps->min_mtu = ETH_MIN_MTU;
	caps->max_mtu = READ_ONCE(c->max_mtu);
	caps->max_channels = 1;
}

static int netvsc_sim_set_datapath(struct net_device *guest,
				   enum netvsc_datapath path, u32 cookie)
{
	struct netvsc_sim_dev *sim = netvsc_sim_of(guest);
	int err = 0;

	if (atomic_dec_if_positive(&sim->fail_switch) >= 0)
		err = -EIO;

	spin_lock_bh(&sim->switch_lock);
	sim->pending_path = path;
	sim->pending_cookie = cookie;
	sim->pending_err = err;
	WRITE_ONCE(sim->switch_requests, sim->switch_requests + 1);
	spin_unlock_bh(&sim->switch_lock);

	mod_delayed_work(system_wq, &sim->switch_work,
			 msecs_to_jiffies(READ_ONCE(sim->switch_delay_ms)));
	return 0;
}

/* The host answers a switch request, after the configured delay. */
static void netvsc_sim_switch_work(struct work_struct *work)
{
	struct netvsc_sim_dev *sim = container_of(to_delayed_work(work),
						  struct netvsc_sim_dev,
						  switch_work);
	enum netvsc_datapath path;
	u32 cookie;
	int err;

	u64 id;

	spin_lock_bh(&sim->switch_lock);
	path = sim->pending_path;
	cookie = sim->pending_cookie;
	id = sim->pending_id;
	err = sim->pending_err;
	if (!err) {
		WRITE_ONCE(sim->datapath, path);
		WRITE_ONCE(sim->switches, sim->switches + 1);
	}
	spin_unlock_bh(&sim->switch_lock);

	if (sim->proto)
		netvsc_sim_proto_switch_done(sim, id, path, err);
	else
		netvsc_datapath_done(sim->guest, cookie, err);
}

static void netvsc_sim_get_drvinfo(struct net_device *guest,
				   struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
}

static const struct netvsc_transport_ops netvsc_sim_ops = {
	.open		= netvsc_sim_open,
	.close		= netvsc_sim_close,
	.xmit		= netvsc_sim_xmit,
	.set_rx_filter	= netvsc_sim_set_rx_filter,
	.set_mtu	= netvsc_sim_set_mtu,
	.get_caps	= netvsc_sim_get_caps,
	.set_datapath	= netvsc_sim_set_datapath,
	.get_drvinfo	= netvsc_sim_get_drvinfo,
};

/**
 * netvsc_sim_caps_changed - a live offload knob changed
 * @sim: the device
 */
void netvsc_sim_caps_changed(struct netvsc_sim_dev *sim)
{
	/* In protocol mode the guest learns them the way it always does. */
	if (sim->proto)
		netvsc_eng_refresh_caps(sim->guest);
	else
		netvsc_caps_changed(sim->guest);
}

static void netvsc_sim_release(struct device *dev)
{
	kfree(container_of(dev, struct netvsc_sim_dev, dev));
}

/* Protocol mode: register the host end, then the guest NIC, which is the
 * engine over our channel.  The host end only talks to the guest through
 * the channel, so it may come first.
 */
static int netvsc_sim_proto_up(struct netvsc_sim_dev *sim, struct net *net)
{
	struct netvsc_sim_proto *p;
	struct net_device *guest;
	int err;

	p = netvsc_sim_chan_new(sim);
	if (IS_ERR(p))
		return PTR_ERR(p);
	sim->proto = p;

	err = register_netdev(sim->host);
	if (err)
		goto err_free_chan;

	guest = netvsc_eng_add(netvsc_sim_chan(p), &sim->dev, net);
	if (IS_ERR(guest)) {
		err = PTR_ERR(guest);
		goto err_unregister_host;
	}
	WRITE_ONCE(sim->guest, guest);
	return 0;

err_unregister_host:
	unregister_netdev(sim->host);
err_free_chan:
	sim->proto = NULL;
	netvsc_sim_chan_free(p);
	return err;
}

/**
 * netvsc_sim_dev_new - create a device: bus device, host end, guest NIC
 * @id: its ID
 * @mac: the guest's MAC address
 * @proto: protocol mode: the guest runs NVSP and RNDIS over a channel
 *
 * Both netdevices are created in the caller's network namespace.
 *
 * Return: the device, or an ERR_PTR().
 */
struct netvsc_sim_dev *netvsc_sim_dev_new(u32 id, const u8 *mac, bool proto)
{
	struct net *net = current->nsproxy->net_ns;
	struct netvsc_sim_dev *sim;
	struct net_device *guest;
	int err;

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return ERR_PTR(-ENOMEM);

	sim->id = id;
	ether_addr_copy(sim->mac, mac);
	sim->caps = netvsc_sim_defaults;
	sim->link = true;
	sim->mtu = ETH_DATA_LEN;
	spin_lock_init(&sim->switch_lock);
	INIT_DELAYED_WORK(&sim->switch_work, netvsc_sim_switch_work);

	sim->dev.bus = &netvsc_sim_bus;
	sim->dev.release = netvsc_sim_release;
	dev_set_name(&sim->dev, NETVSC_SIM_NAME "%u", id);
	err = device_register(&sim->dev);
	if (err) {
		put_device(&sim->dev);
		return ERR_PTR(err);
	}

	sim->host = netvsc_sim_host_new(sim);
	if (IS_ERR(sim->host)) {
		err = PTR_ERR(sim->host);
		goto err_device;
	}
	dev_net_set(sim->host, net);

	if (proto) {
		err = netvsc_sim_proto_up(sim, net);
		if (err)
			goto err_free_host;
		netvsc_sim_debugfs_add(sim);
		return sim;
	}

	guest = netvsc_alloc(&netvsc_sim_ops, sizeof(sim), &sim->dev);
	if (!guest) {
		err = -ENOMEM;
		goto err_free_host;
	}
	*(struct netvsc_sim_dev **)netvsc_transport_priv(guest) = sim;
	eth_hw_addr_set(guest, mac);
	dev_net_set(guest, net);
	sim->guest = guest;

	err = register_netdev(sim->host);
	if (err)
		goto err_free_guest;

	err = netvsc_register(guest);
	if (err)
		goto err_unregister_host;

	netvsc_link_change(guest, true);
	netvsc_sim_debugfs_add(sim);
	return sim;

err_unregister_host:
	unregister_netdev(sim->host);
err_free_guest:
	netvsc_free(guest);
err_free_host:
	netvsc_sim_host_free(sim->host);
err_device:
	device_unregister(&sim->dev);
	return ERR_PTR(err);
}

/**
 * netvsc_sim_dev_del - delete a device, in the reverse order
 * @sim: the device
 */
void netvsc_sim_dev_del(struct netvsc_sim_dev *sim)
{
	netvsc_sim_debugfs_del(sim);
	/* No more frames towards the guest once the host end is gone. */
	unregister_netdev(sim->host);
	if (sim->proto) {
		/* The switch work may answer until the channel closes. */
		netvsc_eng_remove(sim->guest);
		cancel_delayed_work_sync(&sim->switch_work);
		netvsc_sim_chan_free(sim->proto);
	} else {
		netvsc_unregister(sim->guest);
		cancel_delayed_work_sync(&sim->switch_work);
		netvsc_free(sim->guest);
	}
	netvsc_sim_host_free(sim->host);
	device_unregister(&sim->dev);
}
