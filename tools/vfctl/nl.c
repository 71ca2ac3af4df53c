// SPDX-License-Identifier: GPL-2.0
/*
 * vfctl: generic netlink plumbing on top of libmnl.
 *
 * One socket per run.  nl_resolve() finds the family and its "events"
 * group through nlctrl; nl_exchange() sends one request and reads until
 * its ack, its NLMSG_DONE or its error, collecting the extended ack;
 * nl_listen() reads notifications until an error.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "vfctl.h"

#define NL_TX_SIZE	MNL_SOCKET_BUFFER_SIZE
/* Large enough for any dump skb the kernel builds (it caps them at 32k). */
#define NL_RX_SIZE	65536
/* Notifications can come in bursts: a join is two messages per device. */
#define NL_LISTEN_RCVBUF	(1024 * 1024)

struct nl_req {
	struct nl_ctx *ctx;
	__u16 type;
	nl_msg_cb cb;
	void *data;
	int err;
};

int nl_open(struct nl_ctx *ctx)
{
	int one = 1;

	memset(ctx, 0, sizeof(*ctx));
	ctx->tx = malloc(NL_TX_SIZE);
	ctx->rx = malloc(NL_RX_SIZE);
	if (!ctx->tx || !ctx->rx)
		return -ENOMEM;

	ctx->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!ctx->sk)
		return -errno;
	if (mnl_socket_bind(ctx->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	/* Both are best effort: without them the errors are just terser. */
	mnl_socket_setsockopt(ctx->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(ctx->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	ctx->portid = mnl_socket_get_portid(ctx->sk);
	ctx->seq = time(NULL);
	return 0;
}

void nl_close(struct nl_ctx *ctx)
{
	if (ctx->sk)
		mnl_socket_close(ctx->sk);
	free(ctx->tx);
	free(ctx->rx);
	ctx->sk = NULL;
	ctx->tx = NULL;
	ctx->rx = NULL;
}

struct nlmsghdr *nl_msg_start(struct nl_ctx *ctx, __u16 type, __u16 flags,
			      __u8 cmd, __u8 version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ctx->tx);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++ctx->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* Name the top-level attribute at @off bytes into the request we sent. */
static void nl_name_attr(struct nl_ctx *ctx, __u32 off)
{
	const struct nlmsghdr *req = (const struct nlmsghdr *)ctx->tx;
	const struct nlattr *attr;
	unsigned int type;

	if (off < mnl_nlmsg_size(GENL_HDRLEN) || off >= req->nlmsg_len)
		return;
	mnl_attr_for_each(attr, req, GENL_HDRLEN) {
		if ((const char *)attr - (const char *)req != off)
			continue;
		type = mnl_attr_get_type(attr);
		if (req->nlmsg_type == ctx->family && vf_attr_name(type))
			snprintf(ctx->ext.attr, sizeof(ctx->ext.attr), "%s",
				 vf_attr_name(type));
		else
			snprintf(ctx->ext.attr, sizeof(ctx->ext.attr),
				 "attribute type %u", type);
		return;
	}
}

static void nl_parse_policy(struct nl_ctx *ctx, const struct nlattr *nest)
{
	const struct nlattr *attr;
	bool has_min = false, has_max = false;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				break;
			ctx->ext.min = mnl_attr_get_u64(attr);
			has_min = true;
			break;
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				break;
			ctx->ext.max = mnl_attr_get_u64(attr);
			has_max = true;
			break;
		}
	}
	ctx->ext.has_range = has_min && has_max;
}

/* The extended ack TLVs start @off bytes into the payload of @nlh. */
static void nl_parse_extack(struct nl_ctx *ctx, const struct nlmsghdr *nlh,
			    size_t off)
{
	const struct nlattr *attr;
	size_t len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    off > mnl_nlmsg_get_payload_len(nlh))
		return;

	mnl_attr_for_each(attr, nlh, off) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				break;
			snprintf(ctx->ext.msg, sizeof(ctx->ext.msg), "%s",
				 mnl_attr_get_str(attr));
			len = strlen(ctx->ext.msg);
			while (len && ctx->ext.msg[len - 1] == '\n')
				ctx->ext.msg[--len] = '\0';
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				break;
			nl_name_attr(ctx, mnl_attr_get_u32(attr));
			break;
		case NLMSGERR_ATTR_POLICY:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				break;
			nl_parse_policy(ctx, attr);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				break;
			ctx->ext.miss_type = mnl_attr_get_u32(attr);
			break;
		}
	}
}

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct nl_req *req = data;
	size_t off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		req->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	/* Unless capped, the request we sent comes back before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += MNL_ALIGN(err->msg.nlmsg_len) - sizeof(struct nlmsghdr);
	nl_parse_extack(req->ctx, nlh, off);

	if (!err->error)
		return MNL_CB_STOP;
	req->err = err->error < 0 ? err->error : -err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump; a dump that failed half way has its error here. */
static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	nl_parse_extack(req->ctx, nlh, sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	req->err = err;
	return MNL_CB_ERROR;
}

static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_req *req = data;
	int err;

	/* Not ours (cannot happen on a unicast reply, but be strict). */
	if (nlh->nlmsg_type != req->type || !req->cb)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		req->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	err = req->cb(nlh, req->data);
	if (err < 0) {
		req->err = err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Not const: mnl_cb_run2() takes a plain pointer. */
static mnl_cb_t nl_ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = nl_error_cb,
	[NLMSG_DONE] = nl_done_cb,
};

int nl_exchange(struct nl_ctx *ctx, struct nlmsghdr *nlh, nl_msg_cb cb,
		void *data)
{
	struct nl_req req = {
		.ctx = ctx,
		.type = nlh->nlmsg_type,
		.cb = cb,
		.data = data,
	};
	ssize_t len;
	int ret;

	memset(&ctx->ext, 0, sizeof(ctx->ext));
	if (mnl_socket_sendto(ctx->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		len = mnl_socket_recvfrom(ctx->sk, ctx->rx, NL_RX_SIZE);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		req.err = 0;
		ret = mnl_cb_run2(ctx->rx, len, nlh->nlmsg_seq, ctx->portid,
				  nl_data_cb, &req, nl_ctl_cbs,
				  ARRAY_SIZE(nl_ctl_cbs));
		if (ret < 0)
			return req.err ? req.err : -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

/* ------------------------------------------------------------ nlctrl */

/* One group of CTRL_ATTR_MCAST_GROUPS. */
static int nl_mcgrp_parse(struct nl_ctx *ctx, const struct nlattr *grp)
{
	const struct nlattr *attr;
	const char *name = NULL;
	__u32 id = 0;

	mnl_attr_for_each_nested(attr, grp) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -EPROTO;
			name = mnl_attr_get_str(attr);
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EPROTO;
			id = mnl_attr_get_u32(attr);
			break;
		}
	}
	if (name && !strcmp(name, NETVSC_MCGRP_EVENTS))
		ctx->mcgrp_events = id;
	return 0;
}

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *grp;
	struct nl_ctx *ctx = data;
	int err;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -EPROTO;
			ctx->family = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EPROTO;
			ctx->version = mnl_attr_get_u32(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
				return -EPROTO;
			mnl_attr_for_each_nested(grp, attr) {
				err = nl_mcgrp_parse(ctx, grp);
				if (err)
					return err;
			}
			break;
		}
	}
	return ctx->family ? 0 : -EPROTO;
}

/**
 * nl_resolve - find the netvsc family and its "events" group
 * @ctx: an open context
 *
 * Return: 0, -ENOENT if the family is not registered (the module is not
 * loaded), or another negative errno.
 */
int nl_resolve(struct nl_ctx *ctx)
{
	struct nlmsghdr *nlh;

	nlh = nl_msg_start(ctx, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NETVSC_FAMILY_NAME);
	return nl_exchange(ctx, nlh, nl_family_cb, ctx);
}

/* ------------------------------------------------------------ events */

int nl_subscribe(struct nl_ctx *ctx, __u32 group)
{
	int size = NL_LISTEN_RCVBUF;

	/* A bigger buffer is nice to have, not required. */
	setsockopt(mnl_socket_get_fd(ctx->sk), SOL_SOCKET, SO_RCVBUF, &size,
		   sizeof(size));
	if (mnl_socket_setsockopt(ctx->sk, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

/**
 * nl_listen - pass notifications of the family to @cb until it fails
 * @ctx: a context subscribed to a group of the family
 * @cb: called with each message of the family
 * @data: passed to @cb and @lost
 * @lost: called when the socket dropped notifications (ENOBUFS)
 *
 * Return: the negative errno that ended it.
 */
int nl_listen(struct nl_ctx *ctx, nl_msg_cb cb, void *data,
	      void (*lost)(void *data))
{
	struct nl_req req = {
		.ctx = ctx,
		.type = ctx->family,
		.cb = cb,
		.data = data,
	};
	ssize_t len;
	int ret;

	for (;;) {
		len = mnl_socket_recvfrom(ctx->sk, ctx->rx, NL_RX_SIZE);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				if (lost)
					lost(data);
				continue;
			}
			return -errno;
		}
		req.err = 0;
		/* Notifications: sequence 0, from the kernel (port 0). */
		ret = mnl_cb_run2(ctx->rx, len, 0, 0, nl_data_cb, &req,
				  nl_ctl_cbs, ARRAY_SIZE(nl_ctl_cbs));
		if (ret < 0)
			return req.err ? req.err : -errno;
	}
}
