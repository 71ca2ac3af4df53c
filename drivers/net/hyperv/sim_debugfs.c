// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc_sim: debugfs knobs.
 *
 *   netvsc_sim/defaults/     offloads for devices created from now on
 *   netvsc_sim/netvsc_simID/ the same offloads, live, and:
 *     link                 the synthetic link (1 up, 0 down)
 *     datapath             what the host last switched to: synthetic or vf
 *     switches             completed data path switches
 *     switch_requests      data path switch requests received, answered
 *                          or not (an answer waits switch_delay_ms)
 *     fail_switch          fail the next N data path switches
 *     drop_tx              drop the next N frames the guest sends
 *     fail_mtu             fail the next N MTU changes
 *     switch_delay_ms      delay each switch completion by N ms
 *     rx_filter            the guest's receive filter (NETVSC_RX_* bits)
 *     mtu                  the MTU the guest told the host
 *     mode                 direct or proto
 *   and in protocol mode (sim_proto.c):
 *     nvsp_version, ndis_minor, ndis_caps   what the guest negotiated
 *     max_nvsp_version     newest NVSP version the host accepts
 *     fail_query           fail the next N RNDIS queries
 *     fail_oid             ... only those of this OID (0: any)
 *     drop_completion      drop the host's next N answers to requests
 *     vf_serial            serial number of the VF association
 *     vf_allocated         write 1/0: send the VF association
 *     network_change       write 1: indicate a network change
 *     ring_full            the guest's next N writes find the ring full
 *     deliver_hold         1: hold back what the host sends the guest
 *     inject_malformed     write a kind: send one malformed packet
 *     csum_ppi, lso_ppi, vlan_ppi           PPIs the guest sent
 *     rx_csum_ppi, rx_vlan_ppi              PPIs the host sent
 *     bad_msgs             malformed messages from the guest
 *     rx_nobuf             frames dropped for want of a receive slot
 *     one_range            1: the channel sends one range of pages per
 *                          packet, as VMBus before Linux 6.1.140; the
 *                          host refuses (bad_msgs) pages that don't chain
 *     split_sends          GPA-direct packets whose pages did not chain
 *   netvsc_sim/defaults/ also holds max_nvsp_version, fail_query,
 *   fail_oid, drop_completion and one_range, copied into each new
 *   device, and bad_mac: the MAC address new devices' hosts answer with
 *   (0: the device's, 1: all zeroes, 2: multicast), and fail_register:
 *   the next N guest NICs fail to register, in either mode, after the
 *   host reported their link (sim_faults.c).
 *   netvsc_sim/rtnl_hold_ms: write N to hold RTNL for N ms, as a slow
 *   RTNL user would (sim_faults.c).
 *
 * Locking: debugfs removal waits for handlers in flight, and a device's
 * directory goes before the device.  A live offload change takes RTNL
 * through netvsc_caps_changed().
 */

#include <linux/debugfs.h>
#include <linux/netdevice.h>

#include "sim.h"

struct netvsc_sim_caps netvsc_sim_defaults = {
	.sg		= 1,
	.tx_csum	= 1,
	.rx_csum	= 1,
	.tso		= 1,
	.tso_max_size	= 62768,
	.tso_max_segs	= 4096,
	.max_mtu	= 65535 - ETH_HLEN,
};

static struct dentry *netvsc_sim_ddir;

/* The offload knobs, with their bounds, so that a bad write changes nothing. */
static const struct netvsc_sim_knob_def {
	const char *name;
	size_t offset;
	u32 min;
	u32 max;
} netvsc_sim_knob_defs[NETVSC_SIM_NKNOBS] = {
#define KNOB(f, lo, hi) { #f, offsetof(struct netvsc_sim_caps, f), lo, hi }
	KNOB(sg, 0, 1),
	KNOB(tx_csum, 0, 1),
	KNOB(rx_csum, 0, 1),
	KNOB(tso, 0, 1),
	KNOB(tso_max_size, ETH_DATA_LEN + ETH_HLEN, GSO_MAX_SIZE),
	KNOB(tso_max_segs, 2, GSO_MAX_SEGS),
	KNOB(max_mtu, ETH_MIN_MTU, ETH_MAX_MTU),
#undef KNOB
};

static u32 *netvsc_sim_knob_field(struct netvsc_sim_knob_ref *ref)
{
	return (u32 *)((u8 *)ref->caps + netvsc_sim_knob_defs[ref->knob].offset);
}

static int netvsc_sim_knob_get(struct netvsc_sim_knob_ref *ref, u64 *val)
{
	*val = READ_ONCE(*netvsc_sim_knob_field(ref));
	return 0;
}

static int netvsc_sim_knob_set(struct netvsc_sim_knob_ref *ref, u64 val)
{
	const struct netvsc_sim_knob_def *def = &netvsc_sim_knob_defs[ref->knob];
	u32 *field = netvsc_sim_knob_field(ref);

	if (val < def->min || val > def->max)
		return -EINVAL;
	/* A live device cannot drop below the MTU it has. */
	if (ref->sim && field == &ref->caps->max_mtu &&
	    val < READ_ONCE(ref->sim->guest->mtu))
		return -EBUSY;

	WRITE_ONCE(*field, val);
	if (ref->sim)
		netvsc_sim_caps_changed(ref->sim);
	return 0;
}

static int netvsc_sim_knob_read(void *data, u64 *val)
{
	return netvsc_sim_knob_get(data, val);
}

static int netvsc_sim_knob_write(void *data, u64 val)
{
	return netvsc_sim_knob_set(data, val);
}
DEFINE_DEBUGFS_ATTRIBUTE(netvsc_sim_knob_fops, netvsc_sim_knob_read,
			 netvsc_sim_knob_write, "%llu\n");

static int netvsc_sim_link_read(void *data, u64 *val)
{
	struct netvsc_sim_dev *sim = data;

	*val = READ_ONCE(sim->link);
	return 0;
}

static int netvsc_sim_link_write(void *data, u64 val)
{
	struct netvsc_sim_dev *sim = data;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(sim->link, val);
	if (sim->proto)
		netvsc_sim_proto_link(sim, val);
	else
		netvsc_link_change(sim->guest, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(netvsc_sim_link_fops, netvsc_sim_link_read,
			 netvsc_sim_link_write, "%llu\n");

static int netvsc_sim_datapath_show(struct seq_file *m, void *v)
{
	struct netvsc_sim_dev *sim = m->private;

	seq_puts(m, READ_ONCE(sim->datapath) == NETVSC_DATAPATH_VF ?
		 "vf\n" : "synthetic\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(netvsc_sim_datapath);

static int netvsc_sim_mode_show(struct seq_file *m, void *v)
{
	struct netvsc_sim_dev *sim = m->private;

	seq_puts(m, sim->proto ? "proto\n" : "direct\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(netvsc_sim_mode);

static struct netvsc_sim_knobs netvsc_sim_default_knobs;

static void netvsc_sim_add_knobs(struct dentry *dir,
				 struct netvsc_sim_knobs *knobs,
				 struct netvsc_sim_caps *caps,
				 struct netvsc_sim_dev *sim)
{
	int i;

	for (i = 0; i < NETVSC_SIM_NKNOBS; i++) {
		knobs->ref[i].caps = caps;
		knobs->ref[i].sim = sim;
		knobs->ref[i].knob = i;
		debugfs_create_file_unsafe(netvsc_sim_knob_defs[i].name, 0600, dir,
					   &knobs->ref[i],
					   &netvsc_sim_knob_fops);
	}
}

int netvsc_sim_debugfs_init(void)
{
	struct netvsc_sim_proto_knobs *pd = &netvsc_sim_proto_defaults;
	struct dentry *defaults;

	netvsc_sim_ddir = debugfs_create_dir(NETVSC_SIM_NAME, NULL);
	defaults = debugfs_create_dir("defaults", netvsc_sim_ddir);
	netvsc_sim_add_knobs(defaults, &netvsc_sim_default_knobs,
			     &netvsc_sim_defaults, NULL);

	/* Protocol-mode faults a new device starts with. */
	debugfs_create_x32("max_nvsp_version", 0600, defaults,
			   &pd->max_nvsp_version);
	debugfs_create_atomic_t("fail_query", 0600, defaults, &pd->fail_query);
	debugfs_create_x32("fail_oid", 0600, defaults, &pd->fail_oid);
	debugfs_create_atomic_t("drop_completion", 0600, defaults,
				&pd->drop_completion);
	debugfs_create_u32("bad_mac", 0600, defaults, &pd->bad_mac);
	debugfs_create_u32("one_range", 0600, defaults, &pd->one_range);
	/* Both modes (sim_faults.c). */
	debugfs_create_atomic_t("fail_register", 0600, defaults,
				&netvsc_sim_fail_register);
	netvsc_sim_faults_debugfs(netvsc_sim_ddir);
	return 0;
}

void netvsc_sim_debugfs_exit(void)
{
	debugfs_remove_recursive(netvsc_sim_ddir);
}

void netvsc_sim_debugfs_add(struct netvsc_sim_dev *sim)
{
	struct dentry *dir;

	dir = debugfs_create_dir(dev_name(&sim->dev), netvsc_sim_ddir);
	sim->ddir = dir;

	netvsc_sim_add_knobs(dir, &sim->knobs, &sim->caps, sim);
	debugfs_create_file_unsafe("link", 0600, dir, sim,
				   &netvsc_sim_link_fops);
	debugfs_create_file("datapath", 0400, dir, sim,
			    &netvsc_sim_datapath_fops);
	debugfs_create_u32("switches", 0400, dir, &sim->switches);
	debugfs_create_u32("switch_requests", 0400, dir,
			   &sim->switch_requests);
	debugfs_create_atomic_t("fail_switch", 0600, dir, &sim->fail_switch);
	debugfs_create_atomic_t("drop_tx", 0600, dir, &sim->drop_tx);
	debugfs_create_atomic_t("fail_mtu", 0600, dir, &sim->fail_mtu);
	debugfs_create_u32("switch_delay_ms", 0600, dir, &sim->switch_delay_ms);
	debugfs_create_x32("rx_filter", 0400, dir, &sim->rx_filter);
	debugfs_create_u32("mtu", 0400, dir, &sim->mtu);
	debugfs_create_file("mode", 0400, dir, sim, &netvsc_sim_mode_fops);
	if (sim->proto)
		netvsc_sim_proto_debugfs(sim, dir);
}

void netvsc_sim_debugfs_del(struct netvsc_sim_dev *sim)
{
	debugfs_remove_recursive(sim->ddir);
}
