/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Unit tests of the bus listener recording IKE SA paths as libmif bindings
 * (mif_listener.c compiled in): a real backend behind a wrapper that
 * watches how the listener reads a session's SA references, and real
 * ike_sa_t objects.
 */

#include <check.h>
#include <stdlib.h>

#include <library.h>
#include <daemon.h>
#include <sa/ike_sa.h>
#include <mif_backend.h>

#include "mif_listener.h"

/** identity of the test peer */
#define PEER_ID "peer@mif.test"

/** unique id of another IKE SA referencing the session (e.g. a rekeyed
 * successor) */
#define OTHER_IKE 1000

/** libmif session key of the test's IKE SA (mif_conn_key()) */
static char key_id[64];

/** the backend under the wrapper */
static mif_backend_t *real;

/** what the wrapper passes on, with get_sas() watched */
static mif_backend_t wrap;

/** SA references the last get_sas() call had and could return */
static int sas_count;
static u_int sas_max;

static mif_bus_listener_t *listener;

static mif_status_t wrap_registration(mif_backend_t *this, mif_reg_t *req)
{
	return real->registration(real, req);
}

static bool wrap_remove_session(mif_backend_t *this, const mif_key_t *key)
{
	return real->remove_session(real, key);
}

static bool wrap_attach_sa(mif_backend_t *this, const mif_key_t *key,
						   const mif_sa_ref_t *ref)
{
	return real->attach_sa(real, key, ref);
}

static bool wrap_detach_sa(mif_backend_t *this, const mif_sa_ref_t *ref)
{
	return real->detach_sa(real, ref);
}

static u_int wrap_detach_ike_sa(mif_backend_t *this, uint32_t ike_id)
{
	return real->detach_ike_sa(real, ike_id);
}

static u_int wrap_remove_sessions_with(mif_backend_t *this,
									  mif_sa_type_t type)
{
	return real->remove_sessions_with(real, type);
}

static int wrap_get_sas(mif_backend_t *this, const mif_key_t *key,
						mif_sa_ref_t *out, u_int max)
{
	sas_count = real->get_sas(real, key, out, max);
	sas_max = max;
	return sas_count;
}

static void setup(void)
{
	ck_assert(library_init(NULL, "charon"));
	ck_assert(libcharon_init());
	ck_assert_msg(lib->plugins->load(lib->plugins, "random nonce"),
				  "loading plugins failed");
	real = mif_backend_create(NULL, NULL);
	ck_assert(real);
	wrap = (mif_backend_t){
		.registration = wrap_registration,
		.remove_session = wrap_remove_session,
		.attach_sa = wrap_attach_sa,
		.detach_sa = wrap_detach_sa,
		.detach_ike_sa = wrap_detach_ike_sa,
		.remove_sessions_with = wrap_remove_sessions_with,
		.get_sas = wrap_get_sas,
	};
	sas_count = -2;
	sas_max = 0;
	listener = mif_bus_listener_create(&wrap, 3600);
}

static void teardown(void)
{
	listener->destroy(listener);
	real->destroy(real);
	libcharon_deinit();
	library_deinit();
}

/**
 * An IKE SA of the test peer.
 */
static ike_sa_t *ike_sa_of_peer(void)
{
	ike_sa_id_t *id;
	ike_sa_t *ike_sa;

	id = ike_sa_id_create(IKEV2_MAJOR_VERSION, htobe64(0x1234), htobe64(0x5678),
						  TRUE);
	ike_sa = ike_sa_create(id, TRUE, IKEV2);
	id->destroy(id);
	ck_assert(ike_sa);
	ike_sa->set_my_host(ike_sa, host_create_from_string("192.0.2.1", 500));
	ike_sa->set_other_host(ike_sa, host_create_from_string("192.0.2.2", 500));
	ike_sa->set_my_id(ike_sa, identification_create_from_string("me@mif.test"));
	ike_sa->set_other_id(ike_sa, identification_create_from_string(PEER_ID));
	/* a session per IKE SA (and its rekeyed successors) */
	snprintf(key_id, sizeof(key_id), "%s#%u", PEER_ID,
			 ike_sa->get_unique_id(ike_sa));
	return ike_sa;
}

/**
 * Number of SA references of the test peer's session, -1 if it is gone.
 */
static int session_sas(void)
{
	mif_key_t key = { .id = key_id };

	return real->get_sas(real, &key, NULL, 0);
}

/**
 * Attach CHILD SA references of another IKE SA of the peer, then that IKE
 * SA itself, so it comes after all of them in the session.
 */
static void attach_other_ike_sa(u_int children)
{
	mif_key_t key = { .id = key_id };
	mif_sa_ref_t ref;
	u_int i;

	for (i = 0; i < children; i++)
	{
		ref = (mif_sa_ref_t){
			.type = MIF_SA_CHILD,
			.protocol = PROTO_ESP,
			.bid = 1,
			.ike_id = OTHER_IKE,
			.spi_in = 0xc0000000 + i,
			.spi_out = 0xd0000000 + i,
			.reqid = 100 + i,
		};
		ck_assert(real->attach_sa(real, &key, &ref));
	}
	ref = (mif_sa_ref_t){
		.type = MIF_SA_IKE,
		.bid = 1,
		.ike_id = OTHER_IKE,
	};
	ck_assert(real->attach_sa(real, &key, &ref));
}

/*
 * The IKE SA going down must not remove a session that another IKE SA of
 * the peer still references, wherever that reference is among the
 * session's SAs; get_sas() returns the total, more than the listener's
 * buffer may hold, and the listener must look at all of them (and not
 * read past what get_sas() filled in).
 */
START_TEST(test_forget_keeps_session_of_other_ike_sa)
{
	ike_sa_t *ike_sa = ike_sa_of_peer();
	u_int children = 16 + _i;

	ck_assert(listener->listener.ike_updown(&listener->listener, ike_sa, TRUE));
	ck_assert_int_eq(session_sas(), 1);
	attach_other_ike_sa(children);
	ck_assert_int_eq(session_sas(), 1 + children + 1);

	ck_assert(listener->listener.ike_updown(&listener->listener, ike_sa,
											FALSE));
	/* the listener saw every reference it was told about */
	ck_assert_int_eq(sas_count, children + 1);
	ck_assert_msg(sas_max >= sas_count, "listener read %d SA references "
				  "into a buffer of %u", sas_count, sas_max);
	ck_assert_int_eq(session_sas(), children + 1);
	ike_sa->destroy(ike_sa);
}
END_TEST

/*
 * Without another IKE SA the session goes, CHILD SA references and all.
 */
START_TEST(test_forget_removes_session)
{
	ike_sa_t *ike_sa = ike_sa_of_peer();
	mif_key_t key = { .id = key_id };
	mif_sa_ref_t ref;
	u_int i;

	ck_assert(listener->listener.ike_updown(&listener->listener, ike_sa, TRUE));
	for (i = 0; i < 40; i++)
	{
		ref = (mif_sa_ref_t){
			.type = MIF_SA_CHILD,
			.protocol = PROTO_ESP,
			.bid = 1,
			.ike_id = OTHER_IKE,
			.spi_in = 0xc0000000 + i,
		};
		ck_assert(real->attach_sa(real, &key, &ref));
	}
	ck_assert_int_eq(session_sas(), 41);
	ck_assert(listener->listener.ike_updown(&listener->listener, ike_sa,
											FALSE));
	ck_assert_int_eq(sas_count, 40);
	ck_assert(sas_max >= sas_count);
	ck_assert_int_eq(session_sas(), -1);
	ike_sa->destroy(ike_sa);
}
END_TEST

/*
 * A few references: the other IKE SA keeps the session.
 */
START_TEST(test_forget_few_refs)
{
	ike_sa_t *ike_sa = ike_sa_of_peer();

	ck_assert(listener->listener.ike_updown(&listener->listener, ike_sa, TRUE));
	attach_other_ike_sa(2);
	ck_assert(listener->listener.ike_updown(&listener->listener, ike_sa,
											FALSE));
	ck_assert_int_eq(session_sas(), 3);
	ike_sa->destroy(ike_sa);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mif bus listener");
	SRunner *sr;
	TCase *tc;
	int failed;

	tc = tcase_create("forget_ike_sa");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* the other IKE SA's reference at index 16, 17, 20, 48 after ours went */
	tcase_add_loop_test(tc, test_forget_keeps_session_of_other_ike_sa, 0, 2);
	tcase_add_loop_test(tc, test_forget_keeps_session_of_other_ike_sa, 4, 5);
	tcase_add_loop_test(tc, test_forget_keeps_session_of_other_ike_sa, 32, 33);
	tcase_add_test(tc, test_forget_removes_session);
	tcase_add_test(tc, test_forget_few_refs);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
