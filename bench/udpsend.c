// SPDX-License-Identifier: GPL-2.0
/*
 * udpsend - a paced or flooding UDP sender for the netvsc benchmark.
 *
 * udpsend DST_IP PORT RATE_PPS DURATION_S [PAYLOAD_BYTES]
 *
 * Each datagram carries a 64-bit sequence number (network order) in its
 * first 8 bytes.  RATE_PPS > 0 paces with absolute clock_nanosleep();
 * RATE_PPS = 0 floods as fast as send() returns.  A paced sender woken up
 * more than 5 ms late skips the slots it missed (counted as "skipped", not
 * sent) instead of catching up with a burst.  At the end a burst of
 * datagrams with sequence ~0 tells the receiver to stop.  Prints one JSON
 * line: {"sent": N, "errors": N, "skipped": N, "secs": S}; a failed send
 * counts as sent (and lost).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

/* How late a paced send may be before the missed slots are skipped. */
#define LATE_NS 5000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void put_seq(unsigned char *buf, uint64_t seq)
{
	int i;

	for (i = 7; i >= 0; i--) {
		buf[i] = seq & 0xff;
		seq >>= 8;
	}
}

int main(int argc, char **argv)
{
	unsigned char buf[9000];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	uint64_t seq = 0, errors = 0, skipped = 0, start, end, next, now, period = 0;
	double rate, dur;
	size_t len = 18;
	int fd, i;

	if (argc < 5) {
		fprintf(stderr, "usage: %s DST_IP PORT RATE_PPS DURATION_S [PAYLOAD]\n",
			argv[0]);
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "udpsend: bad address %s\n", argv[1]);
		return 2;
	}
	dst.sin_port = htons(atoi(argv[2]));
	rate = atof(argv[3]);
	dur = atof(argv[4]);
	if (argc > 5)
		len = strtoul(argv[5], NULL, 0);
	if (len < 8)
		len = 8;
	if (len > sizeof(buf))
		len = sizeof(buf);
	memset(buf, 0x5a, sizeof(buf));

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		perror("udpsend: socket");
		return 1;
	}
	if (rate > 0)
		period = (uint64_t)(1e9 / rate);
	start = now_ns();
	end = start + (uint64_t)(dur * 1e9);
	next = start;
	for (;;) {
		if (period) {
			struct timespec ts = {
				.tv_sec = next / 1000000000ull,
				.tv_nsec = next % 1000000000ull,
			};

			if (next >= end)
				break;
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					       &ts, NULL) == EINTR)
				;
			next += period;
			/*
			 * Woken up late (a starved vCPU): skip the missed
			 * slots rather than send them in a burst that would
			 * overflow queues for reasons of our own.
			 */
			now = now_ns();
			if (now > next + LATE_NS)
				next += (now - next) / period * period;
		} else if ((seq & 63) == 0 && now_ns() >= end) {
			break;
		}
		put_seq(buf, seq);
		/* The sequence number counts attempts: a failed send is loss. */
		if (send(fd, buf, len, 0) < 0)
			errors++;
		seq++;
	}
	/* The slots of the stream, sent or skipped. */
	if (period)
		skipped = (end - start + period - 1) / period - seq;
	start = now_ns() - start;
	usleep(200000);
	put_seq(buf, ~0ull);
	for (i = 0; i < 5; i++) {
		send(fd, buf, len, 0);
		usleep(20000);
	}
	printf("{\"sent\": %llu, \"errors\": %llu, \"skipped\": %llu, \"secs\": %.6f}\n",
	       (unsigned long long)seq, (unsigned long long)errors,
	       (unsigned long long)skipped, start / 1e9);
	return 0;
}
