/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_liveness.h"
#include "mif_paths.h"
#include "mif_exchange.h"

#include <daemon.h>
#include <processing/jobs/roam_job.h>
#include <processing/jobs/callback_job.h>

/**
 * Send a probe on a path; cookie: the request's to echo in a reply, NULL
 * for a liveness request (a fresh random one is remembered for its reply)
 * or the path's RR cookie with MIF_PROBE_RR.
 */
static void send_probe(private_mif_manager_t *this, mif_conn_t *conn,
					   mif_path_t *path, mif_probe_type_t type, uint8_t flags,
					   uint32_t number, uint8_t *cookie)
{
	mif_msg_probe_t probe = {
		.type = type,
		.flags = flags,
		.spi_i = conn->spi_i,
		.spi_r = conn->spi_r,
		.bid = path->bid,
		.seq = path->seq,
		.number = number,
	};
	uint8_t *live;
	const char *reason;
	chunk_t data;
	host_t *dst;

	if (flags & MIF_PROBE_RR)
	{
		memcpy(probe.cookie, path->cookie, sizeof(probe.cookie));
	}
	else if (cookie)
	{
		memcpy(probe.cookie, cookie, sizeof(probe.cookie));
	}
	else
	{	/* doc/protocol.md 5.3: only who receives this request at the
		 * path's address can answer it, which keeps proving the address */
		live = path->live_cookies[number % MIF_PROBE_WINDOW];
		if (!this->rng->get_bytes(this->rng, MIF_MSG_COOKIE_LEN, live))
		{
			return;
		}
		memcpy(probe.cookie, live, sizeof(probe.cookie));
	}
	dst = path->remote->clone(path->remote);
	dst->set_port(dst, conn->peer.probe_port);
	probe.addr = dst;
	if (mif_msg_build_probe(&probe, conn->key_tx, &data, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_NET, "mif: building probe failed: %s", reason);
		dst->destroy(dst);
		return;
	}
	this->prober->send(this->prober, path->local, dst, path->link, data);
	dst->destroy(dst);
	chunk_free(&data);
	memwipe(probe.cookie, sizeof(probe.cookie));
}

/*
 * Described in header
 */
void mif_liveness_send_rr(private_mif_manager_t *this, mif_conn_t *conn,
						  mif_path_t *path)
{
	if (!this->rr_limit->allow(this->rr_limit, path->remote))
	{
		DBG2(DBG_NET, "mif: RR probe to %H of path BID %u deferred, the "
			 "address had its share", path->remote, path->bid);
		return;
	}
	send_probe(this, conn, path, MIF_PROBE_REQUEST, MIF_PROBE_RR, 0, NULL);
}

/**
 * Probes of a conn we verify per probe interval at most: a request and a
 * reply per path and a few more for RR probes and reordering.
 */
static u_int verify_budget(mif_conn_t *conn)
{
	return 16 + 4 * array_count(conn->paths);
}

/*
 * Described in header
 */
u_int mif_liveness_hash_spis(mif_conn_t *conn)
{
	return chunk_hash(chunk_from_thing(conn->spi_i)) ^
		   chunk_hash(chunk_from_thing(conn->spi_r));
}

/*
 * Described in header
 */
bool mif_liveness_equals_spis(mif_conn_t *a, mif_conn_t *b)
{
	return a->spi_i == b->spi_i && a->spi_r == b->spi_r;
}

/*
 * Described in header
 */
void mif_liveness_index(private_mif_manager_t *this, mif_conn_t *conn)
{
	this->by_spi->put(this->by_spi, conn, conn);
	conn->verify_budget = verify_budget(conn);
}

/*
 * Described in header
 */
void mif_liveness_unindex(private_mif_manager_t *this, mif_conn_t *conn)
{
	if (this->by_spi->get(this->by_spi, conn) == conn)
	{
		this->by_spi->remove(this->by_spi, conn);
	}
}

/**
 * Announcer: an RR probe proves the peer reached our claimed address; echo
 * its cookie inside the IKE SA (lock held).
 */
static void echo_rr(private_mif_manager_t *this, mif_conn_t *conn,
					mif_path_t *path, mif_msg_probe_t *probe)
{
	mif_msg_path_rr_t rr = {
		.bid = path->bid,
		.seq = probe->seq,
	};
	const char *reason;
	chunk_t data;

	if (path->state != MIF_PATH_ANNOUNCED || probe->seq != path->seq)
	{
		return;
	}
	memcpy(rr.cookie, probe->cookie, sizeof(rr.cookie));
	if (mif_msg_build_path_rr(&rr, &data, &reason) == MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: RR probe for path BID %u received on %H, "
			 "echoing cookie", path->bid, path->local);
		mif_paths_set_state(this, conn, path, MIF_PATH_CHILD,
							"rr-probe-received");
		mif_exchange_notify(this, conn->id, MIF_PATH_RR, data);
	}
	memwipe(&rr, sizeof(rr));
}

/**
 * A reply to one of our liveness requests: it counts if it answers one of
 * the last requests, each once, echoing its cookie (lock held).
 */
static bool accept_reply(mif_path_t *path, mif_msg_probe_t *probe)
{
	if (probe->number > path->probe_number ||
		probe->number + MIF_PROBE_WINDOW <= path->probe_number ||
		probe->number <= path->rx_reply ||
		!memeq_const(probe->cookie,
					 path->live_cookies[probe->number % MIF_PROBE_WINDOW],
					 MIF_MSG_COOKIE_LEN))
	{
		return FALSE;
	}
	path->rx_reply = probe->number;
	return TRUE;
}

/**
 * The peer's liveness request: answer it, echoing its cookie, if the
 * path's address was proven (never reflect towards an unproven one), each
 * number once, and a few per probe interval (lock held).
 */
static void answer_request(private_mif_manager_t *this, mif_conn_t *conn,
						   mif_path_t *path, mif_msg_probe_t *probe)
{
	if ((path->state != MIF_PATH_ACTIVE && path->state != MIF_PATH_DEAD) ||
		probe->number <= path->rx_request || !path->reply_budget)
	{
		DBG2(DBG_NET, "mif: not answering probe %u for BID %u in state %N",
			 probe->number, path->bid, mif_path_state_names, path->state);
		return;
	}
	path->rx_request = probe->number;
	path->reply_budget--;
	send_probe(this, conn, path, MIF_PROBE_REPLY, 0, probe->number,
			   probe->cookie);
}

/*
 * Described in header
 */
void mif_liveness_receive_probe(void *data, host_t *src, host_t *dst,
								chunk_t datagram)
{
	private_mif_manager_t *this = data;
	mif_msg_probe_t probe;
	mif_conn_t *conn, key;
	mif_path_t *path;
	const char *reason;

	if (mif_msg_parse_probe(datagram, &probe, &reason) != MIF_MSG_OK)
	{
		DBG2(DBG_NET, "mif: dropping malformed probe from %#H: %s", src,
			 reason);
		return;
	}
	key.spi_i = probe.spi_i;
	key.spi_r = probe.spi_r;
	this->mutex->lock(this->mutex);
	/* doc/protocol.md 5.3: unknown SPIs cost one lookup, and the HMAC work
	 * anybody who knows an IKE SA's SPIs can cause is bounded per SA */
	conn = this->by_spi->get(this->by_spi, &key);
	if (!conn)
	{
		DBG3(DBG_NET, "mif: dropping probe from %#H, unknown SPIs", src);
		goto out;
	}
	path = mif_conn_get_path(conn, probe.bid);
	/* a probe counts only on the very address pair of its path; checked
	 * before the HMAC, so probes from elsewhere cost no cryptography and
	 * no budget (they change nothing either way) */
	if (!path || !path->local->ip_equals(path->local, dst) ||
		!path->remote->ip_equals(path->remote, src))
	{
		DBG2(DBG_NET, "mif: probe for BID %u from %#H to %H does not match "
			 "its path", probe.bid, src, dst);
		goto out;
	}
	if (!conn->verify_budget)
	{
		DBG3(DBG_NET, "mif: dropping probe from %#H, over the verification "
			 "budget", src);
		goto out;
	}
	conn->verify_budget--;
	if (mif_msg_verify_probe(datagram, conn->key_rx, &reason) != MIF_MSG_OK)
	{
		DBG2(DBG_NET, "mif: dropping unauthenticated probe from %#H", src);
		goto out;
	}
	if (probe.type == MIF_PROBE_REQUEST && (probe.flags & MIF_PROBE_RR))
	{
		echo_rr(this, conn, path, &probe);
		goto out;
	}
	if (probe.seq != path->seq)
	{
		DBG2(DBG_NET, "mif: dropping probe %u of an earlier incarnation of "
			 "BID %u", probe.number, probe.bid);
		goto out;
	}
	if (probe.type == MIF_PROBE_REQUEST)
	{	/* a request proves nothing about the path: anybody with the key
		 * can spoof its source (RFC 4555 §5.4), only replies count */
		answer_request(this, conn, path, &probe);
		goto out;
	}
	if (!accept_reply(path, &probe))
	{
		DBG2(DBG_NET, "mif: dropping replayed or unsolicited reply %u for "
			 "BID %u from %#H", probe.number, probe.bid, src);
		goto out;
	}
	time_monotonic(&path->last_rx);
	path->waiting_since = (timeval_t){};
	path->heard = TRUE;
	if (path->state == MIF_PATH_DEAD)
	{	/* doc/protocol.md 8 row 9 */
		DBG1(DBG_NET, "mif: path BID %u %H === %H is alive again", path->bid,
			 path->local, path->remote);
		mif_paths_set_state(this, conn, path, MIF_PATH_ACTIVE,
							"probe-answered");
		mif_paths_update_routes(this, conn);
		if (conn->steered)
		{	/* MOBIKE keeps the IKE SA on its working path */
			mif_liveness_unsteer(this, conn);
		}
	}
out:
	mif_msg_probe_clear(&probe);
	this->mutex->unlock(this->mutex);
}

/*
 * Described in header
 */
void mif_liveness_unsteer(private_mif_manager_t *this, mif_conn_t *conn)
{
	if (conn->steered && this->srcroute)
	{
		this->srcroute->unsteer(this->srcroute, conn->ike_remote);
	}
	conn->steered = FALSE;
}

/**
 * The path under the IKE SA died silently (liveness, not a kernel event):
 * charon cannot notice, so steer the route towards the peer through a
 * working path and let MOBIKE move the IKE SA there, the initiator deciding
 * as in RFC 4555 2.1 (doc/protocol.md 7.4; lock held).
 */
static void steer_ike(private_mif_manager_t *this, mif_conn_t *conn)
{
	mif_path_t *path, *dead = NULL, *live = NULL;
	int i;

	if (!conn->initiator || conn->steered || !conn->ike_local ||
		!this->srcroute)
	{
		return;
	}
	for (i = 0; i < array_count(conn->paths); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->state == MIF_PATH_DEAD &&
			path->local->ip_equals(path->local, conn->ike_local))
		{
			dead = path;
		}
		else if (path->state == MIF_PATH_ACTIVE && path->link &&
				 path->local->get_family(path->local) ==
						conn->ike_remote->get_family(conn->ike_remote) &&
				 (!live || path->prio < live->prio))
		{
			live = path;
		}
	}
	if (dead && live &&
		this->srcroute->steer(this->srcroute, conn->ike_remote, live->local))
	{
		DBG1(DBG_IKE, "mif: IKE_SA %s[%u] path %H - %H is dead, steering "
			 "MOBIKE to %H", conn->name, conn->ike_id, conn->ike_local,
			 conn->ike_remote, live->local);
		if (!lib->settings->get_bool(lib->settings, "%s.prefer_best_path",
									 FALSE, lib->ns))
		{	/* otherwise charon keeps any path a route could still serve */
			DBG1(DBG_IKE, "mif: MOBIKE follows only with "
				 "charon.prefer_best_path = yes");
		}
		conn->steered = TRUE;
		lib->processor->queue_job(lib->processor,
								  (job_t*)roam_job_create(FALSE));
	}
}

/**
 * Milliseconds since a point in time.
 */
static int64_t age_ms(timeval_t *now, timeval_t *then)
{
	return (now->tv_sec - then->tv_sec) * 1000 +
		   (now->tv_usec - then->tv_usec) / 1000;
}

/**
 * Timers of one path; FALSE if the path was released (lock held).
 */
static bool tick_path(private_mif_manager_t *this, mif_conn_t *conn,
					  mif_path_t *path, timeval_t *now, bool *changed)
{
	u_int per_second = 1000 / this->interval;
	int64_t age;

	path->reply_budget = 2;
	switch (path->state)
	{
		case MIF_PATH_CHECKING:
			/* doc/protocol.md 8 row 4: one RR probe per second, then
			 * refuse the path */
			if (++path->rr_tries % per_second)
			{
				return TRUE;
			}
			if (path->rr_tries / per_second >= this->rr_tries)
			{
				DBG1(DBG_IKE, "mif: %H did not answer the return routability "
					 "check, refusing path BID %u", path->remote, path->bid);
				mif_paths_release(this, conn, path, FALSE, "rr-timeout");
				return FALSE;
			}
			mif_liveness_send_rr(this, conn, path);
			return TRUE;
		case MIF_PATH_ANNOUNCED:
		case MIF_PATH_CHILD:
			/* the peer checks within rr_tries seconds, and the CHILD SA
			 * follows (within MIF_CHILD_TIMEOUT, it may queue), or the path
			 * is given up (row 14) and the owner announces the address
			 * anew */
			if (age_ms(now, &path->since) <
				(path->state == MIF_PATH_CHILD ? MIF_CHILD_TIMEOUT
											   : this->rr_tries + 5) * 1000)
			{
				return TRUE;
			}
			DBG1(DBG_IKE, "mif: path BID %u %H === %H stuck in %N, giving it "
				 "up", path->bid, path->local, path->remote,
				 mif_path_state_names, path->state);
			mif_paths_release(this, conn, path, TRUE, "stuck");
			mif_paths_reannounce(this, conn, per_second);
			return FALSE;
		case MIF_PATH_ACTIVE:
		case MIF_PATH_DEAD:
			/* both sides keep checking that the peer receives at the
			 * path's address (doc/protocol.md 5.3) */
			send_probe(this, conn, path, MIF_PROBE_REQUEST, 0,
					   ++path->probe_number, NULL);
			if (!path->waiting_since.tv_sec && !path->waiting_since.tv_usec)
			{
				path->waiting_since = *now;
			}
			/* no reply for the dead interval, and our requests went out
			 * for that long: a timer that ran late proves nothing; a fresh
			 * path gets time for its first reply to come through before it
			 * can be declared dead (row 7) */
			age = min(age_ms(now, &path->last_rx),
					  age_ms(now, &path->waiting_since));
			if (path->state == MIF_PATH_ACTIVE &&
				age > (path->heard ? this->dead : 3 * this->dead))
			{
				DBG1(DBG_NET, "mif: path BID %u %H === %H is dead, no probe "
					 "for %lld ms", path->bid, path->local, path->remote,
					 (long long)age);
				mif_paths_set_state(this, conn, path, MIF_PATH_DEAD,
									"no-probe-reply");
				*changed = TRUE;
			}
			else if (path->state == MIF_PATH_DEAD &&
					 age_ms(now, &path->since) >= this->dead_timeout * 1000)
			{	/* row 16: gone for good, announced anew when usable */
				DBG1(DBG_NET, "mif: path BID %u %H === %H dead for %u s",
					 path->bid, path->local, path->remote, this->dead_timeout);
				mif_paths_remove(this, conn, path, MIF_REMOVE_DEAD);
				mif_paths_reannounce(this, conn, this->rr_tries * per_second);
				return FALSE;
			}
			return TRUE;
		default:
			return TRUE;
	}
}

/**
 * Announce the usable addresses of an owner's IKE SA again.
 */
CALLBACK(reannounce_job, job_requeue_t,
	uintptr_t *data)
{
	private_mif_manager_t *this = (private_mif_manager_t*)data[0];
	mif_conn_t *conn;
	ike_sa_t *ike_sa;

	ike_sa = mif_exchange_checkout(this, data[1]);
	if (!ike_sa)
	{
		return JOB_REQUEUE_NONE;
	}
	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (conn && ike_sa->get_state(ike_sa) == IKE_ESTABLISHED)
	{
		mif_paths_announce_all(this, conn, ike_sa);
	}
	else if (conn)
	{	/* busy (rekeying): try again at the next tick */
		mif_paths_reannounce(this, conn, 0);
	}
	this->mutex->unlock(this->mutex);
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return JOB_REQUEUE_NONE;
}

/*
 * Described in header
 */
job_requeue_t mif_liveness_tick(void *data)
{
	private_mif_manager_t *this = data;
	enumerator_t *enumerator;
	mif_conn_t *conn;
	mif_path_t *path;
	mif_conn_delete_t del;
	timeval_t now;
	uintptr_t *job;
	array_t *due;
	bool changed, refresh, busy = FALSE;
	int i;

	time_monotonic(&now);
	due = array_create(0, 0);
	this->mutex->lock(this->mutex);
	this->ticks++;
	this->rr_limit->tick(this->rr_limit, this->interval);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		/* what keeps the timer running: a path, a delete waiting for its
		 * grace time, a re-announcement (the last two are taken below) */
		busy |= array_count(conn->paths) || array_count(conn->deletes) ||
				conn->reannounce;
		if (!conn->key_rx.len)
		{
			continue;
		}
		conn->verify_budget = verify_budget(conn);
		changed = FALSE;
		for (i = 0; i < array_count(conn->paths); i++)
		{
			array_get(conn->paths, i, &path);
			if (!tick_path(this, conn, path, &now, &changed))
			{
				i--;
			}
		}
		if (changed)
		{
			mif_paths_update_routes(this, conn);
			steer_ike(this, conn);
		}
		while (array_get(conn->deletes, ARRAY_HEAD, &del) &&
			   (int32_t)(this->ticks - del.due) >= 0)
		{	/* a no-op if the peer deleted it */
			array_remove(conn->deletes, ARRAY_HEAD, NULL);
			mif_exchange_delete_child(del.child_id);
		}
		if (conn->reannounce && (int32_t)(this->ticks - conn->reannounce) >= 0)
		{
			conn->reannounce = 0;
			job = malloc(2 * sizeof(uintptr_t));
			job[0] = (uintptr_t)this;
			job[1] = conn->id;
			array_insert(due, ARRAY_TAIL, job);
		}
	}
	enumerator->destroy(enumerator);
	refresh = this->srcroute && this->ticks % (1000 / this->interval) == 0;
	busy |= array_count(due) > 0;
	if (!busy)
	{	/* mif_liveness_wake() schedules us again */
		this->ticking = FALSE;
	}
	this->mutex->unlock(this->mutex);

	if (refresh)
	{	/* once a second: source tables follow the main table */
		this->srcroute->refresh(this->srcroute);
	}
	while (array_remove(due, ARRAY_HEAD, &job))
	{
		lib->processor->queue_job(lib->processor, (job_t*)
					callback_job_create(reannounce_job, job, free, NULL));
	}
	array_destroy(due);
	return busy ? JOB_RESCHEDULE_MS(this->interval) : JOB_REQUEUE_NONE;
}

/*
 * Described in header
 */
void mif_liveness_wake(private_mif_manager_t *this)
{
	if (!this->ticking)
	{
		this->ticking = TRUE;
		/* above IKE work: a timer queued behind hundreds of IKE jobs sends
		 * its requests late */
		lib->scheduler->schedule_job_ms(lib->scheduler, (job_t*)
				callback_job_create_with_prio(mif_liveness_tick, this, NULL,
											  NULL, JOB_PRIO_HIGH),
				this->interval);
	}
}
