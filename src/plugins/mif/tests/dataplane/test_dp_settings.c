/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Unit tests of what the data plane and mif_srcroute share without a
 * kernel: the options and the priorities derived from them
 * (mif_dp_settings.c), and the address conversion of mif_netlink.c.
 * The kernel side runs in the VM (dp_test, guest-dp.sh).
 */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <library.h>
#include <daemon.h>

#include "mif_dp_settings.h"
#include "mif_netlink.h"

static void setup(void)
{
	ck_assert(library_init(NULL, "charon"));
	ck_assert(libcharon_init());
}

static void teardown(void)
{
	libcharon_deinit();
	library_deinit();
}

START_TEST(test_defaults)
{
	mif_dp_settings_t s;

	mif_dp_settings_load(&s);
	ck_assert_int_eq(s.table, 210);
	ck_assert_int_eq(s.prio, 210);
	ck_assert_int_eq(s.flow_prio, 200);
	ck_assert_int_eq(s.skip_prio, 199);
	ck_assert_int_eq(s.src_prio, 212);
	ck_assert_int_eq(s.path_table_base, 21000);
	ck_assert_int_eq(s.src_table_base, 22000);
	ck_assert_int_eq(s.mtu, 0);
	ck_assert_int_eq(s.ike_ports[0], 500);
	ck_assert_int_eq(s.ike_ports[1], 4500);
	ck_assert_msg(strstr(s.hash_state, "charon.mif.hash"), "hash_state '%s'",
				  s.hash_state);
}
END_TEST

START_TEST(test_options)
{
	mif_dp_settings_t s;

	lib->settings->set_int(lib->settings, "charon.plugins.mif.dataplane.table",
						   300);
	lib->settings->set_int(lib->settings,
						   "charon.plugins.mif.dataplane.priority", 5);
	lib->settings->set_int(lib->settings,
						   "charon.plugins.mif.dataplane.path_table_base", 100);
	lib->settings->set_int(lib->settings,
						   "charon.plugins.mif.dataplane.source_table_base", 200);
	lib->settings->set_int(lib->settings, "charon.plugins.mif.dataplane.mtu",
						   1400);
	lib->settings->set_str(lib->settings,
						   "charon.plugins.mif.dataplane.hash_state", "/x/y");
	lib->settings->set_int(lib->settings, "charon.port", 4500);
	lib->settings->set_int(lib->settings, "charon.port_nat_t", 4500);

	mif_dp_settings_load(&s);
	ck_assert_int_eq(s.table, 300);
	ck_assert_int_eq(s.prio, 5);
	/* no room below a low priority: both at 1 */
	ck_assert_int_eq(s.flow_prio, 1);
	ck_assert_int_eq(s.skip_prio, 1);
	ck_assert_int_eq(s.src_prio, 7);
	ck_assert_int_eq(s.path_table_base, 100);
	ck_assert_int_eq(s.src_table_base, 200);
	ck_assert_int_eq(s.mtu, 1400);
	ck_assert_str_eq(s.hash_state, "/x/y");
	/* one skip rule for one port */
	ck_assert_int_eq(s.ike_ports[0], 4500);
	ck_assert_int_eq(s.ike_ports[1], 0);
}
END_TEST

START_TEST(test_nl_addr)
{
	struct nl_addr *addr;
	host_t *host;
	char buf[64];

	host = host_create_from_string("192.0.2.1", 0);
	addr = mif_nl_addr(host, -1);
	ck_assert(addr);
	ck_assert_int_eq(nl_addr_get_prefixlen(addr), 32);
	ck_assert_str_eq(nl_addr2str(addr, buf, sizeof(buf)), "192.0.2.1");
	nl_addr_put(addr);
	addr = mif_nl_addr(host, 24);
	ck_assert_int_eq(nl_addr_get_prefixlen(addr), 24);
	ck_assert_str_eq(nl_addr2str(addr, buf, sizeof(buf)), "192.0.2.1/24");
	nl_addr_put(addr);
	host->destroy(host);

	host = host_create_from_string("2001:db8::1", 0);
	addr = mif_nl_addr(host, -1);
	ck_assert_int_eq(nl_addr_get_family(addr), AF_INET6);
	ck_assert_int_eq(nl_addr_get_prefixlen(addr), 128);
	nl_addr_put(addr);
	host->destroy(host);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mif data plane settings");
	SRunner *sr;
	TCase *tc;
	int failed;

	tc = tcase_create("settings");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_nl_addr);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
