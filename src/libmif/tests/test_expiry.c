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
 * Lifetimes and expiry, on the backend directly and through the real
 * scheduler with processor threads.
 */

#include "mif_tests.h"

#include <unistd.h>

START_TEST(test_expire_direct)
{
	mif_backend_t *backend = mif_backend_create(NULL, NULL);
	recorder_t *rec = recorder_create();
	mif_key_t key = key_hoa("10.0.0.1");
	time_t now = time_monotonic(NULL);
	rec_event_t ev;
	int i;

	backend->add_listener(backend, &rec->public);
	for (i = 1; i <= 50; i++)
	{
		ck_assert_int_eq(reg1(backend, "10.0.0.1", i, i, "192.0.2.1",
							  (i * 7919) % 97 + 1), 0);
	}
	/* the heap must release exactly the bindings due by each time */
	for (i = 0; i <= 98; i += 7)
	{
		u_int left = 0, j;

		backend->expire(backend, now + i);
		for (j = 1; j <= 50; j++)
		{
			mif_binding_t b;

			if (backend->get_binding(backend, &key, j, &b))
			{
				ck_assert(b.expires > now + i);
				left++;
			}
			else
			{
				ck_assert_int_le(now + (j * 7919) % 97 + 1, now + i + 1);
			}
		}
		ck_assert_int_eq(backend->get_count(backend, NULL), left);
	}
	ck_assert_int_eq(backend->get_count(backend, NULL), 0);
	ck_assert_int_eq(recorder_count(rec, 'b', MIF_EVENT_EXPIRED), 50);
	ck_assert(recorder_get(rec, 50, &ev));
	ck_assert_int_eq(ev.event, MIF_EVENT_EXPIRED);
	ck_assert_int_eq(ev.binding.state, MIF_BINDING_REMOVED);
	backend->remove_listener(backend, &rec->public);
	backend->destroy(backend);
	recorder_destroy(rec);
}
END_TEST

START_TEST(test_refresh_postpones)
{
	mif_backend_t *backend = mif_backend_create(NULL, NULL);
	mif_key_t key = key_hoa("10.0.0.1");
	time_t now = time_monotonic(NULL);

	ck_assert_int_eq(reg1(backend, "10.0.0.1", 1, 1, "192.0.2.1", 5), 0);
	ck_assert_int_eq(reg1(backend, "10.0.0.1", 2, 2, "192.0.2.2", 5), 0);
	ck_assert_int_eq(reg1(backend, "10.0.0.1", 3, 1, NULL, 100), 0);
	ck_assert_int_eq(backend->expire(backend, now + 10), 1);
	ck_assert(backend->get_binding(backend, &key, 1, NULL));
	ck_assert(!backend->get_binding(backend, &key, 2, NULL));
	backend->destroy(backend);
}
END_TEST

START_TEST(test_expire_scheduler)
{
	mif_config_t config = { .expiry_interval = 100 };
	mif_backend_t *backend;
	recorder_t *rec = recorder_create();
	mif_key_t key = key_hoa("2001:db8::1");
	int i;

	lib->processor->set_threads(lib->processor, 4);
	backend = mif_backend_create(&config, NULL);
	backend->add_listener(backend, &rec->public);
	ck_assert_int_eq(reg1(backend, "2001:db8::1", 1, 1, "2001:db8:1::1", 1), 0);
	ck_assert_int_eq(reg1(backend, "2001:db8::1", 2, 2, "2001:db8:1::2", 60), 0);
	for (i = 0; i < 50 && !recorder_count(rec, 'b', MIF_EVENT_EXPIRED); i++)
	{
		usleep(100000);
	}
	ck_assert_int_eq(recorder_count(rec, 'b', MIF_EVENT_EXPIRED), 1);
	ck_assert(!backend->get_binding(backend, &key, 1, NULL));
	ck_assert(backend->get_binding(backend, &key, 2, NULL));
	backend->remove_listener(backend, &rec->public);
	/* destroying with the job still scheduled must be safe */
	backend->destroy(backend);
	recorder_destroy(rec);
	usleep(250000);
	lib->processor->set_threads(lib->processor, 0);
	lib->processor->cancel(lib->processor);
}
END_TEST

START_TEST(test_global_instance)
{
	libmif_config_t config = {
		.backend = { .max_bindings = 1 },
		.database = "",
	}, other = {
		.backend = { .max_bindings = 64 },
	};

	ck_assert(mif_get() == NULL);
	ck_assert(libmif_init(&config));
	ck_assert(mif != NULL);
	/* a second caller shares the instance, the first config stays */
	ck_assert(libmif_init(&other));
	ck_assert_int_eq(reg1(mif, "10.0.0.1", 1, 1, "192.0.2.1", 60), 0);
	ck_assert_int_eq(reg1(mif, "10.0.0.1", 2, 2, "192.0.2.2", 60),
					 MIF_STATUS_INSUFFICIENT_RESOURCES);
	libmif_deinit();
	/* still referenced: state survives */
	ck_assert(mif_get() != NULL);
	ck_assert_int_eq(mif->get_count(mif, NULL), 1);
	libmif_deinit();
	ck_assert(mif_get() == NULL);
	libmif_deinit();	/* unbalanced, harmless */
}
END_TEST

Suite *mif_expiry_suite()
{
	Suite *s;
	TCase *tc;

	s = suite_create("mif expiry");
	tc = tcase_create("lifetimes");
	tcase_add_checked_fixture(tc, mif_test_setup, mif_test_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_expire_direct);
	tcase_add_test(tc, test_refresh_postpones);
	tcase_add_test(tc, test_expire_scheduler);
	tcase_add_test(tc, test_global_instance);
	suite_add_tcase(s, tc);
	return s;
}
