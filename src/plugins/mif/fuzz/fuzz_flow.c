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

/**
 * What a parsed MIF_FLOW satisfies: nonzero BIDs within the limit, and
 * selectors exactly when the action sets the flow.
 */
static bool flow_valid(mif_msg_flow_t *a)
{
	int i;

	if (a->bid_count > MIF_MSG_MAX_FLOW_BIDS)
	{
		return FALSE;
	}
	for (i = 0; i < a->bid_count; i++)
	{
		if (!a->bids[i])
		{
			return FALSE;
		}
	}
	return (a->action == MIF_MSG_FLOW_SET) == (a->local_ts != NULL);
}

/**
 * Two parses of one MIF_FLOW carry the same selectors.
 */
static bool flow_same(mif_msg_flow_t *a, mif_msg_flow_t *b)
{
	return !a->local_ts ||
		   (a->local_ts->equals(a->local_ts, b->local_ts) &&
			a->remote_ts->equals(a->remote_ts, b->remote_ts));
}

FUZZ_ROUND_TRIP(flow, mif_msg_flow_t, !a.local_ts && !a.remote_ts,
				flow_valid(&a), flow_same(&a, &b), mif_msg_flow_clear)

FUZZ_ROUND_TRIP(flow_ack, mif_msg_flow_ack_t, TRUE, TRUE, TRUE, FUZZ_NO_CLEAR)

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	fuzz_parser_t parsers[] = { flow, flow_ack };

	fuzz_dispatch(buf, len, parsers, countof(parsers));
	return 0;
}
