/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_exchange mif_exchange
 * @{ @ingroup mif
 *
 * Our exchanges on an IKE SA, run from jobs: they find the IKE SA a conn is
 * on now and wait until its path is usable (doc/protocol.md 7.4, 9). The
 * lowest layer of the path manager: it calls no other file of it.
 */

#ifndef MIF_EXCHANGE_H_
#define MIF_EXCHANGE_H_

#include "mif_manager_priv.h"

/**
 * Check out the IKE SA a conn is on now (IKE rekeys move conns), for jobs
 * that remember a conn by its stable id; takes the lock briefly.
 *
 * @param id			the conn's stable id (mif_conn_t.id)
 * @return				IKE SA, checked out; NULL if the conn or its SA is
 *						gone
 */
ike_sa_t *mif_exchange_checkout(private_mif_manager_t *this, uint32_t id);

/**
 * Start an INFORMATIONAL exchange carrying one notify (data adopted) on the
 * conn's IKE SA, whatever it is when the job runs, once its path is usable;
 * the response goes to this->on_response. Any lock state, it only queues a
 * job.
 *
 * @param id			the conn's stable id (mif_conn_t.id)
 * @param type			notify type
 * @param data			notify data, adopted
 */
void mif_exchange_notify(private_mif_manager_t *this, uint32_t id,
						 notify_type_t type, chunk_t data);

/**
 * Delete a CHILD SA of a path, once its IKE SA's path is usable; any lock
 * state, it only queues a job.
 *
 * @param child_id		unique id of the CHILD SA, 0 for none
 */
void mif_exchange_delete_child(uint32_t child_id);

#endif /** MIF_EXCHANGE_H_ @}*/
