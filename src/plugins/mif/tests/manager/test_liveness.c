/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Liveness (doc/protocol.md 5.3, 8 rows 7 and 9, 9): both sides send
 * requests with fresh cookies; only an authenticated reply echoing the
 * cookie of one of our recent requests shows that the peer still receives
 * at the path's address. An ACTIVE path without one for the dead interval
 * is DEAD, and one brings it back. The peer's requests are answered but
 * prove nothing: anybody with the key can spoof their source (RFC 4555
 * 5.2). Time passes by ageing the path's last reply, so nothing sleeps.
 */

#include "manager_tests.h"

static peer_t *peer;

static void setup(void)
{
	child_sa_t *child_sa;
	chunk_t data;

	harness_setup();
	peer = peer_create(FALSE);
	data = peer_supported_data(peer);
	ck_assert(negotiate_responder(peer, data));
	chunk_free(&data);
	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	child_sa->destroy(child_sa);
}

static void teardown(void)
{
	peer_destroy(peer);
	harness_teardown();
}

/**
 * The peer's liveness request on the path.
 */
static void request(chunk_t key, uint32_t number)
{
	deliver_probe(PEER_2, ME_2, build_probe(peer, key, MIF_PROBE_REQUEST, 0,
								2, 1, number, NULL, ME_2, mgr_probe_port));
}

static void drain_probes(void)
{
	while (probes_pending())
	{
		sent_probe_destroy(probe_pop());
	}
}

/**
 * Let the path die.
 */
static void kill_path(void)
{
	age_path(peer, 2, 3 * TEST_DEAD + 10);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	drain_probes();
}

/**
 * Run one tick and return the manager's liveness request on the path.
 */
static void next_request(mif_msg_probe_t *probe)
{
	sent_probe_t *sent;

	drain_probes();
	mif_liveness_tick(priv);
	ck_assert_int_eq(probes_pending(), 1);
	sent = probe_pop();
	ck_assert(host_is(sent->src, ME_2));
	ck_assert(host_is(sent->dst, PEER_2));
	ck_assert(parse_sent_probe(peer, sent, probe));
	ck_assert_int_eq(probe->type, MIF_PROBE_REQUEST);
	ck_assert_int_eq(probe->flags, 0);
	sent_probe_destroy(sent);
}

/**
 * The peer's reply to a request of the manager (number, cookie).
 */
static chunk_t reply(chunk_t key, uint32_t number, uint8_t *cookie)
{
	return build_probe(peer, key, MIF_PROBE_REPLY, 0, 2, 1, number, cookie,
					   ME_2, mgr_probe_port);
}

/**
 * Answer the manager's next request on the path.
 */
static void answer_next(void)
{
	mif_msg_probe_t probe;

	next_request(&probe);
	deliver_probe(PEER_2, ME_2, reply(peer->key_in, probe.number,
									  probe.cookie));
	mif_msg_probe_clear(&probe);
}

START_TEST(test_request_answered)
{
	mif_msg_probe_t probe, probe2;
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	sent_probe_t *sent;

	memset(cookie, 0xc5, sizeof(cookie));
	deliver_probe(PEER_2, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 2, 1, 0x12345678, cookie, ME_2,
					mgr_probe_port));
	/* answered, echoing number and cookie, but no proof of the path */
	ck_assert(!path_get(peer, 2)->heard);
	ck_assert_int_eq(probes_pending(), 1);
	sent = probe_pop();
	ck_assert(host_is(sent->src, ME_2));
	ck_assert(host_is(sent->dst, PEER_2));
	ck_assert(parse_sent_probe(peer, sent, &probe));
	ck_assert_int_eq(probe.type, MIF_PROBE_REPLY);
	ck_assert_int_eq(probe.number, 0x12345678);
	ck_assert_int_eq(probe.bid, 2);
	ck_assert(memeq(probe.cookie, cookie, sizeof(cookie)));
	mif_msg_probe_clear(&probe);
	sent_probe_destroy(sent);

	/* the verifier checks the path itself: requests counting up, each
	 * with a fresh cookie */
	next_request(&probe);
	next_request(&probe2);
	ck_assert_int_eq(probe2.number, probe.number + 1);
	ck_assert(!memeq(probe.cookie, probe2.cookie, sizeof(cookie)));
	mif_msg_probe_clear(&probe);
	mif_msg_probe_clear(&probe2);
}
END_TEST

START_TEST(test_unauthenticated_not_answered)
{
	request(peer->key_out, 1);
	deliver_probe(STRANGER, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 2, 1, 2, NULL, ME_2,
					mgr_probe_port));
	deliver_probe(PEER_IKE, ME_IKE, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 2, 1, 3, NULL, ME_IKE,
					mgr_probe_port));
	ck_assert_int_eq(probes_pending(), 0);
	ck_assert(!path_get(peer, 2)->heard);
}
END_TEST

START_TEST(test_dead_after_interval)
{
	answer_next();
	ck_assert(path_get(peer, 2)->heard);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	age_path(peer, 2, TEST_DEAD / 2);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	ck_assert_int_eq(binding_state(peer, 2), MIF_BINDING_ACTIVE);
	age_path(peer, 2, TEST_DEAD / 2 + 10);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	/* only a reply brings it back, ticks do not */
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
}
END_TEST

/* mif-scale at N = 200: a timer that ran late (queued behind IKE work)
 * found the last reply older than the dead interval and killed paths whose
 * peers had simply not been asked; dead needs requests unanswered that long */
START_TEST(test_late_timer_not_dead)
{
	answer_next();
	mif_liveness_tick(priv);
	answer_next();
	/* the timer stalls for more than the dead interval */
	age_tv(&path_get(peer, 2)->last_rx, TEST_DEAD + 10);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	/* now its requests go unanswered for the dead interval */
	age_path(peer, 2, TEST_DEAD + 10);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
}
END_TEST

START_TEST(test_fresh_path_grace)
{
	/* nothing heard yet: three dead intervals for the first reply */
	age_path(peer, 2, TEST_DEAD + 10);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	age_path(peer, 2, TEST_DEAD);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	age_path(peer, 2, TEST_DEAD);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
}
END_TEST

START_TEST(test_replies_keep_alive)
{
	mif_msg_probe_t probe;
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	int i;

	for (i = 0; i < 6; i++)
	{
		answer_next();
		age_path(peer, 2, TEST_DEAD - 100);
		mif_liveness_tick(priv);
		ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	}
	/* forged replies, replies with the wrong cookie, and the peer's own
	 * requests do not keep it alive */
	for (i = 0; i < 3; i++)
	{
		next_request(&probe);
		deliver_probe(PEER_2, ME_2, reply(peer->key_out, probe.number,
										  probe.cookie));
		memcpy(cookie, probe.cookie, sizeof(cookie));
		cookie[0] ^= 0x01;
		deliver_probe(PEER_2, ME_2, reply(peer->key_in, probe.number, cookie));
		request(peer->key_in, i + 10);
		mif_msg_probe_clear(&probe);
		age_path(peer, 2, TEST_DEAD / 2);
		mif_liveness_tick(priv);
	}
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
}
END_TEST

/* review H1: once proven, a path stayed ACTIVE on any authenticated
 * request with the right source, so a peer that gave its address up could
 * keep the bulk of a download flowing to the address's new owner */
START_TEST(test_spoofed_requests_after_move)
{
	u_int replies = 0;
	int i;

	answer_next();
	/* the peer's address moves to another host; the peer keeps sending
	 * requests with it as source, every 10 ms, and never sees a reply */
	for (i = 0; i < TEST_DEAD / 10 + 20; i++)
	{
		request(peer->key_in, 100 + i);
		request(peer->key_in, 1000 + i);
		request(peer->key_in, 10000 + i);
		age_path(peer, 2, 10);
		mif_liveness_tick(priv);
		while (probes_pending())
		{
			sent_probe_t *sent = probe_pop();
			mif_msg_probe_t probe;

			ck_assert(parse_sent_probe(peer, sent, &probe));
			replies += probe.type == MIF_PROBE_REPLY;
			mif_msg_probe_clear(&probe);
			sent_probe_destroy(sent);
		}
	}
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	/* and what reaches the new owner is bounded per interval */
	ck_assert_int_le(replies, 2 * (TEST_DEAD / 10 + 20) + 2);
}
END_TEST

START_TEST(test_reply_window)
{
	mif_msg_probe_t first, probe;
	int i;

	next_request(&first);
	for (i = 0; i < MIF_PROBE_WINDOW; i++)
	{
		next_request(&probe);
		mif_msg_probe_clear(&probe);
	}
	kill_path();
	/* too old to count, and a number we never sent */
	deliver_probe(PEER_2, ME_2, reply(peer->key_in, first.number,
									  first.cookie));
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	deliver_probe(PEER_2, ME_2, reply(peer->key_in, 0x7fffffff,
									  first.cookie));
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	mif_msg_probe_clear(&first);
}
END_TEST

/* review L1: requests and replies shared one replay counter: one request
 * numbered 0xffffffff made every later reply look replayed */
START_TEST(test_request_number_no_poison)
{
	request(peer->key_in, 0xffffffff);
	drain_probes();
	answer_next();
	ck_assert(path_get(peer, 2)->heard);
	kill_path();
	answer_next();
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
}
END_TEST

START_TEST(test_dead_revived)
{
	mif_msg_probe_t probe;
	chunk_t dgram;

	kill_path();

	/* forged, reflected, misdirected replies, and requests: still dead */
	next_request(&probe);
	deliver_probe(PEER_2, ME_2, reply(peer->key_out, probe.number,
									  probe.cookie));
	deliver_probe(STRANGER, ME_2, reply(peer->key_in, probe.number,
										probe.cookie));
	deliver_probe(PEER_2, ME_IKE, build_probe(peer, peer->key_in,
					MIF_PROBE_REPLY, 0, 2, 1, probe.number, probe.cookie,
					ME_IKE, mgr_probe_port));
	deliver_probe(PEER_2, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REPLY, 0, 3, 1, probe.number, probe.cookie,
					ME_2, mgr_probe_port));
	request(peer->key_in, 7);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	drain_probes();

	/* the genuine reply revives it; its replay does not count */
	dgram = reply(peer->key_in, probe.number, probe.cookie);
	deliver_probe(PEER_2, ME_2, chunk_clone(dgram));
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	ck_assert_int_eq(probes_pending(), 0);
	kill_path();
	deliver_probe(PEER_2, ME_2, dgram);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	mif_msg_probe_clear(&probe);

	/* it was heard now: one dead interval, not three */
	answer_next();
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	age_path(peer, 2, TEST_DEAD + 10);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	answer_next();
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
}
END_TEST

START_TEST(test_dead_rr_probe_no_revival)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN] = {};

	kill_path();
	/* an RR request is only about return routability */
	deliver_probe(PEER_2, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, MIF_PROBE_RR, 2, 1, 0, cookie, ME_2,
					mgr_probe_port));
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	ck_assert_int_eq(jobs_pending(), 0);
}
END_TEST

START_TEST(test_ike_rekey)
{
	chunk_t old_key = chunk_clone(peer->key_in);
	mif_msg_probe_t probe;
	ike_sa_id_t *id;
	uint32_t old_id = peer->ike_sa->get_unique_id(peer->ike_sa);

	kill_path();
	peer_rekey(peer);
	/* the path moved to the new IKE SA, in its state */
	ck_assert(peer->ike_sa->get_unique_id(peer->ike_sa) != old_id);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	ck_assert(peer_enabled(peer));
	/* the keys are bound to the SPIs: derived again */
	ck_assert(!chunk_equals(old_key, peer->key_in));
	ck_assert(chunk_equals(peer_conn(peer)->key_rx, peer->key_in));
	chunk_free(&old_key);

	next_request(&probe);
	id = peer->ike_sa->get_id(peer->ike_sa);
	ck_assert(probe.spi_i == id->get_initiator_spi(id));
	ck_assert(probe.spi_r == id->get_responder_spi(id));
	deliver_probe(PEER_2, ME_2, reply(peer->key_in, probe.number,
									  probe.cookie));
	mif_msg_probe_clear(&probe);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
}
END_TEST

/**
 * Events of the path, "EVENT REASON".
 */
static char events[4][64];
static int event_count;

static void record_event(mif_path_event_listener_t *this,
						 mif_path_event_t *event)
{
	ck_assert(event_count < countof(events));
	ck_assert_int_eq(event->bid, 2);
	snprintf(events[event_count++], sizeof(events[0]), "%N %s",
			 mif_path_event_names, event->type, event->reason);
}

/*
 * A path dying and coming back is published (mifctl monitor).
 */
START_TEST(test_events)
{
	mif_path_event_listener_t listener = {
		.event = record_event,
	};

	event_count = 0;
	mgr->add_event_listener(mgr, &listener);
	kill_path();
	answer_next();
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	mgr->remove_event_listener(mgr, &listener);
	ck_assert_int_eq(event_count, 2);
	ck_assert_str_eq(events[0], "dead no-probe-reply");
	ck_assert_str_eq(events[1], "active probe-answered");
}
END_TEST

TCase *liveness_tests(void)
{
	TCase *tc = tcase_create("liveness");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_request_answered);
	tcase_add_test(tc, test_unauthenticated_not_answered);
	tcase_add_test(tc, test_dead_after_interval);
	tcase_add_test(tc, test_late_timer_not_dead);
	tcase_add_test(tc, test_fresh_path_grace);
	tcase_add_test(tc, test_replies_keep_alive);
	tcase_add_test(tc, test_spoofed_requests_after_move);
	tcase_add_test(tc, test_reply_window);
	tcase_add_test(tc, test_request_number_no_poison);
	tcase_add_test(tc, test_dead_revived);
	tcase_add_test(tc, test_dead_rr_probe_no_revival);
	tcase_add_test(tc, test_ike_rekey);
	tcase_add_test(tc, test_events);
	return tc;
}
