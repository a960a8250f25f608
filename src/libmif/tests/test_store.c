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
 * Persistence: round trip through SQLite, expiry while down, deletions,
 * damaged databases.
 */

#include "mif_tests.h"

#include <sqlite3.h>
#include <unistd.h>
#include <stdio.h>

static char path[128];

static void setup()
{
	mif_test_setup();
	snprintf(path, sizeof(path), "/tmp/mif-test-%d/sub/bindings.db", getpid());
	unlink(path);
}

static void teardown()
{
	char buf[160];

	snprintf(buf, sizeof(buf), "rm -rf /tmp/mif-test-%d", getpid());
	ignore_result(system(buf));
	mif_test_teardown();
}

static mif_backend_t *open_backend()
{
	mif_store_t *store = mif_store_sqlite_create(path);
	mif_backend_t *backend;

	ck_assert(store);
	backend = mif_backend_create(NULL, store);
	ck_assert(backend);
	return backend;
}

/**
 * Fill a backend with a bit of everything
 */
static void populate(mif_backend_t *backend)
{
	mif_reg_entry_t entries[] = {
		reg_entry(1, "192.0.2.1", 600),
		reg_entry(2, "2001:db8:1::2", 900),
		reg_entry(3, "198.51.100.3", 2),
	};
	mif_reg_t req = {
		.key = { .hoa = addr("2001:db8::1"), .id = "alice@strongswan.org" },
		.seq = 40000, .count = 3, .entries = entries,
	};
	mif_flow_t flow = {
		.fid = 5, .prio = 3, .action = MIF_FLOW_BIDS, .nbids = 2,
		.bids = { 2, 1 },
	};
	mif_sa_ref_t child = { .type = MIF_SA_CHILD, .protocol = IPPROTO_ESP,
						   .ike_id = 9, .spi_in = 0xc1, .spi_out = 0xc2,
						   .reqid = 3, .bid = 2 };
	mif_sa_ref_t ike = { .type = MIF_SA_IKE, .ike_id = 9 };
	int i;

	entries[0].coa.port = 4500;
	entries[0].remote = addr("203.0.113.1");
	entries[0].prio = 4;
	entries[0].state = MIF_BINDING_STANDBY;
	strcpy(entries[0].ifname, "wwan0");
	entries[0].ifindex = 7;
	entries[1].flags = MIF_REG_HOME;
	ck_assert_int_eq(backend->registration(backend, &req), 0);
	mif_ts_any(&flow.ts, AF_INET6);
	flow.ts.proto = IPPROTO_UDP;
	flow.ts.dport_lo = 5060;
	flow.ts.dport_hi = 5061;
	ck_assert_int_eq(backend->set_flow(backend, &req.key, &flow), MIF_FLOW_OK);
	ck_assert(backend->attach_sa(backend, &req.key, &child));
	ck_assert(backend->attach_sa(backend, &req.key, &ike));
	ck_assert(backend->attach_sa(backend, &(mif_key_t){ .id = "bob" },
				&(mif_sa_ref_t){ .type = MIF_SA_RFC6618, .spi_in = 77 }));
	for (i = 1; i <= 100; i++)
	{
		char hoa[32];

		snprintf(hoa, sizeof(hoa), "10.1.%d.%d", i / 250, i % 250 + 1);
		ck_assert_int_eq(reg1(backend, hoa, 1, 1, "192.0.2.50", 300), 0);
	}
}

START_TEST(test_round_trip)
{
	mif_backend_t *backend = open_backend();
	mif_key_t key = { .hoa = addr("2001:db8::1") };
	mif_binding_t a[4], b[4];
	mif_flow_t fa[2], fb[2];
	mif_sa_ref_t sa[4], sb[4];
	u_int sessions;
	uint16_t seq;
	int i, j, n;

	populate(backend);
	n = backend->get_bindings(backend, &key, a, 4);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(backend->get_flows(backend, &key, fa, 2), 1);
	ck_assert_int_eq(backend->get_sas(backend, &key, sa, 4), 2);
	backend->destroy(backend);

	backend = open_backend();
	ck_assert_int_eq(backend->get_count(backend, &sessions), 103);
	ck_assert_int_eq(sessions, 102);
	ck_assert_int_eq(backend->get_bindings(backend, &key, b, 4), 3);
	for (i = 0; i < n; i++)
	{
		for (j = 0; j < n && b[j].bid != a[i].bid; j++);
		ck_assert(j < n);
		/* monotonic expiry is re-derived from wall clock time */
		ck_assert_int_le(labs(b[j].expires - a[i].expires), 1);
		b[j].expires = a[i].expires;
		ck_assert_msg(memeq(&a[i], &b[j], sizeof(a[i])), "binding %d differs",
					  a[i].bid);
	}
	ck_assert_int_eq(backend->get_flows(backend, &key, fb, 2), 1);
	ck_assert(memeq(fa, fb, sizeof(fa[0])));
	ck_assert_int_eq(backend->get_sas(backend, &key, sb, 4), 2);
	for (i = 0; i < 2; i++)
	{
		for (j = 0; j < 2 && !memeq(&sa[i], &sb[j], sizeof(sa[i])); j++);
		ck_assert(j < 2);
	}
	ck_assert(backend->find_by_spi(backend, 77, NULL, NULL));
	ck_assert(backend->get_seq(backend, &key, &seq));
	ck_assert_int_eq(seq, 40000);
	/* the identity came back too */
	ck_assert(backend->get_binding(backend, &(mif_key_t){
							.id = "alice@strongswan.org" }, 1, NULL));
	/* the sequence number window still applies after the restart */
	ck_assert_int_eq(reg1(backend, "2001:db8::1", 39999, 1, "192.0.2.9", 60),
					 MIF_STATUS_SEQ_OUT_OF_WINDOW);

	/* new sessions get fresh store IDs: nothing is clobbered */
	ck_assert_int_eq(reg1(backend, "10.200.0.1", 1, 1, "192.0.2.1", 300), 0);
	ck_assert(backend->deregister(backend, &key, 2));
	ck_assert(backend->remove_session(backend, &(mif_key_t){
							.hoa = addr("10.1.0.2") }));
	backend->destroy(backend);

	backend = open_backend();
	ck_assert_int_eq(backend->get_count(backend, &sessions), 102);
	ck_assert_int_eq(sessions, 102);
	ck_assert(!backend->get_binding(backend, &key, 2, NULL));
	ck_assert(backend->get_binding(backend, &key, 1, NULL));
	ck_assert(backend->get_binding(backend, KEY("10.200.0.1"), 1, NULL));
	ck_assert(!backend->get_binding(backend, KEY("10.1.0.2"), 1, NULL));
	backend->destroy(backend);
}
END_TEST

START_TEST(test_expired_while_down)
{
	mif_backend_t *backend = open_backend();
	mif_key_t key = { .hoa = addr("2001:db8::1") };
	u_int sessions;

	populate(backend);
	ck_assert(reg1(backend, "10.9.9.9", 1, 1, "192.0.2.9", 2) == 0);
	backend->destroy(backend);
	sleep(3);
	backend = open_backend();
	/* BID 3 of alice and the whole 10.9.9.9 session ran out */
	ck_assert(!backend->get_binding(backend, &key, 3, NULL));
	ck_assert(backend->get_binding(backend, &key, 1, NULL));
	ck_assert_int_eq(backend->get_count(backend, &sessions), 102);
	ck_assert_int_eq(sessions, 102);
	backend->destroy(backend);
}
END_TEST

START_TEST(test_damaged_rows)
{
	mif_backend_t *backend = open_backend();
	sqlite3 *db;

	populate(backend);
	backend->destroy(backend);

	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	ck_assert(sqlite3_exec(db,
		"UPDATE bindings SET coa = x'0401' WHERE bid = 2;"
		"UPDATE bindings SET prio = 300 WHERE bid = 3;"
		"INSERT INTO bindings (sid, bid, coa, expires) VALUES (999, 1, "
		" x'04000ac0000201', 99999999999);"
		"INSERT INTO bindings (sid, bid, coa, expires) VALUES (1, 0, "
		" x'04000ac0000201', 99999999999);"
		"UPDATE flows SET ts = x'0102';"
		"INSERT INTO sas (sid, type, ike_id, spi_in, spi_out) "
		" VALUES (1, 2, 0, 0, 0);",
		NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);

	/* bad rows are skipped with a log message, the rest is loaded */
	backend = open_backend();
	ck_assert(backend->get_binding(backend, KEY("2001:db8::1"), 1, NULL));
	ck_assert(!backend->get_binding(backend, KEY("2001:db8::1"), 2, NULL));
	ck_assert(!backend->get_binding(backend, KEY("2001:db8::1"), 3, NULL));
	ck_assert_int_eq(backend->get_flows(backend, KEY("2001:db8::1"),
										NULL, 0), 0);
	ck_assert_int_eq(backend->get_sas(backend, KEY("2001:db8::1"),
									  NULL, 0), 2);
	ck_assert_int_eq(backend->get_count(backend, NULL), 101);
	backend->destroy(backend);
}
END_TEST

START_TEST(test_not_a_database)
{
	mif_store_t *store;
	FILE *file;

	store = mif_store_sqlite_create(path);
	ck_assert(store);
	store->destroy(store);
	unlink(path);
	file = fopen(path, "w");
	ck_assert(file);
	fputs("this is not an SQLite database, it is plain garbage text.......",
		  file);
	fclose(file);
	ck_assert(mif_store_sqlite_create(path) == NULL);
	ck_assert(mif_store_sqlite_create("") == NULL);
	ck_assert(mif_store_sqlite_create(NULL) == NULL);
	ck_assert(mif_store_sqlite_create("/proc/no/such/dir/x.db") == NULL);
}
END_TEST

Suite *mif_store_suite()
{
	Suite *s;
	TCase *tc;

	s = suite_create("mif store");
	tc = tcase_create("sqlite");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_expired_while_down);
	tcase_add_test(tc, test_damaged_rows);
	tcase_add_test(tc, test_not_a_database);
	suite_add_tcase(s, tc);
	return s;
}
