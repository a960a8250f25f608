/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_signal.h"
#include "mif_liveness.h"
#include "mif_paths.h"

#include <daemon.h>

/*
 * Described in header
 */
void mif_signal_response(void *data, ike_sa_t *ike_sa, message_t *response)
{
	private_mif_manager_t *this = data;
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
		mif_paths_release(this, conn, path, TRUE, "peer-refused");
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
}

/**
 * A path request of the peer, parsed.
 */
typedef union {
	mif_msg_path_add_t add;
	mif_msg_path_rr_t rr;
	mif_msg_path_remove_t rem;
	mif_msg_path_update_t update;
} request_t;

/**
 * Verifier: the peer asks for a new path (doc/protocol.md 6.2, 8 rows 2,
 * 15; lock held).
 */
static void process_add(private_mif_manager_t *this, mif_conn_t *conn,
						mif_msg_path_add_t *add, mif_msg_path_ack_t *ack)
{
	mif_path_t *path;

	path = mif_conn_get_path(conn, add->bid);
	/* each side allocates BIDs from its own half (doc/protocol.md 3): the
	 * original initiator 2..0x7fff (1 is the IKE path), the responder
	 * 0x8000..0xffff; a BID from our half would replace our own path */
	if (conn->initiator ? add->bid < 0x8000
						: (add->bid < 2 || add->bid >= 0x8000))
	{
		ack->status = MIF_ACK_BID_CONFLICT;
	}
	else if (path && !mif_msg_seq_newer(add->seq, path->seq))
	{	/* doc/protocol.md 6.6 */
		DBG1(DBG_IKE, "mif: stale MIF_PATH_ADD for BID %u (seq %u, have %u)",
			 add->bid, add->seq, path->seq);
		ack->status = MIF_ACK_STALE_SEQ;
	}
	else if (!path && array_count(conn->paths) >= conn->mine.max_paths)
	{
		ack->status = MIF_ACK_TOO_MANY_PATHS;
	}
	else if (!charon->kernel->get_interface(charon->kernel, add->remote, NULL))
	{
		DBG1(DBG_IKE, "mif: MIF_PATH_ADD names %H, which is not ours",
			 add->remote);
		ack->status = MIF_ACK_BAD_ADDRESS;
	}
	if (ack->status != MIF_ACK_ACCEPTED)
	{
		return;
	}
	if (path)
	{	/* re-announcement, maybe with a new address: prove it again; the
		 * old incarnation leaves nothing behind (doc/protocol.md 8 row 15) */
		mif_paths_release(this, conn, path, TRUE, "re-announced");
	}
	path = mif_conn_add_path(conn, add->bid, add->remote->clone(add->remote),
							 add->local->clone(add->local));
	this->wake(this);
	path->seq = add->seq;
	path->kind = add->kind;
	path->prio = add->priority;
	memcpy(path->ifname, add->ifname, sizeof(path->ifname));
	mif_paths_set_state(this, conn, path, MIF_PATH_CHECKING, "peer-announced");
	if (!this->rng->get_bytes(this->rng, sizeof(path->cookie), path->cookie))
	{
		mif_paths_release(this, conn, path, FALSE, "no-cookie");
		ack->status = MIF_ACK_REFUSED;
		return;
	}
	mif_paths_record_binding(this, conn, path, MIF_BINDING_PROBING);
	DBG1(DBG_IKE, "mif: peer announced path BID %u %H (%s, %N, prio %u), "
		 "checking return routability", path->bid, path->remote,
		 path->ifname[0] ? path->ifname : "?", mif_if_kind_names, path->kind,
		 path->prio);
	path->rr_tries = 1;
	mif_liveness_send_rr(this, conn, path);
}

/**
 * Verifier: the peer echoes an RR cookie (doc/protocol.md 6.2, 8 row 3;
 * lock held).
 */
static void process_rr(private_mif_manager_t *this, mif_conn_t *conn,
					   mif_msg_path_rr_t *rr, mif_msg_path_ack_t *ack)
{
	mif_path_t *path;

	path = mif_conn_get_path(conn, rr->bid);
	if (!path)
	{
		ack->status = MIF_ACK_UNKNOWN_BID;
	}
	else if (path->state != MIF_PATH_CHECKING || rr->seq != path->seq ||
			 !memeq_const(rr->cookie, path->cookie, sizeof(rr->cookie)))
	{
		DBG1(DBG_IKE, "mif: return routability check of path BID %u failed",
			 rr->bid);
		ack->status = MIF_ACK_RR_MISMATCH;
	}
	else
	{
		DBG1(DBG_IKE, "mif: return routability of %H proven, path BID %u",
			 path->remote, path->bid);
		mif_paths_set_state(this, conn, path, MIF_PATH_CHILD,
							"rr-cookie-echoed");
		mif_paths_create_child(this, conn, path);
	}
}

/**
 * Either side: the peer removes a path (doc/protocol.md 6.3, 8 row 10;
 * lock held).
 */
static void process_remove(private_mif_manager_t *this, mif_conn_t *conn,
						   mif_msg_path_remove_t *rem, mif_msg_path_ack_t *ack)
{
	mif_path_t *path;

	path = mif_conn_get_path(conn, rem->bid);
	if (!path)
	{
		ack->status = MIF_ACK_UNKNOWN_BID;
	}
	else if (!mif_msg_seq_newer(rem->seq, path->seq))
	{	/* doc/protocol.md 6.6 */
		ack->status = MIF_ACK_STALE_SEQ;
	}
	else
	{
		DBG1(DBG_IKE, "mif: peer removed path BID %u %H (reason %u)",
			 rem->bid, path->remote, rem->reason);
		/* the remover deletes the CHILD SA too; whoever is first wins,
		 * and a peer that never does leaves nothing behind */
		mif_paths_release(this, conn, path, TRUE, "peer-removed");
		if (rem->reason == MIF_REMOVE_DEAD)
		{	/* the peer gave up a path it could not reach: offer the
			 * address again, it may work by then */
			mif_paths_reannounce(this, conn,
								 this->rr_tries * 1000 / this->interval);
		}
	}
}

/**
 * The peer tells us a path's state changed (doc/protocol.md 6.4; lock
 * held).
 */
static void process_update(private_mif_manager_t *this, mif_conn_t *conn,
						   mif_msg_path_update_t *update)
{
	mif_path_t *path;
	bool changed = FALSE;
	int i;

	for (i = 0; i < update->count; i++)
	{
		path = mif_conn_get_path(conn, update->entries[i].bid);
		if (!path || !mif_msg_seq_newer(update->entries[i].seq, path->seq))
		{
			continue;
		}
		path->seq = update->entries[i].seq;
		path->prio = update->entries[i].priority;
		if (update->entries[i].state == MIF_WIRE_STANDBY &&
			path->state == MIF_PATH_ACTIVE)
		{
			DBG1(DBG_IKE, "mif: peer reports path BID %u down", path->bid);
			mif_paths_set_state(this, conn, path, MIF_PATH_DEAD, "peer-update");
			changed = TRUE;
		}
	}
	if (changed)
	{
		mif_paths_update_routes(this, conn);
	}
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
 * One path notify of a request of the peer: parse it, reject it if
 * malformed, process it and acknowledge it, each ADD, RR and REMOVE with a
 * MIF_PATH_ACK carrying its BID and Seq (doc/protocol.md 4.6); an UPDATE
 * gets none (lock held).
 */
static void process_request(private_mif_manager_t *this, mif_conn_t *conn,
							int type, chunk_t data, uint32_t mid)
{
	mif_msg_path_ack_t ack = {};
	mif_msg_status_t status;
	const char *reason;
	request_t req;

	memset(&req, 0, sizeof(req));
	switch (type)
	{
		case MIF_PATH_ADD:
			status = mif_msg_parse_path_add(data, &req.add, &reason);
			ack.bid = req.add.bid;
			ack.seq = req.add.seq;
			break;
		case MIF_PATH_RR:
			status = mif_msg_parse_path_rr(data, &req.rr, &reason);
			ack.bid = req.rr.bid;
			ack.seq = req.rr.seq;
			break;
		case MIF_PATH_REMOVE:
			status = mif_msg_parse_path_remove(data, &req.rem, &reason);
			ack.bid = req.rem.bid;
			ack.seq = req.rem.seq;
			break;
		case MIF_PATH_UPDATE:
			status = mif_msg_parse_path_update(data, &req.update, &reason);
			break;
		default:
			return;
	}
	if (status != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: %s malformed %N: %s",
			 type == MIF_PATH_UPDATE ? "ignoring" : "rejecting",
			 mif_notify_type_names, type, reason);
		ack = (mif_msg_path_ack_t){
			.status = MIF_ACK_MALFORMED,
		};
	}
	else
	{
		switch (type)
		{
			case MIF_PATH_ADD:
				process_add(this, conn, &req.add, &ack);
				break;
			case MIF_PATH_RR:
				process_rr(this, conn, &req.rr, &ack);
				break;
			case MIF_PATH_REMOVE:
				process_remove(this, conn, &req.rem, &ack);
				break;
			case MIF_PATH_UPDATE:
				process_update(this, conn, &req.update);
				break;
		}
	}
	if (type == MIF_PATH_ADD)
	{
		mif_msg_path_add_clear(&req.add);
	}
	/* the RR cookie */
	memwipe(&req, sizeof(req));
	if (type != MIF_PATH_UPDATE)
	{
		answer_ack(conn, mid, &ack);
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

/*
 * Described in header
 */
bool mif_signal_enabled_for(ike_sa_t *ike_sa)
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
 * IKE_AUTH: capability negotiation (doc/protocol.md 6.1).
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
				mif_signal_enabled_for(ike_sa))
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
		if (!mif_signal_enabled_for(ike_sa))
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
 * INFORMATIONAL request from the peer carrying our notifies (doc/protocol.md
 * 6).
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
		process_request(this, conn, notify->get_notify_type(notify), data,
						mid);
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

/*
 * Described in header
 */
void mif_signal_message(private_mif_manager_t *this, ike_sa_t *ike_sa,
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
