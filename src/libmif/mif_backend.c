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

#include "mif_backend.h"
#include "mif_addr.h"
#include "mif_seq.h"
#include "mif_index.h"
#include "mif_heap.h"
#include "mif_session.h"
#include "mif_slab.h"

#include <time.h>

#include <threading/rwlock.h>
#include <threading/mutex.h>
#include <threading/condvar.h>
#include <collections/linked_list.h>
#include <collections/hashtable.h>
#include <processing/jobs/callback_job.h>
#include <utils/debug.h>

typedef struct private_mif_backend_t private_mif_backend_t;
typedef struct change_t change_t;
typedef struct change_list_t change_list_t;
typedef struct expiry_timer_t expiry_timer_t;

/**
 * Bindings expired per write-lock hold, so lookups are not starved while a
 * large batch runs out at once
 */
#define EXPIRE_BATCH 256

/**
 * Kinds of recorded changes
 */
typedef enum {
	CHANGE_SESSION,
	CHANGE_SESSION_DEL,
	CHANGE_BINDING,
	CHANGE_FLOW,
	CHANGE_SA,
} change_kind_t;

/**
 * A change, copied under the data lock and published (store, listeners)
 * after it is released
 */
struct change_t {
	/** change_kind_t */
	uint8_t kind;
	/** mif_event_t */
	uint8_t event;
	/** session sequence number (CHANGE_SESSION) */
	uint16_t seq;
	/** session store ID */
	uint64_t sid;
	/** session identity (owned), NULL if none */
	char *id;
	/** session home address */
	mif_addr_t hoa;
	union {
		mif_binding_t binding;
		mif_flow_t flow;
		mif_sa_ref_t sa;
	};
};

/**
 * Growable list of changes
 */
struct change_list_t {
	/** changes */
	change_t *items;
	/** used */
	u_int count;
	/** allocated */
	u_int size;
	/** whether changes are recorded at all (store or listeners present) */
	bool track;
};

/**
 * State shared between the backend and its scheduler job, so the job
 * can outlive the backend (the scheduler cannot cancel jobs)
 */
struct expiry_timer_t {
	/** protects backend */
	mutex_t *mutex;
	/** backend, NULL once destroyed */
	private_mif_backend_t *backend;
	/** interval in ms */
	u_int interval;
	/** references (backend, job) */
	refcount_t refs;
};

/**
 * Private data of a mif_backend_t object.
 */
struct private_mif_backend_t {

	/**
	 * Public interface.
	 */
	mif_backend_t public;

	/**
	 * Configuration
	 */
	mif_config_t config;

	/**
	 * Persistent store, NULL if none
	 */
	mif_store_t *store;

	/**
	 * Protects all data below, up to the change queue
	 */
	rwlock_t *lock;

	/**
	 * Bindings of sessions with home address, by (HoA, BID)
	 */
	mif_table_t by_key;

	/**
	 * Bindings by care-of address
	 */
	mif_index_t by_coa;

	/**
	 * Sessions by home address
	 */
	mif_index_t by_hoa;

	/**
	 * Sessions by identity
	 */
	mif_index_t by_id;

	/**
	 * SA references by inbound SPI
	 */
	mif_index_t by_spi_in;

	/**
	 * SA references by outbound SPI
	 */
	mif_index_t by_spi_out;

	/**
	 * SA references by IKE unique ID
	 */
	mif_index_t by_ike;

	/**
	 * All bindings, ordered by expiry
	 */
	mif_heap_t heap;

	/**
	 * Allocator of mif_entry_t
	 */
	mif_slab_t entries;

	/**
	 * Allocator of mif_session_t (64 bytes, malloc would add 16)
	 */
	mif_slab_t session_slab;

	/**
	 * Number of sessions
	 */
	u_int sessions;

	/**
	 * Next session store ID
	 */
	uint64_t next_sid;

	/**
	 * Hash seed
	 */
	uint64_t seed;

	/**
	 * Protects queue and delivering
	 */
	mutex_t *qlock;

	/**
	 * Signalled when delivery stops
	 */
	condvar_t *idle;

	/**
	 * Changes not yet published, in modification order
	 */
	change_list_t queue;

	/**
	 * Whether a thread currently publishes changes
	 */
	bool delivering;

	/**
	 * Protects listeners
	 */
	rwlock_t *llock;

	/**
	 * Registered mif_listener_t
	 */
	linked_list_t *listeners;

	/**
	 * Number of listeners, read atomically without lock to decide whether
	 * an operation records changes at all
	 */
	u_int nlisteners;

	/**
	 * Expiry job state, NULL if not scheduled
	 */
	expiry_timer_t *timer;
};

/**
 * SA reference entry with index chains, the public part of which is
 * mif_sa_entry_t
 */
typedef struct {
	/** public part, must be first */
	mif_sa_entry_t e;
	/** chain in by_spi_in */
	void *next_spi_in;
	/** chain in by_spi_out */
	void *next_spi_out;
	/** chain in by_ike */
	void *next_ike;
} sa_entry_t;

/**
 * Hash a 32-bit value
 */
static inline uint32_t hash32(uint32_t v, uint64_t seed)
{
	uint64_t h = seed ^ v;

	h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdULL;
	h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(h ^ (h >> 33));
}

static inline uint32_t key_hash(private_mif_backend_t *this,
								const mif_addr_t *hoa, uint16_t bid)
{
	return mif_addr_hash(hoa, bid, this->seed);
}

static inline uint32_t coa_hash(private_mif_backend_t *this,
								const mif_addr_t *coa)
{
	return mif_addr_hash(coa, 0x10000, this->seed);
}

static inline uint32_t hoa_hash(private_mif_backend_t *this,
								const mif_addr_t *hoa)
{
	return mif_addr_hash(hoa, 0x20000, this->seed);
}

static inline uint32_t id_hash(private_mif_backend_t *this, const char *id)
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

static uint32_t rehash_spi_in(void *item, void *ctx)
{
	private_mif_backend_t *this = ctx;

	return hash32(((sa_entry_t*)item)->e.ref.spi_in, this->seed);
}

static uint32_t rehash_spi_out(void *item, void *ctx)
{
	private_mif_backend_t *this = ctx;

	return hash32(((sa_entry_t*)item)->e.ref.spi_out, this->seed);
}

static uint32_t rehash_ike(void *item, void *ctx)
{
	private_mif_backend_t *this = ctx;

	return hash32(((sa_entry_t*)item)->e.ref.ike_id, this->seed);
}

/**
 * Append a change for a session, returns the zeroed slot or NULL if
 * changes are not tracked
 */
static change_t *add_change(change_list_t *list, change_kind_t kind,
							mif_event_t event, mif_session_t *session)
{
	change_t *change;

	if (!list->track)
	{
		return NULL;
	}
	if (list->count == list->size)
	{
		list->size = max(8, list->size * 2);
		list->items = realloc(list->items, list->size * sizeof(change_t));
	}
	change = &list->items[list->count++];
	memset(change, 0, sizeof(*change));
	change->kind = kind;
	change->event = event;
	change->sid = session->sid;
	change->seq = session->seq;
	change->hoa = session->hoa;
	change->id = strdupnull(mif_session_id(session));
	return change;
}

/**
 * Initialise a change list for one operation
 */
static inline void init_changes(private_mif_backend_t *this,
								change_list_t *list)
{
	*list = (change_list_t){
		.track = this->store ||
				 __atomic_load_n(&this->nlisteners, __ATOMIC_RELAXED),
	};
}

/**
 * Publish a batch of changes to the store and the listeners
 */
static void publish(private_mif_backend_t *this, change_list_t *batch)
{
	enumerator_t *enumerator;
	mif_listener_t *listener;
	change_t *change;
	time_t mono, wall;
	u_int i;

	mono = time_monotonic(NULL);
	wall = time(NULL);

	this->llock->read_lock(this->llock);
	for (i = 0; i < batch->count; i++)
	{
		change = &batch->items[i];
		if (this->store)
		{
			bool ok = TRUE;

			switch (change->kind)
			{
				case CHANGE_SESSION:
					ok = this->store->put_session(this->store, change->sid,
									&change->hoa, change->id, change->seq);
					break;
				case CHANGE_SESSION_DEL:
					ok = this->store->del_session(this->store, change->sid);
					break;
				case CHANGE_BINDING:
					if (change->event == MIF_EVENT_ADDED ||
						change->event == MIF_EVENT_UPDATED)
					{
						ok = this->store->put_binding(this->store, change->sid,
									&change->binding,
									wall + (change->binding.expires - mono));
					}
					else
					{
						ok = this->store->del_binding(this->store, change->sid,
													  change->binding.bid);
					}
					break;
				case CHANGE_FLOW:
					if (change->event == MIF_EVENT_REMOVED)
					{
						ok = this->store->del_flow(this->store, change->sid,
												   change->flow.fid);
					}
					else
					{
						ok = this->store->put_flow(this->store, change->sid,
												   &change->flow);
					}
					break;
				case CHANGE_SA:
					if (change->event == MIF_EVENT_REMOVED)
					{
						ok = this->store->del_sa(this->store, change->sid,
												 &change->sa);
					}
					else
					{
						ok = this->store->put_sa(this->store, change->sid,
												 &change->sa);
					}
					break;
			}
			if (!ok)
			{
				DBG1(DBG_CFG, "mif: persisting change of session %llu failed",
					 (unsigned long long)change->sid);
			}
		}
		if (change->kind == CHANGE_SESSION ||
			change->kind == CHANGE_SESSION_DEL)
		{
			continue;
		}
		enumerator = this->listeners->create_enumerator(this->listeners);
		while (enumerator->enumerate(enumerator, &listener))
		{
			switch (change->kind)
			{
				case CHANGE_BINDING:
					if (listener->binding)
					{
						listener->binding(listener, change->event, change->id,
										  &change->binding);
					}
					break;
				case CHANGE_FLOW:
					if (listener->flow)
					{
						listener->flow(listener, change->event, &change->hoa,
									   change->id, &change->flow);
					}
					break;
				case CHANGE_SA:
					if (listener->sa)
					{
						listener->sa(listener, change->event, &change->hoa,
									 change->id, &change->sa);
					}
					break;
				default:
					break;
			}
		}
		enumerator->destroy(enumerator);
	}
	this->llock->unlock(this->llock);

	for (i = 0; i < batch->count; i++)
	{
		free(batch->items[i].id);
	}
	free(batch->items);
}

/**
 * Publish queued changes unless another thread already does; that thread
 * then picks ours up, keeping the global modification order
 */
static void deliver(private_mif_backend_t *this)
{
	change_list_t batch;

	this->qlock->lock(this->qlock);
	if (this->delivering)
	{
		this->qlock->unlock(this->qlock);
		return;
	}
	this->delivering = TRUE;
	while (this->queue.count)
	{
		batch = this->queue;
		this->queue = (change_list_t){};
		this->qlock->unlock(this->qlock);
		publish(this, &batch);
		this->qlock->lock(this->qlock);
	}
	this->delivering = FALSE;
	this->idle->broadcast(this->idle);
	this->qlock->unlock(this->qlock);
}

/**
 * Queue an operation's changes (in modification order, as the write lock
 * is still held), release the write lock and publish
 */
static void unlock_and_publish(private_mif_backend_t *this,
							   change_list_t *changes)
{
	u_int needed;

	if (!changes->count)
	{
		this->lock->unlock(this->lock);
		free(changes->items);
		return;
	}
	this->qlock->lock(this->qlock);
	if (!this->queue.count)
	{
		this->queue = *changes;
	}
	else
	{
		needed = this->queue.count + changes->count;
		if (needed > this->queue.size)
		{
			this->queue.size = max(needed, this->queue.size * 2);
			this->queue.items = realloc(this->queue.items,
									this->queue.size * sizeof(change_t));
		}
		memcpy(&this->queue.items[this->queue.count], changes->items,
			   changes->count * sizeof(change_t));
		this->queue.count = needed;
		free(changes->items);
	}
	this->qlock->unlock(this->qlock);
	this->lock->unlock(this->lock);
	deliver(this);
}

/**
 * Check a session key for well-formedness
 */
static bool key_valid(const mif_key_t *key)
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

/**
 * Find a session. Sets conflict if the home address belongs to a session
 * with a different identity
 */
static mif_session_t *find_session(private_mif_backend_t *this,
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

/**
 * Insert a new session into the indices
 */
static void index_session(private_mif_backend_t *this, mif_session_t *session)
{
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
}

/**
 * Allocate a session, not yet indexed
 */
static mif_session_t *new_session(private_mif_backend_t *this,
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
	return session;
}

/**
 * Create and index a session
 */
static mif_session_t *create_session(private_mif_backend_t *this,
									 const mif_key_t *key, uint64_t sid,
									 uint16_t seq, change_list_t *changes)
{
	mif_session_t *session;

	session = new_session(this, &key->hoa, key->id, sid, seq);
	index_session(this, session);
	add_change(changes, CHANGE_SESSION, MIF_EVENT_ADDED, session);
	return session;
}

/**
 * Link a new binding into the indices and the expiry heap
 */
static void index_entry(private_mif_backend_t *this, mif_entry_t *entry)
{
	if (entry->b.hoa.family)
	{
		mif_table_insert(&this->by_key, entry,
						 key_hash(this, &entry->b.hoa, entry->b.bid));
	}
	mif_index_insert(&this->by_coa, entry, coa_hash(this, &entry->b.coa));
	mif_heap_update(&this->heap, entry);
}

/**
 * Record a binding change
 */
static void binding_change(change_list_t *changes, mif_entry_t *entry,
						   mif_event_t event)
{
	change_t *change;

	change = add_change(changes, CHANGE_BINDING, event, entry->session);
	if (change)
	{
		change->binding = entry->b;
	}
}

/**
 * Unlink and free a binding
 */
static void remove_entry(private_mif_backend_t *this, mif_entry_t *entry,
						 mif_event_t event, change_list_t *changes)
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
	binding_change(changes, entry, event);
	mif_slab_free(&this->entries, entry);
}

/**
 * Unlink and free an SA reference
 */
static void remove_sa(private_mif_backend_t *this, sa_entry_t *sa,
					  mif_event_t event, change_list_t *changes)
{
	mif_session_t *session = sa->e.session;
	change_t *change;
	sa_entry_t *cur;
	int i;

	if (sa->e.ref.spi_in)
	{
		mif_index_remove(&this->by_spi_in, sa,
						 hash32(sa->e.ref.spi_in, this->seed));
	}
	if (sa->e.ref.spi_out)
	{
		mif_index_remove(&this->by_spi_out, sa,
						 hash32(sa->e.ref.spi_out, this->seed));
	}
	if (sa->e.ref.ike_id)
	{
		mif_index_remove(&this->by_ike, sa,
						 hash32(sa->e.ref.ike_id, this->seed));
	}
	for (i = 0; i < array_count(mif_session_sas(session)); i++)
	{
		array_get(mif_session_sas(session), i, &cur);
		if (cur == sa)
		{
			array_remove(mif_session_sas(session), i, NULL);
			break;
		}
	}
	change = add_change(changes, CHANGE_SA, event, session);
	if (change)
	{
		change->sa = sa->e.ref;
	}
	free(sa);
}

/**
 * Remove a session with everything attached
 */
static void remove_session(private_mif_backend_t *this, mif_session_t *session,
						   change_list_t *changes)
{
	sa_entry_t *sa;
	change_t *change;

	while (session->bindings)
	{
		remove_entry(this, session->bindings, MIF_EVENT_REMOVED, changes);
	}
	while (mif_session_nflows(session))
	{
		change = add_change(changes, CHANGE_FLOW, MIF_EVENT_REMOVED, session);
		if (change)
		{
			change->flow = session->ext->flows[session->ext->nflows - 1];
			change->flow.active = FALSE;
		}
		mif_session_remove_flow(session, session->ext->nflows - 1);
	}
	while (array_remove(mif_session_sas(session), ARRAY_TAIL, &sa))
	{
		array_insert(session->ext->sas, ARRAY_TAIL, sa);
		remove_sa(this, sa, MIF_EVENT_REMOVED, changes);
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
	add_change(changes, CHANGE_SESSION_DEL, MIF_EVENT_REMOVED, session);
	mif_session_free_ext(session);
	mif_slab_free(&this->session_slab, session);
}

/**
 * Drop a session that holds nothing anymore
 */
static void check_session(private_mif_backend_t *this, mif_session_t *session,
						  change_list_t *changes)
{
	if (session && mif_session_is_empty(session))
	{
		remove_session(this, session, changes);
	}
}

/**
 * Validate the parts of a registration entry that do not depend on state
 */
static mif_status_t check_entry(mif_reg_entry_t *entry)
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

/**
 * Set the status of all entries of a request
 */
static mif_status_t reject_all(mif_reg_t *req, mif_status_t status)
{
	u_int i;

	for (i = 0; i < req->count; i++)
	{
		req->entries[i].status = status;
		req->entries[i].granted = 0;
	}
	return status;
}

/**
 * Apply one pre-validated entry with lifetime > 0
 */
static mif_status_t apply_entry(private_mif_backend_t *this,
								mif_session_t **session, const mif_key_t *key,
								mif_reg_t *req, mif_reg_entry_t *req_entry,
								time_t now, change_list_t *changes)
{
	mif_entry_t *entry = NULL;
	uint32_t lifetime;
	bool coa_changed = FALSE;

	lifetime = min(req_entry->lifetime, this->config.max_lifetime);
	if (*session)
	{
		entry = mif_session_get_entry(*session, req_entry->bid);
	}
	if (!entry)
	{
		if (!req_entry->coa.family)
		{
			return MIF_STATUS_MCOA_UNKNOWN_COA;
		}
		if (*session && this->config.max_bindings &&
			(*session)->count >= this->config.max_bindings)
		{
			return MIF_STATUS_INSUFFICIENT_RESOURCES;
		}
		if (!*session)
		{
			*session = create_session(this, key, this->next_sid++, req->seq,
									  changes);
		}
		entry = mif_slab_alloc(&this->entries);
		*entry = (mif_entry_t){
			.b = {
				.hoa = (*session)->hoa,
				.coa = req_entry->coa,
				.remote = req_entry->remote,
				.ifindex = req_entry->ifindex,
				.bid = req_entry->bid,
				.prio = req_entry->prio,
				.state = req_entry->state ?: MIF_BINDING_ACTIVE,
				.flags = req_entry->flags,
			},
		};
		memcpy(entry->b.ifname, req_entry->ifname, MIF_IFNAME_LEN);
		entry->b.lifetime = lifetime;
		entry->b.expires = now + lifetime;
		entry->b.seq = req->seq;
		mif_session_add_entry(*session, entry);
		index_entry(this, entry);
		binding_change(changes, entry, MIF_EVENT_ADDED);
		req_entry->granted = lifetime;
		return MIF_STATUS_ACCEPTED;
	}
	if (req_entry->coa.family && (!mif_addr_equals(&entry->b.coa,
						&req_entry->coa) || entry->b.coa.port != req_entry->coa.port))
	{
		coa_changed = TRUE;
		mif_index_remove(&this->by_coa, entry, coa_hash(this, &entry->b.coa));
		entry->b.coa = req_entry->coa;
		mif_index_insert(&this->by_coa, entry, coa_hash(this, &entry->b.coa));
	}
	if (req_entry->remote.family)
	{
		entry->b.remote = req_entry->remote;
	}
	if (req_entry->ifname[0])
	{
		memcpy(entry->b.ifname, req_entry->ifname, MIF_IFNAME_LEN);
	}
	if (req_entry->ifindex)
	{
		entry->b.ifindex = req_entry->ifindex;
	}
	if (req_entry->prio)
	{
		entry->b.prio = req_entry->prio;
	}
	if (req_entry->state)
	{
		entry->b.state = req_entry->state;
	}
	else if (coa_changed)
	{
		/* a moved path is usable as registered, like a new one */
		entry->b.state = MIF_BINDING_ACTIVE;
	}
	entry->b.flags = req_entry->flags;
	entry->b.lifetime = lifetime;
	entry->b.expires = now + lifetime;
	entry->b.seq = req->seq;
	mif_heap_update(&this->heap, entry);
	binding_change(changes, entry, MIF_EVENT_UPDATED);
	req_entry->granted = lifetime;
	return MIF_STATUS_ACCEPTED;
}

METHOD(mif_backend_t, registration, mif_status_t,
	private_mif_backend_t *this, mif_reg_t *req)
{
	mif_session_t *session;
	mif_reg_entry_t *req_entry;
	mif_entry_t *entry, *next;
	change_list_t changes;
	uint8_t *seen = NULL, *dup = NULL;
	u_int i, accepted = 0, failed = 0;
	bool conflict, remove;
	time_t now;

	if (!req || !req->count || !req->entries)
	{
		return MIF_STATUS_UNSPECIFIED;
	}
	if (!key_valid(&req->key) ||
		(req->flags & ~(MIF_REG_OVERWRITE | MIF_REG_AUTO_SEQ)))
	{
		DBG1(DBG_CFG, "mif: rejecting registration with invalid session key "
			 "or flags");
		return reject_all(req, MIF_STATUS_UNSPECIFIED);
	}
	if (req->count > 1 && this->config.no_bulk)
	{
		return reject_all(req, MIF_STATUS_MCOA_BULK_PROHIBITED);
	}
	for (i = 0; i < req->count; i++)
	{
		req->entries[i].granted = 0;
		req->entries[i].status = check_entry(&req->entries[i]);
	}
	if (req->count > 1)
	{	/* a BID named twice is ambiguous: reject all its occurrences */
		seen = calloc(2, 8192);
		dup = seen + 8192;
		for (i = 0; i < req->count; i++)
		{
			uint16_t bid = req->entries[i].bid;

			if (seen[bid / 8] & (1 << (bid % 8)))
			{
				dup[bid / 8] |= 1 << (bid % 8);
			}
			seen[bid / 8] |= 1 << (bid % 8);
		}
		for (i = 0; i < req->count; i++)
		{
			uint16_t bid = req->entries[i].bid;

			if (bid && (dup[bid / 8] & (1 << (bid % 8))))
			{
				req->entries[i].status = MIF_STATUS_MCOA_MALFORMED;
			}
		}
	}

	init_changes(this, &changes);
	now = time_monotonic(NULL);
	this->lock->write_lock(this->lock);
	session = find_session(this, &req->key, &conflict);
	if (conflict)
	{
		this->lock->unlock(this->lock);
		free(seen);
		DBG1(DBG_CFG, "mif: home address of '%s' registered by another peer",
			 req->key.id);
		return reject_all(req, MIF_STATUS_PROHIBITED);
	}
	if (req->flags & MIF_REG_AUTO_SEQ)
	{
		req->seq = session ? mif_seq_next(session->seq) : 1;
	}
	else if (session && !mif_seq_gt(req->seq, session->seq))
	{
		this->lock->unlock(this->lock);
		free(seen);
		DBG2(DBG_CFG, "mif: sequence number %u not greater than %u",
			 req->seq, session->seq);
		return reject_all(req, MIF_STATUS_SEQ_OUT_OF_WINDOW);
	}

	if (session && (req->flags & MIF_REG_OVERWRITE))
	{	/* RFC 5648 §6.2: replace all bindings with the received set,
		 * overwrite is ignored for de-registrations */
		if (!seen)
		{
			seen = calloc(2, 8192);
		}
		memset(seen, 0, 8192);
		remove = FALSE;
		for (i = 0; i < req->count; i++)
		{
			req_entry = &req->entries[i];
			if (req_entry->status == MIF_STATUS_ACCEPTED && req_entry->lifetime)
			{
				seen[req_entry->bid / 8] |= 1 << (req_entry->bid % 8);
				remove = TRUE;
			}
		}
		for (entry = remove ? session->bindings : NULL; entry; entry = next)
		{
			next = entry->next_sess;
			remove = !(seen[entry->b.bid / 8] & (1 << (entry->b.bid % 8)));
			if (remove)
			{
				remove_entry(this, entry, MIF_EVENT_REMOVED, &changes);
			}
		}
	}
	free(seen);

	for (i = 0; i < req->count; i++)
	{
		req_entry = &req->entries[i];
		if (req_entry->status != MIF_STATUS_ACCEPTED)
		{
			failed++;
			continue;
		}
		if (!req_entry->lifetime)
		{
			entry = session ? mif_session_get_entry(session, req_entry->bid)
							: NULL;
			if (entry)
			{
				remove_entry(this, entry, MIF_EVENT_REMOVED, &changes);
			}
			else
			{
				req_entry->status = MIF_STATUS_NOT_HA_FOR_MN;
			}
		}
		else
		{
			req_entry->status = apply_entry(this, &session, &req->key, req,
											req_entry, now, &changes);
		}
		if (req_entry->status == MIF_STATUS_ACCEPTED)
		{
			accepted++;
		}
		else
		{
			failed++;
		}
	}
	if (session && accepted)
	{
		session->seq = req->seq;
		add_change(&changes, CHANGE_SESSION, MIF_EVENT_UPDATED, session);
	}
	check_session(this, session, &changes);
	unlock_and_publish(this, &changes);

	if (!failed)
	{
		return MIF_STATUS_ACCEPTED;
	}
	if (req->count == 1)
	{
		return req->entries[0].status;
	}
	return MIF_STATUS_MCOA_NOTCOMPLETE;
}

/**
 * Find a binding by session key and BID, with the lock held
 */
static mif_entry_t *find_entry(private_mif_backend_t *this,
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
	session = find_session(this, key, NULL);
	return session ? mif_session_get_entry(session, bid) : NULL;
}

METHOD(mif_backend_t, deregister, bool,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t bid)
{
	change_list_t changes;
	mif_session_t *session;
	mif_entry_t *entry;

	if (!key_valid(key))
	{
		return FALSE;
	}
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	entry = find_entry(this, key, bid);
	if (entry)
	{
		session = entry->session;
		remove_entry(this, entry, MIF_EVENT_REMOVED, &changes);
		check_session(this, session, &changes);
	}
	unlock_and_publish(this, &changes);
	return entry != NULL;
}

METHOD(mif_backend_t, remove_session_, bool,
	private_mif_backend_t *this, const mif_key_t *key)
{
	change_list_t changes;
	mif_session_t *session;

	if (!key_valid(key))
	{
		return FALSE;
	}
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	session = find_session(this, key, NULL);
	if (session)
	{
		remove_session(this, session, &changes);
	}
	unlock_and_publish(this, &changes);
	return session != NULL;
}

METHOD(mif_backend_t, set_state, bool,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t bid,
	mif_binding_state_t state)
{
	change_list_t changes;
	mif_entry_t *entry;

	if (!key_valid(key) || state < MIF_BINDING_PROBING ||
		state > MIF_BINDING_STANDBY)
	{
		return FALSE;
	}
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	entry = find_entry(this, key, bid);
	if (entry && entry->b.state != state)
	{
		entry->b.state = state;
		binding_change(&changes, entry, MIF_EVENT_UPDATED);
	}
	unlock_and_publish(this, &changes);
	return entry != NULL;
}

METHOD(mif_backend_t, get_binding, bool,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t bid,
	mif_binding_t *out)
{
	mif_entry_t *entry;

	if (!key_valid(key))
	{
		return FALSE;
	}
	if (key->hoa.family && !key->id)
	{	/* start the bucket's cache miss before taking the lock */
		mif_table_prefetch(&this->by_key, key_hash(this, &key->hoa, bid));
	}
	this->lock->read_lock(this->lock);
	entry = find_entry(this, key, bid);
	if (entry && out)
	{
		*out = entry->b;
	}
	this->lock->unlock(this->lock);
	return entry != NULL;
}

METHOD(mif_backend_t, get_bindings, int,
	private_mif_backend_t *this, const mif_key_t *key, mif_binding_t *out,
	u_int max)
{
	mif_session_t *session;
	mif_entry_t *entry;
	int count = -1;

	if (!key_valid(key))
	{
		return -1;
	}
	this->lock->read_lock(this->lock);
	session = find_session(this, key, NULL);
	if (session)
	{
		count = 0;
		for (entry = session->bindings; entry; entry = entry->next_sess)
		{
			if (count < max)
			{
				out[count] = entry->b;
			}
			count++;
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, find_by_coa, u_int,
	private_mif_backend_t *this, const mif_addr_t *coa, mif_binding_t *out,
	u_int max)
{
	mif_entry_t *entry;
	u_int count = 0;

	this->lock->read_lock(this->lock);
	for (entry = mif_index_first(&this->by_coa, coa_hash(this, coa)); entry;
		 entry = entry->next_coa)
	{
		if (mif_addr_equals(&entry->b.coa, coa))
		{
			if (count < max)
			{
				out[count] = entry->b;
			}
			count++;
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, find_by_interface, u_int,
	private_mif_backend_t *this, const char *ifname, uint32_t ifindex,
	mif_binding_t *out, u_int max)
{
	mif_entry_t *entry;
	u_int i, count = 0;

	if (!ifname && !ifindex)
	{
		return 0;
	}
	this->lock->read_lock(this->lock);
	for (i = 0; i < this->heap.count; i++)
	{
		entry = this->heap.items[i];
		if ((!ifindex || entry->b.ifindex == ifindex) &&
			(!ifname || strneq(entry->b.ifname, ifname, MIF_IFNAME_LEN)))
		{
			if (count < max)
			{
				out[count] = entry->b;
			}
			count++;
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, get_seq, bool,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t *seq)
{
	mif_session_t *session;

	if (!key_valid(key))
	{
		return FALSE;
	}
	this->lock->read_lock(this->lock);
	session = find_session(this, key, NULL);
	if (session && seq)
	{
		*seq = session->seq;
	}
	this->lock->unlock(this->lock);
	return session != NULL;
}

METHOD(mif_backend_t, set_flow, mif_flow_status_t,
	private_mif_backend_t *this, const mif_key_t *key, const mif_flow_t *flow)
{
	mif_flow_status_t status;
	change_list_t changes;
	mif_session_t *session;
	mif_flow_t copy;
	change_t *change;
	bool replaced;
	int i;

	if (!flow)
	{
		return MIF_FLOW_MALFORMED;
	}
	status = mif_flow_check(flow);
	if (status != MIF_FLOW_OK)
	{
		return status;
	}
	if (!key_valid(key))
	{
		return MIF_FLOW_REJECTED;
	}
	copy = *flow;
	/* unused BID slots are zeroed so stored flows compare equal */
	memset(copy.bids + copy.nbids, 0,
		   (MIF_FLOW_MAX_BIDS - copy.nbids) * sizeof(copy.bids[0]));
	copy.reserved = 0;
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	session = find_session(this, key, NULL);
	if (!session)
	{
		status = copy.action == MIF_FLOW_BIDS ? MIF_FLOW_BID_NOT_FOUND
											  : MIF_FLOW_REJECTED;
	}
	for (i = 0; session && status == MIF_FLOW_OK && i < copy.nbids; i++)
	{
		if (!mif_session_get_entry(session, copy.bids[i]))
		{
			status = MIF_FLOW_BID_NOT_FOUND;
		}
	}
	for (i = 0; session && status == MIF_FLOW_OK &&
				i < mif_session_nflows(session); i++)
	{
		if (mif_session_flows(session)[i].prio == copy.prio &&
			mif_session_flows(session)[i].fid != copy.fid)
		{	/* RFC 6089: FID-PRI MUST be unique per mobile node */
			status = MIF_FLOW_REJECTED;
		}
	}
	if (status == MIF_FLOW_OK)
	{
		mif_session_update_active(session, &copy);
		replaced = mif_session_put_flow(session, &copy);
		change = add_change(&changes, CHANGE_FLOW,
					replaced ? MIF_EVENT_UPDATED : MIF_EVENT_ADDED, session);
		if (change)
		{
			change->flow = copy;
		}
	}
	unlock_and_publish(this, &changes);
	return status;
}

/**
 * Remove a flow by index, recording the change
 */
static void remove_flow(mif_session_t *session, int idx,
						change_list_t *changes)
{
	change_t *change;

	change = add_change(changes, CHANGE_FLOW, MIF_EVENT_REMOVED, session);
	if (change)
	{
		change->flow = mif_session_flows(session)[idx];
		mif_session_update_active(session, &change->flow);
	}
	mif_session_remove_flow(session, idx);
}

METHOD(mif_backend_t, remove_flow_, mif_flow_status_t,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t fid)
{
	mif_flow_status_t status = MIF_FLOW_FID_NOT_FOUND;
	change_list_t changes;
	mif_session_t *session;
	int idx;

	if (!key_valid(key))
	{
		return MIF_FLOW_REJECTED;
	}
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	session = find_session(this, key, NULL);
	if (session && mif_session_get_flow(session, fid, &idx))
	{
		remove_flow(session, idx, &changes);
		check_session(this, session, &changes);
		status = MIF_FLOW_OK;
	}
	unlock_and_publish(this, &changes);
	return status;
}

METHOD(mif_backend_t, refresh_flows, mif_flow_status_t,
	private_mif_backend_t *this, const mif_key_t *key, const uint16_t *fids,
	u_int count)
{
	mif_flow_status_t status = MIF_FLOW_OK;
	change_list_t changes;
	mif_session_t *session;
	u_int i, j;
	bool keep;

	if (!key_valid(key) || (count && !fids))
	{
		return MIF_FLOW_REJECTED;
	}
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	session = find_session(this, key, NULL);
	if (!session)
	{
		status = count ? MIF_FLOW_FID_NOT_FOUND : MIF_FLOW_OK;
	}
	for (i = 0; session && i < count; i++)
	{
		if (!mif_session_get_flow(session, fids[i], NULL))
		{
			status = MIF_FLOW_FID_NOT_FOUND;
			break;
		}
	}
	if (session && status == MIF_FLOW_OK)
	{
		for (i = mif_session_nflows(session); i-- > 0;)
		{
			keep = FALSE;
			for (j = 0; j < count && !keep; j++)
			{
				keep = mif_session_flows(session)[i].fid == fids[j];
			}
			if (!keep)
			{
				remove_flow(session, i, &changes);
			}
		}
		check_session(this, session, &changes);
	}
	unlock_and_publish(this, &changes);
	return status;
}

METHOD(mif_backend_t, get_flows, int,
	private_mif_backend_t *this, const mif_key_t *key, mif_flow_t *out,
	u_int max)
{
	mif_session_t *session;
	int i, count = -1;

	if (!key_valid(key))
	{
		return -1;
	}
	this->lock->read_lock(this->lock);
	session = find_session(this, key, NULL);
	if (session)
	{
		count = mif_session_nflows(session);
		for (i = 0; i < count && i < max; i++)
		{
			out[i] = mif_session_flows(session)[i];
			mif_session_update_active(session, &out[i]);
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

/**
 * Sort key of a binding for default forwarding: active before standby
 * before probing, then lower BID-PRI (0 = unspecified, last), then BID
 */
static uint32_t default_rank(mif_entry_t *entry)
{
	static const uint8_t state_rank[] = {
		[MIF_BINDING_ACTIVE] = 0,
		[MIF_BINDING_STANDBY] = 1,
		[MIF_BINDING_PROBING] = 2,
		[MIF_BINDING_REMOVED] = 3,
	};
	uint32_t prio = entry->b.prio ?: 128;

	return (uint32_t)state_rank[entry->b.state] << 24 | prio << 16 |
		   entry->b.bid;
}

METHOD(mif_backend_t, select_, int,
	private_mif_backend_t *this, const mif_key_t *key, const mif_packet_t *pkt,
	mif_flow_action_t *action, uint16_t *bids, u_int max)
{
	mif_session_t *session;
	mif_entry_t *entry, *best = NULL;
	mif_flow_t *flow;
	int i, j, count = -1;

	if (!key_valid(key) || !pkt)
	{
		return -1;
	}
	this->lock->read_lock(this->lock);
	session = find_session(this, key, NULL);
	if (!session)
	{
		goto out;
	}
	for (i = 0; i < mif_session_nflows(session); i++)
	{
		flow = &mif_session_flows(session)[i];
		if (!mif_ts_match(&flow->ts, pkt))
		{
			continue;
		}
		if (flow->action != MIF_FLOW_BIDS)
		{
			*action = flow->action;
			count = 0;
			goto out;
		}
		count = 0;
		for (j = 0; j < flow->nbids; j++)
		{	/* deregistered BIDs of an active flow are skipped */
			if (mif_session_get_entry(session, flow->bids[j]))
			{
				if (count < max)
				{
					bids[count++] = flow->bids[j];
				}
			}
		}
		if (count)
		{
			*action = MIF_FLOW_BIDS;
			goto out;
		}
		/* inactive flow: all its BIDs are gone, next one decides */
	}
	for (entry = session->bindings; entry; entry = entry->next_sess)
	{
		if (!best || default_rank(entry) < default_rank(best))
		{
			best = entry;
		}
	}
	*action = MIF_FLOW_BIDS;
	count = 0;
	if (best && max)
	{
		bids[count++] = best->b.bid;
	}
out:
	this->lock->unlock(this->lock);
	return count;
}

/**
 * Check an SA reference for consistency
 */
static bool sa_ref_valid(const mif_sa_ref_t *ref)
{
	switch (ref->type)
	{
		case MIF_SA_IKE:
			return ref->ike_id && !ref->spi_in && !ref->spi_out;
		case MIF_SA_CHILD:
		case MIF_SA_RFC6618:
			return ref->spi_in != 0;
		default:
			return FALSE;
	}
}

/**
 * Find an SA reference by inbound SPI or IKE ID, lock held
 */
static sa_entry_t *find_sa(private_mif_backend_t *this,
						   const mif_sa_ref_t *ref)
{
	sa_entry_t *sa;

	if (ref->type == MIF_SA_IKE)
	{
		for (sa = mif_index_first(&this->by_ike, hash32(ref->ike_id,
															this->seed));
			 sa; sa = sa->next_ike)
		{
			if (sa->e.ref.type == MIF_SA_IKE && sa->e.ref.ike_id == ref->ike_id)
			{
				return sa;
			}
		}
		return NULL;
	}
	for (sa = mif_index_first(&this->by_spi_in, hash32(ref->spi_in,
														  this->seed));
		 sa; sa = sa->next_spi_in)
	{
		if (sa->e.ref.spi_in == ref->spi_in && sa->e.ref.type == ref->type)
		{
			return sa;
		}
	}
	return NULL;
}

/**
 * Attach an SA entry to a session and the indices
 */
static void index_sa(private_mif_backend_t *this, mif_session_t *session,
					 sa_entry_t *sa)
{
	sa->e.session = session;
	array_insert_create(&mif_session_get_ext(session)->sas, ARRAY_TAIL, sa);
	if (sa->e.ref.spi_in)
	{
		mif_index_insert(&this->by_spi_in, sa,
						 hash32(sa->e.ref.spi_in, this->seed));
	}
	if (sa->e.ref.spi_out)
	{
		mif_index_insert(&this->by_spi_out, sa,
						 hash32(sa->e.ref.spi_out, this->seed));
	}
	if (sa->e.ref.ike_id)
	{
		mif_index_insert(&this->by_ike, sa,
						 hash32(sa->e.ref.ike_id, this->seed));
	}
}

METHOD(mif_backend_t, attach_sa, bool,
	private_mif_backend_t *this, const mif_key_t *key, const mif_sa_ref_t *ref)
{
	change_list_t changes;
	mif_session_t *session;
	change_t *change;
	sa_entry_t *sa = NULL;
	bool conflict;

	if (!key_valid(key) || !ref || !sa_ref_valid(ref))
	{
		DBG1(DBG_CFG, "mif: rejecting invalid SA reference");
		return FALSE;
	}
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	session = find_session(this, key, &conflict);
	if (!conflict && !find_sa(this, ref))
	{
		if (!session)
		{
			session = create_session(this, key, this->next_sid++, 0, &changes);
		}
		INIT(sa,
			.e = {
				.ref = *ref,
			},
		);
		index_sa(this, session, sa);
		change = add_change(&changes, CHANGE_SA, MIF_EVENT_ADDED, session);
		if (change)
		{
			change->sa = *ref;
		}
	}
	unlock_and_publish(this, &changes);
	return sa != NULL;
}

METHOD(mif_backend_t, detach_sa, bool,
	private_mif_backend_t *this, const mif_sa_ref_t *ref)
{
	change_list_t changes;
	mif_session_t *session;
	sa_entry_t *sa;

	if (!ref || !sa_ref_valid(ref))
	{
		return FALSE;
	}
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	sa = find_sa(this, ref);
	if (sa)
	{
		session = sa->e.session;
		remove_sa(this, sa, MIF_EVENT_REMOVED, &changes);
		check_session(this, session, &changes);
	}
	unlock_and_publish(this, &changes);
	return sa != NULL;
}

METHOD(mif_backend_t, detach_ike_sa, u_int,
	private_mif_backend_t *this, uint32_t ike_id)
{
	change_list_t changes;
	mif_session_t *session;
	sa_entry_t *sa, *next;
	u_int count = 0;

	if (!ike_id)
	{
		return 0;
	}
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	for (sa = mif_index_first(&this->by_ike, hash32(ike_id, this->seed)); sa;
		 sa = next)
	{
		next = sa->next_ike;
		if (sa->e.ref.ike_id == ike_id)
		{
			session = sa->e.session;
			remove_sa(this, sa, MIF_EVENT_REMOVED, &changes);
			check_session(this, session, &changes);
			count++;
		}
	}
	unlock_and_publish(this, &changes);
	return count;
}

/**
 * Does a session hold an SA reference of a type (lock held)?
 */
static bool has_sa_type(mif_session_t *session, mif_sa_type_t type)
{
	array_t *sas = mif_session_sas(session);
	sa_entry_t *sa;
	int i;

	for (i = 0; i < array_count(sas); i++)
	{
		array_get(sas, i, &sa);
		if (sa->e.ref.type == type)
		{
			return TRUE;
		}
	}
	return FALSE;
}

METHOD(mif_backend_t, remove_sessions_with, u_int,
	private_mif_backend_t *this, mif_sa_type_t type)
{
	change_list_t changes;
	mif_session_t *session;
	hashtable_t *victims;
	enumerator_t *enumerator;
	u_int i, count;

	victims = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8);
	init_changes(this, &changes);
	this->lock->write_lock(this->lock);
	/* sessions with SA references hold bindings (SA-only sessions are not
	 * created by any caller), so the binding heap reaches them all */
	for (i = 0; i < this->heap.count; i++)
	{
		session = this->heap.items[i]->session;
		if (has_sa_type(session, type))
		{
			victims->put(victims, session, session);
		}
	}
	count = victims->get_count(victims);
	enumerator = victims->create_enumerator(victims);
	while (enumerator->enumerate(enumerator, NULL, &session))
	{
		remove_session(this, session, &changes);
	}
	enumerator->destroy(enumerator);
	unlock_and_publish(this, &changes);
	victims->destroy(victims);
	return count;
}

METHOD(mif_backend_t, find_by_spi, bool,
	private_mif_backend_t *this, uint32_t spi, mif_sa_ref_t *ref,
	mif_addr_t *hoa)
{
	sa_entry_t *sa, *found = NULL;

	if (!spi)
	{
		return FALSE;
	}
	this->lock->read_lock(this->lock);
	for (sa = mif_index_first(&this->by_spi_in, hash32(spi, this->seed));
		 sa && !found; sa = sa->next_spi_in)
	{
		if (sa->e.ref.spi_in == spi)
		{
			found = sa;
		}
	}
	for (sa = mif_index_first(&this->by_spi_out, hash32(spi, this->seed));
		 sa && !found; sa = sa->next_spi_out)
	{
		if (sa->e.ref.spi_out == spi)
		{
			found = sa;
		}
	}
	if (found)
	{
		if (ref)
		{
			*ref = found->e.ref;
		}
		if (hoa)
		{
			*hoa = found->e.session->hoa;
		}
	}
	this->lock->unlock(this->lock);
	return found != NULL;
}

METHOD(mif_backend_t, get_sas, int,
	private_mif_backend_t *this, const mif_key_t *key, mif_sa_ref_t *out,
	u_int max)
{
	mif_session_t *session;
	sa_entry_t *sa;
	int i, count = -1;

	if (!key_valid(key))
	{
		return -1;
	}
	this->lock->read_lock(this->lock);
	session = find_session(this, key, NULL);
	if (session)
	{
		count = array_count(mif_session_sas(session));
		for (i = 0; i < count && i < max; i++)
		{
			array_get(mif_session_sas(session), i, &sa);
			out[i] = sa->e.ref;
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, add_listener, void,
	private_mif_backend_t *this, mif_listener_t *listener)
{
	this->llock->write_lock(this->llock);
	this->listeners->insert_last(this->listeners, listener);
	__atomic_store_n(&this->nlisteners,
					 this->listeners->get_count(this->listeners),
					 __ATOMIC_RELAXED);
	this->llock->unlock(this->llock);
}

METHOD(mif_backend_t, remove_listener, void,
	private_mif_backend_t *this, mif_listener_t *listener)
{
	this->llock->write_lock(this->llock);
	this->listeners->remove(this->listeners, listener, NULL);
	__atomic_store_n(&this->nlisteners,
					 this->listeners->get_count(this->listeners),
					 __ATOMIC_RELAXED);
	this->llock->unlock(this->llock);
}

METHOD(mif_backend_t, expire, u_int,
	private_mif_backend_t *this, time_t now)
{
	change_list_t changes;
	mif_session_t *session;
	mif_entry_t *entry;
	u_int n, total = 0;

	do
	{
		init_changes(this, &changes);
		this->lock->write_lock(this->lock);
		for (n = 0; n < EXPIRE_BATCH; n++)
		{
			entry = mif_heap_peek(&this->heap);
			if (!entry || entry->b.expires > now)
			{
				break;
			}
			session = entry->session;
			remove_entry(this, entry, MIF_EVENT_EXPIRED, &changes);
			check_session(this, session, &changes);
		}
		unlock_and_publish(this, &changes);
		total += n;
	}
	while (n == EXPIRE_BATCH);

	if (total)
	{
		DBG2(DBG_CFG, "mif: %u binding%s expired", total, total == 1 ? "" : "s");
	}
	return total;
}

/**
 * Enumerator over all bindings
 */
typedef struct {
	/** public interface */
	enumerator_t public;
	/** backend, read-locked */
	private_mif_backend_t *backend;
	/** position in the heap array */
	u_int pos;
	/** copy handed out */
	mif_binding_t current;
} binding_enumerator_t;

METHOD(enumerator_t, enumerate_bindings, bool,
	binding_enumerator_t *this, va_list args)
{
	mif_binding_t **out;

	VA_ARGS_VGET(args, out);
	if (this->pos >= this->backend->heap.count)
	{
		return FALSE;
	}
	this->current = this->backend->heap.items[this->pos++]->b;
	*out = &this->current;
	return TRUE;
}

METHOD(enumerator_t, destroy_bindings, void,
	binding_enumerator_t *this)
{
	this->backend->lock->unlock(this->backend->lock);
	free(this);
}

METHOD(mif_backend_t, create_enumerator, enumerator_t*,
	private_mif_backend_t *this)
{
	binding_enumerator_t *enumerator;

	INIT(enumerator,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _enumerate_bindings,
			.destroy = _destroy_bindings,
		},
		.backend = this,
	);
	this->lock->read_lock(this->lock);
	return &enumerator->public;
}

METHOD(mif_backend_t, get_count, u_int,
	private_mif_backend_t *this, u_int *sessions)
{
	u_int count;

	this->lock->read_lock(this->lock);
	count = this->heap.count;
	if (sessions)
	{
		*sessions = this->sessions;
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, flush, bool,
	private_mif_backend_t *this)
{
	this->qlock->lock(this->qlock);
	while (this->delivering)
	{
		this->idle->wait(this->idle, this->qlock);
	}
	this->qlock->unlock(this->qlock);
	deliver(this);
	return !this->store || this->store->flush(this->store);
}

/**
 * Release a reference to the expiry timer state
 */
static void timer_unref(expiry_timer_t *timer)
{
	if (ref_put(&timer->refs))
	{
		timer->mutex->destroy(timer->mutex);
		free(timer);
	}
}

CALLBACK(expiry_job, job_requeue_t,
	expiry_timer_t *timer)
{
	private_mif_backend_t *this;

	timer->mutex->lock(timer->mutex);
	this = timer->backend;
	if (!this)
	{
		timer->mutex->unlock(timer->mutex);
		return JOB_REQUEUE_NONE;
	}
	expire(this, time_monotonic(NULL));
	flush(this);
	timer->mutex->unlock(timer->mutex);
	return JOB_RESCHEDULE_MS(timer->interval);
}

CALLBACK(expiry_job_cleanup, void,
	expiry_timer_t *timer)
{
	timer_unref(timer);
}

/**
 * Loader state while restoring from the store
 */
typedef struct {
	/** callbacks */
	mif_store_loader_t public;
	/** backend to fill */
	private_mif_backend_t *backend;
	/** sessions by store ID */
	hashtable_t *sids;
	/** expired bindings to delete from the store, as (sid << 16 | bid) */
	array_t *stale;
	/** monotonic time of loading */
	time_t mono;
	/** wall clock time of loading */
	time_t wall;
} loader_t;

static u_int hash_sid(const void *key)
{
	return chunk_hash(chunk_create((u_char*)key, sizeof(uint64_t)));
}

static bool equals_sid(const void *a, const void *b)
{
	return *(const uint64_t*)a == *(const uint64_t*)b;
}

METHOD(mif_store_loader_t, load_session, bool,
	loader_t *this, uint64_t sid, const mif_addr_t *hoa, const char *id,
	uint16_t seq)
{
	private_mif_backend_t *backend = this->backend;
	mif_key_t key = { .id = id };
	mif_session_t *session;

	if (hoa)
	{
		key.hoa = *hoa;
	}
	if (!sid || !key_valid(&key) || find_session(backend, &key, NULL) ||
		this->sids->get(this->sids, &sid))
	{
		DBG1(DBG_CFG, "mif: ignoring invalid or duplicate stored session %llu",
			 (unsigned long long)sid);
		return TRUE;
	}
	session = new_session(backend, &key.hoa, id, sid, seq);
	index_session(backend, session);
	this->sids->put(this->sids, &session->sid, session);
	backend->next_sid = max(backend->next_sid, sid + 1);
	return TRUE;
}

METHOD(mif_store_loader_t, load_binding, bool,
	loader_t *this, uint64_t sid, const mif_binding_t *binding, time_t expires)
{
	private_mif_backend_t *backend = this->backend;
	mif_session_t *session;
	mif_entry_t *entry;
	mif_reg_entry_t check = {
		.bid = binding->bid,
		.prio = binding->prio,
		.lifetime = binding->lifetime,
		.coa = binding->coa,
		.remote = binding->remote,
		.state = binding->state,
		.flags = binding->flags,
	};

	memcpy(check.ifname, binding->ifname, MIF_IFNAME_LEN);
	session = this->sids->get(this->sids, &sid);
	if (!session || check_entry(&check) != MIF_STATUS_ACCEPTED ||
		!binding->coa.family || mif_session_get_entry(session, binding->bid))
	{
		DBG1(DBG_CFG, "mif: ignoring invalid stored binding %u of session "
			 "%llu", binding->bid, (unsigned long long)sid);
		return TRUE;
	}
	if (expires <= this->wall)
	{
		array_insert_create_value(&this->stale, sizeof(uint64_t), ARRAY_TAIL,
								  &(uint64_t){ sid << 16 | binding->bid });
		return TRUE;
	}
	entry = mif_slab_alloc(&backend->entries);
	entry->b = *binding;
	entry->b.hoa = session->hoa;
	entry->b.expires = this->mono + (expires - this->wall);
	mif_session_add_entry(session, entry);
	index_entry(backend, entry);
	return TRUE;
}

METHOD(mif_store_loader_t, load_flow, bool,
	loader_t *this, uint64_t sid, const mif_flow_t *flow)
{
	mif_session_t *session;

	session = this->sids->get(this->sids, &sid);
	if (!session || mif_flow_check(flow) != MIF_FLOW_OK ||
		mif_session_get_flow(session, flow->fid, NULL))
	{
		DBG1(DBG_CFG, "mif: ignoring invalid stored flow %u of session %llu",
			 flow->fid, (unsigned long long)sid);
		return TRUE;
	}
	mif_session_put_flow(session, flow);
	return TRUE;
}

METHOD(mif_store_loader_t, load_sa, bool,
	loader_t *this, uint64_t sid, const mif_sa_ref_t *ref)
{
	mif_session_t *session;
	sa_entry_t *sa;

	session = this->sids->get(this->sids, &sid);
	if (!session || !sa_ref_valid(ref) || find_sa(this->backend, ref))
	{
		DBG1(DBG_CFG, "mif: ignoring invalid stored SA reference of session "
			 "%llu", (unsigned long long)sid);
		return TRUE;
	}
	INIT(sa,
		.e = {
			.ref = *ref,
		},
	);
	index_sa(this->backend, session, sa);
	return TRUE;
}

/**
 * Restore state from the store, then delete what did not survive
 */
static bool load(private_mif_backend_t *this)
{
	loader_t loader = {
		.public = {
			.session = _load_session,
			.binding = _load_binding,
			.flow = _load_flow,
			.sa = _load_sa,
		},
		.backend = this,
		.sids = hashtable_create(hash_sid, equals_sid, 64),
		.mono = time_monotonic(NULL),
		.wall = time(NULL),
	};
	enumerator_t *enumerator;
	mif_session_t *session;
	array_t *empty = NULL;
	uint64_t *sid, stale;
	u_int dropped = 0;
	bool ok;

	ok = this->store->load(this->store, &loader.public);
	while (array_remove(loader.stale, ARRAY_HEAD, &stale))
	{
		this->store->del_binding(this->store, stale >> 16, stale & 0xffff);
		dropped++;
	}
	array_destroy(loader.stale);
	enumerator = loader.sids->create_enumerator(loader.sids);
	while (enumerator->enumerate(enumerator, &sid, &session))
	{
		if (mif_session_is_empty(session))
		{
			array_insert_create(&empty, ARRAY_TAIL, session);
		}
	}
	enumerator->destroy(enumerator);
	loader.sids->destroy(loader.sids);
	while (array_remove(empty, ARRAY_HEAD, &session))
	{
		this->store->del_session(this->store, session->sid);
		remove_session(this, session, &(change_list_t){});
	}
	array_destroy(empty);
	this->store->flush(this->store);
	DBG1(DBG_CFG, "mif: restored %u bindings in %u sessions, %u expired "
		 "while down", this->heap.count, this->sessions, dropped);
	return ok;
}

/**
 * Free everything without recording changes
 */
static void free_all(private_mif_backend_t *this)
{
	mif_session_t *session;
	change_list_t none = {};
	u_int i;

	/* every session is in at least one of the two session indices */
	for (i = 0; i <= this->by_hoa.mask; i++)
	{
		while ((session = this->by_hoa.buckets[i]))
		{
			remove_session(this, session, &none);
		}
	}
	for (i = 0; i <= this->by_id.mask; i++)
	{
		while ((session = this->by_id.buckets[i]))
		{
			remove_session(this, session, &none);
		}
	}
}

METHOD(mif_backend_t, destroy, void,
	private_mif_backend_t *this)
{
	if (this->timer)
	{
		this->timer->mutex->lock(this->timer->mutex);
		this->timer->backend = NULL;
		this->timer->mutex->unlock(this->timer->mutex);
		timer_unref(this->timer);
	}
	flush(this);
	free_all(this);
	DESTROY_IF(this->store);
	mif_table_free(&this->by_key);
	mif_index_free(&this->by_coa);
	mif_index_free(&this->by_hoa);
	mif_index_free(&this->by_id);
	mif_index_free(&this->by_spi_in);
	mif_index_free(&this->by_spi_out);
	mif_index_free(&this->by_ike);
	mif_heap_free(&this->heap);
	mif_slab_deinit(&this->entries);
	mif_slab_deinit(&this->session_slab);
	this->listeners->destroy(this->listeners);
	this->lock->destroy(this->lock);
	this->llock->destroy(this->llock);
	this->qlock->destroy(this->qlock);
	this->idle->destroy(this->idle);
	free(this);
}

/*
 * Described in header
 */
mif_backend_t *mif_backend_create(const mif_config_t *config,
								  mif_store_t *store)
{
	private_mif_backend_t *this;
	rng_t *rng;

	INIT(this,
		.public = {
			.registration = _registration,
			.deregister = _deregister,
			.remove_session = _remove_session_,
			.set_state = _set_state,
			.get_binding = _get_binding,
			.get_bindings = _get_bindings,
			.find_by_coa = _find_by_coa,
			.find_by_interface = _find_by_interface,
			.get_seq = _get_seq,
			.set_flow = _set_flow,
			.remove_flow = _remove_flow_,
			.refresh_flows = _refresh_flows,
			.get_flows = _get_flows,
			.select = _select_,
			.attach_sa = _attach_sa,
			.detach_sa = _detach_sa,
			.detach_ike_sa = _detach_ike_sa,
			.remove_sessions_with = _remove_sessions_with,
			.find_by_spi = _find_by_spi,
			.get_sas = _get_sas,
			.add_listener = _add_listener,
			.remove_listener = _remove_listener,
			.expire = _expire,
			.create_enumerator = _create_enumerator,
			.get_count = _get_count,
			.flush = _flush,
			.destroy = _destroy,
		},
		.lock = rwlock_create(RWLOCK_TYPE_DEFAULT),
		.llock = rwlock_create(RWLOCK_TYPE_DEFAULT),
		.qlock = mutex_create(MUTEX_TYPE_DEFAULT),
		.idle = condvar_create(CONDVAR_TYPE_DEFAULT),
		.listeners = linked_list_create(),
		.next_sid = 1,
		.seed = (uint64_t)(uintptr_t)&this ^ time_monotonic(NULL),
	);
	if (config)
	{
		this->config = *config;
	}
	if (!this->config.max_lifetime ||
		this->config.max_lifetime > MIF_LIFETIME_MAX)
	{
		this->config.max_lifetime = MIF_LIFETIME_MAX;
	}
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
	mif_index_init(&this->by_spi_in, offsetof(sa_entry_t, next_spi_in),
				   rehash_spi_in, this);
	mif_index_init(&this->by_spi_out, offsetof(sa_entry_t, next_spi_out),
				   rehash_spi_out, this);
	mif_index_init(&this->by_ike, offsetof(sa_entry_t, next_ike),
				   rehash_ike, this);

	if (store)
	{
		this->store = store;
		if (!load(this))
		{
			DBG1(DBG_CFG, "mif: loading persisted bindings failed");
			destroy(this);
			return NULL;
		}
	}
	if (this->config.expiry_interval && lib->scheduler)
	{
		INIT(this->timer,
			.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
			.backend = this,
			.interval = this->config.expiry_interval,
			.refs = 2,
		);
		lib->scheduler->schedule_job_ms(lib->scheduler,
					(job_t*)callback_job_create(expiry_job, this->timer,
												expiry_job_cleanup, NULL),
					this->config.expiry_interval);
	}
	return &this->public;
}
