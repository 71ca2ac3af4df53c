// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc: module parameters, init and exit.
 *
 * Locking: none of its own.  Parameters are read with READ_ONCE() where
 * they may change at run time.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "netvsc.h"

bool netvsc_vf_transparent = true;
module_param_named(vf_transparent, netvsc_vf_transparent, bool, 0444);
MODULE_PARM_DESC(vf_transparent,
		 "Enslave the matching VF transparently (1) or leave it to userspace (0)");

unsigned int netvsc_vf_join_delay_ms = 100;
module_param_named(vf_join_delay_ms, netvsc_vf_join_delay_ms, uint, 0644);
MODULE_PARM_DESC(vf_join_delay_ms,
		 "Delay between claiming a VF and switching the data path to it, in ms");

unsigned int netvsc_vf_carrier_hold_ms = 2000;

static int netvsc_carrier_hold_set(const char *val,
				   const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, NETVSC_MS_SETTING_MAX);
}

static const struct kernel_param_ops netvsc_carrier_hold_ops = {
	.set	= netvsc_carrier_hold_set,
	.get	= param_get_uint,
};

module_param_cb(vf_carrier_hold_ms, &netvsc_carrier_hold_ops,
		&netvsc_vf_carrier_hold_ms, 0644);
MODULE_PARM_DESC(vf_carrier_hold_ms,
		 "How long the carrier stays on when a joined VF loses its link, in ms (0-600000; 0: not at all)");

/* Written by root alone (0644); read with READ_ONCE() under RTNL. */
bool netvsc_vf_trust_nonpci;

static int netvsc_trust_nonpci_set(const char *val,
				   const struct kernel_param *kp)
{
	bool was = READ_ONCE(netvsc_vf_trust_nonpci);
	int err;

	err = param_set_bool(val, kp);
	if (err)
		return err;
	if (READ_ONCE(netvsc_vf_trust_nonpci))
		pr_warn("vf_trust_nonpci is set: devices without a PCI parent (veth, dummy) may become VFs; this is for testing only\n");
	else if (was)
		pr_info("vf_trust_nonpci is cleared: only PCI devices become VFs\n");
	return 0;
}

static const struct kernel_param_ops netvsc_trust_nonpci_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = netvsc_trust_nonpci_set,
	.get = param_get_bool,
};
module_param_cb(vf_trust_nonpci, &netvsc_trust_nonpci_ops,
		&netvsc_vf_trust_nonpci, 0644);
MODULE_PARM_DESC(vf_trust_nonpci,
		 "For testing only: let devices without a PCI parent (veth) become VFs (default N)");

static int netvsc_vflist_get(char *buffer, const struct kernel_param *kp)
{
	return netvsc_vflist(buffer, PAGE_SIZE);
}

static const struct kernel_param_ops netvsc_vflist_ops = {
	.get = netvsc_vflist_get,
};
module_param_cb(vflist, &netvsc_vflist_ops, NULL, 0444);
MODULE_PARM_DESC(vflist,
		 "The VFs paired with synthetic devices in the reader's network namespace (read-only)");

static int __init netvsc_init(void)
{
	int err;

	err = netvsc_nl_init();
	if (err)
		return err;

	err = netvsc_notifier_init();
	if (err)
		goto err_nl;
	return 0;

err_nl:
	netvsc_nl_exit();
	return err;
}

static void __exit netvsc_exit(void)
{
	netvsc_notifier_exit();
	netvsc_nl_exit();
}

module_init(netvsc_init);
module_exit(netvsc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Hyper-V synthetic NIC with a transparent SR-IOV VF");
