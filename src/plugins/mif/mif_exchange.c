/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_exchange.h"
#include "mif_task.h"

#include <daemon.h>
#include <processing/jobs/callback_job.h>

/** retry interval and tries while the IKE SA's own path is unusable or the
 * IKE SA is busy being rekeyed (doc/protocol.md 9: 200 ms, 30 s at most) */
#define RETRY_MS 200
#define RETRIES 150

/**
 * An exchange of ours that waits for a usable IKE path: a notify to send on
 * a conn's IKE SA or a path CHILD SA to delete.
 */
typedef struct {
	private_mif_manager_t *this;
	/** stable id of the conn (mif_conn_t.id) to send the notify on */
	uint32_t id;
	/** notify to send */
	notify_type_t type;
	chunk_t data;
	/** CHILD SA to delete, 0 for a notify */
	uint32_t child_id;
	/** checks of the IKE SA so far */
	u_int tries;
} exchange_job_t;

/*
 * Described in header
 */
ike_sa_t *mif_exchange_checkout(private_mif_manager_t *this, uint32_t id)
{
	enumerator_t *enumerator;
	mif_conn_t *conn;
	uint32_t ike_id = 0;

	this->mutex->lock(this->mutex);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		if (conn->id == id)
		{
			ike_id = conn->ike_id;
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	/* IKE SA checkout first, then our lock: never the other way round */
	return ike_id ? charon->ike_sa_manager->checkout_by_id(
										charon->ike_sa_manager, ike_id) : NULL;
}

/**
 * Can the IKE SA's current path carry our exchange? If not, MOBIKE is about
 * to move it, and an exchange of ours would retransmit on the dead path and
 * hold the MOBIKE update back (doc/protocol.md 7.4).
 */
static bool path_usable(ike_sa_t *ike_sa)
{
	host_t *src, *me = ike_sa->get_my_host(ike_sa);
	bool usable;

	/* as charon's is_current_path_valid(): the kernel names the source it
	 * would use, which must still be the IKE SA's address */
	src = charon->kernel->get_source_addr(charon->kernel,
										  ike_sa->get_other_host(ike_sa), me);
	if (!src)
	{
		return FALSE;
	}
	usable = src->ip_equals(src, me);
	src->destroy(src);
	return usable;
}

/**
 * Send the notify in an INFORMATIONAL of our own, on an established IKE SA.
 */
static status_t send_notify(exchange_job_t *job, ike_sa_t *ike_sa)
{
	mif_task_t *task;

	if (ike_sa->get_state(ike_sa) != IKE_ESTABLISHED)
	{
		return SUCCESS;
	}
	task = mif_task_create(ike_sa, job->this->on_response, job->this);
	task->add_notify(task, job->type, job->data);
	job->data = chunk_empty;
	ike_sa->queue_task(ike_sa, &task->task);
	return ike_sa->initiate(ike_sa, NULL, NULL);
}

/**
 * Delete the path's CHILD SA (a no-op if it is gone).
 */
static status_t delete_child(exchange_job_t *job, ike_sa_t *ike_sa,
							 child_sa_t *child_sa)
{
	DBG1(DBG_CHD, "mif: deleting CHILD_SA %s{%u} of a removed path",
		 child_sa->get_name(child_sa), job->child_id);
	return ike_sa->delete_child_sa(ike_sa, child_sa->get_protocol(child_sa),
								   child_sa->get_spi(child_sa, TRUE), FALSE);
}

CALLBACK(exchange_job, job_requeue_t,
	exchange_job_t *job)
{
	child_sa_t *child_sa = NULL;
	ike_sa_t *ike_sa;
	status_t status;
	bool ready;

	if (job->child_id)
	{
		ike_sa = charon->child_sa_manager->checkout_by_id(
							charon->child_sa_manager, job->child_id, &child_sa);
	}
	else
	{	/* the IKE SA the conn is on now: an IKE rekey since the job was
		 * queued moved it (a notify is never lost to a rekey) */
		ike_sa = mif_exchange_checkout(job->this, job->id);
	}
	if (!ike_sa)
	{
		return JOB_REQUEUE_NONE;
	}
	/* a notify also waits while the IKE SA is being rekeyed */
	ready = path_usable(ike_sa) &&
			(job->child_id || ike_sa->get_state(ike_sa) == IKE_ESTABLISHED);
	if (!ready && ++job->tries < RETRIES)
	{
		charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
		return JOB_RESCHEDULE_MS(RETRY_MS);
	}
	status = job->child_id ? delete_child(job, ike_sa, child_sa)
						   : send_notify(job, ike_sa);
	if (status == DESTROY_ME)
	{
		charon->ike_sa_manager->checkin_and_destroy(charon->ike_sa_manager,
													ike_sa);
		return JOB_REQUEUE_NONE;
	}
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return JOB_REQUEUE_NONE;
}

CALLBACK(exchange_job_destroy, void,
	exchange_job_t *job)
{
	chunk_free(&job->data);
	free(job);
}

/**
 * Queue an exchange job.
 */
static void queue(exchange_job_t *job)
{
	lib->processor->queue_job(lib->processor, (job_t*)
			callback_job_create(exchange_job, job, exchange_job_destroy, NULL));
}

/*
 * Described in header
 */
void mif_exchange_notify(private_mif_manager_t *this, uint32_t id,
						 notify_type_t type, chunk_t data)
{
	exchange_job_t *job;

	INIT(job,
		.this = this,
		.id = id,
		.type = type,
		.data = data,
	);
	queue(job);
}

/*
 * Described in header
 */
void mif_exchange_delete_child(uint32_t child_id)
{
	exchange_job_t *job;

	if (!child_id)
	{
		return;
	}
	INIT(job,
		.child_id = child_id,
	);
	queue(job);
}
