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
 * Helpers shared by the libmif unit tests.
 */

#ifndef MIF_TESTS_H_
#define MIF_TESTS_H_

#include <check.h>

#include <library.h>
#include <threading/mutex.h>
#include <collections/array.h>

#include "libmif.h"

/** suites */
Suite *mif_core_suite();
Suite *mif_flow_suite();
Suite *mif_expiry_suite();
Suite *mif_store_suite();
Suite *mif_threads_suite();

/**
 * One recorded listener event
 */
typedef struct {
	/** 'b' binding, 'f' flow, 's' SA */
	char kind;
	mif_event_t event;
	mif_binding_t binding;
	mif_flow_t flow;
	mif_sa_ref_t sa;
} rec_event_t;

/**
 * Listener recording all events
 */
typedef struct {
	mif_listener_t public;
	mutex_t *mutex;
	array_t *events;
} recorder_t;

recorder_t *recorder_create();
void recorder_destroy(recorder_t *this);
u_int recorder_count(recorder_t *this, char kind, mif_event_t event);
bool recorder_get(recorder_t *this, u_int idx, rec_event_t *out);

/** pointer to a key for a textual home address */
#define KEY(str) (&(mif_key_t){ .hoa = addr(str) })

/** key for a textual home address */
mif_key_t key_hoa(const char *hoa);

/** address from text, fails the test if invalid */
mif_addr_t addr(const char *str);

/** registration entry */
mif_reg_entry_t reg_entry(uint16_t bid, const char *coa, uint32_t lifetime);

/** single-BID registration */
mif_status_t reg1(mif_backend_t *backend, const char *hoa, uint16_t seq,
				  uint16_t bid, const char *coa, uint32_t lifetime);

/** standard per-test setup and teardown: library_init(), no threads */
void mif_test_setup();
void mif_test_teardown();

#endif
