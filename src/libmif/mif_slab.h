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

/**
 * @defgroup mif_slab mif_slab
 * @{ @ingroup libmif
 */

#ifndef MIF_SLAB_H_
#define MIF_SLAB_H_

#include <library.h>
#include <collections/array.h>

typedef struct mif_slab_t mif_slab_t;

/**
 * Fixed-size object allocator for binding records (internal).
 *
 * At a million bindings malloc's per-chunk header and 4 KiB pages cost
 * both memory and lookup time (TLB misses dominate random lookups), so
 * records are carved from large regions that ask for transparent huge
 * pages. Regions start small and double, so a mobile node with a few
 * bindings does not pay for a big region. Not thread-safe.
 */
struct mif_slab_t {
	/** object size, rounded up to 16 bytes */
	size_t size;
	/** free list */
	void *free;
	/** next unused byte in the current region */
	char *pos;
	/** end of the current region */
	char *end;
	/** size of the next region */
	size_t next;
	/** regions as mapped, for unmapping */
	array_t *regions;
};

/**
 * Initialise a slab.
 *
 * @param slab		slab to initialise
 * @param size		object size
 */
void mif_slab_init(mif_slab_t *slab, size_t size);

/**
 * Allocate a zeroed object.
 *
 * @param slab		slab
 * @return			object
 */
void *mif_slab_alloc(mif_slab_t *slab);

/**
 * Return an object.
 *
 * @param slab		slab
 * @param obj		object from mif_slab_alloc()
 */
void mif_slab_free(mif_slab_t *slab, void *obj);

/**
 * Unmap all regions; outstanding objects become invalid.
 *
 * @param slab		slab
 */
void mif_slab_deinit(mif_slab_t *slab);

/**
 * Allocate zeroed memory for a large array, huge-page backed if large.
 *
 * @param size		bytes
 * @return			memory, NULL on failure (large sizes only)
 */
void *mif_mem_alloc(size_t size);

/**
 * Free memory from mif_mem_alloc().
 *
 * @param ptr		memory
 * @param size		bytes, as allocated
 */
void mif_mem_free(void *ptr, size_t size);

#endif /** MIF_SLAB_H_ @}*/
