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
 *
 * State of the path manager shared by its files (mif_manager.c, and below
 * it mif_signal.c, mif_liveness.c, mif_paths.c, mif_exchange.c); each
 * declares its functions in a header of its own. Everything in here is
 * protected by the mutex, except the settings fixed at creation.
 */

#ifndef MIF_MANAGER_PRIV_H_
#define MIF_MANAGER_PRIV_H_

#include "mif_manager.h"
#include "mif_conn.h"
#include "mif_prober.h"
#include "mif_srcroute.h"
#include "mif_ratelimit.h"
#include "mif_task.h"

#include "mif_monitor.h"
#include <collections/hashtable.h>
#include <threading/mutex.h>

/** RR probes one address may receive at once; then one per second */
#define MIF_RR_BURST 2

/** seconds the peer has to delete the CHILD SA of a path we removed */
#define MIF_DELETE_GRACE 5

/** seconds a path may wait in CHILD for its CHILD SA: the exchange may
 * queue behind hundreds of others at a loaded gateway (mif-scale at
 * N = 200: 400 paths' CHILD SAs took 17 s, the last ones were given up
 * after the 10 s of rr_tries + 5) */
#define MIF_CHILD_TIMEOUT 30

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
	 * Event listeners, mif_path_event_listener_t* (mif_paths.c publishes).
	 */
	array_t *event_listeners;

	/**
	 * Protects conns and everything in them, and the event listeners.
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
	 * Whether the path timer (mif_liveness_tick()) is scheduled. It stops
	 * while no connection has a path, a pending delete or a pending
	 * re-announcement, so an idle charon does not wake up every probe
	 * interval (200 idle charons in one guest did 2,000 times a second).
	 */
	bool ticking;

	/**
	 * Start the path timer if it stopped: mif_liveness_wake(), called with
	 * the mutex held after adding a path, a delete or a re-announcement;
	 * a pointer, so the files below the liveness in the call order reach it
	 * without calling back up.
	 */
	void (*wake)(private_mif_manager_t *this);

	/**
	 * Whether we announce our addresses as paths (original initiator).
	 */
	bool announce;

	/**
	 * Handles the response to one of our INFORMATIONAL requests (set at
	 * creation: mif_exchange.c sends, mif_signal.c understands the answer).
	 */
	mif_task_cb_t on_response;
};

#endif /** MIF_MANAGER_PRIV_H_ @}*/
