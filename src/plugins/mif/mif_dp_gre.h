/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dp_gre mif_dp_gre
 * @{ @ingroup mif
 */

#ifndef MIF_DP_GRE_H_
#define MIF_DP_GRE_H_

#include "mif_dataplane.h"
#include "mif_dp_gredev.h"
#include "mif_netlink.h"

#include <netlink/netlink.h>

typedef struct mif_dp_gre_t mif_dp_gre_t;

/**
 * The transport of one path: GRE between the path's addresses and the
 * XFRM policies that protect those GRE packets with the path's ESP
 * transport SA. A path with IPv4 addresses goes through the GRE device the
 * IPv4 paths share (mif_dp_gredev.c), a path with IPv6 addresses through
 * an ip6gre device of its own ("mif<IKE>p<BID>", bound to the path's
 * interface), as ip6gre in metadata mode cannot take a source address
 * from the route.
 * This is the one part of the data plane that knows a path is GRE: the
 * rest routes over the next hop it gives. The policies are installed
 * through charon's kernel interface, so its policy bookkeeping sees them;
 * plaintext GRE is dropped by the inbound policies.
 * Not thread-safe: used under the data plane's mutex.
 */
struct mif_dp_gre_t {

	/**
	 * The path as next hop of a route.
	 *
	 * @param hop		receives the next hop; its addresses are this
	 *					object's, valid while it lives
	 * @param weight	weight of the next hop, 1..255
	 */
	void (*get_nexthop)(mif_dp_gre_t *this, mif_nl_nexthop_t *hop,
						u_int weight);

	/**
	 * Name of the device the path uses.
	 *
	 * @return			device name (IFNAMSIZ)
	 */
	char *(*get_name)(mif_dp_gre_t *this);

	/**
	 * Delete the policies (and the path's own device), and destroy.
	 */
	void (*destroy)(mif_dp_gre_t *this);
};

/**
 * Install the GRE policies of a path, and for an IPv6 path its device, up.
 *
 * @param sock		rtnetlink socket, used under the caller's lock
 * @param dev		the GRE device IPv4 paths share
 * @param path		path (addresses copied)
 * @param mtu		fixed MTU of an own device, 0 for the kernel's minus
 *					ESP overhead
 * @return			instance, NULL if installing failed (nothing left)
 */
mif_dp_gre_t *mif_dp_gre_create(struct nl_sock *sock, mif_dp_gredev_t *dev,
								mif_dp_path_t *path, u_int mtu);

/**
 * Delete the GRE policies of a previous instance's paths (which charon's
 * kernel interface knows nothing of), found by their priority, and its
 * per-path GRE devices ("mif<IKE>p<BID>"; every path had one in earlier
 * versions) with the policies between their addresses.
 *
 * @param sock		rtnetlink socket
 * @param links		incremented per device deleted
 * @param policies	incremented per policy deleted
 */
void mif_dp_gre_remove_leftovers(struct nl_sock *sock, u_int *links,
								 u_int *policies);

#endif /** MIF_DP_GRE_H_ @}*/
