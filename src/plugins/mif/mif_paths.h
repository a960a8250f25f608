/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_paths mif_paths
 * @{ @ingroup mif
 *
 * Path lifecycle: announcing local addresses (doc/protocol.md 6.2),
 * recording bindings in libmif, path CHILD SAs and their data plane
 * (doc/protocol.md 7), routes over the active paths and the one way a path
 * ends (doc/protocol.md 8), and the path events of every state change
 * (mif_path_event.h). Calls only mif_exchange.c of the path manager.
 *
 * All functions expect this->mutex held.
 */

#ifndef MIF_PATHS_H_
#define MIF_PATHS_H_

#include "mif_manager_priv.h"

/**
 * Enter a state (mif_path_set_state()) and publish its event: ANNOUNCED and
 * CHECKING "added", CHILD "proven", ACTIVE "active", DEAD "dead".
 *
 * @param reason		why, a short token for mifctl monitor
 */
void mif_paths_set_state(private_mif_manager_t *this, mif_conn_t *conn,
						 mif_path_t *path, mif_path_state_t state,
						 const char *reason);

/**
 * Publish a path event to the event listeners.
 *
 * @param reason		why, a short token for mifctl monitor, or NULL
 */
void mif_paths_event(private_mif_manager_t *this, mif_conn_t *conn,
					 mif_path_t *path, mif_path_event_type_t type,
					 const char *reason);

/**
 * Record a path's binding in libmif, in the conn's session (nothing before
 * the IKE SA is up); mif_paths_release() removes it.
 */
void mif_paths_record_binding(private_mif_manager_t *this, mif_conn_t *conn,
							  mif_path_t *path, mif_binding_state_t state);

/**
 * Owner: announce a local address as a new path with MIF_PATH_ADD
 * (doc/protocol.md 6.2).
 *
 * @param ifname		interface of the address, NULL to look it up
 * @return				assigned BID, 0 if none
 */
uint16_t mif_paths_announce(private_mif_manager_t *this, mif_conn_t *conn,
							ike_sa_t *ike_sa, host_t *local, char *ifname);

/**
 * Owner: announce all usable local addresses of an IKE SA.
 */
void mif_paths_announce_all(private_mif_manager_t *this, mif_conn_t *conn,
							ike_sa_t *ike_sa);

/**
 * Owner: announce our usable addresses again after delay ticks (0: at the
 * next tick), e.g. when paths were given up on a timeout; the path timer
 * (mif_liveness.c) does it when due.
 */
void mif_paths_reannounce(private_mif_manager_t *this, mif_conn_t *conn,
						  u_int delay);

/**
 * Route the IKE SA's inner destinations over its active paths.
 */
void mif_paths_update_routes(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Learn the inner destinations and source from a regular CHILD SA: its
 * remote selectors, unless they would capture the paths' own outer
 * traffic.
 */
void mif_paths_learn_routes(mif_conn_t *conn, ike_sa_t *ike_sa,
							child_sa_t *child_sa);

/**
 * Verifier: queue the creation of a path's CHILD SA after its return
 * routability was proven (doc/protocol.md 6.2).
 */
void mif_paths_create_child(private_mif_manager_t *this, mif_conn_t *conn,
							mif_path_t *path);

/**
 * A path's CHILD SA is up: install its data plane if the SA is the one the
 * path waits for (its address pair, state CHILD), else delete the SA
 * (doc/protocol.md 8 row 6).
 */
void mif_paths_child_up(private_mif_manager_t *this, mif_conn_t *conn,
						ike_sa_t *ike_sa, child_sa_t *child_sa);

/**
 * Release everything of a path and forget it: data plane, routes, libmif
 * binding, source routing and, if asked to, its CHILD SA. The one way a
 * path ends, whatever ends it (doc/protocol.md 8 rows 4, 10, 11, 13-15).
 *
 * @param delete_child	delete the path's CHILD SA (FALSE if it is gone
 *						already or goes with its IKE SA)
 * @param reason		why, for the "removed" event (mifctl monitor)
 */
void mif_paths_release(private_mif_manager_t *this, mif_conn_t *conn,
					   mif_path_t *path, bool delete_child,
					   const char *reason);

/**
 * Release all paths of an IKE SA that goes away (doc/protocol.md 8 row 13);
 * their CHILD SAs go with the IKE SA.
 */
void mif_paths_release_all(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Remove a path on our own account: tell the peer (MIF_PATH_REMOVE with
 * a new Seq, doc/protocol.md 6.3) and release it; its CHILD SA is deleted
 * by the peer, or by us after MIF_DELETE_GRACE seconds.
 */
void mif_paths_remove(private_mif_manager_t *this, mif_conn_t *conn,
					  mif_path_t *path, mif_path_remove_reason_t reason);

#endif /** MIF_PATHS_H_ @}*/
