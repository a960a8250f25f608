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
 * @defgroup mif_flow mif_flow
 * @{ @ingroup libmif
 */

#ifndef MIF_FLOW_H_
#define MIF_FLOW_H_

#include "mif_types.h"

#include <selectors/traffic_selector.h>

typedef struct mif_ts_t mif_ts_t;
typedef struct mif_flow_t mif_flow_t;
typedef struct mif_packet_t mif_packet_t;
typedef enum mif_flow_action_t mif_flow_action_t;
typedef enum mif_flow_status_t mif_flow_status_t;

/**
 * Maximum number of BIDs a flow binding may reference.
 */
#define MIF_FLOW_MAX_BIDS 8

/**
 * What to do with traffic matching a flow binding.
 */
enum mif_flow_action_t {
	/** forward via the listed BIDs (replicated if more than one, RFC 6089 §4.3) */
	MIF_FLOW_BIDS = 1,
	/** drop matching traffic */
	MIF_FLOW_DROP = 2,
	/** forward via the home link / home binding, not a care-of path */
	MIF_FLOW_HOME = 3,
};

/**
 * Enum names for mif_flow_action_t.
 */
extern enum_name_t *mif_flow_action_names;

/**
 * Flow Identification status codes (RFC 6089 §4.2).
 */
enum mif_flow_status_t {
	/** flow binding successful */
	MIF_FLOW_OK = 0,
	/** administratively prohibited */
	MIF_FLOW_PROHIBITED = 128,
	/** rejected, reason unspecified (also: duplicate FID-PRI) */
	MIF_FLOW_REJECTED = 129,
	/** FID option malformed: FID 0, priority 0, bad BID list or action */
	MIF_FLOW_MALFORMED = 130,
	/** a referenced BID is not registered */
	MIF_FLOW_BID_NOT_FOUND = 131,
	/** FID not found */
	MIF_FLOW_FID_NOT_FOUND = 132,
	/** traffic selector format not supported / invalid */
	MIF_FLOW_TS_UNSUPPORTED = 133,
};

/**
 * Enum names for mif_flow_status_t.
 */
extern enum_name_t *mif_flow_status_names;

/**
 * Compact traffic selector (RFC 6088 subset): address ranges, protocol
 * and port ranges. Ranges are inclusive; an all-zero low and all-ones high
 * bound matches anything.
 */
struct mif_ts_t {
	/** AF_INET or AF_INET6 */
	uint8_t family;
	/** IP protocol, 0 for any */
	uint8_t proto;
	/** source port range */
	uint16_t sport_lo, sport_hi;
	/** destination port range */
	uint16_t dport_lo, dport_hi;
	/** source address range (network order, 4 bytes used for IPv4) */
	uint8_t src_lo[16], src_hi[16];
	/** destination address range */
	uint8_t dst_lo[16], dst_hi[16];
};

/**
 * A flow binding (RFC 6089 Flow Identification).
 */
struct mif_flow_t {
	/** flow ID, 1..65535 */
	uint16_t fid;
	/** FID-PRI, 1..65535, lower is preferred, unique per session */
	uint16_t prio;
	/** mif_flow_action_t */
	uint8_t action;
	/** number of BIDs in bids (MIF_FLOW_BIDS only) */
	uint8_t nbids;
	/** output: TRUE if at least one referenced BID is registered */
	uint8_t active;
	/** reserved, zero */
	uint8_t reserved;
	/** referenced BIDs */
	uint16_t bids[MIF_FLOW_MAX_BIDS];
	/** traffic selector */
	mif_ts_t ts;
};

/**
 * Packet description for flow matching.
 */
struct mif_packet_t {
	/** source address */
	mif_addr_t src;
	/** destination address */
	mif_addr_t dst;
	/** IP protocol */
	uint8_t proto;
	/** source port, 0 if not applicable */
	uint16_t sport;
	/** destination port, 0 if not applicable */
	uint16_t dport;
};

/**
 * Initialise a traffic selector matching all traffic of a family.
 *
 * @param ts		selector to fill
 * @param family	AF_INET or AF_INET6
 */
void mif_ts_any(mif_ts_t *ts, int family);

/**
 * Fill a compact selector from a strongSwan source/destination pair.
 *
 * @param ts		selector to fill
 * @param src		source traffic selector
 * @param dst		destination traffic selector
 * @return			FALSE if families differ or protocols conflict
 */
bool mif_ts_from_traffic_selectors(mif_ts_t *ts, traffic_selector_t *src,
								   traffic_selector_t *dst);

/**
 * Check a selector for consistency (known family, lo <= hi everywhere,
 * IPv4 padding zero).
 *
 * @param ts		selector to check
 * @return			TRUE if valid
 */
bool mif_ts_is_valid(const mif_ts_t *ts);

/**
 * Check whether a packet matches a selector.
 *
 * @param ts		selector
 * @param pkt		packet description
 * @return			TRUE on match
 */
bool mif_ts_match(const mif_ts_t *ts, const mif_packet_t *pkt);

/**
 * Validate a flow binding's own fields (not its BID references).
 *
 * @param flow		flow to check
 * @return			MIF_FLOW_OK or the rejection status
 */
mif_flow_status_t mif_flow_check(const mif_flow_t *flow);

#endif /** MIF_FLOW_H_ @}*/
