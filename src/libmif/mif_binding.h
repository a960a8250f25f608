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
 * @defgroup mif_binding mif_binding
 * @{ @ingroup libmif
 */

#ifndef MIF_BINDING_H_
#define MIF_BINDING_H_

#include "mif_types.h"

typedef struct mif_binding_t mif_binding_t;
typedef struct mif_reg_entry_t mif_reg_entry_t;
typedef struct mif_reg_t mif_reg_t;
typedef enum mif_binding_state_t mif_binding_state_t;
typedef enum mif_reg_flag_t mif_reg_flag_t;

/**
 * State of a binding (one path of a mobile node).
 */
enum mif_binding_state_t {
	/** registered, path not yet confirmed working */
	MIF_BINDING_PROBING = 1,
	/** registered and usable for traffic */
	MIF_BINDING_ACTIVE = 2,
	/** registered, kept as backup only */
	MIF_BINDING_STANDBY = 3,
	/** removed or expired; only seen in events */
	MIF_BINDING_REMOVED = 4,
};

/**
 * Enum names for mif_binding_state_t.
 */
extern enum_name_t *mif_binding_state_names;

/**
 * Binding flags.
 */
enum mif_reg_flag_t {
	/** entry flag: simultaneous home and foreign binding (RFC 5648 "H") */
	MIF_REG_HOME = (1 << 0),
	/** request flag: replace all other bindings of the session (RFC 5648 "O") */
	MIF_REG_OVERWRITE = (1 << 1),
	/** request flag: no sequence number given, use the next one (IKE users) */
	MIF_REG_AUTO_SEQ = (1 << 2),
};

/**
 * A binding, as a plain copy handed out by lookups and events.
 *
 * Bindings are identified by (session, BID). The record is compact on
 * purpose: the backend stores it inline in its index entries, with the
 * lookup key (home address, BID) in the first 24 bytes so comparing a
 * key touches one cache line.
 */
struct mif_binding_t {
	/** home address of the session, family 0 for identity-only sessions */
	mif_addr_t hoa;
	/** binding ID, 1..65535 */
	uint16_t bid;
	/** sequence number of the last accepted registration */
	uint16_t seq;
	/** BID-PRI (RFC 6089), 1..127, lower is preferred; 0 = unspecified */
	uint8_t prio;
	/** mif_binding_state_t */
	uint8_t state;
	/** MIF_REG_HOME if set */
	uint8_t flags;
	/** reserved, zero */
	uint8_t reserved;
	/** local interface index, 0 if unknown */
	uint32_t ifindex;
	/** monotonic time (time_monotonic()) at which the binding expires */
	time_t expires;
	/** care-of / local address of the path */
	mif_addr_t coa;
	/** remote address of the path (home agent, gateway), family 0 if unset */
	mif_addr_t remote;
	/** local interface name, "" if unknown */
	char ifname[MIF_IFNAME_LEN];
	/** granted lifetime in seconds */
	uint32_t lifetime;
};

/**
 * One BID entry of a (bulk) registration request, with its result.
 */
struct mif_reg_entry_t {
	/** binding ID, must not be 0 */
	uint16_t bid;
	/** BID-PRI 0..127, 0 meaning unspecified */
	uint8_t prio;
	/** MIF_REG_HOME, or 0 */
	uint8_t flags;
	/** requested lifetime in seconds, 0 de-registers */
	uint32_t lifetime;
	/** care-of address; family 0 refreshes an existing binding */
	mif_addr_t coa;
	/** remote address of the path, family 0 keeps the current one */
	mif_addr_t remote;
	/** interface name, "" keeps the current one */
	char ifname[MIF_IFNAME_LEN];
	/** interface index, 0 keeps the current one */
	uint32_t ifindex;
	/** initial state for new bindings, 0 for MIF_BINDING_ACTIVE */
	uint8_t state;
	/** result: per-BID status */
	uint8_t status;
	/** result: granted lifetime */
	uint32_t granted;
};

/**
 * A registration request: one Binding Update with one or more BIDs.
 */
struct mif_reg_t {
	/** session key */
	mif_key_t key;
	/** sequence number; in/out with MIF_REG_AUTO_SEQ */
	uint16_t seq;
	/** MIF_REG_OVERWRITE, MIF_REG_AUTO_SEQ */
	uint16_t flags;
	/** number of entries; more than one is a bulk registration */
	u_int count;
	/** entries, results are written back */
	mif_reg_entry_t *entries;
};

#endif /** MIF_BINDING_H_ @}*/
