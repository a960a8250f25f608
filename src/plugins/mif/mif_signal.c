/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Multi-interface signalling: capability negotiation in IKE_AUTH, our
 * INFORMATIONAL exchanges and the answers to the peer's (doc/protocol.md
 * section 6).
 */

#include "mif_manager_priv.h"
#include "mif_task.h"

#include <daemon.h>
#include <processing/jobs/callback_job.h>

/**
 * Notifies to send, queued to a job that checks the IKE SA out.
 */
typedef struct {
	private_mif_manager_t *this;
	/** stable id of the conn (mif_conn_t.id) */
	uint32_t id;
	notify_type_t type;
	chunk_t data;
	u_int tries;
} send_job_t;

/** retry interval and tries while the IKE SA's own path is unusable or the
 * IKE SA is busy being rekeyed */
#define SEND_RETRY_MS 200
#define SEND_RETRIES 150

/**
 * Can the IKE SA's current path carry our exchange? If not, MOBIKE is about
 * to move it, and an exchange of ours would retransmit on the dead path and
 * hold the MOBIKE update back.
 */
bool mif_mgr_ike_path_usable(ike_sa_t *ike_sa)
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
 * Response to one of our requests: act on the peer's acknowledgements.
 */
static void handle_response(private_mif_manager_t *this, ike_sa_t *ike_sa,
							message_t *response)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	mif_msg_path_ack_t ack;
	mif_conn_t *conn;
	mif_path_t *path;
	const char *reason;

	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	enumerator = response->create_payload_enumerator(response);
	while (conn && enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) != PLV2_NOTIFY)
		{
			continue;
		}
		notify = (notify_payload_t*)payload;
		if ((int)notify->get_notify_type(notify) != MIF_PATH_ACK)
		{
			continue;
		}
		if (mif_msg_parse_path_ack(notify->get_notification_data(notify),
								   &ack, &reason) != MIF_MSG_OK)
		{
			DBG1(DBG_IKE, "mif: ignoring malformed MIF_PATH_ACK: %s", reason);
			continue;
		}
		path = mif_conn_get_path(conn, ack.bid);
		if (!path || ack.seq != path->seq)
		{	/* about an earlier incarnation of the BID */
			continue;
		}
		if (ack.status == MIF_ACK_ACCEPTED)
		{
			DBG1(DBG_IKE, "mif: peer accepted path BID %u (%H === %H)",
				 ack.bid, path->local, path->remote);
			continue;
		}
		DBG1(DBG_IKE, "mif: peer refused path BID %u (%H === %H): %N",
			 ack.bid, path->local, path->remote, mif_path_ack_status_names,
			 ack.status);
		mif_mgr_release_path(this, conn, path, TRUE);
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
}

CALLBACK(task_response, void,
	private_mif_manager_t *this, ike_sa_t *ike_sa, message_t *response)
{
	handle_response(this, ike_sa, response);
}

CALLBACK(send_job, job_requeue_t,
	send_job_t *job)
{
	private_mif_manager_t *this = job->this;
	ike_sa_t *ike_sa;

	/* the IKE SA the conn is on now: an IKE rekey since the job was queued
	 * moved it (a notify is never lost to a rekey) */
	ike_sa = mif_mgr_checkout_conn(this, job->id);
	if (!ike_sa)
	{
		return JOB_REQUEUE_NONE;
	}
	if ((!mif_mgr_ike_path_usable(ike_sa) ||
		 ike_sa->get_state(ike_sa) != IKE_ESTABLISHED) &&
		++job->tries < SEND_RETRIES)
	{
		charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
		return JOB_RESCHEDULE_MS(SEND_RETRY_MS);
	}
	if (ike_sa->get_state(ike_sa) == IKE_ESTABLISHED)
	{
		mif_task_t *task;

		task = mif_task_create(ike_sa, task_response, job->this);
		task->add_notify(task, job->type, job->data);
		job->data = chunk_empty;
		ike_sa->queue_task(ike_sa, &task->task);
		if (ike_sa->initiate(ike_sa, NULL, NULL) == DESTROY_ME)
		{
			charon->ike_sa_manager->checkin_and_destroy(
										charon->ike_sa_manager, ike_sa);
			return JOB_REQUEUE_NONE;
		}
	}
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return JOB_REQUEUE_NONE;
}

CALLBACK(send_job_destroy, void,
	send_job_t *job)
{
	chunk_free(&job->data);
	free(job);
}

/**
 * Start an INFORMATIONAL exchange carrying one notify.
 */
void mif_mgr_send_notify(private_mif_manager_t *this, uint32_t id,
						notify_type_t type, chunk_t data)
{
	send_job_t *job;

	INIT(job,
		.this = this,
		.id = id,
		.type = type,
		.data = data,
	);
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create(send_job, job, send_job_destroy, NULL));
}

/**
 * Queue a MIF_PATH_ACK for the response to request mid.
 */
static void answer_ack(mif_conn_t *conn, uint32_t mid, mif_msg_path_ack_t *ack)
{
	const char *reason;
	chunk_t answer;

	if (mif_msg_build_path_ack(ack, &answer, &reason) == MIF_MSG_OK)
	{
		mif_conn_answer(conn, mid, MIF_PATH_ACK, answer);
		chunk_free(&answer);
	}
	else
	{
		DBG1(DBG_IKE, "mif: building MIF_PATH_ACK failed: %s", reason);
	}
}

/**
 * Verifier: the peer asks for a new path (lock held).
 */
static void process_add(private_mif_manager_t *this, mif_conn_t *conn,
						ike_sa_t *ike_sa, chunk_t data, uint32_t mid)
{
	mif_msg_path_add_t add;
	mif_msg_path_ack_t ack = {};
	mif_path_t *path;
	const char *reason;

	if (mif_msg_parse_path_add(data, &add, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: rejecting malformed MIF_PATH_ADD: %s", reason);
		ack.status = MIF_ACK_MALFORMED;
		goto answer;
	}
	ack.bid = add.bid;
	ack.seq = add.seq;
	path = mif_conn_get_path(conn, add.bid);
	/* each side allocates BIDs from its own half (doc/protocol.md 3): the
	 * original initiator 2..0x7fff (1 is the IKE path), the responder
	 * 0x8000..0xffff; a BID from our half would replace our own path */
	if (conn->initiator ? add.bid < 0x8000 : (add.bid < 2 || add.bid >= 0x8000))
	{
		ack.status = MIF_ACK_BID_CONFLICT;
	}
	else if (path && !mif_msg_seq_newer(add.seq, path->seq))
	{
		DBG1(DBG_IKE, "mif: stale MIF_PATH_ADD for BID %u (seq %u, have %u)",
			 add.bid, add.seq, path->seq);
		ack.status = MIF_ACK_STALE_SEQ;
	}
	else if (!path && array_count(conn->paths) >= conn->mine.max_paths)
	{
		ack.status = MIF_ACK_TOO_MANY_PATHS;
	}
	else if (!charon->kernel->get_interface(charon->kernel, add.remote, NULL))
	{
		DBG1(DBG_IKE, "mif: MIF_PATH_ADD names %H, which is not ours",
			 add.remote);
		ack.status = MIF_ACK_BAD_ADDRESS;
	}
	if (ack.status != MIF_ACK_ACCEPTED)
	{
		goto answer;
	}
	if (path)
	{	/* re-announcement, maybe with a new address: prove it again; the
		 * old incarnation leaves nothing behind (doc/protocol.md 8 row 15) */
		mif_mgr_release_path(this, conn, path, TRUE);
	}
	path = mif_conn_add_path(conn, add.bid, add.remote->clone(add.remote),
							 add.local->clone(add.local));
	path->seq = add.seq;
	path->kind = add.kind;
	path->prio = add.priority;
	memcpy(path->ifname, add.ifname, sizeof(path->ifname));
	mif_path_set_state(path, MIF_PATH_CHECKING);
	if (!this->rng->get_bytes(this->rng, sizeof(path->cookie), path->cookie))
	{
		mif_mgr_release_path(this, conn, path, FALSE);
		ack.status = MIF_ACK_REFUSED;
		goto answer;
	}
	mif_mgr_record_binding(this, conn, path, MIF_BINDING_PROBING);
	DBG1(DBG_IKE, "mif: peer announced path BID %u %H (%s, %N, prio %u), "
		 "checking return routability", path->bid, path->remote,
		 path->ifname[0] ? path->ifname : "?", mif_if_kind_names, path->kind,
		 path->prio);
	path->rr_tries = 1;
	mif_mgr_send_rr(this, conn, path);

answer:
	mif_msg_path_add_clear(&add);
	answer_ack(conn, mid, &ack);
}

/**
 * Verifier: the peer echoes an RR cookie (lock held).
 */
static void process_rr(private_mif_manager_t *this, mif_conn_t *conn,
					   ike_sa_t *ike_sa, chunk_t data, uint32_t mid)
{
	mif_msg_path_rr_t rr;
	mif_msg_path_ack_t ack = {};
	mif_path_t *path;
	const char *reason;

	if (mif_msg_parse_path_rr(data, &rr, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: rejecting malformed MIF_PATH_RR: %s", reason);
		ack.status = MIF_ACK_MALFORMED;
		goto answer;
	}
	ack.bid = rr.bid;
	ack.seq = rr.seq;
	path = mif_conn_get_path(conn, rr.bid);
	if (!path)
	{
		ack.status = MIF_ACK_UNKNOWN_BID;
	}
	else if (path->state != MIF_PATH_CHECKING || rr.seq != path->seq ||
			 !memeq_const(rr.cookie, path->cookie, sizeof(rr.cookie)))
	{
		DBG1(DBG_IKE, "mif: return routability check of path BID %u failed",
			 rr.bid);
		ack.status = MIF_ACK_RR_MISMATCH;
	}
	else
	{
		DBG1(DBG_IKE, "mif: return routability of %H proven, path BID %u",
			 path->remote, path->bid);
		mif_path_set_state(path, MIF_PATH_CHILD);
		mif_mgr_create_child(this, conn, path);
	}
	memwipe(&rr, sizeof(rr));

answer:
	answer_ack(conn, mid, &ack);
}

/**
 * Either side: the peer removes a path (lock held).
 */
static void process_remove(private_mif_manager_t *this, mif_conn_t *conn,
						   ike_sa_t *ike_sa, chunk_t data, uint32_t mid)
{
	mif_msg_path_remove_t rem;
	mif_msg_path_ack_t ack = {};
	mif_path_t *path;
	const char *reason;

	if (mif_msg_parse_path_remove(data, &rem, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: rejecting malformed MIF_PATH_REMOVE: %s", reason);
		ack.status = MIF_ACK_MALFORMED;
	}
	else
	{
		ack.bid = rem.bid;
		ack.seq = rem.seq;
		path = mif_conn_get_path(conn, rem.bid);
		if (!path)
		{
			ack.status = MIF_ACK_UNKNOWN_BID;
		}
		else if (!mif_msg_seq_newer(rem.seq, path->seq))
		{
			ack.status = MIF_ACK_STALE_SEQ;
		}
		else
		{
			DBG1(DBG_IKE, "mif: peer removed path BID %u %H (reason %u)",
				 rem.bid, path->remote, rem.reason);
			/* the remover deletes the CHILD SA too; whoever is first wins,
			 * and a peer that never does leaves nothing behind */
			mif_mgr_release_path(this, conn, path, TRUE);
			if (rem.reason == MIF_REMOVE_DEAD)
			{	/* the peer gave up a path it could not reach: offer the
				 * address again, it may work by then */
				mif_mgr_reannounce(this, conn,
								   this->rr_tries * 1000 / this->interval);
			}
		}
	}
	answer_ack(conn, mid, &ack);
}

/**
 * The peer tells us a path's state changed (lock held).
 */
static void process_update(private_mif_manager_t *this, mif_conn_t *conn,
						   chunk_t data)
{
	mif_msg_path_update_t update;
	mif_path_t *path;
	const char *reason;
	bool changed = FALSE;
	int i;

	if (mif_msg_parse_path_update(data, &update, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: ignoring malformed MIF_PATH_UPDATE: %s", reason);
		return;
	}
	for (i = 0; i < update.count; i++)
	{
		path = mif_conn_get_path(conn, update.entries[i].bid);
		if (!path || !mif_msg_seq_newer(update.entries[i].seq, path->seq))
		{
			continue;
		}
		path->seq = update.entries[i].seq;
		path->prio = update.entries[i].priority;
		if (update.entries[i].state == MIF_WIRE_STANDBY &&
			path->state == MIF_PATH_ACTIVE)
		{
			DBG1(DBG_IKE, "mif: peer reports path BID %u down", path->bid);
			mif_path_set_state(path, MIF_PATH_DEAD);
			changed = TRUE;
		}
	}
	if (changed)
	{
		mif_mgr_update_routes(this, conn);
	}
}

/**
 * Our MIF_SUPPORTED notify data.
 */
static bool add_supported(mif_conn_t *conn, message_t *message)
{
	const char *reason;
	chunk_t data;

	if (mif_msg_build_supported(&conn->mine, &data, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: building MIF_SUPPORTED failed: %s", reason);
		return FALSE;
	}
	message->add_notify(message, FALSE, MIF_SUPPORTED, data);
	chunk_free(&data);
	conn->sent = TRUE;
	return TRUE;
}

/**
 * Described in mif_manager_priv.h
 */
bool mif_mgr_enabled_for(ike_sa_t *ike_sa)
{
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);

	if (ike_sa->get_version(ike_sa) != IKEV2 ||
		!lib->settings->get_bool(lib->settings, "%s.plugins.mif.enable",
								 TRUE, lib->ns))
	{
		return FALSE;
	}
	return !peer_cfg || lib->settings->get_bool(lib->settings,
							"%s.plugins.mif.connections.%s.enable", TRUE,
							lib->ns, peer_cfg->get_name(peer_cfg));
}

/**
 * IKE_AUTH: capability negotiation.
 */
static void ike_auth(private_mif_manager_t *this, ike_sa_t *ike_sa,
					 message_t *message, bool incoming)
{
	uintptr_t id = ike_sa->get_unique_id(ike_sa);
	notify_payload_t *notify;
	mif_conn_t *conn;
	const char *reason;

	conn = this->conns->get(this->conns, (void*)id);
	if (!incoming)
	{
		if (message->get_request(message))
		{
			if (!conn && message->get_payload(message, PLV2_ID_INITIATOR) &&
				mif_mgr_enabled_for(ike_sa))
			{
				conn = mif_conn_create(ike_sa, TRUE);
				if (conn && add_supported(conn, message))
				{
					this->conns->put(this->conns, (void*)id, conn);
				}
				else if (conn)
				{
					mif_conn_destroy(conn);
				}
			}
		}
		else if (conn && conn->peer_supported && !conn->sent &&
				 message->get_payload(message, PLV2_AUTH))
		{
			add_supported(conn, message);
		}
		return;
	}
	notify = message->get_notify(message, MIF_SUPPORTED);
	if (!notify)
	{
		return;
	}
	if (!conn && message->get_request(message))
	{
		if (!mif_mgr_enabled_for(ike_sa))
		{
			return;
		}
		conn = mif_conn_create(ike_sa, FALSE);
		if (!conn)
		{
			return;
		}
		this->conns->put(this->conns, (void*)id, conn);
	}
	if (!conn)
	{
		return;
	}
	if (mif_msg_parse_supported(notify->get_notification_data(notify),
								&conn->peer, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: ignoring malformed MIF_SUPPORTED: %s", reason);
		return;
	}
	conn->peer_supported = TRUE;
}

/**
 * INFORMATIONAL request from the peer carrying our notifies.
 */
static void informational(private_mif_manager_t *this, ike_sa_t *ike_sa,
						  message_t *message)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	mif_conn_t *conn;
	uint32_t mid = message->get_message_id(message);
	chunk_t data;
	u_int count = 0;

	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (!conn || !conn->key_rx.len)
	{	/* not negotiated: the notifies are unknown to us, as to stock peers */
		return;
	}
	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) != PLV2_NOTIFY)
		{
			continue;
		}
		notify = (notify_payload_t*)payload;
		data = notify->get_notification_data(notify);
		switch ((int)notify->get_notify_type(notify))
		{
			case MIF_PATH_ADD:
			case MIF_PATH_RR:
			case MIF_PATH_REMOVE:
			case MIF_PATH_UPDATE:
				/* doc/protocol.md 6: the work a request can cause is
				 * bounded, notifies beyond the limit are not looked at */
				if (++count > MIF_MSG_MAX_NOTIFIES)
				{
					if (count == MIF_MSG_MAX_NOTIFIES + 1)
					{
						DBG1(DBG_IKE, "mif: request of IKE_SA %s[%u] carries "
							 "more than %u path notifies, ignoring the rest",
							 conn->name, conn->ike_id, MIF_MSG_MAX_NOTIFIES);
					}
					continue;
				}
				break;
			default:
				continue;
		}
		switch ((int)notify->get_notify_type(notify))
		{
			case MIF_PATH_ADD:
				process_add(this, conn, ike_sa, data, mid);
				break;
			case MIF_PATH_RR:
				process_rr(this, conn, ike_sa, data, mid);
				break;
			case MIF_PATH_REMOVE:
				process_remove(this, conn, ike_sa, data, mid);
				break;
			case MIF_PATH_UPDATE:
				process_update(this, conn, data);
				break;
			default:
				break;
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Add our answers to the response of the request we processed.
 */
static void answer(private_mif_manager_t *this, ike_sa_t *ike_sa,
				   message_t *message)
{
	mif_conn_t *conn;
	chunk_t answer;
	uint16_t type;

	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (!conn || conn->answer_mid != message->get_message_id(message))
	{
		return;
	}
	while (array_remove(conn->answers, ARRAY_HEAD, &answer))
	{
		memcpy(&type, answer.ptr, sizeof(type));
		message->add_notify(message, FALSE, ntohs(type),
							chunk_skip(answer, sizeof(type)));
		chunk_free(&answer);
	}
}

/**
 * Described in mif_manager_priv.h
 */
void mif_mgr_message(private_mif_manager_t *this, ike_sa_t *ike_sa,
					 message_t *message, bool incoming)
{
	this->mutex->lock(this->mutex);
	switch (message->get_exchange_type(message))
	{
		case IKE_AUTH:
			ike_auth(this, ike_sa, message, incoming);
			break;
		case INFORMATIONAL:
			if (incoming && message->get_request(message))
			{
				informational(this, ike_sa, message);
			}
			else if (!incoming && !message->get_request(message))
			{
				answer(this, ike_sa, message);
			}
			break;
		default:
			break;
	}
	this->mutex->unlock(this->mutex);
}
