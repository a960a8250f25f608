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
#include "mif_ratelimit.h"

#include "mif_monitor.h"
#include <collections/hashtable.h>
#include <threading/mutex.h>

/** RR probes one address may receive at once; then one per second */
#define MIF_RR_BURST 2

/** seconds the peer has to delete the CHILD SA of a path we removed */
#define MIF_DELETE_GRACE 5

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
	 * mif_conn_t with probe keys, by the IKE SPIs probes carry.
	 */
	hashtable_t *by_spi;

	/**
	 * RR probes per destination address.
	 */
	mif_ratelimit_t *rr_limit;

	/**
	 * Cookies of liveness requests.
	 */
	rng_t *rng;

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
	 * Seconds a DEAD path is kept before it is removed.
	 */
	u_int dead_timeout;

	/**
	 * Ticks of the path timer so far (the clock of conn->reannounce).
	 */
	uint32_t ticks;

	/**
	 * Whether we announce our addresses as paths (original initiator).
	 */
	bool announce;
};

/* the functions below expect this->mutex held unless noted */

/**
 * Record a path's binding in libmif, in the conn's session (nothing before
 * the IKE SA is up); release_path removes it.
 */
void mif_mgr_record_binding(private_mif_manager_t *this, mif_conn_t *conn,
							mif_path_t *path, mif_binding_state_t state);

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
void mif_mgr_create_child(private_mif_manager_t *this, mif_conn_t *conn,
						  mif_path_t *path);

/**
 * Release everything of a path and forget it: data plane, routes, libmif
 * binding, source routing and, if asked to, its CHILD SA. The one way a
 * path ends, whatever ends it (doc/protocol.md 8 rows 4, 10, 11, 13-15).
 *
 * @param delete_child	delete the path's CHILD SA (FALSE if it is gone
 *						already or goes with its IKE SA)
 */
void mif_mgr_release_path(private_mif_manager_t *this, mif_conn_t *conn,
						  mif_path_t *path, bool delete_child);

/**
 * Release all paths of an IKE SA that goes away.
 */
void mif_mgr_forget_all(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Remove a path on our own account: tell the peer (MIF_PATH_REMOVE with
 * a new Seq) and release it with its CHILD SA.
 */
void mif_mgr_remove_path(private_mif_manager_t *this, mif_conn_t *conn,
						 mif_path_t *path, mif_path_remove_reason_t reason);

/**
 * Owner: announce our usable addresses again after delay ticks (0: at the
 * next tick), e.g. when paths were given up on a timeout.
 */
void mif_mgr_reannounce(private_mif_manager_t *this, mif_conn_t *conn,
						u_int delay);

/**
 * Learn the inner destinations and source from a regular CHILD SA.
 */
void mif_mgr_learn_routes(mif_conn_t *conn, ike_sa_t *ike_sa,
						  child_sa_t *child_sa);

/**
 * A path's CHILD SA is up: install its data plane if the SA is the one the
 * path waits for (its address pair, state CHILD), else delete the SA.
 */
void mif_mgr_path_child_up(private_mif_manager_t *this, mif_conn_t *conn,
						   ike_sa_t *ike_sa, child_sa_t *child_sa);

/**
 * Start an INFORMATIONAL exchange carrying one notify (data adopted) on the
 * conn's IKE SA, whatever it is when the job runs (rekeys move conns); any
 * lock state, it only queues a job.
 *
 * @param id			the conn's stable id (mif_conn_t.id)
 */
void mif_mgr_send_notify(private_mif_manager_t *this, uint32_t id,
						 notify_type_t type, chunk_t data);

/**
 * Check out the IKE SA a conn is on now (IKE rekeys move conns), for jobs
 * that remember a conn by its stable id; takes the lock briefly.
 *
 * @return			IKE SA, checked out; NULL if the conn or its SA is gone
 */
ike_sa_t *mif_mgr_checkout_conn(private_mif_manager_t *this, uint32_t id);

/**
 * Handle a plain IKE message for the extension (takes the lock).
 */
void mif_mgr_message(private_mif_manager_t *this, ike_sa_t *ike_sa,
					 message_t *message, bool incoming);

/**
 * Send the return-routability probe of a path (verifier), unless its
 * address had its share of RR probes (doc/protocol.md 5.3 step 5).
 */
void mif_mgr_send_rr(private_mif_manager_t *this, mif_conn_t *conn,
					 mif_path_t *path);

/**
 * Index a conn by its SPIs, after its probe keys were (re-)derived; any
 * previous entry of the conn must have been removed.
 */
void mif_mgr_index_conn(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Remove a conn from the SPI index.
 */
void mif_mgr_unindex_conn(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Hash and equality of conns by their SPIs, for the SPI index.
 */
u_int mif_mgr_hash_spis(mif_conn_t *conn);
bool mif_mgr_equals_spis(mif_conn_t *a, mif_conn_t *b);

/**
 * Is the extension enabled for this IKE SA's connection (any lock state)?
 * A responder knows its connection only once the IKE SA comes up; before,
 * the global switch decides.
 */
bool mif_mgr_enabled_for(ike_sa_t *ike_sa);

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
 * Delete a CHILD SA of a path, once the IKE SA's path is usable; any lock
 * state, it only queues a job.
 */
void mif_mgr_delete_child(uint32_t child_id);

/**
 * Undo the steering of the IKE SA's route.
 */
void mif_mgr_unsteer(private_mif_manager_t *this, mif_conn_t *conn);

#endif /** MIF_MANAGER_PRIV_H_ @}*/
