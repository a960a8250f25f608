/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Path probes: return-routability probes, liveness, dead path detection
 * and steering MOBIKE off a path that failed silently.
 */

#include "mif_manager_priv.h"

#include <daemon.h>
#include <processing/jobs/roam_job.h>

/**
 * Send a probe on a path.
 */
void mif_mgr_send_probe(private_mif_manager_t *this, mif_conn_t *conn,
					   mif_path_t *path, mif_probe_type_t type, uint8_t flags,
					   uint32_t number)
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
	const char *reason;
	chunk_t data;
	host_t *dst;

	dst = path->remote->clone(path->remote);
	dst->set_port(dst, conn->peer.probe_port);
	probe.addr = dst;
	if (flags & MIF_PROBE_RR)
	{
		memcpy(probe.cookie, path->cookie, sizeof(probe.cookie));
	}
	if (mif_msg_build_probe(&probe, conn->key_tx, &data, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_NET, "mif: building probe failed: %s", reason);
		dst->destroy(dst);
		return;
	}
	this->prober->send(this->prober, path->local, dst, path->link, data);
	dst->destroy(dst);
	chunk_free(&data);
}

/**
 * Find the state of the IKE SA a probe belongs to (lock held).
 */
static mif_conn_t *find_by_spis(private_mif_manager_t *this, uint64_t spi_i,
								uint64_t spi_r)
{
	enumerator_t *enumerator;
	mif_conn_t *conn, *found = NULL;

	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		if (conn->spi_i == spi_i && conn->spi_r == spi_r && conn->key_rx.len)
		{
			found = conn;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
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
		path->state = MIF_PATH_CHILD;
		mif_mgr_send_notify(this, conn->ike_id, MIF_PATH_RR, data);
	}
	memwipe(&rr, sizeof(rr));
}

void mif_mgr_receive_probe(void *data, host_t *src, host_t *dst,
						   chunk_t datagram)
{
	private_mif_manager_t *this = data;
	mif_msg_probe_t probe;
	mif_conn_t *conn;
	mif_path_t *path;
	const char *reason;

	if (mif_msg_parse_probe(datagram, &probe, &reason) != MIF_MSG_OK)
	{
		DBG2(DBG_NET, "mif: dropping malformed probe from %#H: %s", src,
			 reason);
		return;
	}
	this->mutex->lock(this->mutex);
	conn = find_by_spis(this, probe.spi_i, probe.spi_r);
	if (!conn ||
		mif_msg_verify_probe(datagram, conn->key_rx, &reason) != MIF_MSG_OK)
	{
		DBG2(DBG_NET, "mif: dropping unauthenticated probe from %#H", src);
		goto out;
	}
	path = mif_conn_get_path(conn, probe.bid);
	/* a probe counts only on the very address pair of its path */
	if (!path || !path->local->ip_equals(path->local, dst) ||
		!path->remote->ip_equals(path->remote, src))
	{
		DBG2(DBG_NET, "mif: probe for BID %u from %#H to %H does not match "
			 "its path", probe.bid, src, dst);
		goto out;
	}
	if (probe.type == MIF_PROBE_REQUEST && (probe.flags & MIF_PROBE_RR))
	{
		echo_rr(this, conn, path, &probe);
		goto out;
	}
	/* liveness probes of the current incarnation only, each number once:
	 * requests strictly increasing, replies only to what we asked */
	if (probe.seq != path->seq || probe.number <= path->rx_number ||
		(probe.type == MIF_PROBE_REPLY && probe.number > path->probe_number))
	{
		DBG2(DBG_NET, "mif: dropping replayed or unsolicited probe %u for "
			 "BID %u from %#H", probe.number, probe.bid, src);
		goto out;
	}
	path->rx_number = probe.number;
	time_monotonic(&path->last_rx);
	path->heard = TRUE;
	if (probe.type == MIF_PROBE_REQUEST)
	{
		mif_mgr_send_probe(this, conn, path, MIF_PROBE_REPLY, 0, probe.number);
	}
	if (path->state == MIF_PATH_DEAD)
	{
		DBG1(DBG_NET, "mif: path BID %u %H === %H is alive again", path->bid,
			 path->local, path->remote);
		path->state = MIF_PATH_ACTIVE;
		mif_mgr_update_routes(this, conn);
		if (conn->steered)
		{	/* MOBIKE keeps the IKE SA on its working path */
			mif_mgr_unsteer(this, conn);
		}
	}
out:
	mif_msg_probe_clear(&probe);
	this->mutex->unlock(this->mutex);
}

/**
 * Undo the steering of the IKE SA's route (lock held).
 */
void mif_mgr_unsteer(private_mif_manager_t *this, mif_conn_t *conn)
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
 * working path and let MOBIKE move the IKE SA there (lock held).
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
 * Periodic work on all paths: RR retransmissions, liveness probes, dead
 * path detection.
 */
job_requeue_t mif_mgr_tick(void *data)
{
	private_mif_manager_t *this = data;
	enumerator_t *enumerator;
	mif_conn_t *conn;
	mif_path_t *path;
	timeval_t now;
	int64_t age;
	bool changed;
	int i;

	time_monotonic(&now);
	this->mutex->lock(this->mutex);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		if (!conn->key_rx.len)
		{
			continue;
		}
		changed = FALSE;
		for (i = 0; i < array_count(conn->paths); i++)
		{
			array_get(conn->paths, i, &path);
			switch (path->state)
			{
				case MIF_PATH_CHECKING:
					/* one RR probe per second, then refuse the path */
					if (++path->rr_tries % (1000 / this->interval))
					{
						break;
					}
					if (path->rr_tries / (1000 / this->interval) >=
															this->rr_tries)
					{
						DBG1(DBG_IKE, "mif: %H did not answer the return "
							 "routability check, refusing path BID %u",
							 path->remote, path->bid);
						mif_mgr_forget_binding(this, conn, path->bid);
						mif_mgr_forget_path(this, conn, path->bid);
						i--;
						break;
					}
					mif_mgr_send_probe(this, conn, path, MIF_PROBE_REQUEST,
							   MIF_PROBE_RR, 0);
					break;
				case MIF_PATH_ANNOUNCED:
					/* the peer checks within rr_tries seconds or never */
					if (++path->rr_tries / (1000 / this->interval) >=
															this->rr_tries + 5)
					{
						DBG1(DBG_IKE, "mif: peer never checked path BID %u "
							 "%H === %H, giving it up", path->bid,
							 path->local, path->remote);
						mif_mgr_forget_binding(this, conn, path->bid);
						mif_mgr_forget_path(this, conn, path->bid);
						i--;
					}
					break;
				case MIF_PATH_ACTIVE:
				case MIF_PATH_DEAD:
					if (conn->initiator)
					{
						mif_mgr_send_probe(this, conn, path, MIF_PROBE_REQUEST, 0,
								   ++path->probe_number);
					}
					age = (now.tv_sec - path->last_rx.tv_sec) * 1000 +
						  (now.tv_usec - path->last_rx.tv_usec) / 1000;
					/* a fresh path gets time for its first probe to come
					 * through before it can be declared dead */
					if (path->state == MIF_PATH_ACTIVE &&
						age > (path->heard ? this->dead : 3 * this->dead))
					{
						DBG1(DBG_NET, "mif: path BID %u %H === %H is dead, "
							 "no probe for %lld ms", path->bid, path->local,
							 path->remote, (long long)age);
						path->state = MIF_PATH_DEAD;
						changed = TRUE;
					}
					break;
				default:
					break;
			}
		}
		if (changed)
		{
			mif_mgr_update_routes(this, conn);
			steer_ike(this, conn);
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return JOB_RESCHEDULE_MS(this->interval);
}
