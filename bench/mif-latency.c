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
 * Memory latency of the machine, to put mif-bench's lookup figures in
 * perspective: a random lookup over a million bindings is bound by
 * dependent cache misses, so ns per dependent load here bounds lookups per
 * second there. Chases a random cyclic permutation of cache lines through a
 * region mapped like libmif's slabs (MADV_HUGEPAGE), then does independent
 * random loads for comparison.
 */

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#define LINE 64

static double cpu_s()
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

int main(int argc, char *argv[])
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	size_t len = mb << 20, lines = len / LINE, i, j;
	long n = 20000000, k;
	uint64_t rnd = 88172645463325252ULL, sum = 0;
	uint32_t *perm, tmp;
	char *mem;
	void *p;
	double t;

	if (!lines)
	{
		fprintf(stderr, "usage: mif-latency [megabytes]\n");
		return 1;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	perm = malloc(lines * sizeof(*perm));
	if (mem == MAP_FAILED || !perm)
	{
		fprintf(stderr, "allocating %zu MB failed\n", mb);
		return 1;
	}
#ifdef MADV_HUGEPAGE
	madvise(mem, len, MADV_HUGEPAGE);
#endif
	memset(mem, 1, len);
	for (i = 0; i < lines; i++)
	{
		perm[i] = i;
	}
	for (i = lines - 1; i > 0; i--)
	{
		j = xorshift(&rnd) % (i + 1);
		tmp = perm[i];
		perm[i] = perm[j];
		perm[j] = tmp;
	}
	for (i = 0; i < lines; i++)
	{
		*(void**)(mem + (size_t)perm[i] * LINE) =
							mem + (size_t)perm[(i + 1) % lines] * LINE;
	}

	p = mem + (size_t)perm[0] * LINE;
	t = cpu_s();
	for (k = 0; k < n; k++)
	{
		p = *(void**)p;
	}
	t = cpu_s() - t;
	printf("%zu MB: %.1f ns per dependent load (max %.2f M/s at one "
		   "miss per operation)\n", mb, t / n * 1e9, n / t / 1e6);

	t = cpu_s();
	for (k = 0; k < n; k++)
	{
		sum += *(uint64_t*)(mem + (xorshift(&rnd) % lines) * LINE);
	}
	t = cpu_s() - t;
	printf("%zu MB: %.1f ns per independent load (%p %llu)\n", mb,
		   t / n * 1e9, p, (unsigned long long)(sum & 1));
	munmap(mem, len);
	free(perm);
	return 0;
}
