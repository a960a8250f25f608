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
 * libFuzzer target for the flow binding notifies MIF_FLOW and MIF_FLOW_ACK.
 * The first input octet selects the parser, the rest is the notify data.
 */

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static void flow(chunk_t data)
{
	mif_msg_flow_t a, b;
	const char *reason;
	chunk_t x, y;
	int i;

	if (mif_msg_parse_flow(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		FUZZ_ASSERT(!a.local_ts && !a.remote_ts);
		return;
	}
	FUZZ_ASSERT(a.bid_count <= MIF_MSG_MAX_FLOW_BIDS);
	for (i = 0; i < a.bid_count; i++)
	{
		FUZZ_ASSERT(a.bids[i] != 0);
	}
	FUZZ_ASSERT((a.action == MIF_MSG_FLOW_SET) == (a.local_ts != NULL));
	FUZZ_ASSERT(mif_msg_build_flow(&a, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_parse_flow(x, &b, &reason) == MIF_MSG_OK);
	if (a.local_ts)
	{
		FUZZ_ASSERT(a.local_ts->equals(a.local_ts, b.local_ts));
		FUZZ_ASSERT(a.remote_ts->equals(a.remote_ts, b.remote_ts));
	}
	FUZZ_ASSERT(mif_msg_build_flow(&b, &y, &reason) == MIF_MSG_OK);
	fuzz_same(x, y);
	mif_msg_flow_clear(&a);
	mif_msg_flow_clear(&b);
	chunk_free(&x);
	chunk_free(&y);
}

static void flow_ack(chunk_t data)
{
	mif_msg_flow_ack_t a, b;
	const char *reason;
	chunk_t x, y;

	if (mif_msg_parse_flow_ack(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		return;
	}
	FUZZ_ASSERT(mif_msg_build_flow_ack(&a, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_parse_flow_ack(x, &b, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_build_flow_ack(&b, &y, &reason) == MIF_MSG_OK);
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
	data = chunk_clone(chunk_create((u_char*)buf + 1, len - 1));
	if (buf[0] & 1)
	{
		flow_ack(data);
	}
	else
	{
		flow(data);
	}
	chunk_free(&data);
	return 0;
}
