/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dp_rules mif_dp_rules
 * @{ @ingroup mif
 */

#ifndef MIF_DP_RULES_H_
#define MIF_DP_RULES_H_

#include "mif_dp_settings.h"

#include <netlink/netlink.h>

typedef struct mif_dp_rules_t mif_dp_rules_t;

/**
 * The routing rules shared by all paths of all IKE SAs, installed with the
 * first path and removed with the last, per family:
 *  - prio: look up the multipath table
 *  - prio + 1: no-op, the target of the skip rules
 *  - skip_prio: GRE packets and charon's IKE packets (by source port) jump
 *    to prio + 1, as routes for broad inner destinations (e.g. 0.0.0.0/0)
 *    would otherwise send them into a GRE device, looping or tunnelling IKE.
 *
 * Without IPv6 rules IPv4 keeps working. Not thread-safe: used under the
 * data plane's mutex.
 */
struct mif_dp_rules_t {

	/**
	 * Count a path, installing the rules for the first.
	 *
	 * @return			TRUE if the rules are installed
	 */
	bool (*acquire)(mif_dp_rules_t *this);

	/**
	 * Release a path counted with acquire(), removing the rules with the
	 * last.
	 */
	void (*release)(mif_dp_rules_t *this);

	/**
	 * Remove the rules and destroy.
	 */
	void (*destroy)(mif_dp_rules_t *this);
};

/**
 * Create the base rules, not installed yet.
 *
 * @param sock		rtnetlink socket, used under the caller's lock
 * @param settings	priorities, table and IKE ports (copied)
 * @return			instance
 */
mif_dp_rules_t *mif_dp_rules_create(struct nl_sock *sock,
									mif_dp_settings_t *settings);

#endif /** MIF_DP_RULES_H_ @}*/
