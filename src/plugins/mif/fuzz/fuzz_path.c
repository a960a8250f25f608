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
 * libFuzzer target for the capability and path notifies: MIF_SUPPORTED,
 * MIF_PATH_ADD, _REMOVE, _UPDATE, _RR and _ACK.  The first input octet
 * selects the parser, the rest is the notify data.  Anything that parses
 * must encode, parse again and encode to the same octets.
 */

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static void supported(chunk_t data)
{
	mif_msg_supported_t a, b;
	const char *reason;
	chunk_t x, y;

	if (mif_msg_parse_supported(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		return;
	}
	FUZZ_ASSERT(mif_msg_build_supported(&a, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_parse_supported(x, &b, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_build_supported(&b, &y, &reason) == MIF_MSG_OK);
	fuzz_same(x, y);
	chunk_free(&x);
	chunk_free(&y);
}

static void path_add(chunk_t data)
{
	mif_msg_path_add_t a, b;
	const char *reason;
	chunk_t x, y;

	if (mif_msg_parse_path_add(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		FUZZ_ASSERT(!a.local && !a.remote);
		return;
	}
	FUZZ_ASSERT(a.bid && a.local && a.remote);
	FUZZ_ASSERT(mif_msg_build_path_add(&a, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_parse_path_add(x, &b, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(a.local->ip_equals(a.local, b.local));
	FUZZ_ASSERT(a.remote->ip_equals(a.remote, b.remote));
	FUZZ_ASSERT(streq(a.ifname, b.ifname));
	FUZZ_ASSERT(mif_msg_build_path_add(&b, &y, &reason) == MIF_MSG_OK);
	fuzz_same(x, y);
	mif_msg_path_add_clear(&a);
	mif_msg_path_add_clear(&b);
	chunk_free(&x);
	chunk_free(&y);
}

static void path_remove(chunk_t data)
{
	mif_msg_path_remove_t a, b;
	const char *reason;
	chunk_t x, y;

	if (mif_msg_parse_path_remove(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		return;
	}
	FUZZ_ASSERT(mif_msg_build_path_remove(&a, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_parse_path_remove(x, &b, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_build_path_remove(&b, &y, &reason) == MIF_MSG_OK);
	fuzz_same(x, y);
	chunk_free(&x);
	chunk_free(&y);
}

static void path_update(chunk_t data)
{
	mif_msg_path_update_t a, b;
	const char *reason;
	chunk_t x, y;

	if (mif_msg_parse_path_update(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		return;
	}
	FUZZ_ASSERT(a.count >= 1 && a.count <= MIF_MSG_MAX_UPDATE_ENTRIES);
	FUZZ_ASSERT(mif_msg_build_path_update(&a, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_parse_path_update(x, &b, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_build_path_update(&b, &y, &reason) == MIF_MSG_OK);
	fuzz_same(x, y);
	chunk_free(&x);
	chunk_free(&y);
}

static void path_rr(chunk_t data)
{
	mif_msg_path_rr_t a, b;
	const char *reason;
	chunk_t x, y;

	if (mif_msg_parse_path_rr(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		return;
	}
	FUZZ_ASSERT(mif_msg_build_path_rr(&a, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_parse_path_rr(x, &b, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_build_path_rr(&b, &y, &reason) == MIF_MSG_OK);
	fuzz_same(x, y);
	chunk_free(&x);
	chunk_free(&y);
}

static void path_ack(chunk_t data)
{
	mif_msg_path_ack_t a, b;
	const char *reason;
	chunk_t x, y;

	if (mif_msg_parse_path_ack(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		return;
	}
	FUZZ_ASSERT(mif_msg_build_path_ack(&a, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_parse_path_ack(x, &b, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_build_path_ack(&b, &y, &reason) == MIF_MSG_OK);
	fuzz_same(x, y);
	chunk_free(&x);
	chunk_free(&y);
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	chunk_t data;

	if (len < 1)
	{
		return 0;
	}
	/* a private copy, so reading past the end is caught by ASan */
	data = chunk_clone(chunk_create((u_char*)buf + 1, len - 1));
	switch (buf[0] % 6)
	{
		case 0:
			supported(data);
			break;
		case 1:
			path_add(data);
			break;
		case 2:
			path_remove(data);
			break;
		case 3:
			path_update(data);
			break;
		case 4:
			path_rr(data);
			break;
		default:
			path_ack(data);
			break;
	}
	chunk_free(&data);
	return 0;
}
