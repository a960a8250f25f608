/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dp_hash mif_dp_hash
 * @{ @ingroup mif
 */

#ifndef MIF_DP_HASH_H_
#define MIF_DP_HASH_H_

#include <library.h>

typedef struct mif_dp_hash_t mif_dp_hash_t;

/**
 * The multipath hash policy (net.ipv{4,6}.fib_multipath_hash_policy) that
 * multipath routes over paths need: per flow (L4), so a flow keeps its path.
 *
 * The value found is remembered, in memory and in a state file for a
 * restart after a crash (kill -9), and restored when the data plane goes;
 * a value that already is what we need is left alone (and never restored).
 * Not thread-safe: used under the data plane's mutex.
 */
struct mif_dp_hash_t {

	/**
	 * Hash the multipath routes of a family per flow.
	 *
	 * @param family	AF_INET or AF_INET6
	 * @return			TRUE if the policy is per flow
	 */
	bool (*enable)(mif_dp_hash_t *this, int family);

	/**
	 * Restore the policies changed, unless someone changed them again
	 * since, and destroy.
	 */
	void (*destroy)(mif_dp_hash_t *this);
};

/**
 * Create the hash policy keeper, restoring what a previous instance left
 * changed as its state file tells.
 *
 * @param state		path of the state file (copied)
 * @return			instance
 */
mif_dp_hash_t *mif_dp_hash_create(char *state);

#endif /** MIF_DP_HASH_H_ @}*/
