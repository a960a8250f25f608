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
 * @defgroup mif_backend mif_backend
 * @{ @ingroup libmif
 */

#ifndef MIF_BACKEND_H_
#define MIF_BACKEND_H_

#include "mif_binding.h"
#include "mif_flow.h"
#include "mif_sa_ref.h"
#include "mif_listener.h"
#include "mif_store.h"

#include <collections/enumerator.h>

typedef struct mif_backend_t mif_backend_t;
typedef struct mif_config_t mif_config_t;

/**
 * Backend policy and timing configuration.
 */
struct mif_config_t {
	/** longest lifetime granted in seconds, longer requests are reduced;
	 *  0 for MIF_LIFETIME_MAX */
	uint32_t max_lifetime;
	/** maximum number of bindings per session, 0 for unlimited */
	u_int max_bindings;
	/** refuse registrations with more than one BID (RFC 5648 status 168) */
	bool no_bulk;
	/** interval of the expiry/flush job on lib->scheduler in ms, 0 for none */
	u_int expiry_interval;
};

/**
 * The mobility binding backend: sessions, bindings (RFC 5648), flow
 * bindings (RFC 6089) and SA references, with expiry, change events and
 * optional persistence.
 *
 * All methods are thread-safe. Lookups run in parallel under a read lock
 * and return copies, so results stay valid after the call.
 */
struct mif_backend_t {

	/**
	 * Process a (bulk) registration: register, refresh or de-register the
	 * BIDs of one request.
	 *
	 * The sequence number must be greater than the session's last one
	 * modulo 2^16 (RFC 6275 §9.5.1), otherwise nothing changes and
	 * MIF_STATUS_SEQ_OUT_OF_WINDOW is returned. Each entry is validated on
	 * its own; valid entries are applied even if others fail (their
	 * per-BID status tells). With MIF_REG_OVERWRITE, bindings of the
	 * session not named by an accepted entry are removed.
	 *
	 * @param req		request; per-entry status/granted and, with
	 *					MIF_REG_AUTO_SEQ, seq are written back
	 * @return			MIF_STATUS_ACCEPTED if all entries were accepted,
	 *					the entry's status for single-BID requests,
	 *					MIF_STATUS_MCOA_NOTCOMPLETE if some BIDs failed, or
	 *					a request-wide rejection
	 */
	mif_status_t (*registration)(mif_backend_t *this, mif_reg_t *req);

	/**
	 * Remove one binding without a sequence number check (local decisions,
	 * e.g. an interface went away).
	 *
	 * @param key		session key
	 * @param bid		binding ID
	 * @return			TRUE if the binding existed
	 */
	bool (*deregister)(mif_backend_t *this, const mif_key_t *key,
					   uint16_t bid);

	/**
	 * Remove a session with all its bindings, flows and SA references.
	 *
	 * @param key		session key
	 * @return			TRUE if the session existed
	 */
	bool (*remove_session)(mif_backend_t *this, const mif_key_t *key);

	/**
	 * Change the state of a binding (e.g. after path probing).
	 *
	 * @param key		session key
	 * @param bid		binding ID
	 * @param state		new state (PROBING, ACTIVE or STANDBY)
	 * @return			TRUE if the binding exists and state is valid
	 */
	bool (*set_state)(mif_backend_t *this, const mif_key_t *key, uint16_t bid,
					  mif_binding_state_t state);

	/**
	 * Look up one binding.
	 *
	 * @param key		session key
	 * @param bid		binding ID
	 * @param out		receives a copy
	 * @return			TRUE if found
	 */
	bool (*get_binding)(mif_backend_t *this, const mif_key_t *key,
						uint16_t bid, mif_binding_t *out);

	/**
	 * Look up all bindings of a session (by home address and/or identity).
	 *
	 * @param key		session key
	 * @param out		receives up to max copies
	 * @param max		size of out
	 * @return			number of bindings of the session (may exceed max),
	 *					-1 if there is no such session
	 */
	int (*get_bindings)(mif_backend_t *this, const mif_key_t *key,
						mif_binding_t *out, u_int max);

	/**
	 * Look up bindings by care-of address (port ignored).
	 *
	 * @param coa		care-of address
	 * @param out		receives up to max copies
	 * @param max		size of out
	 * @return			number of matching bindings (may exceed max)
	 */
	u_int (*find_by_coa)(mif_backend_t *this, const mif_addr_t *coa,
						 mif_binding_t *out, u_int max);

	/**
	 * Look up bindings by local interface. This walks all bindings; it is
	 * meant for interface events on mobile nodes, not for hot paths.
	 *
	 * @param ifname	interface name, NULL to match by index only
	 * @param ifindex	interface index, 0 to match by name only
	 * @param out		receives up to max copies
	 * @param max		size of out
	 * @return			number of matching bindings (may exceed max)
	 */
	u_int (*find_by_interface)(mif_backend_t *this, const char *ifname,
							   uint32_t ifindex, mif_binding_t *out, u_int max);

	/**
	 * Get the last accepted sequence number of a session.
	 *
	 * @param key		session key
	 * @param seq		receives the sequence number
	 * @return			TRUE if the session exists
	 */
	bool (*get_seq)(mif_backend_t *this, const mif_key_t *key, uint16_t *seq);

	/**
	 * Add or modify a flow binding (RFC 6089 §5.3.2). The session must
	 * exist; all referenced BIDs must be registered; FID-PRI must be
	 * unique within the session.
	 *
	 * @param key		session key
	 * @param flow		flow to store (the "active" field is ignored)
	 * @return			MIF_FLOW_OK or the rejection status
	 */
	mif_flow_status_t (*set_flow)(mif_backend_t *this, const mif_key_t *key,
								  const mif_flow_t *flow);

	/**
	 * Remove a flow binding.
	 *
	 * @param key		session key
	 * @param fid		flow ID
	 * @return			MIF_FLOW_OK or MIF_FLOW_FID_NOT_FOUND
	 */
	mif_flow_status_t (*remove_flow)(mif_backend_t *this, const mif_key_t *key,
									 uint16_t fid);

	/**
	 * Refresh flow bindings (RFC 6089 Flow Summary): flows whose FID is not
	 * listed are removed. If any listed FID is unknown, nothing changes.
	 *
	 * @param key		session key
	 * @param fids		FIDs to keep
	 * @param count		number of FIDs
	 * @return			MIF_FLOW_OK or MIF_FLOW_FID_NOT_FOUND
	 */
	mif_flow_status_t (*refresh_flows)(mif_backend_t *this,
									   const mif_key_t *key,
									   const uint16_t *fids, u_int count);

	/**
	 * Get the flow bindings of a session, ordered by priority, with their
	 * "active" field computed.
	 *
	 * @param key		session key
	 * @param out		receives up to max copies
	 * @param max		size of out
	 * @return			number of flows (may exceed max), -1 if no session
	 */
	int (*get_flows)(mif_backend_t *this, const mif_key_t *key,
					 mif_flow_t *out, u_int max);

	/**
	 * Select the bindings for a packet (RFC 6089 §4.3): the first active
	 * flow by priority whose selector matches decides; a flow's
	 * deregistered BIDs are skipped; unmatched traffic uses the active
	 * binding with the best BID-PRI.
	 *
	 * @param key		session key
	 * @param pkt		packet description
	 * @param action	receives the action (MIF_FLOW_BIDS/DROP/HOME)
	 * @param bids		receives up to max BIDs to forward via
	 * @param max		size of bids
	 * @return			number of BIDs written, -1 if no session
	 */
	int (*select)(mif_backend_t *this, const mif_key_t *key,
				  const mif_packet_t *pkt, mif_flow_action_t *action,
				  uint16_t *bids, u_int max);

	/**
	 * Attach an SA reference to a session (which is created if needed).
	 * Inbound SPIs of CHILD/RFC 6618 SAs must be unique.
	 *
	 * @param key		session key
	 * @param ref		reference to attach
	 * @return			FALSE if invalid or the inbound SPI is in use
	 */
	bool (*attach_sa)(mif_backend_t *this, const mif_key_t *key,
					  const mif_sa_ref_t *ref);

	/**
	 * Detach an SA reference, identified by type and inbound SPI (CHILD,
	 * RFC 6618) or IKE unique ID (IKE).
	 *
	 * @param ref		reference to detach
	 * @return			TRUE if found
	 */
	bool (*detach_sa)(mif_backend_t *this, const mif_sa_ref_t *ref);

	/**
	 * Detach all references with a given IKE unique ID (the IKE SA and its
	 * CHILD SAs), e.g. when the IKE SA goes down.
	 *
	 * @param ike_id	IKE SA unique ID
	 * @return			number of references detached
	 */
	u_int (*detach_ike_sa)(mif_backend_t *this, uint32_t ike_id);

	/**
	 * Remove every session that holds an SA reference of a type, with
	 * its bindings, flows and references. IKE and CHILD SA references name
	 * SAs of one daemon instance (unique IDs restart at 1): after a restart,
	 * sessions loaded from the store that reference them are stale.
	 *
	 * @param type		SA reference type
	 * @return			number of sessions removed
	 */
	u_int (*remove_sessions_with)(mif_backend_t *this, mif_sa_type_t type);

	/**
	 * Look up an SA reference by SPI (inbound first, then outbound).
	 *
	 * @param spi		SPI
	 * @param ref		receives a copy of the reference, may be NULL
	 * @param hoa		receives the session's home address, may be NULL
	 * @return			TRUE if found
	 */
	bool (*find_by_spi)(mif_backend_t *this, uint32_t spi, mif_sa_ref_t *ref,
						mif_addr_t *hoa);

	/**
	 * Get the SA references of a session.
	 *
	 * @param key		session key
	 * @param out		receives up to max copies
	 * @param max		size of out
	 * @return			number of references (may exceed max), -1 if no session
	 */
	int (*get_sas)(mif_backend_t *this, const mif_key_t *key,
				   mif_sa_ref_t *out, u_int max);

	/**
	 * Register a listener. Must not be called from a listener callback.
	 *
	 * @param listener	listener to add
	 */
	void (*add_listener)(mif_backend_t *this, mif_listener_t *listener);

	/**
	 * Unregister a listener; no callback of it runs after this returns.
	 * Must not be called from a listener callback.
	 *
	 * @param listener	listener to remove
	 */
	void (*remove_listener)(mif_backend_t *this, mif_listener_t *listener);

	/**
	 * Expire all bindings whose lifetime ended at or before now. Called by
	 * the periodic job; exposed for tests and tools.
	 *
	 * @param now		monotonic time (time_monotonic())
	 * @return			number of bindings expired
	 */
	u_int (*expire)(mif_backend_t *this, time_t now);

	/**
	 * Enumerate copies of all bindings. The read lock is held until the
	 * enumerator is destroyed: do not call modifying methods meanwhile.
	 *
	 * @return			enumerator over const mif_binding_t*
	 */
	enumerator_t *(*create_enumerator)(mif_backend_t *this);

	/**
	 * Get the number of bindings and sessions.
	 *
	 * @param sessions	receives the number of sessions, may be NULL
	 * @return			number of bindings
	 */
	u_int (*get_count)(mif_backend_t *this, u_int *sessions);

	/**
	 * Make all changes so far durable in the store (if any).
	 *
	 * @return			TRUE if successful or no store is used
	 */
	bool (*flush)(mif_backend_t *this);

	/**
	 * Destroy the backend, flushing and destroying its store.
	 */
	void (*destroy)(mif_backend_t *this);
};

/**
 * Create a backend.
 *
 * If a store is given, its state is loaded first (bindings whose
 * lifetime ended while the daemon was down are dropped) and all changes
 * are written to it.
 *
 * @param config	configuration, NULL for defaults
 * @param store		persistent store (adopted), NULL for none
 * @return			backend, NULL if loading the store failed
 */
mif_backend_t *mif_backend_create(const mif_config_t *config,
								  mif_store_t *store);

#endif /** MIF_BACKEND_H_ @}*/
