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

/*
 * RFC 6089 flow bindings: validation, ordering, selection, refresh.
 */

#include "mif_tests.h"

#include <selectors/traffic_selector.h>

static mif_backend_t *backend;
static recorder_t *rec;
static mif_key_t key;

static void setup()
{
	mif_reg_entry_t entries[] = {
		reg_entry(1, "192.0.2.1", 60),
		reg_entry(2, "198.51.100.2", 60),
		reg_entry(3, "203.0.113.3", 60),
	};
	mif_reg_t req = { .seq = 1, .count = 3, .entries = entries };

	mif_test_setup();
	backend = mif_backend_create(NULL, NULL);
	rec = recorder_create();
	backend->add_listener(backend, &rec->public);
	key = key_hoa("10.10.0.1");
	req.key = key;
	entries[0].prio = 20;
	entries[1].prio = 10;
	entries[2].prio = 30;
	ck_assert_int_eq(backend->registration(backend, &req), 0);
}

static void teardown()
{
	backend->remove_listener(backend, &rec->public);
	backend->destroy(backend);
	recorder_destroy(rec);
	mif_test_teardown();
}

/**
 * Flow for TCP to a destination port on IPv4
 */
static mif_flow_t tcp_flow(uint16_t fid, uint16_t prio, uint16_t port,
						   uint16_t bid1, uint16_t bid2)
{
	mif_flow_t flow = {
		.fid = fid,
		.prio = prio,
		.action = MIF_FLOW_BIDS,
		.nbids = bid2 ? 2 : 1,
		.bids = { bid1, bid2 },
	};

	mif_ts_any(&flow.ts, AF_INET);
	flow.ts.proto = IPPROTO_TCP;
	flow.ts.dport_lo = flow.ts.dport_hi = port;
	return flow;
}

static mif_packet_t tcp_packet(uint16_t port)
{
	return (mif_packet_t){
		.src = addr("192.0.2.99"),
		.dst = addr("10.10.0.1"),
		.proto = IPPROTO_TCP,
		.sport = 40000,
		.dport = port,
	};
}

START_TEST(test_flow_validation)
{
	mif_flow_t flow = tcp_flow(1, 10, 80, 1, 0);

	flow.fid = 0;
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_MALFORMED);
	flow = tcp_flow(1, 0, 80, 1, 0);
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_MALFORMED);
	flow = tcp_flow(1, 10, 80, 1, 0);
	flow.nbids = 0;
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_MALFORMED);
	flow = tcp_flow(1, 10, 80, 1, 1);
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_MALFORMED);
	flow = tcp_flow(1, 10, 80, 1, 0);
	flow.nbids = MIF_FLOW_MAX_BIDS + 1;
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_MALFORMED);
	flow = tcp_flow(1, 10, 80, 1, 0);
	flow.action = MIF_FLOW_DROP;
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_MALFORMED);
	flow.action = 77;
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_MALFORMED);
	flow = tcp_flow(1, 10, 80, 1, 0);
	flow.ts.family = 0;
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow),
					 MIF_FLOW_TS_UNSUPPORTED);
	flow = tcp_flow(1, 10, 80, 1, 0);
	flow.ts.dport_lo = 100;
	flow.ts.dport_hi = 99;
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow),
					 MIF_FLOW_TS_UNSUPPORTED);
	flow = tcp_flow(1, 10, 80, 1, 9);
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow),
					 MIF_FLOW_BID_NOT_FOUND);
	flow = tcp_flow(1, 10, 80, 1, 0);
	ck_assert_int_eq(backend->set_flow(backend, KEY("10.99.0.1"), &flow),
					 MIF_FLOW_BID_NOT_FOUND);
	ck_assert_int_eq(backend->get_flows(backend, &key, NULL, 0), 0);

	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_OK);
	/* FID-PRI must be unique per mobile node */
	flow = tcp_flow(2, 10, 443, 2, 0);
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_REJECTED);
	ck_assert_int_eq(backend->get_flows(backend, &key, NULL, 0), 1);
	ck_assert_int_eq(recorder_count(rec, 'f', MIF_EVENT_ADDED), 1);
}
END_TEST

START_TEST(test_flow_select)
{
	mif_flow_t flows[4], flow;
	mif_flow_action_t action;
	mif_packet_t pkt;
	uint16_t bids[4];

	/* default: unmatched traffic uses the best BID-PRI (BID 2) */
	pkt = tcp_packet(22);
	ck_assert_int_eq(backend->select(backend, &key, &pkt, &action, bids, 4), 1);
	ck_assert_int_eq(action, MIF_FLOW_BIDS);
	ck_assert_int_eq(bids[0], 2);

	flow = tcp_flow(10, 50, 80, 3, 0);
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_OK);
	flow = tcp_flow(11, 5, 80, 1, 3);	/* better priority, replicated */
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_OK);
	flow = tcp_flow(12, 7, 25, 1, 0);
	flow.action = MIF_FLOW_DROP;
	flow.nbids = 0;
	memset(flow.bids, 0, sizeof(flow.bids));
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_OK);

	ck_assert_int_eq(backend->get_flows(backend, &key, flows, 4), 3);
	ck_assert_int_eq(flows[0].fid, 11);
	ck_assert_int_eq(flows[1].fid, 12);
	ck_assert_int_eq(flows[2].fid, 10);

	pkt = tcp_packet(80);
	ck_assert_int_eq(backend->select(backend, &key, &pkt, &action, bids, 4), 2);
	ck_assert_int_eq(bids[0], 1);
	ck_assert_int_eq(bids[1], 3);
	pkt = tcp_packet(25);
	ck_assert_int_eq(backend->select(backend, &key, &pkt, &action, bids, 4), 0);
	ck_assert_int_eq(action, MIF_FLOW_DROP);
	pkt.proto = IPPROTO_UDP;
	ck_assert_int_eq(backend->select(backend, &key, &pkt, &action, bids, 4), 1);
	ck_assert_int_eq(action, MIF_FLOW_BIDS);
	ck_assert_int_eq(bids[0], 2);

	/* BID 1 gone: flow 11 still active via BID 3, BID 1 skipped */
	ck_assert(backend->deregister(backend, &key, 1));
	pkt = tcp_packet(80);
	ck_assert_int_eq(backend->select(backend, &key, &pkt, &action, bids, 4), 1);
	ck_assert_int_eq(bids[0], 3);
	/* BID 3 gone too: flows 10 and 11 inactive, default binding 2 */
	ck_assert(backend->deregister(backend, &key, 3));
	ck_assert_int_eq(backend->get_flows(backend, &key, flows, 4), 3);
	ck_assert(!flows[0].active);
	ck_assert(flows[1].active);
	ck_assert(!flows[2].active);
	ck_assert_int_eq(backend->select(backend, &key, &pkt, &action, bids, 4), 1);
	ck_assert_int_eq(bids[0], 2);
	/* standby bindings lose against active ones, but still serve */
	ck_assert(backend->set_state(backend, &key, 2, MIF_BINDING_STANDBY));
	ck_assert_int_eq(backend->select(backend, &key, &pkt, &action, bids, 4), 1);
	ck_assert_int_eq(bids[0], 2);
}
END_TEST

START_TEST(test_flow_modify_refresh)
{
	mif_flow_t flow, flows[4];
	uint16_t keep[] = { 2 };

	flow = tcp_flow(1, 10, 80, 1, 0);
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_OK);
	flow = tcp_flow(2, 20, 443, 2, 0);
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_OK);
	/* modify: FID 1 moves behind FID 2 */
	flow = tcp_flow(1, 30, 8080, 3, 0);
	ck_assert_int_eq(backend->set_flow(backend, &key, &flow), MIF_FLOW_OK);
	ck_assert_int_eq(backend->get_flows(backend, &key, flows, 4), 2);
	ck_assert_int_eq(flows[0].fid, 2);
	ck_assert_int_eq(flows[1].fid, 1);
	ck_assert_int_eq(flows[1].bids[0], 3);
	ck_assert_int_eq(flows[1].ts.dport_lo, 8080);
	ck_assert_int_eq(recorder_count(rec, 'f', MIF_EVENT_UPDATED), 1);

	/* a refresh naming an unknown FID changes nothing */
	ck_assert_int_eq(backend->refresh_flows(backend, &key,
							(uint16_t[]){ 2, 9 }, 2), MIF_FLOW_FID_NOT_FOUND);
	ck_assert_int_eq(backend->get_flows(backend, &key, flows, 4), 2);
	/* FIDs not listed in a refresh are removed (RFC 6089 §5.2.3) */
	ck_assert_int_eq(backend->refresh_flows(backend, &key, keep, 1),
					 MIF_FLOW_OK);
	ck_assert_int_eq(backend->get_flows(backend, &key, flows, 4), 1);
	ck_assert_int_eq(flows[0].fid, 2);
	ck_assert_int_eq(backend->remove_flow(backend, &key, 1),
					 MIF_FLOW_FID_NOT_FOUND);
	ck_assert_int_eq(backend->remove_flow(backend, &key, 2), MIF_FLOW_OK);
	ck_assert_int_eq(recorder_count(rec, 'f', MIF_EVENT_REMOVED), 2);
}
END_TEST

START_TEST(test_ts_convert)
{
	traffic_selector_t *src, *dst;
	mif_packet_t pkt;
	mif_ts_t ts;

	src = traffic_selector_create_from_cidr("192.0.2.0/24", IPPROTO_UDP, 0,
											65535);
	dst = traffic_selector_create_from_cidr("10.10.0.1/32", IPPROTO_UDP, 5000,
											5010);
	ck_assert(mif_ts_from_traffic_selectors(&ts, src, dst));
	pkt = (mif_packet_t){
		.src = addr("192.0.2.77"), .dst = addr("10.10.0.1"),
		.proto = IPPROTO_UDP, .sport = 1234, .dport = 5005,
	};
	ck_assert(mif_ts_match(&ts, &pkt));
	pkt.dport = 5011;
	ck_assert(!mif_ts_match(&ts, &pkt));
	pkt.dport = 5000;
	pkt.src = addr("192.0.3.1");
	ck_assert(!mif_ts_match(&ts, &pkt));
	pkt.src = addr("2001:db8::1");
	ck_assert(!mif_ts_match(&ts, &pkt));
	dst->destroy(dst);

	/* mixed families can not form one selector */
	dst = traffic_selector_create_from_cidr("2001:db8::/64", 0, 0, 65535);
	ck_assert(!mif_ts_from_traffic_selectors(&ts, src, dst));
	src->destroy(src);
	dst->destroy(dst);
}
END_TEST

Suite *mif_flow_suite()
{
	Suite *s;
	TCase *tc;

	s = suite_create("mif flows");
	tc = tcase_create("flow bindings");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_flow_validation);
	tcase_add_test(tc, test_flow_select);
	tcase_add_test(tc, test_flow_modify_refresh);
	tcase_add_test(tc, test_ts_convert);
	suite_add_tcase(s, tc);
	return s;
}
