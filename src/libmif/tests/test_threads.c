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
 * Many threads at once: registrations, lookups and de-registrations on
 * private and shared sessions, with invariants checked afterwards.
 */

#include "mif_tests.h"

#include <threading/thread.h>
#include <stdio.h>

#define THREADS 8
#define ROUNDS 20000
#define PRIVATE_MNS 64

typedef struct {
	mif_backend_t *backend;
	int id;
	/** expected state of the private bindings: BID registered? */
	bool present[PRIVATE_MNS][4];
	/** counts */
	int added, removed, lookups_ok;
} worker_t;

/**
 * Counting listener
 */
typedef struct {
	mif_listener_t public;
	mutex_t *mutex;
	int added, removed;
} counter_t;

CALLBACK(count_binding, void,
	counter_t *this, mif_event_t event, const char *id,
	const mif_binding_t *binding)
{
	this->mutex->lock(this->mutex);
	switch (event)
	{
		case MIF_EVENT_ADDED:
			this->added++;
			break;
		case MIF_EVENT_REMOVED:
		case MIF_EVENT_EXPIRED:
			this->removed++;
			break;
		default:
			break;
	}
	this->mutex->unlock(this->mutex);
}

static void private_hoa(worker_t *w, int mn, mif_addr_t *hoa)
{
	*hoa = (mif_addr_t){ .family = AF_INET6,
						 .addr = { 0x20, 0x01, 0x0d, 0xb8, [8] = w->id,
								   [14] = mn >> 8, [15] = mn } };
}

static void *work(worker_t *w)
{
	mif_backend_t *backend = w->backend;
	uint32_t rnd = 0x9e3779b9 * (w->id + 1);
	uint16_t seqs[PRIVATE_MNS] = {};
	mif_reg_entry_t entry;
	mif_reg_t req;
	mif_binding_t b;
	mif_key_t key;
	int i, mn, bid;

	for (i = 0; i < ROUNDS; i++)
	{
		rnd ^= rnd << 13;
		rnd ^= rnd >> 17;
		rnd ^= rnd << 5;
		mn = rnd % PRIVATE_MNS;
		bid = (rnd >> 8) % 4 + 1;
		key = (mif_key_t){};
		private_hoa(w, mn, &key.hoa);

		switch ((rnd >> 16) % 4)
		{
			case 0:
			case 1:
				entry = (mif_reg_entry_t){
					.bid = bid,
					.lifetime = 3600,
					.coa = { .family = AF_INET,
							 .addr = { 192, 0, w->id, bid } },
				};
				req = (mif_reg_t){
					.key = key, .seq = ++seqs[mn], .count = 1,
					.entries = &entry,
				};
				ck_assert_int_eq(backend->registration(backend, &req), 0);
				if (!w->present[mn][bid - 1])
				{
					w->added++;
				}
				w->present[mn][bid - 1] = TRUE;
				break;
			case 2:
				ck_assert_int_eq(backend->deregister(backend, &key, bid),
								 w->present[mn][bid - 1]);
				if (w->present[mn][bid - 1])
				{
					w->removed++;
				}
				w->present[mn][bid - 1] = FALSE;
				break;
			case 3:
				/* nobody else touches our sessions: lookups are exact */
				ck_assert_int_eq(backend->get_binding(backend, &key, bid, &b),
								 w->present[mn][bid - 1]);
				if (w->present[mn][bid - 1])
				{
					ck_assert_int_eq(b.coa.addr[2], w->id);
					ck_assert_int_eq(b.coa.addr[3], bid);
					ck_assert(mif_addr_equals(&b.hoa, &key.hoa));
					w->lookups_ok++;
				}
				break;
		}
		/* contended shared session: auto sequence numbers never collide */
		if (i % 16 == 0)
		{
			entry = (mif_reg_entry_t){
				.bid = w->id + 1,
				.lifetime = (i % 32) ? 3600 : 0,
				.coa = { .family = AF_INET, .addr = { 198, 51, 100, w->id } },
			};
			req = (mif_reg_t){
				.key = { .id = "shared" }, .flags = MIF_REG_AUTO_SEQ,
				.count = 1, .entries = &entry,
			};
			backend->registration(backend, &req);
			ck_assert(entry.status == MIF_STATUS_ACCEPTED ||
					  entry.status == MIF_STATUS_NOT_HA_FOR_MN);
		}
	}
	return NULL;
}

START_TEST(test_hammer)
{
	mif_backend_t *backend = mif_backend_create(NULL, NULL);
	counter_t counter = {
		.public = { .binding = (void*)count_binding },
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	};
	worker_t workers[THREADS] = {};
	thread_t *threads[THREADS];
	mif_binding_t b;
	mif_key_t key;
	int i, mn, bid, expected = 0, shared;

	backend->add_listener(backend, &counter.public);
	for (i = 0; i < THREADS; i++)
	{
		workers[i].backend = backend;
		workers[i].id = i;
		threads[i] = thread_create((void*)work, &workers[i]);
		ck_assert(threads[i]);
	}
	for (i = 0; i < THREADS; i++)
	{
		threads[i]->join(threads[i]);
	}
	for (i = 0; i < THREADS; i++)
	{
		for (mn = 0; mn < PRIVATE_MNS; mn++)
		{
			key = (mif_key_t){};
			private_hoa(&workers[i], mn, &key.hoa);
			for (bid = 1; bid <= 4; bid++)
			{
				ck_assert_int_eq(backend->get_binding(backend, &key, bid, &b),
								 workers[i].present[mn][bid - 1]);
				expected += workers[i].present[mn][bid - 1];
			}
		}
		ck_assert(workers[i].lookups_ok > 0);
	}
	shared = backend->get_bindings(backend, &(mif_key_t){ .id = "shared" },
								   NULL, 0);
	ck_assert_int_le(shared, THREADS);
	expected += max(shared, 0);
	ck_assert_int_eq(backend->get_count(backend, NULL), expected);
	ck_assert(backend->flush(backend));
	/* every change was announced exactly once */
	ck_assert_int_eq(counter.added - counter.removed, expected);
	backend->remove_listener(backend, &counter.public);
	backend->destroy(backend);
	counter.mutex->destroy(counter.mutex);
}
END_TEST

Suite *mif_threads_suite()
{
	Suite *s;
	TCase *tc;

	s = suite_create("mif threads");
	tc = tcase_create("concurrency");
	tcase_add_checked_fixture(tc, mif_test_setup, mif_test_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_hammer);
	suite_add_tcase(s, tc);
	return s;
}
