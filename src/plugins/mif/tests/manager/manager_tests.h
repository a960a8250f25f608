/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup manager_tests manager_tests
 * @{ @ingroup tests
 *
 * In-process harness for the path manager's state machine: a real manager
 * with a fake kernel-net, a job queue the tests run deliberately, a fake
 * IKE_SA manager handing out real IKE SAs, and a prober that records what
 * would be sent. The test plays the peer with real message_t objects and
 * probes built by the codec.
 */

#ifndef MANAGER_TESTS_H_
#define MANAGER_TESTS_H_

#include <check.h>

#include <daemon.h>
#include <libmif.h>

#include "mif_manager_priv.h"
#include "mif_liveness.h"

/** the manager's addresses: IKE, a second IPv4 one, an IPv6 one */
#define ME_IKE "192.0.2.1"
#define ME_2 "198.51.100.1"
#define ME_6 "2001:db8:1::1"
/** the peer's addresses */
#define PEER_IKE "192.0.2.2"
#define PEER_2 "203.0.113.2"
#define PEER_3 "203.0.113.3"
/** an address owned by neither */
#define STRANGER "203.0.113.99"

/** the peer's probe port */
#define PEER_PROBE_PORT 4777

/** probe and dead interval (ms), RR tries, configured for every test; time
 * passes for a path by age_path(), not by sleeping */
#define TEST_INTERVAL 10
#define TEST_DEAD 1000
#define TEST_RR_TRIES 3
#define TEST_MAX_PATHS 3
/** seconds a DEAD path is kept */
#define TEST_DEAD_TIMEOUT 5

/** the manager under test, and its private view */
extern mif_manager_t *mgr;
extern private_mif_manager_t *priv;
/** our probe port */
extern uint16_t mgr_probe_port;

/**
 * A probe the manager sent.
 */
typedef struct {
	host_t *src;
	host_t *dst;
	chunk_t data;
} sent_probe_t;

/**
 * The simulated peer of one IKE SA.
 */
typedef struct {
	/** the manager's IKE SA with this peer */
	ike_sa_t *ike_sa;
	/** the manager is the original initiator */
	bool mgr_initiator;
	/** the peer's MIF_SUPPORTED */
	mif_msg_supported_t sup;
	/** the manager's MIF_SUPPORTED, as received */
	mif_msg_supported_t mgr_sup;
	/** key of probes peer -> manager, and manager -> peer */
	chunk_t key_in, key_out;
	/** last message ID of a peer request */
	uint32_t mid;
	/** peer_cfg set when the IKE SA comes up (peer_create_late) */
	peer_cfg_t *late_cfg;
	/** libmif session key of the IKE SA, once it is up */
	char key[BUF_LEN];
} peer_t;

void harness_setup(void);
void harness_teardown(void);
void harness_add_ike_sa(ike_sa_t *ike_sa);
void harness_remove_ike_sa(ike_sa_t *ike_sa);

/* fake kernel-net */
void fake_net_add(char *addr, char *ifname);
void fake_net_source(char *addr);

/* jobs queued to lib->processor */
u_int jobs_pending(void);
u_int jobs_run(void);
job_t *job_pop(void);

/* fake data plane: paths installed (by BID and remote, NULL for any),
 * paths of the last routes, flushes */
u_int dp_installed(void);
bool dp_has(uint16_t bid, char *remote);
u_int dp_routed(void);
u_int dp_flush_count(void);

/* what the manager did to IKE SAs: tasks queued, CHILD SAs initiated */
task_t *task_pop(void);
u_int tasks_pending(void);
child_cfg_t *child_cfg_pop(void);
/* whether a job checked a CHILD SA out by its unique id (to delete it) */
bool child_checked_out(uint32_t unique_id);

/* probes sent by the manager */
sent_probe_t *probe_pop(void);
u_int probes_pending(void);
void sent_probe_destroy(sent_probe_t *probe);

/* the peer */
peer_t *peer_create(bool mgr_initiator);
peer_t *peer_create_late(bool mgr_initiator, char *name);
void peer_destroy(peer_t *peer);
void peer_rekey(peer_t *peer);
mif_conn_t *peer_conn(peer_t *peer);
bool peer_enabled(peer_t *peer);

/* negotiation in IKE_AUTH; data chunk_empty: the peer sends no notify */
chunk_t peer_supported_data(peer_t *peer);
void msg_in(peer_t *peer, message_t *message);
bool msg_out(peer_t *peer, message_t *message);
message_t *auth_request(bool with_id);
message_t *auth_response(bool with_auth);
void ike_up(peer_t *peer);
bool negotiate_responder(peer_t *peer, chunk_t data);
bool negotiate_initiator(peer_t *peer, chunk_t data);

/* INFORMATIONAL exchanges started by the peer */
message_t *info_request(peer_t *peer);
message_t *info_exchange(peer_t *peer, message_t *request);
int get_acks(message_t *response, mif_msg_path_ack_t *acks, int max);
int count_notifies(message_t *message, int type);
chunk_t get_notify_data(message_t *message, int type);

/* notify data */
chunk_t build_add(uint16_t bid, uint16_t seq, char *local, char *remote);
chunk_t build_rr(uint16_t bid, uint16_t seq, uint8_t *cookie);
chunk_t build_remove(uint16_t bid, uint16_t seq);

/* probes */
chunk_t build_probe(peer_t *peer, chunk_t key, mif_probe_type_t type,
					uint8_t flags, uint16_t bid, uint16_t seq, uint32_t number,
					uint8_t *cookie, char *addr, uint16_t port);
void deliver_probe(char *src, char *dst, chunk_t datagram);
bool parse_sent_probe(peer_t *peer, sent_probe_t *sent, mif_msg_probe_t *out);

/* paths */
int path_state(peer_t *peer, uint16_t bid);
u_int path_count(peer_t *peer);
mif_path_t *path_get(peer_t *peer, uint16_t bid);
int binding_state(peer_t *peer, uint16_t bid);

/* a verifier path (manager responder) up to CHECKING, CHILD, ACTIVE */
void verifier_add(peer_t *peer, uint16_t bid, uint16_t seq, char *local,
				  char *remote, uint8_t *cookie);
child_sa_t *verifier_active(peer_t *peer, uint16_t bid, uint16_t seq,
							char *local, char *remote);
child_sa_t *path_child(peer_t *peer, uint16_t bid, char *local, char *remote);

/* move a point in time ms milliseconds into the past */
void age_tv(timeval_t *tv, u_int ms);
void age_path(peer_t *peer, uint16_t bid, u_int ms);
/* move the time the path entered its state into the past */
void age_state(peer_t *peer, uint16_t bid, u_int ms);
/* the peer's IKE SA's path with a local address, NULL if none */
mif_path_t *path_find_local(peer_t *peer, char *addr);
bool host_is(host_t *host, char *addr);

/* test cases */
TCase *negotiation_tests(void);
TCase *verifier_tests(void);
TCase *owner_tests(void);
TCase *liveness_tests(void);
TCase *robustness_tests(void);

#endif /** MANAGER_TESTS_H_ @}*/
