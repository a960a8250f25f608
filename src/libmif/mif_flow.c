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

#include "mif_flow.h"

ENUM(mif_flow_action_names, MIF_FLOW_BIDS, MIF_FLOW_HOME,
	"BIDS",
	"DROP",
	"HOME",
);

ENUM_BEGIN(mif_flow_status_names, MIF_FLOW_OK, MIF_FLOW_OK,
	"OK");
ENUM_NEXT(mif_flow_status_names, MIF_FLOW_PROHIBITED, MIF_FLOW_TS_UNSUPPORTED,
		  MIF_FLOW_OK,
	"PROHIBITED",
	"REJECTED",
	"MALFORMED",
	"BID_NOT_FOUND",
	"FID_NOT_FOUND",
	"TS_UNSUPPORTED");
ENUM_END(mif_flow_status_names, MIF_FLOW_TS_UNSUPPORTED);

/**
 * Address length of a family, 0 if unknown
 */
static size_t addr_len(int family)
{
	switch (family)
	{
		case AF_INET:
			return 4;
		case AF_INET6:
			return 16;
		default:
			return 0;
	}
}

/*
 * Described in header
 */
void mif_ts_any(mif_ts_t *ts, int family)
{
	size_t len = addr_len(family);

	memset(ts, 0, sizeof(*ts));
	ts->family = family;
	ts->sport_hi = ts->dport_hi = 0xffff;
	memset(ts->src_hi, 0xff, len);
	memset(ts->dst_hi, 0xff, len);
}

/*
 * Described in header
 */
bool mif_ts_from_traffic_selectors(mif_ts_t *ts, traffic_selector_t *src,
								   traffic_selector_t *dst)
{
	chunk_t from, to;
	uint8_t sp, dp;
	int family;

	switch (src->get_type(src))
	{
		case TS_IPV4_ADDR_RANGE:
			family = AF_INET;
			break;
		case TS_IPV6_ADDR_RANGE:
			family = AF_INET6;
			break;
		default:
			return FALSE;
	}
	if (dst->get_type(dst) != src->get_type(src))
	{
		return FALSE;
	}
	sp = src->get_protocol(src);
	dp = dst->get_protocol(dst);
	if (sp && dp && sp != dp)
	{
		return FALSE;
	}
	mif_ts_any(ts, family);
	ts->proto = sp ?: dp;
	from = src->get_from_address(src);
	to = src->get_to_address(src);
	memcpy(ts->src_lo, from.ptr, from.len);
	memcpy(ts->src_hi, to.ptr, to.len);
	from = dst->get_from_address(dst);
	to = dst->get_to_address(dst);
	memcpy(ts->dst_lo, from.ptr, from.len);
	memcpy(ts->dst_hi, to.ptr, to.len);
	ts->sport_lo = src->get_from_port(src);
	ts->sport_hi = src->get_to_port(src);
	ts->dport_lo = dst->get_from_port(dst);
	ts->dport_hi = dst->get_to_port(dst);
	return mif_ts_is_valid(ts);
}

/*
 * Described in header
 */
bool mif_ts_is_valid(const mif_ts_t *ts)
{
	static const uint8_t zero[16];
	size_t len = addr_len(ts->family);

	if (!len)
	{
		return FALSE;
	}
	if (len == 4 && (!memeq(ts->src_lo + 4, zero, 12) ||
					 !memeq(ts->src_hi + 4, zero, 12) ||
					 !memeq(ts->dst_lo + 4, zero, 12) ||
					 !memeq(ts->dst_hi + 4, zero, 12)))
	{
		return FALSE;
	}
	return memcmp(ts->src_lo, ts->src_hi, len) <= 0 &&
		   memcmp(ts->dst_lo, ts->dst_hi, len) <= 0 &&
		   ts->sport_lo <= ts->sport_hi && ts->dport_lo <= ts->dport_hi;
}

/*
 * Described in header
 */
bool mif_ts_match(const mif_ts_t *ts, const mif_packet_t *pkt)
{
	size_t len = addr_len(ts->family);

	if (pkt->src.family != ts->family || pkt->dst.family != ts->family)
	{
		return FALSE;
	}
	if (ts->proto && ts->proto != pkt->proto)
	{
		return FALSE;
	}
	if (pkt->sport < ts->sport_lo || pkt->sport > ts->sport_hi ||
		pkt->dport < ts->dport_lo || pkt->dport > ts->dport_hi)
	{
		return FALSE;
	}
	return memcmp(pkt->src.addr, ts->src_lo, len) >= 0 &&
		   memcmp(pkt->src.addr, ts->src_hi, len) <= 0 &&
		   memcmp(pkt->dst.addr, ts->dst_lo, len) >= 0 &&
		   memcmp(pkt->dst.addr, ts->dst_hi, len) <= 0;
}

/*
 * Described in header
 */
mif_flow_status_t mif_flow_check(const mif_flow_t *flow)
{
	int i, j;

	if (!flow->fid || !flow->prio)
	{
		return MIF_FLOW_MALFORMED;
	}
	switch (flow->action)
	{
		case MIF_FLOW_BIDS:
			if (!flow->nbids || flow->nbids > MIF_FLOW_MAX_BIDS)
			{
				return MIF_FLOW_MALFORMED;
			}
			for (i = 0; i < flow->nbids; i++)
			{
				if (!flow->bids[i])
				{
					return MIF_FLOW_MALFORMED;
				}
				for (j = 0; j < i; j++)
				{
					if (flow->bids[i] == flow->bids[j])
					{
						return MIF_FLOW_MALFORMED;
					}
				}
			}
			break;
		case MIF_FLOW_DROP:
		case MIF_FLOW_HOME:
			if (flow->nbids)
			{
				return MIF_FLOW_MALFORMED;
			}
			break;
		default:
			return MIF_FLOW_MALFORMED;
	}
	if (!mif_ts_is_valid(&flow->ts))
	{
		return MIF_FLOW_TS_UNSUPPORTED;
	}
	return MIF_FLOW_OK;
}
