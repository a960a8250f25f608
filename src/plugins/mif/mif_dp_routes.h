/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dp_routes mif_dp_routes
 * @{ @ingroup mif
 */

#ifndef MIF_DP_ROUTES_H_
#define MIF_DP_ROUTES_H_

#include <library.h>
#include <networking/host.h>
#include <collections/linked_list.h>

#include <netlink/netlink.h>

#include "mif_netlink.h"

typedef struct mif_dp_routes_t mif_dp_routes_t;

/**
 * The routes of one IKE SA's inner destinations in the multipath table:
 * each over all paths in use, weighted (one path: a plain route).
 * Not thread-safe: used under the data plane's mutex.
 */
struct mif_dp_routes_t {

	/**
	 * Route destinations over a set of paths, replacing the previous
	 * routes; routes no longer wanted are deleted after the new ones are in.
	 *
	 * @param dst		traffic_selector_t, destinations; NULL to reroute
	 *					the installed ones
	 * @param src		preferred source address, or NULL
	 * @param hops		next hops, a path each (its GRE device and outer
	 *					addresses)
	 * @param count		number of hops, 0 to remove all routes
	 * @param multipath	set per family (0: IPv4, 1: IPv6) if a route with
	 *					several next hops got installed
	 * @return			TRUE if all routes are installed
	 */
	bool (*set)(mif_dp_routes_t *this, linked_list_t *dst, host_t *src,
				mif_nl_nexthop_t *hops, u_int count, bool multipath[2]);

	/**
	 * Number of installed routes.
	 *
	 * @return			number of routes
	 */
	u_int (*get_count)(mif_dp_routes_t *this);

	/**
	 * Delete the routes and destroy.
	 */
	void (*destroy)(mif_dp_routes_t *this);
};

/**
 * Create an empty route set.
 *
 * @param sock		rtnetlink socket, used under the caller's lock
 * @param table		multipath table
 * @return			instance
 */
mif_dp_routes_t *mif_dp_routes_create(struct nl_sock *sock, uint32_t table);

/**
 * Install (replace) or delete the default route of a table through a path,
 * the table flows steered to the path look up.
 *
 * @param sock		rtnetlink socket
 * @param table		the path's table
 * @param family	AF_INET or AF_INET6
 * @param hop		the path as next hop (ignored when deleting)
 * @param src		preferred source address, or NULL
 * @param add		TRUE to install, FALSE to delete
 * @return			TRUE on success
 */
bool mif_dp_routes_default(struct nl_sock *sock, uint32_t table, int family,
						   mif_nl_nexthop_t *hop, host_t *src, bool add);

#endif /** MIF_DP_ROUTES_H_ @}*/
