/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * A device's day on the verifier (manager as responder): MOBIKE updates,
 * IKE and CHILD rekeys, re-announcements and removals, peers that lie or
 * flood. Each test reproduces one defect of the review behind the
 * robustness issue (named in the test's comment) and checks the end state
 * against the fake data plane, the CHILD SAs deleted and libmif.
 */

#include "manager_tests.h"

static peer_t *peer;

static void setup(void)
{
	chunk_t data;

	harness_setup();
	peer = peer_create(FALSE);
	data = peer_supported_data(peer);
	ck_assert(negotiate_responder(peer, data));
	chunk_free(&data);
}

static void teardown(void)
{
	peer_destroy(peer);
	harness_teardown();
}

/**
 * One request with the given notifies; returns the number of ACKs in the
 * response, the first max of them in acks.
 */
static int exchange(int type, chunk_t *data, int count,
					mif_msg_path_ack_t *acks, int max)
{
	message_t *message;
	int i, n;

	message = info_request(peer);
	for (i = 0; i < count; i++)
	{
		message->add_notify(message, FALSE, type, data[i]);
		chunk_free(&data[i]);
	}
	message = info_exchange(peer, message);
	n = count_notifies(message, MIF_PATH_ACK);
	if (max)
	{
		get_acks(message, acks, max);
	}
	message->destroy(message);
	return n;
}

/**
 * One request with one notify; the ACK's status.
 */
static int request(int type, chunk_t data)
{
	mif_msg_path_ack_t ack;

	ck_assert_int_eq(exchange(type, &data, 1, &ack, 1), 1);
	return ack.status;
}

static void drain_probes(void)
{
	while (probes_pending())
	{
		sent_probe_destroy(probe_pop());
	}
}

/**
 * Probes queued to one address.
 */
static u_int probes_to(char *addr)
{
	sent_probe_t *sent;
	u_int count = 0;

	while ((sent = probe_pop()))
	{
		if (host_is(sent->dst, addr))
		{
			count++;
		}
		sent_probe_destroy(sent);
	}
	return count;
}

/**
 * Run the manager's timers for ms milliseconds of simulated time: every
 * tick ages all paths of the peer by one interval.
 */
static void run_ticks(u_int ms)
{
	enumerator_t *enumerator;
	mif_path_t *path;
	uint32_t ike_id;
	char *name;
	u_int t;

	for (t = 0; t < ms; t += TEST_INTERVAL)
	{
		enumerator = mgr->create_path_enumerator(mgr);
		while (enumerator->enumerate(enumerator, &ike_id, &name, &path))
		{
			age_tv(&path->last_rx, TEST_INTERVAL);
			age_tv(&path->since, TEST_INTERVAL);
			if (path->waiting_since.tv_sec || path->waiting_since.tv_usec)
			{
				age_tv(&path->waiting_since, TEST_INTERVAL);
			}
		}
		enumerator->destroy(enumerator);
		mif_liveness_tick(priv);
	}
}

/* review C1: every MOBIKE update freed the libmif session key, the second
 * one freed it again (charon aborted on the second move) */
START_TEST(test_ike_update_twice)
{
	host_t *me[] = {
		host_create_from_string(ME_2, 4500),
		host_create_from_string(ME_IKE, 4500),
		host_create_from_string(ME_2, 4500),
	};
	host_t *other = host_create_from_string(PEER_IKE, 4500);
	child_sa_t *child_sa;
	int i;

	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	for (i = 0; i < countof(me); i++)
	{
		mgr->listener.ike_update(&mgr->listener, peer->ike_sa, me[i], other);
		me[i]->destroy(me[i]);
	}
	other->destroy(other);
	ck_assert(host_is(peer_conn(peer)->ike_local, ME_2));
	/* the session key still works: an RR failure forgets its binding */
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(3, 1, PEER_3, ME_2)),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(binding_state(peer, 3), MIF_BINDING_PROBING);
	run_ticks((TEST_RR_TRIES + 1) * 1000);
	ck_assert_int_eq(path_state(peer, 3), -1);
	ck_assert_int_eq(binding_state(peer, 3), -1);
	ck_assert(path_get(peer, 2));
	child_sa->destroy(child_sa);
}
END_TEST

/* review M2: an IKE rekey flushed the data plane of every path, which
 * stayed ACTIVE without a GRE device, policies or routes */
START_TEST(test_ike_rekey_keeps_data_plane)
{
	child_sa_t *child_sa;
	int i;

	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	ck_assert(dp_has(2, PEER_2));
	for (i = 0; i < 3; i++)
	{
		peer_rekey(peer);
		ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
		ck_assert(dp_has(2, PEER_2));
		ck_assert_int_eq(dp_installed(), 1);
	}
	/* and what was installed before the rekeys is removed after them */
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(2, 2)),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(dp_installed(), 0);
	ck_assert_int_eq(path_state(peer, 2), -1);
	child_sa->destroy(child_sa);
}
END_TEST

/* review M3: path CHILD SA rekeys were not followed, so the path kept the
 * old SA's id: deleting the new SA left the data plane, removing the path
 * left the new SA */
START_TEST(test_child_rekey_followed)
{
	child_sa_t *old, *new;

	old = verifier_active(peer, 2, 1, PEER_2, ME_2);
	new = path_child(peer, 2, ME_2, PEER_2);
	mgr->listener.child_rekey(&mgr->listener, peer->ike_sa, old, new);
	ck_assert_int_eq(path_get(peer, 2)->child_id, new->get_unique_id(new));
	/* the old SA goes away after the rekey: nothing happens */
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, old, FALSE);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	ck_assert(dp_has(2, PEER_2));
	/* the new one is deleted: the path goes with it */
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, new, FALSE);
	ck_assert_int_eq(path_state(peer, 2), -1);
	ck_assert_int_eq(dp_installed(), 0);
	ck_assert_int_eq(binding_state(peer, 2), -1);
	old->destroy(old);
	new->destroy(new);
}
END_TEST

START_TEST(test_child_rekey_then_remove)
{
	child_sa_t *old, *new;

	old = verifier_active(peer, 2, 1, PEER_2, ME_2);
	new = path_child(peer, 2, ME_2, PEER_2);
	mgr->listener.child_rekey(&mgr->listener, peer->ike_sa, old, new);
	ck_assert(mgr->remove_path(mgr, peer->ike_sa->get_unique_id(peer->ike_sa),
							   2));
	/* the peer may delete it first, we do if it did not */
	jobs_run();
	ck_assert(!child_checked_out(new->get_unique_id(new)));
	run_ticks(MIF_DELETE_GRACE * 1000);
	jobs_run();
	ck_assert(child_checked_out(new->get_unique_id(new)));
	ck_assert_int_eq(dp_installed(), 0);
	old->destroy(old);
	new->destroy(new);
}
END_TEST

/* review H3: a re-ADD forgot the path without its GRE device, policies and
 * CHILD SA; the next incarnation then stuck on "already installed" */
START_TEST(test_readd_releases_old_path)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	child_sa_t *child_sa, *child_sa2;
	int i;

	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(2, 2, PEER_3, ME_2)),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_CHECKING);
	ck_assert_int_eq(dp_installed(), 0);
	jobs_run();
	ck_assert(child_checked_out(child_sa->get_unique_id(child_sa)));
	child_sa->destroy(child_sa);
	drain_probes();

	/* the loop of the review: ADD, RR, CHILD, re-ADD, REMOVE, several
	 * times; nothing piles up and every incarnation gets its data plane
	 * (time passes between the rounds: RR probes to one address are
	 * rate limited) */
	for (i = 0; i < 4; i++)
	{
		child_sa2 = verifier_active(peer, 3, 2 * i + 1, PEER_2, ME_2);
		ck_assert(dp_has(3, PEER_2));
		ck_assert_int_eq(dp_installed(), 1);
		ck_assert_int_eq(request(MIF_PATH_ADD,
						 build_add(3, 2 * i + 2, PEER_3, ME_2)),
						 MIF_ACK_ACCEPTED);
		ck_assert(!dp_has(3, NULL));
		verifier_add(peer, 3, 2 * i + 3, PEER_2, ME_2, cookie);
		ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(3, 2 * i + 4)),
						 MIF_ACK_ACCEPTED);
		jobs_run();
		ck_assert(child_checked_out(child_sa2->get_unique_id(child_sa2)));
		child_sa2->destroy(child_sa2);
		ck_assert_int_eq(path_state(peer, 3), -1);
		run_ticks(2000);
		drain_probes();
	}
	ck_assert_int_eq(dp_installed(), 0);
}
END_TEST

/* review H3: a REMOVE by the peer left the path's CHILD SA installed */
START_TEST(test_remove_deletes_child)
{
	child_sa_t *child_sa;

	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(2, 2)),
					 MIF_ACK_ACCEPTED);
	jobs_run();
	ck_assert(child_checked_out(child_sa->get_unique_id(child_sa)));
	ck_assert_int_eq(dp_installed(), 0);
	ck_assert_int_eq(binding_state(peer, 2), -1);
	child_sa->destroy(child_sa);
}
END_TEST

/* review M1: a CHILD SA was matched to its path by the number in its name
 * only; a CHILD SA of a path's earlier address made the re-announced path
 * ACTIVE with a data plane towards the unproven address */
START_TEST(test_child_of_old_address_ignored)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	child_sa_t *child_sa;
	child_cfg_t *cfg;

	verifier_add(peer, 2, 1, PEER_2, ME_2, cookie);
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 1, cookie)),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_CHILD);
	jobs_run();
	cfg = child_cfg_pop();
	cfg->destroy(cfg);
	/* re-announced with another address before the CHILD SA came up */
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(2, 2, PEER_3, ME_2)),
					 MIF_ACK_ACCEPTED);
	child_sa = path_child(peer, 2, ME_2, PEER_2);
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, child_sa, TRUE);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_CHECKING);
	ck_assert_int_eq(dp_installed(), 0);
	/* the stray SA is deleted */
	jobs_run();
	ck_assert(child_checked_out(child_sa->get_unique_id(child_sa)));
	child_sa->destroy(child_sa);
}
END_TEST

/* review M1: the announcing side reuses an equal CHILD config of an
 * earlier BID for the same address pair, so the SA's name may carry
 * another BID; the selectors decide */
START_TEST(test_child_matched_by_selectors)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	child_sa_t *child_sa;
	child_cfg_t *cfg;

	verifier_add(peer, 2, 1, PEER_2, ME_2, cookie);
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 1, cookie)),
					 MIF_ACK_ACCEPTED);
	jobs_run();
	cfg = child_cfg_pop();
	cfg->destroy(cfg);
	child_sa = path_child(peer, 9, ME_2, PEER_2);
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, child_sa, TRUE);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	ck_assert(dp_has(2, PEER_2));
	ck_assert_int_eq(path_get(peer, 2)->child_id,
					 child_sa->get_unique_id(child_sa));
	child_sa->destroy(child_sa);
}
END_TEST

/* review M1: a CHILD SA for a path that is not waiting for one (CHECKING:
 * return routability not proven) is never installed */
START_TEST(test_child_before_rr_ignored)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	child_sa_t *child_sa;

	verifier_add(peer, 2, 1, PEER_2, ME_2, cookie);
	child_sa = path_child(peer, 2, ME_2, PEER_2);
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, child_sa, TRUE);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_CHECKING);
	ck_assert_int_eq(dp_installed(), 0);
	child_sa->destroy(child_sa);
}
END_TEST

/* review H2: every notify of a request was processed; doc/protocol.md 6
 * allows at most MIF_MSG_MAX_NOTIFIES per request */
START_TEST(test_notifies_per_request_bounded)
{
	chunk_t data[3 * MIF_MSG_MAX_NOTIFIES];
	int i;

	for (i = 0; i < countof(data); i++)
	{
		data[i] = build_remove(100 + i, 1);
	}
	ck_assert_int_eq(exchange(MIF_PATH_REMOVE, data, countof(data), NULL, 0),
					 MIF_MSG_MAX_NOTIFIES);
}
END_TEST

/* review H2: a re-ADD with a newer Seq sent a fresh RR probe at once, to
 * any address the peer named, without a rate limit */
START_TEST(test_rr_probes_rate_limited)
{
	u_int probes, i;

	for (i = 1; i <= 50; i++)
	{
		ck_assert_int_eq(request(MIF_PATH_ADD, build_add(2, i, PEER_2, ME_2)),
						 MIF_ACK_ACCEPTED);
	}
	/* another BID to the same address shares its budget */
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(3, 1, PEER_2, ME_2)),
					 MIF_ACK_ACCEPTED);
	probes = probes_to(PEER_2);
	ck_assert_msg(probes <= MIF_RR_BURST, "%u RR probes at once", probes);
	/* another address has its own budget */
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(4, 1, PEER_3, ME_2)),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(probes_to(PEER_3), 1);
	/* then one per second at most, until the paths are given up */
	run_ticks((TEST_RR_TRIES + 1) * 1000);
	probes = probes_to(PEER_2);
	ck_assert_msg(probes <= TEST_RR_TRIES, "%u RR probes in %u s", probes,
				  TEST_RR_TRIES + 1);
	ck_assert_int_eq(path_count(peer), 0);
}
END_TEST

/* review L1: requests on a path whose address is not proven (CHECKING) got
 * replies, a 1:1 reflection towards whatever address the peer named */
START_TEST(test_no_reply_before_rr)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];

	verifier_add(peer, 2, 1, PEER_2, ME_2, cookie);
	deliver_probe(PEER_2, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 2, 1, 1, NULL, ME_2,
					mgr_probe_port));
	ck_assert_int_eq(probes_pending(), 0);
}
END_TEST

/* review M5: the state of an IKE SA that dies before it is established
 * (an abandoned IKE_AUTH) was never freed */
START_TEST(test_half_open_freed)
{
	peer_t *half = peer_create(FALSE);
	chunk_t data = peer_supported_data(half);
	message_t *message;

	message = auth_request(TRUE);
	message->add_notify(message, FALSE, MIF_SUPPORTED, data);
	chunk_free(&data);
	msg_in(half, message);
	message->destroy(message);
	ck_assert(peer_conn(half));
	half->ike_sa->set_state(half->ike_sa, IKE_DESTROYING);
	mgr->listener.ike_state_change(&mgr->listener, half->ike_sa,
								   IKE_DESTROYING);
	ck_assert(!peer_conn(half));
	peer_destroy(half);
}
END_TEST

/* review M5: as responder the connection is unknown when the IKE_AUTH
 * request arrives, and connections.<name>.enable = no was ignored */
START_TEST(test_responder_disabled_connection)
{
	peer_t *other;
	chunk_t data;

	lib->settings->set_bool(lib->settings,
							"charon.plugins.mif.connections.late.enable", FALSE);
	other = peer_create_late(FALSE, "late");
	data = peer_supported_data(other);
	ck_assert(!negotiate_responder(other, data));
	chunk_free(&data);
	ck_assert(!peer_enabled(other));
	peer_destroy(other);
}
END_TEST

/* mif-scale at N = 200: the path timer ran every probe interval in every
 * idle charon; it runs only while a connection has something to time */
START_TEST(test_timer_idle)
{
	child_sa_t *child_sa;
	int i;

	/* a connection without paths: nothing to time, the timer stops */
	ck_assert_int_eq(mif_liveness_tick(priv).type, JOB_REQUEUE_TYPE_NONE);
	ck_assert(!priv->ticking);
	/* a path starts it */
	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	ck_assert(priv->ticking);
	ck_assert_int_eq(mif_liveness_tick(priv).type, JOB_REQUEUE_TYPE_SCHEDULE);
	/* it stops once the path and whatever its removal left pending are
	 * gone */
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(2, 2)),
					 MIF_ACK_ACCEPTED);
	for (i = 0; i < (MIF_DELETE_GRACE + 1) * 1000 / TEST_INTERVAL; i++)
	{
		if (mif_liveness_tick(priv).type == JOB_REQUEUE_TYPE_NONE)
		{
			break;
		}
	}
	ck_assert(!priv->ticking);
	child_sa->destroy(child_sa);
}
END_TEST

/* review M6: a path whose CHILD SA never came up stayed in CHILD forever */
START_TEST(test_child_state_times_out)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	child_cfg_t *cfg;

	verifier_add(peer, 2, 1, PEER_2, ME_2, cookie);
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 1, cookie)),
					 MIF_ACK_ACCEPTED);
	jobs_run();
	cfg = child_cfg_pop();
	cfg->destroy(cfg);
	run_ticks((TEST_RR_TRIES + 6) * 1000);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_CHILD);
	run_ticks((MIF_CHILD_TIMEOUT - TEST_RR_TRIES - 5) * 1000);
	ck_assert_int_eq(path_state(peer, 2), -1);
	ck_assert_int_eq(binding_state(peer, 2), -1);
}
END_TEST

/* review M6: DEAD paths were never removed */
START_TEST(test_dead_path_removed)
{
	child_sa_t *child_sa;

	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	run_ticks(4 * TEST_DEAD);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	run_ticks(TEST_DEAD_TIMEOUT * 1000);
	ck_assert_int_eq(path_state(peer, 2), -1);
	ck_assert_int_eq(dp_installed(), 0);
	ck_assert_int_eq(binding_state(peer, 2), -1);
	/* the peer was told, and has a few seconds to delete the CHILD SA */
	run_ticks(MIF_DELETE_GRACE * 1000);
	jobs_run();
	ck_assert(child_checked_out(child_sa->get_unique_id(child_sa)));
	child_sa->destroy(child_sa);
}
END_TEST

/* review L5: the verifier matched the interface name the peer reported
 * against its own interfaces: a local interface of that name going down
 * killed the peer's path */
START_TEST(test_peer_ifname_not_ours)
{
	child_sa_t *child_sa;

	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	strcpy(path_get(peer, 2)->ifname, "tst1");
	priv->monitor_listener.link(&priv->monitor_listener, 42, "tst1", FALSE);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	child_sa->destroy(child_sa);
}
END_TEST

/* review L5: libmif sessions were keyed by the peer's identity only, so
 * two IKE SAs with the same identity overwrote each other's bindings */
START_TEST(test_same_identity_separate_sessions)
{
	child_sa_t *a, *b;
	peer_t *twin;
	chunk_t data;

	twin = peer_create(FALSE);
	data = peer_supported_data(twin);
	ck_assert(negotiate_responder(twin, data));
	chunk_free(&data);
	a = verifier_active(peer, 2, 1, PEER_2, ME_2);
	b = verifier_active(twin, 2, 1, PEER_3, ME_2);
	ck_assert_int_eq(binding_state(peer, 2), MIF_BINDING_ACTIVE);
	ck_assert_int_eq(binding_state(twin, 2), MIF_BINDING_ACTIVE);
	/* one goes, the other's binding stays */
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(2, 2)),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(binding_state(peer, 2), -1);
	ck_assert_int_eq(binding_state(twin, 2), MIF_BINDING_ACTIVE);
	peer_destroy(twin);
	a->destroy(a);
	b->destroy(b);
}
END_TEST

TCase *robustness_tests(void)
{
	TCase *tc = tcase_create("robustness");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ike_update_twice);
	tcase_add_test(tc, test_ike_rekey_keeps_data_plane);
	tcase_add_test(tc, test_child_rekey_followed);
	tcase_add_test(tc, test_child_rekey_then_remove);
	tcase_add_test(tc, test_readd_releases_old_path);
	tcase_add_test(tc, test_remove_deletes_child);
	tcase_add_test(tc, test_child_of_old_address_ignored);
	tcase_add_test(tc, test_child_matched_by_selectors);
	tcase_add_test(tc, test_child_before_rr_ignored);
	tcase_add_test(tc, test_notifies_per_request_bounded);
	tcase_add_test(tc, test_rr_probes_rate_limited);
	tcase_add_test(tc, test_no_reply_before_rr);
	tcase_add_test(tc, test_half_open_freed);
	tcase_add_test(tc, test_responder_disabled_connection);
	tcase_add_test(tc, test_child_state_times_out);
	tcase_add_test(tc, test_timer_idle);
	tcase_add_test(tc, test_dead_path_removed);
	tcase_add_test(tc, test_peer_ifname_not_ours);
	tcase_add_test(tc, test_same_identity_separate_sessions);
	return tc;
}
