/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */



#include "mif_manager_priv.h"

#include <daemon.h>
#include <processing/jobs/callback_job.h>

METHOD(listener_t, message_hook, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	if (plain)
	{
		mif_mgr_message(this, ike_sa, message, incoming);
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
			mif_mgr_path_child_up(this, conn, ike_sa, child_sa);
		}
		else if (is_path)
		{
			path = mif_conn_get_path(conn, atoi(child_sa->get_name(child_sa) +
												strlen(PATH_CHILD_PREFIX)));
			if (path && path->child_id == child_sa->get_unique_id(child_sa))
			{
				mif_mgr_drop_path(this, conn, ike_sa, path);
			}
		}
		else if (up)
		{
			mif_mgr_learn_routes(conn, ike_sa, child_sa);
			mif_mgr_update_routes(this, conn);
		}
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
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
		/* a responder's IKE SA comes up while it builds the IKE_AUTH
		 * response, to which ike_auth() then adds our MIF_SUPPORTED */
		if (!conn->peer_supported || (conn->initiator && !conn->sent) ||
			!mif_conn_derive_keys(conn, ike_sa))
		{
			DBG1(DBG_IKE, "mif: peer of IKE_SA %s[%u] does not support "
				 "multiple interfaces, using plain MOBIKE", conn->name,
				 conn->ike_id);
			this->conns->remove(this->conns, (void*)unique);
			mif_conn_destroy(conn);
		}
		else
		{
			free(conn->name);
			conn->name = strdup(ike_sa->get_name(ike_sa));
			mif_conn_set_ike_path(conn, ike_sa->get_my_host(ike_sa),
								  ike_sa->get_other_host(ike_sa));
			mif_conn_key(ike_sa, &key, id, sizeof(id));
			free(conn->peer_id);
			conn->peer_id = strdup(key.id);
			DBG1(DBG_IKE, "mif: multiple interfaces enabled for IKE_SA "
				 "%s[%u], peer accepts %u paths, probes on port %u",
				 conn->name, conn->ike_id, conn->peer.max_paths,
				 conn->peer.probe_port);
			if (conn->initiator && this->announce)
			{
				mif_mgr_announce_all(this, conn, ike_sa);
			}
		}
	}
	else if (conn)
	{
		if (this->dataplane)
		{
			this->dataplane->flush(this->dataplane, conn->ike_id);
		}
		mif_mgr_forget_all(this, conn);
		mif_mgr_unsteer(this, conn);
		this->conns->remove(this->conns, (void*)unique);
		mif_conn_destroy(conn);
	}
	this->mutex->unlock(this->mutex);
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
		/* paths and their CHILD SAs move to the new IKE SA; probe keys are
		 * bound to the SPIs, so derive them again */
		if (this->dataplane)
		{
			this->dataplane->flush(this->dataplane, conn->ike_id);
		}
		conn->ike_id = new->get_unique_id(new);
		mif_conn_derive_keys(conn, new);
		this->conns->put(this->conns, (void*)(uintptr_t)conn->ike_id, conn);
		DBG1(DBG_IKE, "mif: paths moved to rekeyed IKE_SA %s[%u]", conn->name,
			 conn->ike_id);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * Job announcing a new local address to every IKE SA.
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
			mif_mgr_announce_path(this, conn, ike_sa, job->addr, job->ifname);
		}
		else if (conn && (path = mif_conn_find_local(conn, job->addr)))
		{
			mif_msg_path_remove_t rem = {
				.bid = path->bid,
				.seq = ++conn->seq,
				.reason = MIF_REMOVE_ADDR_GONE,
			};
			const char *reason;
			chunk_t data;

			DBG1(DBG_CFG, "mif: address %H gone, removing path BID %u",
				 job->addr, path->bid);
			if (mif_msg_build_path_remove(&rem, &data, &reason) == MIF_MSG_OK)
			{
				mif_mgr_send_notify(this, conn->ike_id, MIF_PATH_REMOVE, data);
			}
			mif_mgr_delete_child(conn->ike_id, path->child_id);
			mif_mgr_drop_path(this, conn, ike_sa, path);
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

	if (up || strpfx(name, "mif"))
	{	/* a path comes back once its probes are answered again */
		return TRUE;
	}
	/* failover without waiting for the dead interval: paths over an
	 * interface that went down stop carrying traffic at once */
	this->mutex->lock(this->mutex);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		changed = FALSE;
		for (i = 0; i < array_count(conn->paths); i++)
		{
			array_get(conn->paths, i, &path);
			if (path->state == MIF_PATH_ACTIVE && streq(path->ifname, name))
			{
				DBG1(DBG_KNL, "mif: %s down, path BID %u stops carrying "
					 "traffic", name, path->bid);
				path->state = MIF_PATH_DEAD;
				path->last_rx.tv_sec = 0;
				changed = TRUE;
			}
		}
		if (changed)
		{
			mif_mgr_update_routes(this, conn);
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

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
		bid = mif_mgr_announce_path(this, conn, ike_sa, local, NULL);
	}
	this->mutex->unlock(this->mutex);
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return bid;
}

METHOD(mif_manager_t, remove_path, bool,
	private_mif_manager_t *this, uint32_t ike_id, uint16_t bid)
{
	mif_msg_path_remove_t rem = {
		.bid = bid,
		.reason = MIF_REMOVE_ADMIN,
	};
	ike_sa_t *ike_sa;
	mif_conn_t *conn;
	mif_path_t *path;
	const char *reason;
	chunk_t data;
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
		rem.seq = path->seq = ++conn->seq;
		if (mif_msg_build_path_remove(&rem, &data, &reason) == MIF_MSG_OK)
		{
			mif_mgr_send_notify(this, ike_id, MIF_PATH_REMOVE, data);
		}
		DBG1(DBG_CFG, "mif: removing path BID %u %H === %H", bid, path->local,
			 path->remote);
		mif_mgr_delete_child(ike_id, path->child_id);
		mif_mgr_drop_path(this, conn, ike_sa, path);
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
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		mif_conn_destroy(conn);
	}
	enumerator->destroy(enumerator);
	this->conns->destroy(this->conns);
	DESTROY_IF(this->dataplane);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mif_manager_t *mif_manager_create(mif_backend_t *backend,
								  mif_dataplane_t *dataplane)
{
	private_mif_manager_t *this;
	uint16_t port;

	INIT(this,
		.public = {
			.listener = {
				.message = _message_hook,
				.ike_updown = _ike_updown,
				.ike_rekey = _ike_rekey,
				.ike_update = _ike_update,
				.child_updown = _child_updown,
			},
			.add_path = _add_path,
			.remove_path = _remove_path,
			.create_path_enumerator = _create_path_enumerator,
			.destroy = _destroy,
		},
		.monitor_listener = {
			.link = _monitor_link,
			.address = _monitor_address,
		},
		.backend = backend,
		.dataplane = dataplane,
		.conns = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8),
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
	);
	this->interval = max(10, min(this->interval, 1000));
	this->dead = max(this->dead, 2 * this->interval);

	port = lib->settings->get_int(lib->settings, "%s.plugins.mif.probe_port",
								  4501, lib->ns);
	this->prober = mif_prober_create(port, mif_mgr_receive_probe, this);
	if (!this->prober)
	{
		DESTROY_IF(this->dataplane);
		this->conns->destroy(this->conns);
		this->mutex->destroy(this->mutex);
		free(this);
		return NULL;
	}
	this->srcroute = mif_srcroute_create();
	this->monitor = mif_monitor_create_from_settings("charon.plugins.mif.monitor");
	if (this->monitor)
	{
		this->monitor->add_listener(this->monitor, &this->monitor_listener);
	}
	lib->scheduler->schedule_job_ms(lib->scheduler, (job_t*)
			callback_job_create(mif_mgr_tick, this, NULL, NULL), this->interval);
	return &this->public;
}
