/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

/*
 * mif-probe: constant-rate UDP probe measuring what a handover costs.
 *
 *   mif-probe send -d HOST [-p PORT] [-r PPS] [-t SEC | -n COUNT] [-s SIZE]
 *                  [-b SRCADDR]
 *   mif-probe recv [-p PORT] [-b ADDR] [-t SEC] [-w IDLE_SEC] [-j FILE]
 *                  [-l FILE]
 *
 * The sender stamps every datagram with a sequence number and its send
 * time and ends with a few END datagrams carrying the number sent. The
 * receiver reports received, lost, duplicated and reordered datagrams, the
 * longest interval without any arrival (gap_*, receiver time, with its
 * timestamps) and the longest interval of send time whose datagrams were all
 * lost (outage_*, immune to stalls of either side) as one key=value line
 * followed by one JSON line (and the JSON into -j FILE).
 *
 * With -l FILE the receiver also writes every run of lost datagrams, one
 * line each: "FIRST LAST COUNT BEFORE_NS AFTER_NS", the sequence numbers of
 * the run and the send times (CLOCK_REALTIME, ns) of the datagrams received
 * right before and after it (estimated from the average send interval at
 * either end of the stream). Scripts attribute losses to events by time
 * with it; -w 0 keeps the receiver up through long outages.
 *
 * Standalone build: gcc -O2 -Wall -o mif-probe mif-probe.c
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <poll.h>

#define PROBE_MAGIC 0x4d494650u /* "MIFP" */
#define PROBE_DATA 1
#define PROBE_END 2
#define PROBE_HDR_LEN 32
#define PROBE_MAX_SIZE 9000
#define PROBE_MAX_SEQ (64u * 1024 * 1024)
#define END_REPEAT 5

/** wire format, all fields big endian */
typedef struct {
	uint32_t magic;
	uint32_t type;
	uint64_t seq;
	uint64_t sent_ns;	/* CLOCK_REALTIME at the sender */
	uint64_t total;		/* END only: datagrams sent */
} probe_hdr_t;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mif-probe send -d HOST [-p PORT] [-r PPS] [-t SEC | -n COUNT]\n"
		"                      [-s SIZE] [-b SRCADDR]\n"
		"       mif-probe recv [-p PORT] [-b ADDR] [-t SEC] [-w IDLE_SEC] [-j FILE]\n"
		"                      [-l FILE]\n"
		"defaults: port 5001, 1000 packets/s, 5 s, 64 byte payload,\n"
		"          receiver stops 3 s after the last datagram or at END\n");
}

static int resolve(const char *host, const char *port, int passive,
				   struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0),
	}, *res;
	int err;

	err = getaddrinfo(host, port, &hints, &res);
	if (err)
	{
		fprintf(stderr, "mif-probe: %s: %s\n", host ?: "*", gai_strerror(err));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void encode(uint8_t *buf, uint32_t type, uint64_t seq, uint64_t total)
{
	probe_hdr_t hdr = {
		.magic = htobe32(PROBE_MAGIC),
		.type = htobe32(type),
		.seq = htobe64(seq),
		.sent_ns = htobe64(now_ns(CLOCK_REALTIME)),
		.total = htobe64(total),
	};

	memcpy(buf, &hdr, sizeof(hdr));
}

static int do_send(int argc, char *argv[])
{
	const char *dst = NULL, *src = NULL, *port = "5001";
	double rate = 1000, secs = 5;
	long count = -1, size = 64;
	uint64_t seq, interval, start, errors = 0, last_errno = 0;
	struct sockaddr_storage to, from;
	socklen_t tolen, fromlen;
	uint8_t buf[PROBE_MAX_SIZE];
	int c, fd, i;

	while ((c = getopt(argc, argv, "d:p:r:t:n:s:b:h")) != -1)
	{
		switch (c)
		{
			case 'd': dst = optarg; break;
			case 'p': port = optarg; break;
			case 'r': rate = atof(optarg); break;
			case 't': secs = atof(optarg); break;
			case 'n': count = atol(optarg); break;
			case 's': size = atol(optarg); break;
			case 'b': src = optarg; break;
			case 'h': usage(stdout); return 0;
			default: usage(stderr); return 2;
		}
	}
	if (!dst || rate <= 0 || rate > 1e6 || size < PROBE_HDR_LEN ||
		size > PROBE_MAX_SIZE)
	{
		usage(stderr);
		return 2;
	}
	if (count < 0)
	{
		count = (long)(rate * secs + 0.5);
	}
	if (count > PROBE_MAX_SEQ)
	{
		fprintf(stderr, "mif-probe: at most %u datagrams\n", PROBE_MAX_SEQ);
		return 2;
	}
	if (resolve(dst, port, 0, &to, &tolen))
	{
		return 1;
	}
	fd = socket(to.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
	{
		perror("mif-probe: socket");
		return 1;
	}
	if (src)
	{
		if (resolve(src, "0", 1, &from, &fromlen) ||
			bind(fd, (struct sockaddr*)&from, fromlen))
		{
			perror("mif-probe: bind");
			return 1;
		}
	}
	memset(buf, 0, sizeof(buf));
	interval = (uint64_t)(1e9 / rate);
	start = now_ns(CLOCK_MONOTONIC);
	for (seq = 0; seq < (uint64_t)count && !stop; seq++)
	{
		uint64_t due = start + seq * interval;
		struct timespec ts = {
			.tv_sec = due / 1000000000ull,
			.tv_nsec = due % 1000000000ull,
		};

		/* an absolute schedule keeps the average rate even when the
		 * emulated CPU stalls; late datagrams go out back to back */
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
			   !stop)
		{
		}
		encode(buf, PROBE_DATA, seq, 0);
		/* unconnected on purpose: every datagram takes the current route,
		 * and failures while a path is gone are counted, not fatal */
		if (sendto(fd, buf, size, 0, (struct sockaddr*)&to, tolen) < 0)
		{
			errors++;
			last_errno = errno;
		}
	}
	for (i = 0; i < END_REPEAT; i++)
	{
		struct timespec ts = { .tv_nsec = 10 * 1000000 };

		encode(buf, PROBE_END, seq, seq);
		sendto(fd, buf, PROBE_HDR_LEN, 0, (struct sockaddr*)&to, tolen);
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "mif-probe: sent=%" PRIu64 " send_errors=%" PRIu64
			" last_error=%s duration_s=%.3f\n", seq, errors,
			last_errno ? strerror(last_errno) : "none",
			(now_ns(CLOCK_MONOTONIC) - start) / 1e9);
	close(fd);
	return 0;
}

/** receiver state */
typedef struct {
	uint8_t *seen;		/* one bit per sequence number */
	uint64_t seen_len;	/* bytes allocated */
	uint64_t *sent_at;	/* -l: send time per sequence number, 0 if lost */
	uint64_t sent_at_len;	/* entries allocated */
	uint64_t received, unique, dup, reordered, max_seq, total;
	bool any, end;
	uint64_t first_rt, last_rt;	/* CLOCK_REALTIME arrivals, ns */
	uint64_t gap_ns, gap_start, gap_end, gap_seq_before, gap_seq_after;
	/* the same in sender time: immune to receiver stalls and to the
	 * sender catching up in bursts after a stall */
	uint64_t out_ns, out_seq_before, out_seq_after, last_sent;
	double delay_sum_ms, delay_min_ms, delay_max_ms;
	uint64_t last_seq;
} stats_t;

static bool mark_seen(stats_t *st, uint64_t seq)
{
	uint64_t byte = seq / 8;
	uint8_t bit = 1 << (seq % 8);

	if (byte >= st->seen_len)
	{
		uint64_t len = st->seen_len ? st->seen_len : 4096;

		while (len <= byte)
		{
			len *= 2;
		}
		st->seen = realloc(st->seen, len);
		if (!st->seen)
		{
			perror("mif-probe: realloc");
			exit(1);
		}
		memset(st->seen + st->seen_len, 0, len - st->seen_len);
		st->seen_len = len;
	}
	if (st->seen[byte] & bit)
	{
		return false;
	}
	st->seen[byte] |= bit;
	return true;
}

static void record_sent(stats_t *st, uint64_t seq, uint64_t sent)
{
	if (seq >= st->sent_at_len)
	{
		uint64_t len = st->sent_at_len;

		while (len <= seq)
		{
			len *= 2;
		}
		st->sent_at = realloc(st->sent_at, len * sizeof(uint64_t));
		if (!st->sent_at)
		{
			perror("mif-probe: realloc");
			exit(1);
		}
		memset(st->sent_at + st->sent_at_len, 0,
			   (len - st->sent_at_len) * sizeof(uint64_t));
		st->sent_at_len = len;
	}
	/* 0 marks a lost datagram: a real send time is never 0 */
	st->sent_at[seq] = sent ?: 1;
}

/**
 * Write the runs of lost datagrams among the first "sent" ones.
 */
static void write_losses(stats_t *st, uint64_t sent, const char *file)
{
	uint64_t seq, first, before, after, lo = 0, hi = 0, interval = 0;
	bool found = false;
	FILE *f;

	f = fopen(file, "w");
	if (!f)
	{
		perror("mif-probe: loss file");
		return;
	}
	/* the average send interval, for runs at either end of the stream */
	for (seq = 0; seq < sent && seq < st->sent_at_len; seq++)
	{
		if (st->sent_at[seq])
		{
			if (!found)
			{
				lo = seq;
				found = true;
			}
			hi = seq;
		}
	}
	if (hi > lo)
	{
		interval = (st->sent_at[hi] - st->sent_at[lo]) / (hi - lo);
	}
	seq = 0;
	while (seq < sent)
	{
		if (seq < st->sent_at_len && st->sent_at[seq])
		{
			seq++;
			continue;
		}
		first = seq;
		while (seq < sent && (seq >= st->sent_at_len || !st->sent_at[seq]))
		{
			seq++;
		}
		if (!st->unique)
		{	/* nothing arrived: no times to report */
			fprintf(f, "%" PRIu64 " %" PRIu64 " %" PRIu64 " 0 0\n", first,
					seq - 1, seq - first);
			continue;
		}
		before = first ? st->sent_at[first - 1]
					   : st->sent_at[lo] - (lo - first + 1) * interval;
		after = seq < sent ? st->sent_at[seq]
						   : st->sent_at[hi] + (seq - hi) * interval;
		fprintf(f, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
				"\n", first, seq - 1, seq - first, before, after);
	}
	fclose(f);
}

static void account(stats_t *st, const probe_hdr_t *hdr, uint64_t arrival)
{
	uint64_t seq = be64toh(hdr->seq), sent = be64toh(hdr->sent_ns);
	double delay = ((double)arrival - (double)be64toh(hdr->sent_ns)) / 1e6;

	if (be32toh(hdr->type) == PROBE_END)
	{
		st->end = true;
		st->total = be64toh(hdr->total);
		return;
	}
	st->received++;
	if (!mark_seen(st, seq))
	{
		st->dup++;
		return;
	}
	st->unique++;
	if (st->sent_at)
	{
		record_sent(st, seq, sent);
	}
	if (st->any && seq < st->max_seq)
	{
		st->reordered++;
	}
	if (st->any && arrival - st->last_rt > st->gap_ns)
	{
		st->gap_ns = arrival - st->last_rt;
		st->gap_start = st->last_rt;
		st->gap_end = arrival;
		st->gap_seq_before = st->last_seq;
		st->gap_seq_after = seq;
	}
	if (st->any && seq > st->last_seq && sent > st->last_sent &&
		sent - st->last_sent > st->out_ns)
	{
		st->out_ns = sent - st->last_sent;
		st->out_seq_before = st->last_seq;
		st->out_seq_after = seq;
	}
	if (!st->any)
	{
		st->first_rt = arrival;
		st->delay_min_ms = st->delay_max_ms = delay;
	}
	st->delay_min_ms = delay < st->delay_min_ms ? delay : st->delay_min_ms;
	st->delay_max_ms = delay > st->delay_max_ms ? delay : st->delay_max_ms;
	st->delay_sum_ms += delay;
	if (!st->any || seq > st->max_seq)
	{
		st->max_seq = seq;
	}
	st->any = true;
	st->last_rt = arrival;
	st->last_seq = seq;
	st->last_sent = sent;
}

static void report(stats_t *st, const char *json, const char *losses)
{
	uint64_t sent = st->end ? st->total : (st->any ? st->max_seq + 1 : 0);
	uint64_t lost = sent > st->unique ? sent - st->unique : 0;
	double avg = st->unique ? st->delay_sum_ms / st->unique : 0;
	double dur = st->any ? (st->last_rt - st->first_rt) / 1e9 : 0;
	char kv[1536], js[1536];

	snprintf(kv, sizeof(kv),
		"sent=%" PRIu64 " received=%" PRIu64 " unique=%" PRIu64
		" lost=%" PRIu64 " dup=%" PRIu64 " reordered=%" PRIu64
		" gap_max_ms=%.3f gap_start=%.6f gap_end=%.6f"
		" gap_seq_before=%" PRIu64 " gap_seq_after=%" PRIu64
		" outage_ms=%.3f outage_seq_before=%" PRIu64 " outage_seq_after=%" PRIu64
		" delay_min_ms=%.3f delay_avg_ms=%.3f delay_max_ms=%.3f"
		" duration_s=%.3f end_seen=%s",
		sent, st->received, st->unique, lost, st->dup, st->reordered,
		st->gap_ns / 1e6, st->gap_start / 1e9, st->gap_end / 1e9,
		st->gap_seq_before, st->gap_seq_after,
		st->out_ns / 1e6, st->out_seq_before, st->out_seq_after,
		st->delay_min_ms, avg, st->delay_max_ms, dur,
		st->end ? "yes" : "no");
	snprintf(js, sizeof(js),
		"{\"sent\":%" PRIu64 ",\"received\":%" PRIu64 ",\"unique\":%" PRIu64
		",\"lost\":%" PRIu64 ",\"dup\":%" PRIu64 ",\"reordered\":%" PRIu64
		",\"gap_max_ms\":%.3f,\"gap_start\":%.6f,\"gap_end\":%.6f"
		",\"gap_seq_before\":%" PRIu64 ",\"gap_seq_after\":%" PRIu64
		",\"outage_ms\":%.3f,\"outage_seq_before\":%" PRIu64
		",\"outage_seq_after\":%" PRIu64
		",\"delay_min_ms\":%.3f,\"delay_avg_ms\":%.3f,\"delay_max_ms\":%.3f"
		",\"duration_s\":%.3f,\"end_seen\":%s}",
		sent, st->received, st->unique, lost, st->dup, st->reordered,
		st->gap_ns / 1e6, st->gap_start / 1e9, st->gap_end / 1e9,
		st->gap_seq_before, st->gap_seq_after,
		st->out_ns / 1e6, st->out_seq_before, st->out_seq_after,
		st->delay_min_ms, avg, st->delay_max_ms, dur,
		st->end ? "true" : "false");
	if (losses)
	{
		write_losses(st, sent, losses);
	}
	printf("%s\n%s\n", kv, js);
	fflush(stdout);
	if (json)
	{
		FILE *f = fopen(json, "w");

		if (!f)
		{
			perror("mif-probe: json file");
			return;
		}
		fprintf(f, "%s\n", js);
		fclose(f);
	}
}

static int do_recv(int argc, char *argv[])
{
	const char *bindaddr = NULL, *port = "5001", *json = NULL, *losses = NULL;
	double secs = 0, idle = 3;
	struct sockaddr_storage ss;
	socklen_t len;
	uint8_t buf[PROBE_MAX_SIZE];
	uint64_t start, deadline, end_at = 0;
	stats_t st = {};
	int c, fd, off = 0, rcvbuf = 8 * 1024 * 1024;

	while ((c = getopt(argc, argv, "p:b:t:w:j:l:h")) != -1)
	{
		switch (c)
		{
			case 'p': port = optarg; break;
			case 'b': bindaddr = optarg; break;
			case 't': secs = atof(optarg); break;
			case 'w': idle = atof(optarg); break;
			case 'j': json = optarg; break;
			case 'l': losses = optarg; break;
			case 'h': usage(stdout); return 0;
			default: usage(stderr); return 2;
		}
	}
	if (losses)
	{
		st.sent_at_len = 4096;
		st.sent_at = calloc(st.sent_at_len, sizeof(uint64_t));
		if (!st.sent_at)
		{
			perror("mif-probe: calloc");
			return 1;
		}
	}
	if (resolve(bindaddr ?: "::", port, 1, &ss, &len))
	{
		return 1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
	{
		perror("mif-probe: socket");
		return 1;
	}
	if (ss.ss_family == AF_INET6)
	{	/* accept IPv4 too when bound to :: */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	}
	if (bind(fd, (struct sockaddr*)&ss, len))
	{
		perror("mif-probe: bind");
		return 1;
	}
	/* a stalled (emulated) receiver must not lose a burst in its socket:
	 * FORCE works as root beyond rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
	{
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	/* tell scripts we are ready before the sender starts */
	fprintf(stderr, "mif-probe: listening on port %s\n", port);
	start = now_ns(CLOCK_MONOTONIC);
	deadline = secs > 0 ? start + (uint64_t)(secs * 1e9) : 0;
	while (!stop)
	{
		uint64_t mono = now_ns(CLOCK_MONOTONIC), wait_ns = 200000000ull;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		probe_hdr_t hdr;
		ssize_t n;

		if (deadline && mono >= deadline)
		{
			break;
		}
		if (end_at && mono >= end_at)
		{
			break;
		}
		if (st.any && idle > 0 &&
			now_ns(CLOCK_REALTIME) - st.last_rt > (uint64_t)(idle * 1e9))
		{
			break;
		}
		if (poll(&pfd, 1, wait_ns / 1000000) <= 0)
		{
			continue;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < PROBE_HDR_LEN)
		{
			continue;
		}
		memcpy(&hdr, buf, sizeof(hdr));
		if (be32toh(hdr.magic) != PROBE_MAGIC ||
			(be32toh(hdr.type) != PROBE_DATA && be32toh(hdr.type) != PROBE_END) ||
			be64toh(hdr.seq) >= PROBE_MAX_SEQ)
		{	/* not ours or malformed: never let it size the bitmap */
			continue;
		}
		account(&st, &hdr, now_ns(CLOCK_REALTIME));
		if (st.end && !end_at)
		{	/* collect stragglers still in flight behind END */
			end_at = now_ns(CLOCK_MONOTONIC) + 300000000ull;
		}
	}
	report(&st, json, losses);
	free(st.seen);
	free(st.sent_at);
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (argc < 2)
	{
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "send"))
	{
		return do_send(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "recv"))
	{
		return do_recv(argc - 1, argv + 1);
	}
	usage(strcmp(argv[1], "-h") && strcmp(argv[1], "--help") ? stderr : stdout);
	return strcmp(argv[1], "-h") && strcmp(argv[1], "--help") ? 2 : 0;
}
