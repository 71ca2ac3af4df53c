// SPDX-License-Identifier: GPL-2.0
/*
 * vfctl: show and control netvsc synthetic NICs and the SR-IOV VFs they
 * adopt, over the "netvsc" generic netlink family.
 *
 *   vfctl [-j] [-p] show [DEV]
 *   vfctl [-j] monitor
 *   vfctl set DEV join-delay MS|default
 *   vfctl set DEV carrier-hold MS|default
 *   vfctl set DEV vf-settings clear
 *   vfctl set DEV datapath synthetic|auto
 *
 * Exit status: 0 success, 1 the kernel or the system refused, 2 bad
 * usage.  Every failure is one line on stderr.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "vfctl.h"

#ifndef VFCTL_VERSION
#define VFCTL_VERSION	"1.0"
#endif

#define EXIT_USAGE	2
#define JOIN_DELAY_MAX	600000U
#define CARRIER_HOLD_MAX	600000U

static bool opt_json;
static bool opt_pretty;

static const char usage_text[] =
"Usage: vfctl [OPTIONS] show [DEV]\n"
"       vfctl [OPTIONS] monitor\n"
"       vfctl set DEV join-delay MS|default\n"
"       vfctl set DEV carrier-hold MS|default\n"
"       vfctl set DEV vf-settings clear\n"
"       vfctl set DEV datapath synthetic|auto\n"
"\n"
"Show and control netvsc synthetic NICs and the SR-IOV VFs they adopt.\n"
"\n"
"Commands:\n"
"  show [DEV]          show DEV, or every netvsc device of this netns\n"
"  monitor             print VF join, leave and data path switch events\n"
"  set DEV join-delay MS|default\n"
"                      delay between claiming a VF and switching to it\n"
"                      (0-600000 ms), or back to the module default\n"
"  set DEV carrier-hold MS|default\n"
"                      how long the carrier stays on when the VF loses\n"
"                      its link (0-600000 ms; 0: not at all), or back to\n"
"                      the module default\n"
"  set DEV vf-settings clear\n"
"                      forget the VF settings remembered for the next VF\n"
"  set DEV datapath synthetic|auto\n"
"                      pin the data path to synthetic, or let the driver\n"
"                      choose (the VF when it can)\n"
"\n"
"Options:\n"
"  -j, --json          JSON output\n"
"  -p, --pretty        indented JSON output (implies --json)\n"
"  -h, --help          print this help and exit\n"
"  -V, --version       print the version and exit\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vfctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One line: "vfctl: WHAT: strerror: extack (details)". */
static void report(const struct nl_ctx *ctx, const char *what, int err)
{
	const struct nl_ext *ext = &ctx->ext;
	const char *sep = " (";

	fflush(stdout);
	fprintf(stderr, "vfctl: %s: %s", what, strerror(-err));
	if (ext->msg[0])
		fprintf(stderr, ": %s", ext->msg);
	if (ext->attr[0]) {
		fprintf(stderr, "%sattribute %s", sep, ext->attr);
		sep = ", ";
	}
	if (ext->has_range) {
		fprintf(stderr, "%svalid range %llu-%llu", sep, ext->min,
			ext->max);
		sep = ", ";
	}
	if (ext->miss_type) {
		fprintf(stderr, "%smissing attribute %s", sep,
			vf_attr_name(ext->miss_type) ?: "?");
		sep = ", ";
	}
	fputs(sep[0] == ',' ? ")\n" : "\n", stderr);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vfctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'vfctl --help')\n", stderr);
	return EXIT_USAGE;
}

static int connect_family(struct nl_ctx *ctx)
{
	int err;

	err = nl_open(ctx);
	if (err) {
		fail("cannot open a generic netlink socket: %s",
		     strerror(-err));
		return EXIT_FAILURE;
	}
	err = nl_resolve(ctx);
	if (err == -ENOENT) {
		fail("netvsc module not loaded (generic netlink family \"%s\" not found)",
		     NETVSC_FAMILY_NAME);
		return EXIT_FAILURE;
	}
	if (err) {
		report(ctx, "cannot resolve the generic netlink family \""
		       NETVSC_FAMILY_NAME "\"", err);
		return EXIT_FAILURE;
	}
	return 0;
}

/* A name the kernel could know; it says "no such device" otherwise. */
static int check_dev(const char *dev)
{
	if (!dev[0] || strlen(dev) >= IF_NAMESIZE) {
		fail("%s: no such device (not a valid interface name)", dev);
		return EXIT_FAILURE;
	}
	return 0;
}

/* Handle a global option; -1 if @arg is not one. */
static int global_option(const char *arg)
{
	const char *c;

	if (!strcmp(arg, "--json")) {
		opt_json = true;
		return 0;
	}
	if (!strcmp(arg, "--pretty")) {
		opt_json = true;
		opt_pretty = true;
		return 0;
	}
	if (arg[0] != '-' || arg[1] == '-' || !arg[1])
		return -1;
	for (c = arg + 1; *c; c++) {
		if (*c == 'j')
			opt_json = true;
		else if (*c == 'p')
			opt_pretty = true;
		else
			return -1;
	}
	/* -p implies -j */
	opt_json |= opt_pretty;
	return 0;
}

/* ------------------------------------------------------------ show */

struct dev_list {
	struct vf_dev *devs;
	size_t n;
	size_t cap;
	char err[128];
};

static int collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dev_list *list = data;
	struct vf_dev *devs;
	int err;

	if (list->n == list->cap) {
		list->cap = list->cap ? 2 * list->cap : 8;
		devs = realloc(list->devs, list->cap * sizeof(*devs));
		if (!devs)
			return -ENOMEM;
		list->devs = devs;
	}
	err = vf_dev_parse(nlh, &list->devs[list->n], list->err,
			   sizeof(list->err));
	if (err)
		return err;
	list->n++;
	return 0;
}

static int cmp_ifindex(const void *a, const void *b)
{
	const struct vf_dev *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static int get_devs(struct nl_ctx *ctx, const char *dev,
		    struct dev_list *list)
{
	struct nlmsghdr *nlh;
	int tries = 0;
	int err;

	do {
		list->n = 0;
		list->err[0] = '\0';
		nlh = nl_msg_start(ctx, ctx->family,
				   dev ? NLM_F_ACK : NLM_F_DUMP,
				   NETVSC_CMD_DEV_GET, NETVSC_FAMILY_VERSION);
		if (dev)
			mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, dev);
		err = nl_exchange(ctx, nlh, collect_cb, list);
		/* A dump interrupted by a change: start over. */
	} while (err == -EINTR && !dev && ++tries < 5);
	return err;
}

static void print_devs(const struct dev_list *list)
{
	struct jw jw;
	size_t i;

	if (!opt_json) {
		for (i = 0; i < list->n; i++) {
			if (i)
				putchar('\n');
			vf_dev_print(&list->devs[i]);
		}
		return;
	}
	jw_init(&jw, stdout, opt_pretty);
	jw_arr_open(&jw, NULL);
	for (i = 0; i < list->n; i++) {
		jw_obj_open(&jw, NULL);
		vf_dev_json_members(&jw, &list->devs[i]);
		jw_obj_close(&jw);
	}
	jw_arr_close(&jw);
	putchar('\n');
}

static int cmd_show(int argc, char **argv)
{
	struct dev_list list = { 0 };
	struct nl_ctx ctx;
	const char *dev = NULL;
	int i, ret, err;

	for (i = 0; i < argc; i++) {
		/* "--": the next argument is a device, even "-x". */
		if (!strcmp(argv[i], "--") && i + 1 < argc) {
			i++;
		} else if (argv[i][0] == '-') {
			if (global_option(argv[i]))
				return usage_error("show: unknown option '%s'",
						   argv[i]);
			continue;
		}
		if (dev)
			return usage_error("show: unexpected argument '%s'",
					   argv[i]);
		dev = argv[i];
	}
	if (dev) {
		ret = check_dev(dev);
		if (ret)
			return ret;
	}

	ret = connect_family(&ctx);
	if (ret)
		goto out;

	err = get_devs(&ctx, dev, &list);
	if (err == -EPROTO && list.err[0]) {
		fail("%s: malformed message from the kernel: %s",
		     dev ?: "show", list.err);
		ret = EXIT_FAILURE;
	} else if (err) {
		report(&ctx, dev ?: "show", err);
		ret = EXIT_FAILURE;
	} else {
		qsort(list.devs, list.n, sizeof(*list.devs), cmp_ifindex);
		print_devs(&list);
		if (fflush(stdout) || ferror(stdout)) {
			fail("write error: %s", strerror(errno));
			ret = EXIT_FAILURE;
		}
	}
out:
	free(list.devs);
	nl_close(&ctx);
	return ret;
}

/* ------------------------------------------------------------ monitor */

static void now_str(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	vf_time_str((__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec, buf, len);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vf_dev d;
	char err[128];
	char ts[64];
	struct jw jw;

	(void)data;
	if (vf_dev_parse(nlh, &d, err, sizeof(err))) {
		fail("monitor: skipping a malformed notification: %s", err);
		return 0;
	}
	if (d.cmd != NETVSC_CMD_DEV_NTF)
		return 0;

	now_str(ts, sizeof(ts));
	if (opt_json) {
		jw_init(&jw, stdout, false);
		vf_event_json(&jw, &d, ts);
		putchar('\n');
	} else {
		vf_event_print(&d, ts);
	}
	/* Read through pipes: one line, one write. */
	if (fflush(stdout))
		return -errno;
	return 0;
}

static void events_lost(void *data)
{
	(void)data;
	fail("monitor: events lost (socket receive buffer overrun)");
}

static int cmd_monitor(int argc, char **argv)
{
	struct nl_ctx ctx;
	int i, ret, err;

	for (i = 0; i < argc; i++) {
		if (global_option(argv[i]))
			return usage_error("monitor: unexpected argument '%s'",
					   argv[i]);
	}
	/* One object per line: never indented. */
	opt_pretty = false;

	ret = connect_family(&ctx);
	if (ret)
		goto out;
	if (!ctx.mcgrp_events) {
		fail("the netvsc family has no \"%s\" multicast group",
		     NETVSC_MCGRP_EVENTS);
		ret = EXIT_FAILURE;
		goto out;
	}
	err = nl_subscribe(&ctx, ctx.mcgrp_events);
	if (err) {
		report(&ctx, "monitor: cannot join the \"events\" group", err);
		ret = EXIT_FAILURE;
		goto out;
	}
	err = nl_listen(&ctx, event_cb, NULL, events_lost);
	report(&ctx, "monitor", err);
	ret = EXIT_FAILURE;
out:
	nl_close(&ctx);
	return ret;
}

/* ------------------------------------------------------------ set */

/* Decimal digits only: no sign, no blanks, no base prefix. */
static bool parse_u32(const char *s, __u32 *val)
{
	unsigned long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > 0xffffffffULL)
			return false;
	}
	*val = v;
	return true;
}

/* A setting in ms that can also go back to the module's default. */
struct ms_setting {
	bool set;
	bool to_default;
	__u32 ms;
};

struct set_req {
	struct ms_setting delay;
	struct ms_setting hold;
	bool clear;
	bool pin;
	__u32 pin_val;
};

static int parse_ms_setting(const char *name, const char *val, __u32 max,
			    struct ms_setting *m)
{
	if (m->set)
		return usage_error("set: %s given twice", name);
	if (!val)
		return usage_error("set: %s needs a value", name);
	m->set = true;
	if (!strcmp(val, "default"))
		m->to_default = true;
	else if (!parse_u32(val, &m->ms))
		return usage_error("set: invalid %s '%s' (0-%u ms or default)",
				   name, val, max);
	return 0;
}

/* @attr, or @default_attr for "default". */
static void put_ms_setting(struct nlmsghdr *nlh, const struct ms_setting *m,
			   __u16 attr, __u16 default_attr)
{
	if (m->set && m->to_default)
		mnl_attr_put(nlh, default_attr, 0, NULL);
	else if (m->set)
		mnl_attr_put_u32(nlh, attr, m->ms);
}

static int parse_vf_settings(const char *val, struct set_req *req)
{
	if (req->clear)
		return usage_error("set: vf-settings given twice");
	if (!val)
		return usage_error("set: vf-settings needs a value");
	if (strcmp(val, "clear"))
		return usage_error("set: invalid vf-settings '%s' (clear)", val);
	req->clear = true;
	return 0;
}

static int parse_datapath(const char *val, struct set_req *req)
{
	if (req->pin)
		return usage_error("set: datapath given twice");
	if (!val)
		return usage_error("set: datapath needs a value");
	req->pin = true;
	if (!strcmp(val, "synthetic"))
		req->pin_val = NETVSC_PIN_SYNTHETIC;
	else if (!strcmp(val, "auto"))
		req->pin_val = NETVSC_PIN_AUTO;
	else
		return usage_error("set: invalid datapath '%s' (synthetic or auto)",
				   val);
	return 0;
}

static int parse_set(int argc, char **argv, struct set_req *req)
{
	const char *val;
	int i, ret;

	if (argc < 2)
		return usage_error("set %s: nothing to set", argv[0]);
	for (i = 1; i < argc; i += 2) {
		val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "join-delay"))
			ret = parse_ms_setting(argv[i], val, JOIN_DELAY_MAX,
					       &req->delay);
		else if (!strcmp(argv[i], "carrier-hold"))
			ret = parse_ms_setting(argv[i], val, CARRIER_HOLD_MAX,
					       &req->hold);
		else if (!strcmp(argv[i], "vf-settings"))
			ret = parse_vf_settings(val, req);
		else if (!strcmp(argv[i], "datapath"))
			ret = parse_datapath(val, req);
		else
			ret = usage_error("set: unknown setting '%s'", argv[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	struct set_req req = { 0 };
	struct nlmsghdr *nlh;
	struct nl_ctx ctx;
	char what[128];
	int ret, err;

	if (argc < 1)
		return usage_error("set: missing device");
	ret = parse_set(argc, argv, &req);
	if (ret)
		return ret;
	ret = check_dev(argv[0]);
	if (ret)
		return ret;

	ret = connect_family(&ctx);
	if (ret)
		goto out;

	nlh = nl_msg_start(&ctx, ctx.family, NLM_F_ACK, NETVSC_CMD_DEV_SET,
			   NETVSC_FAMILY_VERSION);
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, argv[0]);
	put_ms_setting(nlh, &req.delay, NETVSC_A_JOIN_DELAY_MS,
		       NETVSC_A_JOIN_DELAY_DEFAULT);
	put_ms_setting(nlh, &req.hold, NETVSC_A_CARRIER_HOLD_MS,
		       NETVSC_A_CARRIER_HOLD_DEFAULT);
	if (req.clear)
		mnl_attr_put(nlh, NETVSC_A_VF_SETTINGS_CLEAR, 0, NULL);
	if (req.pin)
		mnl_attr_put_u32(nlh, NETVSC_A_PIN, req.pin_val);

	err = nl_exchange(&ctx, nlh, NULL, NULL);
	if (err) {
		snprintf(what, sizeof(what), "%s: set%s%s%s%s", argv[0],
			 req.delay.set ? " join-delay" : "",
			 req.hold.set ? " carrier-hold" : "",
			 req.clear ? " vf-settings" : "",
			 req.pin ? " datapath" : "");
		report(&ctx, what, err);
		ret = EXIT_FAILURE;
	} else if (ctx.ext.msg[0]) {
		/* A warning attached to the ack. */
		fail("%s: warning: %s", argv[0], ctx.ext.msg);
	}
out:
	nl_close(&ctx);
	return ret;
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	const char *cmd;
	int i;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			break;
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("vfctl %s (netvsc generic netlink family version %d)\n",
			       VFCTL_VERSION, NETVSC_FAMILY_VERSION);
			return 0;
		}
		if (global_option(argv[i]))
			return usage_error("unknown option '%s'", argv[i]);
	}
	if (i >= argc)
		return usage_error("missing command");

	cmd = argv[i++];
	argc -= i;
	argv += i;
	if (!strcmp(cmd, "show"))
		return cmd_show(argc, argv);
	if (!strcmp(cmd, "monitor"))
		return cmd_monitor(argc, argv);
	if (!strcmp(cmd, "set"))
		return cmd_set(argc, argv);
	if (!strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	return usage_error("unknown command '%s'", cmd);
}
