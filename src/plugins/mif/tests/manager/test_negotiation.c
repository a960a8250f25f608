/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Capability negotiation in IKE_AUTH (doc/protocol.md 6.1): the extension is
 * on iff both sides announced, in either role and either order of charon's
 * events; otherwise no state and plain MOBIKE.
 */

#include "manager_tests.h"

/**
 * Send an ADD for our second address; TRUE if the manager answered.
 */
static bool add_answered(peer_t *peer)
{
	message_t *message;
	chunk_t data;
	int acks;

	message = info_request(peer);
	data = build_add(2, 1, PEER_2, ME_2);
	message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	acks = count_notifies(message, MIF_PATH_ACK);
	message->destroy(message);
	return acks > 0;
}

START_TEST(test_responder)
{
	peer_t *peer = peer_create(FALSE);
	chunk_t data = peer_supported_data(peer);

	ck_assert(negotiate_responder(peer, data));
	chunk_free(&data);
	ck_assert(peer_enabled(peer));
	/* what the manager announced is what it was configured with */
	ck_assert_int_eq(peer->mgr_sup.version, MIF_MSG_VERSION);
	ck_assert_int_eq(peer->mgr_sup.probe_port, mgr_probe_port);
	ck_assert_int_eq(peer->mgr_sup.max_paths, TEST_MAX_PATHS);
	ck_assert(!peer_conn(peer)->initiator);
	/* and what the peer announced is what it uses */
	ck_assert_int_eq(peer_conn(peer)->peer.probe_port, PEER_PROBE_PORT);
	ck_assert(chunk_equals(peer_conn(peer)->key_rx, peer->key_in));
	ck_assert(chunk_equals(peer_conn(peer)->key_tx, peer->key_out));
	ck_assert(!chunk_equals(peer->key_in, peer->key_out));
	/* a responder never announces its addresses */
	ck_assert_int_eq(path_count(peer), 0);
	ck_assert_int_eq(jobs_pending(), 0);
	ck_assert(add_answered(peer));
	peer_destroy(peer);
}
END_TEST

START_TEST(test_responder_response_first)
{
	peer_t *peer = peer_create(FALSE);
	chunk_t data = peer_supported_data(peer);
	message_t *message;

	/* the response is built before the IKE SA is reported up */
	message = auth_request(TRUE);
	message->add_notify(message, FALSE, MIF_SUPPORTED, data);
	chunk_free(&data);
	msg_in(peer, message);
	message->destroy(message);
	ck_assert(!peer_enabled(peer));
	message = auth_response(TRUE);
	ck_assert(msg_out(peer, message));
	message->destroy(message);
	ck_assert(!peer_enabled(peer));
	ike_up(peer);
	ck_assert(peer_enabled(peer));
	peer_destroy(peer);
}
END_TEST

START_TEST(test_responder_only_last_response)
{
	peer_t *peer = peer_create(FALSE);
	chunk_t data = peer_supported_data(peer);
	message_t *message;

	message = auth_request(TRUE);
	message->add_notify(message, FALSE, MIF_SUPPORTED, data);
	chunk_free(&data);
	msg_in(peer, message);
	message->destroy(message);
	ike_up(peer);
	/* an IKE_AUTH response without AUTH (e.g. EAP round) gets no notify */
	message = auth_response(FALSE);
	ck_assert(!msg_out(peer, message));
	message->destroy(message);
	message = auth_response(TRUE);
	ck_assert(msg_out(peer, message));
	message->destroy(message);
	/* and never twice */
	message = auth_response(TRUE);
	ck_assert(!msg_out(peer, message));
	message->destroy(message);
	peer_destroy(peer);
}
END_TEST

START_TEST(test_responder_stock_peer)
{
	peer_t *peer = peer_create(FALSE);

	ck_assert(!negotiate_responder(peer, chunk_empty));
	ck_assert(!peer_conn(peer));
	ck_assert(!add_answered(peer));
	ck_assert_int_eq(path_count(peer), 0);
	peer_destroy(peer);
}
END_TEST

START_TEST(test_responder_malformed_supported)
{
	peer_t *peer = peer_create(FALSE);
	chunk_t data = peer_supported_data(peer);

	/* version 0 does not parse: treated as absent */
	data.ptr[0] = 0;
	ck_assert(!negotiate_responder(peer, data));
	chunk_free(&data);
	ck_assert(!peer_enabled(peer));
	ck_assert(!peer_conn(peer));
	ck_assert(!add_answered(peer));
	peer_destroy(peer);
}
END_TEST

START_TEST(test_initiator)
{
	peer_t *peer = peer_create(TRUE);
	chunk_t data = peer_supported_data(peer);
	message_t *message;

	/* only the first request (with IDi) carries it */
	message = auth_request(FALSE);
	ck_assert(!msg_out(peer, message));
	message->destroy(message);
	ck_assert(!peer_conn(peer));
	ck_assert(negotiate_initiator(peer, data));
	chunk_free(&data);
	ck_assert(peer_enabled(peer));
	ck_assert(peer_conn(peer)->initiator);
	ck_assert(chunk_equals(peer_conn(peer)->key_rx, peer->key_in));
	ck_assert(chunk_equals(peer_conn(peer)->key_tx, peer->key_out));
	peer_destroy(peer);
}
END_TEST

START_TEST(test_initiator_stock_peer)
{
	peer_t *peer = peer_create(TRUE);

	/* we announced, the peer did not: the state goes when the SA is up */
	ck_assert(negotiate_initiator(peer, chunk_empty));
	ck_assert(!peer_conn(peer));
	ck_assert_int_eq(path_count(peer), 0);
	ck_assert_int_eq(jobs_pending(), 0);
	ck_assert(!add_answered(peer));
	peer_destroy(peer);
}
END_TEST

START_TEST(test_initiator_malformed_supported)
{
	peer_t *peer = peer_create(TRUE);
	chunk_t data = peer_supported_data(peer);

	/* max paths 0 */
	data.ptr[2] = 0;
	ck_assert(negotiate_initiator(peer, data));
	chunk_free(&data);
	ck_assert(!peer_conn(peer));
	ck_assert_int_eq(jobs_pending(), 0);
	peer_destroy(peer);
}
END_TEST

START_TEST(test_disabled_connection)
{
	peer_t *peer = peer_create(TRUE);
	chunk_t data = peer_supported_data(peer);

	lib->settings->set_bool(lib->settings,
							"charon.plugins.mif.connections.conn.enable", FALSE);
	ck_assert(!negotiate_initiator(peer, data));
	ck_assert(!peer_conn(peer));
	peer_destroy(peer);

	/* as responder: the peer's notify is ignored, none is sent back */
	peer = peer_create(FALSE);
	ck_assert(!negotiate_responder(peer, data));
	chunk_free(&data);
	ck_assert(!peer_conn(peer));
	peer_destroy(peer);
}
END_TEST

START_TEST(test_notifies_before_negotiation)
{
	peer_t *peer = peer_create(FALSE);
	chunk_t data = peer_supported_data(peer);
	message_t *message;

	/* an IKE SA the manager has never heard of */
	ck_assert(!add_answered(peer));
	ck_assert_int_eq(path_count(peer), 0);

	/* the peer's notify arrived, the IKE SA is not up yet */
	message = auth_request(TRUE);
	message->add_notify(message, FALSE, MIF_SUPPORTED, data);
	chunk_free(&data);
	msg_in(peer, message);
	message->destroy(message);
	ck_assert(peer_conn(peer));
	ck_assert(!add_answered(peer));
	ck_assert_int_eq(path_count(peer), 0);
	ck_assert_int_eq(probes_pending(), 0);

	/* once up, the same request is processed */
	ike_up(peer);
	ck_assert(add_answered(peer));
	ck_assert_int_eq(path_count(peer), 1);
	peer_destroy(peer);
}
END_TEST

START_TEST(test_ike_down_forgets)
{
	peer_t *peer = peer_create(FALSE);
	chunk_t data = peer_supported_data(peer);
	uint32_t id = peer->ike_sa->get_unique_id(peer->ike_sa);

	ck_assert(negotiate_responder(peer, data));
	chunk_free(&data);
	ck_assert(add_answered(peer));
	ck_assert_int_eq(path_count(peer), 1);
	ck_assert_int_eq(binding_state(peer, 2), MIF_BINDING_PROBING);
	mgr->listener.ike_updown(&mgr->listener, peer->ike_sa, FALSE);
	ck_assert(!priv->conns->get(priv->conns, (void*)(uintptr_t)id));
	ck_assert_int_eq(path_count(peer), 0);
	peer_destroy(peer);
}
END_TEST

TCase *negotiation_tests(void)
{
	TCase *tc = tcase_create("negotiation");

	tcase_add_checked_fixture(tc, harness_setup, harness_teardown);
	tcase_add_test(tc, test_responder);
	tcase_add_test(tc, test_responder_response_first);
	tcase_add_test(tc, test_responder_only_last_response);
	tcase_add_test(tc, test_responder_stock_peer);
	tcase_add_test(tc, test_responder_malformed_supported);
	tcase_add_test(tc, test_initiator);
	tcase_add_test(tc, test_initiator_stock_peer);
	tcase_add_test(tc, test_initiator_malformed_supported);
	tcase_add_test(tc, test_disabled_connection);
	tcase_add_test(tc, test_notifies_before_negotiation);
	tcase_add_test(tc, test_ike_down_forgets);
	return tc;
}
