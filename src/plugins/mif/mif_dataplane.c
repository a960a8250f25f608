/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * DOC: Data plane
 *
 * The data plane carries inner traffic of an IKE SA over its additional
 * paths (doc/protocol.md §7.5): the path manager (mif_paths.c) adds a path
 * once its ESP transport CHILD SA is up, routes the IKE SA's inner
 * destinations over the active paths and steers single flows (RFC 6089
 * flow bindings, doc/protocol.md §6.5) to one path. This file holds the
 * public mif_dataplane_t: the bookkeeping of IKE SAs, their paths, routes
 * and flows, and the order in which kernel objects come and go. The kernel
 * objects themselves are made by one object each:
 *
 *  - mif_dp_gredev.c: the GRE device in metadata mode the IPv4 paths
 *    share.
 *  - mif_dp_gre.c: a path's transport, its GRE XFRM policies and its next
 *    hop (IPv4: the shared device with the path's addresses as
 *    encapsulation; IPv6: an ip6gre device of its own); the only file that
 *    knows paths are GRE (the rest routes over the next hop it gives).
 *  - mif_dp_routes.c: an IKE SA's routes in the multipath table, and the
 *    default route of a path's own table.
 *  - mif_dp_flow.c: the rule of one flow, into its path's table.
 *  - mif_dp_rules.c: the base rules, shared by all paths.
 *  - mif_dp_hash.c: the multipath hash policy sysctls and their state file.
 *  - mif_dp_leftovers.c: removal of what a killed charon left.
 *  - mif_dp_settings.c: the options (dataplane.* of strongswan-mif(5)),
 *    also used by mif_srcroute.c; mif_netlink.c and mif_sysctl.c: helpers
 *    shared with mif_srcroute.c.
 *
 * Calls go one way: this file calls the mif_dp_* files, which call only
 * the helpers (mif_dp_gre.c also calls mif_dp_gredev.c, and
 * mif_dp_leftovers.c calls mif_dp_gre.c).
 *
 * Kernel objects, per path: its out and in GRE policies and, per local
 * address, an inbound block of other GRE (through charon's kernel
 * interface, with the path CHILD SA's reqid), an IPv6 path its ip6gre
 * device mif<IKE>p<BID>; a table from path_table_base
 * [21000] with a default route per family once a flow uses it. Per IKE SA
 * (the manager's connection, mif_conn_t): one route per inner destination
 * in the multipath table [210], over all routed paths' next hops. Per
 * flow: one rule at flow_prio [200]. Shared, with the first path until
 * the last: the base rules (prio [210], prio + 1, skip_prio [199]); with
 * the first multipath route until destroy(): the per-flow hash policy;
 * from start until destroy(): the GRE device mifgre4. At startup: the removal of a previous instance's
 * objects and hash policy. Not here: the source rules (src_prio [212])
 * and steering routes of the paths' local addresses, which the manager
 * installs through mif_srcroute.c (own socket and mutex) with the same
 * settings.
 *
 * Threads and locks: the methods run on charon's job threads (the path
 * manager's jobs and bus hooks, often with the manager's mutex held); one
 * mutex serializes them all, and the mif_dp_* objects and the one
 * rtnetlink socket are used only under it. Under it the data plane calls
 * only charon->kernel (XFRM policies, with its own locks inside ours) and
 * never back into the manager, so the lock order cannot invert.
 */

#include "mif_dataplane.h"
#include "mif_dp_gre.h"
#include "mif_dp_gredev.h"
#include "mif_dp_routes.h"
#include "mif_dp_flow.h"
#include "mif_dp_rules.h"
#include "mif_dp_hash.h"
#include "mif_dp_leftovers.h"
#include "mif_netlink.h"

#include <linux/if.h>

#include <daemon.h>
#include <threading/mutex.h>

typedef struct private_mif_dataplane_t private_mif_dataplane_t;

/**
 * Private data.
 */
struct private_mif_dataplane_t {

	/**
	 * Public interface.
	 */
	mif_dataplane_t public;

	/**
	 * rtnetlink socket, used under mutex
	 */
	struct nl_sock *sock;

	/**
	 * Serializes all operations
	 */
	mutex_t *mutex;

	/**
	 * IKE SAs with installed state, dp_ike_t
	 */
	linked_list_t *ikes;

	/**
	 * Rules shared by all paths
	 */
	mif_dp_rules_t *rules;

	/**
	 * Multipath hash policy
	 */
	mif_dp_hash_t *hash;

	/**
	 * GRE devices shared by all paths
	 */
	mif_dp_gredev_t *gredev;

	/**
	 * Tables and priorities
	 */
	mif_dp_settings_t settings;
};

/**
 * An installed path.
 */
typedef struct {
	/** binding ID */
	uint16_t bid;
	/** weight in multipath routes */
	uint8_t weight;
	/** GRE policies, device and next hop */
	mif_dp_gre_t *gre;
	/** table used by flows steered to this path */
	uint32_t table;
	/** whether table has its default route, per family (0: v4, 1: v6) */
	bool table_route[2];
} dp_path_t;

/**
 * Installed state of an IKE SA.
 */
typedef struct {
	/** IKE SA unique id */
	uint32_t ike_id;
	/** paths, dp_path_t */
	linked_list_t *paths;
	/** routes in the multipath table */
	mif_dp_routes_t *routes;
	/** BIDs the routes use */
	uint16_t *bids;
	/** number of bids */
	u_int count;
	/** preferred source of the routes, or NULL */
	host_t *src;
	/** flow rules, mif_dp_flow_t */
	linked_list_t *flows;
} dp_ike_t;

/**
 * Family index for per-family state.
 */
static inline int fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/**
 * Find an IKE SA, optionally creating it.
 */
static dp_ike_t *get_ike(private_mif_dataplane_t *this, uint32_t ike_id,
						 bool create)
{
	enumerator_t *enumerator;
	dp_ike_t *ike, *found = NULL;

	enumerator = this->ikes->create_enumerator(this->ikes);
	while (enumerator->enumerate(enumerator, &ike))
	{
		if (ike->ike_id == ike_id)
		{
			found = ike;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (!found && create)
	{
		INIT(found,
			.ike_id = ike_id,
			.paths = linked_list_create(),
			.routes = mif_dp_routes_create(this->sock, this->settings.table),
			.flows = linked_list_create(),
		);
		this->ikes->insert_last(this->ikes, found);
	}
	return found;
}

/**
 * Find a path of an IKE SA.
 */
static dp_path_t *get_path(dp_ike_t *ike, uint16_t bid)
{
	enumerator_t *enumerator;
	dp_path_t *path, *found = NULL;

	enumerator = ike->paths->create_enumerator(ike->paths);
	while (enumerator->enumerate(enumerator, &path))
	{
		if (path->bid == bid)
		{
			found = path;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Remove an IKE SA's entry once nothing is installed for it.
 */
static void gc_ike(private_mif_dataplane_t *this, dp_ike_t *ike)
{
	if (ike->paths->get_count(ike->paths) ||
		ike->routes->get_count(ike->routes) ||
		ike->flows->get_count(ike->flows))
	{
		return;
	}
	this->ikes->remove(this->ikes, ike, NULL);
	ike->paths->destroy(ike->paths);
	ike->routes->destroy(ike->routes);
	ike->flows->destroy(ike->flows);
	DESTROY_IF(ike->src);
	free(ike->bids);
	free(ike);
}

/**
 * Pick the first per-path table not used by any path.
 */
static uint32_t alloc_table(private_mif_dataplane_t *this)
{
	enumerator_t *ikes, *paths;
	dp_ike_t *ike;
	dp_path_t *path;
	uint32_t table = this->settings.path_table_base;
	bool used = TRUE;

	while (used)
	{
		used = FALSE;
		ikes = this->ikes->create_enumerator(this->ikes);
		while (!used && ikes->enumerate(ikes, &ike))
		{
			paths = ike->paths->create_enumerator(ike->paths);
			while (paths->enumerate(paths, &path))
			{
				if (path->table == table)
				{
					used = TRUE;
					table++;
					break;
				}
			}
			paths->destroy(paths);
		}
		ikes->destroy(ikes);
	}
	return table;
}

/**
 * Install (replace) or delete the default route of a path's flow table.
 */
static bool path_table_route(private_mif_dataplane_t *this, dp_ike_t *ike,
							 dp_path_t *path, int family, bool add)
{
	mif_nl_nexthop_t hop;

	path->gre->get_nexthop(path->gre, &hop, 1);
	if (!mif_dp_routes_default(this->sock, path->table, family, &hop,
							   ike->src, add))
	{
		return FALSE;
	}
	path->table_route[fam_idx(family)] = add;
	return TRUE;
}

/**
 * Undo everything installed for a path (not its routes/flows), and release
 * it from the base rules.
 */
static void path_remove(private_mif_dataplane_t *this, dp_ike_t *ike,
						dp_path_t *path)
{
	if (path->table_route[0])
	{
		path_table_route(this, ike, path, AF_INET, FALSE);
	}
	if (path->table_route[1])
	{
		path_table_route(this, ike, path, AF_INET6, FALSE);
	}
	path->gre->destroy(path->gre);
	free(path);
	this->rules->release(this->rules);
}

METHOD(mif_dataplane_t, add_path, bool,
	private_mif_dataplane_t *this, mif_dp_path_t *cfg, char *ifname)
{
	dp_ike_t *ike;
	dp_path_t *path;
	mif_dp_gre_t *gre;

	if (!cfg->local || !cfg->remote ||
		cfg->local->get_family(cfg->local) !=
		cfg->remote->get_family(cfg->remote) || cfg->bid < 2)
	{
		DBG1(DBG_KNL, "mif: invalid path %u/%u", cfg->ike_id, cfg->bid);
		return FALSE;
	}

	this->mutex->lock(this->mutex);
	ike = get_ike(this, cfg->ike_id, TRUE);
	if (get_path(ike, cfg->bid))
	{
		DBG1(DBG_KNL, "mif: path %u/%u already installed", cfg->ike_id,
			 cfg->bid);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	if (!this->rules->acquire(this->rules))
	{
		gc_ike(this, ike);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	gre = mif_dp_gre_create(this->sock, this->gredev, cfg,
							this->settings.mtu);
	if (!gre)
	{
		this->rules->release(this->rules);
		gc_ike(this, ike);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	INIT(path,
		.bid = cfg->bid,
		.weight = cfg->weight ?: 1,
		.gre = gre,
		.table = alloc_table(this),
	);
	ike->paths->insert_last(ike->paths, path);
	DBG1(DBG_KNL, "mif: path %u/%u %H === %H via %s (reqid %u, table %u)",
		 cfg->ike_id, cfg->bid, cfg->local, cfg->remote,
		 gre->get_name(gre), cfg->reqid, path->table);
	if (ifname)
	{
		strncpy(ifname, gre->get_name(gre), IFNAMSIZ);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * Install routes for dst over the given paths, replacing previous ones.
 * Called with the mutex held; dst NULL reuses the installed destinations.
 */
static bool do_set_routes(private_mif_dataplane_t *this, dp_ike_t *ike,
						  linked_list_t *dst, host_t *src, uint16_t *bids,
						  u_int count)
{
	enumerator_t *enumerator;
	mif_nl_nexthop_t hops[count ?: 1];
	dp_path_t *path;
	bool ok, multipath[2] = {};
	u_int i;

	for (i = 0; i < count; i++)
	{
		path = get_path(ike, bids[i]);
		if (!path)
		{
			DBG1(DBG_KNL, "mif: routes of IKE SA %u: unknown path %u",
				 ike->ike_id, bids[i]);
			return FALSE;
		}
		path->gre->get_nexthop(path->gre, &hops[i], path->weight);
	}
	if (count && src != ike->src)
	{
		DESTROY_IF(ike->src);
		ike->src = src ? src->clone(src) : NULL;
	}
	ok = ike->routes->set(ike->routes, dst, ike->src, hops, count, multipath);

	free(ike->bids);
	ike->bids = count ? memcpy(malloc(sizeof(uint16_t) * count), bids,
							   sizeof(uint16_t) * count) : NULL;
	ike->count = count;

	/* per-flow hashing over the next hops: L4 hash */
	if (multipath[0] && !this->hash->enable(this->hash, AF_INET))
	{
		ok = FALSE;
	}
	if (multipath[1] && !this->hash->enable(this->hash, AF_INET6))
	{
		ok = FALSE;
	}

	/* flow tables follow the routes' source address */
	enumerator = ike->paths->create_enumerator(ike->paths);
	while (enumerator->enumerate(enumerator, &path))
	{
		if (path->table_route[0])
		{
			path_table_route(this, ike, path, AF_INET, TRUE);
		}
		if (path->table_route[1])
		{
			path_table_route(this, ike, path, AF_INET6, TRUE);
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

METHOD(mif_dataplane_t, set_routes, bool,
	private_mif_dataplane_t *this, uint32_t ike_id, linked_list_t *dst,
	host_t *src, uint16_t *bids, u_int count)
{
	dp_ike_t *ike;
	bool ok;

	this->mutex->lock(this->mutex);
	ike = get_ike(this, ike_id, FALSE);
	if (!ike)
	{
		this->mutex->unlock(this->mutex);
		if (count)
		{
			DBG1(DBG_KNL, "mif: routes of IKE SA %u: no paths", ike_id);
			return FALSE;
		}
		return TRUE;
	}
	ok = do_set_routes(this, ike, count ? dst : NULL, src, bids, count);
	DBG1(DBG_KNL, "mif: IKE SA %u: %d route(s) over %u path(s)%s", ike_id,
		 ike->routes->get_count(ike->routes), count,
		 ok ? "" : ", with errors");
	gc_ike(this, ike);
	this->mutex->unlock(this->mutex);
	return ok;
}

/**
 * Remove the flows of an IKE SA matching fid, or steered to bid if fid is 0.
 */
static void remove_flows(dp_ike_t *ike, uint16_t fid, uint16_t bid)
{
	enumerator_t *enumerator;
	mif_dp_flow_t *flow;

	enumerator = ike->flows->create_enumerator(ike->flows);
	while (enumerator->enumerate(enumerator, &flow))
	{
		if ((fid && flow->get_fid(flow) == fid) ||
			(!fid && flow->get_bid(flow) == bid))
		{
			ike->flows->remove_at(ike->flows, enumerator);
			flow->destroy(flow);
		}
	}
	enumerator->destroy(enumerator);
}

METHOD(mif_dataplane_t, set_flow, bool,
	private_mif_dataplane_t *this, uint32_t ike_id, uint16_t fid,
	traffic_selector_t *ts, uint16_t bid)
{
	dp_ike_t *ike;
	dp_path_t *path;
	mif_dp_flow_t *flow;
	int family;

	this->mutex->lock(this->mutex);
	ike = get_ike(this, ike_id, FALSE);
	if (ike && fid)
	{
		remove_flows(ike, fid, 0);
	}
	if (!bid)
	{
		if (ike)
		{
			gc_ike(this, ike);
		}
		this->mutex->unlock(this->mutex);
		return TRUE;
	}
	path = ike ? get_path(ike, bid) : NULL;
	if (!path || !ts || !fid)
	{
		DBG1(DBG_KNL, "mif: flow %u of IKE SA %u: unknown path %u or no "
			 "selector", fid, ike_id, bid);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	family = ts->get_type(ts) == TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
	if (!path->table_route[fam_idx(family)] &&
		!path_table_route(this, ike, path, family, TRUE))
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	flow = mif_dp_flow_create(this->sock, this->settings.flow_prio, fid, bid,
							  ts, path->table);
	if (!flow)
	{
		DBG1(DBG_KNL, "mif: flow %u of IKE SA %u (%R) not steered (kernel "
			 "without ipproto/dport rules needs 4.17+)", fid, ike_id, ts);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	ike->flows->insert_last(ike->flows, flow);
	DBG1(DBG_KNL, "mif: flow %u of IKE SA %u (%R) via path %u", fid, ike_id,
		 ts, bid);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(mif_dataplane_t, del_path, bool,
	private_mif_dataplane_t *this, uint32_t ike_id, uint16_t bid)
{
	dp_ike_t *ike;
	dp_path_t *path;
	uint16_t *bids;
	u_int i, count = 0;
	bool routed = FALSE;

	this->mutex->lock(this->mutex);
	ike = get_ike(this, ike_id, FALSE);
	path = ike ? get_path(ike, bid) : NULL;
	if (!path)
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	remove_flows(ike, 0, bid);

	bids = malloc(sizeof(uint16_t) * (ike->count ?: 1));
	/* the kernel flushes a multipath route with a next hop on a deleted
	 * device (an IPv6 path's own), so move the routes to the remaining
	 * paths first */
	for (i = 0; i < ike->count; i++)
	{
		if (ike->bids[i] == bid)
		{
			routed = TRUE;
		}
		else
		{
			bids[count++] = ike->bids[i];
		}
	}
	if (routed)
	{
		do_set_routes(this, ike, NULL, ike->src, bids, count);
	}
	free(bids);
	ike->paths->remove(ike->paths, path, NULL);
	DBG1(DBG_KNL, "mif: removing path %u/%u (%s)", ike_id, bid,
		 path->gre->get_name(path->gre));
	path_remove(this, ike, path);
	gc_ike(this, ike);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * Remove everything of an IKE SA, with the mutex held.
 */
static void do_flush(private_mif_dataplane_t *this, dp_ike_t *ike)
{
	mif_dp_flow_t *flow;
	dp_path_t *path;
	bool multipath[2] = {};

	while (ike->flows->remove_first(ike->flows, (void**)&flow) == SUCCESS)
	{
		flow->destroy(flow);
	}
	ike->routes->set(ike->routes, NULL, NULL, NULL, 0, multipath);
	ike->count = 0;
	while (ike->paths->remove_first(ike->paths, (void**)&path) == SUCCESS)
	{
		path_remove(this, ike, path);
	}
	gc_ike(this, ike);
}

METHOD(mif_dataplane_t, flush, void,
	private_mif_dataplane_t *this, uint32_t ike_id)
{
	dp_ike_t *ike;

	this->mutex->lock(this->mutex);
	ike = get_ike(this, ike_id, FALSE);
	if (ike)
	{
		DBG1(DBG_KNL, "mif: flushing IKE SA %u", ike_id);
		do_flush(this, ike);
	}
	this->mutex->unlock(this->mutex);
}

METHOD(mif_dataplane_t, destroy, void,
	private_mif_dataplane_t *this)
{
	dp_ike_t *ike;

	this->mutex->lock(this->mutex);
	while (this->ikes->get_first(this->ikes, (void**)&ike) == SUCCESS)
	{
		do_flush(this, ike);
	}
	DESTROY_IF(this->rules);
	DESTROY_IF(this->hash);
	DESTROY_IF(this->gredev);
	this->mutex->unlock(this->mutex);
	this->ikes->destroy(this->ikes);
	this->mutex->destroy(this->mutex);
	if (this->sock)
	{
		nl_socket_free(this->sock);
	}
	free(this);
}

/*
 * Described in header
 */
mif_dataplane_t *mif_dataplane_create(const mif_dp_settings_t *settings)
{
	private_mif_dataplane_t *this;

	INIT(this,
		.public = {
			.add_path = _add_path,
			.del_path = _del_path,
			.set_routes = _set_routes,
			.set_flow = _set_flow,
			.flush = _flush,
			.destroy = _destroy,
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.ikes = linked_list_create(),
		.settings = *settings,
		.sock = mif_nl_socket(NETLINK_ROUTE),
	);
	if (!this->sock)
	{
		destroy(this);
		return NULL;
	}
	mif_dp_remove_leftovers(this->sock, &this->settings);
	this->gredev = mif_dp_gredev_create(this->sock, this->settings.mtu);
	if (!this->gredev)
	{
		DBG1(DBG_KNL, "mif: kernel lacks GRE (metadata mode), paths "
			 "unavailable");
		destroy(this);
		return NULL;
	}
	this->rules = mif_dp_rules_create(this->sock, &this->settings);
	this->hash = mif_dp_hash_create(this->settings.hash_state);
	DBG1(DBG_KNL, "mif: data plane: table %u (rule pref %u), flow rules pref "
		 "%u, path tables from %u", this->settings.table, this->settings.prio,
		 this->settings.flow_prio, this->settings.path_table_base);
	return &this->public;
}
