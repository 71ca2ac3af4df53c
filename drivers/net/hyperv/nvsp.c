// SPDX-License-Identifier: GPL-2.0
/*
 * netvsc engine: NVSP - version negotiation, the NDIS version and
 * configuration, the receive and send buffers, waiting for the host's
 * answers, and the dispatch of what the host sends.
 *
 * Locking: requests and bring-up run under eng->ctrl_lock and may
 * sleep; each waits at most ctrl_timeout_ms for its answer.  The packet
 * handler runs in the channel's callback (BH) and takes eng->wait_lock
 * to hand an answer to the waiter.  The receive completions that wait
 * for room in a channel's ring are stopped before the receive buffer is
 * revoked and the channel closed, and freed after (recv.c).
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/unaligned.h>

#include "engine.h"

unsigned int netvsc_ctrl_timeout_ms = 5000;
module_param_named(ctrl_timeout_ms, netvsc_ctrl_timeout_ms, uint, 0644);
MODULE_PARM_DESC(ctrl_timeout_ms,
		 "How long to wait for the host to answer a control request, in ms");

/* What we implement, newest first. */
static const u32 netvsc_nvsp_versions[] = {
	NVSP_VERSION_61, NVSP_VERSION_6, NVSP_VERSION_5,
	NVSP_VERSION_4, NVSP_VERSION_2,
};

static unsigned long netvsc_timeout(void)
{
	return msecs_to_jiffies(max(READ_ONCE(netvsc_ctrl_timeout_ms), 1U));
}

/**
 * netvsc_nvsp_send - send an NVSP message that gets no answer
 * @eng: the engine
 * @msg: the message
 *
 * Return: 0 or a negative errno.
 */
int netvsc_nvsp_send(struct netvsc_eng *eng, struct nvsp_msg *msg)
{
	return eng->chan->ops->send(eng->chan, msg, sizeof(*msg), NULL, 0, 0,
				    false);
}

/**
 * netvsc_nvsp_request - send an NVSP message and wait for its completion
 * @eng: the engine
 * @msg: the message; the answer is left in eng->resp
 * @done_type: the NVSP type of the answer
 * @what: name of the request, for the log
 *
 * Context: eng->ctrl_lock held; sleeps at most ctrl_timeout_ms.
 * Return: 0 when an answer of @done_type arrived, or a negative errno.
 */
int netvsc_nvsp_request(struct netvsc_eng *eng, struct nvsp_msg *msg,
			u32 done_type, const char *what)
{
	const char *why;
	u64 id;
	u32 type;
	int err;

	lockdep_assert_held(&eng->ctrl_lock);

	id = NETVSC_ID_CTRL | ++eng->next_id;
	spin_lock_bh(&eng->wait_lock);
	eng->wait_nvsp_id = id;
	eng->resp_len = 0;
	reinit_completion(&eng->done);
	spin_unlock_bh(&eng->wait_lock);

	err = eng->chan->ops->send(eng->chan, msg, sizeof(*msg), NULL, 0, id,
				   true);
	if (!err && !wait_for_completion_timeout(&eng->done, netvsc_timeout())) {
		netdev_err(eng->dev,
			   "NVSP %s: no completion from the host in %u ms; giving up\n",
			   what, READ_ONCE(netvsc_ctrl_timeout_ms));
		err = -ETIMEDOUT;
	}

	spin_lock_bh(&eng->wait_lock);
	eng->wait_nvsp_id = 0;
	spin_unlock_bh(&eng->wait_lock);
	if (err)
		return err;

	err = netvsc_parse_nvsp(eng->resp, eng->resp_len, &type, &why);
	if (!err && type != done_type) {
		why = "completion of another type";
		err = -EPROTO;
	}
	if (err)
		netdev_err(eng->dev, "NVSP %s: bad completion: %s\n", what, why);
	return err;
}

static int netvsc_nvsp_try_version(struct netvsc_eng *eng, u32 version)
{
	struct nvsp_init_done *done = (void *)(eng->resp + 4);
	struct nvsp_msg msg = {
		.type = NVSP_MSG_INIT,
		.init.min_version = version,
		.init.max_version = version,
	};
	int err;

	err = netvsc_nvsp_request(eng, &msg, NVSP_MSG_INIT_DONE, "INIT");
	if (err)
		return err;
	if (done->status != NVSP_STAT_SUCCESS)
		return -EPROTONOSUPPORT;
	return 0;
}

/* Newest first, down to NVSP 2. */
static int netvsc_nvsp_negotiate(struct netvsc_eng *eng)
{
	int i, err = -EPROTONOSUPPORT;

	for (i = 0; i < ARRAY_SIZE(netvsc_nvsp_versions); i++) {
		err = netvsc_nvsp_try_version(eng, netvsc_nvsp_versions[i]);
		if (!err) {
			eng->nvsp_version = netvsc_nvsp_versions[i];
			return 0;
		}
		if (err != -EPROTONOSUPPORT)
			return err;
		netdev_dbg(eng->dev, "host refused NVSP version 0x%x\n",
			   netvsc_nvsp_versions[i]);
	}
	netdev_err(eng->dev,
		   "host accepts none of NVSP versions 0x%x down to 0x%x\n",
		   netvsc_nvsp_versions[0],
		   netvsc_nvsp_versions[ARRAY_SIZE(netvsc_nvsp_versions) - 1]);
	return err;
}

/* The NDIS configuration (NVSP 2 on), then the NDIS version. */
static int netvsc_nvsp_ndis(struct netvsc_eng *eng)
{
	struct nvsp_msg msg = { .type = NVSP_MSG2_NDIS_CONFIG };
	int err;

	msg.ndis_config.mtu = eng->mtu + ETH_HLEN;
	msg.ndis_config.caps = NVSP_CAP_IEEE8021Q;
	if (eng->nvsp_version >= NVSP_VERSION_4)
		msg.ndis_config.caps |= NVSP_CAP_SRIOV | NVSP_CAP_TEAMING;
	err = netvsc_nvsp_send(eng, &msg);
	if (err)
		return err;

	/* NDIS 6.30 from NVSP 5 on, 6.1 before. */
	memset(&msg, 0, sizeof(msg));
	msg.type = NVSP_MSG1_NDIS_VERSION;
	msg.ndis_version.major = 6;
	msg.ndis_version.minor = eng->nvsp_version > NVSP_VERSION_4 ? 30 : 1;
	return netvsc_nvsp_send(eng, &msg);
}

/* The host's sub-allocations in the receive buffer, from its answer,
 * which netvsc_parse_recv_buf_done() checked.
 */
static u32 netvsc_nvsp_recv_slots(const u8 *resp)
{
	u32 i, n = get_unaligned_le32(resp + 8);
	u64 slots = 0;

	for (i = 0; i < n; i++)
		slots += get_unaligned_le32(resp + 12 + 8 +
					    i * sizeof(struct nvsp_recv_section));
	return min_t(u64, slots, NETVSC_RC_MAX);
}

static int netvsc_nvsp_recv_buf(struct netvsc_eng *eng)
{
	struct nvsp_msg msg = { .type = NVSP_MSG1_RECV_BUF };
	const char *why;
	int err;

	eng->recv_buf = vzalloc(NETVSC_RECV_BUF_SIZE);
	if (!eng->recv_buf)
		return -ENOMEM;
	err = eng->chan->ops->share(eng->chan, eng->recv_buf,
				    NETVSC_RECV_BUF_SIZE, &eng->recv_handle);
	if (err) {
		netdev_err(eng->dev, "cannot share the receive buffer (%d)\n",
			   err);
		goto err_free;
	}

	msg.buf.gpadl = eng->recv_handle;
	msg.buf.id = NVSP_RECV_BUF_ID;
	err = netvsc_nvsp_request(eng, &msg, NVSP_MSG1_RECV_BUF_DONE,
				  "receive buffer");
	if (err)
		goto err_unshare;
	err = netvsc_parse_recv_buf_done(eng->resp, eng->resp_len,
					 NETVSC_RECV_BUF_SIZE, &why);
	if (err) {
		netdev_err(eng->dev, "receive buffer: %s\n", why);
		/* The host may hold it all the same: revoke it. */
		goto err_revoke;
	}
	err = netvsc_recv_start(&eng->ech[0], netvsc_nvsp_recv_slots(eng->resp));
	if (err) {
		netdev_err(eng->dev,
			   "no memory for the receive completions; giving the buffer back\n");
		goto err_revoke;
	}
	return 0;

err_revoke:
	memset(&msg, 0, sizeof(msg));
	msg.type = NVSP_MSG1_REVOKE_RECV_BUF;
	msg.revoke.id = NVSP_RECV_BUF_ID;
	netvsc_nvsp_send(eng, &msg);
err_unshare:
	eng->chan->ops->unshare(eng->chan, eng->recv_handle);
err_free:
	vfree(eng->recv_buf);
	eng->recv_buf = NULL;
	return err;
}

static int netvsc_nvsp_send_buf(struct netvsc_eng *eng)
{
	struct nvsp_msg msg = { .type = NVSP_MSG1_SEND_BUF };
	const char *why;
	int err;

	eng->send_buf = vzalloc(NETVSC_SEND_BUF_SIZE);
	if (!eng->send_buf)
		return -ENOMEM;
	err = eng->chan->ops->share(eng->chan, eng->send_buf,
				    NETVSC_SEND_BUF_SIZE, &eng->send_handle);
	if (err) {
		netdev_err(eng->dev, "cannot share the send buffer (%d)\n", err);
		goto err_free;
	}

	msg.buf.gpadl = eng->send_handle;
	msg.buf.id = NVSP_SEND_BUF_ID;
	err = netvsc_nvsp_request(eng, &msg, NVSP_MSG1_SEND_BUF_DONE,
				  "send buffer");
	if (err)
		goto err_unshare;
	err = netvsc_parse_send_buf_done(eng->resp, eng->resp_len,
					 NETVSC_SEND_BUF_SIZE,
					 &eng->section_size, &why);
	if (err) {
		netdev_err(eng->dev, "send buffer: %s\n", why);
		goto err_revoke;
	}
	eng->nsections = NETVSC_SEND_BUF_SIZE / eng->section_size;
	eng->section_map = bitmap_zalloc(eng->nsections, GFP_KERNEL);
	if (!eng->section_map) {
		err = -ENOMEM;
		goto err_revoke;
	}
	return 0;

err_revoke:
	memset(&msg, 0, sizeof(msg));
	msg.type = NVSP_MSG1_REVOKE_SEND_BUF;
	msg.revoke.id = NVSP_SEND_BUF_ID;
	netvsc_nvsp_send(eng, &msg);
err_unshare:
	eng->chan->ops->unshare(eng->chan, eng->send_handle);
err_free:
	vfree(eng->send_buf);
	eng->send_buf = NULL;
	return err;
}

static void netvsc_nvsp_revoke(struct netvsc_eng *eng, u32 type, u16 id)
{
	struct nvsp_msg msg = { .type = type, .revoke.id = id };

	netvsc_nvsp_send(eng, &msg);
}

/* After the channel is closed: the host cannot use them any more. */
static void netvsc_nvsp_free_bufs(struct netvsc_eng *eng)
{
	netvsc_recv_free(&eng->ech[0]);
	if (eng->send_buf) {
		eng->chan->ops->unshare(eng->chan, eng->send_handle);
		vfree(eng->send_buf);
		eng->send_buf = NULL;
		bitmap_free(eng->section_map);
		eng->section_map = NULL;
	}
	if (eng->recv_buf) {
		eng->chan->ops->unshare(eng->chan, eng->recv_handle);
		vfree(eng->recv_buf);
		eng->recv_buf = NULL;
	}
}

/**
 * netvsc_nvsp_start - open the channel and bring NVSP up
 * @eng: the engine, with eng->mtu set
 *
 * Negotiates the version, sends the NDIS version and configuration and
 * hands the host the receive and send buffers.
 *
 * Context: eng->ctrl_lock held; sleeps.
 * Return: 0 or a negative errno; on error the channel is closed.
 */
int netvsc_nvsp_start(struct netvsc_eng *eng)
{
	int err;

	lockdep_assert_held(&eng->ctrl_lock);

	err = eng->chan->ops->open(eng->chan);
	if (err) {
		netdev_err(eng->dev, "cannot open the channel (%d)\n", err);
		return err;
	}

	err = netvsc_nvsp_negotiate(eng);
	if (err)
		goto err_close;
	err = netvsc_nvsp_ndis(eng);
	if (err)
		goto err_close;
	err = netvsc_nvsp_recv_buf(eng);
	if (err)
		goto err_close;
	err = netvsc_nvsp_send_buf(eng);
	if (err)
		goto err_revoke_recv;
	return 0;

err_revoke_recv:
	netvsc_recv_stop(&eng->ech[0]);
	netvsc_nvsp_revoke(eng, NVSP_MSG1_REVOKE_RECV_BUF, NVSP_RECV_BUF_ID);
err_close:
	eng->chan->ops->close(eng->chan);
	netvsc_nvsp_free_bufs(eng);
	return err;
}

/**
 * netvsc_nvsp_stop - take the buffers back and close the channel
 * @eng: the engine, started
 *
 * Context: eng->ctrl_lock held; sleeps.
 */
void netvsc_nvsp_stop(struct netvsc_eng *eng)
{
	lockdep_assert_held(&eng->ctrl_lock);

	/* No completion waits, nor is retried, once the buffer is revoked. */
	netvsc_recv_stop(&eng->ech[0]);
	netvsc_nvsp_revoke(eng, NVSP_MSG1_REVOKE_SEND_BUF, NVSP_SEND_BUF_ID);
	netvsc_nvsp_revoke(eng, NVSP_MSG1_REVOKE_RECV_BUF, NVSP_RECV_BUF_ID);
	eng->chan->ops->close(eng->chan);
	netvsc_nvsp_free_bufs(eng);
}

static void netvsc_switch_done(struct netvsc_eng *eng,
			       const struct netvsc_vmpkt *pkt)
{
	u32 requested = (pkt->trans_id >> 32) & 0xff;
	bool quiet = pkt->trans_id & NETVSC_ID_QUIET;
	u32 cookie = (u32)pkt->trans_id;
	const char *why;
	u32 type;
	int err = 0;

	/* A completion that carries the data path the host is on tells us
	 * whether it switched; one without says nothing but that it did.
	 */
	if (!netvsc_parse_nvsp(pkt->data, pkt->len, &type, &why) &&
	    type == NVSP_MSG4_SWITCH_DATA_PATH &&
	    get_unaligned_le32(pkt->data + 4) != requested) {
		netdev_warn(eng->dev, "host did not switch the data path\n");
		err = -EIO;
	}
	if (!quiet)
		netvsc_datapath_done(eng->dev, cookie, err);
}

/**
 * netvsc_nvsp_completion - the host completed one of our requests
 * @eng: the engine
 * @pkt: the completion packet
 *
 * Context: the channel callback (BH).
 */
void netvsc_nvsp_completion(struct netvsc_eng *eng,
			    const struct netvsc_vmpkt *pkt)
{
	switch (NETVSC_ID_KIND(pkt->trans_id)) {
	case NETVSC_ID_TX:
		netvsc_tx_done(eng, pkt);
		return;
	case NETVSC_ID_SWITCH:
		netvsc_switch_done(eng, pkt);
		return;
	case NETVSC_ID_RNDIS:
		/* The answer comes as an RNDIS message; nothing to free. */
		return;
	case NETVSC_ID_CTRL:
		spin_lock(&eng->wait_lock);
		if (pkt->trans_id == eng->wait_nvsp_id) {
			eng->resp_len = min_t(u32, pkt->len, NETVSC_RESP_MAX);
			memcpy(eng->resp, pkt->data, eng->resp_len);
			eng->wait_nvsp_id = 0;
			complete(&eng->done);
			spin_unlock(&eng->wait_lock);
			return;
		}
		spin_unlock(&eng->wait_lock);
		break;
	}
	netdev_warn_once(eng->dev,
			 "completion for no request of ours (id 0x%llx); ignored\n",
			 pkt->trans_id);
}

/**
 * netvsc_nvsp_inband - an NVSP message from the host
 * @eng: the engine
 * @pkt: the packet
 *
 * Context: the channel callback (BH).
 */
void netvsc_nvsp_inband(struct netvsc_eng *eng, const struct netvsc_vmpkt *pkt)
{
	const char *why;
	u32 type;

	if (netvsc_parse_nvsp(pkt->data, pkt->len, &type, &why)) {
		net_warn_ratelimited("%s: NVSP message from the host rejected: %s\n",
				     eng->dev->name, why);
		dev_core_stats_rx_dropped_inc(eng->dev);
		return;
	}

	switch (type) {
	case NVSP_MSG4_VF_ASSOCIATION:
		if (eng->nvsp_version < NVSP_VERSION_4)
			break;
		netvsc_eng_vf_assoc(eng, get_unaligned_le32(pkt->data + 4),
				    get_unaligned_le32(pkt->data + 8));
		return;
	case NVSP_MSG5_SEND_INDIRECTION_TABLE:
		/* One channel: there is nothing to steer. */
		return;
	}
	net_warn_ratelimited("%s: unexpected NVSP message %u from the host; ignored\n",
			     eng->dev->name, type);
}

/**
 * netvsc_eng_packet - a packet from the host
 * @chan: the channel it came on
 * @pkt: the packet, from its VMBus descriptor on
 * @len: its length
 *
 * Context: the channel callback (BH), between ->open() and ->close().
 */
void netvsc_eng_packet(struct netvsc_chan *chan, const void *pkt, u32 len)
{
	struct netvsc_eng *eng = chan->eng;
	struct netvsc_eng_chan *ec;
	struct netvsc_vmpkt p;
	const char *why;

	if (WARN_ON_ONCE(chan->index >= NETVSC_ENG_MAX_CHANNELS))
		return;
	ec = &eng->ech[chan->index];

	/* Whatever it is, the host read our ring: room for what waits. */
	netvsc_recv_retry(ec);

	if (netvsc_parse_vmpkt(pkt, len, &p, &why)) {
		net_warn_ratelimited("%s: VMBus packet from the host rejected: %s\n",
				     eng->dev->name, why);
		dev_core_stats_rx_dropped_inc(eng->dev);
		/* Whatever it was, the host wants its receive space back. */
		if (len >= sizeof(struct vmpkt_desc) &&
		    p.type == VMPKT_DATA_XFER_PAGES)
			netvsc_recv_reject(ec, p.trans_id);
		return;
	}

	switch (p.type) {
	case VMPKT_COMP:
		netvsc_nvsp_completion(eng, &p);
		break;
	case VMPKT_DATA_INBAND:
		netvsc_nvsp_inband(eng, &p);
		break;
	case VMPKT_DATA_XFER_PAGES:
		netvsc_recv_xfer(ec, &p);
		break;
	default:
		net_warn_ratelimited("%s: VMBus packet of type %u from the host; ignored\n",
				     eng->dev->name, p.type);
	}
}
EXPORT_SYMBOL_GPL(netvsc_eng_packet);
