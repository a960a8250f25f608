/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_ratelimit mif_ratelimit
 * @{ @ingroup mif
 */

#ifndef MIF_RATELIMIT_H_
#define MIF_RATELIMIT_H_

#include <networking/host.h>

typedef struct mif_ratelimit_t mif_ratelimit_t;

/**
 * Token buckets per destination address, refilled by the caller's clock.
 *
 * Bounds what a peer can make us send to an address it names (return
 * routability probes, doc/protocol.md section 5.3 step 5): each address
 * may take a burst, then a steady rate. Time advances only by tick(), so
 * the path manager's timer drives it and tests need no sleeping. Not
 * thread-safe: the caller holds its own lock.
 */
struct mif_ratelimit_t {

	/**
	 * Take one token for an address (port ignored).
	 *
	 * @param addr		destination
	 * @return			TRUE if allowed, FALSE if over the limit or the
	 *					table is full
	 */
	bool (*allow)(mif_ratelimit_t *this, host_t *addr);

	/**
	 * Let time pass: refill every bucket; full buckets are forgotten.
	 *
	 * @param ms		milliseconds since the last tick
	 */
	void (*tick)(mif_ratelimit_t *this, u_int ms);

	/**
	 * Number of addresses tracked.
	 */
	u_int (*count)(mif_ratelimit_t *this);

	/**
	 * Destroy the limiter.
	 */
	void (*destroy)(mif_ratelimit_t *this);
};

/**
 * Create a limiter.
 *
 * @param burst			tokens of a fresh address
 * @param per_second	tokens added per second
 * @param max			addresses tracked at most; beyond, allow() refuses
 * @return				limiter
 */
mif_ratelimit_t *mif_ratelimit_create(u_int burst, u_int per_second,
									  u_int max);

#endif /** MIF_RATELIMIT_H_ @}*/
