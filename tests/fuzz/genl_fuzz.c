// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: a bounded fuzzer for the netvsc generic netlink family.
 *
 * Resolves the family through nlctrl, then sends COUNT messages built
 * from valid DEV_GET/DEV_SET skeletons (do and dump) and mutated: random
 * commands, versions and flags, attributes of the wrong type, length and
 * nesting, unknown attributes, huge values, unterminated and oversized
 * strings, truncated netlink and genetlink headers, lengths that lie, and
 * plain random bytes.  Every reply is drained; the kernel must answer
 * each message with an error or a well-formed reply, and must not crash
 * (the test that runs this scans the kernel log).
 *
 * Usage: genl_fuzz [-n COUNT] [-s SEED] [-t SECONDS] [-i IFINDEX]
 *                  [-u UID] [-f FAMILY] [-v]
 *
 *   -n COUNT    messages to send (default 100000)
 *   -s SEED     PRNG seed (default: from the clock; always printed)
 *   -t SECONDS  stop early after this long (default 0: no bound)
 *   -i IFINDEX  a netvsc device that valid skeletons point at
 *   -u UID      drop to UID (and GID UID) before opening the socket
 *   -f FAMILY   fuzz another family (to test the fuzzer itself, e.g.
 *               against the read-only "nlctrl")
 *   -v          print each message's verdict
 *
 * Output: "# " lines; the last is "# genl_fuzz: ok" or
 * "# genl_fuzz: FAIL ...".  Exit status 0 if everything behaved:
 * an unprivileged DEV_SET never succeeds, a dump always ends, every
 * reply parses, and afterwards a valid DEV_GET (with -i) still works and
 * a DEV_SET restores the defaults.  1 on a failure, 2 on a usage or
 * setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../../include/uapi/linux/netvsc.h"

#define BUF_SIZE	16384
#define MAX_ERRNO	4096

static const char *family_name = NETVSC_FAMILY_NAME;
static uint64_t rng_state;
static int verbose;
static uint32_t seq;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static int chance(int percent)
{
	return rnd_below(100) < (uint32_t)percent;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# genl_fuzz: error: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	exit(2);
}

/* ------------------------------------------------------------ message */

struct msg {
	unsigned char buf[BUF_SIZE];
	size_t len;
};

static struct nlmsghdr *msg_hdr(struct msg *m)
{
	return (struct nlmsghdr *)m->buf;
}

static void msg_init(struct msg *m, uint16_t type, uint16_t flags,
		     uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = msg_hdr(m);
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = ++seq;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = version;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	nlh->nlmsg_len = m->len;
}

/* Append an attribute with LEN bytes of DATA (random when NULL). */
static struct nlattr *msg_put(struct msg *m, uint16_t type, const void *data,
			      size_t len)
{
	struct nlattr *nla;
	size_t total = NLA_HDRLEN + NLA_ALIGN(len);
	size_t i;

	if (m->len + total > sizeof(m->buf))
		return NULL;
	nla = (struct nlattr *)(m->buf + m->len);
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy((char *)nla + NLA_HDRLEN, data, len);
	else
		for (i = 0; i < len; i++)
			((unsigned char *)nla)[NLA_HDRLEN + i] = rnd();
	memset((char *)nla + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len += total;
	msg_hdr(m)->nlmsg_len = m->len;
	return nla;
}

static void msg_put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

static void msg_put_str(struct msg *m, uint16_t type, const char *s)
{
	msg_put(m, type, s, strlen(s) + 1);
}

/* ------------------------------------------------------------ socket */

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, sz = 1 << 20;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	/* Extended acks: the kernel's messages are parsed too. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind: %s", strerror(errno));
	return fd;
}

static unsigned long send_errors;

/* The kernel may refuse a datagram outright: count it, go on. */
static void nl_send(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EBADF || errno == EFAULT || errno == ENOTSOCK)
			die("sendto: %s", strerror(errno));
		send_errors++;
	}
}

struct verdict {
	int replies;		/* data messages */
	int acked;		/* NLMSG_ERROR with 0 */
	int error;		/* NLMSG_ERROR errno, 0 if none */
	int done;		/* NLMSG_DONE seen */
	int bad;		/* a reply that does not parse */
	char bad_why[128];
	unsigned char first[256];	/* start of the first data reply */
	size_t first_len;
};

static void bad(struct verdict *v, const char *why)
{
	if (!v->bad)
		snprintf(v->bad_why, sizeof(v->bad_why), "%s", why);
	v->bad++;
}

/* Check the attributes of a netvsc reply: lengths fit, in bounds. */
static void check_attrs(struct verdict *v, const unsigned char *p, size_t len)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *nla = (const void *)p;

		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > len) {
			bad(v, "reply attribute length out of bounds");
			return;
		}
		if (nla->nla_type & NLA_F_NESTED)
			check_attrs(v, p + NLA_HDRLEN, nla->nla_len - NLA_HDRLEN);
		if ((size_t)NLA_ALIGN(nla->nla_len) >= len)
			return;
		len -= NLA_ALIGN(nla->nla_len);
		p += NLA_ALIGN(nla->nla_len);
	}
	if (len)
		bad(v, "trailing bytes after the reply attributes");
}

/*
 * Drain every reply to our messages.  Do replies are queued by sendmsg;
 * a dump is continued by each recv.  Stop at the error or done message
 * of the last request, or when nothing more comes.
 */
static void nl_drain(int fd, uint16_t family, struct verdict *v, int wait_ms)
{
	static unsigned char buf[65536];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rounds = 0;

	memset(v, 0, sizeof(*v));
	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t n;
		size_t left;

		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN) {
			/* A dump part may still be on its way: wait a little. */
			if (rounds++ > 0 || poll(&pfd, 1, wait_ms) <= 0)
				return;
			continue;
		}
		if (n < 0) {
			if (errno == ENOBUFS) {
				bad(v, "receive buffer overrun");
				continue;
			}
			die("recv: %s", strerror(errno));
		}
		rounds = 0;
		left = n;
		for (nlh = (void *)buf; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					bad(v, "short error message");
					return;
				}
				if (e->error > 0 || e->error < -MAX_ERRNO)
					bad(v, "error out of range");
				if (e->error)
					v->error = -e->error;
				else
					v->acked++;
				if (nlh->nlmsg_seq == seq)
					return;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				v->done++;
				if (nlh->nlmsg_seq == seq)
					return;
			} else if (nlh->nlmsg_type == family) {
				size_t hl = NLMSG_HDRLEN + GENL_HDRLEN;

				if (nlh->nlmsg_len < hl) {
					bad(v, "reply shorter than a genetlink header");
					continue;
				}
				if (!v->replies) {
					v->first_len = nlh->nlmsg_len < sizeof(v->first) ?
						       nlh->nlmsg_len : sizeof(v->first);
					memcpy(v->first, nlh, v->first_len);
				}
				v->replies++;
				check_attrs(v, (unsigned char *)nlh + hl,
					    nlh->nlmsg_len - hl);
				if (!(nlh->nlmsg_flags & NLM_F_MULTI) &&
				    nlh->nlmsg_seq == seq)
					return;
			} else if (nlh->nlmsg_type != NLMSG_NOOP) {
				bad(v, "reply of an unexpected type");
			}
		}
		if (left)
			bad(v, "truncated reply");
	}
}

/* CTRL_CMD_GETFAMILY "netvsc" -> the family id. */
static uint16_t resolve_family(int fd)
{
	static unsigned char buf[8192];
	struct msg m;
	ssize_t n;
	size_t left;
	struct nlmsghdr *nlh;

	msg_init(&m, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1);
	msg_put_str(&m, CTRL_ATTR_FAMILY_NAME, family_name);
	nl_send(fd, m.buf, m.len);
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		die("recv (nlctrl): %s", strerror(errno));
	left = n;
	for (nlh = (void *)buf; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		unsigned char *p = (unsigned char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN;
		size_t alen;

		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			die("family %s not found: %s", family_name,
			    strerror(-e->error));
		}
		if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		alen = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		while (alen >= NLA_HDRLEN) {
			struct nlattr *nla = (void *)p;

			if (nla->nla_len < NLA_HDRLEN || nla->nla_len > alen)
				break;
			if ((nla->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
				return *(uint16_t *)(p + NLA_HDRLEN);
			if ((size_t)NLA_ALIGN(nla->nla_len) >= alen)
				break;
			alen -= NLA_ALIGN(nla->nla_len);
			p += NLA_ALIGN(nla->nla_len);
		}
	}
	die("no family id in the nlctrl reply");
	return 0;
}

/* ------------------------------------------------------------ mutations */

static int target_ifindex;

/* An interesting u32: boundaries, the target, random. */
static uint32_t fuzz_u32(void)
{
	static const uint32_t special[] = {
		0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
		600000, 600001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};

	switch (rnd_below(4)) {
	case 0:
		return special[rnd_below(sizeof(special) / sizeof(special[0]))];
	case 1:
		return target_ifindex + rnd_below(3) - 1;
	case 2:
		return rnd_below(64);
	default:
		return rnd();
	}
}

/* A random attribute: any type, any length, any payload. */
static void put_random_attr(struct msg *m)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17,
				       64, 255, 256, 1024 };
	uint16_t type;
	size_t len = lens[rnd_below(sizeof(lens) / sizeof(lens[0]))];

	switch (rnd_below(4)) {
	case 0:
		type = rnd_below(NETVSC_A_MAX + 1);
		break;
	case 1:
		type = NETVSC_A_MAX + 1 + rnd_below(40);	/* unknown */
		break;
	case 2:
		type = rnd();
		break;
	default:
		type = rnd_below(NETVSC_A_MAX + 1) | NLA_F_NESTED;
		break;
	}
	if (chance(10))
		type |= NLA_F_NET_BYTEORDER;
	msg_put(m, type, NULL, len);
}

/* A well-typed attribute of the family, often with a bad value. */
static void put_typed_attr(struct msg *m)
{
	char name[64];
	uint64_t v64;
	struct nlattr *nest;
	size_t i, n;

	switch (rnd_below(8)) {
	case 0:
		msg_put_u32(m, NETVSC_A_IFINDEX, fuzz_u32());
		break;
	case 1:
		n = rnd_below(sizeof(name));
		for (i = 0; i < n; i++)
			name[i] = chance(70) ? 'a' + rnd_below(26) : rnd();
		/* Sometimes unterminated, sometimes too long. */
		msg_put(m, NETVSC_A_IFNAME, name, n + (chance(50) && n < sizeof(name)));
		if (n < sizeof(name))
			name[n] = 0;
		break;
	case 2:
		msg_put_u32(m, NETVSC_A_JOIN_DELAY_MS, fuzz_u32());
		break;
	case 3:
		msg_put_u32(m, NETVSC_A_PIN, fuzz_u32());
		break;
	case 4:
		msg_put(m, NETVSC_A_JOIN_DELAY_DEFAULT, NULL, chance(80) ? 0 : 4);
		break;
	case 5:
		/* A u64 where a u32 belongs, and vice versa. */
		v64 = rnd();
		msg_put(m, rnd_below(NETVSC_A_MAX + 1), &v64, sizeof(v64));
		break;
	case 6:
		/* A nest of garbage for an attribute that is not a nest. */
		nest = msg_put(m, (rnd_below(NETVSC_A_MAX + 1)) | NLA_F_NESTED,
			       NULL, 0);
		if (!nest)
			break;
		n = rnd_below(4);
		for (i = 0; i < n; i++)
			put_random_attr(m);
		nest->nla_len = (unsigned char *)m->buf + m->len - (unsigned char *)nest;
		break;
	default:
		/* A read-only attribute sent in a request. */
		msg_put_u32(m, NETVSC_A_STATE + rnd_below(NETVSC_A_PAD - NETVSC_A_STATE),
			    fuzz_u32());
		break;
	}
}

enum kind {
	K_GET_DO,
	K_GET_DUMP,
	K_SET,
	K_RANDOM_CMD,
	K_TRUNC,
	K_LIE,
	K_BYTES,
	K_MULTI,
	K_NKINDS,
};

static const char *const kind_names[K_NKINDS] = {
	"get-do", "get-dump", "set", "random-cmd", "truncated", "lying-len",
	"random-bytes", "multi-msg",
};

/* Build one fuzz message of kind K into M; returns the bytes to send. */
static size_t build(struct msg *m, uint16_t family, enum kind k)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	size_t i, n, len;

	switch (k) {
	case K_GET_DO:
	case K_GET_DUMP:
	case K_SET:
	case K_RANDOM_CMD:
		if (k == K_GET_DUMP)
			flags |= NLM_F_DUMP;
		if (chance(5))
			flags = rnd();
		msg_init(m, family, flags,
			 k == K_SET ? NETVSC_CMD_DEV_SET :
			 k == K_RANDOM_CMD ? rnd() : NETVSC_CMD_DEV_GET,
			 chance(90) ? NETVSC_FAMILY_VERSION : rnd());
		if (target_ifindex && chance(60))
			msg_put_u32(m, NETVSC_A_IFINDEX, target_ifindex);
		n = rnd_below(5);
		for (i = 0; i < n; i++) {
			if (chance(60))
				put_typed_attr(m);
			else
				put_random_attr(m);
		}
		if (chance(10) && m->len > NLMSG_HDRLEN + GENL_HDRLEN + 1) {
			/* Cut the last attribute short. */
			m->len -= 1 + rnd_below(3);
			msg_hdr(m)->nlmsg_len = m->len;
		}
		return m->len;
	case K_TRUNC:
		msg_init(m, family, flags, NETVSC_CMD_DEV_GET,
			 NETVSC_FAMILY_VERSION);
		msg_put_u32(m, NETVSC_A_IFINDEX, target_ifindex);
		len = rnd_below(m->len);
		msg_hdr(m)->nlmsg_len = chance(50) ? len : m->len;
		return len;
	case K_LIE:
		msg_init(m, family, flags, rnd_below(4), NETVSC_FAMILY_VERSION);
		msg_put_u32(m, NETVSC_A_IFINDEX, target_ifindex);
		if (chance(50)) {
			/* nlmsg_len beyond what is sent, or below a header. */
			msg_hdr(m)->nlmsg_len = chance(50) ? m->len + 1 + rnd_below(64) :
								rnd_below(NLMSG_HDRLEN + GENL_HDRLEN);
		} else {
			/* An attribute longer than the message. */
			struct nlattr *nla = (void *)(m->buf + NLMSG_HDRLEN + GENL_HDRLEN);

			nla->nla_len = chance(50) ? 8 + 1 + rnd_below(100) : rnd_below(4);
		}
		return m->len;
	case K_BYTES:
		msg_init(m, family, flags, rnd_below(4), rnd());
		n = rnd_below(512);
		for (i = 0; i < n && m->len < sizeof(m->buf); i++)
			m->buf[m->len++] = rnd();
		msg_hdr(m)->nlmsg_len = chance(80) ? m->len : rnd();
		return m->len;
	default: {
		/* Two messages in one datagram, the second one mutated. */
		struct msg second;
		size_t l2;

		msg_init(m, family, flags, NETVSC_CMD_DEV_GET, NETVSC_FAMILY_VERSION);
		msg_put_u32(m, NETVSC_A_IFINDEX, target_ifindex);
		l2 = build(&second, family, rnd_below(K_BYTES + 1));
		if (m->len + l2 > sizeof(m->buf))
			return m->len;
		memcpy(m->buf + NLMSG_ALIGN(m->len), second.buf, l2);
		return NLMSG_ALIGN(m->len) + l2;
	}
	}
}

/* ------------------------------------------------------------ checks */

/* A valid DEV_GET of the target: the reply names it. */
static int check_get(int fd, uint16_t family)
{
	struct verdict v;
	struct msg m;
	const unsigned char *p;
	size_t left;

	msg_init(&m, family, NLM_F_REQUEST, NETVSC_CMD_DEV_GET,
		 NETVSC_FAMILY_VERSION);
	msg_put_u32(&m, NETVSC_A_IFINDEX, target_ifindex);
	nl_send(fd, m.buf, m.len);
	nl_drain(fd, family, &v, 2000);
	if (v.error || v.bad || !v.replies) {
		printf("# DEV_GET of ifindex %d after fuzzing: error %d, %d bad replies, %d replies\n",
		       target_ifindex, v.error, v.bad, v.replies);
		return 0;
	}
	p = v.first + NLMSG_HDRLEN + GENL_HDRLEN;
	left = v.first_len - NLMSG_HDRLEN - GENL_HDRLEN;
	while (left >= NLA_HDRLEN + 4) {
		const struct nlattr *nla = (const void *)p;

		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > left)
			break;
		if (nla->nla_type == NETVSC_A_IFINDEX)
			return *(const uint32_t *)(p + NLA_HDRLEN) ==
			       (uint32_t)target_ifindex;
		if ((size_t)NLA_ALIGN(nla->nla_len) >= left)
			break;
		left -= NLA_ALIGN(nla->nla_len);
		p += NLA_ALIGN(nla->nla_len);
	}
	printf("# DEV_GET of ifindex %d after fuzzing: no matching IFINDEX\n",
	       target_ifindex);
	return 0;
}

/* DEV_SET PIN auto and the default join delay: undo what fuzzing set. */
static int restore(int fd, uint16_t family)
{
	struct verdict v;
	struct msg m;

	msg_init(&m, family, NLM_F_REQUEST | NLM_F_ACK, NETVSC_CMD_DEV_SET,
		 NETVSC_FAMILY_VERSION);
	msg_put_u32(&m, NETVSC_A_IFINDEX, target_ifindex);
	msg_put_u32(&m, NETVSC_A_PIN, NETVSC_PIN_AUTO);
	msg_put(&m, NETVSC_A_JOIN_DELAY_DEFAULT, NULL, 0);
	nl_send(fd, m.buf, m.len);
	nl_drain(fd, family, &v, 2000);
	if (v.error || !v.acked) {
		printf("# DEV_SET restoring the defaults: error %d\n", v.error);
		return 0;
	}
	return 1;
}

/* ------------------------------------------------------------ main */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fputs("usage: genl_fuzz [-n COUNT] [-s SEED] [-t SECONDS] [-i IFINDEX] [-u UID] [-f FAMILY] [-v]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static unsigned long errnos[MAX_ERRNO + 1];
	unsigned long sent[K_NKINDS] = { 0 }, replies = 0, acks = 0, dones = 0;
	unsigned long unpriv_set_ok = 0, bad_total = 0, count = 100000, i;
	double t0, limit = 0;
	int uid = -1, fd, c, privileged, fails = 0;
	uint64_t seed;
	uint16_t family;
	struct verdict v;
	static struct msg m;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((c = getopt(argc, argv, "n:s:t:i:u:f:v")) != -1) {
		switch (c) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			limit = strtod(optarg, NULL);
			break;
		case 'i':
			target_ifindex = atoi(optarg);
			break;
		case 'u':
			uid = atoi(optarg);
			break;
		case 'f':
			family_name = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	if (uid >= 0) {
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			die("cannot drop to uid %d: %s", uid, strerror(errno));
	}
	privileged = geteuid() == 0;
	rng_state = seed ? seed : 1;
	printf("# genl_fuzz: seed %llu, %lu messages, uid %d, target ifindex %d\n",
	       (unsigned long long)seed, count, (int)geteuid(), target_ifindex);
	fflush(stdout);

	fd = nl_open();
	family = resolve_family(fd);
	printf("# genl_fuzz: family %s is %u\n", family_name, family);

	t0 = now();
	for (i = 0; i < count; i++) {
		enum kind k = rnd_below(K_NKINDS);
		size_t len;
		int is_set;

		if (limit > 0 && (i & 255) == 0 && now() - t0 > limit) {
			printf("# genl_fuzz: time bound of %.0f s hit after %lu messages\n",
			       limit, i);
			break;
		}
		len = build(&m, family, k);
		is_set = k == K_SET && len >= NLMSG_HDRLEN + GENL_HDRLEN &&
			 msg_hdr(&m)->nlmsg_len == len &&
			 (msg_hdr(&m)->nlmsg_flags & NLM_F_REQUEST);
		nl_send(fd, m.buf, len);
		nl_drain(fd, family, &v, k == K_GET_DUMP ? 5 : 0);
		sent[k]++;
		replies += v.replies;
		acks += v.acked;
		dones += v.done;
		if (v.error > 0 && v.error <= MAX_ERRNO)
			errnos[v.error]++;
		if (v.bad) {
			if (bad_total < 5)
				printf("# message %lu (%s): %s\n", i, kind_names[k],
				       v.bad_why);
			bad_total++;
		}
		if (is_set && !privileged && v.acked && !v.error) {
			if (unpriv_set_ok < 5)
				printf("# message %lu: an unprivileged DEV_SET was acked\n", i);
			unpriv_set_ok++;
		}
		if (verbose)
			printf("# %lu %s len %zu: replies %d ack %d error %d done %d\n",
			       i, kind_names[k], len, v.replies, v.acked, v.error,
			       v.done);
	}
	count = i;

	printf("# genl_fuzz: %lu messages in %.1f s:", count, now() - t0);
	for (c = 0; c < K_NKINDS; c++)
		printf(" %s %lu", kind_names[c], sent[c]);
	printf("\n# genl_fuzz: %lu refused by sendto, %lu data replies, %lu acks, %lu dump ends; errors:",
	       send_errors, replies, acks, dones);
	for (c = 1; c <= MAX_ERRNO; c++)
		if (errnos[c])
			printf(" %s %lu", strerrorname_np(c) ?: "?", errnos[c]);
	printf("\n");

	if (bad_total) {
		printf("# genl_fuzz: %lu malformed replies\n", bad_total);
		fails++;
	}
	if (unpriv_set_ok) {
		printf("# genl_fuzz: %lu unprivileged DEV_SETs succeeded\n",
		       unpriv_set_ok);
		fails++;
	}
	if (target_ifindex) {
		if (privileged && !restore(fd, family))
			fails++;
		if (!check_get(fd, family))
			fails++;
	}
	close(fd);
	if (fails) {
		printf("# genl_fuzz: FAIL (seed %llu)\n", (unsigned long long)seed);
		return 1;
	}
	printf("# genl_fuzz: ok\n");
	return 0;
}
