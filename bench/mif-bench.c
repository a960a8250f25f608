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
 * libmif benchmark: insert, lookup, update and expire a large number of
 * bindings in memory, measure heap bytes per binding, and SQLite-persisted
 * updates per second.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <malloc.h>
#include <getopt.h>
#include <time.h>
#include <string.h>
#include <arpa/inet.h>

#include <library.h>
#include <threading/thread.h>

#include "libmif.h"

/** options */
static u_int count = 1000000, per_session = 4, persisted = 200000;
static char *db = "/tmp/mif-bench.db";

/**
 * Wall clock and CPU time of this thread; the CPU time gives a figure per
 * core that holds even when other processes compete for the machine
 */
typedef struct {
	double wall;
	double cpu;
} stamp_t;

static stamp_t now_s()
{
	struct timespec ts;
	stamp_t stamp;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	stamp.wall = ts.tv_sec + ts.tv_nsec / 1e9;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	stamp.cpu = ts.tv_sec + ts.tv_nsec / 1e9;
	return stamp;
}

/**
 * Memory in use: resident set size, which also covers the huge-page
 * regions libmif maps itself (mallinfo2() only sees malloc)
 */
static size_t mem_used()
{
	unsigned long size, resident;
	FILE *file;

	file = fopen("/proc/self/statm", "r");
	if (!file || fscanf(file, "%lu %lu", &size, &resident) != 2)
	{
		fprintf(stderr, "reading /proc/self/statm failed\n");
		exit(1);
	}
	fclose(file);
	return resident * sysconf(_SC_PAGESIZE);
}

/**
 * Heap in use according to malloc
 */
static size_t heap_used()
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/**
 * Home address of session s: 2001:db8:<s>::1
 *
 * Written as whole words, as a caller copying an address out of a packet
 * or a host_t does. Assembling it byte by byte right before the lookup
 * made the library's 8-byte loads of the key wait for a failed
 * store-to-load forward, which serialised consecutive lookups behind each
 * other's cache misses and measured the harness instead of the backend.
 */
static void hoa_of(u_int s, mif_addr_t *hoa)
{
	uint32_t words[4] = { htonl(0x20010db8), htonl(s), 0, htonl(1) };

	hoa->family = AF_INET6;
	hoa->reserved = 0;
	hoa->port = 0;
	memcpy(hoa->addr, words, sizeof(words));
}

/**
 * Care-of address of binding i, round r: 10.x.y.z (never 0/8, 127/8)
 */
static void coa_of(u_int i, u_int r, mif_addr_t *coa)
{
	uint32_t v = (i * 2654435761u) ^ (r * 40503u);

	*coa = (mif_addr_t){
		.family = AF_INET,
		.port = 4500,
		.addr = { 10 + (v >> 24) % 100, v >> 16, v >> 8, v },
	};
}

/**
 * Register/refresh binding i (session i / per_session, BID i % per_session + 1)
 */
static void reg(mif_backend_t *backend, u_int i, u_int round,
				uint32_t lifetime)
{
	mif_reg_entry_t entry = {
		.bid = i % per_session + 1,
		.lifetime = lifetime,
		.prio = 10,
		.ifindex = 2,
		.ifname = "eth0",
	};
	mif_reg_t req = {
		.flags = MIF_REG_AUTO_SEQ,
		.count = 1,
		.entries = &entry,
	};

	hoa_of(i / per_session, &req.key.hoa);
	coa_of(i, round, &entry.coa);
	if (backend->registration(backend, &req) != MIF_STATUS_ACCEPTED)
	{
		fprintf(stderr, "registration %u failed: %N\n", i, mif_status_names,
				entry.status);
		exit(1);
	}
}

static void report(const char *what, u_int ops, stamp_t start)
{
	stamp_t end = now_s();
	double wall = end.wall - start.wall, cpu = end.cpu - start.cpu;

	if (cpu < 0.001)
	{	/* work done by other threads, per-thread CPU time does not apply */
		printf("%-26s %8u ops %7.3f s %10.0f ops/s\n", what, ops, wall,
			   ops / wall);
		return;
	}
	printf("%-26s %8u ops %7.3f s %10.0f ops/s  (cpu %7.3f s %10.0f ops/s)\n",
		   what, ops, wall, ops / wall, cpu, ops / cpu);
}

/**
 * Random lookups over all bindings, returns the number found
 */
static u_int lookups_random(mif_backend_t *backend, u_int n, uint32_t rnd)
{
	mif_binding_t b;
	mif_key_t key = {};
	u_int i, j, found = 0;

	for (j = 0; j < n; j++)
	{
		rnd ^= rnd << 13;
		rnd ^= rnd >> 17;
		rnd ^= rnd << 5;
		i = rnd % count;
		hoa_of(i / per_session, &key.hoa);
		found += backend->get_binding(backend, &key, i % per_session + 1, &b);
	}
	return found;
}

typedef struct {
	mif_backend_t *backend;
	u_int n;
	uint32_t seed;
	u_int found;
} lookup_job_t;

static void *lookup_thread(lookup_job_t *job)
{
	job->found = lookups_random(job->backend, job->n, job->seed);
	return NULL;
}

static void bench_memory()
{
	mif_config_t config = { .max_bindings = 0 };
	mif_backend_t *backend;
	mif_binding_t b;
	mif_key_t key = {};
	size_t before, after, heap_before, heap_after;
	uint32_t rnd = 12345;
	u_int i, j, found = 0, lookups = 4 * count;
	stamp_t t;

	before = mem_used();
	heap_before = heap_used();
	backend = mif_backend_create(&config, NULL);

	t = now_s();
	for (i = 0; i < count; i++)
	{
		reg(backend, i, 0, 3600);
	}
	report("insert", count, t);
	after = mem_used();
	heap_after = heap_used();

	t = now_s();
	found = lookups_random(backend, lookups, rnd);
	report("lookup random, 1 thread", lookups, t);
	if (found != lookups)
	{
		fprintf(stderr, "lookups failed: %u of %u found\n", found, lookups);
		exit(1);
	}

	/* insertion order: neighbouring records, as with skewed real traffic */
	t = now_s();
	for (j = 0; j < lookups; j++)
	{
		i = j % count;
		hoa_of(i / per_session, &key.hoa);
		found += backend->get_binding(backend, &key, i % per_session + 1, &b);
	}
	report("lookup sequential, 1 thr.", lookups, t);

	{
		lookup_job_t jobs[2] = {
			{ .backend = backend, .n = lookups / 2, .seed = 777 },
			{ .backend = backend, .n = lookups / 2, .seed = 999 },
		};
		thread_t *threads[2];

		t = now_s();
		for (j = 0; j < 2; j++)
		{
			threads[j] = thread_create((void*)lookup_thread, &jobs[j]);
		}
		for (j = 0; j < 2; j++)
		{
			threads[j]->join(threads[j]);
		}
		report("lookup random, 2 threads", lookups, t);
		if (jobs[0].found + jobs[1].found != lookups)
		{
			fprintf(stderr, "parallel lookups failed\n");
			exit(1);
		}
	}

	t = now_s();
	for (i = 0; i < count; i++)
	{
		reg(backend, i, 1, 7200);
	}
	report("update (new CoA, lifetime)", count, t);

	t = now_s();
	i = backend->expire(backend, time_monotonic(NULL) + 7201);
	report("expire", i, t);
	if (i != count || backend->get_count(backend, NULL))
	{
		fprintf(stderr, "expired %u of %u\n", i, count);
		exit(1);
	}
	printf("%-28s %10.1f bytes/binding (RSS delta %zu bytes for %u bindings, "
		   "%u per session; malloc'ed part %zu bytes)\n", "memory",
		   (double)(after - before) / count, after - before, count,
		   per_session, heap_after - heap_before);
	backend->destroy(backend);
}

static void bench_persisted()
{
	mif_backend_t *backend;
	mif_store_t *store;
	char buf[256];
	u_int i;
	stamp_t t;

	snprintf(buf, sizeof(buf), "rm -f '%s' '%s-wal' '%s-shm'", db, db, db);
	ignore_result(system(buf));
	store = mif_store_sqlite_create(db);
	if (!store)
	{
		fprintf(stderr, "opening %s failed\n", db);
		exit(1);
	}
	backend = mif_backend_create(NULL, store);

	t = now_s();
	for (i = 0; i < persisted; i++)
	{
		reg(backend, i, 0, 3600);
	}
	backend->flush(backend);
	report("persisted insert", persisted, t);

	t = now_s();
	for (i = 0; i < persisted; i++)
	{
		reg(backend, i, 1, 3600);
	}
	backend->flush(backend);
	report("persisted update", persisted, t);
	backend->destroy(backend);

	t = now_s();
	store = mif_store_sqlite_create(db);
	backend = mif_backend_create(NULL, store);
	i = backend->get_count(backend, NULL);
	report("reload from sqlite", i, t);
	if (i != persisted)
	{
		fprintf(stderr, "reloaded %u of %u bindings\n", i, persisted);
		exit(1);
	}
	backend->destroy(backend);
}

static void usage()
{
	printf("usage: mif-bench [-n bindings] [-k bindings-per-session] "
		   "[-p persisted-updates] [-d database]\n");
}

int main(int argc, char *argv[])
{
	int c;

	while ((c = getopt(argc, argv, "n:k:p:d:h")) != -1)
	{
		switch (c)
		{
			case 'n':
				count = strtoul(optarg, NULL, 10);
				break;
			case 'k':
				per_session = strtoul(optarg, NULL, 10);
				break;
			case 'p':
				persisted = strtoul(optarg, NULL, 10);
				break;
			case 'd':
				db = optarg;
				break;
			default:
				usage();
				return c == 'h' ? 0 : 1;
		}
	}
	if (!count || !per_session || per_session > 65535)
	{
		usage();
		return 1;
	}
	library_init(NULL, "mif-bench");
	dbg_default_set_level(-1);
	bench_memory();
	if (persisted)
	{
		bench_persisted();
	}
	library_deinit();
	return 0;
}
