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

typedef struct mif_table_t mif_table_t;

/**
 * Bits of a mif_table_t slot that hold the item pointer; the 16 bits above
 * hold a tag from the item's hash. User space pointers on Linux (x86-64,
 * arm64 without memory tagging) fit into 48 bits.
 */
#define MIF_TABLE_PTR 0x0000ffffffffffffULL

/**
 * Open-addressing hash index of tagged item pointers (internal).
 *
 * Used for the hot (HoA, BID) lookup. A chained index costs one dependent
 * cache miss for the bucket plus one per chained item (1.5 on average at a
 * load of one). Here, linear probing keeps a key's candidates within one
 * or two adjacent cache lines of 8-byte slots, and each slot carries a
 * 16-bit tag of its item's hash, so only the matching item is touched:
 * exactly one slot line and one item per lookup. The load stays at or below
 * 7/8. Removal shifts following slots back, so there are no tombstones.
 * Not thread-safe: the backend's lock protects it, except for
 * mif_table_prefetch().
 */
struct mif_table_t {
	/** slots: tag << 48 | item pointer, 0 if empty */
	uint64_t *slots;
	/** number of slots - 1 (power of two) */
	u_int mask;
	/** number of items */
	u_int count;
	/** hash function for rehashing and removal */
	mif_index_hash_t hash;
	/** context for hash */
	void *ctx;
};

/**
 * Initialise a table.
 *
 * @param table		table to initialise
 * @param hash		hash function of items
 * @param ctx		context passed to hash
 */
void mif_table_init(mif_table_t *table, mif_index_hash_t hash, void *ctx);

/**
 * Insert an item.
 *
 * @param table		table
 * @param item		item, not yet in the table
 * @param hash		hash of the item's key
 */
void mif_table_insert(mif_table_t *table, void *item, uint32_t hash);

/**
 * Remove an item.
 *
 * @param table		table
 * @param item		item to remove
 * @param hash		hash of the item's key
 * @return			TRUE if found and removed
 */
bool mif_table_remove(mif_table_t *table, void *item, uint32_t hash);

/**
 * Free the slots (not the items).
 *
 * @param table		table
 */
void mif_table_free(mif_table_t *table);

/**
 * Tag of a hash as stored in a slot.
 */
static inline uint64_t mif_table_tag(uint32_t hash)
{
	return (uint64_t)(hash >> 16) << 48;
}

/**
 * Next item whose tag matches the hash, starting at slot *pos.
 *
 * Start with *pos = hash & table->mask; the caller compares the full key
 * and calls again to continue after a tag collision.
 *
 * @param table		table
 * @param hash		hash of the key
 * @param pos		slot to start at, updated to the slot after the item
 * @return			candidate item, NULL if there is none
 */
static inline void *mif_table_next(mif_table_t *table, uint32_t hash,
								   u_int *pos)
{
	uint64_t slot, tag = mif_table_tag(hash);
	u_int i = *pos;

	while ((slot = table->slots[i]))
	{
		i = (i + 1) & table->mask;
		if ((slot & ~MIF_TABLE_PTR) == tag)
		{
			*pos = i;
			return (void*)(uintptr_t)(slot & MIF_TABLE_PTR);
		}
	}
	*pos = i;
	return NULL;
}

/**
 * Prefetch the slots of a hash; may be called without the lock.
 *
 * As with mif_index_prefetch(), a racing grow() can only make the
 * prefetch useless, never fault.
 *
 * @param table		table
 * @param hash		hash of the key
 */
static inline void mif_table_prefetch(mif_table_t *table, uint32_t hash)
{
	uint64_t *slots = __atomic_load_n(&table->slots, __ATOMIC_RELAXED);
	u_int mask = __atomic_load_n(&table->mask, __ATOMIC_RELAXED);

	__builtin_prefetch(&slots[hash & mask]);
}

#endif /** MIF_INDEX_H_ @}*/
