/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_task.h"

#include <daemon.h>
#include <collections/array.h>

typedef struct private_mif_task_t private_mif_task_t;

/**
 * A notify to send.
 */
typedef struct {
	notify_type_t type;
	chunk_t data;
} notify_t;

/**
 * Private data.
 */
struct private_mif_task_t {

	/**
	 * Public interface.
	 */
	mif_task_t public;

	/**
	 * IKE SA.
	 */
	ike_sa_t *ike_sa;

	/**
	 * notify_t to send.
	 */
	array_t *notifies;

	/**
	 * Response callback and its data.
	 */
	mif_task_cb_t cb;
	void *data;
};

METHOD(mif_task_t, add_notify, void,
	private_mif_task_t *this, notify_type_t type, chunk_t data)
{
	notify_t notify = {
		.type = type,
		.data = data,
	};
	array_insert(this->notifies, ARRAY_TAIL, &notify);
}

METHOD(task_t, build_i, status_t,
	private_mif_task_t *this, message_t *message)
{
	notify_t notify;
	int i;

	for (i = 0; i < array_count(this->notifies); i++)
	{
		array_get(this->notifies, i, &notify);
		message->add_notify(message, FALSE, notify.type, notify.data);
	}
	return NEED_MORE;
}

METHOD(task_t, process_i, status_t,
	private_mif_task_t *this, message_t *message)
{
	this->cb(this->data, this->ike_sa, message);
	return SUCCESS;
}

METHOD(task_t, get_type, task_type_t,
	private_mif_task_t *this)
{
	return TASK_IKE_VERIFY_PEER_CERT;
}

METHOD(task_t, migrate, void,
	private_mif_task_t *this, ike_sa_t *ike_sa)
{
	this->ike_sa = ike_sa;
}

METHOD(task_t, destroy, void,
	private_mif_task_t *this)
{
	notify_t notify;

	while (array_remove(this->notifies, ARRAY_HEAD, &notify))
	{
		chunk_free(&notify.data);
	}
	array_destroy(this->notifies);
	free(this);
}

/*
 * Described in header
 */
mif_task_t *mif_task_create(ike_sa_t *ike_sa, mif_task_cb_t cb, void *data)
{
	private_mif_task_t *this;

	INIT(this,
		.public = {
			.task = {
				.build = _build_i,
				.process = _process_i,
				.get_type = _get_type,
				.migrate = _migrate,
				.destroy = _destroy,
			},
			.add_notify = _add_notify,
		},
		.ike_sa = ike_sa,
		.notifies = array_create(sizeof(notify_t), 0),
		.cb = cb,
		.data = data,
	);
	return &this->public;
}
