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
 * @defgroup libmif libmif
 *
 * @defgroup mif_types mif_types
 * @{ @ingroup libmif
 */

#ifndef MIF_TYPES_H_
#define MIF_TYPES_H_

#include <library.h>
#include <networking/host.h>

typedef struct mif_addr_t mif_addr_t;
typedef struct mif_key_t mif_key_t;
typedef enum mif_status_t mif_status_t;
typedef enum mif_event_t mif_event_t;

/**
 * Compact IPv4/IPv6 address with optional port.
 *
 * Bindings are stored by the million, so addresses are kept inline as 20
 * bytes instead of as host_t objects (which cost a vtable and a heap block).
 */
struct mif_addr_t {
	/** AF_INET, AF_INET6, or 0 if no address is set */
	uint8_t family;
	/** reserved, zero */
	uint8_t reserved;
	/** port in host order, 0 if not used */
	uint16_t port;
	/** address bytes in network order (4 used for IPv4, rest zero) */
	uint8_t addr[16];
};

/**
 * Key of a mobility session: home address and/or an identity string.
 *
 * The home address is used as the key if set, the identity otherwise. If
 * both are given, an existing session found by home address must carry the
 * same identity, so one peer cannot take over another's home address.
 */
struct mif_key_t {
	/** home address, family 0 if none */
	mif_addr_t hoa;
	/** identity (e.g. "%Y" of an IKE identity), or NULL */
	const char *id;
};

/**
 * Registration status codes.
 *
 * Values are those of the Mobile IPv6 Binding Acknowledgement Status /
 * RFC 5648 BID Status registry, so they can be copied to the wire as-is.
 */
enum mif_status_t {
	/** binding update accepted (RFC 6275) */
	MIF_STATUS_ACCEPTED = 0,
	/** some BIDs of a bulk registration failed, see per-BID status (RFC 5648) */
	MIF_STATUS_MCOA_NOTCOMPLETE = 4,
	/** reason unspecified (RFC 6275) */
	MIF_STATUS_UNSPECIFIED = 128,
	/** administratively prohibited (RFC 6275) */
	MIF_STATUS_PROHIBITED = 129,
	/** insufficient resources (RFC 6275) */
	MIF_STATUS_INSUFFICIENT_RESOURCES = 130,
	/** not home agent for this MN; de-registration of an unknown BID (RFC 5648 §6.2) */
	MIF_STATUS_NOT_HA_FOR_MN = 133,
	/** sequence number out of window (RFC 6275 §9.5.1) */
	MIF_STATUS_SEQ_OUT_OF_WINDOW = 135,
	/** malformed BID: BID 0, duplicate BID in one request, bad priority or lifetime (RFC 5648) */
	MIF_STATUS_MCOA_MALFORMED = 164,
	/** a non-MCoA binding exists (RFC 5648) */
	MIF_STATUS_MCOA_NON_MCOA_BINDING_EXISTS = 165,
	/** MCoA prohibited (RFC 5648) */
	MIF_STATUS_MCOA_PROHIBITED = 166,
	/** refresh of an unknown BID without care-of address (RFC 5648) */
	MIF_STATUS_MCOA_UNKNOWN_COA = 167,
	/** bulk registration prohibited (RFC 5648) */
	MIF_STATUS_MCOA_BULK_PROHIBITED = 168,
	/** invalid care-of address: unspecified, multicast, loopback, ... (RFC 6275) */
	MIF_STATUS_INVALID_COA = 174,
};

/**
 * Enum names for mif_status_t.
 */
extern enum_name_t *mif_status_names;

/**
 * Change events delivered to mif_listener_t.
 */
enum mif_event_t {
	/** a new binding was registered */
	MIF_EVENT_ADDED,
	/** a binding was refreshed or changed (path, priority, state, lifetime) */
	MIF_EVENT_UPDATED,
	/** a binding/flow/SA reference was removed explicitly or by overwrite */
	MIF_EVENT_REMOVED,
	/** a binding's lifetime ran out */
	MIF_EVENT_EXPIRED,
};

/**
 * Enum names for mif_event_t.
 */
extern enum_name_t *mif_event_names;

/**
 * Maximum lifetime in seconds a registration can carry: RFC 6275 encodes
 * lifetimes as 16-bit count of 4 second units.
 */
#define MIF_LIFETIME_MAX (65535 * 4)

/**
 * Maximum length of an interface name including the terminating NUL.
 */
#define MIF_IFNAME_LEN 16

#endif /** MIF_TYPES_H_ @}*/
