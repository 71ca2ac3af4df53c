// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: VF association by serial number.
 *
 * On Hyper-V the host tells the synthetic device the serial number of
 * the VF it pairs it with (NVSP's VF association message), and the VF's
 * PCI device sits in a slot named after that number.  Among the devices
 * that could be a synthetic device's VF, the one in that slot wins; the
 * MAC address match (match.c) is the fall-back.
 *
 * The association may come after the VF appeared: a synthetic device
 * without a VF then looks for it again, as it does when it registers, so
 * that the VF pairs without waiting for another event of its own.
 *
 * Locking: the association is written and read under RTNL (still with
 * WRITE_ONCE() and READ_ONCE(), as netvsc.h marks the fields).
 */

#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>

#include "netvsc.h"

/**
 * netvsc_vf_assoc - the host associated a VF with a synthetic device
 * @dev: the synthetic device, registered or not yet
 * @allocated: whether a VF is allocated to it
 * @serial: the VF's serial number, valid if @allocated
 *
 * The association is used when a VF appears.  A registered synthetic
 * device that has no VF yet looks for one again at once: the VF may have
 * appeared before the association, and matched nothing then.
 *
 * Context: process; sleeps and takes RTNL.
 */
void netvsc_vf_assoc(struct net_device *dev, bool allocated, u32 serial)
{
	struct netvsc_priv *priv = netdev_priv(dev);

	rtnl_lock();
	WRITE_ONCE(priv->vf_serial, serial);
	WRITE_ONCE(priv->vf_allocated, allocated);
	if (allocated && dev->reg_state == NETREG_REGISTERED &&
	    !rtnl_dereference(priv->vf)) {
		netdev_dbg(dev, "VF association with serial %u: looking for the VF\n",
			   serial);
		netvsc_vf_scan(priv);
	}
	rtnl_unlock();
}
EXPORT_SYMBOL_GPL(netvsc_vf_assoc);

/**
 * netvsc_slot_serial - the serial number in a PCI slot's name
 * @name: the slot's name
 * @serial: the number
 *
 * Return: true if @name is a decimal number that fits in 32 bits.
 */
bool netvsc_slot_serial(const char *name, u32 *serial)
{
	return name && !kstrtou32(name, 10, serial);
}

/* The serial number of the slot @vf's PCI device sits in. */
static bool netvsc_vf_serial(const struct net_device *vf, u32 *serial)
{
	struct pci_dev *pdev;

	if (!netvsc_dev_is_pci(vf))
		return false;
	pdev = to_pci_dev(vf->dev.parent);
	if (!pdev->slot)
		return false;
	return netvsc_slot_serial(pci_slot_name(pdev->slot), serial);
}

/**
 * netvsc_assoc_match - the synthetic device the host associated a VF with
 * @vf: a candidate VF
 *
 * Looks among the synthetic devices in @vf's namespace, where a VF
 * appears.
 *
 * Return: the synthetic device whose association names the serial
 * number of @vf's slot, or NULL.
 */
struct netvsc_priv *netvsc_assoc_match(const struct net_device *vf)
{
	struct net_device *dev;
	u32 serial;

	ASSERT_RTNL();

	if (!netvsc_vf_serial(vf, &serial))
		return NULL;

	for_each_netdev(dev_net(vf), dev) {
		struct netvsc_priv *priv;

		if (!netvsc_is_netvsc(dev))
			continue;
		priv = netdev_priv(dev);
		if (READ_ONCE(priv->vf_allocated) &&
		    READ_ONCE(priv->vf_serial) == serial)
			return priv;
	}
	return NULL;
}
