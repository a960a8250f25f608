/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

/**
 * @defgroup mif_addr mif_addr
 * @{ @ingroup libmif
 */

#ifndef MIF_ADDR_H_
#define MIF_ADDR_H_

#include "mif_types.h"

/**
 * Fill a compact address from a host_t.
 *
 * @param addr		address to fill
 * @param host		host to convert, NULL clears addr
 * @return			FALSE if the host has an unsupported family
 */
bool mif_addr_from_host(mif_addr_t *addr, host_t *host);

/**
 * Create a host_t from a compact address.
 *
 * @param addr		address to convert
 * @return			host_t, NULL if addr has no family
 */
host_t *mif_addr_to_host(const mif_addr_t *addr);

/**
 * Parse a textual address ("192.0.2.1", "2001:db8::1").
 *
 * @param addr		address to fill
 * @param str		string to parse
 * @param port		port to set
 * @return			FALSE if str is not an IP address
 */
bool mif_addr_from_string(mif_addr_t *addr, const char *str, uint16_t port);

/**
 * Print an address (without port) to a buffer.
 *
 * @param addr		address to print
 * @param buf		buffer
 * @param len		size of buf, INET6_ADDRSTRLEN is always enough
 * @return			buf
 */
char *mif_addr_to_string(const mif_addr_t *addr, char *buf, size_t len);

/**
 * Check whether an address may be used as care-of address: it must be a
 * unicast address, i.e. not unspecified, multicast, loopback, IPv4
 * broadcast or in 0.0.0.0/8.
 *
 * @param addr		address to check
 * @return			TRUE if usable
 */
bool mif_addr_is_valid_coa(const mif_addr_t *addr);

/**
 * Check whether an address is set and well-formed (known family, zero
 * padding after IPv4 bytes).
 *
 * @param addr		address to check
 * @return			TRUE if well-formed
 */
bool mif_addr_is_wellformed(const mif_addr_t *addr);

/**
 * Compare the IP addresses of two compact addresses, ignoring the port.
 *
 * @param a			first address
 * @param b			second address
 * @return			TRUE if equal
 */
static inline bool mif_addr_equals(const mif_addr_t *a, const mif_addr_t *b)
{
	return a->family == b->family && memeq(a->addr, b->addr, sizeof(a->addr));
}

/**
 * Seeded 32-bit hash over the IP address of a compact address (port
 * ignored), cheap enough for the lookup hot path.
 *
 * The seed is random per process, so remote peers that choose addresses
 * cannot predict bucket collisions.
 *
 * @param addr		address to hash
 * @param extra		additional 32-bit value to mix in (e.g. a BID)
 * @param seed		random seed
 * @return			hash value
 */
static inline uint32_t mif_addr_hash(const mif_addr_t *addr, uint32_t extra,
									 uint64_t seed)
{
	uint64_t a, b, h;

	memcpy(&a, addr->addr, sizeof(a));
	memcpy(&b, addr->addr + 8, sizeof(b));
	/* two rounds of a full 64-bit finalizer (MurmurHash3 fmix64): bucket
	 * bits must depend on every address bit, addresses of one prefix
	 * differ only in a few bytes */
	h = seed ^ a ^ ((uint64_t)addr->family << 48 | extra);
	h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdULL;
	h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	h ^= b;
	h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdULL;
	h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(h ^ (h >> 33));
}

#endif /** MIF_ADDR_H_ @}*/
