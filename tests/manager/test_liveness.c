/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Liveness (doc/protocol.md 8 rows 7 and 9, 9): an ACTIVE path without an
 * authenticated probe for the dead interval is DEAD, and an authenticated
 * probe brings it back. Time passes by ageing the path's last probe, so
 * nothing sleeps.
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

START_TEST(test_request_answered)
{
	mif_msg_probe_t probe;
	sent_probe_t *sent;

	request(peer->key_in, 0x12345678);
	ck_assert(path_get(peer, 2)->heard);
	ck_assert_int_eq(probes_pending(), 1);
	sent = probe_pop();
	ck_assert(host_is(sent->src, ME_2));
	ck_assert(host_is(sent->dst, PEER_2));
	ck_assert(parse_sent_probe(peer, sent, &probe));
	ck_assert_int_eq(probe.type, MIF_PROBE_REPLY);
	ck_assert_int_eq(probe.number, 0x12345678);
	ck_assert_int_eq(probe.bid, 2);
	mif_msg_probe_clear(&probe);
	sent_probe_destroy(sent);

	/* the verifier does not send requests of its own */
	mif_mgr_tick(priv);
	ck_assert_int_eq(probes_pending(), 0);
}
END_TEST

START_TEST(test_unauthenticated_not_answered)
{
	request(peer->key_out, 1);
	deliver_probe(STRANGER, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 2, 1, 2, NULL, ME_2,
					mgr_probe_port));
	deliver_probe(PEER_2, ME_IKE, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 2, 1, 3, NULL, ME_IKE,
					mgr_probe_port));
	ck_assert_int_eq(probes_pending(), 0);
	ck_assert(!path_get(peer, 2)->heard);
}
END_TEST

START_TEST(test_dead_after_interval)
{
	request(peer->key_in, 1);
	drain_probes();
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	age_path(peer, 2, TEST_DEAD / 2);
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	ck_assert_int_eq(binding_state(peer, 2), MIF_BINDING_ACTIVE);
	age_path(peer, 2, TEST_DEAD / 2 + 10);
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	/* only a probe brings it back, ticks do not */
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
}
END_TEST

START_TEST(test_fresh_path_grace)
{
	/* nothing heard yet: three dead intervals for the first probe */
	age_path(peer, 2, TEST_DEAD + 10);
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	age_path(peer, 2, TEST_DEAD);
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	age_path(peer, 2, TEST_DEAD);
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
}
END_TEST

START_TEST(test_probes_keep_alive)
{
	int i;

	for (i = 0; i < 6; i++)
	{
		request(peer->key_in, i + 1);
		age_path(peer, 2, TEST_DEAD - 100);
		mif_mgr_tick(priv);
		ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	}
	drain_probes();
	/* forged probes do not keep it alive */
	for (i = 0; i < 3; i++)
	{
		request(peer->key_out, i + 10);
		age_path(peer, 2, TEST_DEAD / 2);
		mif_mgr_tick(priv);
	}
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	ck_assert_int_eq(probes_pending(), 0);
}
END_TEST

/**
 * Let the fresh path die.
 */
static void kill_path(void)
{
	age_path(peer, 2, 3 * TEST_DEAD + 10);
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
}

START_TEST(test_dead_revived)
{
	kill_path();

	/* forged, reflected, misdirected: still dead */
	request(peer->key_out, 1);
	deliver_probe(STRANGER, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 2, 1, 2, NULL, ME_2,
					mgr_probe_port));
	deliver_probe(PEER_2, ME_IKE, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 2, 1, 2, NULL, ME_IKE,
					mgr_probe_port));
	deliver_probe(PEER_2, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REQUEST, 0, 3, 1, 2, NULL, ME_2,
					mgr_probe_port));
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	ck_assert_int_eq(probes_pending(), 0);

	/* a reply to nothing we asked for is unsolicited (or replayed) */
	deliver_probe(PEER_2, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REPLY, 0, 2, 1, 7, NULL, ME_2,
					mgr_probe_port));
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	ck_assert_int_eq(probes_pending(), 0);

	/* a fresh authenticated request revives it; its replay does not count */
	request(peer->key_in, 7);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	ck_assert_int_eq(probes_pending(), 1);
	drain_probes();
	request(peer->key_in, 7);
	ck_assert_int_eq(probes_pending(), 0);
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);

	/* it was heard now: one dead interval, not three */
	age_path(peer, 2, TEST_DEAD + 10);
	mif_mgr_tick(priv);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	request(peer->key_in, 8);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	drain_probes();
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
	sent_probe_t *sent;
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

	request(peer->key_in, 1);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	sent = probe_pop();
	ck_assert(sent);
	ck_assert(parse_sent_probe(peer, sent, &probe));
	id = peer->ike_sa->get_id(peer->ike_sa);
	ck_assert(probe.spi_i == id->get_initiator_spi(id));
	ck_assert(probe.spi_r == id->get_responder_spi(id));
	mif_msg_probe_clear(&probe);
	sent_probe_destroy(sent);
}
END_TEST

TCase *liveness_tests(void)
{
	TCase *tc = tcase_create("liveness");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_request_answered);
	tcase_add_test(tc, test_unauthenticated_not_answered);
	tcase_add_test(tc, test_dead_after_interval);
	tcase_add_test(tc, test_fresh_path_grace);
	tcase_add_test(tc, test_probes_keep_alive);
	tcase_add_test(tc, test_dead_revived);
	tcase_add_test(tc, test_dead_rr_probe_no_revival);
	tcase_add_test(tc, test_ike_rekey);
	return tc;
}
