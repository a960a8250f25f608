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
 * @defgroup mif_registry mif_registry
 * @{ @ingroup libmif
 */

#ifndef MIF_REGISTRY_H_
#define MIF_REGISTRY_H_

#include "mif_session.h"
#include "mif_index.h"
#include "mif_heap.h"
#include "mif_slab.h"
#include "mif_notifier.h"
#include "mif_sa_table.h"

typedef struct mif_registry_t mif_registry_t;

/**
 * The backend's data: sessions, their bindings and SA references, with the
 * indices and the expiry heap that find them.
 *
 * A record embedded in the backend rather than an object, like the
 * indices it holds: the backend's lookups walk its fields directly (CoA
 * chains, the heap) on the hot path. Not thread-safe: the backend's data
 * lock protects it. Operations that change it record their changes in the
 * caller's mif_changes_t.
 */
struct mif_registry_t {
	/** bindings of sessions with home address, by (HoA, BID) */
	mif_table_t by_key;
	/** bindings by care-of address */
	mif_index_t by_coa;
	/** sessions by home address */
	mif_index_t by_hoa;
	/** sessions by identity */
	mif_index_t by_id;
	/** all bindings, ordered by expiry */
	mif_heap_t heap;
	/** allocator of mif_entry_t */
	mif_slab_t entries;
	/** allocator of mif_session_t (64 bytes, malloc would add 16) */
	mif_slab_t session_slab;
	/** SA references of the sessions */
	mif_sa_table_t *sas;
	/** number of sessions */
	u_int sessions;
	/** next session store ID */
	uint64_t next_sid;
	/** hash seed */
	uint64_t seed;
};

/**
 * Initialise an empty registry with an unpredictable hash seed (bucket
 * placement of peer-chosen addresses).
 *
 * @param this		registry
 */
void mif_registry_init(mif_registry_t *this);

/**
 * Free all sessions (recording no changes) and the indices.
 *
 * @param this		registry
 */
void mif_registry_deinit(mif_registry_t *this);

/**
 * Check a session key for well-formedness: a well-formed home address,
 * or a non-empty identity.
 *
 * @param key		session key, may be NULL
 * @return			TRUE if valid
 */
bool mif_registry_check_key(const mif_key_t *key);

/**
 * Validate the parts of a registration entry that do not depend on state.
 *
 * @param entry		registration entry
 * @return			MIF_STATUS_ACCEPTED, MIF_STATUS_MCOA_MALFORMED or
 *					MIF_STATUS_INVALID_COA
 */
mif_status_t mif_registry_check_entry(mif_reg_entry_t *entry);

/**
 * Find a session by home address, else by identity.
 *
 * @param this		registry
 * @param key		valid session key
 * @param conflict	set if the home address belongs to a session with a
 *					different identity, may be NULL
 * @return			session, NULL if none (or conflict)
 */
mif_session_t *mif_registry_find_session(mif_registry_t *this,
										 const mif_key_t *key, bool *conflict);

/**
 * Create and index a session, recording no change.
 *
 * @param this		registry
 * @param hoa		home address (port ignored), family 0 if none
 * @param id		identity (copied), NULL if none
 * @param sid		store ID
 * @param seq		last accepted sequence number
 * @return			session
 */
mif_session_t *mif_registry_add_session(mif_registry_t *this,
										const mif_addr_t *hoa, const char *id,
										uint64_t sid, uint16_t seq);

/**
 * Remove a session with its bindings, flows and SA references.
 *
 * @param this		registry
 * @param session	session
 * @param changes	changes of the operation
 */
void mif_registry_remove_session(mif_registry_t *this, mif_session_t *session,
								 mif_changes_t *changes);

/**
 * Remove a session that holds nothing anymore.
 *
 * @param this		registry
 * @param session	session, may be NULL
 * @param changes	changes of the operation
 */
void mif_registry_drop_if_empty(mif_registry_t *this, mif_session_t *session,
								mif_changes_t *changes);

/**
 * Add a binding to a session, the indices and the expiry heap, recording
 * no change.
 *
 * @param this		registry
 * @param session	session
 * @param binding	binding (copied; its home address is the session's)
 * @return			stored binding
 */
mif_entry_t *mif_registry_add_entry(mif_registry_t *this,
									mif_session_t *session,
									const mif_binding_t *binding);

/**
 * Move a binding to another care-of address.
 *
 * @param this		registry
 * @param entry		stored binding
 * @param coa		new care-of address (with port)
 */
void mif_registry_move_coa(mif_registry_t *this, mif_entry_t *entry,
						   const mif_addr_t *coa);

/**
 * Unlink and free a binding, recording the change.
 *
 * @param this		registry
 * @param entry		stored binding
 * @param event		event to record (REMOVED or EXPIRED)
 * @param changes	changes of the operation
 */
void mif_registry_remove_entry(mif_registry_t *this, mif_entry_t *entry,
							   mif_event_t event, mif_changes_t *changes);

/**
 * Find a binding by session key and BID.
 *
 * @param this		registry
 * @param key		valid session key
 * @param bid		binding ID
 * @return			stored binding, NULL if none
 */
mif_entry_t *mif_registry_find_entry(mif_registry_t *this,
									 const mif_key_t *key, uint16_t bid);

/**
 * Start loading the (HoA, BID) table slot of a binding into the cache,
 * e.g. before taking the lock. Reads the table racily, harmlessly.
 *
 * @param this		registry
 * @param hoa		home address
 * @param bid		binding ID
 */
void mif_registry_prefetch(mif_registry_t *this, const mif_addr_t *hoa,
						   uint16_t bid);

/**
 * First binding in the care-of address chain of an address; walk on with
 * next_coa and compare the address.
 *
 * @param this		registry
 * @param coa		care-of address
 * @return			first binding of the chain, NULL if empty
 */
mif_entry_t *mif_registry_first_coa(mif_registry_t *this,
									const mif_addr_t *coa);

#endif /** MIF_REGISTRY_H_ @}*/
