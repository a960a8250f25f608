/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * mif-flood: TEST-ONLY flooder of path probes (doc/protocol.md section 5)
 * for the mif-hostile-* scenarios.
 *
 *   mif-flood -d DST [-p PORT] [-r PPS] [-t SECS] [-n COUNT]
 *             [-S random|SPII:SPIR] [-b BID] [-q SEQ] [-s SRC] [-o SRCPORT]
 *             [-P NPORTS] [--plain]
 *
 * Datagrams are built with the real codec (mif_msg_build_probe) under a
 * random key, so they parse but their tag never verifies: a REQUEST to
 * DST (the peer's path address) with the given or random IKE SPIs (fresh
 * per datagram with -S random, the default), BID (-b, default random per
 * datagram) and Seq (-q, default random per datagram). Probe number and
 * cookie change with every datagram.
 *
 *   -s SRC     spoof the source address (IP_TRANSPARENT), e.g. the peer's
 *              real path address, so that cheap source checks pass
 *   -o PORT    source port (default: the probe port with -s, else any)
 *   -P N       cycle over N source ports (N flows); with --plain this is
 *              a plain UDP traffic generator (64 octets of zeros)
 *   -r 0       as fast as possible
 *
 * Prints one line: sent=N errors=N secs=S pps=R.
 */

#define _GNU_SOURCE
#include <library.h>
#include <mif_msg.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <inttypes.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define BATCH 32
#define MAX_PORTS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool parse_spi(char *str, uint64_t *spi)
{
	uint8_t b[8];
	int i;

	if (strlen(str) < 16)
	{
		return FALSE;
	}
	for (i = 0; i < 8; i++)
	{
		if (sscanf(str + 2 * i, "%2hhx", &b[i]) != 1)
		{
			return FALSE;
		}
	}
	/* network order, as in the datagram and ike_sa_id_t */
	memcpy(spi, b, 8);
	return TRUE;
}

static void usage(void)
{
	fprintf(stderr, "usage: mif-flood -d DST [-p PORT] [-r PPS] [-t SECS] "
			"[-n COUNT] [-S random|SPII:SPIR] [-b BID] [-q SEQ] [-s SRC] "
			"[-o SRCPORT] [-P NPORTS] [--plain]\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	struct option opts[] = {
		{ "plain", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	char *dst_str = NULL, *src_str = NULL, *spis = "random";
	int port = 4501, srcport = -1, nports = 1, bid = -1, seq = -1, c, i;
	double rate = 1000, secs = 5, t0, elapsed;
	uint64_t count = 0, sent = 0, errors = 0, spi_i = 0, spi_r = 0, batches = 0;
	bool plain = FALSE, rand_spi = TRUE;
	int fds[MAX_PORTS], on = 1;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint8_t bufs[BATCH][MIF_MSG_PROBE_LEN_V6];
	chunk_t tmpl = chunk_empty;
	host_t *dst, *src = NULL;
	const char *reason;

	while ((c = getopt_long(argc, argv, "d:p:r:t:n:S:b:q:s:o:P:", opts,
							NULL)) != -1)
	{
		switch (c)
		{
			case 'd': dst_str = optarg; break;
			case 'p': port = atoi(optarg); break;
			case 'r': rate = atof(optarg); break;
			case 't': secs = atof(optarg); break;
			case 'n': count = strtoull(optarg, NULL, 10); break;
			case 'S': spis = optarg; break;
			case 'b': bid = atoi(optarg); break;
			case 'q': seq = atoi(optarg); break;
			case 's': src_str = optarg; break;
			case 'o': srcport = atoi(optarg); break;
			case 'P': nports = max(1, min(atoi(optarg), MAX_PORTS)); break;
			case 'x': plain = TRUE; break;
			default: usage();
		}
	}
	if (!dst_str)
	{
		usage();
	}
	if (!streq(spis, "random"))
	{
		char *colon = strchr(spis, ':');

		if (!colon || !parse_spi(spis, &spi_i) || !parse_spi(colon + 1, &spi_r))
		{
			fprintf(stderr, "mif-flood: bad SPIs '%s' (SPII:SPIR, 16 hex "
					"digits each)\n", spis);
			return 2;
		}
		rand_spi = FALSE;
	}

	library_init(NULL, "mif-flood");
	atexit(library_deinit);
	if (!plain && !lib->plugins->load(lib->plugins, "random sha2 hmac"))
	{
		fprintf(stderr, "mif-flood: loading crypto plugins failed\n");
		return 1;
	}
	rnd_state ^= (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);

	dst = host_create_from_string(dst_str, port);
	if (!dst)
	{
		fprintf(stderr, "mif-flood: bad destination %s\n", dst_str);
		return 2;
	}
	if (src_str)
	{
		src = host_create_from_string(src_str, srcport >= 0 ? srcport : port);
		if (!src || src->get_family(src) != dst->get_family(dst))
		{
			fprintf(stderr, "mif-flood: bad source %s\n", src_str);
			return 2;
		}
	}

	if (plain)
	{
		tmpl = chunk_alloc(64);
		memset(tmpl.ptr, 0, tmpl.len);
	}
	else
	{
		mif_msg_probe_t probe = {
			.type = MIF_PROBE_REQUEST,
			.spi_i = rand_spi ? 0x0101010101010101ULL : spi_i,
			.spi_r = rand_spi ? 0x0202020202020202ULL : spi_r,
			.bid = bid > 0 ? bid : 2,
			.seq = seq >= 0 ? seq : 1,
			.number = rnd(),
			.addr = dst,
		};
		uint8_t key[MIF_MSG_PROBE_KEY_LEN];

		for (i = 0; i < sizeof(key); i++)
		{
			key[i] = rnd();
		}
		for (i = 0; i < sizeof(probe.cookie); i++)
		{
			probe.cookie[i] = rnd();
		}
		if (mif_msg_build_probe(&probe, chunk_from_thing(key), &tmpl,
								&reason) != MIF_MSG_OK)
		{
			fprintf(stderr, "mif-flood: building probe failed: %s\n", reason);
			return 1;
		}
	}

	for (i = 0; i < nports; i++)
	{
		fds[i] = socket(dst->get_family(dst), SOCK_DGRAM, IPPROTO_UDP);
		if (fds[i] < 0)
		{
			perror("socket");
			return 1;
		}
		if (src)
		{
			host_t *bind_to = src->clone(src);

			if (dst->get_family(dst) == AF_INET)
			{
				setsockopt(fds[i], IPPROTO_IP, IP_TRANSPARENT, &on, sizeof(on));
			}
			else
			{
				setsockopt(fds[i], IPPROTO_IPV6, IPV6_TRANSPARENT, &on,
						   sizeof(on));
			}
			setsockopt(fds[i], SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
			if (nports > 1)
			{
				bind_to->set_port(bind_to, src->get_port(src) + i);
			}
			if (bind(fds[i], bind_to->get_sockaddr(bind_to),
					 *bind_to->get_sockaddr_len(bind_to)) < 0)
			{
				fprintf(stderr, "mif-flood: binding to %s failed: %s\n",
						src_str, strerror(errno));
				return 1;
			}
			bind_to->destroy(bind_to);
		}
	}

	for (i = 0; i < BATCH; i++)
	{
		memcpy(bufs[i], tmpl.ptr, tmpl.len);
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = tmpl.len };
		msgs[i] = (struct mmsghdr){
			/* unconnected: ICMP errors of the target do not stop us */
			.msg_hdr = {
				.msg_name = dst->get_sockaddr(dst),
				.msg_namelen = *dst->get_sockaddr_len(dst),
				.msg_iov = &iov[i],
				.msg_iovlen = 1,
			},
		};
	}

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	t0 = now();
	while (!stop)
	{
		int n = BATCH, fd, r;

		elapsed = now() - t0;
		if ((secs > 0 && elapsed >= secs) || (count && sent >= count))
		{
			break;
		}
		if (rate > 0)
		{
			double due = rate * elapsed - sent;

			if (due < 1)
			{
				usleep(min(20000, max(100, (1 - due) / rate * 1e6)));
				continue;
			}
			n = min(BATCH, (int)due);
		}
		if (count)
		{
			n = min(n, (int)(count - sent));
		}
		for (i = 0; !plain && i < n; i++)
		{
			uint64_t r1 = rnd(), r2 = rnd();

			if (rand_spi)
			{
				memcpy(bufs[i] + 4, &r1, 8);
				memcpy(bufs[i] + 12, &r2, 8);
				r1 = rnd();
				r2 = rnd();
			}
			if (bid <= 0)
			{
				bufs[i][20] = r1 >> 56;
				bufs[i][21] = (r1 >> 48) | 1;
			}
			if (seq < 0)
			{
				bufs[i][22] = r1 >> 40;
				bufs[i][23] = r1 >> 32;
			}
			/* number and cookie (first 8 octets) */
			memcpy(bufs[i] + 24, &r2, 4);
			memcpy(bufs[i] + 28, &r1, 8);
		}
		fd = fds[batches++ % nports];
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0)
		{
			errors += n;
			if (errno != ENOBUFS && errno != EAGAIN)
			{
				perror("sendmmsg");
				break;
			}
			sent += n;	/* keep the pace */
			continue;
		}
		errors += n - r;
		sent += n;
	}
	elapsed = now() - t0;
	printf("sent=%" PRIu64 " errors=%" PRIu64 " secs=%.2f pps=%.0f\n",
		   sent - errors, errors, elapsed,
		   elapsed > 0 ? (sent - errors) / elapsed : 0);
	chunk_free(&tmpl);
	DESTROY_IF(src);
	dst->destroy(dst);
	return 0;
}
