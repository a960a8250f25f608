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
 * @defgroup mif_store mif_store
 * @{ @ingroup libmif
 */

#ifndef MIF_STORE_H_
#define MIF_STORE_H_

#include "mif_binding.h"
#include "mif_flow.h"
#include "mif_sa_ref.h"

typedef struct mif_store_t mif_store_t;
typedef struct mif_store_loader_t mif_store_loader_t;

/**
 * Callbacks receiving persisted state in mif_store_t.load().
 *
 * Sessions are delivered before anything that refers to them.
 */
struct mif_store_loader_t {

	/**
	 * A persisted session.
	 *
	 * @param sid		store ID of the session
	 * @param hoa		home address (family 0 if none)
	 * @param id		identity or NULL
	 * @param seq		last accepted sequence number
	 * @return			FALSE to abort loading
	 */
	bool (*session)(mif_store_loader_t *this, uint64_t sid,
					const mif_addr_t *hoa, const char *id, uint16_t seq);

	/**
	 * A persisted binding.
	 *
	 * @param sid		session it belongs to
	 * @param binding	binding (expires is meaningless here)
	 * @param expires	absolute wall clock expiry time (time(NULL) based)
	 * @return			FALSE to abort loading
	 */
	bool (*binding)(mif_store_loader_t *this, uint64_t sid,
					const mif_binding_t *binding, time_t expires);

	/**
	 * A persisted flow binding.
	 *
	 * @param sid		session it belongs to
	 * @param flow		the flow
	 * @return			FALSE to abort loading
	 */
	bool (*flow)(mif_store_loader_t *this, uint64_t sid,
				 const mif_flow_t *flow);

	/**
	 * A persisted SA reference.
	 *
	 * @param sid		session it belongs to
	 * @param ref		the reference
	 * @return			FALSE to abort loading
	 */
	bool (*sa)(mif_store_loader_t *this, uint64_t sid, const mif_sa_ref_t *ref);
};

/**
 * Abstract persistent store of the binding backend.
 *
 * The backend calls the put/del methods serialised, in the order changes
 * happen, and never with its data lock held. A store may buffer changes
 * (e.g. in an open transaction) until flush(), which the backend calls
 * periodically and on destruction. Implementations for other media (e.g.
 * a replicated store for home agent clusters) implement the same interface.
 */
struct mif_store_t {

	/**
	 * Insert or replace a session.
	 *
	 * @param sid		session ID, unique within the store
	 * @param hoa		home address (family 0 if none)
	 * @param id		identity or NULL
	 * @param seq		last accepted sequence number
	 * @return			TRUE if successful
	 */
	bool (*put_session)(mif_store_t *this, uint64_t sid, const mif_addr_t *hoa,
						const char *id, uint16_t seq);

	/**
	 * Delete a session and everything attached to it.
	 *
	 * @param sid		session ID
	 * @return			TRUE if successful
	 */
	bool (*del_session)(mif_store_t *this, uint64_t sid);

	/**
	 * Insert or replace a binding (key: sid, BID).
	 *
	 * @param sid		session ID
	 * @param binding	binding to store
	 * @param expires	absolute wall clock expiry time
	 * @return			TRUE if successful
	 */
	bool (*put_binding)(mif_store_t *this, uint64_t sid,
						const mif_binding_t *binding, time_t expires);

	/**
	 * Delete a binding.
	 *
	 * @param sid		session ID
	 * @param bid		binding ID
	 * @return			TRUE if successful
	 */
	bool (*del_binding)(mif_store_t *this, uint64_t sid, uint16_t bid);

	/**
	 * Insert or replace a flow binding (key: sid, FID).
	 *
	 * @param sid		session ID
	 * @param flow		flow to store
	 * @return			TRUE if successful
	 */
	bool (*put_flow)(mif_store_t *this, uint64_t sid, const mif_flow_t *flow);

	/**
	 * Delete a flow binding.
	 *
	 * @param sid		session ID
	 * @param fid		flow ID
	 * @return			TRUE if successful
	 */
	bool (*del_flow)(mif_store_t *this, uint64_t sid, uint16_t fid);

	/**
	 * Insert or replace an SA reference (key: sid, type, IKE ID, SPIs).
	 *
	 * @param sid		session ID
	 * @param ref		reference to store
	 * @return			TRUE if successful
	 */
	bool (*put_sa)(mif_store_t *this, uint64_t sid, const mif_sa_ref_t *ref);

	/**
	 * Delete an SA reference.
	 *
	 * @param sid		session ID
	 * @param ref		reference to delete
	 * @return			TRUE if successful
	 */
	bool (*del_sa)(mif_store_t *this, uint64_t sid, const mif_sa_ref_t *ref);

	/**
	 * Make all buffered changes durable.
	 *
	 * @return			TRUE if successful
	 */
	bool (*flush)(mif_store_t *this);

	/**
	 * Deliver all persisted state to a loader.
	 *
	 * @param loader	callbacks receiving the state
	 * @return			TRUE if everything was read and accepted
	 */
	bool (*load)(mif_store_t *this, mif_store_loader_t *loader);

	/**
	 * Flush and destroy the store.
	 */
	void (*destroy)(mif_store_t *this);
};

#endif /** MIF_STORE_H_ @}*/
