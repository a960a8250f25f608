/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_conn mif_conn
 * @{ @ingroup mif
 */

#ifndef MIF_CONN_H_
#define MIF_CONN_H_

#include <sa/ike_sa.h>
#include <collections/array.h>
#include "mif_msg.h"
#include <mif_types.h>

typedef struct mif_conn_t mif_conn_t;

/** our liveness requests a reply may answer: replies to older ones are
 * too late to count (16 intervals of 100 ms exceed the dead interval) */
#define MIF_PROBE_WINDOW 16
typedef struct mif_path_t mif_path_t;
typedef enum mif_path_state_t mif_path_state_t;

/**
 * State of an additional path, see doc/protocol.md.
 */
enum mif_path_state_t {
	/** announced (MIF_PATH_ADD sent), waiting for the RR probe */
	MIF_PATH_ANNOUNCED,
	/** verifier: RR probes sent, waiting for the cookie in MIF_PATH_RR */
	MIF_PATH_CHECKING,
	/** ownership proven, the path's CHILD SA is being negotiated */
	MIF_PATH_CHILD,
	/** CHILD SA and data plane up, carrying traffic */
	MIF_PATH_ACTIVE,
	/** up but no probe answered within the dead interval */
	MIF_PATH_DEAD,
	/** being removed */
	MIF_PATH_REMOVING,
};

extern enum_name_t *mif_path_state_names;

/**
 * An additional path of an IKE SA: one local/remote address pair.
 */
struct mif_path_t {
	/** binding ID, 2..65535 */
	uint16_t bid;
	/** sequence number of the last ADD/REMOVE for this path */
	uint16_t seq;
	/** path state */
	mif_path_state_t state;
	/** local address, port 0 */
	host_t *local;
	/** remote address, port 0 */
	host_t *remote;
	/** local interface name (the announcing side), or "" */
	char ifname[MIF_MSG_IFNAME_MAX + 1];
	/** announcing side: index of the interface holding the local address,
	 * which the path's outer packets and probes must leave through; 0 to
	 * let routing decide (verifier side) */
	uint32_t link;
	/** interface kind */
	mif_if_kind_t kind;
	/** priority, 1 (best) .. 127 */
	uint8_t prio;
	/** return-routability cookie (verifier side) */
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	/** RR probes sent so far */
	u_int rr_tries;
	/** unique id of the path's CHILD SA, 0 if none */
	uint32_t child_id;
	/** GRE device of the path, "" if none */
	char dev[16];
	/** probe number of the last liveness request sent */
	uint32_t probe_number;
	/** cookies of our last liveness requests, by number modulo the window;
	 * a reply counts only if it echoes its request's (doc/protocol.md 5.3) */
	uint8_t live_cookies[MIF_PROBE_WINDOW][MIF_MSG_COOKIE_LEN];
	/** highest request number of the peer accepted; older or repeated
	 * ones are replays */
	uint32_t rx_request;
	/** highest reply number accepted */
	uint32_t rx_reply;
	/** replies we may still send this probe interval */
	u_int reply_budget;
	/** time of the last authenticated reply to one of our requests: the
	 * peer proved again that it receives at the path's address */
	timeval_t last_rx;
	/** when the first of our requests since the last reply went out (zero
	 * while none is unanswered): a path is dead only once requests went
	 * unanswered for the dead interval, not because our own timer could
	 * not send them (a loaded charon runs it late) */
	timeval_t waiting_since;
	/** a reply was received since the path came up */
	bool heard;
	/** when the path entered its state (timeouts of every state) */
	timeval_t since;
};

/**
 * Multi-interface state of one IKE SA.
 */
struct mif_conn_t {
	/** unique id of the IKE SA (changes when it is rekeyed) */
	uint32_t ike_id;
	/** unique id of the first IKE SA, kept across rekeys: names the data
	 * plane objects of the paths, which survive IKE rekeys */
	uint32_t id;
	/** name of the IKE SA's config, for logs */
	char *name;
	/** we are the original initiator (the side that announces paths) */
	bool initiator;
	/** our MIF_SUPPORTED, with our seed */
	mif_msg_supported_t mine;
	/** peer's MIF_SUPPORTED, valid if peer_supported */
	mif_msg_supported_t peer;
	/** we sent MIF_SUPPORTED */
	bool sent;
	/** the peer sent MIF_SUPPORTED */
	bool peer_supported;
	/** IKE SPIs (network order) the probe keys are bound to */
	uint64_t spi_i, spi_r;
	/** key for probes we send */
	chunk_t key_tx;
	/** key for probes we receive */
	chunk_t key_rx;
	/** next BID to assign */
	uint16_t next_bid;
	/** sequence number of our last ADD/REMOVE */
	uint16_t seq;
	/** mif_path_t*, in the order they were added */
	array_t *paths;
	/** inner destinations to route over the paths, traffic_selector_t* */
	linked_list_t *routes;
	/** inner source address for routed traffic (virtual IP), or NULL */
	host_t *src;
	/** the libmif session key (mif_conn_key()), NULL before it is up */
	char *peer_id;
	/** the IKE SA's current addresses (ports zero), NULL before it is up */
	host_t *ike_local, *ike_remote;
	/** BIDs the inner routes were last set over (MIF_PATH_EVENT_MOVED) */
	uint16_t routed[MIF_MSG_MAX_PATHS];
	/** number of routed */
	u_int routed_count;
	/** the route towards ike_remote is steered off a dead path */
	bool steered;
	/** owner: announce the usable addresses again once the timer reaches
	 * this (paths given up on a timeout, a link back up), 0 if not */
	uint32_t reannounce;
	/** probes we may still verify this probe interval: bounds the HMAC
	 * work anybody with the IKE SA's SPIs can cause */
	u_int verify_budget;
	/** CHILD SAs of paths we removed, mif_conn_delete_t: the peer deletes
	 * them when it gets our MIF_PATH_REMOVE, we do if it has not by then */
	array_t *deletes;
	/** message ID of the request we are answering, and our answers */
	uint32_t answer_mid;
	/** notifies (type in chunk's first 2 bytes) to add to that response */
	array_t *answers;
};

/**
 * The libmif session key of an IKE SA: the peer's identity and the unique
 * id of the first IKE SA of its rekey chain ("<id>#<chain>"). One function
 * for every binding the plugin records, so all paths of an IKE SA (BID 1,
 * the IKE path, included) land in one session, and two IKE SAs of the same
 * identity (shared credentials, uniqueids = never) never share one.
 *
 * @param ike_sa		IKE SA
 * @param chain			unique id of the first IKE SA of its rekey chain
 * @param key			receives the key, pointing to buf
 * @param buf			buffer for the key string
 * @param len			size of buf
 */
void mif_conn_key(ike_sa_t *ike_sa, uint32_t chain, mif_key_t *key,
				  char *buf, size_t len);

/**
 * A CHILD SA to delete if the peer has not done so by a tick.
 */
typedef struct {
	/** unique id of the CHILD SA */
	uint32_t child_id;
	/** tick of the path timer from which on we delete it */
	uint32_t due;
} mif_conn_delete_t;

/**
 * Create the state of an IKE SA.
 *
 * @param ike_sa		IKE SA
 * @param initiator		TRUE if we are the original initiator
 * @return				state, with a fresh seed in mine
 */
mif_conn_t *mif_conn_create(ike_sa_t *ike_sa, bool initiator);

/**
 * Derive the probe keys from both seeds and the IKE SA's SPIs.
 *
 * @param conn			state with both MIF_SUPPORTED
 * @param ike_sa		IKE SA (SPIs)
 * @return				TRUE if derived
 */
bool mif_conn_derive_keys(mif_conn_t *conn, ike_sa_t *ike_sa);

/**
 * Find a path by BID.
 */
mif_path_t *mif_conn_get_path(mif_conn_t *conn, uint16_t bid);

/**
 * Find a path by local address (port ignored).
 */
mif_path_t *mif_conn_find_local(mif_conn_t *conn, host_t *local);

/**
 * Find a path by its address pair (ports ignored).
 */
mif_path_t *mif_conn_find_pair(mif_conn_t *conn, host_t *local,
							   host_t *remote);

/**
 * Find a path by the unique id of its CHILD SA.
 */
mif_path_t *mif_conn_find_child(mif_conn_t *conn, uint32_t child_id);

/**
 * Allocate a BID from our half (doc/protocol.md section 3): 2..0x7fff for
 * the original initiator, wrapping around and skipping BIDs in use.
 *
 * @return				BID, 0 if all are in use
 */
uint16_t mif_conn_next_bid(mif_conn_t *conn);

/**
 * Enter a state and remember when (the state's timeouts count from it).
 */
void mif_path_set_state(mif_path_t *path, mif_path_state_t state);

/**
 * Add a path; the conn takes ownership of the hosts.
 */
mif_path_t *mif_conn_add_path(mif_conn_t *conn, uint16_t bid, host_t *local,
							  host_t *remote);

/**
 * Remove and destroy a path.
 */
void mif_conn_remove_path(mif_conn_t *conn, uint16_t bid);

/**
 * Queue a notify for the response to request mid.
 */
void mif_conn_answer(mif_conn_t *conn, uint32_t mid, notify_type_t type,
					 chunk_t data);

/**
 * Remember the IKE SA's current address pair.
 */
void mif_conn_set_ike_path(mif_conn_t *conn, host_t *local, host_t *remote);

/**
 * Destroy the state and its paths.
 */
void mif_conn_destroy(mif_conn_t *conn);

#endif /** MIF_CONN_H_ @}*/
