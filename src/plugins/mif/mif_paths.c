/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_paths.h"
#include "mif_exchange.h"

#include <daemon.h>
#include <net/if.h>
#include <mif_addr.h>
#include <processing/jobs/callback_job.h>

/**
 * Publish an event to every listener (lock held).
 */
static void publish(private_mif_manager_t *this, mif_path_event_t *event)
{
	mif_path_event_listener_t *listener;
	int i;

	if (!array_count(this->event_listeners))
	{
		return;
	}
	gettimeofday(&event->time, NULL);
	for (i = 0; i < array_count(this->event_listeners); i++)
	{
		array_get(this->event_listeners, i, &listener);
		listener->event(listener, event);
	}
}

/*
 * Described in header
 */
void mif_paths_event(private_mif_manager_t *this, mif_conn_t *conn,
					 mif_path_t *path, mif_path_event_type_t type,
					 const char *reason)
{
	mif_path_event_t event = {
		.type = type,
		.ike_name = conn->name,
		.ike_id = conn->ike_id,
		.bid = path->bid,
		.local = path->local,
		.remote = path->remote,
		.ifname = path->ifname,
		.reason = reason,
	};

	publish(this, &event);
}

/*
 * Described in header
 */
void mif_paths_set_state(private_mif_manager_t *this, mif_conn_t *conn,
						 mif_path_t *path, mif_path_state_t state,
						 const char *reason)
{
	mif_path_event_type_t type;

	mif_path_set_state(path, state);
	switch (state)
	{
		case MIF_PATH_ANNOUNCED:
		case MIF_PATH_CHECKING:
			type = MIF_PATH_EVENT_ADDED;
			break;
		case MIF_PATH_CHILD:
			type = MIF_PATH_EVENT_PROVEN;
			break;
		case MIF_PATH_ACTIVE:
			type = MIF_PATH_EVENT_ACTIVE;
			break;
		case MIF_PATH_DEAD:
			type = MIF_PATH_EVENT_DEAD;
			break;
		default:
			return;
	}
	mif_paths_event(this, conn, path, type, reason);
}

/**
 * The inner routes now go over other paths: publish it (lock held).
 */
static void publish_moved(private_mif_manager_t *this, mif_conn_t *conn,
						  uint16_t *bids, u_int count)
{
	mif_path_event_t event = {
		.type = MIF_PATH_EVENT_MOVED,
		.ike_name = conn->name,
		.ike_id = conn->ike_id,
		.bids = bids,
		.count = count,
	};

	if (count == conn->routed_count &&
		memeq(bids, conn->routed, count * sizeof(bids[0])))
	{
		return;
	}
	memcpy(conn->routed, bids, count * sizeof(bids[0]));
	conn->routed_count = count;
	publish(this, &event);
}

/*
 * Described in header
 */
void mif_paths_record_binding(private_mif_manager_t *this, mif_conn_t *conn,
							  mif_path_t *path, mif_binding_state_t state)
{
	mif_reg_entry_t entry = {
		.bid = path->bid,
		.prio = path->prio,
		.lifetime = MIF_LIFETIME_MAX,
		.state = state,
	};
	mif_reg_t req = {
		.key = {
			.id = conn->peer_id,
		},
		.flags = MIF_REG_AUTO_SEQ,
		.count = 1,
		.entries = &entry,
	};

	if (!conn->peer_id)
	{
		return;
	}
	mif_addr_from_host(&entry.coa, path->local);
	mif_addr_from_host(&entry.remote, path->remote);
	snprintf(entry.ifname, sizeof(entry.ifname), "%s", path->ifname);
	if (this->backend->registration(this->backend, &req) !=
															MIF_STATUS_ACCEPTED)
	{
		DBG1(DBG_CFG, "mif: recording path BID %u failed: %N", path->bid,
			 mif_status_names, entry.status);
	}
	else
	{
		this->backend->set_state(this->backend, &req.key, path->bid, state);
	}
}

/**
 * Which local interface kind a name suggests.
 */
static mif_if_kind_t guess_kind(char *ifname)
{
	if (strpfx(ifname, "wl"))
	{
		return MIF_IF_WLAN;
	}
	if (strpfx(ifname, "lte") || strpfx(ifname, "wwan") ||
		strpfx(ifname, "rmnet") || strpfx(ifname, "usb"))
	{
		return MIF_IF_CELLULAR;
	}
	if (strpfx(ifname, "eth") || strpfx(ifname, "en"))
	{
		return MIF_IF_WIRED;
	}
	return MIF_IF_UNSPECIFIED;
}

/**
 * Remote address for a path from a local address: the IKE SA's peer
 * address of the same family, else one the peer announced with MOBIKE.
 */
static host_t *select_remote(ike_sa_t *ike_sa, host_t *local)
{
	enumerator_t *enumerator;
	host_t *other = ike_sa->get_other_host(ike_sa), *addr, *found = NULL;

	if (other->get_family(other) == local->get_family(local))
	{
		return other->clone(other);
	}
	enumerator = ike_sa->create_peer_address_enumerator(ike_sa);
	while (enumerator->enumerate(enumerator, &addr))
	{
		if (addr->get_family(addr) == local->get_family(local))
		{
			found = addr->clone(addr);
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Runtime CHILD config of a path: an ESP transport SA between the path's
 * addresses for GRE, without policies (installed by the data plane).
 * Proposals and lifetimes are those of the connection's first CHILD.
 */
static child_cfg_t *create_path_cfg(ike_sa_t *ike_sa, mif_path_t *path)
{
	child_cfg_create_t data = {
		.mode = MODE_TRANSPORT,
		.options = OPT_PROXY_MODE | OPT_NO_POLICIES,
	};
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	enumerator_t *enumerator;
	child_cfg_t *cfg, *base = NULL;
	lifetime_cfg_t *lifetime = NULL;
	linked_list_t *proposals;
	proposal_t *proposal;
	char name[64];

	enumerator = peer_cfg->create_child_cfg_enumerator(peer_cfg);
	while (enumerator->enumerate(enumerator, &cfg))
	{
		if (!strpfx(cfg->get_name(cfg), PATH_CHILD_PREFIX))
		{
			base = cfg->get_ref(cfg);
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (base)
	{
		lifetime = base->get_lifetime(base, FALSE);
		data.lifetime = *lifetime;
		free(lifetime);
	}
	snprintf(name, sizeof(name), PATH_CHILD_PREFIX "%u", path->bid);
	cfg = child_cfg_create(name, &data);
	cfg->add_traffic_selector(cfg, TRUE, traffic_selector_create_from_subnet(
				path->local->clone(path->local),
				path->local->get_family(path->local) == AF_INET ? 32 : 128,
				IPPROTO_GRE, 0, 65535));
	cfg->add_traffic_selector(cfg, FALSE, traffic_selector_create_from_subnet(
				path->remote->clone(path->remote),
				path->remote->get_family(path->remote) == AF_INET ? 32 : 128,
				IPPROTO_GRE, 0, 65535));
	if (base)
	{
		proposals = base->get_proposals(base, FALSE);
		while (proposals->remove_first(proposals, (void**)&proposal) == SUCCESS)
		{
			cfg->add_proposal(cfg, proposal);
		}
		proposals->destroy(proposals);
		base->destroy(base);
	}
	else
	{
		cfg->add_proposal(cfg, proposal_create_default(PROTO_ESP));
	}
	return cfg;
}

/**
 * Make the path's CHILD config acceptable as responder (announcing side):
 * the verifier, having checked our address, initiates the CHILD SA.
 */
static void add_responder_cfg(ike_sa_t *ike_sa, mif_path_t *path)
{
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	child_cfg_t *cfg = create_path_cfg(ike_sa, path);
	enumerator_t *enumerator;
	child_cfg_t *current;
	bool found = FALSE;

	enumerator = peer_cfg->create_child_cfg_enumerator(peer_cfg);
	while (enumerator->enumerate(enumerator, &current))
	{
		if (current->equals(current, cfg))
		{
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (found)
	{
		cfg->destroy(cfg);
		return;
	}
	peer_cfg->add_child_cfg(peer_cfg, cfg);
}

/**
 * Is the address one of the IKE SA's own virtual IPs? Those travel inside
 * the tunnel and must never become a path (MOBIKE re-installs them on the
 * new interface, which looks like a new address).
 */
static bool is_virtual_ip(ike_sa_t *ike_sa, host_t *addr)
{
	enumerator_t *enumerator;
	host_t *vip;
	bool found = FALSE;

	enumerator = ike_sa->create_virtual_ip_enumerator(ike_sa, TRUE);
	while (enumerator->enumerate(enumerator, &vip))
	{
		if (vip->ip_equals(vip, addr))
		{
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/*
 * Described in header
 */
uint16_t mif_paths_announce(private_mif_manager_t *this, mif_conn_t *conn,
							ike_sa_t *ike_sa, host_t *local, char *ifname)
{
	mif_msg_path_add_t add = {};
	mif_path_t *path;
	host_t *remote;
	const char *reason;
	chunk_t data;
	uint16_t bid;

	if (mif_conn_find_local(conn, local) ||
		array_count(conn->paths) >= conn->peer.max_paths ||
		is_virtual_ip(ike_sa, local))
	{
		return 0;
	}
	remote = select_remote(ike_sa, local);
	if (!remote)
	{
		DBG2(DBG_CFG, "mif: no peer address of the family of %H", local);
		return 0;
	}
	bid = mif_conn_next_bid(conn);
	if (!bid)
	{
		remote->destroy(remote);
		return 0;
	}
	path = mif_conn_add_path(conn, bid, local->clone(local), remote);
	this->wake(this);
	path->seq = ++conn->seq;
	/* its "added" event once the ADD is built, with the interface */
	mif_path_set_state(path, MIF_PATH_ANNOUNCED);
	if (ifname)
	{
		strncpy(path->ifname, ifname, sizeof(path->ifname) - 1);
	}
	else if (charon->kernel->get_interface(charon->kernel, local, &ifname))
	{
		strncpy(path->ifname, ifname, sizeof(path->ifname) - 1);
		free(ifname);
	}
	path->link = path->ifname[0] ? if_nametoindex(path->ifname) : 0;
	if (path->link && this->srcroute)
	{
		this->srcroute->add(this->srcroute, path->local, path->link);
	}
	path->kind = guess_kind(path->ifname);
	path->prio = path->kind == MIF_IF_CELLULAR ? 100 : 50;

	add = (mif_msg_path_add_t){
		.bid = path->bid,
		.seq = path->seq,
		.kind = path->kind,
		.priority = path->prio,
		.local = path->local,
		.remote = path->remote,
	};
	memcpy(add.ifname, path->ifname, sizeof(add.ifname));
	if (mif_msg_build_path_add(&add, &data, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_CFG, "mif: cannot announce %H: %s", local, reason);
		mif_paths_release(this, conn, path, FALSE, "announce-failed");
		return 0;
	}
	add_responder_cfg(ike_sa, path);
	mif_paths_record_binding(this, conn, path, MIF_BINDING_PROBING);
	DBG1(DBG_CFG, "mif: announcing path BID %u %H === %H (%s) for IKE_SA "
		 "%s[%u]", path->bid, path->local, path->remote,
		 path->ifname[0] ? path->ifname : "?", conn->name, conn->ike_id);
	mif_paths_event(this, conn, path, MIF_PATH_EVENT_ADDED, "announced");
	mif_exchange_notify(this, conn->id, MIF_PATH_ADD, data);
	return path->bid;
}

/*
 * Described in header
 */
void mif_paths_announce_all(private_mif_manager_t *this, mif_conn_t *conn,
							ike_sa_t *ike_sa)
{
	enumerator_t *enumerator;
	host_t *addr;
	char *ifname;

	enumerator = charon->kernel->create_address_enumerator(charon->kernel,
														ADDR_TYPE_REGULAR);
	while (enumerator->enumerate(enumerator, &addr))
	{
		const char *reason;

		if (!mif_msg_check_address(addr, &reason) ||
			(addr->get_family(addr) == AF_INET6 &&
			 addr->get_address(addr).ptr[0] == 0xfe &&
			 (addr->get_address(addr).ptr[1] & 0xc0) == 0x80))
		{	/* link-local addresses can't reach the gateway */
			continue;
		}
		ifname = NULL;
		charon->kernel->get_interface(charon->kernel, addr, &ifname);
		if (!ifname || strpfx(ifname, "mif"))
		{	/* never build paths over our own GRE devices */
			free(ifname);
			continue;
		}
		mif_paths_announce(this, conn, ike_sa, addr, ifname);
		free(ifname);
	}
	enumerator->destroy(enumerator);
}

/*
 * Described in header
 */
void mif_paths_update_routes(private_mif_manager_t *this, mif_conn_t *conn)
{
	uint16_t bids[MIF_MSG_MAX_PATHS];
	mif_path_t *path;
	u_int count = 0;
	int i;

	if (!this->dataplane || !conn->routes->get_count(conn->routes))
	{
		return;
	}
	for (i = 0; i < array_count(conn->paths) && count < countof(bids); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->state == MIF_PATH_ACTIVE)
		{
			bids[count++] = path->bid;
		}
	}
	this->dataplane->set_routes(this->dataplane, conn->id, conn->routes,
								conn->src, bids, count);
	DBG1(DBG_KNL, "mif: IKE_SA %s[%u] routes over %u path(s)", conn->name,
		 conn->ike_id, count);
	publish_moved(this, conn, bids, count);
}

/**
 * Job creating a path's CHILD SA after a successful RR check.
 */
typedef struct {
	private_mif_manager_t *this;
	/** stable id of the conn, whatever IKE SA it is on when the job runs */
	uint32_t id;
	uint16_t bid;
	host_t *local, *remote;
} child_job_t;

CALLBACK(child_job, job_requeue_t,
	child_job_t *job)
{
	private_mif_manager_t *this = job->this;
	mif_path_t path = {
		.bid = job->bid,
		.local = job->local,
		.remote = job->remote,
	};
	ike_sa_t *ike_sa;

	ike_sa = mif_exchange_checkout(this, job->id);
	if (!ike_sa)
	{
		return JOB_REQUEUE_NONE;
	}
	DBG1(DBG_CHD, "mif: creating CHILD_SA for path BID %u %H === %H",
		 job->bid, job->local, job->remote);
	if (ike_sa->initiate(ike_sa, create_path_cfg(ike_sa, &path),
						 NULL) == DESTROY_ME)
	{
		charon->ike_sa_manager->checkin_and_destroy(charon->ike_sa_manager,
													ike_sa);
		return JOB_REQUEUE_NONE;
	}
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return JOB_REQUEUE_NONE;
}

CALLBACK(child_job_destroy, void,
	child_job_t *job)
{
	job->local->destroy(job->local);
	job->remote->destroy(job->remote);
	free(job);
}

/*
 * Described in header
 */
void mif_paths_release(private_mif_manager_t *this, mif_conn_t *conn,
					   mif_path_t *path, bool delete_child,
					   const char *reason)
{
	mif_key_t key = {
		.id = conn->peer_id,
	};
	uint16_t bid = path->bid;
	bool routed = path->state == MIF_PATH_ACTIVE;

	if (this->dataplane && path->dev[0])
	{	/* moves the routes off the path before its device goes */
		this->dataplane->del_path(this->dataplane, conn->id, bid);
	}
	if (delete_child)
	{
		mif_exchange_delete_child(path->child_id);
	}
	if (conn->peer_id)
	{
		this->backend->deregister(this->backend, &key, bid);
	}
	if (path->link && this->srcroute)
	{
		this->srcroute->del(this->srcroute, path->local);
	}
	mif_paths_event(this, conn, path, MIF_PATH_EVENT_REMOVED, reason);
	mif_conn_remove_path(conn, bid);
	if (routed)
	{
		mif_paths_update_routes(this, conn);
	}
}

/*
 * Described in header
 */
void mif_paths_release_all(private_mif_manager_t *this, mif_conn_t *conn)
{
	mif_path_t *path;

	while (array_get(conn->paths, ARRAY_HEAD, &path))
	{	/* the CHILD SAs go with the IKE SA */
		mif_paths_release(this, conn, path, FALSE, "ike-sa-down");
	}
}

/**
 * Token of a reason to remove a path of ours (doc/protocol.md 6.3).
 */
static const char *remove_reason(mif_path_remove_reason_t reason)
{
	switch (reason)
	{
		case MIF_REMOVE_IF_DOWN:
			return "interface-down";
		case MIF_REMOVE_ADDR_GONE:
			return "address-gone";
		case MIF_REMOVE_ADMIN:
			return "admin";
		case MIF_REMOVE_DEAD:
			return "dead-timeout";
		case MIF_REMOVE_RR_FAILED:
			return "rr-failed";
		case MIF_REMOVE_NAT:
			return "nat";
		case MIF_REMOVE_REPLACED:
			return "replaced";
		default:
			return "unspecified";
	}
}

/*
 * Described in header
 */
void mif_paths_remove(private_mif_manager_t *this, mif_conn_t *conn,
					  mif_path_t *path, mif_path_remove_reason_t reason)
{
	mif_msg_path_remove_t rem = {
		.bid = path->bid,
		.reason = reason,
	};
	const char *error;
	chunk_t data;

	/* the owner's Seq counter, or one past the path's (verifier): newer
	 * than anything the peer has for the BID (doc/protocol.md 6.4) */
	rem.seq = conn->initiator ? ++conn->seq : path->seq + 1;
	path->seq = rem.seq;
	if (mif_msg_build_path_remove(&rem, &data, &error) == MIF_MSG_OK)
	{
		mif_exchange_notify(this, conn->id, MIF_PATH_REMOVE, data);
	}
	DBG1(DBG_CFG, "mif: removing path BID %u %H === %H (reason %u)",
		 path->bid, path->local, path->remote, reason);
	if (path->child_id)
	{	/* the peer deletes the CHILD SA when it processes the REMOVE, so
		 * the REMOVE comes first (charon would send a DELETE of ours before
		 * it); we do only if the peer has not within a few seconds */
		mif_conn_delete_t del = {
			.child_id = path->child_id,
			.due = this->ticks + MIF_DELETE_GRACE * 1000 / this->interval,
		};
		array_insert(conn->deletes, ARRAY_TAIL, &del);
		this->wake(this);
	}
	mif_paths_release(this, conn, path, FALSE, remove_reason(reason));
}

/*
 * Described in header
 */
void mif_paths_reannounce(private_mif_manager_t *this, mif_conn_t *conn,
						  u_int delay)
{
	if (conn->initiator && this->announce)
	{
		conn->reannounce = this->ticks + max(delay, 1);
		this->wake(this);
	}
}

/*
 * Described in header
 */
void mif_paths_learn_routes(mif_conn_t *conn, ike_sa_t *ike_sa,
							child_sa_t *child_sa)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	host_t *vip, *other = ike_sa->get_other_host(ike_sa);

	enumerator = child_sa->create_ts_enumerator(child_sa, FALSE);
	while (enumerator->enumerate(enumerator, &ts))
	{
		if (ts->includes(ts, other))
		{
			DBG1(DBG_CFG, "mif: not routing %R over paths, it contains the "
				 "peer's address", ts);
			continue;
		}
		conn->routes->insert_last(conn->routes, ts->clone(ts));
	}
	enumerator->destroy(enumerator);
	enumerator = ike_sa->create_virtual_ip_enumerator(ike_sa, TRUE);
	if (!conn->src && enumerator->enumerate(enumerator, &vip))
	{
		conn->src = vip->clone(vip);
	}
	enumerator->destroy(enumerator);
}

/**
 * The first address of a CHILD SA's local or remote selectors: a path SA's
 * are the path's two hosts.
 */
static host_t *child_host(child_sa_t *child_sa, bool local)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	host_t *host = NULL;
	uint8_t mask;

	enumerator = child_sa->create_ts_enumerator(child_sa, local);
	if (enumerator->enumerate(enumerator, &ts))
	{
		ts->to_subnet(ts, &host, &mask);
	}
	enumerator->destroy(enumerator);
	return host;
}

/*
 * Described in header
 */
void mif_paths_child_up(private_mif_manager_t *this, mif_conn_t *conn,
						ike_sa_t *ike_sa, child_sa_t *child_sa)
{
	mif_dp_path_t dp;
	mif_path_t *path = NULL;
	host_t *local, *remote;

	/* the SA's selectors name its path, not the BID in its name: the
	 * announcing side reuses an equal CHILD config of an earlier BID; and
	 * only a path whose ownership was just proven may get one (row 6) */
	local = child_host(child_sa, TRUE);
	remote = child_host(child_sa, FALSE);
	if (local && remote)
	{
		path = mif_conn_find_pair(conn, local, remote);
	}
	if (!path || path->state != MIF_PATH_CHILD)
	{
		DBG1(DBG_CHD, "mif: CHILD_SA %s{%u} %H === %H belongs to no path "
			 "waiting for one, deleting it", child_sa->get_name(child_sa),
			 child_sa->get_unique_id(child_sa), local, remote);
		mif_exchange_delete_child(child_sa->get_unique_id(child_sa));
	}
	DESTROY_IF(local);
	DESTROY_IF(remote);
	if (!path || path->state != MIF_PATH_CHILD)
	{
		return;
	}
	path->child_id = child_sa->get_unique_id(child_sa);
	dp = (mif_dp_path_t){
		.ike_id = conn->id,
		.bid = path->bid,
		.local = path->local,
		.remote = path->remote,
		.reqid = child_sa->get_reqid(child_sa),
		.spi_in = child_sa->get_spi(child_sa, TRUE),
		.spi_out = child_sa->get_spi(child_sa, FALSE),
		.weight = 1,
		.link = path->link,
	};
	if (this->dataplane &&
		!this->dataplane->add_path(this->dataplane, &dp, path->dev))
	{
		DBG1(DBG_KNL, "mif: installing path BID %u failed", path->bid);
		mif_paths_remove(this, conn, path, MIF_REMOVE_UNSPECIFIED);
		return;
	}
	mif_paths_set_state(this, conn, path, MIF_PATH_ACTIVE, "child-sa-up");
	time_monotonic(&path->last_rx);
	mif_paths_record_binding(this, conn, path, MIF_BINDING_ACTIVE);
	DBG1(DBG_CHD, "mif: path BID %u %H === %H active over %s, CHILD_SA "
		 "%s{%u} reqid %u", path->bid, path->local, path->remote,
		 path->dev[0] ? path->dev : "-", child_sa->get_name(child_sa),
		 path->child_id, dp.reqid);
	mif_paths_update_routes(this, conn);
}

/*
 * Described in header
 */
void mif_paths_create_child(private_mif_manager_t *this, mif_conn_t *conn,
							mif_path_t *path)
{
	child_job_t *job;

	INIT(job,
		.this = this,
		.id = conn->id,
		.bid = path->bid,
		.local = path->local->clone(path->local),
		.remote = path->remote->clone(path->remote),
	);
	lib->processor->queue_job(lib->processor, (job_t*)
			callback_job_create(child_job, job, child_job_destroy, NULL));
}
