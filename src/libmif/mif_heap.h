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
 * @defgroup mif_heap mif_heap
 * @{ @ingroup libmif
 */

#ifndef MIF_HEAP_H_
#define MIF_HEAP_H_

#include "mif_session.h"

typedef struct mif_heap_t mif_heap_t;

/**
 * Binary min-heap of bindings ordered by expiry time (internal).
 *
 * One heap serves all bindings so a single periodic job expires them,
 * instead of one scheduler job per binding. Entries know their position
 * (heap_pos), making removal and re-keying O(log n). Not thread-safe.
 */
struct mif_heap_t {
	/** heap array */
	mif_entry_t **items;
	/** number of items */
	u_int count;
	/** allocated slots */
	u_int size;
};

/**
 * Add an entry, or re-position it after its expiry time changed.
 *
 * @param heap		heap
 * @param entry		entry
 */
void mif_heap_update(mif_heap_t *heap, mif_entry_t *entry);

/**
 * Remove an entry, if it is in the heap.
 *
 * @param heap		heap
 * @param entry		entry
 */
void mif_heap_remove(mif_heap_t *heap, mif_entry_t *entry);

/**
 * Entry expiring next.
 *
 * @param heap		heap
 * @return			entry, NULL if empty
 */
static inline mif_entry_t *mif_heap_peek(mif_heap_t *heap)
{
	return heap->count ? heap->items[0] : NULL;
}

/**
 * Free the heap array (not the entries).
 *
 * @param heap		heap
 */
void mif_heap_free(mif_heap_t *heap);

#endif /** MIF_HEAP_H_ @}*/
