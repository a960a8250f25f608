/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * The owner (doc/protocol.md 6.2, 8 rows 1 and 5): as original initiator
 * the manager announces its addresses, and echoes the cookie of an RR probe
 * that authentically reached the announced address, and nothing else.
 */

#include "manager_tests.h"

static peer_t *peer;

/** BID and Seq of the path announced for ME_2, and the task that sent it */
static uint16_t bid2, seq2;
static task_t *add_task;

/**
 * Run the queued send jobs and return the notifies of the first exchange
 * the manager started (message built by its task; task returned).
 */
static message_t *next_exchange(task_t **task)
{
	message_t *message;

	ck_assert(tasks_pending() || jobs_run());
	*task = task_pop();
	ck_assert(*task);
	message = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	message->set_exchange_type(message, INFORMATIONAL);
	message->set_request(message, TRUE);
	ck_assert_int_eq((*task)->build(*task, message), NEED_MORE);
	return message;
}

static void setup(void)
{
	mif_msg_path_add_t add;
	const char *reason;
	message_t *message;
	task_t *task;
	chunk_t data;
	u_int adds = 0;

	harness_setup();
	peer = peer_create(TRUE);
	data = peer_supported_data(peer);
	ck_assert(negotiate_initiator(peer, data));
	chunk_free(&data);
	ck_assert(peer_enabled(peer));

	/* one exchange per announced address; find ME_2's */
	ck_assert(jobs_run() > 0);
	while ((task = task_pop()))
	{
		message = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
		ck_assert_int_eq(task->build(task, message), NEED_MORE);
		ck_assert_int_eq(count_notifies(message, MIF_PATH_ADD), 1);
		ck_assert(mif_msg_parse_path_add(get_notify_data(message,
								MIF_PATH_ADD), &add, &reason) == MIF_MSG_OK);
		if (host_is(add.local, ME_2))
		{
			bid2 = add.bid;
			seq2 = add.seq;
			add_task = task;
		}
		else
		{
			task->destroy(task);
		}
		mif_msg_path_add_clear(&add);
		message->destroy(message);
		adds++;
	}
	ck_assert_int_eq(adds, path_count(peer));
	ck_assert(add_task);
}

static void teardown(void)
{
	add_task->destroy(add_task);
	add_task = NULL;
	bid2 = seq2 = 0;
	peer_destroy(peer);
	harness_teardown();
}

START_TEST(test_announce)
{
	enumerator_t *enumerator;
	child_cfg_t *cfg;
	mif_path_t *path;
	peer_cfg_t *peer_cfg;
	bool found = FALSE;

	/* usable IPv4 addresses: the IKE SA's own and the second one; no
	 * link-local, no peer address for IPv6, none over our GRE devices */
	ck_assert_int_eq(path_count(peer), 2);
	path = path_get(peer, bid2);
	ck_assert_int_eq(path->state, MIF_PATH_ANNOUNCED);
	ck_assert(host_is(path->local, ME_2));
	ck_assert(host_is(path->remote, PEER_IKE));
	ck_assert_str_eq(path->ifname, "tst1");
	ck_assert_int_eq(path->seq, seq2);
	ck_assert(bid2 >= 2 && bid2 < 0x8000);
	ck_assert_int_eq(binding_state(peer, bid2), MIF_BINDING_PROBING);
	/* the CHILD SA the verifier will create is acceptable to us */
	peer_cfg = peer->ike_sa->get_peer_cfg(peer->ike_sa);
	enumerator = peer_cfg->create_child_cfg_enumerator(peer_cfg);
	while (enumerator->enumerate(enumerator, &cfg))
	{
		if (streq(cfg->get_name(cfg), "mif-path-2") ||
			streq(cfg->get_name(cfg), "mif-path-3"))
		{
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	ck_assert(found);
	/* announcing is not probing */
	ck_assert_int_eq(probes_pending(), 0);
}
END_TEST

START_TEST(test_exchange_waits_for_ike_path)
{
	job_requeue_t requeue;
	message_t *message;
	task_t *task;
	job_t *job;

	/* MOBIKE first: while the kernel would not use the IKE SA's address
	 * towards the peer, our exchange is retried instead of started */
	fake_net_source(ME_2);
	ck_assert(mgr->remove_path(mgr, peer->ike_sa->get_unique_id(peer->ike_sa),
							   bid2));
	job = job_pop();
	ck_assert(job);
	requeue = job->execute(job);
	ck_assert_int_eq(requeue.type, JOB_REQUEUE_TYPE_SCHEDULE);
	ck_assert_int_eq(tasks_pending(), 0);
	fake_net_source(NULL);
	requeue = job->execute(job);
	ck_assert_int_eq(requeue.type, JOB_REQUEUE_TYPE_SCHEDULE);
	ck_assert_int_eq(tasks_pending(), 0);

	fake_net_source(ME_IKE);
	requeue = job->execute(job);
	ck_assert_int_eq(requeue.type, JOB_REQUEUE_TYPE_NONE);
	job->destroy(job);
	message = next_exchange(&task);
	ck_assert_int_eq(count_notifies(message, MIF_PATH_REMOVE), 1);
	message->destroy(message);
	task->destroy(task);
}
END_TEST

START_TEST(test_remove_path)
{
	mif_msg_path_remove_t rem;
	const char *reason;
	message_t *message;
	task_t *task;

	ck_assert(mgr->remove_path(mgr, peer->ike_sa->get_unique_id(peer->ike_sa),
							   bid2));
	ck_assert_int_eq(path_state(peer, bid2), -1);
	ck_assert_int_eq(binding_state(peer, bid2), -1);
	message = next_exchange(&task);
	ck_assert(mif_msg_parse_path_remove(get_notify_data(message,
							MIF_PATH_REMOVE), &rem, &reason) == MIF_MSG_OK);
	ck_assert_int_eq(rem.bid, bid2);
	ck_assert(mif_msg_seq_newer(rem.seq, seq2));
	ck_assert_int_eq(rem.reason, MIF_REMOVE_ADMIN);
	message->destroy(message);
	task->destroy(task);
}
END_TEST

/**
 * The peer's response to our ADD carries this ACK.
 */
static void ack_add(uint8_t status)
{
	mif_msg_path_ack_t ack = {
		.bid = bid2,
		.seq = seq2,
		.status = status,
	};
	message_t *response;
	const char *reason;
	chunk_t data;

	response = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	response->set_exchange_type(response, INFORMATIONAL);
	response->set_request(response, FALSE);
	ck_assert(mif_msg_build_path_ack(&ack, &data, &reason) == MIF_MSG_OK);
	response->add_notify(response, FALSE, MIF_PATH_ACK, data);
	chunk_free(&data);
	ck_assert_int_eq(add_task->process(add_task, response), SUCCESS);
	response->destroy(response);
}

START_TEST(test_ack_accepted)
{
	ack_add(MIF_ACK_ACCEPTED);
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_ANNOUNCED);
	ck_assert_int_eq(binding_state(peer, bid2), MIF_BINDING_PROBING);
}
END_TEST

START_TEST(test_peer_add_in_our_half)
{
	mif_msg_path_ack_t acks[2];
	message_t *message;
	chunk_t data = build_add(bid2, seq2 + 5, PEER_2, ME_2);

	/* an ADD reusing the BID of our own announced path must not take it
	 * over: the responder allocates from 0x8000 up */
	message = info_request(peer);
	message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	ck_assert_int_eq(get_acks(message, acks, countof(acks)), 1);
	ck_assert_int_eq(acks[0].status, MIF_ACK_BID_CONFLICT);
	message->destroy(message);
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_ANNOUNCED);
}
END_TEST

START_TEST(test_ack_refused)
{
	ack_add(MIF_ACK_BAD_ADDRESS);
	ck_assert_int_eq(path_state(peer, bid2), -1);
	ck_assert_int_eq(binding_state(peer, bid2), -1);
	ck_assert_int_eq(path_count(peer), 1);
}
END_TEST

/**
 * An RR probe for the ME_2 path as the verifier would send it.
 */
static chunk_t rr_probe(chunk_t key, uint16_t bid, uint16_t seq,
						uint8_t *cookie)
{
	return build_probe(peer, key, MIF_PROBE_REQUEST, MIF_PROBE_RR, bid, seq,
					   0, cookie, ME_2, mgr_probe_port);
}

START_TEST(test_rr_echo)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	mif_msg_path_rr_t rr;
	message_t *message;
	const char *reason;
	task_t *task;

	memset(cookie, 0x5a, sizeof(cookie));
	deliver_probe(PEER_IKE, ME_2, rr_probe(peer->key_in, bid2, seq2, cookie));
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_CHILD);
	/* the cookie goes back inside the IKE SA, not over the path */
	ck_assert_int_eq(probes_pending(), 0);
	message = next_exchange(&task);
	ck_assert_int_eq(count_notifies(message, MIF_PATH_RR), 1);
	ck_assert(mif_msg_parse_path_rr(get_notify_data(message, MIF_PATH_RR),
									&rr, &reason) == MIF_MSG_OK);
	ck_assert_int_eq(rr.bid, bid2);
	ck_assert_int_eq(rr.seq, seq2);
	ck_assert(memeq(rr.cookie, cookie, sizeof(cookie)));
	message->destroy(message);
	task->destroy(task);

	/* echoed once: a repeated probe does not start another exchange */
	deliver_probe(PEER_IKE, ME_2, rr_probe(peer->key_in, bid2, seq2, cookie));
	ck_assert_int_eq(jobs_pending(), 0);
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_CHILD);
}
END_TEST

START_TEST(test_rr_ignored)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN], key[MIF_MSG_PROBE_KEY_LEN];
	chunk_t dgram;

	memset(cookie, 0x5a, sizeof(cookie));
	memset(key, 0x11, sizeof(key));

	/* signed with a key nobody derived */
	deliver_probe(PEER_IKE, ME_2, rr_probe(chunk_from_thing(key), bid2, seq2,
										   cookie));
	/* our own direction's key: a reflected probe */
	deliver_probe(PEER_IKE, ME_2, rr_probe(peer->key_out, bid2, seq2,
										   cookie));
	/* valid, but tampered with after signing */
	dgram = rr_probe(peer->key_in, bid2, seq2, cookie);
	dgram.ptr[30] ^= 0x01;
	deliver_probe(PEER_IKE, ME_2, dgram);
	/* valid, for a BID we do not have */
	deliver_probe(PEER_IKE, ME_2, rr_probe(peer->key_in, 99, seq2, cookie));
	/* valid, for an older incarnation */
	deliver_probe(PEER_IKE, ME_2, rr_probe(peer->key_in, bid2, seq2 - 1,
										   cookie));
	/* valid, but arriving on another of our addresses */
	deliver_probe(PEER_IKE, ME_IKE, rr_probe(peer->key_in, bid2, seq2,
											 cookie));
	/* valid, but from somebody other than the path's peer address */
	deliver_probe(STRANGER, ME_2, rr_probe(peer->key_in, bid2, seq2,
										   cookie));
	/* valid RR flag on a REPLY: not an RR request */
	deliver_probe(PEER_IKE, ME_2, build_probe(peer, peer->key_in,
					MIF_PROBE_REPLY, MIF_PROBE_RR, bid2, seq2, 0, cookie,
					ME_2, mgr_probe_port));
	/* garbage */
	deliver_probe(PEER_IKE, ME_2, chunk_clone(chunk_from_chars(0x01, 0x01)));

	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_ANNOUNCED);
	ck_assert_int_eq(jobs_pending(), 0);
	ck_assert_int_eq(tasks_pending(), 0);

	/* and the genuine one still works afterwards */
	deliver_probe(PEER_IKE, ME_2, rr_probe(peer->key_in, bid2, seq2, cookie));
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_CHILD);
}
END_TEST

START_TEST(test_liveness_requests)
{
	child_sa_t *child_sa;
	mif_msg_probe_t probe;
	sent_probe_t *sent;
	uint32_t number = 0;
	uint8_t cookie[MIF_MSG_COOKIE_LEN] = {};
	int i;

	deliver_probe(PEER_IKE, ME_2, rr_probe(peer->key_in, bid2, seq2, cookie));
	ck_assert_int_eq(jobs_run(), 1);
	child_sa = path_child(peer, bid2, ME_2, PEER_IKE);
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, child_sa, TRUE);
	child_sa->destroy(child_sa);
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_ACTIVE);
	ck_assert_int_eq(binding_state(peer, bid2), MIF_BINDING_ACTIVE);

	/* the owner sends a signed request every tick, numbers counting up */
	for (i = 0; i < 3; i++)
	{
		mif_liveness_tick(priv);
		ck_assert_int_eq(probes_pending(), 1);
		sent = probe_pop();
		ck_assert(host_is(sent->src, ME_2));
		ck_assert(host_is(sent->dst, PEER_IKE));
		ck_assert_int_eq(sent->dst->get_port(sent->dst), PEER_PROBE_PORT);
		ck_assert(parse_sent_probe(peer, sent, &probe));
		ck_assert_int_eq(probe.type, MIF_PROBE_REQUEST);
		ck_assert_int_eq(probe.flags, 0);
		ck_assert_int_eq(probe.bid, bid2);
		ck_assert(i == 0 || probe.number == number + 1);
		number = probe.number;
		mif_msg_probe_clear(&probe);
		sent_probe_destroy(sent);
	}
}
END_TEST

/**
 * Run ticks until the manager announces ME_2 again; the new path.
 */
static mif_path_t *reannounced(u_int max_ticks)
{
	mif_path_t *path;
	u_int i;

	for (i = 0; i < max_ticks; i++)
	{
		mif_liveness_tick(priv);
		jobs_run();
		path = path_find_local(peer, ME_2);
		if (path)
		{
			return path;
		}
	}
	return NULL;
}

/* review M6: a path the peer never checked, or whose CHILD SA never came,
 * was given up (or stuck) and its address never announced again */
START_TEST(test_announced_timeout_reannounced)
{
	mif_path_t *path;

	age_state(peer, bid2, (TEST_RR_TRIES + 5) * 1000);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, bid2), -1);
	ck_assert_int_eq(binding_state(peer, bid2), -1);
	while (tasks_pending())
	{
		task_t *task = task_pop();
		task->destroy(task);
	}
	path = reannounced(3000 / TEST_INTERVAL);
	ck_assert(path);
	ck_assert(path->bid != bid2);
	ck_assert_int_eq(path->state, MIF_PATH_ANNOUNCED);
	ck_assert_int_eq(tasks_pending(), 1);
}
END_TEST

START_TEST(test_child_timeout_reannounced)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN] = {};
	mif_path_t *path;

	deliver_probe(PEER_IKE, ME_2, rr_probe(peer->key_in, bid2, seq2, cookie));
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_CHILD);
	jobs_run();
	/* the CHILD SA may queue behind others: not yet given up after the
	 * ANNOUNCED state's time */
	age_state(peer, bid2, (TEST_RR_TRIES + 5) * 1000);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_CHILD);
	age_state(peer, bid2, MIF_CHILD_TIMEOUT * 1000);
	mif_liveness_tick(priv);
	ck_assert_int_eq(path_state(peer, bid2), -1);
	path = reannounced(3000 / TEST_INTERVAL);
	ck_assert(path);
	ck_assert(path->bid != bid2);
}
END_TEST

/* review M6: a notify queued before an IKE rekey was dropped: its job
 * looked up the old IKE SA */
START_TEST(test_notify_survives_ike_rekey)
{
	message_t *message;
	task_t *task;

	ck_assert(mgr->remove_path(mgr, peer->ike_sa->get_unique_id(peer->ike_sa),
							   bid2));
	peer_rekey(peer);
	message = next_exchange(&task);
	ck_assert_int_eq(count_notifies(message, MIF_PATH_REMOVE), 1);
	message->destroy(message);
	task->destroy(task);
}
END_TEST

/* review L5: ACKs were matched by BID only; an ACK about an earlier
 * incarnation of the BID dropped the current one */
START_TEST(test_stale_ack_ignored)
{
	seq2--;
	ack_add(MIF_ACK_REFUSED);
	seq2++;
	ck_assert_int_eq(path_state(peer, bid2), MIF_PATH_ANNOUNCED);
}
END_TEST

/* the peer gave a path up as dead: its address is offered again later */
START_TEST(test_peer_remove_dead_reannounced)
{
	mif_msg_path_ack_t acks[1];
	mif_msg_path_remove_t rem = {
		.bid = bid2,
		.seq = seq2 + 1,
		.reason = MIF_REMOVE_DEAD,
	};
	const char *reason;
	message_t *message;
	chunk_t data;

	ck_assert(mif_msg_build_path_remove(&rem, &data, &reason) == MIF_MSG_OK);
	message = info_request(peer);
	message->add_notify(message, FALSE, MIF_PATH_REMOVE, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	ck_assert_int_eq(get_acks(message, acks, countof(acks)), 1);
	ck_assert_int_eq(acks[0].status, MIF_ACK_ACCEPTED);
	message->destroy(message);
	ck_assert_int_eq(path_state(peer, bid2), -1);
	ck_assert(reannounced((TEST_RR_TRIES + 1) * 1000 / TEST_INTERVAL));
}
END_TEST

/* BIDs of a long day: allocation wraps within our half, skipping BIDs in
 * use, and never enters the peer's half (doc/protocol.md 3) */
START_TEST(test_bid_wraps)
{
	mif_conn_t *conn = peer_conn(peer);
	uint16_t bid;

	conn->next_bid = 0x7fff;
	ck_assert_int_eq(mif_conn_next_bid(conn), 0x7fff);
	bid = mif_conn_next_bid(conn);
	ck_assert(bid >= 2 && bid < 0x8000);
	ck_assert(!mif_conn_get_path(conn, bid) || bid == 0x7fff);
	ck_assert(bid != bid2);
}
END_TEST

TCase *owner_tests(void)
{
	TCase *tc = tcase_create("owner");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_announce);
	tcase_add_test(tc, test_exchange_waits_for_ike_path);
	tcase_add_test(tc, test_remove_path);
	tcase_add_test(tc, test_ack_accepted);
	tcase_add_test(tc, test_ack_refused);
	tcase_add_test(tc, test_peer_add_in_our_half);
	tcase_add_test(tc, test_rr_echo);
	tcase_add_test(tc, test_rr_ignored);
	tcase_add_test(tc, test_liveness_requests);
	tcase_add_test(tc, test_announced_timeout_reannounced);
	tcase_add_test(tc, test_child_timeout_reannounced);
	tcase_add_test(tc, test_notify_survives_ike_rekey);
	tcase_add_test(tc, test_stale_ack_ignored);
	tcase_add_test(tc, test_peer_remove_dead_reannounced);
	tcase_add_test(tc, test_bid_wraps);
	return tc;
}
