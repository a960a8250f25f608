/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_manager_priv mif_manager_priv
 * @{ @ingroup mif
 */

#ifndef MIF_MANAGER_PRIV_H_
#define MIF_MANAGER_PRIV_H_

#include "mif_manager.h"
#include "mif_conn.h"
#include "mif_prober.h"
#include "mif_srcroute.h"

#include <mif_monitor.h>
#include <collections/hashtable.h>
#include <threading/mutex.h>

/** name prefix of the runtime CHILD configs of paths */
#define PATH_CHILD_PREFIX "mif-path-"

typedef struct private_mif_manager_t private_mif_manager_t;

/**
 * Private data.
 */
struct private_mif_manager_t {

	/**
	 * Public interface.
	 */
	mif_manager_t public;

	/**
	 * Interface events (libnl through libmif).
	 */
	mif_monitor_listener_t monitor_listener;

	/**
	 * libmif backend.
	 */
	mif_backend_t *backend;

	/**
	 * Kernel data plane, or NULL.
	 */
	mif_dataplane_t *dataplane;

	/**
	 * Probe sockets.
	 */
	mif_prober_t *prober;

	/**
	 * Interface monitor, or NULL.
	 */
	mif_monitor_t *monitor;

	/**
	 * Source routing of our paths' local addresses, or NULL.
	 */
	mif_srcroute_t *srcroute;

	/**
	 * mif_conn_t by IKE SA unique id.
	 */
	hashtable_t *conns;

	/**
	 * Protects conns and everything in them.
	 */
	mutex_t *mutex;

	/**
	 * Liveness probe interval and dead interval, in ms.
	 */
	u_int interval, dead;

	/**
	 * RR probe retransmissions before a path is refused.
	 */
	u_int rr_tries;

	/**
	 * Whether we announce our addresses as paths (original initiator).
	 */
	bool announce;
};

/* the functions below expect this->mutex held unless noted */

/**
 * Record a path's binding in libmif (lifetime 0 removes it).
 */
void mif_mgr_record_binding(private_mif_manager_t *this, ike_sa_t *ike_sa,
							mif_path_t *path, mif_binding_state_t state,
							uint32_t lifetime);

/**
 * Announce a local address as a new path (ifname may be NULL).
 *
 * @return			assigned BID, 0 if none
 */
uint16_t mif_mgr_announce_path(private_mif_manager_t *this, mif_conn_t *conn,
							   ike_sa_t *ike_sa, host_t *local, char *ifname);

/**
 * Announce all usable local addresses of an IKE SA.
 */
void mif_mgr_announce_all(private_mif_manager_t *this, mif_conn_t *conn,
						  ike_sa_t *ike_sa);

/**
 * Route the IKE SA's inner destinations over its active paths.
 */
void mif_mgr_update_routes(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Queue the creation of a path's CHILD SA (verifier, after RR).
 */
void mif_mgr_create_child(mif_conn_t *conn, mif_path_t *path);

/**
 * Forget a path, releasing its source routing.
 */
void mif_mgr_forget_path(private_mif_manager_t *this, mif_conn_t *conn,
						 uint16_t bid);

/**
 * Forget all paths of an IKE SA.
 */
void mif_mgr_forget_all(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Tear a path down locally: data plane, binding, routes (ike_sa may be NULL).
 */
void mif_mgr_drop_path(private_mif_manager_t *this, mif_conn_t *conn,
					   ike_sa_t *ike_sa, mif_path_t *path);

/**
 * Learn the inner destinations and source from a regular CHILD SA.
 */
void mif_mgr_learn_routes(mif_conn_t *conn, ike_sa_t *ike_sa,
						  child_sa_t *child_sa);

/**
 * A path's CHILD SA is up: install its data plane.
 */
void mif_mgr_path_child_up(private_mif_manager_t *this, mif_conn_t *conn,
						   ike_sa_t *ike_sa, child_sa_t *child_sa);

/**
 * Start an INFORMATIONAL exchange carrying one notify (data adopted); any
 * lock state, it only queues a job.
 */
void mif_mgr_send_notify(private_mif_manager_t *this, uint32_t ike_id,
						 notify_type_t type, chunk_t data);

/**
 * Handle a plain IKE message for the extension (takes the lock).
 */
void mif_mgr_message(private_mif_manager_t *this, ike_sa_t *ike_sa,
					 message_t *message, bool incoming);

/**
 * Send a probe on a path.
 */
void mif_mgr_send_probe(private_mif_manager_t *this, mif_conn_t *conn,
						mif_path_t *path, mif_probe_type_t type,
						uint8_t flags, uint32_t number);

/**
 * mif_prober_cb_t for probes received (takes the lock).
 */
void mif_mgr_receive_probe(void *data, host_t *src, host_t *dst,
						   chunk_t datagram);

/**
 * Periodic job of all path timers (takes the lock).
 */
job_requeue_t mif_mgr_tick(void *data);

/**
 * Can the IKE SA's current path carry an exchange (any lock state)? If
 * not, MOBIKE is about to move it and an exchange of ours would hold the
 * MOBIKE update back.
 */
bool mif_mgr_ike_path_usable(ike_sa_t *ike_sa);

/**
 * Remove a path's binding from libmif without the IKE SA at hand.
 */
void mif_mgr_forget_binding(private_mif_manager_t *this, mif_conn_t *conn,
							uint16_t bid);

/**
 * Delete a path's CHILD SA (the side that removes the path does), once
 * the IKE SA's path is usable; any lock state, it only queues a job.
 */
void mif_mgr_delete_child(uint32_t ike_id, uint32_t child_id);

/**
 * Undo the steering of the IKE SA's route.
 */
void mif_mgr_unsteer(private_mif_manager_t *this, mif_conn_t *conn);

#endif /** MIF_MANAGER_PRIV_H_ @}*/
