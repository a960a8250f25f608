/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dp_routes.h"
#include "mif_netlink.h"

#include <linux/rtnetlink.h>

#include <daemon.h>
#include <selectors/traffic_selector.h>

typedef struct private_mif_dp_routes_t private_mif_dp_routes_t;

/**
 * Private data.
 */
struct private_mif_dp_routes_t {

	/**
	 * Public interface.
	 */
	mif_dp_routes_t public;

	/**
	 * rtnetlink socket, of the data plane
	 */
	struct nl_sock *sock;

	/**
	 * Multipath table
	 */
	uint32_t table;

	/**
	 * Installed routes, route_t
	 */
	linked_list_t *routes;
};

/**
 * An installed route.
 */
typedef struct {
	/** destination network */
	host_t *net;
	/** prefix length */
	uint8_t prefix;
} route_t;

/**
 * Build a route of our tables, enough to delete it (installing goes
 * through mif_nl_route_encap()).
 */
static struct rtnl_route *route_create(uint32_t table, host_t *net,
									   uint8_t prefix)
{
	struct rtnl_route *route;
	struct nl_addr *dst;

	dst = mif_nl_addr(net, prefix);
	if (!dst)
	{
		return NULL;
	}
	route = mif_nl_route_create(net->get_family(net), table, dst,
								RT_SCOPE_LINK);
	nl_addr_put(dst);
	return route;
}

/**
 * Delete a route and release it.
 */
static bool route_del(struct nl_sock *sock, struct rtnl_route *route)
{
	bool ok;

	if (!route)
	{
		return FALSE;
	}
	ok = mif_nl_route_del(sock, route, FALSE);
	rtnl_route_put(route);
	return ok;
}

/**
 * Free a route entry.
 */
static void route_free(route_t *r)
{
	r->net->destroy(r->net);
	free(r);
}

/**
 * Delete one route of the multipath table and free it.
 */
static void route_remove(private_mif_dp_routes_t *this, route_t *r)
{
	route_del(this->sock, route_create(this->table, r->net, r->prefix));
	route_free(r);
}

/**
 * Take the entry of a destination out of a list, or create one.
 */
static route_t *take_route(linked_list_t *list, host_t *net, uint8_t prefix)
{
	enumerator_t *enumerator;
	route_t *r, *found = NULL;

	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &r))
	{
		if (r->prefix == prefix && r->net->ip_equals(r->net, net))
		{
			list->remove_at(list, enumerator);
			found = r;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (!found)
	{
		INIT(found,
			.net = net->clone(net),
			.prefix = prefix,
		);
	}
	return found;
}

METHOD(mif_dp_routes_t, set, bool,
	private_mif_dp_routes_t *this, linked_list_t *dst, host_t *src,
	mif_nl_nexthop_t *hops, u_int count, bool multipath[2])
{
	linked_list_t *old, *new;
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	route_t *r;
	host_t *net;
	uint8_t prefix;
	bool ok = TRUE;

	old = this->routes;
	new = linked_list_create();

	if (count && !dst)
	{	/* reroute the installed destinations */
		while (old->remove_first(old, (void**)&r) == SUCCESS)
		{
			new->insert_last(new, r);
		}
	}
	else if (count)
	{
		enumerator = dst->create_enumerator(dst);
		while (enumerator->enumerate(enumerator, &ts))
		{
			ts->to_subnet(ts, &net, &prefix);
			new->insert_last(new, take_route(old, net, prefix));
			net->destroy(net);
		}
		enumerator->destroy(enumerator);
	}

	enumerator = new->create_enumerator(new);
	while (enumerator->enumerate(enumerator, &r))
	{
		if (mif_nl_route_encap(this->sock, this->table, r->net, r->prefix,
							   src, hops, count, FALSE) == 0)
		{
			multipath[r->net->get_family(r->net) == AF_INET6] |= count > 1;
		}
		else
		{
			new->remove_at(new, enumerator);
			route_free(r);
			ok = FALSE;
		}
	}
	enumerator->destroy(enumerator);

	/* the previous routes no longer wanted */
	while (old->remove_first(old, (void**)&r) == SUCCESS)
	{
		route_remove(this, r);
	}
	old->destroy(old);
	this->routes = new;
	return ok;
}

METHOD(mif_dp_routes_t, get_count, u_int,
	private_mif_dp_routes_t *this)
{
	return this->routes->get_count(this->routes);
}

METHOD(mif_dp_routes_t, destroy, void,
	private_mif_dp_routes_t *this)
{
	route_t *r;

	while (this->routes->remove_first(this->routes, (void**)&r) == SUCCESS)
	{
		route_remove(this, r);
	}
	this->routes->destroy(this->routes);
	free(this);
}

/*
 * Described in header
 */
mif_dp_routes_t *mif_dp_routes_create(struct nl_sock *sock, uint32_t table)
{
	private_mif_dp_routes_t *this;

	INIT(this,
		.public = {
			.set = _set,
			.get_count = _get_count,
			.destroy = _destroy,
		},
		.sock = sock,
		.table = table,
		.routes = linked_list_create(),
	);
	return &this->public;
}

/*
 * Described in header
 */
bool mif_dp_routes_default(struct nl_sock *sock, uint32_t table, int family,
						   mif_nl_nexthop_t *hop, host_t *src, bool add)
{
	host_t *any;
	bool ok;

	any = host_create_any(family);
	if (add)
	{
		ok = mif_nl_route_encap(sock, table, any, 0, src, hop, 1, FALSE) == 0;
		any->destroy(any);
		return ok;
	}
	ok = route_del(sock, route_create(table, any, 0));
	any->destroy(any);
	return ok;
}
