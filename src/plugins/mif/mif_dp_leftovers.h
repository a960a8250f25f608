/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dp_leftovers mif_dp_leftovers
 * @{ @ingroup mif
 */

#ifndef MIF_DP_LEFTOVERS_H_
#define MIF_DP_LEFTOVERS_H_

#include "mif_dp_settings.h"

#include <netlink/netlink.h>

/**
 * Remove what a previous instance left in the kernel because it did not
 * get to remove it (charon crashed or was killed): the GRE devices of its
 * paths, which takes their routes along, and their GRE policies
 * (mif_dp_gre.c); the routes of the multipath table; the base and flow
 * rules; and the source rules of mif_srcroute with the routes of their
 * tables (created after the data plane, by the path manager).
 *
 * GRE devices are named after IKE SA unique ids, which start at 1 again,
 * and the base rules are unique: both would make installing this
 * instance's paths fail.
 *
 * @param sock		rtnetlink socket
 * @param settings	tables and priorities the rules and routes use
 */
void mif_dp_remove_leftovers(struct nl_sock *sock,
							 mif_dp_settings_t *settings);

#endif /** MIF_DP_LEFTOVERS_H_ @}*/
