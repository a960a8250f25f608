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
 * Sequence numbers, registration, bulk status codes, overwrite, lookups,
 * SA references, events and rejection of bad input.
 */

#include "mif_tests.h"
#include "mif_index.h"

static mif_backend_t *backend;
static recorder_t *rec;

static void setup()
{
	mif_test_setup();
	backend = mif_backend_create(NULL, NULL);
	rec = recorder_create();
	backend->add_listener(backend, &rec->public);
}

static void teardown()
{
	backend->remove_listener(backend, &rec->public);
	backend->destroy(backend);
	recorder_destroy(rec);
	mif_test_teardown();
}

START_TEST(test_seq_compare)
{
	ck_assert(mif_seq_gt(1, 0));
	ck_assert(!mif_seq_gt(0, 0));
	ck_assert(!mif_seq_gt(0, 1));
	ck_assert(mif_seq_gt(0, 65535));
	ck_assert(mif_seq_gt(5, 65530));
	ck_assert(!mif_seq_gt(65530, 5));
	ck_assert(mif_seq_gt(32767, 0));
	/* exactly half the space away is ambiguous: never "greater" */
	ck_assert(!mif_seq_gt(32768, 0));
	ck_assert(!mif_seq_gt(0, 32768));
	ck_assert_int_eq(mif_seq_next(65535), 0);
}
END_TEST

START_TEST(test_seq_antisymmetric)
{
	uint32_t a, b;

	/* for every pair at most one direction is greater */
	for (a = 0; a < 65536; a += 257)
	{
		for (b = 0; b < 65536; b += 263)
		{
			ck_assert(!(mif_seq_gt(a, b) && mif_seq_gt(b, a)));
			ck_assert_int_eq(mif_seq_gt(a, b) || mif_seq_gt(b, a) ||
							 ((uint16_t)(a - b)) % 32768 == 0, TRUE);
		}
	}
}
END_TEST

START_TEST(test_seq_wraparound)
{
	mif_key_t key = key_hoa("2001:db8::1");
	mif_binding_t b;
	uint16_t seq;

	ck_assert_int_eq(reg1(backend, "2001:db8::1", 65534, 1, "2001:db8:1::1", 60),
					 MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(reg1(backend, "2001:db8::1", 65535, 1, "2001:db8:1::2", 60),
					 MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(reg1(backend, "2001:db8::1", 0, 1, "2001:db8:1::3", 60),
					 MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(reg1(backend, "2001:db8::1", 1, 1, "2001:db8:1::4", 60),
					 MIF_STATUS_ACCEPTED);
	/* replays from before the wrap are out of window */
	ck_assert_int_eq(reg1(backend, "2001:db8::1", 65535, 1, "2001:db8:1::5", 60),
					 MIF_STATUS_SEQ_OUT_OF_WINDOW);
	ck_assert_int_eq(reg1(backend, "2001:db8::1", 1, 1, "2001:db8:1::5", 60),
					 MIF_STATUS_SEQ_OUT_OF_WINDOW);
	ck_assert(backend->get_binding(backend, &key, 1, &b));
	ck_assert(mif_addr_equals(&b.coa, &(mif_addr_t){ .family = AF_INET6,
				.addr = { 0x20,0x01,0x0d,0xb8,0,1,[15] = 4 } }));
	ck_assert_int_eq(b.seq, 1);
	ck_assert(backend->get_seq(backend, &key, &seq));
	ck_assert_int_eq(seq, 1);
	/* the rejected BU must not have produced events */
	ck_assert_int_eq(recorder_count(rec, 'b', MIF_EVENT_UPDATED), 3);
}
END_TEST

START_TEST(test_seq_auto)
{
	mif_reg_entry_t entry = reg_entry(7, "192.0.2.7", 60);
	mif_reg_t req = {
		.key = { .id = "carol@strongswan.org" },
		.flags = MIF_REG_AUTO_SEQ,
		.count = 1,
		.entries = &entry,
	};

	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(req.seq, 1);
	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(req.seq, 2);
}
END_TEST

START_TEST(test_register_refresh_deregister)
{
	mif_key_t key = key_hoa("2001:db8::1");
	mif_reg_entry_t entry = reg_entry(3, "198.51.100.9", 120);
	mif_reg_t req = { .key = key, .seq = 10, .count = 1, .entries = &entry };
	mif_binding_t b, list[4];
	rec_event_t ev;

	entry.coa.port = 4500;
	entry.remote = addr("203.0.113.1");
	entry.prio = 5;
	entry.ifindex = 3;
	strcpy(entry.ifname, "wlan0");
	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(entry.status, MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(entry.granted, 120);
	ck_assert(backend->get_binding(backend, &key, 3, &b));
	ck_assert_int_eq(b.bid, 3);
	ck_assert_int_eq(b.prio, 5);
	ck_assert_int_eq(b.coa.port, 4500);
	ck_assert_int_eq(b.state, MIF_BINDING_ACTIVE);
	ck_assert_str_eq(b.ifname, "wlan0");
	ck_assert(mif_addr_equals(&b.hoa, &key.hoa));
	ck_assert(mif_addr_equals(&b.remote, &entry.remote));
	ck_assert(b.expires >= time_monotonic(NULL) + 119);

	/* refresh without CoA keeps the path */
	entry = reg_entry(3, NULL, 300);
	req.seq = 11;
	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert(backend->get_binding(backend, &key, 3, &b));
	ck_assert(mif_addr_equals(&b.coa, &(mif_addr_t){ .family = AF_INET,
												.addr = { 198,51,100,9 } }));
	ck_assert_int_eq(b.lifetime, 300);
	ck_assert_str_eq(b.ifname, "wlan0");

	/* refresh of an unknown BID needs a CoA */
	entry = reg_entry(4, NULL, 300);
	req.seq = 12;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_MCOA_UNKNOWN_COA);
	ck_assert(!backend->get_binding(backend, &key, 4, NULL));

	/* de-registration of an unknown BID */
	entry = reg_entry(9, NULL, 0);
	req.seq = 13;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_NOT_HA_FOR_MN);

	ck_assert_int_eq(backend->get_bindings(backend, &key, list, countof(list)), 1);
	entry = reg_entry(3, NULL, 0);
	req.seq = 14;
	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert(!backend->get_binding(backend, &key, 3, NULL));
	/* the session went with its last binding */
	ck_assert_int_eq(backend->get_bindings(backend, &key, list, 4), -1);
	ck_assert_int_eq(backend->get_count(backend, NULL), 0);

	ck_assert(recorder_get(rec, 0, &ev));
	ck_assert_int_eq(ev.event, MIF_EVENT_ADDED);
	ck_assert(recorder_get(rec, 1, &ev));
	ck_assert_int_eq(ev.event, MIF_EVENT_UPDATED);
	ck_assert_int_eq(ev.binding.lifetime, 300);
	ck_assert(recorder_get(rec, 2, &ev));
	ck_assert_int_eq(ev.event, MIF_EVENT_REMOVED);
	ck_assert_int_eq(ev.binding.bid, 3);
	ck_assert_int_eq(ev.binding.state, MIF_BINDING_REMOVED);
	ck_assert(!recorder_get(rec, 3, &ev));
}
END_TEST

START_TEST(test_bulk_status)
{
	mif_key_t key = key_hoa("2001:db8::2");
	mif_reg_entry_t entries[] = {
		reg_entry(1, "2001:db8:a::1", 60),		/* ok */
		reg_entry(0, "2001:db8:a::2", 60),		/* BID 0 */
		reg_entry(2, "ff02::1", 60),			/* multicast CoA */
		reg_entry(3, "2001:db8:a::3", 60),		/* duplicate ... */
		reg_entry(3, "2001:db8:a::4", 60),		/* ... BID */
		reg_entry(4, "::1", 60),				/* loopback */
		reg_entry(5, "::", 60),					/* unspecified */
		reg_entry(6, "0.0.0.0", 60),
		reg_entry(7, "255.255.255.255", 60),
		reg_entry(8, "127.0.0.1", 60),
		reg_entry(9, "224.0.0.5", 60),
		reg_entry(10, "::ffff:192.0.2.1", 60),	/* v4-mapped */
		reg_entry(11, "192.0.2.11", MIF_LIFETIME_MAX + 1),
		reg_entry(12, NULL, 60),				/* new BID without CoA */
		reg_entry(13, "192.0.2.13", 0),			/* unknown BID dereg */
		reg_entry(14, "192.0.2.14", 60),		/* ok, IPv4 */
	};
	mif_status_t expected[] = {
		MIF_STATUS_ACCEPTED, MIF_STATUS_MCOA_MALFORMED, MIF_STATUS_INVALID_COA,
		MIF_STATUS_MCOA_MALFORMED, MIF_STATUS_MCOA_MALFORMED,
		MIF_STATUS_INVALID_COA, MIF_STATUS_INVALID_COA, MIF_STATUS_INVALID_COA,
		MIF_STATUS_INVALID_COA, MIF_STATUS_INVALID_COA, MIF_STATUS_INVALID_COA,
		MIF_STATUS_INVALID_COA, MIF_STATUS_MCOA_MALFORMED,
		MIF_STATUS_MCOA_UNKNOWN_COA, MIF_STATUS_NOT_HA_FOR_MN,
		MIF_STATUS_ACCEPTED,
	};
	mif_reg_t req = {
		.key = key, .seq = 1, .count = countof(entries), .entries = entries,
	};
	mif_binding_t list[20];
	int i;

	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_MCOA_NOTCOMPLETE);
	for (i = 0; i < countof(entries); i++)
	{
		ck_assert_msg(entries[i].status == expected[i], "entry %d: %N != %N", i,
					  mif_status_names, entries[i].status,
					  mif_status_names, expected[i]);
	}
	ck_assert_int_eq(backend->get_bindings(backend, &key, list, 20), 2);
	ck_assert(backend->get_binding(backend, &key, 1, NULL));
	ck_assert(backend->get_binding(backend, &key, 14, NULL));
	ck_assert(!backend->get_binding(backend, &key, 3, NULL));
	ck_assert_int_eq(recorder_count(rec, 'b', MIF_EVENT_ADDED), 2);
}
END_TEST

START_TEST(test_bulk_prohibited)
{
	mif_config_t config = { .no_bulk = TRUE };
	mif_backend_t *strict = mif_backend_create(&config, NULL);
	mif_reg_entry_t entries[] = {
		reg_entry(1, "192.0.2.1", 60),
		reg_entry(2, "192.0.2.2", 60),
	};
	mif_reg_t req = {
		.key = key_hoa("10.0.0.1"), .seq = 1, .count = 2, .entries = entries,
	};

	ck_assert_int_eq(strict->registration(strict, &req),
					 MIF_STATUS_MCOA_BULK_PROHIBITED);
	ck_assert_int_eq(entries[0].status, MIF_STATUS_MCOA_BULK_PROHIBITED);
	ck_assert_int_eq(entries[1].status, MIF_STATUS_MCOA_BULK_PROHIBITED);
	ck_assert_int_eq(strict->get_count(strict, NULL), 0);
	req.count = 1;
	ck_assert_int_eq(strict->registration(strict, &req), MIF_STATUS_ACCEPTED);
	strict->destroy(strict);
}
END_TEST

START_TEST(test_overwrite)
{
	mif_key_t key = key_hoa("2001:db8::3");
	mif_reg_entry_t entries[] = {
		reg_entry(1, "192.0.2.1", 60),
		reg_entry(2, "192.0.2.2", 60),
		reg_entry(3, "192.0.2.3", 60),
	};
	mif_reg_t req = {
		.key = key, .seq = 1, .count = 3, .entries = entries,
	};
	mif_binding_t list[8];

	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(backend->get_bindings(backend, &key, list, 8), 3);

	/* O flag: the received set replaces all: {2 (refresh), 4 (new)} */
	entries[0] = reg_entry(2, NULL, 90);
	entries[1] = reg_entry(4, "192.0.2.4", 90);
	req.count = 2;
	req.seq = 2;
	req.flags = MIF_REG_OVERWRITE;
	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(backend->get_bindings(backend, &key, list, 8), 2);
	ck_assert(!backend->get_binding(backend, &key, 1, NULL));
	ck_assert(backend->get_binding(backend, &key, 2, &list[0]));
	ck_assert_int_eq(list[0].lifetime, 90);
	ck_assert(!backend->get_binding(backend, &key, 3, NULL));
	ck_assert(backend->get_binding(backend, &key, 4, NULL));
	ck_assert_int_eq(recorder_count(rec, 'b', MIF_EVENT_REMOVED), 2);

	/* O is ignored for de-registrations: only BID 2 goes */
	entries[0] = reg_entry(2, NULL, 0);
	req.count = 1;
	req.seq = 3;
	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(backend->get_bindings(backend, &key, list, 8), 1);
	ck_assert(backend->get_binding(backend, &key, 4, NULL));
}
END_TEST

START_TEST(test_limits)
{
	mif_config_t config = { .max_lifetime = 100, .max_bindings = 2 };
	mif_backend_t *small = mif_backend_create(&config, NULL);
	mif_reg_entry_t entries[] = {
		reg_entry(1, "192.0.2.1", 1000),
		reg_entry(2, "192.0.2.2", 50),
		reg_entry(3, "192.0.2.3", 50),
	};
	mif_reg_t req = {
		.key = key_hoa("10.0.0.1"), .seq = 1, .count = 3, .entries = entries,
	};

	ck_assert_int_eq(small->registration(small, &req),
					 MIF_STATUS_MCOA_NOTCOMPLETE);
	ck_assert_int_eq(entries[0].status, MIF_STATUS_ACCEPTED);
	ck_assert_int_eq(entries[0].granted, 100);
	ck_assert_int_eq(entries[1].granted, 50);
	ck_assert_int_eq(entries[2].status, MIF_STATUS_INSUFFICIENT_RESOURCES);
	ck_assert_int_eq(small->get_count(small, NULL), 2);
	small->destroy(small);
}
END_TEST

START_TEST(test_identity_conflict)
{
	mif_reg_entry_t entry = reg_entry(1, "192.0.2.1", 60);
	mif_reg_t req = {
		.key = { .hoa = addr("2001:db8::5"), .id = "alice" },
		.seq = 1, .count = 1, .entries = &entry,
	};
	mif_binding_t b;

	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	/* another peer must not take over alice's home address */
	req.key.id = "mallory";
	req.seq = 2;
	entry = reg_entry(1, "198.51.100.66", 60);
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_PROHIBITED);
	req.key.id = NULL;
	ck_assert(backend->get_binding(backend, &req.key, 1, &b));
	ck_assert_int_eq(b.coa.addr[0], 192);
	ck_assert_int_eq(b.seq, 1);
	/* lookup by identity alone finds the same session */
	req.key = (mif_key_t){ .id = "alice" };
	ck_assert(backend->get_binding(backend, &req.key, 1, &b));
}
END_TEST

START_TEST(test_lookups)
{
	mif_key_t idkey = { .id = "moon.strongswan.org" };
	mif_reg_entry_t entry = reg_entry(2, "192.0.2.200", 60);
	mif_reg_t req = { .key = idkey, .seq = 1, .count = 1, .entries = &entry };
	mif_binding_t list[8];
	mif_addr_t coa = addr("192.0.2.100");
	int i;

	/* three MNs behind one NAT share a care-of address */
	ck_assert_int_eq(reg1(backend, "10.1.0.1", 1, 1, "192.0.2.100", 60), 0);
	ck_assert_int_eq(reg1(backend, "10.1.0.2", 1, 1, "192.0.2.100", 60), 0);
	ck_assert_int_eq(reg1(backend, "10.1.0.3", 1, 7, "192.0.2.100", 60), 0);
	ck_assert_int_eq(reg1(backend, "10.1.0.3", 2, 8, "192.0.2.101", 60), 0);
	ck_assert_int_eq(backend->find_by_coa(backend, &coa, list, 8), 3);
	ck_assert_int_eq(backend->find_by_coa(backend, &coa, list, 1), 3);
	coa = addr("192.0.2.101");
	ck_assert_int_eq(backend->find_by_coa(backend, &coa, list, 8), 1);
	ck_assert_int_eq(list[0].bid, 8);

	/* identity-only session */
	strcpy(entry.ifname, "eth1");
	entry.ifindex = 12;
	ck_assert_int_eq(backend->registration(backend, &req), 0);
	ck_assert(backend->get_binding(backend, &idkey, 2, &list[0]));
	ck_assert_int_eq(list[0].hoa.family, 0);
	ck_assert_int_eq(backend->find_by_interface(backend, "eth1", 0, list, 8), 1);
	ck_assert_int_eq(backend->find_by_interface(backend, NULL, 12, list, 8), 1);
	ck_assert_int_eq(backend->find_by_interface(backend, "eth1", 13, list, 8), 0);
	ck_assert_int_eq(backend->find_by_interface(backend, "eth2", 0, list, 8), 0);

	ck_assert(backend->set_state(backend, &idkey, 2, MIF_BINDING_STANDBY));
	ck_assert(backend->get_binding(backend, &idkey, 2, &list[0]));
	ck_assert_int_eq(list[0].state, MIF_BINDING_STANDBY);
	ck_assert(!backend->set_state(backend, &idkey, 2, MIF_BINDING_REMOVED));
	ck_assert(!backend->set_state(backend, &idkey, 3, MIF_BINDING_ACTIVE));

	i = 0;
	{
		enumerator_t *enumerator;
		mif_binding_t *b;

		enumerator = backend->create_enumerator(backend);
		while (enumerator->enumerate(enumerator, &b))
		{
			i++;
		}
		enumerator->destroy(enumerator);
	}
	ck_assert_int_eq(i, 5);
	ck_assert(backend->deregister(backend, &idkey, 2));
	ck_assert(!backend->deregister(backend, &idkey, 2));
	ck_assert(backend->remove_session(backend, &(mif_key_t){
												.hoa = addr("10.1.0.3") }));
	ck_assert_int_eq(backend->get_count(backend, &i), 2);
	ck_assert_int_eq(i, 2);
}
END_TEST

START_TEST(test_sa_refs)
{
	mif_key_t key = key_hoa("2001:db8::7");
	mif_sa_ref_t ike = { .type = MIF_SA_IKE, .ike_id = 42 };
	mif_sa_ref_t child = { .type = MIF_SA_CHILD, .protocol = IPPROTO_ESP,
						   .ike_id = 42, .spi_in = 0xc0000001,
						   .spi_out = 0xd0000001, .reqid = 5, .bid = 1 };
	mif_sa_ref_t tls = { .type = MIF_SA_RFC6618, .spi_in = 0x100,
						 .spi_out = 0x200 };
	mif_sa_ref_t out[4];
	mif_addr_t hoa;

	ck_assert(backend->attach_sa(backend, &key, &ike));
	ck_assert(backend->attach_sa(backend, &key, &child));
	ck_assert(backend->attach_sa(backend, &key, &tls));
	/* inbound SPIs are unique */
	ck_assert(!backend->attach_sa(backend, &key, &child));
	ck_assert(!backend->attach_sa(backend, &key, &(mif_sa_ref_t){
									.type = MIF_SA_CHILD }));
	ck_assert_int_eq(backend->get_sas(backend, &key, out, 4), 3);

	ck_assert(backend->find_by_spi(backend, 0xc0000001, &out[0], &hoa));
	ck_assert_int_eq(out[0].reqid, 5);
	ck_assert(mif_addr_equals(&hoa, &key.hoa));
	ck_assert(backend->find_by_spi(backend, 0x200, &out[0], NULL));
	ck_assert_int_eq(out[0].type, MIF_SA_RFC6618);
	ck_assert(!backend->find_by_spi(backend, 0x300, NULL, NULL));

	/* IKE SA down: it and its CHILD SA go, the RFC 6618 SA stays */
	ck_assert_int_eq(backend->detach_ike_sa(backend, 42), 2);
	ck_assert_int_eq(backend->get_sas(backend, &key, out, 4), 1);
	ck_assert(!backend->find_by_spi(backend, 0xc0000001, NULL, NULL));
	ck_assert(backend->detach_sa(backend, &tls));
	ck_assert(!backend->detach_sa(backend, &tls));
	/* nothing left: the session is gone */
	ck_assert_int_eq(backend->get_sas(backend, &key, out, 4), -1);
	ck_assert_int_eq(recorder_count(rec, 's', MIF_EVENT_ADDED), 3);
	ck_assert_int_eq(recorder_count(rec, 's', MIF_EVENT_REMOVED), 3);
}
END_TEST

/* sessions referencing IKE SAs of a previous daemon go, others stay */
START_TEST(test_remove_sessions_with)
{
	mif_key_t stale = { .id = "sun#1" }, other = { .id = "sun#7" },
			  home = key_hoa("2001:db8::9");
	mif_sa_ref_t ike = { .type = MIF_SA_IKE, .ike_id = 1 };
	mif_sa_ref_t tls = { .type = MIF_SA_RFC6618, .spi_in = 0x100,
						 .spi_out = 0x200 };
	mif_reg_entry_t entries[] = {
		reg_entry(1, "198.51.100.1", 60),
		reg_entry(2, "198.51.100.2", 60),
	};
	mif_reg_t req = { .key = stale, .count = 2, .entries = entries,
					  .flags = MIF_REG_AUTO_SEQ };
	mif_sa_ref_t out[2];
	u_int sessions;

	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert(backend->attach_sa(backend, &stale, &ike));
	entries[0] = reg_entry(1, "198.51.100.3", 60);
	req = (mif_reg_t){ .key = other, .count = 1, .entries = entries,
					   .flags = MIF_REG_AUTO_SEQ };
	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	entries[0] = reg_entry(1, "198.51.100.4", 60);
	req = (mif_reg_t){ .key = home, .count = 1, .entries = entries,
					   .flags = MIF_REG_AUTO_SEQ };
	ck_assert_int_eq(backend->registration(backend, &req), MIF_STATUS_ACCEPTED);
	ck_assert(backend->attach_sa(backend, &home, &tls));
	ck_assert_int_eq(backend->get_count(backend, &sessions), 4);
	ck_assert_int_eq(sessions, 3);

	ck_assert_int_eq(backend->remove_sessions_with(backend, MIF_SA_IKE), 1);
	ck_assert_int_eq(backend->get_count(backend, &sessions), 2);
	ck_assert_int_eq(sessions, 2);
	ck_assert_int_eq(backend->get_sas(backend, &stale, out, 2), -1);
	ck_assert(!backend->get_binding(backend, &stale, 2, NULL));
	ck_assert(backend->get_binding(backend, &other, 1, NULL));
	ck_assert_int_eq(backend->get_sas(backend, &home, out, 2), 1);
	/* nothing of the type left */
	ck_assert_int_eq(backend->remove_sessions_with(backend, MIF_SA_IKE), 0);
}
END_TEST

/**
 * Listener calling back into the backend from its callbacks
 */
typedef struct {
	mif_listener_t public;
	mif_backend_t *backend;
	int seen, found;
} reentrant_t;

CALLBACK(reentrant_binding, void,
	reentrant_t *this, mif_event_t event, const char *id,
	const mif_binding_t *binding)
{
	mif_key_t key = { .hoa = binding->hoa };

	this->seen++;
	if (event == MIF_EVENT_ADDED)
	{
		/* a lookup sees the change, a modification does not deadlock */
		if (this->backend->get_binding(this->backend, &key, binding->bid, NULL))
		{
			this->found++;
		}
		this->backend->deregister(this->backend, &key, binding->bid);
	}
}

START_TEST(test_listener_reentrant)
{
	reentrant_t listener = {
		.public = { .binding = (void*)reentrant_binding },
		.backend = backend,
	};

	backend->add_listener(backend, &listener.public);
	ck_assert_int_eq(reg1(backend, "10.0.0.9", 1, 1, "192.0.2.9", 60), 0);
	ck_assert_int_eq(listener.found, 1);
	/* ADDED, then the nested REMOVED, delivered before we got here */
	ck_assert_int_eq(listener.seen, 2);
	ck_assert_int_eq(backend->get_count(backend, NULL), 0);
	backend->remove_listener(backend, &listener.public);
}
END_TEST

START_TEST(test_bad_input)
{
	mif_key_t key = key_hoa("2001:db8::9");
	mif_reg_entry_t entry = reg_entry(1, "192.0.2.1", 60);
	mif_reg_t req = { .key = key, .seq = 5, .count = 1, .entries = &entry };
	mif_binding_t before, after;

	ck_assert_int_eq(backend->registration(backend, &req), 0);
	ck_assert(backend->get_binding(backend, &key, 1, &before));

	ck_assert_int_eq(backend->registration(backend, NULL),
					 MIF_STATUS_UNSPECIFIED);
	req.seq = 6;
	req.count = 0;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_UNSPECIFIED);
	req.count = 1;

	/* no key at all, garbage address family, unknown flags */
	req.key = (mif_key_t){};
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_UNSPECIFIED);
	req.key = key;
	req.key.hoa.family = 99;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_UNSPECIFIED);
	req.key = key;
	req.key.hoa.family = AF_INET;	/* IPv4 with garbage padding */
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_UNSPECIFIED);
	req.key = key;
	req.flags = 0x8000;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_UNSPECIFIED);
	req.flags = 0;

	/* bad entries for the existing BID */
	entry = reg_entry(1, "192.0.2.66", 60);
	entry.prio = 128;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_MCOA_MALFORMED);
	entry.prio = 0;
	entry.state = MIF_BINDING_REMOVED;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_MCOA_MALFORMED);
	entry.state = 0;
	entry.flags = 0x80;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_MCOA_MALFORMED);
	entry.flags = 0;
	memset(entry.ifname, 'x', sizeof(entry.ifname));
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_MCOA_MALFORMED);
	memset(entry.ifname, 0, sizeof(entry.ifname));
	entry.remote.family = 17;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_MCOA_MALFORMED);
	entry.remote.family = 0;
	entry.coa = addr("ff05::2");
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_INVALID_COA);
	entry.coa.family = 0;
	entry.lifetime = MIF_LIFETIME_MAX + 4;
	ck_assert_int_eq(backend->registration(backend, &req),
					 MIF_STATUS_MCOA_MALFORMED);

	/* nothing lost or changed, and the sequence number did not move */
	ck_assert(backend->get_binding(backend, &key, 1, &after));
	ck_assert(memeq(&before, &after, sizeof(before)));
	ck_assert_int_eq(backend->get_count(backend, NULL), 1);
	ck_assert_int_eq(recorder_count(rec, 'b', MIF_EVENT_UPDATED), 0);
	entry = reg_entry(1, NULL, 60);
	req.seq = 6;
	ck_assert_int_eq(backend->registration(backend, &req), 0);

	/* other methods reject bad keys and arguments */
	ck_assert(!backend->get_binding(backend, &(mif_key_t){}, 1, NULL));
	ck_assert(!backend->deregister(backend, NULL, 1));
	ck_assert(!backend->attach_sa(backend, &key, &(mif_sa_ref_t){ .type = 9,
															.spi_in = 1 }));
	ck_assert(!backend->attach_sa(backend, &key, &(mif_sa_ref_t){
							.type = MIF_SA_IKE, .ike_id = 1, .spi_in = 5 }));
	ck_assert_int_eq(backend->get_count(backend, NULL), 1);
}
END_TEST

START_TEST(test_addr_helpers)
{
	mif_addr_t a;
	host_t *host;
	char buf[64];

	ck_assert(!mif_addr_from_string(&a, "not-an-ip", 0));
	ck_assert_int_eq(a.family, 0);
	ck_assert(!mif_addr_from_string(&a, NULL, 0));
	ck_assert(mif_addr_from_string(&a, "2001:db8::1", 500));
	host = mif_addr_to_host(&a);
	ck_assert(host);
	ck_assert_int_eq(host->get_port(host), 500);
	ck_assert(mif_addr_from_host(&a, host));
	ck_assert_str_eq(mif_addr_to_string(&a, buf, sizeof(buf)), "2001:db8::1");
	host->destroy(host);
	a.family = 0;
	ck_assert(!mif_addr_to_host(&a));
	ck_assert_str_eq(mif_addr_to_string(&a, buf, sizeof(buf)), "%none");
	ck_assert(mif_addr_is_valid_coa(&(mif_addr_t){ .family = AF_INET,
												.addr = { 10, 0, 0, 1 } }));
	ck_assert(!mif_addr_is_valid_coa(&(mif_addr_t){ .family = AF_INET,
								.addr = { 10, 0, 0, 1, [15] = 1 } }));
}
END_TEST

/**
 * Item of the table test: its hash puts every eighth key into the last five
 * slots of the table, whatever its size, so that run wraps around, and
 * gives all keys only four distinct tags
 */
typedef struct {
	u_int key;
	bool in;
} table_item_t;

static uint32_t table_item_hash(void *item, void *ctx)
{
	u_int key = ((table_item_t*)item)->key;

	return key % 8 ? (key * 2654435761u & 0xffff) | ((key % 4) << 16)
				   : 0xffff - key % 5 + ((key % 4) << 16);
}

static table_item_t *table_find(mif_table_t *table, table_item_t *items,
								u_int key)
{
	table_item_t *item;
	uint32_t hash = table_item_hash(&items[key], NULL);
	u_int pos = hash & table->mask;

	while ((item = mif_table_next(table, hash, &pos)))
	{
		if (item->key == key)
		{
			return item;
		}
	}
	return NULL;
}

START_TEST(test_table)
{
	table_item_t items[3000];
	mif_table_t table;
	uint32_t rnd = 4711;
	u_int i, k, count = 0;

	mif_table_init(&table, table_item_hash, NULL);
	for (i = 0; i < countof(items); i++)
	{
		items[i] = (table_item_t){ .key = i };
	}
	for (i = 0; i < 20000; i++)
	{
		rnd = rnd * 1103515245 + 12345;
		/* mostly inserts first, then mostly removals, so the table grows
		 * and shrinks through long colliding runs */
		k = (rnd >> 8) % (i < 10000 ? countof(items) : countof(items) / 2);
		if (items[k].in)
		{
			ck_assert(mif_table_remove(&table, &items[k],
									   table_item_hash(&items[k], NULL)));
			ck_assert(!mif_table_remove(&table, &items[k],
										table_item_hash(&items[k], NULL)));
			items[k].in = FALSE;
			count--;
		}
		else
		{
			mif_table_insert(&table, &items[k], table_item_hash(&items[k], NULL));
			items[k].in = TRUE;
			count++;
		}
		ck_assert_int_eq(table.count, count);
		ck_assert((uint64_t)table.count * 8 <= (uint64_t)(table.mask + 1) * 7);
		if (i % 499 == 0)
		{
			for (k = 0; k < countof(items); k++)
			{
				ck_assert(table_find(&table, items, k) ==
						  (items[k].in ? &items[k] : NULL));
			}
		}
	}
	for (k = 0; k < countof(items); k++)
	{
		ck_assert(table_find(&table, items, k) ==
				  (items[k].in ? &items[k] : NULL));
	}
	mif_table_free(&table);
}
END_TEST

Suite *mif_core_suite()
{
	Suite *s;
	TCase *tc;

	s = suite_create("mif core");

	tc = tcase_create("sequence numbers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_seq_compare);
	tcase_add_test(tc, test_seq_antisymmetric);
	tcase_add_test(tc, test_seq_wraparound);
	tcase_add_test(tc, test_seq_auto);
	suite_add_tcase(s, tc);

	tc = tcase_create("registration");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_register_refresh_deregister);
	tcase_add_test(tc, test_bulk_status);
	tcase_add_test(tc, test_bulk_prohibited);
	tcase_add_test(tc, test_overwrite);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_identity_conflict);
	tcase_add_test(tc, test_lookups);
	tcase_add_test(tc, test_sa_refs);
	tcase_add_test(tc, test_remove_sessions_with);
	tcase_add_test(tc, test_listener_reentrant);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_addr_helpers);
	suite_add_tcase(s, tc);

	tc = tcase_create("index");
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);

	return s;
}
