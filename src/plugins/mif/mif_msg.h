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
 * @defgroup mif_msg mif_msg
 * @{ @ingroup libmif
 *
 * Wire codec of the multi-interface IKEv2 extension (doc/protocol.md).
 *
 * Every parser takes untrusted data and returns a mif_msg_status_t plus a
 * static reason string suitable for DBG1 logging.  Parsed structures are
 * self-contained: they never point into the input buffer.  Structures
 * holding objects (host_t, traffic_selector_t) must be released with the
 * matching *_clear() function, which is also safe on a zeroed or failed
 * parse result.
 *
 * Encoders validate their input with the same rules as the parsers, so a
 * successful build always parses back to an equal structure.
 */

#ifndef MIF_MSG_H_
#define MIF_MSG_H_

#include <library.h>
#include <networking/host.h>
#include <selectors/traffic_selector.h>

#include "mif_flow.h"

typedef enum mif_notify_type_t mif_notify_type_t;
typedef enum mif_msg_status_t mif_msg_status_t;
typedef enum mif_if_kind_t mif_if_kind_t;
typedef enum mif_path_wire_state_t mif_path_wire_state_t;
typedef enum mif_path_ack_status_t mif_path_ack_status_t;
typedef enum mif_path_remove_reason_t mif_path_remove_reason_t;
typedef enum mif_msg_flow_op_t mif_msg_flow_op_t;
typedef enum mif_probe_type_t mif_probe_type_t;
typedef struct mif_msg_supported_t mif_msg_supported_t;
typedef struct mif_msg_path_add_t mif_msg_path_add_t;
typedef struct mif_msg_path_remove_t mif_msg_path_remove_t;
typedef struct mif_msg_path_update_entry_t mif_msg_path_update_entry_t;
typedef struct mif_msg_path_update_t mif_msg_path_update_t;
typedef struct mif_msg_path_rr_t mif_msg_path_rr_t;
typedef struct mif_msg_path_ack_t mif_msg_path_ack_t;
typedef struct mif_msg_flow_t mif_msg_flow_t;
typedef struct mif_msg_flow_ack_t mif_msg_flow_ack_t;
typedef struct mif_msg_probe_t mif_msg_probe_t;

/** protocol version implemented by this codec */
#define MIF_MSG_VERSION 1

/** upper bound for the data of any MIF notify */
#define MIF_MSG_MAX_LEN 1024

/** length of the probe key seed carried in MIF_SUPPORTED */
#define MIF_MSG_SEED_LEN 32

/** length of a probe key derived from the seeds */
#define MIF_MSG_PROBE_KEY_LEN 32

/** length of a return-routability cookie */
#define MIF_MSG_COOKIE_LEN 16

/**
 * Path and flow notifies one INFORMATIONAL request may carry
 * (doc/protocol.md section 6); the receiver ignores any beyond.
 */
#define MIF_MSG_MAX_NOTIFIES 8

/** length of the truncated HMAC-SHA256 tag of a probe */
#define MIF_MSG_TAG_LEN 16

/** length of a probe packet carrying an IPv4 / IPv6 address */
#define MIF_MSG_PROBE_LEN_V4 68
#define MIF_MSG_PROBE_LEN_V6 80

/** highest number of paths a peer may announce in MIF_SUPPORTED */
#define MIF_MSG_MAX_PATHS 16

/** highest number of entries in one MIF_PATH_UPDATE */
#define MIF_MSG_MAX_UPDATE_ENTRIES 16

/** highest number of BIDs in one MIF_FLOW */
#define MIF_MSG_MAX_FLOW_BIDS 8

/** path priority range, lower is preferred (RFC 6089 BID-PRI) */
#define MIF_MSG_PRIO_MIN 1
#define MIF_MSG_PRIO_MAX 127

/** longest interface name in the IFNAME TLV (IFNAMSIZ - 1) */
#define MIF_MSG_IFNAME_MAX 15

/** TLV type bit marking an extension the receiver must understand */
#define MIF_MSG_TLV_CRITICAL 0x8000

/** TLV carrying an interface name (MIF_PATH_ADD only, informational) */
#define MIF_MSG_TLV_IFNAME 1

/** MIF_SUPPORTED flags */
#define MIF_SUPPORTED_TRANSPORT	0x01
#define MIF_SUPPORTED_FLOWS		0x02

/** MIF_PATH_ADD flags */
#define MIF_PATH_ADD_STANDBY	0x01
#define MIF_PATH_ADD_TRANSPORT	0x02

/** probe flags */
#define MIF_PROBE_RR			0x01

/**
 * Private-use IKEv2 status notify types of the extension.
 */
enum mif_notify_type_t {
	/** capability, probe port and key seed; IKE_AUTH only */
	MIF_SUPPORTED = 41000,
	/** add one path */
	MIF_PATH_ADD = 41001,
	/** remove one path */
	MIF_PATH_REMOVE = 41002,
	/** change priority/state of paths */
	MIF_PATH_UPDATE = 41003,
	/** echo of a return-routability cookie inside the IKE SA */
	MIF_PATH_RR = 41004,
	/** answer to ADD/REMOVE/UPDATE/RR */
	MIF_PATH_ACK = 41005,
	/** set or delete a flow binding */
	MIF_FLOW = 41006,
	/** answer to MIF_FLOW */
	MIF_FLOW_ACK = 41007,
};

/** first and last notify type of the block reserved for the extension */
#define MIF_NOTIFY_FIRST 41000
#define MIF_NOTIFY_LAST 41015

/**
 * enum names for mif_notify_type_t.
 */
extern enum_name_t *mif_notify_type_names;

/**
 * Result of a parse or build operation.
 */
enum mif_msg_status_t {
	/** success */
	MIF_MSG_OK = 0,
	/** data ends before a field */
	MIF_MSG_TRUNCATED,
	/** data exceeds the message size limit */
	MIF_MSG_TOO_LONG,
	/** unexpected data after the last field */
	MIF_MSG_TRAILING,
	/** unsupported version */
	MIF_MSG_BAD_VERSION,
	/** a length field is inconsistent */
	MIF_MSG_BAD_LENGTH,
	/** a field value is out of range */
	MIF_MSG_BAD_VALUE,
	/** an address is of the wrong family or not unicast */
	MIF_MSG_BAD_ADDRESS,
	/** unknown TLV with the critical bit set */
	MIF_MSG_UNKNOWN_CRITICAL,
	/** probe authentication failed */
	MIF_MSG_BAD_TAG,
	/** crypto primitive not available */
	MIF_MSG_NO_CRYPTO,
};

/**
 * enum names for mif_msg_status_t.
 */
extern enum_name_t *mif_msg_status_names;

/**
 * Kind of interface behind a path (informational, drives local policy).
 */
enum mif_if_kind_t {
	MIF_IF_UNSPECIFIED = 0,
	MIF_IF_WIRED = 1,
	MIF_IF_WLAN = 2,
	MIF_IF_CELLULAR = 3,
	MIF_IF_VIRTUAL = 4,
};

/** highest defined mif_if_kind_t */
#define MIF_IF_KIND_MAX MIF_IF_VIRTUAL

/**
 * enum names for mif_if_kind_t.
 */
extern enum_name_t *mif_if_kind_names;

/**
 * Path state requested in MIF_PATH_UPDATE.
 */
enum mif_path_wire_state_t {
	MIF_WIRE_ACTIVE = 1,
	MIF_WIRE_STANDBY = 2,
};

/**
 * Status in MIF_PATH_ACK; any value but ACCEPTED is a refusal.
 */
enum mif_path_ack_status_t {
	MIF_ACK_ACCEPTED = 0,
	MIF_ACK_REFUSED = 1,
	MIF_ACK_UNKNOWN_BID = 2,
	MIF_ACK_STALE_SEQ = 3,
	MIF_ACK_BAD_ADDRESS = 4,
	MIF_ACK_TOO_MANY_PATHS = 5,
	MIF_ACK_BID_CONFLICT = 6,
	MIF_ACK_NAT_REFUSED = 7,
	MIF_ACK_MALFORMED = 8,
	MIF_ACK_RR_MISMATCH = 9,
};

/**
 * enum names for mif_path_ack_status_t.
 */
extern enum_name_t *mif_path_ack_status_names;

/**
 * Reason in MIF_PATH_REMOVE (informational, unknown values are accepted).
 */
enum mif_path_remove_reason_t {
	MIF_REMOVE_UNSPECIFIED = 0,
	MIF_REMOVE_IF_DOWN = 1,
	MIF_REMOVE_ADDR_GONE = 2,
	MIF_REMOVE_ADMIN = 3,
	MIF_REMOVE_DEAD = 4,
	MIF_REMOVE_RR_FAILED = 5,
	MIF_REMOVE_NAT = 6,
	MIF_REMOVE_REPLACED = 7,
};

/**
 * Action of a MIF_FLOW.
 */
enum mif_msg_flow_op_t {
	MIF_MSG_FLOW_SET = 1,
	MIF_MSG_FLOW_DELETE = 2,
};

/**
 * Probe packet type.
 */
enum mif_probe_type_t {
	MIF_PROBE_REQUEST = 1,
	MIF_PROBE_REPLY = 2,
};

/**
 * MIF_SUPPORTED notify data.
 */
struct mif_msg_supported_t {
	/** highest version the sender implements (>= 1) */
	uint8_t version;
	/** MIF_SUPPORTED_* flags, unknown bits preserved */
	uint8_t flags;
	/** number of paths the sender accepts, 1..MIF_MSG_MAX_PATHS */
	uint8_t max_paths;
	/** UDP port the sender receives probes on, non-zero */
	uint16_t probe_port;
	/** random seed for the probe keys */
	uint8_t seed[MIF_MSG_SEED_LEN];
};

/**
 * MIF_PATH_ADD notify data.
 */
struct mif_msg_path_add_t {
	/** binding identifier, non-zero */
	uint16_t bid;
	/** per-path sequence number */
	uint16_t seq;
	/** MIF_PATH_ADD_* flags, unknown bits preserved */
	uint8_t flags;
	/** interface kind, at most MIF_IF_KIND_MAX */
	mif_if_kind_t kind;
	/** priority, MIF_MSG_PRIO_MIN..MIF_MSG_PRIO_MAX */
	uint8_t priority;
	/** sender's address of the path (owned, port 0) */
	host_t *local;
	/** receiver's address of the path (owned, port 0) */
	host_t *remote;
	/** interface name, empty string if not sent */
	char ifname[MIF_MSG_IFNAME_MAX + 1];
};

/**
 * MIF_PATH_REMOVE notify data.
 */
struct mif_msg_path_remove_t {
	/** binding identifier, non-zero */
	uint16_t bid;
	/** per-path sequence number */
	uint16_t seq;
	/** mif_path_remove_reason_t, unknown values preserved */
	uint8_t reason;
};

/**
 * One entry of MIF_PATH_UPDATE.
 */
struct mif_msg_path_update_entry_t {
	/** binding identifier, non-zero, unique within the notify */
	uint16_t bid;
	/** per-path sequence number */
	uint16_t seq;
	/** new priority */
	uint8_t priority;
	/** requested state */
	mif_path_wire_state_t state;
};

/**
 * MIF_PATH_UPDATE notify data.
 */
struct mif_msg_path_update_t {
	/** number of valid entries, 1..MIF_MSG_MAX_UPDATE_ENTRIES */
	uint8_t count;
	/** entries */
	mif_msg_path_update_entry_t entries[MIF_MSG_MAX_UPDATE_ENTRIES];
};

/**
 * MIF_PATH_RR notify data.
 */
struct mif_msg_path_rr_t {
	/** binding identifier, non-zero */
	uint16_t bid;
	/** per-path sequence number */
	uint16_t seq;
	/** cookie received in a probe request over the path */
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
};

/**
 * MIF_PATH_ACK notify data.
 */
struct mif_msg_path_ack_t {
	/** binding identifier, non-zero */
	uint16_t bid;
	/** sequence number of the acknowledged request */
	uint16_t seq;
	/** mif_path_ack_status_t, unknown values preserved */
	uint8_t status;
};

/**
 * MIF_FLOW notify data.
 */
struct mif_msg_flow_t {
	/** flow identifier, non-zero */
	uint16_t fid;
	/** flow priority, non-zero, lower is preferred */
	uint16_t fid_pri;
	/** action */
	mif_msg_flow_op_t action;
	/** number of BIDs, 1..MIF_MSG_MAX_FLOW_BIDS for SET, 0 for DELETE */
	uint8_t bid_count;
	/** BIDs in order of preference */
	uint16_t bids[MIF_MSG_MAX_FLOW_BIDS];
	/** selector on the sender's side (owned, SET only) */
	traffic_selector_t *local_ts;
	/** selector on the receiver's side (owned, SET only) */
	traffic_selector_t *remote_ts;
};

/**
 * MIF_FLOW_ACK notify data.
 */
struct mif_msg_flow_ack_t {
	/** flow identifier, non-zero */
	uint16_t fid;
	/** mif_flow_status_t, unknown values preserved */
	uint8_t status;
};

/**
 * Path probe datagram.
 */
struct mif_msg_probe_t {
	/** request or reply */
	mif_probe_type_t type;
	/** MIF_PROBE_* flags, unknown bits preserved */
	uint8_t flags;
	/** IKE initiator SPI as in ike_sa_id_t (network order), non-zero */
	uint64_t spi_i;
	/** IKE responder SPI as in ike_sa_id_t (network order), non-zero */
	uint64_t spi_r;
	/** binding identifier, non-zero */
	uint16_t bid;
	/** per-path sequence number */
	uint16_t seq;
	/** probe number, echoed in the reply */
	uint32_t number;
	/** cookie, random in a request, echoed in the reply */
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	/**
	 * request: destination the sender used; reply: observed source of the
	 * request (owned, with port)
	 */
	host_t *addr;
};

/**
 * Check that an address may be used as a path endpoint.
 *
 * @param host			address to check
 * @param reason		receives a static reason on failure
 * @return				TRUE if unicast and usable
 */
bool mif_msg_check_address(host_t *host, const char **reason);

/**
 * Check if a per-path sequence number is newer than another, modulo 2^16
 * as RFC 6275 section 9.5.1.
 *
 * @param seq			received sequence number
 * @param last			last accepted sequence number
 * @return				TRUE if seq is newer than last
 */
static inline bool mif_msg_seq_newer(uint16_t seq, uint16_t last)
{
	return (int16_t)(uint16_t)(seq - last) > 0;
}

/**
 * Parse MIF_SUPPORTED notify data.
 */
mif_msg_status_t mif_msg_parse_supported(chunk_t data, mif_msg_supported_t *out,
										 const char **reason);

/**
 * Build MIF_SUPPORTED notify data (version is always MIF_MSG_VERSION).
 *
 * @param in			message to encode
 * @param out			receives allocated data
 * @param reason		receives a static reason on failure
 */
mif_msg_status_t mif_msg_build_supported(const mif_msg_supported_t *in,
										 chunk_t *out, const char **reason);

/**
 * Parse MIF_PATH_ADD notify data; release with mif_msg_path_add_clear().
 */
mif_msg_status_t mif_msg_parse_path_add(chunk_t data, mif_msg_path_add_t *out,
										const char **reason);

/**
 * Build MIF_PATH_ADD notify data.
 */
mif_msg_status_t mif_msg_build_path_add(const mif_msg_path_add_t *in,
										chunk_t *out, const char **reason);

/**
 * Release the objects held by a parsed MIF_PATH_ADD.
 */
void mif_msg_path_add_clear(mif_msg_path_add_t *msg);

/**
 * Parse MIF_PATH_REMOVE notify data.
 */
mif_msg_status_t mif_msg_parse_path_remove(chunk_t data,
										   mif_msg_path_remove_t *out,
										   const char **reason);

/**
 * Build MIF_PATH_REMOVE notify data.
 */
mif_msg_status_t mif_msg_build_path_remove(const mif_msg_path_remove_t *in,
										   chunk_t *out, const char **reason);

/**
 * Parse MIF_PATH_UPDATE notify data.
 */
mif_msg_status_t mif_msg_parse_path_update(chunk_t data,
										   mif_msg_path_update_t *out,
										   const char **reason);

/**
 * Build MIF_PATH_UPDATE notify data.
 */
mif_msg_status_t mif_msg_build_path_update(const mif_msg_path_update_t *in,
										   chunk_t *out, const char **reason);

/**
 * Parse MIF_PATH_RR notify data.
 */
mif_msg_status_t mif_msg_parse_path_rr(chunk_t data, mif_msg_path_rr_t *out,
									   const char **reason);

/**
 * Build MIF_PATH_RR notify data.
 */
mif_msg_status_t mif_msg_build_path_rr(const mif_msg_path_rr_t *in,
									   chunk_t *out, const char **reason);

/**
 * Parse MIF_PATH_ACK notify data.
 */
mif_msg_status_t mif_msg_parse_path_ack(chunk_t data, mif_msg_path_ack_t *out,
										const char **reason);

/**
 * Build MIF_PATH_ACK notify data.
 */
mif_msg_status_t mif_msg_build_path_ack(const mif_msg_path_ack_t *in,
										chunk_t *out, const char **reason);

/**
 * Parse MIF_FLOW notify data; release with mif_msg_flow_clear().
 */
mif_msg_status_t mif_msg_parse_flow(chunk_t data, mif_msg_flow_t *out,
									const char **reason);

/**
 * Build MIF_FLOW notify data.
 */
mif_msg_status_t mif_msg_build_flow(const mif_msg_flow_t *in, chunk_t *out,
									const char **reason);

/**
 * Release the objects held by a parsed MIF_FLOW.
 */
void mif_msg_flow_clear(mif_msg_flow_t *msg);

/**
 * Parse MIF_FLOW_ACK notify data.
 */
mif_msg_status_t mif_msg_parse_flow_ack(chunk_t data, mif_msg_flow_ack_t *out,
										const char **reason);

/**
 * Build MIF_FLOW_ACK notify data.
 */
mif_msg_status_t mif_msg_build_flow_ack(const mif_msg_flow_ack_t *in,
										chunk_t *out, const char **reason);

/**
 * Parse the structure of a probe datagram without checking its tag.
 *
 * The receiver needs the SPIs to find the key, so authentication is a
 * separate step: call mif_msg_verify_probe() before acting on anything.
 * Release with mif_msg_probe_clear().
 */
mif_msg_status_t mif_msg_parse_probe(chunk_t data, mif_msg_probe_t *out,
									 const char **reason);

/**
 * Verify the tag of a probe datagram.
 *
 * @param data			complete datagram
 * @param key			sender's probe key (MIF_MSG_PROBE_KEY_LEN bytes)
 * @param reason		receives a static reason on failure
 * @return				MIF_MSG_OK if the tag is valid
 */
mif_msg_status_t mif_msg_verify_probe(chunk_t data, chunk_t key,
									  const char **reason);

/**
 * Build and authenticate a probe datagram.
 *
 * @param in			probe to encode
 * @param key			sender's probe key (MIF_MSG_PROBE_KEY_LEN bytes)
 * @param out			receives allocated datagram
 * @param reason		receives a static reason on failure
 */
mif_msg_status_t mif_msg_build_probe(const mif_msg_probe_t *in, chunk_t key,
									 chunk_t *out, const char **reason);

/**
 * Release the objects held by a parsed probe.
 */
void mif_msg_probe_clear(mif_msg_probe_t *msg);

/**
 * Derive the probe key of one direction.
 *
 * K = HMAC-SHA256(seed_sender | seed_receiver,
 *                 "strongswan-mif probe v1" | SPIi | SPIr)
 *
 * @param seed_sender	seed the sending peer put in MIF_SUPPORTED
 * @param seed_receiver	seed the receiving peer put in MIF_SUPPORTED
 * @param spi_i			current IKE initiator SPI (network order)
 * @param spi_r			current IKE responder SPI (network order)
 * @param key			receives allocated key (MIF_MSG_PROBE_KEY_LEN)
 * @return				MIF_MSG_OK or MIF_MSG_NO_CRYPTO / MIF_MSG_BAD_LENGTH
 */
mif_msg_status_t mif_msg_derive_probe_key(chunk_t seed_sender,
										  chunk_t seed_receiver,
										  uint64_t spi_i, uint64_t spi_r,
										  chunk_t *key);

#endif /** MIF_MSG_H_ @}*/
