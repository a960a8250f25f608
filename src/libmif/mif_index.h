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
 * @defgroup mif_index mif_index
 * @{ @ingroup libmif
 */

#ifndef MIF_INDEX_H_
#define MIF_INDEX_H_

#include <library.h>

typedef struct mif_index_t mif_index_t;

/**
 * Callback computing the hash of an item, used when the index grows.
 */
typedef uint32_t (*mif_index_hash_t)(void *item, void *ctx);

/**
 * Intrusive chained hash index (internal).
 *
 * Items carry their own chain pointer at a fixed offset, so indexing an
 * item costs one pointer in the item plus about one bucket pointer; a
 * hashtable_t would add a separately allocated pair per item, too much at
 * a million bindings. Callers walk a chain with first()/next() and compare
 * keys themselves, which keeps lookups inlined. Not thread-safe: the
 * backend's lock protects it.
 */
struct mif_index_t {
	/** bucket heads */
	void **buckets;
	/** number of buckets - 1 (power of two) */
	u_int mask;
	/** number of items */
	u_int count;
	/** offset of the chain pointer in items */
	size_t next;
	/** hash function for rehashing */
	mif_index_hash_t hash;
	/** context for hash */
	void *ctx;
};

/**
 * Initialise an index.
 *
 * @param index		index to initialise
 * @param next		offsetof() the item's chain pointer
 * @param hash		hash function for rehashing on growth
 * @param ctx		context passed to hash
 */
void mif_index_init(mif_index_t *index, size_t next, mif_index_hash_t hash,
					void *ctx);

/**
 * Insert an item.
 *
 * @param index		index
 * @param item		item, not yet in the index
 * @param hash		hash of the item's key
 */
void mif_index_insert(mif_index_t *index, void *item, uint32_t hash);

/**
 * Remove an item.
 *
 * @param index		index
 * @param item		item to remove
 * @param hash		hash of the item's key
 * @return			TRUE if found and removed
 */
bool mif_index_remove(mif_index_t *index, void *item, uint32_t hash);

/**
 * Free the buckets (not the items).
 *
 * @param index		index
 */
void mif_index_free(mif_index_t *index);

/**
 * First item in the chain of a hash.
 */
static inline void *mif_index_first(mif_index_t *index, uint32_t hash)
{
	return index->buckets[hash & index->mask];
}

/**
 * Prefetch the bucket of a hash; may be called without the lock.
 *
 * The bucket array and mask are read atomically (relaxed): a reader racing
 * with grow() may prefetch a stale or freed address, which is harmless as
 * prefetches never fault.
 *
 * @param index		index
 * @param hash		hash of the key
 */
static inline void mif_index_prefetch(mif_index_t *index, uint32_t hash)
{
	void **buckets = __atomic_load_n(&index->buckets, __ATOMIC_RELAXED);
	u_int mask = __atomic_load_n(&index->mask, __ATOMIC_RELAXED);

	__builtin_prefetch(&buckets[hash & mask]);
}

/**
 * Next item in a chain.
 */
static inline void *mif_index_next(mif_index_t *index, void *item)
{
	return *(void**)((char*)item + index->next);
}

#endif /** MIF_INDEX_H_ @}*/
