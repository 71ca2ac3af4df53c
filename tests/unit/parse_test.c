// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of netvsc's wire parsers (drivers/net/hyperv/parse.c), in
 * userspace: a table of well-formed and malformed inputs, each with the
 * verdict the parser must give.  Inputs are copied into buffers of their
 * exact length, so that AddressSanitizer sees any read past them.
 * Prints KTAP.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static u8 in[8192];
static const char *why;

static void put16(u32 off, u16 v)
{
	memcpy(in + off, &v, sizeof(v));
}

static void put32(u32 off, u32 v)
{
	memcpy(in + off, &v, sizeof(v));
}

/* Run a parser on a private copy of in[0..len), exactly len bytes long. */
static u8 *exact(u32 len)
{
	u8 *p = malloc(len ? len : 1);

	memcpy(p, in, len);
	return p;
}

/* --- VMBus packets --- */

static void desc(u16 type, u16 off8, u16 len8)
{
	memset(in, 0, sizeof(in));
	put16(0, type);
	put16(2, off8);
	put16(4, len8);
	put32(8, 0x1234);
}

static int vmpkt(u32 len)
{
	struct netvsc_vmpkt p;
	u8 *b = exact(len);
	int rc = netvsc_parse_vmpkt(b, len, &p, &why);

	free(b);
	return rc;
}

static int t_vmpkt_short(void) { desc(6, 2, 2); return vmpkt(8); }
static int t_vmpkt_len_beyond(void) { desc(6, 2, 10); return vmpkt(16); }
static int t_vmpkt_off_small(void) { desc(6, 1, 4); return vmpkt(32); }
static int t_vmpkt_off_beyond(void) { desc(6, 5, 4); return vmpkt(32); }

static int t_vmpkt_inband_ok(void)
{
	struct netvsc_vmpkt p;
	u8 *b;
	int rc;

	desc(6, 2, 7);
	b = exact(56);
	rc = netvsc_parse_vmpkt(b, 56, &p, &why);
	if (!rc && (p.len != 40 || p.data != b + 16 || p.trans_id != 0x1234))
		rc = -100;
	free(b);
	return rc;
}

static void xfer(u32 count, u16 off8, u16 len8)
{
	desc(7, off8, len8);
	put16(16, 0xcafe);
	put32(20, count);
	put32(24, 64);		/* range 0: len */
	put32(28, 128);		/* range 0: offset */
}

static int t_xfer_ok(void) { xfer(1, 4, 9); return vmpkt(72); }
static int t_xfer_hdr_trunc(void) { xfer(1, 2, 9); return vmpkt(72); }
static int t_xfer_count0(void) { xfer(0, 4, 9); return vmpkt(72); }
static int t_xfer_count_huge(void) { xfer(0xffffffff, 4, 9); return vmpkt(72); }
static int t_xfer_ranges_beyond(void) { xfer(3, 4, 9); return vmpkt(72); }

static int range(u32 buf_size, u32 off, u32 len)
{
	struct netvsc_vmpkt p;
	u32 o, l;
	u8 *b;
	int rc;

	xfer(1, 4, 9);
	put32(24, len);
	put32(28, off);
	b = exact(72);
	rc = netvsc_parse_vmpkt(b, 72, &p, &why);
	if (!rc)
		rc = netvsc_parse_range(&p, 0, buf_size, &o, &l, &why);
	if (!rc && (o != off || l != len))
		rc = -100;
	if (!rc && !netvsc_parse_range(&p, 1, buf_size, &o, &l, &why))
		rc = -101;	/* index beyond the count must fail */
	free(b);
	return rc;
}

static int t_range_ok(void) { return range(4096, 4032, 64); }
static int t_range_beyond(void) { return range(4096, 4088, 64); }
static int t_range_wrap(void) { return range(4096, 0xfffffff0, 0x20); }
static int t_range_empty(void) { return range(4096, 0, 0); }

/* --- NVSP --- */

static int nvsp(u32 type, u32 len)
{
	u32 t;
	u8 *b;
	int rc;

	memset(in, 0, sizeof(in));
	put32(0, type);
	b = exact(len);
	rc = netvsc_parse_nvsp(b, len, &t, &why);
	if (!rc && t != type)
		rc = -100;
	free(b);
	return rc;
}

static int t_nvsp_short(void) { return nvsp(2, 2); }
static int t_nvsp_init_done_trunc(void) { return nvsp(NVSP_MSG_INIT_DONE, 8); }
static int t_nvsp_vf_assoc_trunc(void) { return nvsp(NVSP_MSG4_VF_ASSOCIATION, 8); }
static int t_nvsp_unknown(void) { return nvsp(999, 4); }
static int t_nvsp_switch_ok(void) { return nvsp(NVSP_MSG4_SWITCH_DATA_PATH, 8); }

static int recv_done(u32 status, u32 n, u32 start, u32 sub, u32 count, u32 end,
		     u32 len)
{
	u8 *b;
	int rc;

	memset(in, 0, sizeof(in));
	put32(0, NVSP_MSG1_RECV_BUF_DONE);
	put32(4, status);
	put32(8, n);
	put32(12, start);
	put32(16, sub);
	put32(20, count);
	put32(24, end);
	b = exact(len);
	rc = netvsc_parse_recv_buf_done(b, len, 1 << 20, &why);
	free(b);
	return rc;
}

static int t_recv_done_ok(void) { return recv_done(1, 1, 0, 1024, 1024, 1 << 20, 40); }
static int t_recv_done_refused(void) { return recv_done(2, 1, 0, 1024, 1024, 1 << 20, 40); }
static int t_recv_done_none(void) { return recv_done(1, 0, 0, 1024, 1024, 1 << 20, 40); }
static int t_recv_done_trunc(void) { return recv_done(1, 2, 0, 1024, 1024, 1 << 20, 40); }
static int t_recv_done_beyond(void) { return recv_done(1, 1, 0, 1024, 1024, 2 << 20, 40); }
static int t_recv_done_overflow(void) { return recv_done(1, 1, 0, 0x10000, 0x10000, 1 << 20, 40); }

static int send_done(u32 status, u32 section)
{
	u32 s;
	u8 *b;
	int rc;

	memset(in, 0, sizeof(in));
	put32(0, NVSP_MSG1_SEND_BUF_DONE);
	put32(4, status);
	put32(8, section);
	b = exact(12);
	rc = netvsc_parse_send_buf_done(b, 12, 1 << 20, &s, &why);
	free(b);
	return rc;
}

static int t_send_done_ok(void) { return send_done(1, 6144); }
static int t_send_done_refused(void) { return send_done(2, 6144); }
static int t_send_done_zero(void) { return send_done(1, 0); }
static int t_send_done_huge(void) { return send_done(1, 2 << 20); }

/* --- RNDIS --- */

static int rndis_hdr(u32 msg_len, u32 len)
{
	u32 t, l;
	u8 *b;
	int rc;

	memset(in, 0, sizeof(in));
	put32(0, RNDIS_MSG_PACKET);
	put32(4, msg_len);
	b = exact(len);
	rc = netvsc_parse_rndis(b, len, &t, &l, &why);
	free(b);
	return rc;
}

static int t_rndis_short(void) { return rndis_hdr(8, 4); }
static int t_rndis_len_beyond(void) { return rndis_hdr(100, 64); }
static int t_rndis_len_small(void) { return rndis_hdr(4, 64); }
static int t_rndis_ok(void) { return rndis_hdr(64, 64); }

/*
 * An RNDIS packet: 8-byte header, 36-byte packet, PPIs from byte 44,
 * data after them.
 */
static u32 pkt(u32 nppi, u32 data_len)
{
	u32 ppi_len = nppi * 16, len = 44 + ppi_len + data_len, i;

	memset(in, 0, sizeof(in));
	put32(0, RNDIS_MSG_PACKET);
	put32(4, len);
	put32(8, 36 + ppi_len);		/* data offset */
	put32(12, data_len);
	put32(28, ppi_len ? 36 : 0);	/* ppi offset */
	put32(32, ppi_len);
	for (i = 0; i < nppi; i++) {
		put32(44 + i * 16, 16);
		put32(44 + i * 16 + 4, i ? PPI_IEEE8021Q : PPI_CHECKSUM);
		put32(44 + i * 16 + 8, 12);
		put32(44 + i * 16 + 12, i ? 0x75 : PPI_CSUM_RX_TCP_OK);
	}
	return len;
}

static int parse_pkt(u32 len, struct netvsc_rndis_pkt *out)
{
	u8 *b = exact(len);
	int rc = netvsc_parse_rndis_pkt(b, len, out, &why);

	free(b);
	return rc;
}

static int t_pkt_ok(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(2, 60);
	int rc = parse_pkt(len, &o);

	if (!rc && (o.data_offset != 44 + 32 || o.data_len != 60 ||
		    o.has != (BIT(PPI_CHECKSUM) | BIT(PPI_IEEE8021Q)) ||
		    o.csum != PPI_CSUM_RX_TCP_OK || o.vlan != 0x75))
		rc = -100;
	return rc;
}

static int t_pkt_trunc(void) { struct netvsc_rndis_pkt o; pkt(0, 60); return parse_pkt(20, &o); }
static int t_pkt_no_data(void) { struct netvsc_rndis_pkt o; return parse_pkt(pkt(0, 0), &o); }

static int t_pkt_data_beyond(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(0, 60);

	put32(12, 61);
	return parse_pkt(len, &o);
}

static int t_pkt_data_offset_wrap(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(0, 60);

	put32(8, 0xfffffff0);
	put32(12, 0x20);
	return parse_pkt(len, &o);
}

static int t_pkt_data_in_header(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(0, 60);

	put32(8, 4);
	return parse_pkt(len, &o);
}

static int t_ppi_beyond(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(1, 60);

	put32(32, 0x1000);
	return parse_pkt(len, &o);
}

static int t_ppi_size_zero(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(1, 60);

	put32(44, 0);
	return parse_pkt(len, &o);
}

static int t_ppi_size_beyond(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(1, 60);

	put32(44, 32);
	return parse_pkt(len, &o);
}

static int t_ppi_offset_bad(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(1, 60);

	put32(52, 0x1000);
	return parse_pkt(len, &o);
}

static int t_ppi_data_trunc(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(1, 60);

	put32(52, 14);		/* 2 bytes of data for a u32 */
	return parse_pkt(len, &o);
}

static int t_ppi_internal_skipped(void)
{
	struct netvsc_rndis_pkt o;
	u32 len = pkt(1, 60);
	int rc;

	put32(48, PPI_CHECKSUM | RNDIS_PPI_INTERNAL);
	rc = parse_pkt(len, &o);
	return !rc && o.has ? -100 : rc;
}

static int info(u32 info_len, u32 info_off, u32 len)
{
	u32 off, l;
	u8 *b;
	int rc;

	memset(in, 0, sizeof(in));
	put32(0, RNDIS_MSG_QUERY | RNDIS_MSG_DONE);
	put32(4, len);
	put32(16, info_len);
	put32(20, info_off);
	b = exact(len);
	rc = netvsc_parse_rndis_info(b, len, &off, &l, &why);
	if (!rc && info_len && (off != info_off + 8 || l != info_len))
		rc = -100;
	free(b);
	return rc;
}

static int t_info_ok(void) { return info(6, 16, 30); }
static int t_info_none(void) { return info(0, 0, 24); }
static int t_info_beyond(void) { return info(8, 16, 30); }
static int t_info_wrap(void) { return info(0x20, 0xfffffff0, 64); }
static int t_info_trunc(void) { return info(0, 0, 20); }

static int indicate_status(u32 want, u32 blen, u32 boff, u32 len)
{
	u32 status;
	u8 *b;
	int rc;

	memset(in, 0, sizeof(in));
	put32(0, RNDIS_MSG_INDICATE);
	put32(4, len);
	put32(8, want);
	put32(12, blen);
	put32(16, boff);
	b = exact(len);
	rc = netvsc_parse_indicate(b, len, &status, &why);
	if (!rc && status != want)
		rc = -100;
	free(b);
	return rc;
}

static int indicate(u32 blen, u32 boff, u32 len)
{
	return indicate_status(RNDIS_STATUS_MEDIA_CONNECT, blen, boff, len);
}

static int t_indicate_ok(void) { return indicate(0, 0, 20); }
static int t_indicate_buf_ok(void) { return indicate(4, 12, 24); }
static int t_indicate_beyond(void) { return indicate(8, 12, 24); }
static int t_indicate_trunc(void) { return indicate(0, 0, 16); }
/* A network change carries the kind of change, a u32, as FreeBSD's
 * hn(4) reads it; a host may also send none.
 */
static int t_indicate_netchange(void)
{
	return indicate_status(RNDIS_STATUS_NETWORK_CHANGE, 4, 12, 24);
}

static int t_indicate_netchange_bare(void)
{
	return indicate_status(RNDIS_STATUS_NETWORK_CHANGE, 0, 0, 20);
}

static int t_indicate_netchange_beyond(void)
{
	return indicate_status(RNDIS_STATUS_NETWORK_CHANGE, 4, 16, 24);
}

static int offload(u8 type, u16 size, u32 len)
{
	struct netvsc_offload_caps c;
	u8 *b;
	int rc;

	memset(in, 0, sizeof(in));
	in[0] = type;
	in[1] = NDIS_OFFLOAD_REVISION_3;
	put16(2, size);
	put32(4, NDIS_ENCAP_8023);	/* ip4 tx encapsulation */
	put32(8, NDIS_CSUM_TCP);	/* ip4 tx */
	put32(offsetof(struct ndis_offload, lsov2.ip4_encap), NDIS_ENCAP_8023);
	put32(offsetof(struct ndis_offload, lsov2.ip4_max_size), 62780);
	b = exact(len);
	rc = netvsc_parse_offload(b, len, &c, &why);
	if (!rc && (c.ip4_tx_csum != NDIS_CSUM_TCP || c.lso4_max != 62780 ||
		    !c.lso4 || c.ip6_tx_csum || c.lso6 || c.lso6_max))
		rc = -100;
	free(b);
	return rc;
}

static int t_offload_ok(void) { return offload(NDIS_OBJ_TYPE_OFFLOAD, 156, 156); }
static int t_offload_6_0_ok(void) { return offload(NDIS_OBJ_TYPE_OFFLOAD, 112, 112); }
static int t_offload_type(void) { return offload(NDIS_OBJ_TYPE_DEFAULT, 156, 156); }
static int t_offload_small(void) { return offload(NDIS_OBJ_TYPE_OFFLOAD, 100, 156); }
static int t_offload_size_beyond(void) { return offload(NDIS_OBJ_TYPE_OFFLOAD, 200, 156); }
static int t_offload_trunc(void) { return offload(NDIS_OBJ_TYPE_OFFLOAD, 112, 100); }

#define T(name, rc) { #name, t_##name, rc }

static const struct {
	const char *name;
	int (*fn)(void);
	int want;
} cases[] = {
	T(vmpkt_short, -EMSGSIZE),
	T(vmpkt_len_beyond, -EMSGSIZE),
	T(vmpkt_off_small, -EINVAL),
	T(vmpkt_off_beyond, -EINVAL),
	T(vmpkt_inband_ok, 0),
	T(xfer_ok, 0),
	T(xfer_hdr_trunc, -EMSGSIZE),
	T(xfer_count0, -EINVAL),
	T(xfer_count_huge, -EINVAL),
	T(xfer_ranges_beyond, -EMSGSIZE),
	T(range_ok, 0),
	T(range_beyond, -EINVAL),
	T(range_wrap, -EINVAL),
	T(range_empty, -EINVAL),
	T(nvsp_short, -EMSGSIZE),
	T(nvsp_init_done_trunc, -EMSGSIZE),
	T(nvsp_vf_assoc_trunc, -EMSGSIZE),
	T(nvsp_unknown, 0),
	T(nvsp_switch_ok, 0),
	T(recv_done_ok, 0),
	T(recv_done_refused, -EIO),
	T(recv_done_none, -EINVAL),
	T(recv_done_trunc, -EMSGSIZE),
	T(recv_done_beyond, -EINVAL),
	T(recv_done_overflow, -EINVAL),
	T(send_done_ok, 0),
	T(send_done_refused, -EIO),
	T(send_done_zero, -EINVAL),
	T(send_done_huge, -EINVAL),
	T(rndis_short, -EMSGSIZE),
	T(rndis_len_beyond, -EMSGSIZE),
	T(rndis_len_small, -EMSGSIZE),
	T(rndis_ok, 0),
	T(pkt_ok, 0),
	T(pkt_trunc, -EMSGSIZE),
	T(pkt_no_data, -EINVAL),
	T(pkt_data_beyond, -EINVAL),
	T(pkt_data_offset_wrap, -EINVAL),
	T(pkt_data_in_header, -EINVAL),
	T(ppi_beyond, -EINVAL),
	T(ppi_size_zero, -EINVAL),
	T(ppi_size_beyond, -EINVAL),
	T(ppi_offset_bad, -EINVAL),
	T(ppi_data_trunc, -EMSGSIZE),
	T(ppi_internal_skipped, 0),
	T(info_ok, 0),
	T(info_none, 0),
	T(info_beyond, -EINVAL),
	T(info_wrap, -EINVAL),
	T(info_trunc, -EMSGSIZE),
	T(indicate_ok, 0),
	T(indicate_buf_ok, 0),
	T(indicate_beyond, -EINVAL),
	T(indicate_trunc, -EMSGSIZE),
	T(indicate_netchange, 0),
	T(indicate_netchange_bare, 0),
	T(indicate_netchange_beyond, -EINVAL),
	T(offload_ok, 0),
	T(offload_6_0_ok, 0),
	T(offload_type, -EINVAL),
	T(offload_small, -EINVAL),
	T(offload_size_beyond, -EINVAL),
	T(offload_trunc, -EMSGSIZE),
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	unsigned int i, n = ARRAY_SIZE(cases), failed = 0;

	printf("KTAP version 1\n1..%u\n", n);
	for (i = 0; i < n; i++) {
		int rc;

		why = NULL;
		rc = cases[i].fn();
		if (rc == cases[i].want && (rc == 0 || why)) {
			if (why)
				printf("ok %u %s # rejected: %s\n", i + 1,
				       cases[i].name, why);
			else
				printf("ok %u %s\n", i + 1, cases[i].name);
			continue;
		}
		failed++;
		printf("# got %d, want %d\n", rc, cases[i].want);
		if (rc && !why)
			printf("# rejected without a reason\n");
		printf("not ok %u %s\n", i + 1, cases[i].name);
	}
	printf("# totals: pass:%u fail:%u skip:0\n", n - failed, failed);
	return failed ? 1 : 0;
}
