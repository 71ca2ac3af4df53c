// SPDX-License-Identifier: GPL-2.0
/*
 * vfctl unit tests: message parsing and JSON output, on messages built
 * here (no kernel needed).  Run by "make check"; prints KTAP.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "vfctl.h"

/* The number of results main() prints; KTAP wants it first. */
#define TEST_PLAN	28

static unsigned int test_n;
static unsigned int test_failed;

static void result(bool ok, const char *name, const char *expected,
		   const char *actual)
{
	test_n++;
	if (ok) {
		printf("ok %u %s\n", test_n, name);
		return;
	}
	test_failed++;
	if (expected)
		printf("# expected: %s\n", expected);
	if (actual)
		printf("# actual:   %s\n", actual);
	printf("not ok %u %s\n", test_n, name);
}

static void check_str(const char *name, const char *expected,
		      const char *actual)
{
	result(!strcmp(expected, actual), name, expected, actual);
}

/* ------------------------------------------------------------ JSON */

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	jw_escape(f, s);
	fclose(f);
	return buf;
}

static void test_escape(const char *name, const char *in, const char *out)
{
	char *got = escaped(in);

	check_str(name, out, got);
	free(got);
}

static void test_json_escaping(void)
{
	test_escape("escape plain", "eth0", "\"eth0\"");
	test_escape("escape quote and backslash", "a\"b\\c",
		    "\"a\\\"b\\\\c\"");
	test_escape("escape control characters", "\t\n\r\b\f\x01\x1f\x7f",
		    "\"\\t\\n\\r\\b\\f\\u0001\\u001f\\u007f\"");
	test_escape("escape keeps valid UTF-8", "n\xc3\xa9t\xe2\x82\xac\xf0\x9f\x98\x80",
		    "\"n\xc3\xa9t\xe2\x82\xac\xf0\x9f\x98\x80\"");
	test_escape("escape replaces a stray byte", "a\377b",
		    "\"a\\ufffdb\"");
	test_escape("escape replaces an overlong form", "\xc0\x80",
		    "\"\\ufffd\\ufffd\"");
	test_escape("escape replaces a surrogate", "\xed\xa0\x80",
		    "\"\\ufffd\\ufffd\\ufffd\"");
	test_escape("escape replaces a truncated sequence", "\xe2\x82",
		    "\"\\ufffd\\ufffd\"");
	test_escape("escape replaces code points above U+10FFFF",
		    "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_json_writer(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw jw;

	jw_init(&jw, f, false);
	jw_obj_open(&jw, NULL);
	jw_arr_open(&jw, "a");
	jw_u64(&jw, NULL, 18446744073709551615ULL);
	jw_str(&jw, NULL, "x");
	jw_arr_close(&jw);
	jw_obj_open(&jw, "o");
	jw_obj_close(&jw);
	jw_arr_open(&jw, "e");
	jw_arr_close(&jw);
	jw_null(&jw, "n");
	jw_bool(&jw, "b", true);
	jw_obj_close(&jw);
	fclose(f);
	check_str("compact writer",
		  "{\"a\":[18446744073709551615,\"x\"],\"o\":{},\"e\":[],\"n\":null,\"b\":true}",
		  buf);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	jw_init(&jw, f, true);
	jw_arr_open(&jw, NULL);
	jw_obj_open(&jw, NULL);
	jw_u64(&jw, "k", 1);
	jw_arr_open(&jw, "l");
	jw_str(&jw, NULL, "v");
	jw_arr_close(&jw);
	jw_obj_close(&jw);
	jw_arr_close(&jw);
	fclose(f);
	check_str("pretty writer",
		  "[\n  {\n    \"k\": 1,\n    \"l\": [\n      \"v\"\n    ]\n  }\n]",
		  buf);
	free(buf);
}

/* ------------------------------------------------------------ messages */

/* 8-byte aligned, as the kernel's messages are. */
static __u64 msgwords[1024];
static char *const msgbuf = (char *)msgwords;

static struct nlmsghdr *msg_start(__u8 cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(msgwords, 0, sizeof(msgwords));
	nlh = mnl_nlmsg_put_header(msgbuf);
	nlh->nlmsg_type = 0x20;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = NETVSC_FAMILY_VERSION;
	return nlh;
}

/* A u64 the way the kernel puts it: a pad attribute first if needed. */
static void put_u64(struct nlmsghdr *nlh, __u16 type, __u64 val, __u16 pad)
{
	char *start = mnl_nlmsg_get_payload_tail(nlh);

	if (((unsigned long)start + MNL_ATTR_HDRLEN) % 8)
		mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, val);
}

static void put_limits(struct nlmsghdr *nlh, __u16 type, __u32 base)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, NETVSC_A_LIMITS_TSO_MAX_SIZE, base);
	mnl_attr_put_u32(nlh, NETVSC_A_LIMITS_TSO_MAX_SEGS, base + 1);
	mnl_attr_put_u32(nlh, NETVSC_A_LIMITS_GSO_MAX_SIZE, base + 2);
	mnl_attr_put_u32(nlh, NETVSC_A_LIMITS_GSO_MAX_SEGS, base + 3);
	mnl_attr_nest_end(nlh, nest);
}

static void put_common(struct nlmsghdr *nlh, bool vf)
{
	struct nlattr *nest;
	__u16 i;

	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, "eth\"1");
	if (vf) {
		mnl_attr_put_u32(nlh, NETVSC_A_VF_IFINDEX, 9);
		mnl_attr_put_strz(nlh, NETVSC_A_VF_IFNAME, "vf0");
	}
	mnl_attr_put_u32(nlh, NETVSC_A_MODE, NETVSC_MODE_TRANSPARENT);
	mnl_attr_put_u32(nlh, NETVSC_A_STATE,
			 vf ? NETVSC_STATE_JOINED : NETVSC_STATE_NONE);
	mnl_attr_put_u32(nlh, NETVSC_A_DATAPATH,
			 vf ? NETVSC_DATAPATH_VF : NETVSC_DATAPATH_SYNTHETIC);
	mnl_attr_put_u32(nlh, NETVSC_A_PIN, NETVSC_PIN_AUTO);
	mnl_attr_put_u32(nlh, NETVSC_A_JOIN_DELAY_MS, 100);
	/* Without a VF: from a kernel without carrier holds. */
	if (vf) {
		mnl_attr_put_u32(nlh, NETVSC_A_CARRIER_HOLD_MS, 2000);
		mnl_attr_put(nlh, NETVSC_A_CARRIER_HELD, 0, NULL);
		put_u64(nlh, NETVSC_A_CARRIER_HOLDS, 3, NETVSC_A_PAD);
	}
	put_u64(nlh, NETVSC_A_SWITCHES, vf ? 1 : 0, NETVSC_A_PAD);
	if (vf)
		put_u64(nlh, NETVSC_A_LAST_SWITCH_NS,
			1700000000123456789ULL, NETVSC_A_PAD);
	mnl_attr_put_u32(nlh, NETVSC_A_LAST_SWITCH_REASON,
			 vf ? NETVSC_REASON_JOIN : NETVSC_REASON_NONE);
	nest = mnl_attr_nest_start(nlh, NETVSC_A_STATS);
	for (i = NETVSC_A_STATS_SYNTH_RX_PACKETS;
	     i <= NETVSC_A_STATS_VF_TX_DROPPED; i++)
		put_u64(nlh, i, 1000 + i, NETVSC_A_STATS_PAD);
	/* From a newer kernel: must be skipped. */
	mnl_attr_put_u32(nlh, NETVSC_A_STATS_MAX + 5, 1);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, NETVSC_A_FEATURES, NETVSC_F_SG | NETVSC_F_TSO);
	mnl_attr_put_u32(nlh, NETVSC_A_SYNTH_FEATURES,
			 NETVSC_F_SG | NETVSC_F_TX_CSUM | NETVSC_F_TSO |
			 NETVSC_F_HIGHDMA | (1U << 20));
	if (vf)
		mnl_attr_put_u32(nlh, NETVSC_A_VF_FEATURES, 0);
	put_limits(nlh, NETVSC_A_LIMITS, 100);
	put_limits(nlh, NETVSC_A_SYNTH_LIMITS, 200);
	if (vf) {
		static const unsigned char addr[6] = {
			0x52, 0x54, 0x00, 0x0a, 0x0b, 0x0c
		};

		put_limits(nlh, NETVSC_A_VF_LIMITS, 300);
		nest = mnl_attr_nest_start(nlh, NETVSC_A_VF_SETTINGS);
		mnl_attr_put(nlh, NETVSC_A_VF_SETTINGS_PERM_ADDR, sizeof(addr),
			     addr);
		mnl_attr_put_u32(nlh, NETVSC_A_VF_SETTINGS_RX_RING, 512);
		mnl_attr_put_u32(nlh, NETVSC_A_VF_SETTINGS_TX_RING, 1024);
		/* From a newer kernel: must be skipped. */
		mnl_attr_put_u32(nlh, NETVSC_A_VF_SETTINGS_MAX + 3, 1);
		mnl_attr_nest_end(nlh, nest);
	}
	/* From a newer kernel: must be skipped. */
	mnl_attr_put_strz(nlh, NETVSC_A_MAX + 1, "future");
}

static char *dev_json(const struct vf_dev *d, bool event)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw jw;

	jw_init(&jw, f, false);
	if (event) {
		vf_event_json(&jw, d, "T");
	} else {
		jw_obj_open(&jw, NULL);
		vf_dev_json_members(&jw, d);
		jw_obj_close(&jw);
	}
	fclose(f);
	return buf;
}

static const char *const json_with_vf[] = {
	"{\"ifname\":\"eth\\\"1\",\"ifindex\":7,",
	"\"vf\":{\"ifname\":\"vf0\",\"ifindex\":9},",
	"\"mode\":\"transparent\",\"state\":\"joined\",\"datapath\":\"vf\",",
	"\"pin\":\"auto\",\"join_delay_ms\":100,",
	"\"carrier_hold_ms\":2000,\"carrier_held\":true,\"carrier_holds\":3,",
	"\"switches\":1,",
	"\"last_switch\":{\"time_ns\":1700000000123456789,",
	"\"time\":\"2023-11-14T22:13:20.123456789Z\",\"reason\":\"join\"},",
	"\"stats\":{\"synthetic\":{\"rx_packets\":1002,\"rx_bytes\":1003,",
	"\"tx_packets\":1004,\"tx_bytes\":1005,\"tx_dropped\":1006},",
	"\"vf\":{\"rx_packets\":1007,\"rx_bytes\":1008,\"tx_packets\":1009,",
	"\"tx_bytes\":1010,\"tx_dropped\":1011}},",
	"\"features\":{\"active\":[\"sg\",\"tso\"],",
	"\"synthetic\":[\"sg\",\"tx-checksum\",\"tso\",\"highdma\",\"bit-20\"],",
	"\"vf\":[]},",
	"\"limits\":{\"active\":{\"tso_max_size\":100,\"tso_max_segs\":101,",
	"\"gso_max_size\":102,\"gso_max_segs\":103},",
	"\"synthetic\":{\"tso_max_size\":200,\"tso_max_segs\":201,",
	"\"gso_max_size\":202,\"gso_max_segs\":203},",
	"\"vf\":{\"tso_max_size\":300,\"tso_max_segs\":301,",
	"\"gso_max_size\":302,\"gso_max_segs\":303}},",
	"\"vf_settings\":{\"perm_addr\":\"52:54:00:0a:0b:0c\",",
	"\"rx_ring\":512,\"tx_ring\":1024}}",
	NULL
};

static const char *const json_event[] = {
	"{\"event\":\"leave\",\"reason\":\"vf-removed\",\"timestamp\":\"T\",",
	"\"ifname\":\"eth\\\"1\",\"ifindex\":7,\"vf\":null,",
	"\"mode\":\"transparent\",\"state\":\"none\",",
	"\"datapath\":\"synthetic\",\"pin\":\"auto\",\"join_delay_ms\":100,",
	"\"carrier_hold_ms\":null,\"carrier_held\":null,\"carrier_holds\":null,",
	"\"switches\":0,\"last_switch\":null,",
	"\"stats\":{\"synthetic\":{\"rx_packets\":1002,\"rx_bytes\":1003,",
	"\"tx_packets\":1004,\"tx_bytes\":1005,\"tx_dropped\":1006},",
	"\"vf\":{\"rx_packets\":1007,\"rx_bytes\":1008,\"tx_packets\":1009,",
	"\"tx_bytes\":1010,\"tx_dropped\":1011}},",
	"\"features\":{\"active\":[\"sg\",\"tso\"],",
	"\"synthetic\":[\"sg\",\"tx-checksum\",\"tso\",\"highdma\",\"bit-20\"],",
	"\"vf\":null},",
	"\"limits\":{\"active\":{\"tso_max_size\":100,\"tso_max_segs\":101,",
	"\"gso_max_size\":102,\"gso_max_segs\":103},",
	"\"synthetic\":{\"tso_max_size\":200,\"tso_max_segs\":201,",
	"\"gso_max_size\":202,\"gso_max_segs\":203},\"vf\":null},",
	"\"vf_settings\":null}",
	NULL
};

/* The fragments of @parts, joined; free() it. */
static char *join(const char *const *parts)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; parts[i]; i++)
		len += strlen(parts[i]);
	s = calloc(1, len);
	if (!s)
		abort();
	for (i = 0; parts[i]; i++)
		strcat(s, parts[i]);
	return s;
}

static void check_json(const char *name, const char *const *parts,
		       const char *actual)
{
	char *expected = join(parts);

	check_str(name, expected, actual);
	free(expected);
}

static const char json_boottime[] =
	"\"reason\":\"join\",\"boottime_ns\":18446744073709551615,\"age_ns\":0}";

static void test_parse(void)
{
	struct nlmsghdr *nlh;
	struct vf_dev d;
	char err[128];
	char *json;
	int ret;

	nlh = msg_start(NETVSC_CMD_DEV_GET);
	put_common(nlh, true);
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(!ret, "parse a device with a VF", NULL, ret ? err : NULL);
	json = dev_json(&d, false);
	check_json("device with a VF as JSON", json_with_vf, json);
	free(json);

	nlh = msg_start(NETVSC_CMD_DEV_NTF);
	put_common(nlh, false);
	mnl_attr_put_u32(nlh, NETVSC_A_EVENT, NETVSC_EVENT_LEAVE);
	mnl_attr_put_u32(nlh, NETVSC_A_REASON, NETVSC_REASON_VF_REMOVED);
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(!ret && d.cmd == NETVSC_CMD_DEV_NTF,
	       "parse a notification without a VF", NULL, ret ? err : NULL);
	json = dev_json(&d, true);
	check_json("notification as JSON", json_event, json);
	free(json);

	/* The switch on CLOCK_BOOTTIME, and its age: 0 for an instant that
	 * is not in the past.
	 */
	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 1);
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, "eth0");
	put_u64(nlh, NETVSC_A_LAST_SWITCH_NS, 1700000000123456789ULL,
		NETVSC_A_PAD);
	put_u64(nlh, NETVSC_A_LAST_SWITCH_BOOTTIME_NS, ~0ULL, NETVSC_A_PAD);
	mnl_attr_put_u32(nlh, NETVSC_A_LAST_SWITCH_REASON, NETVSC_REASON_JOIN);
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(!ret, "parse a device with the switch's boottime", NULL,
	       ret ? err : NULL);
	json = dev_json(&d, false);
	result(json && strstr(json, json_boottime),
	       "the switch's boottime and age as JSON", json_boottime, json);
	free(json);
	result(vf_age_ns(0) > 0, "the age of boot time 0 is the uptime", NULL,
	       NULL);

	/* Unknown enum values are shown, not rejected. */
	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 1);
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, "a");
	mnl_attr_put_u32(nlh, NETVSC_A_STATE, 42);
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	json = dev_json(&d, false);
	result(!ret && strstr(json, "\"state\":\"unknown-42\"") &&
	       strstr(json, "\"mode\":null") && strstr(json, "\"stats\":null"),
	       "unknown enum value and missing attributes", NULL, json);
	free(json);

	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_strz(nlh, NETVSC_A_IFINDEX, "7");
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, "eth1");
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(ret == -EPROTO && strstr(err, "ifindex"),
	       "wrong type of a known attribute is rejected", NULL, err);

	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 7);
	mnl_attr_put(nlh, NETVSC_A_IFNAME, 4, "eth1");
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(ret == -EPROTO && strstr(err, "ifname"),
	       "unterminated name is rejected", NULL, err);

	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, "0123456789abcdefXYZ");
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(ret == -EPROTO, "overlong name is rejected", NULL, err);

	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, "eth1");
	put_limits(nlh, NETVSC_A_LIMITS, 1);
	mnl_attr_put_u16(nlh, NETVSC_A_STATS, 1);
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(ret == -EPROTO && strstr(err, "stats"),
	       "non-nested stats are rejected", NULL, err);

	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, "eth1");
	{
		struct nlattr *nest = mnl_attr_nest_start(nlh, NETVSC_A_STATS);

		mnl_attr_put_u32(nlh, NETVSC_A_STATS_SYNTH_RX_BYTES, 1);
		mnl_attr_nest_end(nlh, nest);
	}
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(ret == -EPROTO && strstr(err, "stats"),
	       "a 32-bit counter is rejected", NULL, err);

	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, NETVSC_A_IFNAME, "eth1");
	{
		struct nlattr *nest = mnl_attr_nest_start(nlh,
							  NETVSC_A_VF_SETTINGS);

		mnl_attr_put(nlh, NETVSC_A_VF_SETTINGS_PERM_ADDR, 5, "abcde");
		mnl_attr_nest_end(nlh, nest);
	}
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(ret == -EPROTO && strstr(err, "vf-settings"),
	       "a 5-byte VF address is rejected", NULL, err);

	nlh = msg_start(NETVSC_CMD_DEV_GET);
	mnl_attr_put_u32(nlh, NETVSC_A_IFINDEX, 7);
	ret = vf_dev_parse(nlh, &d, err, sizeof(err));
	result(ret == -EPROTO, "a device without a name is rejected", NULL,
	       err);
}

static void test_time(void)
{
	char buf[64];

	vf_time_str(0, buf, sizeof(buf));
	check_str("time of the epoch", "1970-01-01T00:00:00.000000000Z", buf);
	vf_time_str(951782400000000001ULL, buf, sizeof(buf));
	check_str("time on a leap day", "2000-02-29T00:00:00.000000001Z", buf);
}

int main(void)
{
	printf("KTAP version 1\n");
	printf("1..%u\n", TEST_PLAN);
	test_json_escaping();
	test_json_writer();
	test_parse();
	test_time();
	printf("# totals: pass:%u fail:%u\n", test_n - test_failed,
	       test_failed);
	if (test_n != TEST_PLAN)
		printf("# planned %u results, printed %u\n", TEST_PLAN, test_n);
	return test_failed || test_n != TEST_PLAN;
}
