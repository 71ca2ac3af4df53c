// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc_sim: the netvsc_sim bus, its new_device and del_device files,
 * and the module.
 *
 *   echo "ID MAC" > /sys/bus/netvsc_sim/new_device        (direct mode)
 *   echo "ID MAC proto" > /sys/bus/netvsc_sim/new_device  (protocol mode)
 *   echo ID > /sys/bus/netvsc_sim/del_device
 *
 * Locking: netvsc_sim_lock protects netvsc_sim_devs and
 * netvsc_sim_enabled, and serialises creation and deletion.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>

#include "sim.h"

static LIST_HEAD(netvsc_sim_devs);
static DEFINE_MUTEX(netvsc_sim_lock);
static bool netvsc_sim_enabled;

static struct netvsc_sim_dev *netvsc_sim_find(u32 id)
{
	struct netvsc_sim_dev *sim;

	lockdep_assert_held(&netvsc_sim_lock);

	list_for_each_entry(sim, &netvsc_sim_devs, list)
		if (sim->id == id)
			return sim;
	return NULL;
}

/* How much of a refused write to quote in the log: its first line, cut short. */
static int netvsc_sim_shown(const char *buf)
{
	return min_t(size_t, strcspn(buf, "\n"), 64);
}

/* Split the next blank-separated word off *bufp into word (at most size - 1
 * characters).  Returns the word's length, 0 at the end of the input, or
 * -EINVAL if the word does not fit.
 */
static int netvsc_sim_next_word(const char **bufp, char *word, size_t size)
{
	const char *buf = *bufp + strspn(*bufp, " \t\n");
	size_t len = strcspn(buf, " \t\n");

	if (len >= size)
		return -EINVAL;
	memcpy(word, buf, len);
	word[len] = '\0';
	*bufp = buf + len;
	return len;
}

/* A device ID: decimal digits only (no sign), and it fits in 32 bits. */
static int netvsc_sim_parse_id(const char *word, u32 *id)
{
	if (!isdigit(word[0]))
		return -EINVAL;
	return kstrtou32(word, 10, id);
}

/* "ID MAC [proto]": a decimal ID that fits in 32 bits, a unicast MAC
 * address, and the mode.  Anything else, including trailing words, is
 * refused.
 */
static int netvsc_sim_parse_new(const char *buf, u32 *id, u8 *mac,
				bool *proto)
{
	char word[18];

	if (netvsc_sim_next_word(&buf, word, sizeof(word)) <= 0 ||
	    netvsc_sim_parse_id(word, id))
		return -EINVAL;
	if (netvsc_sim_next_word(&buf, word, sizeof(word)) != 17 ||
	    !mac_pton(word, mac))
		return -EINVAL;
	*proto = false;
	switch (netvsc_sim_next_word(&buf, word, sizeof(word))) {
	case 0:
		return 0;
	case 5:
		if (strcmp(word, "proto"))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (netvsc_sim_next_word(&buf, word, sizeof(word)))
		return -EINVAL;
	*proto = true;
	return 0;
}

static ssize_t new_device_store(struct bus_type *bus, const char *buf,
				size_t count)
{
	struct netvsc_sim_dev *sim;
	u8 mac[ETH_ALEN];
	bool proto;
	int err;
	u32 id;

	err = netvsc_sim_parse_new(buf, &id, mac, &proto);
	if (err) {
		pr_err("new_device: cannot parse \"%.*s\"; expected \"<id> <mac>\" or \"<id> <mac> proto\", e.g. \"0 00:15:5d:00:00:01 proto\"\n",
		       netvsc_sim_shown(buf), buf);
		return err;
	}
	if (!is_valid_ether_addr(mac)) {
		pr_err("new_device: %pM is not a unicast MAC address; expected \"<id> <mac>\"\n",
		       mac);
		return -EINVAL;
	}

	mutex_lock(&netvsc_sim_lock);
	if (!netvsc_sim_enabled) {
		err = -ENODEV;
		goto unlock;
	}
	if (netvsc_sim_find(id)) {
		pr_err("new_device: device %u exists\n", id);
		err = -EEXIST;
		goto unlock;
	}
	sim = netvsc_sim_dev_new(id, mac, proto);
	if (IS_ERR(sim)) {
		err = PTR_ERR(sim);
		pr_err("new_device: cannot create device %u (%d)\n", id, err);
		goto unlock;
	}
	list_add_tail(&sim->list, &netvsc_sim_devs);
unlock:
	mutex_unlock(&netvsc_sim_lock);
	return err ?: count;
}
static BUS_ATTR_WO(new_device);

static ssize_t del_device_store(struct bus_type *bus, const char *buf,
				size_t count)
{
	struct netvsc_sim_dev *sim;
	int err;
	u32 id;

	err = netvsc_sim_parse_id(buf, &id);
	if (err) {
		pr_err("del_device: cannot parse \"%.*s\"; expected \"<id>\"\n",
		       netvsc_sim_shown(buf), buf);
		return -EINVAL;
	}

	mutex_lock(&netvsc_sim_lock);
	sim = netvsc_sim_find(id);
	if (sim) {
		list_del(&sim->list);
		netvsc_sim_dev_del(sim);
	} else {
		pr_err("del_device: no device %u\n", id);
		err = -ENOENT;
	}
	mutex_unlock(&netvsc_sim_lock);
	return err ?: count;
}
static BUS_ATTR_WO(del_device);

static struct attribute *netvsc_sim_bus_attrs[] = {
	&bus_attr_new_device.attr,
	&bus_attr_del_device.attr,
	NULL,
};
ATTRIBUTE_GROUPS(netvsc_sim_bus);

struct bus_type netvsc_sim_bus = {
	.name		= NETVSC_SIM_NAME,
	.dev_name	= NETVSC_SIM_NAME,
	.bus_groups	= netvsc_sim_bus_groups,
};

static int __init netvsc_sim_init(void)
{
	int err;

	err = netvsc_sim_debugfs_init();
	if (err)
		return err;

	err = bus_register(&netvsc_sim_bus);
	if (err)
		goto err_debugfs;

	err = netvsc_sim_faults_init();
	if (err)
		goto err_bus;

	mutex_lock(&netvsc_sim_lock);
	netvsc_sim_enabled = true;
	mutex_unlock(&netvsc_sim_lock);
	return 0;

err_bus:
	bus_unregister(&netvsc_sim_bus);
err_debugfs:
	netvsc_sim_debugfs_exit();
	return err;
}

static void __exit netvsc_sim_exit(void)
{
	struct netvsc_sim_dev *sim, *tmp;

	mutex_lock(&netvsc_sim_lock);
	netvsc_sim_enabled = false;
	list_for_each_entry_safe(sim, tmp, &netvsc_sim_devs, list) {
		list_del(&sim->list);
		netvsc_sim_dev_del(sim);
	}
	mutex_unlock(&netvsc_sim_lock);

	netvsc_sim_faults_exit();
	bus_unregister(&netvsc_sim_bus);
	netvsc_sim_debugfs_exit();
}

module_init(netvsc_sim_init);
module_exit(netvsc_sim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Simulated Hyper-V host for netvsc");
