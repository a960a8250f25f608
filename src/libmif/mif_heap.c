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

#include "mif_heap.h"

/**
 * Place an entry at a position
 */
static inline void place(mif_heap_t *heap, u_int pos, mif_entry_t *entry)
{
	heap->items[pos] = entry;
	entry->heap_pos = pos + 1;
}

/**
 * Move the entry at pos towards the root while it expires earlier
 */
static void sift_up(mif_heap_t *heap, u_int pos)
{
	mif_entry_t *entry = heap->items[pos];
	u_int parent;

	while (pos)
	{
		parent = (pos - 1) / 2;
		if (heap->items[parent]->b.expires <= entry->b.expires)
		{
			break;
		}
		place(heap, pos, heap->items[parent]);
		pos = parent;
	}
	place(heap, pos, entry);
}

/**
 * Move the entry at pos towards the leaves while it expires later
 */
static void sift_down(mif_heap_t *heap, u_int pos)
{
	mif_entry_t *entry = heap->items[pos];
	u_int child;

	while ((child = 2 * pos + 1) < heap->count)
	{
		if (child + 1 < heap->count &&
			heap->items[child + 1]->b.expires < heap->items[child]->b.expires)
		{
			child++;
		}
		if (entry->b.expires <= heap->items[child]->b.expires)
		{
			break;
		}
		place(heap, pos, heap->items[child]);
		pos = child;
	}
	place(heap, pos, entry);
}

/*
 * Described in header
 */
void mif_heap_update(mif_heap_t *heap, mif_entry_t *entry)
{
	u_int pos;

	if (entry->heap_pos)
	{
		pos = entry->heap_pos - 1;
		sift_up(heap, pos);
		sift_down(heap, entry->heap_pos - 1);
		return;
	}
	if (heap->count == heap->size)
	{
		heap->size = max(64, heap->size * 2);
		heap->items = realloc(heap->items, heap->size * sizeof(mif_entry_t*));
	}
	heap->items[heap->count] = entry;
	sift_up(heap, heap->count++);
}

/*
 * Described in header
 */
void mif_heap_remove(mif_heap_t *heap, mif_entry_t *entry)
{
	mif_entry_t *last;
	u_int pos;

	if (!entry->heap_pos)
	{
		return;
	}
	pos = entry->heap_pos - 1;
	entry->heap_pos = 0;
	last = heap->items[--heap->count];
	if (pos < heap->count)
	{
		heap->items[pos] = last;
		sift_up(heap, pos);
		sift_down(heap, last->heap_pos - 1);
	}
}

/*
 * Described in header
 */
void mif_heap_free(mif_heap_t *heap)
{
	free(heap->items);
	*heap = (mif_heap_t){};
}
