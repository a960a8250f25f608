/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_srcroute.h"
#include "mif_netlink.h"

#include <daemon.h>
#include <collections/array.h>
#include <threading/mutex.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

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

/**
 * Gateway of a single-nexthop route, NULL if none.
 */
static struct nl_addr *route_gw(struct rtnl_route *route)
{
	return rtnl_route_get_nnexthops(route) == 1 ?
		rtnl_route_nh_get_gateway(rtnl_route_nexthop_n(route, 0)) : NULL;
}

/**
 * Is this a main-table route through the interface, or does a route of
 * the list match it (same destination and gateway)?
 */
static bool route_matches(struct rtnl_route *a, struct rtnl_route *b)
{
	struct nl_addr *ga = route_gw(a), *gb = route_gw(b);

	return !nl_addr_cmp(rtnl_route_get_dst(a), rtnl_route_get_dst(b)) &&
		   (ga ? gb && !nl_addr_cmp(ga, gb) : !gb);
}

/**
 * Is a route of the cache a unicast single-nexthop route of a table
 * through an interface?
 */
static bool route_of(struct rtnl_route *route, uint32_t table,
					 uint32_t ifindex)
{
	return rtnl_route_get_table(route) == table &&
		   rtnl_route_get_type(route) == RTN_UNICAST &&
		   rtnl_route_get_nnexthops(route) == 1 &&
		   rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(route, 0)) ==
																	ifindex;
}

/**
 * Is there a route of table through ifindex matching route in the cache?
 */
static bool cache_has(struct nl_cache *cache, struct rtnl_route *route,
					  uint32_t table, uint32_t ifindex)
{
	struct nl_object *obj;

	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
	{
		if (route_of((struct rtnl_route*)obj, table, ifindex) &&
			route_matches((struct rtnl_route*)obj, route))
		{
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Make the interface's table hold the main table's routes through the
 * interface, no more, no less. The kernel removes our copies when the link
 * goes down and the main table changes when it comes back (or a DHCP lease
 * changes the gateway), so this runs again and again, not only once.
 */
static void sync_routes(private_mif_srcroute_t *this, int family,
						uint32_t ifindex, uint32_t table)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct rtnl_route *route, *copy;
	int err;

	if (mif_nl_route_cache(this->sock, family, &cache) < 0)
	{
		return;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
	{
		route = (struct rtnl_route*)obj;
		if (route_of(route, table, ifindex) &&
			!cache_has(cache, route, RT_TABLE_MAIN, ifindex))
		{
			mif_nl_route_del(this->sock, route, TRUE);
		}
		if (!route_of(route, RT_TABLE_MAIN, ifindex) ||
			cache_has(cache, route, table, ifindex))
		{
			continue;
		}
		copy = mif_nl_route_create(family, table, rtnl_route_get_dst(route),
								   rtnl_route_get_scope(route));
		if (!copy)
		{
			break;
		}
		mif_nl_route_add_nexthop(copy, ifindex, route_gw(route), 1);
		err = mif_nl_route_replace(this->sock, copy, TRUE);
		if (err < 0)
		{
			DBG1(DBG_KNL, "mif: copying a route to table %u failed: %s",
				 table, nl_geterror(err));
		}
		rtnl_route_put(copy);
	}
	nl_cache_free(cache);
}

/**
 * Remove all routes of a table through an interface.
 */
static void flush_routes(private_mif_srcroute_t *this, int family,
						 uint32_t ifindex, uint32_t table)
{
	struct nl_cache *cache;
	struct nl_object *obj;

	if (mif_nl_route_cache(this->sock, family, &cache) < 0)
	{
		return;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
	{
		if (route_of((struct rtnl_route*)obj, table, ifindex))
		{
			mif_nl_route_del(this->sock, (struct rtnl_route*)obj, TRUE);
		}
	}
	nl_cache_free(cache);
}

METHOD(mif_srcroute_t, add, bool,
	private_mif_srcroute_t *this, host_t *local, uint32_t ifindex)
{
	struct rtnl_rule *rule;
	struct nl_addr *src;
	entry_t *entry;
	uint32_t table = this->table_base + ifindex;
	bool ok;
	int i;

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
	rule = mif_nl_rule_create(local->get_family(local), this->prio,
							  FR_ACT_TO_TBL);
	src = mif_nl_addr(local, -1);
	if (!rule || !src)
	{
		if (rule)
		{
			rtnl_rule_put(rule);
		}
		nl_addr_put(src);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	INIT(entry,
		.local = local->clone(local),
		.ifindex = ifindex,
		.refs = 1,
		.rule = rule,
	);
	sync_routes(this, local->get_family(local), ifindex, table);
	rtnl_rule_set_table(entry->rule, table);
	rtnl_rule_set_src(entry->rule, src);
	nl_addr_put(src);
	ok = mif_nl_rule_add(this->sock, entry->rule, TRUE);
	if (!ok)
	{
		DBG1(DBG_KNL, "mif: source rule for %H failed", local);
	}
	DBG2(DBG_KNL, "mif: packets from %H leave through interface %u (table "
		 "%u)", local, ifindex, table);
	array_insert(this->entries, ARRAY_TAIL, entry);
	this->mutex->unlock(this->mutex);
	return ok;
}

static void entry_destroy(private_mif_srcroute_t *this, entry_t *entry)
{
	int family = entry->local->get_family(entry->local), i;
	entry_t *other;
	bool shared = FALSE;

	mif_nl_rule_del(this->sock, entry->rule);
	rtnl_rule_put(entry->rule);
	/* another address of the family on the interface shares the table */
	for (i = 0; i < array_count(this->entries); i++)
	{
		array_get(this->entries, i, &other);
		shared |= other != entry && other->ifindex == entry->ifindex &&
				  other->local->get_family(other->local) == family;
	}
	if (!shared)
	{
		flush_routes(this, family, entry->ifindex,
					 this->table_base + entry->ifindex);
	}
	entry->local->destroy(entry->local);
	free(entry);
}

METHOD(mif_srcroute_t, refresh, void,
	private_mif_srcroute_t *this)
{
	entry_t *entry;
	int i;

	this->mutex->lock(this->mutex);
	for (i = 0; i < array_count(this->entries); i++)
	{
		array_get(this->entries, i, &entry);
		sync_routes(this, entry->local->get_family(entry->local),
					entry->ifindex, this->table_base + entry->ifindex);
	}
	this->mutex->unlock(this->mutex);
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
		mif_nl_route_del(this->sock, steer->route, TRUE);
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
	struct nl_addr *dst;
	struct nl_cache *cache;
	struct nl_object *obj;
	entry_t *entry;
	steer_t *steer;
	int err, len = -1;

	unsteer(this, peer);
	this->mutex->lock(this->mutex);
	entry = find_entry(this, via);
	if (!entry || via->get_family(via) != peer->get_family(peer) ||
		mif_nl_route_cache(this->sock, peer->get_family(peer), &cache) < 0)
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	dst = mif_nl_addr(peer, -1);
	/* the longest main table route through the interface covering the
	 * peer */
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
	{
		route = (struct rtnl_route*)obj;
		if (route_of(route, RT_TABLE_MAIN, entry->ifindex) &&
			!nl_addr_cmp_prefix(rtnl_route_get_dst(route), dst) &&
			(int)nl_addr_get_prefixlen(rtnl_route_get_dst(route)) > len)
		{
			best = route;
			len = nl_addr_get_prefixlen(rtnl_route_get_dst(route));
		}
	}
	if (!best)
	{
		nl_addr_put(dst);
		nl_cache_free(cache);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	nl_addr_set_prefixlen(dst, nl_addr_get_len(dst) * 8);
	route = mif_nl_route_create(peer->get_family(peer), this->steer_table,
								dst, rtnl_route_get_scope(best));
	nl_addr_put(dst);
	if (route)
	{
		mif_nl_route_add_nexthop(route, entry->ifindex, route_gw(best), 1);
	}
	nl_cache_free(cache);
	err = route ? mif_nl_route_replace(this->sock, route, TRUE) : -NLE_NOMEM;
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: steering %H through interface %u failed: %s",
			 peer, entry->ifindex, nl_geterror(err));
		if (route)
		{
			rtnl_route_put(route);
		}
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
	if (this->sock)
	{
		nl_socket_free(this->sock);
	}
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mif_srcroute_t *mif_srcroute_create(const mif_dp_settings_t *settings)
{
	private_mif_srcroute_t *this;

	INIT(this,
		.public = {
			.add = _add,
			.del = _del,
			.refresh = _refresh,
			.steer = _steer,
			.unsteer = _unsteer,
			.destroy = _destroy,
		},
		.entries = array_create(0, 0),
		.steered = array_create(0, 0),
		.steer_table = settings->table,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.table_base = settings->src_table_base,
		.prio = settings->src_prio,
		.sock = mif_nl_socket(NETLINK_ROUTE),
	);
	if (!this->sock)
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}
