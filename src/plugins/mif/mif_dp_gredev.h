/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dp_gredev mif_dp_gredev
 * @{ @ingroup mif
 */

#ifndef MIF_DP_GREDEV_H_
#define MIF_DP_GREDEV_H_

#include <library.h>

#include <netlink/netlink.h>

typedef struct mif_dp_gredev_t mif_dp_gredev_t;

/** name of the GRE device the IPv4 paths share */
#define MIF_GREDEV_NAME "mifgre4"

/**
 * The GRE device all paths with IPv4 addresses share (carrying inner IPv4
 * and IPv6), in metadata mode (collect_md, `ip link add ... external`):
 * the outer addresses of each packet come from the route that sends it
 * into the device (a lightweight tunnel encapsulation per next hop,
 * mif_nl_route_encap()), and the device takes GRE from any peer. Such a
 * path costs a next hop, not a device (doc/protocol.md §7.5).
 * ip6gre in metadata mode ignores the encapsulation's source address
 * (Linux 6.1 __gre6_xmit() sets only the destination of the outer flow,
 * so the path's XFRM policy and source rule never match): paths with IPv6
 * addresses keep a device each (mif_dp_gre.c).
 * Like the per-path devices, it has disable_xfrm and disable_policy set,
 * so inner packets bypass the IKE SA's own CHILD SA policies, and an MTU
 * with room for the ESP overhead.
 * Not thread-safe: used under the data plane's mutex.
 */
struct mif_dp_gredev_t {

	/**
	 * Interface index of the device.
	 *
	 * @return			interface index
	 */
	int (*get_ifindex)(mif_dp_gredev_t *this);

	/**
	 * Delete the device (and with it every route over it), destroy.
	 */
	void (*destroy)(mif_dp_gredev_t *this);
};

/**
 * Set up a GRE device (the shared one, or an IPv6 path's own): keep the
 * kernel away from its inner packets (disable_xfrm, disable_policy, no
 * IPv6 autoconfiguration) and bring it up with room for the ESP overhead.
 *
 * @param sock		rtnetlink socket
 * @param name		device name
 * @param mtu		fixed MTU, 0 for the kernel's minus ESP overhead;
 *					receives the MTU set
 * @return			interface index, 0 on failure (logged)
 */
int mif_dp_gredev_setup(struct nl_sock *sock, char *name, u_int *mtu);

/**
 * Delete a device by name.
 *
 * @param sock		rtnetlink socket
 * @param name		device name
 * @param quiet		whether a missing device goes unlogged
 */
void mif_dp_gredev_delete(struct nl_sock *sock, char *name, bool quiet);

/**
 * Create the device, deleting one of the same name a previous instance
 * left.
 *
 * @param sock		rtnetlink socket, used under the caller's lock
 * @param mtu		fixed device MTU, 0 for the kernel's minus ESP overhead
 * @return			instance, NULL if the kernel creates no GRE device in
 *					metadata mode (no ip_gre)
 */
mif_dp_gredev_t *mif_dp_gredev_create(struct nl_sock *sock, u_int mtu);

#endif /** MIF_DP_GREDEV_H_ @}*/
