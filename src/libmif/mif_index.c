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

#include "mif_index.h"
#include "mif_slab.h"

/** initial number of buckets */
#define INITIAL_BUCKETS 64

/**
 * Chain pointer of an item
 */
static inline void **next_of(mif_index_t *index, void *item)
{
	return (void**)((char*)item + index->next);
}

/*
 * Described in header
 */
void mif_index_init(mif_index_t *index, size_t next, mif_index_hash_t hash,
					void *ctx)
{
	*index = (mif_index_t){
		.buckets = mif_mem_alloc(INITIAL_BUCKETS * sizeof(void*)),
		.mask = INITIAL_BUCKETS - 1,
		.next = next,
		.hash = hash,
		.ctx = ctx,
	};
}

/**
 * Double the bucket array, keeping the load factor at or below one
 */
static void grow(mif_index_t *index)
{
	void **old = index->buckets, **new, *item, *next;
	u_int i, size = index->mask + 1, mask = size * 2 - 1;

	new = mif_mem_alloc(size * 2 * sizeof(void*));
	if (!new)
	{	/* keep the longer chains rather than failing the insert */
		return;
	}
	for (i = 0; i < size; i++)
	{
		for (item = old[i]; item; item = next)
		{
			void **head;

			next = *next_of(index, item);
			head = &new[index->hash(item, index->ctx) & mask];
			*next_of(index, item) = *head;
			*head = item;
		}
	}
	/* read without the lock by mif_index_prefetch() */
	__atomic_store_n(&index->buckets, new, __ATOMIC_RELAXED);
	__atomic_store_n(&index->mask, mask, __ATOMIC_RELAXED);
	mif_mem_free(old, size * sizeof(void*));
}

/*
 * Described in header
 */
void mif_index_insert(mif_index_t *index, void *item, uint32_t hash)
{
	void **head;

	if (index->count >= index->mask + 1 && index->mask < 0x7fffffff)
	{
		grow(index);
	}
	head = &index->buckets[hash & index->mask];
	*next_of(index, item) = *head;
	*head = item;
	index->count++;
}

/*
 * Described in header
 */
bool mif_index_remove(mif_index_t *index, void *item, uint32_t hash)
{
	void **pos;

	for (pos = &index->buckets[hash & index->mask]; *pos;
		 pos = next_of(index, *pos))
	{
		if (*pos == item)
		{
			*pos = *next_of(index, item);
			*next_of(index, item) = NULL;
			index->count--;
			return TRUE;
		}
	}
	return FALSE;
}

/*
 * Described in header
 */
void mif_index_free(mif_index_t *index)
{
	mif_mem_free(index->buckets, (index->mask + 1) * sizeof(void*));
	__atomic_store_n(&index->buckets, NULL, __ATOMIC_RELAXED);
	index->count = 0;
}
