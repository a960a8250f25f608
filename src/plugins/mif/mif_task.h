/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_task mif_task
 * @{ @ingroup mif
 */

#ifndef MIF_TASK_H_
#define MIF_TASK_H_

#include <sa/ike_sa.h>
#include <sa/task.h>

typedef struct mif_task_t mif_task_t;

/**
 * Called with the response to our request, the IKE SA checked out.
 *
 * @param data			user data
 * @param ike_sa		IKE SA
 * @param response		the (decrypted) response
 */
typedef void (*mif_task_cb_t)(void *data, ike_sa_t *ike_sa,
							  message_t *response);

/**
 * INFORMATIONAL exchange carrying multi-interface notifies.
 *
 * charon activates only the task types it knows, so this task reports
 * TASK_IKE_VERIFY_PEER_CERT: it is activated in IKE_ESTABLISHED, sent as
 * INFORMATIONAL and never cast to a specific task by charon.
 */
struct mif_task_t {

	/**
	 * Implements task_t.
	 */
	task_t task;

	/**
	 * Add a notify to the request.
	 *
	 * @param type			notify type
	 * @param data			notify data (adopted)
	 */
	void (*add_notify)(mif_task_t *this, notify_type_t type, chunk_t data);
};

/**
 * Create the task.
 *
 * @param ike_sa		IKE SA
 * @param cb			response callback
 * @param data			user data for cb
 * @return				task
 */
mif_task_t *mif_task_create(ike_sa_t *ike_sa, mif_task_cb_t cb, void *data);

#endif /** MIF_TASK_H_ @}*/
