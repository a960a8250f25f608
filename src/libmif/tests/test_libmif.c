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

#include "mif_tests.h"

#include <stdio.h>
#include <stdlib.h>

CALLBACK(rec_binding, void,
	recorder_t *this, mif_event_t event, const char *id,
	const mif_binding_t *binding)
{
	rec_event_t ev = { .kind = 'b', .event = event, .binding = *binding };

	this->mutex->lock(this->mutex);
	array_insert(this->events, ARRAY_TAIL, &ev);
	this->mutex->unlock(this->mutex);
}

CALLBACK(rec_flow, void,
	recorder_t *this, mif_event_t event, const mif_addr_t *hoa,
	const char *id, const mif_flow_t *flow)
{
	rec_event_t ev = { .kind = 'f', .event = event, .flow = *flow };

	this->mutex->lock(this->mutex);
	array_insert(this->events, ARRAY_TAIL, &ev);
	this->mutex->unlock(this->mutex);
}

CALLBACK(rec_sa, void,
	recorder_t *this, mif_event_t event, const mif_addr_t *hoa,
	const char *id, const mif_sa_ref_t *ref)
{
	rec_event_t ev = { .kind = 's', .event = event, .sa = *ref };

	this->mutex->lock(this->mutex);
	array_insert(this->events, ARRAY_TAIL, &ev);
	this->mutex->unlock(this->mutex);
}

recorder_t *recorder_create()
{
	recorder_t *this;

	INIT(this,
		.public = {
			.binding = (void*)rec_binding,
			.flow = (void*)rec_flow,
			.sa = (void*)rec_sa,
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.events = array_create(sizeof(rec_event_t), 0),
	);
	return this;
}

void recorder_destroy(recorder_t *this)
{
	array_destroy(this->events);
	this->mutex->destroy(this->mutex);
	free(this);
}

u_int recorder_count(recorder_t *this, char kind, mif_event_t event)
{
	rec_event_t ev;
	u_int i, count = 0;

	this->mutex->lock(this->mutex);
	for (i = 0; i < array_count(this->events); i++)
	{
		array_get(this->events, i, &ev);
		if (ev.kind == kind && ev.event == event)
		{
			count++;
		}
	}
	this->mutex->unlock(this->mutex);
	return count;
}

bool recorder_get(recorder_t *this, u_int idx, rec_event_t *out)
{
	bool found;

	this->mutex->lock(this->mutex);
	found = array_get(this->events, idx, out);
	this->mutex->unlock(this->mutex);
	return found;
}

mif_addr_t addr(const char *str)
{
	mif_addr_t a;

	ck_assert_msg(mif_addr_from_string(&a, str, 0), "bad address %s", str);
	return a;
}

mif_key_t key_hoa(const char *hoa)
{
	return (mif_key_t){ .hoa = addr(hoa) };
}

mif_reg_entry_t reg_entry(uint16_t bid, const char *coa, uint32_t lifetime)
{
	mif_reg_entry_t entry = {
		.bid = bid,
		.lifetime = lifetime,
	};

	if (coa)
	{
		entry.coa = addr(coa);
	}
	return entry;
}

mif_status_t reg1(mif_backend_t *backend, const char *hoa, uint16_t seq,
				  uint16_t bid, const char *coa, uint32_t lifetime)
{
	mif_reg_entry_t entry = reg_entry(bid, coa, lifetime);
	mif_reg_t req = {
		.key = key_hoa(hoa),
		.seq = seq,
		.count = 1,
		.entries = &entry,
	};

	return backend->registration(backend, &req);
}

void mif_test_setup()
{
	library_init(NULL, "mif-test");
}

void mif_test_teardown()
{
	library_deinit();
}

int main(int argc, char *argv[])
{
	SRunner *sr;
	int failed;

	sr = srunner_create(mif_core_suite());
	srunner_add_suite(sr, mif_flow_suite());
	srunner_add_suite(sr, mif_expiry_suite());
	srunner_add_suite(sr, mif_store_suite());
	srunner_add_suite(sr, mif_threads_suite());
	if (!getenv("CK_FORK"))
	{	/* isolate tests unless told otherwise (CK_FORK=no for debuggers) */
		srunner_set_fork_status(sr, CK_FORK);
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
