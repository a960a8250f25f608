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
 * @defgroup mif_session mif_session
 * @{ @ingroup libmif
 */

#ifndef MIF_SESSION_H_
#define MIF_SESSION_H_

#include "mif_binding.h"
#include "mif_flow.h"
#include "mif_sa_ref.h"

#include <collections/array.h>

typedef struct mif_entry_t mif_entry_t;
typedef struct mif_session_t mif_session_t;
typedef struct mif_session_ext_t mif_session_ext_t;
typedef struct mif_sa_entry_t mif_sa_entry_t;

/**
 * Stored binding (internal to the backend).
 *
 * A plain record rather than an object: at a million bindings every
 * pointer counts. It is referenced by the (HoA, BID) table and linked
 * into the CoA index, the session's binding list and the expiry heap.
 */
struct mif_entry_t {
	/** the binding data handed out as copies, key (HoA, BID) first */
	mif_binding_t b;
	/** session owning the binding */
	mif_session_t *session;
	/** chain in the CoA index */
	mif_entry_t *next_coa;
	/** next binding of the same session */
	mif_entry_t *next_sess;
	/** position in the expiry heap + 1, 0 if not in the heap */
	u_int heap_pos;
};

/**
 * Stored SA reference (internal to the backend).
 */
struct mif_sa_entry_t {
	/** the reference */
	mif_sa_ref_t ref;
	/** session owning the reference */
	mif_session_t *session;
};

/**
 * Rarely used session data, kept out of line (internal to the backend).
 *
 * Most sessions are home-address sessions with bindings only; moving the
 * identity, flows and SA references here keeps mif_session_t at 64 bytes.
 */
struct mif_session_ext_t {
	/** identity, or NULL */
	char *id;
	/** flow bindings, sorted by priority, NULL if none */
	mif_flow_t *flows;
	/** number of flows */
	u_int nflows;
	/** SA references as mif_sa_entry_t*, NULL if none */
	array_t *sas;
};

/**
 * Mobility session of one mobile node / peer (internal to the backend).
 */
struct mif_session_t {
	/** home address, family 0 for identity-only sessions */
	mif_addr_t hoa;
	/** last accepted sequence number */
	uint16_t seq;
	/** number of bindings */
	uint16_t count;
	/** store ID */
	uint64_t sid;
	/** list of bindings */
	mif_entry_t *bindings;
	/** chain in the HoA index */
	mif_session_t *next_hoa;
	/** chain in the identity index */
	mif_session_t *next_id;
	/** identity, flows and SA references, NULL if it has none of them */
	mif_session_ext_t *ext;
};

/**
 * Identity of a session.
 *
 * @param session	session
 * @return			identity, NULL if none
 */
static inline char *mif_session_id(mif_session_t *session)
{
	return session->ext ? session->ext->id : NULL;
}

/**
 * Flows of a session, sorted by priority.
 *
 * @param session	session
 * @return			flows, NULL if none
 */
static inline mif_flow_t *mif_session_flows(mif_session_t *session)
{
	return session->ext ? session->ext->flows : NULL;
}

/**
 * Number of flows of a session.
 *
 * @param session	session
 * @return			number of flows
 */
static inline u_int mif_session_nflows(mif_session_t *session)
{
	return session->ext ? session->ext->nflows : 0;
}

/**
 * SA references of a session.
 *
 * @param session	session
 * @return			array of mif_sa_entry_t*, NULL if none
 */
static inline array_t *mif_session_sas(mif_session_t *session)
{
	return session->ext ? session->ext->sas : NULL;
}

/**
 * Get the out-of-line data of a session, allocating it if necessary.
 *
 * @param session	session
 * @return			out-of-line data
 */
mif_session_ext_t *mif_session_get_ext(mif_session_t *session);

/**
 * Free the out-of-line data of a session (identity, flows and the SA
 * reference array, not the references).
 *
 * @param session	session
 */
void mif_session_free_ext(mif_session_t *session);

/**
 * Find a binding of a session by BID.
 *
 * @param session	session
 * @param bid		binding ID
 * @return			entry, NULL if not found
 */
mif_entry_t *mif_session_get_entry(mif_session_t *session, uint16_t bid);

/**
 * Link an entry into the session's binding list.
 *
 * @param session	session
 * @param entry		entry to add
 */
void mif_session_add_entry(mif_session_t *session, mif_entry_t *entry);

/**
 * Unlink an entry from the session's binding list.
 *
 * @param session	session
 * @param entry		entry to remove
 */
void mif_session_remove_entry(mif_session_t *session, mif_entry_t *entry);

/**
 * Find a flow of a session by FID.
 *
 * @param session	session
 * @param fid		flow ID
 * @param idx		receives the index in flows, if not NULL
 * @return			flow (inside flows), NULL if not found
 */
mif_flow_t *mif_session_get_flow(mif_session_t *session, uint16_t fid,
								 int *idx);

/**
 * Insert or replace a flow, keeping flows sorted by priority.
 *
 * @param session	session
 * @param flow		flow to store (copied)
 * @return			TRUE if a flow with the same FID was replaced
 */
bool mif_session_put_flow(mif_session_t *session, const mif_flow_t *flow);

/**
 * Remove a flow by index.
 *
 * @param session	session
 * @param idx		index in flows
 */
void mif_session_remove_flow(mif_session_t *session, int idx);

/**
 * Update the "active" flag of a flow from the session's bindings: a flow
 * is inactive when none of its BIDs is registered (RFC 6089 §4.3).
 *
 * @param session	session
 * @param flow		flow to update
 */
void mif_session_update_active(mif_session_t *session, mif_flow_t *flow);

/**
 * Check whether a session holds nothing anymore and can be dropped.
 *
 * @param session	session
 * @return			TRUE if it has no bindings, flows or SA references
 */
bool mif_session_is_empty(mif_session_t *session);

#endif /** MIF_SESSION_H_ @}*/
