/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * The verifier (doc/protocol.md 6.2, 6.3, 8): the peer ADDs, proves its
 * address with the RR cookie and REMOVEs; every request gets its ACKs in
 * the response charon builds.
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
 * One request with one notify; returns the single ACK's status, or -1 if
 * the response carries none.
 */
static int request(int type, chunk_t data, mif_msg_path_ack_t *ack)
{
	mif_msg_path_ack_t acks[4], dummy;
	message_t *message;
	int count;

	message = info_request(peer);
	message->add_notify(message, FALSE, type, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	count = get_acks(message, acks, countof(acks));
	message->destroy(message);
	ck_assert(count <= 1);
	if (!count)
	{
		return -1;
	}
	*(ack ?: &dummy) = acks[0];
	return acks[0].status;
}

START_TEST(test_add_valid)
{
	mif_msg_path_ack_t ack;
	mif_msg_probe_t probe;
	sent_probe_t *sent;
	mif_path_t *path;

	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(7, 3, PEER_2, ME_2),
							 &ack), MIF_ACK_ACCEPTED);
	ck_assert_int_eq(ack.bid, 7);
	ck_assert_int_eq(ack.seq, 3);
	ck_assert_int_eq(path_state(peer, 7), MIF_PATH_CHECKING);
	path = path_get(peer, 7);
	ck_assert(host_is(path->local, ME_2));
	ck_assert(host_is(path->remote, PEER_2));
	ck_assert_int_eq(binding_state(peer, 7), MIF_BINDING_PROBING);

	/* the RR probe goes out at once, over the claimed pair, signed for
	 * the peer, carrying the cookie the peer must echo */
	ck_assert_int_eq(probes_pending(), 1);
	sent = probe_pop();
	ck_assert(host_is(sent->src, ME_2));
	ck_assert(host_is(sent->dst, PEER_2));
	ck_assert_int_eq(sent->dst->get_port(sent->dst), PEER_PROBE_PORT);
	ck_assert(parse_sent_probe(peer, sent, &probe));
	ck_assert_int_eq(probe.type, MIF_PROBE_REQUEST);
	ck_assert(probe.flags & MIF_PROBE_RR);
	ck_assert_int_eq(probe.bid, 7);
	ck_assert_int_eq(probe.seq, 3);
	ck_assert(memeq(probe.cookie, path_get(peer, 7)->cookie,
					sizeof(probe.cookie)));
	mif_msg_probe_clear(&probe);
	sent_probe_destroy(sent);
	/* no CHILD SA before RR */
	ck_assert_int_eq(jobs_pending(), 0);
}
END_TEST

START_TEST(test_add_not_ours)
{
	mif_msg_path_ack_t ack;

	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(2, 1, PEER_2, STRANGER),
							 &ack), MIF_ACK_BAD_ADDRESS);
	ck_assert_int_eq(ack.bid, 2);
	ck_assert_int_eq(ack.seq, 1);
	ck_assert_int_eq(path_count(peer), 0);
	ck_assert_int_eq(probes_pending(), 0);
	ck_assert_int_eq(binding_state(peer, 2), -1);
}
END_TEST

START_TEST(test_add_stale_seq)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];

	verifier_add(peer, 2, 5, PEER_2, ME_2, cookie);
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(2, 5, PEER_3, ME_2),
							 NULL), MIF_ACK_STALE_SEQ);
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(2, 4, PEER_3, ME_2),
							 NULL), MIF_ACK_STALE_SEQ);
	/* 32768 ahead is behind in serial arithmetic */
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(2, 5 + 32768, PEER_3,
							 ME_2), NULL), MIF_ACK_STALE_SEQ);
	ck_assert_int_eq(probes_pending(), 0);
	ck_assert(host_is(path_get(peer, 2)->remote, PEER_2));
	ck_assert(memeq(cookie, path_get(peer, 2)->cookie, sizeof(cookie)));
}
END_TEST

START_TEST(test_add_move)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN], cookie2[MIF_MSG_COOKIE_LEN];

	verifier_add(peer, 2, 5, PEER_2, ME_2, cookie);
	/* a newer Seq moves the path and it must be proven again, with a new
	 * cookie; the old one no longer works */
	verifier_add(peer, 2, 6, PEER_3, ME_2, cookie2);
	ck_assert(!memeq(cookie, cookie2, sizeof(cookie)));
	ck_assert_int_eq(path_count(peer), 1);
	ck_assert(host_is(path_get(peer, 2)->remote, PEER_3));
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 6, cookie), NULL),
					 MIF_ACK_RR_MISMATCH);
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 6, cookie2), NULL),
					 MIF_ACK_ACCEPTED);
}
END_TEST

START_TEST(test_add_too_many)
{
	/* distinct addresses: each may get only a few RR probes at once */
	char *addrs[] = { PEER_2, "203.0.113.12", "203.0.113.13" };
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	int i;

	ck_assert_int_eq(countof(addrs), TEST_MAX_PATHS);
	for (i = 0; i < TEST_MAX_PATHS; i++)
	{
		verifier_add(peer, 2 + i, 1, addrs[i], ME_2, cookie);
	}
	ck_assert_int_eq(request(MIF_PATH_ADD, build_add(10, 1, PEER_3, ME_2),
							 NULL), MIF_ACK_TOO_MANY_PATHS);
	ck_assert_int_eq(path_count(peer), TEST_MAX_PATHS);
	ck_assert_int_eq(path_state(peer, 10), -1);
	/* the limit counts paths: a move of an existing one is fine */
	verifier_add(peer, 2, 2, PEER_3, ME_2, cookie);
	/* and after a REMOVE there is room again */
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(3, 2), NULL),
					 MIF_ACK_ACCEPTED);
	verifier_add(peer, 10, 1, PEER_3, ME_2, cookie);
}
END_TEST

START_TEST(test_add_malformed)
{
	mif_msg_path_ack_t acks[4];
	message_t *message;
	chunk_t data;

	/* a notify that does not parse carries no BID to answer with: no ACK
	 * (4.6); the valid ADD after it in the same request is answered */
	message = info_request(peer);
	data = build_add(3, 1, PEER_2, ME_2);
	data.ptr[0] = 2;
	message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	chunk_free(&data);
	message->add_notify(message, FALSE, MIF_PATH_ADD,
						chunk_from_chars(0x01, 0x00, 0x00));
	data = build_add(4, 1, PEER_2, ME_2);
	message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	ck_assert_int_eq(get_acks(message, acks, countof(acks)), 1);
	ck_assert_int_eq(acks[0].bid, 4);
	ck_assert_int_eq(acks[0].status, MIF_ACK_ACCEPTED);
	message->destroy(message);
	ck_assert_int_eq(path_state(peer, 3), -1);
	ck_assert_int_eq(path_state(peer, 4), MIF_PATH_CHECKING);
	ck_assert_int_eq(path_count(peer), 1);
	ck_assert_int_eq(request(MIF_PATH_RR, chunk_clone(chunk_from_chars(
								0x01, 0x00, 0x00, 0x04)), NULL), -1);
	ck_assert_int_eq(request(MIF_PATH_REMOVE, chunk_clone(chunk_from_chars(
								0x01, 0x00, 0x00, 0x04)), NULL), -1);
	ck_assert_int_eq(path_state(peer, 4), MIF_PATH_CHECKING);
}
END_TEST

START_TEST(test_acks_in_order)
{
	mif_msg_path_ack_t acks[4];
	message_t *message;
	chunk_t data;

	message = info_request(peer);
	data = build_add(2, 1, PEER_2, ME_2);
	message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	chunk_free(&data);
	data = build_add(3, 1, PEER_2, STRANGER);
	message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	chunk_free(&data);
	data = build_remove(9, 1);
	message->add_notify(message, FALSE, MIF_PATH_REMOVE, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	ck_assert_int_eq(get_acks(message, acks, countof(acks)), 3);
	ck_assert_int_eq(acks[0].bid, 2);
	ck_assert_int_eq(acks[0].status, MIF_ACK_ACCEPTED);
	ck_assert_int_eq(acks[1].bid, 3);
	ck_assert_int_eq(acks[1].status, MIF_ACK_BAD_ADDRESS);
	ck_assert_int_eq(acks[2].bid, 9);
	ck_assert_int_eq(acks[2].status, MIF_ACK_UNKNOWN_BID);
	message->destroy(message);
}
END_TEST

START_TEST(test_answers_only_their_response)
{
	message_t *message, *response;
	chunk_t data;

	message = info_request(peer);
	data = build_add(2, 1, PEER_2, ME_2);
	message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	chunk_free(&data);
	msg_in(peer, message);

	/* a response with another message ID (e.g. to a DPD) gets nothing */
	response = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	response->set_exchange_type(response, INFORMATIONAL);
	response->set_request(response, FALSE);
	response->set_message_id(response, message->get_message_id(message) + 1);
	mgr->listener.message(&mgr->listener, peer->ike_sa, response, FALSE,
						  TRUE);
	ck_assert_int_eq(count_notifies(response, MIF_PATH_ACK), 0);
	response->destroy(response);

	response = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	response->set_exchange_type(response, INFORMATIONAL);
	response->set_request(response, FALSE);
	response->set_message_id(response, message->get_message_id(message));
	mgr->listener.message(&mgr->listener, peer->ike_sa, response, FALSE,
						  TRUE);
	ck_assert_int_eq(count_notifies(response, MIF_PATH_ACK), 1);
	response->destroy(response);
	message->destroy(message);
}
END_TEST

START_TEST(test_rr)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN], wrong[MIF_MSG_COOKIE_LEN];
	mif_msg_path_ack_t ack;
	child_cfg_t *cfg;
	linked_list_t *list;
	traffic_selector_t *ts;
	host_t *host;

	verifier_add(peer, 2, 1, PEER_2, ME_2, cookie);
	memcpy(wrong, cookie, sizeof(wrong));
	wrong[15] ^= 0x01;
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 1, wrong), &ack),
					 MIF_ACK_RR_MISMATCH);
	ck_assert_int_eq(ack.bid, 2);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_CHECKING);
	/* the right cookie of another incarnation does not count either */
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 2, cookie), NULL),
					 MIF_ACK_RR_MISMATCH);
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(3, 1, cookie), NULL),
					 MIF_ACK_UNKNOWN_BID);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_CHECKING);
	ck_assert_int_eq(jobs_pending(), 0);

	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 1, cookie), &ack),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_CHILD);
	/* the cookie is spent */
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 1, cookie), NULL),
					 MIF_ACK_RR_MISMATCH);

	/* the verifier initiates the path's CHILD SA: GRE between the pair */
	ck_assert_int_eq(jobs_run(), 1);
	cfg = child_cfg_pop();
	ck_assert(cfg);
	ck_assert_str_eq(cfg->get_name(cfg), "mif-path-2");
	ck_assert_int_eq(cfg->get_mode(cfg), MODE_TRANSPORT);
	ck_assert(cfg->has_option(cfg, OPT_PROXY_MODE));
	ck_assert(cfg->has_option(cfg, OPT_NO_POLICIES));
	list = cfg->get_traffic_selectors(cfg, TRUE, NULL, NULL, FALSE);
	ck_assert_int_eq(list->get_count(list), 1);
	list->get_first(list, (void**)&ts);
	ck_assert_int_eq(ts->get_protocol(ts), IPPROTO_GRE);
	host = host_create_from_string(ME_2, 0);
	ck_assert(ts->is_host(ts, host));
	host->destroy(host);
	list->destroy_offset(list, offsetof(traffic_selector_t, destroy));
	list = cfg->get_traffic_selectors(cfg, FALSE, NULL, NULL, FALSE);
	ck_assert_int_eq(list->get_count(list), 1);
	list->get_first(list, (void**)&ts);
	host = host_create_from_string(PEER_2, 0);
	ck_assert(ts->is_host(ts, host));
	host->destroy(host);
	list->destroy_offset(list, offsetof(traffic_selector_t, destroy));
	cfg->destroy(cfg);
}
END_TEST

START_TEST(test_rr_timeout)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	sent_probe_t *sent;
	mif_msg_probe_t probe;
	u_int ticks = 0, per_second = 1000 / TEST_INTERVAL;

	verifier_add(peer, 2, 1, PEER_2, ME_2, cookie);
	/* one RR probe per second, the same cookie, then the path is refused */
	while (path_state(peer, 2) == MIF_PATH_CHECKING)
	{
		mif_liveness_tick(priv);
		ticks++;
		ck_assert(ticks <= per_second * (TEST_RR_TRIES + 1));
		if (ticks % per_second == per_second - 1 &&
			path_state(peer, 2) == MIF_PATH_CHECKING)
		{
			ck_assert_int_eq(probes_pending(), 1);
			sent = probe_pop();
			ck_assert(parse_sent_probe(peer, sent, &probe));
			ck_assert(probe.flags & MIF_PROBE_RR);
			ck_assert(memeq(probe.cookie, cookie, sizeof(cookie)));
			mif_msg_probe_clear(&probe);
			sent_probe_destroy(sent);
		}
		else
		{
			ck_assert_int_eq(probes_pending(), 0);
		}
	}
	ck_assert_int_eq(path_state(peer, 2), -1);
	ck_assert_int_eq(ticks, per_second * TEST_RR_TRIES - 1);
	ck_assert_int_eq(request(MIF_PATH_RR, build_rr(2, 1, cookie), NULL),
					 MIF_ACK_UNKNOWN_BID);
}
END_TEST

START_TEST(test_remove)
{
	mif_msg_path_ack_t ack;
	child_sa_t *child_sa;

	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(5, 1), &ack),
					 MIF_ACK_UNKNOWN_BID);
	ck_assert_int_eq(ack.bid, 5);
	ck_assert_int_eq(ack.seq, 1);

	child_sa = verifier_active(peer, 5, 3, PEER_2, ME_2);
	child_sa->destroy(child_sa);
	ck_assert_int_eq(binding_state(peer, 5), MIF_BINDING_ACTIVE);
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(5, 3), NULL),
					 MIF_ACK_STALE_SEQ);
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(5, 2), NULL),
					 MIF_ACK_STALE_SEQ);
	ck_assert_int_eq(path_state(peer, 5), MIF_PATH_ACTIVE);
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(5, 4), &ack),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(ack.seq, 4);
	ck_assert_int_eq(path_state(peer, 5), -1);
	ck_assert_int_eq(binding_state(peer, 5), -1);
	/* idempotent: UNKNOWN_BID, which the sender treats as success */
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(5, 5), NULL),
					 MIF_ACK_UNKNOWN_BID);
}
END_TEST

START_TEST(test_child_up_down)
{
	child_sa_t *child_sa, *other;

	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	ck_assert_int_eq(binding_state(peer, 2), MIF_BINDING_ACTIVE);
	ck_assert_int_eq(path_get(peer, 2)->child_id,
					 child_sa->get_unique_id(child_sa));

	/* another CHILD SA of that name going down is not the path's */
	other = path_child(peer, 2, ME_2, PEER_2);
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, other, FALSE);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);
	other->destroy(other);

	/* the path's own: path gone */
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, child_sa, FALSE);
	ck_assert_int_eq(path_state(peer, 2), -1);
	ck_assert_int_eq(binding_state(peer, 2), -1);
	child_sa->destroy(child_sa);
}
END_TEST

START_TEST(test_update_down)
{
	mif_msg_path_update_t update = {
		.count = 1,
		.entries = {
			{ .bid = 2, .seq = 1, .priority = 20, .state = MIF_WIRE_STANDBY },
		},
	};
	const char *reason;
	message_t *message;
	child_sa_t *child_sa;
	chunk_t data;

	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	child_sa->destroy(child_sa);
	/* not newer: ignored */
	ck_assert(mif_msg_build_path_update(&update, &data, &reason) ==
			  MIF_MSG_OK);
	message = info_request(peer);
	message->add_notify(message, FALSE, MIF_PATH_UPDATE, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	message->destroy(message);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_ACTIVE);

	update.entries[0].seq = 2;
	ck_assert(mif_msg_build_path_update(&update, &data, &reason) ==
			  MIF_MSG_OK);
	message = info_request(peer);
	message->add_notify(message, FALSE, MIF_PATH_UPDATE, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	message->destroy(message);
	ck_assert_int_eq(path_state(peer, 2), MIF_PATH_DEAD);
	ck_assert_int_eq(path_get(peer, 2)->prio, 20);
}
END_TEST

/**
 * Path events as mifctl monitor gets them: "EVENT BID REASON" each.
 */
static char events[8][64];
static int event_count;

static void record_event(mif_path_event_listener_t *this,
						 mif_path_event_t *event)
{
	ck_assert(event_count < countof(events));
	ck_assert_int_eq(event->ike_id, peer->ike_sa->get_unique_id(peer->ike_sa));
	ck_assert(host_is(event->local, ME_2) && host_is(event->remote, PEER_2));
	snprintf(events[event_count++], sizeof(events[0]), "%N %u %s",
			 mif_path_event_names, event->type, event->bid,
			 event->reason ?: "-");
}

/*
 * Every state change of a path and its end is published to the event
 * listeners, and only to registered ones.
 */
START_TEST(test_events)
{
	mif_path_event_listener_t listener = {
		.event = record_event,
	};
	mif_msg_path_update_t update = {
		.count = 1,
		.entries = {
			{ .bid = 2, .seq = 2, .priority = 20, .state = MIF_WIRE_STANDBY },
		},
	};
	const char *reason;
	message_t *message;
	child_sa_t *child_sa;
	chunk_t data;

	event_count = 0;
	mgr->add_event_listener(mgr, &listener);
	child_sa = verifier_active(peer, 2, 1, PEER_2, ME_2);
	child_sa->destroy(child_sa);
	ck_assert(mif_msg_build_path_update(&update, &data, &reason) ==
			  MIF_MSG_OK);
	message = info_request(peer);
	message->add_notify(message, FALSE, MIF_PATH_UPDATE, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	message->destroy(message);
	ck_assert_int_eq(request(MIF_PATH_REMOVE, build_remove(2, 3), NULL),
					 MIF_ACK_ACCEPTED);
	ck_assert_int_eq(event_count, 5);
	ck_assert_str_eq(events[0], "added 2 peer-announced");
	ck_assert_str_eq(events[1], "proven 2 rr-cookie-echoed");
	ck_assert_str_eq(events[2], "active 2 child-sa-up");
	ck_assert_str_eq(events[3], "dead 2 peer-update");
	ck_assert_str_eq(events[4], "removed 2 peer-removed");

	mgr->remove_event_listener(mgr, &listener);
	jobs_run();
	child_sa = verifier_active(peer, 3, 1, PEER_2, ME_2);
	child_sa->destroy(child_sa);
	ck_assert_int_eq(event_count, 5);
}
END_TEST

TCase *verifier_tests(void)
{
	TCase *tc = tcase_create("verifier");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_valid);
	tcase_add_test(tc, test_add_not_ours);
	tcase_add_test(tc, test_add_stale_seq);
	tcase_add_test(tc, test_add_move);
	tcase_add_test(tc, test_add_too_many);
	tcase_add_test(tc, test_add_malformed);
	tcase_add_test(tc, test_acks_in_order);
	tcase_add_test(tc, test_answers_only_their_response);
	tcase_add_test(tc, test_rr);
	tcase_add_test(tc, test_rr_timeout);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_child_up_down);
	tcase_add_test(tc, test_update_down);
	tcase_add_test(tc, test_events);
	return tc;
}
