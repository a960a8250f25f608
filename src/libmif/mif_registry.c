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

#include "mif_registry.h"
#include "mif_addr.h"

#include <crypto/rngs/rng.h>
#include <utils/debug.h>

static inline uint32_t key_hash(mif_registry_t *this, const mif_addr_t *hoa,
								uint16_t bid)
{
	return mif_addr_hash(hoa, bid, this->seed);
}

static inline uint32_t coa_hash(mif_registry_t *this, const mif_addr_t *coa)
{
	return mif_addr_hash(coa, 0x10000, this->seed);
}

static inline uint32_t hoa_hash(mif_registry_t *this, const mif_addr_t *hoa)
{
	return mif_addr_hash(hoa, 0x20000, this->seed);
}

static inline uint32_t id_hash(mif_registry_t *this, const char *id)
{
	return chunk_hash_inc(chunk_from_str((char*)id), (u_int)this->seed);
}

static uint32_t rehash_key(void *item, void *ctx)
{
	mif_entry_t *entry = item;

	return key_hash(ctx, &entry->b.hoa, entry->b.bid);
}

static uint32_t rehash_coa(void *item, void *ctx)
{
	mif_entry_t *entry = item;

	return coa_hash(ctx, &entry->b.coa);
}

static uint32_t rehash_hoa(void *item, void *ctx)
{
	mif_session_t *session = item;

	return hoa_hash(ctx, &session->hoa);
}

static uint32_t rehash_id(void *item, void *ctx)
{
	mif_session_t *session = item;

	return id_hash(ctx, mif_session_id(session));
}

/*
 * Described in header
 */
bool mif_registry_check_key(const mif_key_t *key)
{
	if (!key)
	{
		return FALSE;
	}
	if (key->hoa.family)
	{
		return mif_addr_is_wellformed(&key->hoa);
	}
	return key->id && *key->id;
}

/*
 * Described in header
 */
mif_status_t mif_registry_check_entry(mif_reg_entry_t *entry)
{
	if (!entry->bid || entry->prio > 127 ||
		entry->lifetime > MIF_LIFETIME_MAX)
	{
		return MIF_STATUS_MCOA_MALFORMED;
	}
	switch (entry->state)
	{
		case 0:
		case MIF_BINDING_PROBING:
		case MIF_BINDING_ACTIVE:
		case MIF_BINDING_STANDBY:
			break;
		default:
			return MIF_STATUS_MCOA_MALFORMED;
	}
	if (entry->flags & ~MIF_REG_HOME)
	{
		return MIF_STATUS_MCOA_MALFORMED;
	}
	if (!memchr(entry->ifname, '\0', sizeof(entry->ifname)))
	{
		return MIF_STATUS_MCOA_MALFORMED;
	}
	if (entry->remote.family && !mif_addr_is_wellformed(&entry->remote))
	{
		return MIF_STATUS_MCOA_MALFORMED;
	}
	if (entry->coa.family && !mif_addr_is_valid_coa(&entry->coa))
	{
		return MIF_STATUS_INVALID_COA;
	}
	return MIF_STATUS_ACCEPTED;
}

/*
 * Described in header
 */
mif_session_t *mif_registry_find_session(mif_registry_t *this,
										 const mif_key_t *key, bool *conflict)
{
	mif_session_t *session;
	uint32_t hash;

	if (conflict)
	{
		*conflict = FALSE;
	}
	if (key->hoa.family)
	{
		hash = hoa_hash(this, &key->hoa);
		for (session = mif_index_first(&this->by_hoa, hash); session;
			 session = session->next_hoa)
		{
			if (mif_addr_equals(&session->hoa, &key->hoa))
			{
				if (key->id && mif_session_id(session) &&
					!streq(key->id, mif_session_id(session)))
				{
					if (conflict)
					{
						*conflict = TRUE;
					}
					return NULL;
				}
				return session;
			}
		}
		return NULL;
	}
	if (key->id)
	{
		hash = id_hash(this, key->id);
		for (session = mif_index_first(&this->by_id, hash); session;
			 session = session->next_id)
		{
			if (streq(mif_session_id(session), key->id))
			{
				return session;
			}
		}
	}
	return NULL;
}

/*
 * Described in header
 */
mif_session_t *mif_registry_add_session(mif_registry_t *this,
										const mif_addr_t *hoa, const char *id,
										uint64_t sid, uint16_t seq)
{
	mif_session_t *session;

	session = mif_slab_alloc(&this->session_slab);
	session->hoa = *hoa;
	session->hoa.port = 0;
	session->sid = sid;
	session->seq = seq;
	if (id)
	{
		mif_session_get_ext(session)->id = strdup(id);
	}
	if (session->hoa.family)
	{
		mif_index_insert(&this->by_hoa, session, hoa_hash(this, &session->hoa));
	}
	if (mif_session_id(session))
	{
		mif_index_insert(&this->by_id, session,
						 id_hash(this, mif_session_id(session)));
	}
	this->sessions++;
	return session;
}

/*
 * Described in header
 */
mif_entry_t *mif_registry_add_entry(mif_registry_t *this,
									mif_session_t *session,
									const mif_binding_t *binding)
{
	mif_entry_t *entry;

	entry = mif_slab_alloc(&this->entries);
	*entry = (mif_entry_t){
		.b = *binding,
	};
	entry->b.hoa = session->hoa;
	mif_session_add_entry(session, entry);
	if (entry->b.hoa.family)
	{
		mif_table_insert(&this->by_key, entry,
						 key_hash(this, &entry->b.hoa, entry->b.bid));
	}
	mif_index_insert(&this->by_coa, entry, coa_hash(this, &entry->b.coa));
	mif_heap_update(&this->heap, entry);
	return entry;
}

/*
 * Described in header
 */
void mif_registry_move_coa(mif_registry_t *this, mif_entry_t *entry,
						   const mif_addr_t *coa)
{
	mif_index_remove(&this->by_coa, entry, coa_hash(this, &entry->b.coa));
	entry->b.coa = *coa;
	mif_index_insert(&this->by_coa, entry, coa_hash(this, &entry->b.coa));
}

/*
 * Described in header
 */
void mif_registry_remove_entry(mif_registry_t *this, mif_entry_t *entry,
							   mif_event_t event, mif_changes_t *changes)
{
	if (entry->b.hoa.family)
	{
		mif_table_remove(&this->by_key, entry,
						 key_hash(this, &entry->b.hoa, entry->b.bid));
	}
	mif_index_remove(&this->by_coa, entry, coa_hash(this, &entry->b.coa));
	mif_heap_remove(&this->heap, entry);
	mif_session_remove_entry(entry->session, entry);
	entry->b.state = MIF_BINDING_REMOVED;
	mif_changes_binding(changes, entry, event);
	mif_slab_free(&this->entries, entry);
}

/*
 * Described in header
 */
void mif_registry_remove_session(mif_registry_t *this, mif_session_t *session,
								 mif_changes_t *changes)
{
	mif_sa_entry_t *sa;
	mif_change_t *change;

	while (session->bindings)
	{
		mif_registry_remove_entry(this, session->bindings, MIF_EVENT_REMOVED,
								  changes);
	}
	while (mif_session_nflows(session))
	{
		change = mif_changes_add(changes, MIF_CHANGE_FLOW, MIF_EVENT_REMOVED,
								 session);
		if (change)
		{
			change->flow = session->ext->flows[session->ext->nflows - 1];
			change->flow.active = FALSE;
		}
		mif_session_remove_flow(session, session->ext->nflows - 1);
	}
	while (array_get(mif_session_sas(session), ARRAY_TAIL, &sa))
	{
		this->sas->remove(this->sas, sa, MIF_EVENT_REMOVED, changes);
	}
	if (session->hoa.family)
	{
		mif_index_remove(&this->by_hoa, session, hoa_hash(this, &session->hoa));
	}
	if (mif_session_id(session))
	{
		mif_index_remove(&this->by_id, session,
						 id_hash(this, mif_session_id(session)));
	}
	this->sessions--;
	mif_changes_add(changes, MIF_CHANGE_SESSION_DEL, MIF_EVENT_REMOVED, session);
	mif_session_free_ext(session);
	mif_slab_free(&this->session_slab, session);
}

/*
 * Described in header
 */
void mif_registry_drop_if_empty(mif_registry_t *this, mif_session_t *session,
								mif_changes_t *changes)
{
	if (session && mif_session_is_empty(session))
	{
		mif_registry_remove_session(this, session, changes);
	}
}

/*
 * Described in header
 */
mif_entry_t *mif_registry_find_entry(mif_registry_t *this,
									 const mif_key_t *key, uint16_t bid)
{
	mif_session_t *session;
	mif_entry_t *entry;

	if (key->hoa.family && !key->id)
	{	/* fast path: one slot line and one entry, no session access */
		uint32_t hash = key_hash(this, &key->hoa, bid);
		u_int pos = hash & this->by_key.mask;

		while ((entry = mif_table_next(&this->by_key, hash, &pos)))
		{
			if (entry->b.bid == bid && mif_addr_equals(&entry->b.hoa, &key->hoa))
			{
				return entry;
			}
		}
		return NULL;
	}
	session = mif_registry_find_session(this, key, NULL);
	return session ? mif_session_get_entry(session, bid) : NULL;
}

/*
 * Described in header
 */
void mif_registry_prefetch(mif_registry_t *this, const mif_addr_t *hoa,
						   uint16_t bid)
{
	mif_table_prefetch(&this->by_key, key_hash(this, hoa, bid));
}

/*
 * Described in header
 */
mif_entry_t *mif_registry_first_coa(mif_registry_t *this,
									const mif_addr_t *coa)
{
	return mif_index_first(&this->by_coa, coa_hash(this, coa));
}

/*
 * Described in header
 */
void mif_registry_init(mif_registry_t *this)
{
	rng_t *rng;

	*this = (mif_registry_t){
		.next_sid = 1,
		.seed = (uint64_t)(uintptr_t)this ^ time_monotonic(NULL),
	};
	/* unpredictable bucket placement for peer-chosen addresses */
	rng = lib->crypto ? lib->crypto->create_rng(lib->crypto, RNG_WEAK) : NULL;
	if (!rng || !rng->get_bytes(rng, sizeof(this->seed), (void*)&this->seed))
	{
		DBG2(DBG_CFG, "mif: no RNG available, using a weak hash seed");
	}
	DESTROY_IF(rng);

	mif_slab_init(&this->entries, sizeof(mif_entry_t));
	mif_slab_init(&this->session_slab, sizeof(mif_session_t));
	mif_table_init(&this->by_key, rehash_key, this);
	mif_index_init(&this->by_coa, offsetof(mif_entry_t, next_coa),
				   rehash_coa, this);
	mif_index_init(&this->by_hoa, offsetof(mif_session_t, next_hoa),
				   rehash_hoa, this);
	mif_index_init(&this->by_id, offsetof(mif_session_t, next_id),
				   rehash_id, this);
	this->sas = mif_sa_table_create(this->seed);
}

/*
 * Described in header
 */
void mif_registry_deinit(mif_registry_t *this)
{
	mif_session_t *session;
	mif_changes_t none = {};
	u_int i;

	/* every session is in at least one of the two session indices */
	for (i = 0; i <= this->by_hoa.mask; i++)
	{
		while ((session = this->by_hoa.buckets[i]))
		{
			mif_registry_remove_session(this, session, &none);
		}
	}
	for (i = 0; i <= this->by_id.mask; i++)
	{
		while ((session = this->by_id.buckets[i]))
		{
			mif_registry_remove_session(this, session, &none);
		}
	}
	this->sas->destroy(this->sas);
	mif_table_free(&this->by_key);
	mif_index_free(&this->by_coa);
	mif_index_free(&this->by_hoa);
	mif_index_free(&this->by_id);
	mif_heap_free(&this->heap);
	mif_slab_deinit(&this->entries);
	mif_slab_deinit(&this->session_slab);
}
