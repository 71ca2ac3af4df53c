// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc_sim: faults outside the protocol.
 *
 *   defaults/fail_register   the next N guest NICs fail to register
 *   rtnl_hold_ms             write N: hold RTNL for N ms (at most 60000),
 *                            as a slow RTNL user elsewhere would; reads 1
 *                            while it is held so, 0 otherwise
 *
 * A guest NIC whose registration fails does so inside
 * register_netdevice(), from the NETDEV_REGISTER notifier, as another
 * module's veto would make it: the device is unregistered again and its
 * driver frees it.  Just before, the host reports its link, so the
 * failure comes after an up-call, whose work must not outlive the device.
 *
 * Locking: the notifier runs under RTNL; the count is an atomic.  The
 * holder of rtnl_hold_ms sleeps in its write handler with RTNL held, and
 * debugfs removal waits for it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"
#include "sim.h"

atomic_t netvsc_sim_fail_register = ATOMIC_INIT(0);

#define NETVSC_SIM_RTNL_HOLD_MAX_MS	60000

static bool netvsc_sim_rtnl_holding;

static int netvsc_sim_rtnl_hold_read(void *data, u64 *val)
{
	*val = READ_ONCE(netvsc_sim_rtnl_holding);
	return 0;
}

static int netvsc_sim_rtnl_hold_write(void *data, u64 val)
{
	if (val > NETVSC_SIM_RTNL_HOLD_MAX_MS)
		return -ERANGE;
	rtnl_lock();
	WRITE_ONCE(netvsc_sim_rtnl_holding, true);
	msleep(val);
	WRITE_ONCE(netvsc_sim_rtnl_holding, false);
	rtnl_unlock();
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(netvsc_sim_rtnl_hold_fops, netvsc_sim_rtnl_hold_read,
			 netvsc_sim_rtnl_hold_write, "%llu\n");

/**
 * netvsc_sim_faults_debugfs - the faults' files in netvsc_sim/
 * @dir: netvsc_sim's debugfs directory
 */
void netvsc_sim_faults_debugfs(struct dentry *dir)
{
	debugfs_create_file_unsafe("rtnl_hold_ms", 0600, dir, NULL,
				   &netvsc_sim_rtnl_hold_fops);
}

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
