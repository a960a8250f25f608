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

/** initial number of table slots */
#define TABLE_INITIAL 64

/*
 * Described in header
 */
void mif_table_init(mif_table_t *table, mif_index_hash_t hash, void *ctx)
{
	*table = (mif_table_t){
		.slots = mif_mem_alloc(TABLE_INITIAL * sizeof(uint64_t)),
		.mask = TABLE_INITIAL - 1,
		.hash = hash,
		.ctx = ctx,
	};
}

/**
 * Store a slot value at the first free slot from hash
 */
static void place(uint64_t *slots, u_int mask, uint32_t hash, uint64_t value)
{
	u_int i = hash & mask;

	while (slots[i])
	{
		i = (i + 1) & mask;
	}
	slots[i] = value;
}

/**
 * Double the slots, keeping the load at or below 7/8
 */
static void grow_table(mif_table_t *table)
{
	uint64_t *old = table->slots, *new;
	u_int i, size = table->mask + 1, mask = size * 2 - 1;

	new = mif_mem_alloc(size * 2 * sizeof(uint64_t));
	if (!new)
	{	/* keep the longer runs rather than failing the insert */
		return;
	}
	for (i = 0; i < size; i++)
	{
		if (old[i])
		{
			place(new, mask, table->hash((void*)(uintptr_t)(old[i] &
								MIF_TABLE_PTR), table->ctx), old[i]);
		}
	}
	/* read without the lock by mif_table_prefetch() */
	__atomic_store_n(&table->slots, new, __ATOMIC_RELAXED);
	__atomic_store_n(&table->mask, mask, __ATOMIC_RELAXED);
	mif_mem_free(old, size * sizeof(uint64_t));
}

/*
 * Described in header
 */
void mif_table_insert(mif_table_t *table, void *item, uint32_t hash)
{
	if ((uint64_t)(table->count + 1) * 8 > (uint64_t)(table->mask + 1) * 7)
	{
		grow_table(table);
		if ((uint64_t)(table->count + 1) > table->mask)
		{	/* growing failed and the table is full; never happens before
			 * mif_mem_alloc() fails for a 2^31 slot array */
			abort();
		}
	}
	place(table->slots, table->mask, hash,
		  mif_table_tag(hash) | ((uintptr_t)item & MIF_TABLE_PTR));
	table->count++;
}

/*
 * Described in header
 */
bool mif_table_remove(mif_table_t *table, void *item, uint32_t hash)
{
	uint64_t *slots = table->slots;
	u_int i = hash & table->mask, j, home;

	while (slots[i] && (slots[i] & MIF_TABLE_PTR) != (uintptr_t)item)
	{
		i = (i + 1) & table->mask;
	}
	if (!slots[i])
	{
		return FALSE;
	}
	slots[i] = 0;
	table->count--;
	/* shift back the following slots of the run that may not stay behind
	 * the hole, so probing never stops early */
	for (j = (i + 1) & table->mask; slots[j]; j = (j + 1) & table->mask)
	{
		home = table->hash((void*)(uintptr_t)(slots[j] & MIF_TABLE_PTR),
						   table->ctx) & table->mask;
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
		{
			slots[i] = slots[j];
			slots[j] = 0;
			i = j;
		}
	}
	return TRUE;
}

/*
 * Described in header
 */
void mif_table_free(mif_table_t *table)
{
	mif_mem_free(table->slots, (table->mask + 1) * sizeof(uint64_t));
	__atomic_store_n(&table->slots, NULL, __ATOMIC_RELAXED);
	table->count = 0;
}
