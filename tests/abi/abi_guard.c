/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * ABI guard: our plugins are compiled against a configured strongSwan source
 * tree but run inside Debian's binaries. If config.h differs in an
 * ABI-relevant define (ME shifts ike_sa_t and peer_cfg_t vtables and the
 * task_type_t numbering), every call past the shifted slot lands on the wrong
 * method. This test creates real objects through the installed libraries and
 * calls methods behind those slots; built with ABI_GUARD_BREAK it mimics a
 * mismatched build and must fail.
 */

#ifdef ABI_GUARD_BREAK
#undef ME
#endif

#include <check.h>
#include <stdlib.h>

#include <library.h>
#include <daemon.h>
#include <sa/ike_sa.h>
#include <sa/task.h>
#include <config/peer_cfg.h>

static void setup(void)
{
	ck_assert(library_init(NULL, "mif-abi-guard"));
	ck_assert(libcharon_init());
}

static void teardown(void)
{
	libcharon_deinit();
	library_deinit();
}

START_TEST(test_task_numbering)
{
	/* names come from the installed libcharon, numbers from our headers */
	ck_assert_str_eq(enum_to_name(task_type_names, TASK_CHILD_CREATE),
					 "CHILD_CREATE");
	ck_assert_str_eq(enum_to_name(task_type_names, TASK_IKE_MOBIKE),
					 "IKE_MOBIKE");
	ck_assert_str_eq(enum_to_name(task_type_names, TASK_IKE_VERIFY_PEER_CERT),
					 "IKE_VERIFY_PEER_CERT");
	ck_assert_str_eq(enum_to_name(task_type_names, TASK_QUICK_MODE),
					 "QUICK_MODE");
}
END_TEST

START_TEST(test_ike_sa_vtable)
{
	ike_sa_id_t *id;
	ike_sa_t *ike_sa;
	enumerator_t *enumerator;
	host_t *vip, *cur;
	int count = 0;

	id = ike_sa_id_create(IKEV2_MAJOR_VERSION, 0x1122334455667788ULL, 0, TRUE);
	ike_sa = ike_sa_create(id, TRUE, IKEV2);
	id->destroy(id);
	ck_assert(ike_sa);
	ck_assert_int_eq(ike_sa->get_version(ike_sa), IKEV2);

	ike_sa->set_condition(ike_sa, COND_STALE, TRUE);
	ck_assert(ike_sa->has_condition(ike_sa, COND_STALE));
	ck_assert(!ike_sa->has_condition(ike_sa, COND_NAT_HERE));

	/* everything below sits behind the ME block of the vtable */
	ck_assert_int_eq(ike_sa->get_child_count(ike_sa), 0);
	ck_assert(ike_sa->get_keymat(ike_sa) != NULL);
	ck_assert_int_eq(ike_sa->get_keymat(ike_sa)->get_version(
						ike_sa->get_keymat(ike_sa)), IKEV2);

	vip = host_create_from_string("10.99.0.7", 0);
	ike_sa->add_virtual_ip(ike_sa, FALSE, vip);
	enumerator = ike_sa->create_virtual_ip_enumerator(ike_sa, FALSE);
	while (enumerator->enumerate(enumerator, &cur))
	{
		ck_assert(cur->ip_equals(cur, vip));
		count++;
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(count, 1);
	vip->destroy(vip);
	ike_sa->destroy(ike_sa);
}
END_TEST

START_TEST(test_peer_cfg_layout)
{
	ike_cfg_create_t ike = {
		.version = IKEV2,
		.local = "10.0.0.1",
		.remote = "10.0.0.2",
		.remote_port = IKEV2_UDP_PORT,
	};
	peer_cfg_create_t peer = {
		.unique = UNIQUE_REPLACE,
		.keyingtries = 3,
		.dpd = 42,
		.dpd_timeout = 150,
#ifdef ME
		.mediation = TRUE,
#endif
	};
	peer_cfg_t *cfg;

	cfg = peer_cfg_create("abi", ike_cfg_create(&ike), &peer);
	ck_assert_str_eq(cfg->get_name(cfg), "abi");
	ck_assert_int_eq(cfg->get_dpd(cfg), 42);
	ck_assert_int_eq(cfg->get_dpd_timeout(cfg), 150);
	ck_assert_int_eq(cfg->get_keyingtries(cfg), 3);
#ifdef ME
	ck_assert(cfg->is_mediation(cfg));
#endif
	/* equals/get_ref/destroy come after the ME block */
	ck_assert(cfg->equals(cfg, cfg));
	cfg = cfg->get_ref(cfg);
	cfg->destroy(cfg);
	ck_assert_str_eq(cfg->get_name(cfg), "abi");
	cfg->destroy(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("abi-guard");
	TCase *tc = tcase_create("installed libcharon vs. headers");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_task_numbering);
	tcase_add_test(tc, test_ike_sa_vtable);
	tcase_add_test(tc, test_peer_cfg_layout);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
