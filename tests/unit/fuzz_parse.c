// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for netvsc's wire parsers: the input is a VMBus packet
 * from the host followed by the receive buffer it points into, and goes
 * down the path the engine takes: the packet, its NVSP message, each
 * transfer-page range, the RNDIS message there, its PPIs, information
 * buffer or indication, and an offload capabilities object.  Every piece
 * is handed over in a heap buffer of its exact size, so that
 * AddressSanitizer catches a read beyond it.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static u8 *dup_exact(const u8 *p, size_t len)
{
	u8 *d = malloc(len ? len : 1);

	memcpy(d, p, len);
	return d;
}

static void rndis(const u8 *buf, u32 len)
{
	struct netvsc_offload_caps caps;
	struct netvsc_rndis_pkt pkt;
	u32 type, msg_len, off, ilen, status;
	const char *why;
	u8 *m;

	if (netvsc_parse_rndis(buf, len, &type, &msg_len, &why))
		return;
	m = dup_exact(buf, msg_len);
	if (type == RNDIS_MSG_PACKET) {
		if (!netvsc_parse_rndis_pkt(m, msg_len, &pkt, &why) &&
		    (pkt.data_offset > msg_len ||
		     pkt.data_len > msg_len - pkt.data_offset))
			abort();	/* the parser let a bad frame through */
	} else if (type == RNDIS_MSG_INDICATE) {
		netvsc_parse_indicate(m, msg_len, &status, &why);
	} else if (!netvsc_parse_rndis_info(m, msg_len, &off, &ilen, &why) &&
		   ilen) {
		u8 *info;

		if (off > msg_len || ilen > msg_len - off)
			abort();
		info = dup_exact(m + off, ilen);
		netvsc_parse_offload(info, ilen, &caps, &why);
		free(info);
	}
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netvsc_vmpkt p;
	u32 split, i, type, section;
	const u8 *recv;
	u32 recv_len;
	const char *why;
	u8 *pkt;

	if (size < 2)
		return 0;
	split = data[0] | data[1] << 8;
	data += 2;
	size -= 2;
	if (split > size)
		split = size;
	recv = data + split;
	recv_len = size - split;

	pkt = dup_exact(data, split);
	if (netvsc_parse_vmpkt(pkt, split, &p, &why))
		goto out;
	if (p.data < pkt || p.data + p.len > pkt + split)
		abort();
	if (netvsc_parse_nvsp(p.data, p.len, &type, &why))
		goto out;

	switch (type) {
	case NVSP_MSG1_RECV_BUF_DONE:
		netvsc_parse_recv_buf_done(p.data, p.len, recv_len, &why);
		break;
	case NVSP_MSG1_SEND_BUF_DONE:
		netvsc_parse_send_buf_done(p.data, p.len, recv_len, &section,
					   &why);
		break;
	}

	for (i = 0; p.type == VMPKT_DATA_XFER_PAGES && i < p.range_count; i++) {
		u32 off, len;
		u8 *r;

		if (netvsc_parse_range(&p, i, recv_len, &off, &len, &why))
			continue;
		if (off > recv_len || len > recv_len - off)
			abort();
		r = dup_exact(recv + off, len);
		rndis(r, len);
		free(r);
	}
	/* The receive buffer on its own, as one RNDIS message. */
	rndis(recv, recv_len);
out:
	free(pkt);
	return 0;
}
