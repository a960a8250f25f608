/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_srcroute mif_srcroute
 * @{ @ingroup mif
 */

#ifndef MIF_SRCROUTE_H_
#define MIF_SRCROUTE_H_

#include <networking/host.h>

#include "mif_dp_settings.h"

typedef struct mif_srcroute_t mif_srcroute_t;

/**
 * Source routing for the addresses of a multihomed host's paths.
 *
 * Packets from a path's local address must leave through the interface
 * holding it, whatever the main table's default route prefers: its GRE
 * packets, probes and, after MOBIKE, IKE packets. Binding the outgoing
 * interface is not enough for IPv6, whose route lookup ignores it when a
 * source address is given. So each such address gets a rule selecting a
 * table with the main table's routes through its interface, kept in sync
 * by refresh().
 */
struct mif_srcroute_t {

	/**
	 * Route packets from an address through an interface (refcounted).
	 *
	 * @param local		local address
	 * @param ifindex	interface holding it
	 * @return			TRUE if installed
	 */
	bool (*add)(mif_srcroute_t *this, host_t *local, uint32_t ifindex);

	/**
	 * Release an address added with add().
	 *
	 * @param local		local address
	 */
	void (*del)(mif_srcroute_t *this, host_t *local);

	/**
	 * Bring the tables of all routed addresses in line with the main
	 * table's routes through their interfaces again (a link that went down
	 * lost them, a DHCP lease may have changed them). Called periodically.
	 */
	void (*refresh)(mif_srcroute_t *this);

	/**
	 * Steer the route towards a peer's IKE address through the interface
	 * of one of our routed addresses.
	 *
	 * charon judges its IKE SA's path from the routing tables (the longest
	 * prefix of any table but its own): a host route through a working
	 * path's interface makes it find its current path invalid and MOBIKE
	 * move the IKE SA there, which it cannot notice by itself when a path
	 * fails silently.
	 *
	 * @param peer		peer's IKE address
	 * @param via		our address (added with add()) whose interface to use
	 * @return			TRUE if the route is installed
	 */
	bool (*steer)(mif_srcroute_t *this, host_t *peer, host_t *via);

	/**
	 * Remove the steering route towards a peer, if any.
	 *
	 * @param peer		peer's IKE address
	 */
	void (*unsteer)(mif_srcroute_t *this, host_t *peer);

	/**
	 * Remove all rules and routes and destroy.
	 */
	void (*destroy)(mif_srcroute_t *this);
};

/**
 * Create the source routing manager.
 *
 * @param settings	source rule priority and tables, and the data plane's
 *					table for steering routes, as mif_dp_settings_load()
 *					reads them
 * @return			instance, NULL without netlink
 */
mif_srcroute_t *mif_srcroute_create(const mif_dp_settings_t *settings);

#endif /** MIF_SRCROUTE_H_ @}*/
