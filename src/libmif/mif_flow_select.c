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

#include "mif_flow_select.h"

/**
 * Sort key of a binding for default forwarding: active before standby
 * before probing, then lower BID-PRI (0 = unspecified, last), then BID
 */
static uint32_t default_rank(mif_entry_t *entry)
{
	static const uint8_t state_rank[] = {
		[MIF_BINDING_ACTIVE] = 0,
		[MIF_BINDING_STANDBY] = 1,
		[MIF_BINDING_PROBING] = 2,
		[MIF_BINDING_REMOVED] = 3,
	};
	uint32_t prio = entry->b.prio ?: 128;

	return (uint32_t)state_rank[entry->b.state] << 24 | prio << 16 |
		   entry->b.bid;
}

/*
 * Described in header
 */
int mif_flow_select(mif_session_t *session, const mif_packet_t *pkt,
					mif_flow_action_t *action, uint16_t *bids, u_int max)
{
	mif_entry_t *entry, *best = NULL;
	mif_flow_t *flow;
	int i, j, count;

	for (i = 0; i < mif_session_nflows(session); i++)
	{
		flow = &mif_session_flows(session)[i];
		if (!mif_ts_match(&flow->ts, pkt))
		{
			continue;
		}
		if (flow->action != MIF_FLOW_BIDS)
		{
			*action = flow->action;
			return 0;
		}
		count = 0;
		for (j = 0; j < flow->nbids; j++)
		{	/* deregistered BIDs of an active flow are skipped */
			if (mif_session_get_entry(session, flow->bids[j]))
			{
				if (count < max)
				{
					bids[count++] = flow->bids[j];
				}
			}
		}
		if (count)
		{
			*action = MIF_FLOW_BIDS;
			return count;
		}
		/* inactive flow: all its BIDs are gone, next one decides */
	}
	for (entry = session->bindings; entry; entry = entry->next_sess)
	{
		if (!best || default_rank(entry) < default_rank(best))
		{
			best = entry;
		}
	}
	*action = MIF_FLOW_BIDS;
	count = 0;
	if (best && max)
	{
		bids[count++] = best->b.bid;
	}
	return count;
}
