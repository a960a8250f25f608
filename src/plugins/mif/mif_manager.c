/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * DOC: Path manager
 *
 * The path manager carries the multiple interfaces extension
 * (doc/protocol.md) on IKEv2 SAs: it negotiates the extension in IKE_AUTH,
 * announces our addresses as paths and verifies the peer's (return
 * routability), brings up a CHILD SA and a data plane per path, probes every
 * path, routes the inner traffic over the live ones and fails over when one
 * dies, moving MOBIKE off a path that died silently. Its state per IKE SA is
 * a mif_conn_t with its mif_path_t (mif_conn.c); libmif records each path as
 * a binding of the peer's session.
 *
 * Files, each calling only the ones below it (src/plugins/mif/tests/
 * callgraph.sh fails on a cycle); each declares its functions in its own
 * header, and mif_manager_priv.h holds the state they share:
 *
 * - mif_manager.c: the object, its bus listener (IKE and CHILD SA events,
 *   plain messages), interface events of mif_monitor.c, the operator
 *   commands of mif_control.c and the settings, read once at creation.
 * - mif_signal.c: the signalling we receive (doc/protocol.md 6): MIF_SUPPORTED
 *   in IKE_AUTH, the peer's ADD, RR, REMOVE and UPDATE and our MIF_PATH_ACKs
 *   in the response, and the ACKs to our own requests.
 * - mif_liveness.c: path probes (doc/protocol.md 5): RR probes, liveness
 *   requests and replies, the path timer (every probe interval: timeouts of
 *   every state, dead paths, budgets) and steering MOBIKE.
 * - mif_paths.c: the path lifecycle (doc/protocol.md 8): announcing, libmif
 *   bindings, path CHILD SAs, data plane, routes, and mif_paths_release(),
 *   the one way a path ends; mif_paths_set_state(), the way the others
 *   change a path's state, publishes it as a path event (mif_path_event.h)
 *   to the listeners registered through add_event_listener() (mifctl
 *   monitor: mif_control.c queues them, mif_event_queue.c).
 * - mif_exchange.c: our exchanges, from jobs that find the IKE SA a conn is
 *   on now and wait while its path is unusable (doc/protocol.md 7.4, 9):
 *   notifies in an INFORMATIONAL (mif_task.c) and CHILD SA deletes. Answers
 *   reach mif_signal.c through the on_response callback set at creation.
 *
 * Below them: mif_conn.c (state), mif_prober.c (probe sockets),
 * mif_dataplane.c and mif_srcroute.c (kernel), mif_task.c, the codec
 * mif_msg*.c.
 *
 * Threads and locks: one mutex protects all conns and their paths. It is
 * taken by the bus listener hooks (charon's thread working on the IKE SA,
 * which it has checked out), by mif_signal_message() and the response
 * callback of mif_task.c (same), by the prober's watcher callback for each
 * probe received, by the path timer (a scheduled job), by the monitor's
 * link events and by the operator commands; the path enumerator of
 * mif_control.c holds it until destroyed. Event listeners are called with
 * it held and only queue (mif_event_queue.c takes its own lock after ours,
 * never the other way round). Work that needs an IKE SA of its
 * own (sending, CHILD SA creation and deletion, announcing on address
 * events and anew) is queued as a job, which checks the IKE SA out first and
 * takes the mutex after: never the other way round, since charon's threads
 * call our hooks with an IKE SA checked out. Jobs remember a conn by its
 * stable id (mif_conn_t.id), as IKE rekeys move conns to a new IKE SA.
 */

#include "mif_manager_priv.h"
#include "mif_signal.h"
#include "mif_liveness.h"
#include "mif_paths.h"

#include <daemon.h>
#include <processing/jobs/callback_job.h>

METHOD(listener_t, message_hook, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	if (plain)
	{
		mif_signal_message(this, ike_sa, message, incoming);
	}
	return TRUE;
}

METHOD(listener_t, child_updown, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	mif_conn_t *conn;
	mif_path_t *path;
	bool is_path;

	is_path = strpfx(child_sa->get_name(child_sa), PATH_CHILD_PREFIX);
	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (conn && conn->key_rx.len)
	{
		if (is_path && up)
		{
			mif_paths_child_up(this, conn, ike_sa, child_sa);
		}
		else if (is_path)
		{	/* doc/protocol.md 8 row 11 */
			path = mif_conn_find_child(conn,
									   child_sa->get_unique_id(child_sa));
			if (path)
			{
				DBG1(DBG_CHD, "mif: CHILD_SA of path BID %u gone, removing "
					 "the path", path->bid);
				mif_paths_release(this, conn, path, FALSE, "child-sa-down");
				mif_paths_reannounce(this, conn, 1000 / this->interval);
			}
		}
		else if (up)
		{
			mif_paths_learn_routes(conn, ike_sa, child_sa);
			mif_paths_update_routes(this, conn);
		}
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(listener_t, child_rekey, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, child_sa_t *old,
	child_sa_t *new)
{
	mif_conn_t *conn;
	mif_path_t *path;

	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	path = conn ? mif_conn_find_child(conn, old->get_unique_id(old)) : NULL;
	if (path)
	{	/* doc/protocol.md 11: the path's policies name no SPI, so the new
		 * SA carries the path as soon as it is installed */
		path->child_id = new->get_unique_id(new);
		DBG2(DBG_CHD, "mif: path BID %u now on CHILD_SA %s{%u}", path->bid,
			 new->get_name(new), path->child_id);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * An IKE SA goes away: release its paths and state, flush its data plane
 * (doc/protocol.md 8 row 13; lock held).
 */
static void conn_gone(private_mif_manager_t *this, uintptr_t unique)
{
	mif_conn_t *conn;

	conn = this->conns->remove(this->conns, (void*)unique);
	if (!conn)
	{
		return;
	}
	mif_paths_release_all(this, conn);
	if (this->dataplane)
	{
		this->dataplane->flush(this->dataplane, conn->id);
	}
	mif_liveness_unsteer(this, conn);
	mif_liveness_unindex(this, conn);
	mif_conn_destroy(conn);
}

METHOD(listener_t, ike_updown, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, bool up)
{
	uintptr_t unique = ike_sa->get_unique_id(ike_sa);
	char id[BUF_LEN];
	mif_key_t key;
	mif_conn_t *conn;

	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns, (void*)unique);
	if (conn && up)
	{
		/* doc/protocol.md 6.1: enabled iff both sides sent a MIF_SUPPORTED
		 * that parsed, else plain MOBIKE. A responder's IKE SA comes up
		 * while it builds the IKE_AUTH response, to which the IKE_AUTH
		 * handler of mif_signal.c then adds our MIF_SUPPORTED; its
		 * connection is known only now */
		if (!conn->peer_supported || (conn->initiator && !conn->sent) ||
			!mif_signal_enabled_for(ike_sa) ||
			!mif_conn_derive_keys(conn, ike_sa))
		{
			if (!conn->peer_supported)
			{
				DBG1(DBG_IKE, "mif: peer of IKE_SA %s[%u] does not support "
					 "multiple interfaces, using plain MOBIKE",
					 ike_sa->get_name(ike_sa), conn->ike_id);
			}
			else
			{
				DBG1(DBG_IKE, "mif: multiple interfaces not enabled for "
					 "IKE_SA %s[%u], using plain MOBIKE",
					 ike_sa->get_name(ike_sa), conn->ike_id);
			}
			conn_gone(this, unique);
		}
		else
		{
			free(conn->name);
			conn->name = strdup(ike_sa->get_name(ike_sa));
			mif_conn_set_ike_path(conn, ike_sa->get_my_host(ike_sa),
								  ike_sa->get_other_host(ike_sa));
			mif_conn_key(ike_sa, conn->id, &key, id, sizeof(id));
			free(conn->peer_id);
			conn->peer_id = strdup(key.id);
			mif_liveness_index(this, conn);
			DBG1(DBG_IKE, "mif: multiple interfaces enabled for IKE_SA "
				 "%s[%u], peer accepts %u paths, probes on port %u",
				 conn->name, conn->ike_id, conn->peer.max_paths,
				 conn->peer.probe_port);
			if (conn->initiator && this->announce)
			{
				mif_paths_announce_all(this, conn, ike_sa);
			}
		}
	}
	else if (conn)
	{
		conn_gone(this, unique);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(listener_t, ike_state_change, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, ike_sa_state_t state)
{
	if (state == IKE_DESTROYING)
	{	/* doc/protocol.md 8 row 13, also for IKE SAs that never came up
		 * (abandoned IKE_AUTH), which get no ike_updown */
		this->mutex->lock(this->mutex);
		conn_gone(this, ike_sa->get_unique_id(ike_sa));
		this->mutex->unlock(this->mutex);
	}
	return TRUE;
}

METHOD(listener_t, ike_update, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, host_t *local,
	host_t *remote)
{
	mif_conn_t *conn;

	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (conn && conn->ike_local)
	{
		mif_conn_set_ike_path(conn, local, remote);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(listener_t, ike_rekey, bool,
	private_mif_manager_t *this, ike_sa_t *old, ike_sa_t *new)
{
	uintptr_t id = old->get_unique_id(old);
	mif_conn_t *conn;

	this->mutex->lock(this->mutex);
	conn = this->conns->remove(this->conns, (void*)id);
	if (conn)
	{
		/* doc/protocol.md 8 row 12: paths, their CHILD SAs and data plane
		 * (named by the stable conn->id) move to the new IKE SA; probe keys
		 * are bound to the SPIs, so derive them again */
		mif_liveness_unindex(this, conn);
		conn->ike_id = new->get_unique_id(new);
		if (conn->key_rx.len)
		{
			mif_conn_derive_keys(conn, new);
			mif_liveness_index(this, conn);
		}
		this->conns->put(this->conns, (void*)(uintptr_t)conn->ike_id, conn);
		DBG1(DBG_IKE, "mif: paths moved to rekeyed IKE_SA %s[%u]", conn->name,
			 conn->ike_id);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * Job announcing a new local address to every IKE SA, or removing the paths
 * of one that is gone (doc/protocol.md 7.4, 8 rows 1, 10).
 */
typedef struct {
	private_mif_manager_t *this;
	host_t *addr;
	char *ifname;
	bool added;
} addr_job_t;

CALLBACK(addr_job, job_requeue_t,
	addr_job_t *job)
{
	private_mif_manager_t *this = job->this;
	enumerator_t *enumerator;
	uint32_t ids[64], *id;
	u_int count = 0, i;
	mif_conn_t *conn;
	mif_path_t *path;
	ike_sa_t *ike_sa;

	this->mutex->lock(this->mutex);
	enumerator = this->conns->create_enumerator(this->conns);
	while (count < countof(ids) &&
		   enumerator->enumerate(enumerator, NULL, &conn))
	{
		if (conn->key_rx.len && conn->initiator)
		{
			ids[count++] = conn->ike_id;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);

	for (i = 0; i < count; i++)
	{
		id = &ids[i];
		ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
														*id);
		if (!ike_sa)
		{
			continue;
		}
		this->mutex->lock(this->mutex);
		conn = this->conns->get(this->conns, (void*)(uintptr_t)*id);
		if (conn && job->added)
		{
			mif_paths_announce(this, conn, ike_sa, job->addr, job->ifname);
		}
		else if (conn && (path = mif_conn_find_local(conn, job->addr)))
		{
			DBG1(DBG_CFG, "mif: address %H gone, removing path BID %u",
				 job->addr, path->bid);
			mif_paths_remove(this, conn, path, MIF_REMOVE_ADDR_GONE);
		}
		this->mutex->unlock(this->mutex);
		charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	}
	return JOB_REQUEUE_NONE;
}

CALLBACK(addr_job_destroy, void,
	addr_job_t *job)
{
	job->addr->destroy(job->addr);
	free(job->ifname);
	free(job);
}

METHOD(mif_monitor_listener_t, monitor_address, bool,
	mif_monitor_listener_t *listener, int ifindex, char *name, host_t *addr,
	bool added)
{
	private_mif_manager_t *this = (private_mif_manager_t*)
		((char*)listener - offsetof(private_mif_manager_t, monitor_listener));
	addr_job_t *job;

	if (strpfx(name, "mif") || !this->announce)
	{
		return TRUE;
	}
	INIT(job,
		.this = this,
		.addr = addr->clone(addr),
		.ifname = strdup(name),
		.added = added,
	);
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create(addr_job, job, addr_job_destroy, NULL));
	return TRUE;
}

METHOD(mif_monitor_listener_t, monitor_link, bool,
	mif_monitor_listener_t *listener, int ifindex, char *name, bool up)
{
	private_mif_manager_t *this = (private_mif_manager_t*)
		((char*)listener - offsetof(private_mif_manager_t, monitor_listener));
	enumerator_t *enumerator;
	mif_conn_t *conn;
	mif_path_t *path;
	bool changed;
	int i;

	if (strpfx(name, "mif"))
	{
		return TRUE;
	}
	this->mutex->lock(this->mutex);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		if (up)
		{	/* doc/protocol.md 8 rows 9, 17: paths over it come back once
			 * their probes are answered again; those given up while it
			 * was down are announced anew */
			mif_paths_reannounce(this, conn, 0);
			continue;
		}
		/* failover without waiting for the dead interval: our paths over
		 * an interface that went down stop carrying traffic at once
		 * (doc/protocol.md 8 row 8); only the owner's paths know their
		 * interface, a verifier's ifname is the peer's */
		changed = FALSE;
		for (i = 0; i < array_count(conn->paths); i++)
		{
			array_get(conn->paths, i, &path);
			if (path->state == MIF_PATH_ACTIVE && path->link == ifindex)
			{
				DBG1(DBG_KNL, "mif: %s down, path BID %u stops carrying "
					 "traffic", name, path->bid);
				mif_paths_set_state(this, conn, path, MIF_PATH_DEAD,
									"link-down");
				path->last_rx.tv_sec = 0;
				changed = TRUE;
			}
		}
		if (changed)
		{
			mif_paths_update_routes(this, conn);
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/* doc/protocol.md 8 row 1: mifctl add */
METHOD(mif_manager_t, add_path, uint16_t,
	private_mif_manager_t *this, uint32_t ike_id, host_t *local)
{
	ike_sa_t *ike_sa;
	mif_conn_t *conn;
	uint16_t bid = 0;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													ike_id);
	if (!ike_sa)
	{
		return 0;
	}
	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns, (void*)(uintptr_t)ike_id);
	if (conn && conn->key_rx.len)
	{
		bid = mif_paths_announce(this, conn, ike_sa, local, NULL);
	}
	this->mutex->unlock(this->mutex);
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return bid;
}

/* doc/protocol.md 8 row 10: mifctl remove */
METHOD(mif_manager_t, remove_path, bool,
	private_mif_manager_t *this, uint32_t ike_id, uint16_t bid)
{
	ike_sa_t *ike_sa;
	mif_conn_t *conn;
	mif_path_t *path;
	bool found = FALSE;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													ike_id);
	if (!ike_sa)
	{
		return FALSE;
	}
	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns, (void*)(uintptr_t)ike_id);
	path = conn ? mif_conn_get_path(conn, bid) : NULL;
	if (path)
	{
		mif_paths_remove(this, conn, path, MIF_REMOVE_ADMIN);
		found = TRUE;
	}
	this->mutex->unlock(this->mutex);
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return found;
}

/**
 * Enumerator over all paths, holding the lock.
 */
typedef struct {
	enumerator_t public;
	private_mif_manager_t *this;
	enumerator_t *conns;
	mif_conn_t *conn;
	int i;
} path_enumerator_t;

METHOD(enumerator_t, path_enumerate, bool,
	path_enumerator_t *this, va_list args)
{
	uint32_t *ike_id;
	char **name;
	mif_path_t **path;

	VA_ARGS_VGET(args, ike_id, name, path);
	while (TRUE)
	{
		if (this->conn && this->i < array_count(this->conn->paths))
		{
			array_get(this->conn->paths, this->i++, path);
			*ike_id = this->conn->ike_id;
			*name = this->conn->name;
			return TRUE;
		}
		if (!this->conns->enumerate(this->conns, NULL, &this->conn))
		{
			return FALSE;
		}
		this->i = 0;
	}
}

METHOD(enumerator_t, path_enumerator_destroy, void,
	path_enumerator_t *this)
{
	this->conns->destroy(this->conns);
	this->this->mutex->unlock(this->this->mutex);
	free(this);
}

METHOD(mif_manager_t, create_path_enumerator, enumerator_t*,
	private_mif_manager_t *this)
{
	path_enumerator_t *enumerator;

	this->mutex->lock(this->mutex);
	INIT(enumerator,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _path_enumerate,
			.destroy = _path_enumerator_destroy,
		},
		.this = this,
		.conns = this->conns->create_enumerator(this->conns),
	);
	return &enumerator->public;
}

METHOD(mif_manager_t, add_event_listener, void,
	private_mif_manager_t *this, mif_path_event_listener_t *listener)
{
	this->mutex->lock(this->mutex);
	array_insert(this->event_listeners, ARRAY_TAIL, listener);
	this->mutex->unlock(this->mutex);
}

METHOD(mif_manager_t, remove_event_listener, void,
	private_mif_manager_t *this, mif_path_event_listener_t *listener)
{
	mif_path_event_listener_t *current;
	int i;

	this->mutex->lock(this->mutex);
	for (i = 0; i < array_count(this->event_listeners); i++)
	{
		array_get(this->event_listeners, i, &current);
		if (current == listener)
		{
			array_remove(this->event_listeners, i, NULL);
			break;
		}
	}
	this->mutex->unlock(this->mutex);
}

METHOD(mif_manager_t, destroy, void,
	private_mif_manager_t *this)
{
	enumerator_t *enumerator;
	mif_conn_t *conn;

	if (this->monitor)
	{
		this->monitor->remove_listener(this->monitor, &this->monitor_listener);
		this->monitor->destroy(this->monitor);
	}
	this->prober->destroy(this->prober);
	DESTROY_IF(this->srcroute);
	this->by_spi->destroy(this->by_spi);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		mif_conn_destroy(conn);
	}
	enumerator->destroy(enumerator);
	this->conns->destroy(this->conns);
	DESTROY_IF(this->dataplane);
	this->rr_limit->destroy(this->rr_limit);
	DESTROY_IF(this->rng);
	array_destroy(this->event_listeners);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mif_manager_t *mif_manager_create(mif_backend_t *backend,
								  mif_dataplane_t *dataplane,
								  const mif_dp_settings_t *dp_settings)
{
	private_mif_manager_t *this;
	uint16_t port;

	INIT(this,
		.public = {
			.listener = {
				.message = _message_hook,
				.ike_updown = _ike_updown,
				.ike_state_change = _ike_state_change,
				.ike_rekey = _ike_rekey,
				.ike_update = _ike_update,
				.child_updown = _child_updown,
				.child_rekey = _child_rekey,
			},
			.add_path = _add_path,
			.remove_path = _remove_path,
			.create_path_enumerator = _create_path_enumerator,
			.add_event_listener = _add_event_listener,
			.remove_event_listener = _remove_event_listener,
			.destroy = _destroy,
		},
		.monitor_listener = {
			.link = _monitor_link,
			.address = _monitor_address,
		},
		.backend = backend,
		.dataplane = dataplane,
		.conns = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8),
		.by_spi = hashtable_create(
							(hashtable_hash_t)mif_liveness_hash_spis,
							(hashtable_equals_t)mif_liveness_equals_spis, 8),
		.rr_limit = mif_ratelimit_create(MIF_RR_BURST, 1, 4096),
		.on_response = mif_signal_response,
		.wake = mif_liveness_wake,
		.rng = lib->crypto->create_rng(lib->crypto, RNG_WEAK),
		.event_listeners = array_create(0, 0),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		/* milliseconds: get_time() knows whole seconds only */
		.interval = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.probe_interval", 100, lib->ns),
		.dead = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dead_interval", 1000, lib->ns),
		.rr_tries = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.rr_tries", 5, lib->ns),
		.announce = lib->settings->get_bool(lib->settings,
							"%s.plugins.mif.announce", TRUE, lib->ns),
		.dead_timeout = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dead_timeout", 30, lib->ns),
	);
	this->interval = max(10, min(this->interval, 1000));
	this->dead = max(this->dead, 2 * this->interval);

	port = lib->settings->get_int(lib->settings, "%s.plugins.mif.probe_port",
								  4501, lib->ns);
	this->prober = this->rng ? mif_prober_create(port,
								mif_liveness_receive_probe, this) : NULL;
	if (!this->prober)
	{
		DESTROY_IF(this->dataplane);
		DESTROY_IF(this->rng);
		this->rr_limit->destroy(this->rr_limit);
		this->by_spi->destroy(this->by_spi);
		this->conns->destroy(this->conns);
		array_destroy(this->event_listeners);
		this->mutex->destroy(this->mutex);
		free(this);
		return NULL;
	}
	this->srcroute = mif_srcroute_create(dp_settings);
	/* charon-systemd falls back to the charon section for these */
	this->monitor = mif_monitor_create_from_settings("charon.plugins.mif.monitor");
	if (this->monitor)
	{
		this->monitor->add_listener(this->monitor, &this->monitor_listener);
	}
	/* the path timer starts with the first path (mif_liveness_wake()) */
	return &this->public;
}
