/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_liveness mif_liveness
 * @{ @ingroup mif
 *
 * Path probes (doc/protocol.md 5): return routability probes, liveness
 * requests and replies, dead path detection, the timers of every path state
 * (doc/protocol.md 8, 9) and steering MOBIKE off a path that failed
 * silently (doc/protocol.md 7.4). Calls mif_paths.c and mif_exchange.c of
 * the path manager.
 */

#ifndef MIF_LIVENESS_H_
#define MIF_LIVENESS_H_

#include "mif_manager_priv.h"

/**
 * Verifier: send the return routability probe of a path, unless its
 * address had its share of RR probes (doc/protocol.md 5.3); lock held.
 */
void mif_liveness_send_rr(private_mif_manager_t *this, mif_conn_t *conn,
						  mif_path_t *path);

/**
 * Index a conn by its SPIs, after its probe keys were (re-)derived; any
 * previous entry of the conn must have been removed; lock held.
 */
void mif_liveness_index(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Remove a conn from the SPI index; lock held.
 */
void mif_liveness_unindex(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Hash of a conn by its SPIs, for the SPI index (hashtable_hash_t).
 */
u_int mif_liveness_hash_spis(mif_conn_t *conn);

/**
 * Equality of conns by their SPIs, for the SPI index (hashtable_equals_t).
 */
bool mif_liveness_equals_spis(mif_conn_t *a, mif_conn_t *b);

/**
 * mif_prober_cb_t for probes received (takes the lock).
 */
void mif_liveness_receive_probe(void *data, host_t *src, host_t *dst,
								chunk_t datagram);

/**
 * Undo the steering of the IKE SA's route; lock held.
 */
void mif_liveness_unsteer(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Periodic job of all path timers, every probe interval: RR
 * retransmissions, liveness probes, dead path detection, timeouts of every
 * state, budgets and rate limits (takes the lock). It is not requeued once
 * no connection has anything to time; mif_liveness_wake() starts it again.
 *
 * @param data			private_mif_manager_t
 */
job_requeue_t mif_liveness_tick(void *data);

/**
 * Schedule the path timer if it is not; lock held.
 *
 * @param this			manager
 */
void mif_liveness_wake(private_mif_manager_t *this);

#endif /** MIF_LIVENESS_H_ @}*/
