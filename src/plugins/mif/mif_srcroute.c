/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_srcroute.h"

#include <daemon.h>
#include <collections/array.h>
#include <threading/mutex.h>

#include <netlink/route/route.h>
#include <netlink/route/rule.h>

typedef struct private_mif_srcroute_t private_mif_srcroute_t;

/**
 * A local address routed by source.
 */
typedef struct {
	host_t *local;
	uint32_t ifindex;
	u_int refs;
	/** installed rule */
	struct rtnl_rule *rule;
	/** routes copied into the interface's table */
	array_t *routes;
} entry_t;

/**
 * Private data.
 */
struct private_mif_srcroute_t {

	/**
	 * Public interface.
	 */
	mif_srcroute_t public;

	/**
	 * Netlink socket.
	 */
	struct nl_sock *sock;

	/**
	 * entry_t*.
	 */
	array_t *entries;

	/**
	 * First table, one per interface index above it.
	 */
	uint32_t table_base;

	/**
	 * Priority of the source rules.
	 */
	uint32_t prio;

	/**
	 * Table of the steering routes (the data plane's table).
	 */
	uint32_t steer_table;

	/**
	 * steer_t*, installed steering routes.
	 */
	array_t *steered;

	/**
	 * Protects entries and steered.
	 */
	mutex_t *mutex;
};

/**
 * A steering route towards a peer.
 */
typedef struct {
	host_t *peer;
	struct rtnl_route *route;
} steer_t;

static struct nl_addr *host2nl(host_t *host)
{
	chunk_t raw = host->get_address(host);

	return nl_addr_build(host->get_family(host), raw.ptr, raw.len);
}

/**
 * Copy the main table's routes through the interface into its table.
 */
static void copy_routes(private_mif_srcroute_t *this, entry_t *entry,
						uint32_t table)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct rtnl_route *route, *copy;
	struct rtnl_nexthop *nh, *nh_copy;
	struct nl_addr *gw;
	int family = entry->local->get_family(entry->local), err;

	if (rtnl_route_alloc_cache(this->sock, family, 0, &cache) < 0)
	{
		return;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
	{
		route = (struct rtnl_route*)obj;
		if (rtnl_route_get_table(route) != RT_TABLE_MAIN ||
			rtnl_route_get_type(route) != RTN_UNICAST ||
			rtnl_route_get_nnexthops(route) != 1)
		{
			continue;
		}
		nh = rtnl_route_nexthop_n(route, 0);
		if (rtnl_route_nh_get_ifindex(nh) != entry->ifindex)
		{
			continue;
		}
		copy = rtnl_route_alloc();
		nh_copy = rtnl_route_nh_alloc();
		if (!copy || !nh_copy)
		{
			if (copy)
			{
				rtnl_route_put(copy);
			}
			break;
		}
		rtnl_route_set_family(copy, family);
		rtnl_route_set_table(copy, table);
		rtnl_route_set_type(copy, RTN_UNICAST);
		rtnl_route_set_protocol(copy, RTPROT_STATIC);
		rtnl_route_set_scope(copy, rtnl_route_get_scope(route));
		rtnl_route_set_dst(copy, rtnl_route_get_dst(route));
		rtnl_route_nh_set_ifindex(nh_copy, entry->ifindex);
		gw = rtnl_route_nh_get_gateway(nh);
		if (gw)
		{
			rtnl_route_nh_set_gateway(nh_copy, gw);
		}
		rtnl_route_add_nexthop(copy, nh_copy);
		err = rtnl_route_add(this->sock, copy, NLM_F_CREATE | NLM_F_REPLACE);
		if (err < 0)
		{
			DBG1(DBG_KNL, "mif: copying a route to table %u failed: %s",
				 table, nl_geterror(err));
			rtnl_route_put(copy);
			continue;
		}
		array_insert(entry->routes, ARRAY_TAIL, copy);
	}
	nl_cache_free(cache);
}

METHOD(mif_srcroute_t, add, bool,
	private_mif_srcroute_t *this, host_t *local, uint32_t ifindex)
{
	struct nl_addr *src;
	entry_t *entry;
	uint32_t table = this->table_base + ifindex;
	int i, err;

	this->mutex->lock(this->mutex);
	for (i = 0; i < array_count(this->entries); i++)
	{
		array_get(this->entries, i, &entry);
		if (entry->local->ip_equals(entry->local, local))
		{
			entry->refs++;
			this->mutex->unlock(this->mutex);
			return TRUE;
		}
	}
	INIT(entry,
		.local = local->clone(local),
		.ifindex = ifindex,
		.refs = 1,
		.routes = array_create(0, 0),
		.rule = rtnl_rule_alloc(),
	);
	copy_routes(this, entry, table);
	src = host2nl(local);
	rtnl_rule_set_family(entry->rule, local->get_family(local));
	rtnl_rule_set_prio(entry->rule, this->prio);
	rtnl_rule_set_action(entry->rule, FR_ACT_TO_TBL);
	rtnl_rule_set_table(entry->rule, table);
	rtnl_rule_set_src(entry->rule, src);
	nl_addr_put(src);
	err = rtnl_rule_add(this->sock, entry->rule, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0 && err != -NLE_EXIST)
	{
		DBG1(DBG_KNL, "mif: source rule for %H failed: %s", local,
			 nl_geterror(err));
	}
	DBG2(DBG_KNL, "mif: packets from %H leave through interface %u (table "
		 "%u, %u routes)", local, ifindex, table, array_count(entry->routes));
	array_insert(this->entries, ARRAY_TAIL, entry);
	this->mutex->unlock(this->mutex);
	return err >= 0 || err == -NLE_EXIST;
}

static void entry_destroy(private_mif_srcroute_t *this, entry_t *entry)
{
	struct rtnl_route *route;

	rtnl_rule_delete(this->sock, entry->rule, 0);
	rtnl_rule_put(entry->rule);
	while (array_remove(entry->routes, ARRAY_TAIL, &route))
	{
		/* another address of the interface may share the table */
		rtnl_route_delete(this->sock, route, 0);
		rtnl_route_put(route);
	}
	array_destroy(entry->routes);
	entry->local->destroy(entry->local);
	free(entry);
}

METHOD(mif_srcroute_t, del, void,
	private_mif_srcroute_t *this, host_t *local)
{
	entry_t *entry;
	int i;

	this->mutex->lock(this->mutex);
	for (i = 0; i < array_count(this->entries); i++)
	{
		array_get(this->entries, i, &entry);
		if (entry->local->ip_equals(entry->local, local))
		{
			if (--entry->refs == 0)
			{
				array_remove(this->entries, i, NULL);
				entry_destroy(this, entry);
			}
			break;
		}
	}
	this->mutex->unlock(this->mutex);
}

/**
 * Find the entry of a routed address (lock held).
 */
static entry_t *find_entry(private_mif_srcroute_t *this, host_t *local)
{
	entry_t *entry;
	int i;

	for (i = 0; i < array_count(this->entries); i++)
	{
		array_get(this->entries, i, &entry);
		if (entry->local->ip_equals(entry->local, local))
		{
			return entry;
		}
	}
	return NULL;
}

static void steer_remove(private_mif_srcroute_t *this, int i)
{
	steer_t *steer;

	if (array_remove(this->steered, i, &steer))
	{
		rtnl_route_delete(this->sock, steer->route, 0);
		rtnl_route_put(steer->route);
		steer->peer->destroy(steer->peer);
		free(steer);
	}
}

METHOD(mif_srcroute_t, unsteer, void,
	private_mif_srcroute_t *this, host_t *peer)
{
	steer_t *steer;
	int i;

	this->mutex->lock(this->mutex);
	for (i = 0; i < array_count(this->steered); i++)
	{
		array_get(this->steered, i, &steer);
		if (steer->peer->ip_equals(steer->peer, peer))
		{
			DBG1(DBG_KNL, "mif: route to %H no longer steered", peer);
			steer_remove(this, i);
			break;
		}
	}
	this->mutex->unlock(this->mutex);
}

METHOD(mif_srcroute_t, steer, bool,
	private_mif_srcroute_t *this, host_t *peer, host_t *via)
{
	struct rtnl_route *route, *best = NULL;
	struct rtnl_nexthop *nh;
	struct nl_addr *dst, *gw = NULL;
	entry_t *entry;
	steer_t *steer;
	int i, err, len = -1;

	unsteer(this, peer);
	this->mutex->lock(this->mutex);
	entry = find_entry(this, via);
	if (!entry || via->get_family(via) != peer->get_family(peer))
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	dst = host2nl(peer);
	/* the longest route through the interface that covers the peer */
	for (i = 0; i < array_count(entry->routes); i++)
	{
		array_get(entry->routes, i, &route);
		if (!nl_addr_cmp_prefix(rtnl_route_get_dst(route), dst) &&
			(int)nl_addr_get_prefixlen(rtnl_route_get_dst(route)) > len)
		{
			best = route;
			len = nl_addr_get_prefixlen(rtnl_route_get_dst(route));
		}
	}
	if (!best)
	{
		nl_addr_put(dst);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	nl_addr_set_prefixlen(dst, nl_addr_get_len(dst) * 8);
	route = rtnl_route_alloc();
	nh = rtnl_route_nh_alloc();
	rtnl_route_set_family(route, peer->get_family(peer));
	rtnl_route_set_table(route, this->steer_table);
	rtnl_route_set_type(route, RTN_UNICAST);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_scope(route, rtnl_route_get_scope(best));
	rtnl_route_set_dst(route, dst);
	nl_addr_put(dst);
	rtnl_route_nh_set_ifindex(nh, entry->ifindex);
	gw = rtnl_route_nh_get_gateway(rtnl_route_nexthop_n(best, 0));
	if (gw)
	{
		rtnl_route_nh_set_gateway(nh, gw);
	}
	rtnl_route_add_nexthop(route, nh);
	err = rtnl_route_add(this->sock, route, NLM_F_CREATE | NLM_F_REPLACE);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: steering %H through interface %u failed: %s",
			 peer, entry->ifindex, nl_geterror(err));
		rtnl_route_put(route);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	INIT(steer,
		.peer = peer->clone(peer),
		.route = route,
	);
	array_insert(this->steered, ARRAY_TAIL, steer);
	DBG1(DBG_KNL, "mif: route to %H steered through %H's interface %u",
		 peer, via, entry->ifindex);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(mif_srcroute_t, destroy, void,
	private_mif_srcroute_t *this)
{
	entry_t *entry;

	while (array_count(this->steered))
	{
		steer_remove(this, ARRAY_TAIL);
	}
	array_destroy(this->steered);

	while (array_remove(this->entries, ARRAY_TAIL, &entry))
	{
		entry_destroy(this, entry);
	}
	array_destroy(this->entries);
	nl_socket_free(this->sock);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mif_srcroute_t *mif_srcroute_create()
{
	private_mif_srcroute_t *this;

	INIT(this,
		.public = {
			.add = _add,
			.del = _del,
			.steer = _steer,
			.unsteer = _unsteer,
			.destroy = _destroy,
		},
		.entries = array_create(0, 0),
		.steered = array_create(0, 0),
		.steer_table = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.table", 210, lib->ns),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.table_base = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.source_table_base",
							22000, lib->ns),
		/* after the data plane's table (210) and its skip target (211),
		 * so GRE and IKE packets that skip our tables still get here */
		.prio = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.priority", 210,
							lib->ns) + 2,
	);
	this->sock = nl_socket_alloc();
	if (!this->sock || nl_connect(this->sock, NETLINK_ROUTE) < 0)
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}
