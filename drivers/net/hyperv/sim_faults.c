// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc_sim: faults outside the protocol.
 *
 *   defaults/fail_register   the next N guest NICs fail to register
 *
 * A guest NIC whose registration fails does so inside
 * register_netdevice(), from the NETDEV_REGISTER notifier, as another
 * module's veto would make it: the device is unregistered again and its
 * driver frees it.  Just before, the host reports its link, so the
 * failure comes after an up-call, whose work must not outlive the device.
 *
 * Locking: the notifier runs under RTNL; the count is an atomic.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>

#include "netvsc.h"
#include "sim.h"

atomic_t netvsc_sim_fail_register = ATOMIC_INIT(0);

static int netvsc_sim_netdev_event(struct notifier_block *nb,
				   unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netvsc_sim_dev *sim;

	if (event != NETDEV_REGISTER || !dev->dev.parent ||
	    dev->dev.parent->bus != &netvsc_sim_bus)
		return NOTIFY_DONE;
	sim = container_of(dev->dev.parent, struct netvsc_sim_dev, dev);
	if (dev == sim->host ||
	    atomic_dec_if_positive(&netvsc_sim_fail_register) < 0)
		return NOTIFY_DONE;

	if (sim->proto)
		netvsc_sim_proto_link_sync(sim, true);
	else
		netvsc_link_change(dev, true);
	pr_info("%s: registration of %s fails (fail_register)\n",
		dev_name(&sim->dev), dev->name);
	return notifier_from_errno(-EIO);
}

static struct notifier_block netvsc_sim_netdev_nb = {
	.notifier_call = netvsc_sim_netdev_event,
};

int netvsc_sim_faults_init(void)
{
	return register_netdevice_notifier(&netvsc_sim_netdev_nb);
}

void netvsc_sim_faults_exit(void)
{
	unregister_netdevice_notifier(&netvsc_sim_netdev_nb);
}
