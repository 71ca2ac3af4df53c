// SPDX-License-Identifier: GPL-2.0
/*
 * vfctl: parse the attributes of a netvsc device and print them, as text
 * or as JSON.
 *
 * Attributes this version does not know are skipped, so that a newer
 * kernel keeps working; the known ones must have the type of the uapi,
 * or the message is rejected.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "vfctl.h"

/* Attribute names as in Documentation/netlink/specs/netvsc.yaml. */
static const char *const attr_names[NETVSC_A_MAX + 1] = {
	[NETVSC_A_IFINDEX]		= "ifindex",
	[NETVSC_A_IFNAME]		= "ifname",
	[NETVSC_A_VF_IFINDEX]		= "vf-ifindex",
	[NETVSC_A_VF_IFNAME]		= "vf-ifname",
	[NETVSC_A_MODE]			= "mode",
	[NETVSC_A_STATE]		= "state",
	[NETVSC_A_DATAPATH]		= "datapath",
	[NETVSC_A_PIN]			= "pin",
	[NETVSC_A_JOIN_DELAY_MS]	= "join-delay-ms",
	[NETVSC_A_SWITCHES]		= "switches",
	[NETVSC_A_LAST_SWITCH_NS]	= "last-switch-ns",
	[NETVSC_A_LAST_SWITCH_BOOTTIME_NS] = "last-switch-boottime-ns",
	[NETVSC_A_LAST_SWITCH_REASON]	= "last-switch-reason",
	[NETVSC_A_STATS]		= "stats",
	[NETVSC_A_FEATURES]		= "features",
	[NETVSC_A_SYNTH_FEATURES]	= "synth-features",
	[NETVSC_A_VF_FEATURES]		= "vf-features",
	[NETVSC_A_LIMITS]		= "limits",
	[NETVSC_A_SYNTH_LIMITS]		= "synth-limits",
	[NETVSC_A_VF_LIMITS]		= "vf-limits",
	[NETVSC_A_EVENT]		= "event",
	[NETVSC_A_REASON]		= "reason",
	[NETVSC_A_PAD]			= "pad",
	[NETVSC_A_JOIN_DELAY_DEFAULT]	= "join-delay-default",
	[NETVSC_A_CARRIER_HOLD_MS]	= "carrier-hold-ms",
	[NETVSC_A_CARRIER_HOLD_DEFAULT]	= "carrier-hold-default",
	[NETVSC_A_CARRIER_HELD]		= "carrier-held",
	[NETVSC_A_CARRIER_HOLDS]	= "carrier-holds",
	[NETVSC_A_VF_SETTINGS]		= "vf-settings",
	[NETVSC_A_VF_SETTINGS_CLEAR]	= "vf-settings-clear",
};

/* MNL_TYPE_UNSPEC: not checked (padding). */
static const enum mnl_attr_data_type attr_types[NETVSC_A_MAX + 1] = {
	[NETVSC_A_IFINDEX]		= MNL_TYPE_U32,
	[NETVSC_A_IFNAME]		= MNL_TYPE_NUL_STRING,
	[NETVSC_A_VF_IFINDEX]		= MNL_TYPE_U32,
	[NETVSC_A_VF_IFNAME]		= MNL_TYPE_NUL_STRING,
	[NETVSC_A_MODE]			= MNL_TYPE_U32,
	[NETVSC_A_STATE]		= MNL_TYPE_U32,
	[NETVSC_A_DATAPATH]		= MNL_TYPE_U32,
	[NETVSC_A_PIN]			= MNL_TYPE_U32,
	[NETVSC_A_JOIN_DELAY_MS]	= MNL_TYPE_U32,
	[NETVSC_A_SWITCHES]		= MNL_TYPE_U64,
	[NETVSC_A_LAST_SWITCH_NS]	= MNL_TYPE_U64,
	[NETVSC_A_LAST_SWITCH_BOOTTIME_NS] = MNL_TYPE_U64,
	[NETVSC_A_LAST_SWITCH_REASON]	= MNL_TYPE_U32,
	[NETVSC_A_STATS]		= MNL_TYPE_NESTED,
	[NETVSC_A_FEATURES]		= MNL_TYPE_U32,
	[NETVSC_A_SYNTH_FEATURES]	= MNL_TYPE_U32,
	[NETVSC_A_VF_FEATURES]		= MNL_TYPE_U32,
	[NETVSC_A_LIMITS]		= MNL_TYPE_NESTED,
	[NETVSC_A_SYNTH_LIMITS]		= MNL_TYPE_NESTED,
	[NETVSC_A_VF_LIMITS]		= MNL_TYPE_NESTED,
	[NETVSC_A_EVENT]		= MNL_TYPE_U32,
	[NETVSC_A_REASON]		= MNL_TYPE_U32,
	[NETVSC_A_JOIN_DELAY_DEFAULT]	= MNL_TYPE_FLAG,
	[NETVSC_A_CARRIER_HOLD_MS]	= MNL_TYPE_U32,
	[NETVSC_A_CARRIER_HOLD_DEFAULT]	= MNL_TYPE_FLAG,
	[NETVSC_A_CARRIER_HELD]		= MNL_TYPE_FLAG,
	[NETVSC_A_CARRIER_HOLDS]	= MNL_TYPE_U64,
	[NETVSC_A_VF_SETTINGS]		= MNL_TYPE_NESTED,
	[NETVSC_A_VF_SETTINGS_CLEAR]	= MNL_TYPE_FLAG,
};

static const char *const stats_keys[NETVSC_A_STATS_MAX + 1] = {
	[NETVSC_A_STATS_SYNTH_RX_PACKETS]	= "rx_packets",
	[NETVSC_A_STATS_SYNTH_RX_BYTES]		= "rx_bytes",
	[NETVSC_A_STATS_SYNTH_TX_PACKETS]	= "tx_packets",
	[NETVSC_A_STATS_SYNTH_TX_BYTES]		= "tx_bytes",
	[NETVSC_A_STATS_SYNTH_TX_DROPPED]	= "tx_dropped",
	[NETVSC_A_STATS_VF_RX_PACKETS]		= "rx_packets",
	[NETVSC_A_STATS_VF_RX_BYTES]		= "rx_bytes",
	[NETVSC_A_STATS_VF_TX_PACKETS]		= "tx_packets",
	[NETVSC_A_STATS_VF_TX_BYTES]		= "tx_bytes",
	[NETVSC_A_STATS_VF_TX_DROPPED]		= "tx_dropped",
};

static const char *const limits_keys[NETVSC_A_LIMITS_MAX + 1] = {
	[NETVSC_A_LIMITS_TSO_MAX_SIZE]	= "tso_max_size",
	[NETVSC_A_LIMITS_TSO_MAX_SEGS]	= "tso_max_segs",
	[NETVSC_A_LIMITS_GSO_MAX_SIZE]	= "gso_max_size",
	[NETVSC_A_LIMITS_GSO_MAX_SEGS]	= "gso_max_segs",
};

static const char *const mode_names[] = {
	[NETVSC_MODE_TRANSPARENT]	= "transparent",
	[NETVSC_MODE_NON_TRANSPARENT]	= "non-transparent",
};

static const char *const state_names[] = {
	[NETVSC_STATE_NONE]		= "none",
	[NETVSC_STATE_WAITING]		= "waiting",
	[NETVSC_STATE_JOINED]		= "joined",
	[NETVSC_STATE_LEAVING]		= "leaving",
};

static const char *const datapath_names[] = {
	[NETVSC_DATAPATH_SYNTHETIC]	= "synthetic",
	[NETVSC_DATAPATH_VF]		= "vf",
};

static const char *const pin_names[] = {
	[NETVSC_PIN_AUTO]		= "auto",
	[NETVSC_PIN_SYNTHETIC]		= "synthetic",
};

static const char *const reason_names[] = {
	[NETVSC_REASON_NONE]		= "none",
	[NETVSC_REASON_JOIN]		= "join",
	[NETVSC_REASON_VF_DOWN]		= "vf-down",
	[NETVSC_REASON_VF_REMOVED]	= "vf-removed",
	[NETVSC_REASON_VF_CARRIER_LOST]	= "vf-carrier-lost",
	[NETVSC_REASON_SWITCH_FAILED]	= "switch-failed",
	[NETVSC_REASON_ADMIN]		= "admin",
	[NETVSC_REASON_VF_CARRIER_HELD]	= "vf-carrier-held",
};

static const char *const event_names[] = {
	[NETVSC_EVENT_JOIN]		= "join",
	[NETVSC_EVENT_LEAVE]		= "leave",
	[NETVSC_EVENT_SWITCH]		= "switch",
};

struct enum_names {
	const char *const *names;
	size_t n;
};

static const struct enum_names mode_enum = {
	mode_names, ARRAY_SIZE(mode_names)
};

static const struct enum_names state_enum = {
	state_names, ARRAY_SIZE(state_names)
};

static const struct enum_names datapath_enum = {
	datapath_names, ARRAY_SIZE(datapath_names)
};

static const struct enum_names pin_enum = {
	pin_names, ARRAY_SIZE(pin_names)
};

static const struct enum_names reason_enum = {
	reason_names, ARRAY_SIZE(reason_names)
};

static const struct enum_names event_enum = {
	event_names, ARRAY_SIZE(event_names)
};

/* NETVSC_F_* bit N is named feature_names[N]. */
static const char *const feature_names[] = {
	"sg", "tx-checksum", "rx-checksum", "tso", "tso6", "gso-udp-l4",
	"tunnel-gso", "tx-vlan", "rx-vlan", "rxhash", "lro", "highdma",
};

const char *vf_attr_name(unsigned int type)
{
	return type < ARRAY_SIZE(attr_names) ? attr_names[type] : NULL;
}

/* ------------------------------------------------------------ parsing */

struct parse_ctx {
	struct vf_dev *d;
	char *err;
	size_t errlen;
	const char *nest;
};

/* @type is in the nest being parsed, if any, else at the top level. */
static int parse_fail(struct parse_ctx *p, unsigned int type)
{
	if (p->nest)
		snprintf(p->err, p->errlen,
			 "attribute %u of %s has the wrong type or size",
			 type, p->nest);
	else
		snprintf(p->err, p->errlen,
			 "attribute %s has the wrong type or size",
			 attr_names[type] ?: "?");
	return MNL_CB_ERROR;
}

static int parse_stats_cb(const struct nlattr *attr, void *data)
{
	unsigned int type = mnl_attr_get_type(attr);
	struct parse_ctx *p = data;

	if (type == NETVSC_A_STATS_PAD || type > NETVSC_A_STATS_MAX ||
	    type == NETVSC_A_STATS_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return parse_fail(p, type);
	p->d->stats[type] = mnl_attr_get_u64(attr);
	p->d->stats_present |= 1U << type;
	return MNL_CB_OK;
}

struct limits_ctx {
	struct parse_ctx *p;
	unsigned int path;
};

static int parse_limits_cb(const struct nlattr *attr, void *data)
{
	unsigned int type = mnl_attr_get_type(attr);
	struct limits_ctx *l = data;
	struct vf_dev *d = l->p->d;

	if (type > NETVSC_A_LIMITS_MAX || type == NETVSC_A_LIMITS_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return parse_fail(l->p, type);
	d->limits[l->path][type] = mnl_attr_get_u32(attr);
	d->limits_present[l->path] |= 1U << type;
	return MNL_CB_OK;
}

static int parse_limits(struct parse_ctx *p, const struct nlattr *attr,
			unsigned int path)
{
	struct limits_ctx l = { .p = p, .path = path };
	int ret;

	p->nest = attr_names[mnl_attr_get_type(attr)];
	ret = mnl_attr_parse_nested(attr, parse_limits_cb, &l);
	p->nest = NULL;
	return ret;
}

static int parse_settings_cb(const struct nlattr *attr, void *data)
{
	unsigned int type = mnl_attr_get_type(attr);
	struct parse_ctx *p = data;
	struct vf_dev *d = p->d;

	switch (type) {
	case NETVSC_A_VF_SETTINGS_PERM_ADDR:
		if (mnl_attr_get_payload_len(attr) != sizeof(d->settings_addr))
			return parse_fail(p, type);
		memcpy(d->settings_addr, mnl_attr_get_payload(attr),
		       sizeof(d->settings_addr));
		break;
	case NETVSC_A_VF_SETTINGS_RX_RING:
	case NETVSC_A_VF_SETTINGS_TX_RING:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return parse_fail(p, type);
		if (type == NETVSC_A_VF_SETTINGS_RX_RING)
			d->settings_rx_ring = mnl_attr_get_u32(attr);
		else
			d->settings_tx_ring = mnl_attr_get_u32(attr);
		break;
	default:
		/* From a newer kernel. */
		return MNL_CB_OK;
	}
	d->settings_present |= 1U << type;
	return MNL_CB_OK;
}

static void copy_name(char *dst, const struct nlattr *attr)
{
	snprintf(dst, IF_NAMESIZE, "%s", mnl_attr_get_str(attr));
}

static int parse_attr_cb(const struct nlattr *attr, void *data)
{
	unsigned int type = mnl_attr_get_type(attr);
	struct parse_ctx *p = data;
	struct vf_dev *d = p->d;
	int ret = MNL_CB_OK;

	/* Newer kernels may send more: skip what we do not know. */
	if (type > NETVSC_A_MAX || type == NETVSC_A_UNSPEC ||
	    type == NETVSC_A_PAD)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, attr_types[type]) < 0)
		return parse_fail(p, type);
	if ((type == NETVSC_A_IFNAME || type == NETVSC_A_VF_IFNAME) &&
	    mnl_attr_get_payload_len(attr) > IF_NAMESIZE)
		return parse_fail(p, type);

	switch (type) {
	case NETVSC_A_IFINDEX:
		d->ifindex = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_IFNAME:
		copy_name(d->ifname, attr);
		break;
	case NETVSC_A_VF_IFINDEX:
		d->vf_ifindex = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_VF_IFNAME:
		copy_name(d->vf_ifname, attr);
		break;
	case NETVSC_A_MODE:
		d->mode = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_STATE:
		d->state = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_DATAPATH:
		d->datapath = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_PIN:
		d->pin = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_JOIN_DELAY_MS:
		d->join_delay_ms = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_CARRIER_HOLD_MS:
		d->carrier_hold_ms = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_CARRIER_HOLDS:
		d->carrier_holds = mnl_attr_get_u64(attr);
		break;
	case NETVSC_A_SWITCHES:
		d->switches = mnl_attr_get_u64(attr);
		break;
	case NETVSC_A_LAST_SWITCH_NS:
		d->last_switch_ns = mnl_attr_get_u64(attr);
		break;
	case NETVSC_A_LAST_SWITCH_BOOTTIME_NS:
		d->last_switch_boot_ns = mnl_attr_get_u64(attr);
		break;
	case NETVSC_A_LAST_SWITCH_REASON:
		d->last_reason = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_STATS:
		p->nest = attr_names[type];
		ret = mnl_attr_parse_nested(attr, parse_stats_cb, p);
		p->nest = NULL;
		break;
	case NETVSC_A_FEATURES:
		d->features[VF_ACTIVE] = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_SYNTH_FEATURES:
		d->features[VF_SYNTH] = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_VF_FEATURES:
		d->features[VF_VF] = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_LIMITS:
		ret = parse_limits(p, attr, VF_ACTIVE);
		break;
	case NETVSC_A_SYNTH_LIMITS:
		ret = parse_limits(p, attr, VF_SYNTH);
		break;
	case NETVSC_A_VF_LIMITS:
		ret = parse_limits(p, attr, VF_VF);
		break;
	case NETVSC_A_VF_SETTINGS:
		p->nest = attr_names[type];
		ret = mnl_attr_parse_nested(attr, parse_settings_cb, p);
		p->nest = NULL;
		break;
	case NETVSC_A_EVENT:
		d->event = mnl_attr_get_u32(attr);
		break;
	case NETVSC_A_REASON:
		d->reason = mnl_attr_get_u32(attr);
		break;
	}
	if (ret < 0)
		return MNL_CB_ERROR;
	d->present |= 1ULL << type;
	return MNL_CB_OK;
}

/**
 * vf_dev_parse - parse a DEV_GET reply or a DEV_NTF notification
 * @nlh: the message
 * @d: filled in
 * @err: where to describe what was wrong with the message
 * @errlen: size of @err
 *
 * Return: 0, or -EPROTO if a known attribute is malformed or the device
 * has no ifindex or name.
 */
int vf_dev_parse(const struct nlmsghdr *nlh, struct vf_dev *d, char *err,
		 size_t errlen)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct parse_ctx p = { .d = d, .err = err, .errlen = errlen };

	memset(d, 0, sizeof(*d));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		snprintf(err, errlen, "truncated message");
		return -EPROTO;
	}
	d->cmd = genl->cmd;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, parse_attr_cb, &p) < 0)
		return -EPROTO;
	if (!vf_has(d, NETVSC_A_IFINDEX) || !vf_has(d, NETVSC_A_IFNAME)) {
		snprintf(err, errlen, "device without ifindex or ifname");
		return -EPROTO;
	}
	return 0;
}

/* ------------------------------------------------------------ printing */

/* @buf (of ENUM_BUF bytes) holds the name of a value we do not know. */
#define ENUM_BUF	24

static const char *enum_str(const struct enum_names *e, __u32 val, char *buf)
{
	if (val < e->n && e->names[val])
		return e->names[val];
	snprintf(buf, ENUM_BUF, "unknown-%u", val);
	return buf;
}

/**
 * vf_time_str - format wall-clock nanoseconds as ISO 8601 UTC
 * @ns: nanoseconds since the epoch
 * @buf: output, e.g. "2024-05-01T12:00:00.123456789Z"
 * @len: size of @buf
 */
void vf_time_str(__u64 ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "%llu", ns);
		return;
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09lluZ", ns % 1000000000ULL);
}

/**
 * vf_age_ns - how long ago a CLOCK_BOOTTIME instant was
 * @boot_ns: the instant, in ns
 *
 * Return: ns since then, 0 if it is not in the past.  Unlike an age taken
 * from the wall clock, it does not move when the clock is set.
 */
__u64 vf_age_ns(__u64 boot_ns)
{
	struct timespec now;
	__u64 n;

	if (clock_gettime(CLOCK_BOOTTIME, &now))
		return 0;
	n = (__u64)now.tv_sec * 1000000000ULL + now.tv_nsec;
	return n > boot_ns ? n - boot_ns : 0;
}

static void json_enum(struct jw *jw, const struct vf_dev *d,
		      unsigned int attr, const char *key,
		      const struct enum_names *e, __u32 val)
{
	char buf[ENUM_BUF];

	if (vf_has(d, attr))
		jw_str(jw, key, enum_str(e, val, buf));
	else
		jw_null(jw, key);
}

static void json_u64(struct jw *jw, const struct vf_dev *d,
		     unsigned int attr, const char *key, __u64 val)
{
	if (vf_has(d, attr))
		jw_u64(jw, key, val);
	else
		jw_null(jw, key);
}

static void json_features(struct jw *jw, const struct vf_dev *d,
			  unsigned int attr, const char *key, __u32 mask)
{
	char buf[32];
	unsigned int bit;

	if (!vf_has(d, attr)) {
		jw_null(jw, key);
		return;
	}
	jw_arr_open(jw, key);
	for (bit = 0; bit < 32; bit++) {
		if (!(mask & (1U << bit)))
			continue;
		if (bit < ARRAY_SIZE(feature_names)) {
			jw_str(jw, NULL, feature_names[bit]);
		} else {
			snprintf(buf, sizeof(buf), "bit-%u", bit);
			jw_str(jw, NULL, buf);
		}
	}
	jw_arr_close(jw);
}

static void json_limits(struct jw *jw, const struct vf_dev *d,
			unsigned int attr, const char *key, unsigned int path)
{
	unsigned int i;

	if (!vf_has(d, attr)) {
		jw_null(jw, key);
		return;
	}
	jw_obj_open(jw, key);
	for (i = 1; i <= NETVSC_A_LIMITS_MAX; i++)
		if (d->limits_present[path] & (1U << i))
			jw_u64(jw, limits_keys[i], d->limits[path][i]);
	jw_obj_close(jw);
}

static void json_stats(struct jw *jw, const struct vf_dev *d,
		       const char *key, unsigned int first)
{
	unsigned int i;

	jw_obj_open(jw, key);
	for (i = first; i < first + 5; i++)
		if (d->stats_present & (1U << i))
			jw_u64(jw, stats_keys[i], d->stats[i]);
	jw_obj_close(jw);
}

static void json_str(struct jw *jw, const struct vf_dev *d,
		     unsigned int attr, const char *key, const char *val)
{
	if (vf_has(d, attr))
		jw_str(jw, key, val);
	else
		jw_null(jw, key);
}

/**
 * vf_dev_json_members - the members of a device object
 * @jw: writer, inside an object
 * @d: the device
 */
void vf_dev_json_members(struct jw *jw, const struct vf_dev *d)
{
	char ts[64];

	jw_str(jw, "ifname", d->ifname);
	jw_u64(jw, "ifindex", d->ifindex);
	if (vf_has(d, NETVSC_A_VF_IFINDEX) || vf_has(d, NETVSC_A_VF_IFNAME)) {
		jw_obj_open(jw, "vf");
		json_str(jw, d, NETVSC_A_VF_IFNAME, "ifname", d->vf_ifname);
		json_u64(jw, d, NETVSC_A_VF_IFINDEX, "ifindex", d->vf_ifindex);
		jw_obj_close(jw);
	} else {
		jw_null(jw, "vf");
	}
	json_enum(jw, d, NETVSC_A_MODE, "mode", &mode_enum, d->mode);
	json_enum(jw, d, NETVSC_A_STATE, "state", &state_enum, d->state);
	json_enum(jw, d, NETVSC_A_DATAPATH, "datapath", &datapath_enum,
		  d->datapath);
	json_enum(jw, d, NETVSC_A_PIN, "pin", &pin_enum, d->pin);
	json_u64(jw, d, NETVSC_A_JOIN_DELAY_MS, "join_delay_ms",
		 d->join_delay_ms);
	json_u64(jw, d, NETVSC_A_CARRIER_HOLD_MS, "carrier_hold_ms",
		 d->carrier_hold_ms);
	/* A flag: absent is false, from a kernel that has holds. */
	if (vf_has(d, NETVSC_A_CARRIER_HOLD_MS))
		jw_bool(jw, "carrier_held", vf_has(d, NETVSC_A_CARRIER_HELD));
	else
		jw_null(jw, "carrier_held");
	json_u64(jw, d, NETVSC_A_CARRIER_HOLDS, "carrier_holds",
		 d->carrier_holds);
	json_u64(jw, d, NETVSC_A_SWITCHES, "switches", d->switches);
	if (vf_has(d, NETVSC_A_LAST_SWITCH_NS)) {
		jw_obj_open(jw, "last_switch");
		jw_u64(jw, "time_ns", d->last_switch_ns);
		vf_time_str(d->last_switch_ns, ts, sizeof(ts));
		jw_str(jw, "time", ts);
		json_enum(jw, d, NETVSC_A_LAST_SWITCH_REASON, "reason",
			  &reason_enum, d->last_reason);
		if (vf_has(d, NETVSC_A_LAST_SWITCH_BOOTTIME_NS)) {
			jw_u64(jw, "boottime_ns", d->last_switch_boot_ns);
			jw_u64(jw, "age_ns", vf_age_ns(d->last_switch_boot_ns));
		}
		jw_obj_close(jw);
	} else {
		jw_null(jw, "last_switch");
	}

	if (vf_has(d, NETVSC_A_STATS)) {
		jw_obj_open(jw, "stats");
		json_stats(jw, d, "synthetic", NETVSC_A_STATS_SYNTH_RX_PACKETS);
		json_stats(jw, d, "vf", NETVSC_A_STATS_VF_RX_PACKETS);
		jw_obj_close(jw);
	} else {
		jw_null(jw, "stats");
	}

	jw_obj_open(jw, "features");
	json_features(jw, d, NETVSC_A_FEATURES, "active",
		      d->features[VF_ACTIVE]);
	json_features(jw, d, NETVSC_A_SYNTH_FEATURES, "synthetic",
		      d->features[VF_SYNTH]);
	json_features(jw, d, NETVSC_A_VF_FEATURES, "vf", d->features[VF_VF]);
	jw_obj_close(jw);

	jw_obj_open(jw, "limits");
	json_limits(jw, d, NETVSC_A_LIMITS, "active", VF_ACTIVE);
	json_limits(jw, d, NETVSC_A_SYNTH_LIMITS, "synthetic", VF_SYNTH);
	json_limits(jw, d, NETVSC_A_VF_LIMITS, "vf", VF_VF);
	jw_obj_close(jw);

	if (vf_has(d, NETVSC_A_VF_SETTINGS)) {
		char addr[18];

		jw_obj_open(jw, "vf_settings");
		if (d->settings_present & (1U << NETVSC_A_VF_SETTINGS_PERM_ADDR)) {
			vf_mac_str(d->settings_addr, addr, sizeof(addr));
			jw_str(jw, "perm_addr", addr);
		} else {
			jw_null(jw, "perm_addr");
		}
		if (d->settings_present & (1U << NETVSC_A_VF_SETTINGS_RX_RING))
			jw_u64(jw, "rx_ring", d->settings_rx_ring);
		else
			jw_null(jw, "rx_ring");
		if (d->settings_present & (1U << NETVSC_A_VF_SETTINGS_TX_RING))
			jw_u64(jw, "tx_ring", d->settings_tx_ring);
		else
			jw_null(jw, "tx_ring");
		jw_obj_close(jw);
	} else {
		jw_null(jw, "vf_settings");
	}
}

/**
 * vf_event_json - a notification as one JSON object
 * @jw: writer
 * @d: the parsed notification
 * @ts: when it was received, ISO 8601
 */
void vf_event_json(struct jw *jw, const struct vf_dev *d, const char *ts)
{
	jw_obj_open(jw, NULL);
	json_enum(jw, d, NETVSC_A_EVENT, "event", &event_enum, d->event);
	json_enum(jw, d, NETVSC_A_REASON, "reason", &reason_enum, d->reason);
	jw_str(jw, "timestamp", ts);
	vf_dev_json_members(jw, d);
	jw_obj_close(jw);
}

/* ------------------------------------------------------------ text */

static void print_features(const char *label, const struct vf_dev *d,
			   unsigned int attr, __u32 mask)
{
	unsigned int bit;

	printf("\t%s:", label);
	if (!vf_has(d, attr)) {
		printf(" -\n");
		return;
	}
	if (!mask)
		printf(" none");
	for (bit = 0; bit < 32; bit++) {
		if (!(mask & (1U << bit)))
			continue;
		if (bit < ARRAY_SIZE(feature_names))
			printf(" %s", feature_names[bit]);
		else
			printf(" bit-%u", bit);
	}
	printf("\n");
}

static void print_limits(const char *label, const struct vf_dev *d,
			 unsigned int attr, unsigned int path)
{
	unsigned int i;

	printf("\t%s:", label);
	if (!vf_has(d, attr)) {
		printf(" -\n");
		return;
	}
	for (i = 1; i <= NETVSC_A_LIMITS_MAX; i++)
		if (d->limits_present[path] & (1U << i))
			printf(" %s %u", limits_keys[i], d->limits[path][i]);
	printf("\n");
}

static void print_stats(const char *label, const struct vf_dev *d,
			unsigned int first)
{
	unsigned int i;

	printf("\t%s:", label);
	if (!vf_has(d, NETVSC_A_STATS)) {
		printf(" -\n");
		return;
	}
	for (i = first; i < first + 5; i++)
		if (d->stats_present & (1U << i))
			printf(" %s %llu", stats_keys[i], d->stats[i]);
	printf("\n");
}

static void print_enum(const char *label, const struct vf_dev *d,
		       unsigned int attr, const struct enum_names *e, __u32 val)
{
	char buf[ENUM_BUF];

	if (vf_has(d, attr))
		printf("\t%s: %s\n", label, enum_str(e, val, buf));
	else
		printf("\t%s: -\n", label);
}

/**
 * vf_mac_str - a MAC address as text
 * @addr: six bytes
 * @buf: where to write it
 * @len: its size, at least 18
 */
void vf_mac_str(const unsigned char *addr, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", addr[0], addr[1],
		 addr[2], addr[3], addr[4], addr[5]);
}

/**
 * vf_dev_print - a device as text, one "key: value" line per item
 * @d: the device
 */
void vf_dev_print(const struct vf_dev *d)
{
	char buf[ENUM_BUF];
	char ts[64];

	printf("%s:\n", d->ifname);
	printf("\tifindex: %u\n", d->ifindex);
	if (vf_has(d, NETVSC_A_VF_IFNAME))
		printf("\tvf: %s (ifindex %u)\n", d->vf_ifname, d->vf_ifindex);
	else
		printf("\tvf: none\n");
	print_enum("mode", d, NETVSC_A_MODE, &mode_enum, d->mode);
	print_enum("state", d, NETVSC_A_STATE, &state_enum, d->state);
	print_enum("datapath", d, NETVSC_A_DATAPATH, &datapath_enum,
		   d->datapath);
	print_enum("pin", d, NETVSC_A_PIN, &pin_enum, d->pin);
	if (vf_has(d, NETVSC_A_JOIN_DELAY_MS))
		printf("\tjoin delay: %u ms\n", d->join_delay_ms);
	else
		printf("\tjoin delay: -\n");
	if (vf_has(d, NETVSC_A_CARRIER_HOLD_MS))
		printf("\tcarrier hold: %u ms%s, %llu held\n",
		       d->carrier_hold_ms,
		       vf_has(d, NETVSC_A_CARRIER_HELD) ? " (holding now)" : "",
		       d->carrier_holds);
	else
		printf("\tcarrier hold: -\n");
	if (vf_has(d, NETVSC_A_SWITCHES))
		printf("\tswitches: %llu\n", d->switches);
	else
		printf("\tswitches: -\n");
	if (vf_has(d, NETVSC_A_LAST_SWITCH_NS)) {
		vf_time_str(d->last_switch_ns, ts, sizeof(ts));
		printf("\tlast switch: %s (%s)", ts,
		       enum_str(&reason_enum, d->last_reason, buf));
		if (vf_has(d, NETVSC_A_LAST_SWITCH_BOOTTIME_NS)) {
			__u64 age = vf_age_ns(d->last_switch_boot_ns);

			printf(", %llu.%03llu s ago", age / 1000000000ULL,
			       age / 1000000ULL % 1000);
		}
		printf("\n");
	} else {
		printf("\tlast switch: never\n");
	}
	print_stats("synthetic stats", d, NETVSC_A_STATS_SYNTH_RX_PACKETS);
	print_stats("vf stats", d, NETVSC_A_STATS_VF_RX_PACKETS);
	print_features("features", d, NETVSC_A_FEATURES,
		       d->features[VF_ACTIVE]);
	print_features("synthetic features", d, NETVSC_A_SYNTH_FEATURES,
		       d->features[VF_SYNTH]);
	print_features("vf features", d, NETVSC_A_VF_FEATURES,
		       d->features[VF_VF]);
	print_limits("limits", d, NETVSC_A_LIMITS, VF_ACTIVE);
	print_limits("synthetic limits", d, NETVSC_A_SYNTH_LIMITS, VF_SYNTH);
	print_limits("vf limits", d, NETVSC_A_VF_LIMITS, VF_VF);
	if (vf_has(d, NETVSC_A_VF_SETTINGS)) {
		char addr[18];

		vf_mac_str(d->settings_addr, addr, sizeof(addr));
		printf("\tvf settings: rx ring %u, tx ring %u (VF %s)\n",
		       d->settings_rx_ring, d->settings_tx_ring, addr);
	} else {
		printf("\tvf settings: none\n");
	}
}

/**
 * vf_event_print - a notification as one line of text
 * @d: the parsed notification
 * @ts: when it was received, ISO 8601
 */
void vf_event_print(const struct vf_dev *d, const char *ts)
{
	char ebuf[ENUM_BUF], rbuf[ENUM_BUF], dbuf[ENUM_BUF];

	printf("%s %s: %s reason %s vf %s datapath %s\n", ts, d->ifname,
	       vf_has(d, NETVSC_A_EVENT) ?
			enum_str(&event_enum, d->event, ebuf) : "-",
	       vf_has(d, NETVSC_A_REASON) ?
			enum_str(&reason_enum, d->reason, rbuf) : "-",
	       vf_has(d, NETVSC_A_VF_IFNAME) ? d->vf_ifname : "none",
	       vf_has(d, NETVSC_A_DATAPATH) ?
			enum_str(&datapath_enum, d->datapath, dbuf) : "-");
}
