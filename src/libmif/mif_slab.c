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

#include "mif_slab.h"

#include <sys/mman.h>

#include <collections/array.h>

/** first region size */
#define REGION_MIN (64 * 1024)
/** largest region size */
#define REGION_MAX (32 * 1024 * 1024)
/** size from which transparent huge pages are requested */
#define HUGE_MIN (4 * 1024 * 1024)
/** below this, arrays come from malloc */
#define MMAP_MIN (256 * 1024)

/**
 * A mapped region
 */
typedef struct {
	void *ptr;
	size_t len;
} region_t;

/**
 * Map anonymous memory, advising huge pages for big mappings
 */
static void *map(size_t len)
{
	void *ptr;

	ptr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (ptr == MAP_FAILED)
	{
		return NULL;
	}
#ifdef MADV_HUGEPAGE
	if (len >= HUGE_MIN)
	{
		madvise(ptr, len, MADV_HUGEPAGE);
	}
#endif
	return ptr;
}

/*
 * Described in header
 */
void mif_slab_init(mif_slab_t *slab, size_t size)
{
	*slab = (mif_slab_t){
		.size = (max(size, sizeof(void*)) + 15) & ~(size_t)15,
		.next = REGION_MIN,
		.regions = array_create(sizeof(region_t), 0),
	};
}

/*
 * Described in header
 */
void *mif_slab_alloc(mif_slab_t *slab)
{
	region_t region;
	void *obj;

	if (slab->free)
	{
		obj = slab->free;
		slab->free = *(void**)obj;
		memset(obj, 0, slab->size);
		return obj;
	}
	if (slab->pos + slab->size > slab->end)
	{
		region.len = slab->next;
		region.ptr = map(region.len);
		if (!region.ptr)
		{	/* fall back to malloc'ed regions, never freed individually */
			region.len = max(slab->size, REGION_MIN);
			region.ptr = NULL;
			slab->pos = calloc(1, region.len);
			array_insert(slab->regions, ARRAY_TAIL, &(region_t){
							.ptr = slab->pos, .len = 0 });
		}
		else
		{
			slab->pos = region.ptr;
			array_insert(slab->regions, ARRAY_TAIL, &region);
		}
		slab->end = slab->pos + region.len;
		slab->next = min(slab->next * 2, REGION_MAX);
	}
	/* fresh anonymous memory is zeroed already */
	obj = slab->pos;
	slab->pos += slab->size;
	return obj;
}

/*
 * Described in header
 */
void mif_slab_free(mif_slab_t *slab, void *obj)
{
	*(void**)obj = slab->free;
	slab->free = obj;
}

/*
 * Described in header
 */
void mif_slab_deinit(mif_slab_t *slab)
{
	region_t region;

	while (array_remove(slab->regions, ARRAY_TAIL, &region))
	{
		if (region.len)
		{
			munmap(region.ptr, region.len);
		}
		else
		{
			free(region.ptr);
		}
	}
	array_destroy(slab->regions);
	*slab = (mif_slab_t){};
}

/*
 * Described in header
 */
void *mif_mem_alloc(size_t size)
{
	if (size < MMAP_MIN)
	{
		return calloc(1, size);
	}
	return map(size);
}

/*
 * Described in header
 */
void mif_mem_free(void *ptr, size_t size)
{
	if (size < MMAP_MIN)
	{
		free(ptr);
	}
	else if (ptr)
	{
		munmap(ptr, size);
	}
}
