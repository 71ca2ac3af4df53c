// SPDX-License-Identifier: GPL-2.0
/*
 * udprecv - the receiver of udpsend for the netvsc benchmark.
 *
 * udprecv PORT TIMEOUT_S [READY_FILE]
 *
 * Receives until the end marker (sequence ~0) arrives, or TIMEOUT_S pass
 * without a datagram (ten times that before the first one: starting the
 * sender may be slow under TCG).  Creates READY_FILE once bound.  Prints one JSON line:
 *   received   datagrams with a sequence number (duplicates excluded)
 *   lost       highest sequence + 1 - received
 *   dups, reordered
 *   max_gap_ms longest time between two arrivals, first to last
 *   secs       first to last arrival
 *   pps        received / secs
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t get_seq(const unsigned char *buf)
{
	uint64_t seq = 0;
	int i;

	for (i = 0; i < 8; i++)
		seq = (seq << 8) | buf[i];
	return seq;
}

#define MAXSEQ (1u << 27)

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	uint64_t first = 0, last = 0, gap = 0, gap_at = 0, deadline, t;
	uint64_t received = 0, dups = 0, reordered = 0, top = 0, maxseq = 0;
	unsigned char buf[9000], *seen;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	int fd, rcvbuf = 8 << 20, have = 0;
	double timeout;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PORT TIMEOUT_S [READY_FILE]\n", argv[0]);
		return 2;
	}
	addr.sin_port = htons(atoi(argv[1]));
	timeout = atof(argv[2]);
	seen = calloc(MAXSEQ / 8, 1);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (!seen || fd < 0) {
		perror("udprecv");
		return 1;
	}
	/* Root may pass net.core.rmem_max: a starved receiver must not drop. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("udprecv: bind");
		return 1;
	}
	if (argc > 3) {
		int rfd = open(argv[3], O_CREAT | O_WRONLY, 0644);

		if (rfd >= 0)
			close(rfd);
	}
	deadline = now_ns() + (uint64_t)(10 * timeout * 1e9);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		uint64_t seq;

		t = now_ns();
		if (n < 0) {
			if (t > deadline)
				break;
			continue;
		}
		if (n < 8)
			continue;
		seq = get_seq(buf);
		if (seq == ~0ull)
			break;
		if (seq >= MAXSEQ)
			continue;
		if (seen[seq / 8] & (1u << (seq % 8))) {
			dups++;
			continue;
		}
		seen[seq / 8] |= 1u << (seq % 8);
		if (have) {
			if (t - last > gap) {
				gap = t - last;
				gap_at = seq;
			}
			if (seq < top)
				reordered++;
		} else {
			first = t;
			have = 1;
		}
		if (seq > top)
			top = seq;
		if (seq > maxseq)
			maxseq = seq;
		last = t;
		received++;
		/* Idle timeout restarts with each datagram. */
		deadline = t + (uint64_t)(timeout * 1e9);
	}
	printf("{\"received\": %llu, \"lost\": %llu, \"dups\": %llu, "
	       "\"reordered\": %llu, \"max_gap_ms\": %.3f, \"gap_at_seq\": %llu, "
	       "\"secs\": %.6f, \"pps\": %.1f}\n",
	       (unsigned long long)received,
	       (unsigned long long)(have ? maxseq + 1 - received : 0),
	       (unsigned long long)dups, (unsigned long long)reordered,
	       gap / 1e6, (unsigned long long)gap_at, (last - first) / 1e9,
	       last > first ? received / ((last - first) / 1e9) : 0.0);
	return 0;
}
