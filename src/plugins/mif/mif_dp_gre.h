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

#include <netlink/netlink.h>

typedef struct mif_dp_gre_t mif_dp_gre_t;

/**
 * The transport of one path: a GRE device between the path's addresses and
 * the XFRM policies that protect its GRE packets with the path's ESP
 * transport SA.
 *
 * This is the one part of the data plane that knows the path is a GRE
 * device (gre or ip6gre by the outer family, named "mif<IKE>p<BID>"): the
 * rest routes over the device's interface index. Replacing the per-path
 * devices (e.g. by XFRM marks or if_ids) replaces this file.
 *
 * The device is bound to the path's interface (link), has disable_xfrm and
 * disable_policy set so the inner packets bypass the IKE SA's own CHILD SA
 * policies, and is up with room for the ESP overhead. The policies are
 * installed through charon's kernel interface, so its policy bookkeeping
 * sees them; plaintext GRE is dropped by the inbound policy.
 * Not thread-safe: used under the data plane's mutex.
 */
struct mif_dp_gre_t {

	/**
	 * Name of the GRE device.
	 *
	 * @return			device name (IFNAMSIZ)
	 */
	char *(*get_name)(mif_dp_gre_t *this);

	/**
	 * Interface index of the GRE device, the next hop of routes over the
	 * path.
	 *
	 * @return			interface index
	 */
	int (*get_ifindex)(mif_dp_gre_t *this);

	/**
	 * Delete the device and the policies, and destroy.
	 */
	void (*destroy)(mif_dp_gre_t *this);
};

/**
 * Install the policies and the GRE device of a path, up.
 *
 * @param sock		rtnetlink socket, used under the caller's lock
 * @param path		path (addresses copied)
 * @param mtu		fixed device MTU, 0 for the kernel's minus ESP overhead
 * @return			instance, NULL if installing failed (nothing left)
 */
mif_dp_gre_t *mif_dp_gre_create(struct nl_sock *sock, mif_dp_path_t *path,
								u_int mtu);

/**
 * Check that the kernel creates GRE devices, by creating and deleting one.
 *
 * @param sock		rtnetlink socket
 * @return			TRUE if it does
 */
bool mif_dp_gre_probe(struct nl_sock *sock);

/**
 * Delete the GRE devices of a previous instance (named as this file names
 * them) and their GRE policies, which charon's kernel interface knows
 * nothing of.
 *
 * @param sock		rtnetlink socket
 * @param links		incremented per device deleted
 * @param policies	incremented per policy deleted
 */
void mif_dp_gre_remove_leftovers(struct nl_sock *sock, u_int *links,
								 u_int *policies);

#endif /** MIF_DP_GRE_H_ @}*/
