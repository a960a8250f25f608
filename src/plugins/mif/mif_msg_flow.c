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

#include "mif_msg_priv.h"

#include <string.h>

/**
 * Read one selector in the RFC 7296 section 3.13.1 layout.
 */
static mif_msg_status_t read_ts(bio_reader_t *reader, traffic_selector_t **ts,
								const char **reason)
{
	uint8_t type, proto;
	uint16_t sel_len, from_port, to_port;
	chunk_t from, to;
	size_t alen;

	*ts = NULL;
	if (!reader->read_uint8(reader, &type) ||
		!reader->read_uint8(reader, &proto) ||
		!reader->read_uint16(reader, &sel_len))
	{
		return mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							"truncated traffic selector");
	}
	switch (type)
	{
		case TS_IPV4_ADDR_RANGE:
			alen = 4;
			break;
		case TS_IPV6_ADDR_RANGE:
			alen = 16;
			break;
		default:
			return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
								"unsupported traffic selector type");
	}
	if (sel_len != 8 + 2 * alen)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_LENGTH,
							"selector length does not match type");
	}
	if (!reader->read_uint16(reader, &from_port) ||
		!reader->read_uint16(reader, &to_port) ||
		!reader->read_data(reader, alen, &from) ||
		!reader->read_data(reader, alen, &to))
	{
		return mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							"truncated traffic selector");
	}
	if (from_port > to_port)
	{
		/* RFC 7296 OPAQUE ports make no sense for a flow binding */
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"selector port range inverted");
	}
	if (memcmp(from.ptr, to.ptr, alen) > 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"selector address range inverted");
	}
	*ts = traffic_selector_create_from_bytes(proto, type, from, from_port,
											 to, to_port);
	if (!*ts)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"invalid traffic selector");
	}
	/* strongSwan moves ICMP values < 256 to the type octet, recheck */
	if ((*ts)->get_from_port(*ts) > (*ts)->get_to_port(*ts))
	{
		(*ts)->destroy(*ts);
		*ts = NULL;
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"selector port range inverted");
	}
	return MIF_MSG_OK;
}

/**
 * Check a selector before encoding it.
 */
static mif_msg_status_t check_ts(traffic_selector_t *ts, const char **reason)
{
	chunk_t from, to;

	if (!ts)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"traffic selector missing");
	}
	if (ts->get_type(ts) != TS_IPV4_ADDR_RANGE &&
		ts->get_type(ts) != TS_IPV6_ADDR_RANGE)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"unsupported traffic selector type");
	}
	if (ts->get_from_port(ts) > ts->get_to_port(ts))
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"selector port range inverted");
	}
	from = ts->get_from_address(ts);
	to = ts->get_to_address(ts);
	if (memcmp(from.ptr, to.ptr, from.len) > 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"selector address range inverted");
	}
	return MIF_MSG_OK;
}

/**
 * Write one selector in the RFC 7296 section 3.13.1 layout.
 */
static void write_ts(bio_writer_t *writer, traffic_selector_t *ts)
{
	chunk_t from = ts->get_from_address(ts), to = ts->get_to_address(ts);

	writer->write_uint8(writer, ts->get_type(ts));
	writer->write_uint8(writer, ts->get_protocol(ts));
	writer->write_uint16(writer, 8 + from.len + to.len);
	writer->write_uint16(writer, ts->get_from_port(ts));
	writer->write_uint16(writer, ts->get_to_port(ts));
	writer->write_data(writer, from);
	writer->write_data(writer, to);
}

/**
 * Check the BID list and selectors of a flow against its action.
 */
static mif_msg_status_t check_flow(const mif_msg_flow_t *flow,
								   const char **reason)
{
	int i, j;

	if (flow->fid == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "FID is zero");
	}
	if (flow->fid_pri == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "FID priority is zero");
	}
	switch (flow->action)
	{
		case MIF_MSG_FLOW_SET:
			if (flow->bid_count == 0)
			{
				return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
									"BID count is zero");
			}
			break;
		case MIF_MSG_FLOW_DELETE:
			if (flow->bid_count != 0)
			{
				return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
									"BIDs in flow delete");
			}
			break;
		default:
			return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
								"unknown flow action");
	}
	if (flow->bid_count > MIF_MSG_MAX_FLOW_BIDS)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID count exceeds 8");
	}
	for (i = 0; i < flow->bid_count; i++)
	{
		if (flow->bids[i] == 0)
		{
			return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID is zero");
		}
		for (j = 0; j < i; j++)
		{
			if (flow->bids[j] == flow->bids[i])
			{
				return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
									"duplicate BID");
			}
		}
	}
	return MIF_MSG_OK;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_flow(chunk_t data, mif_msg_flow_t *out,
									const char **reason)
{
	bio_reader_t *reader;
	mif_msg_status_t status;
	uint8_t version, flags, action;
	int i;

	memset(out, 0, sizeof(*out));
	reader = bio_reader_create(data);
	status = mif_msg_read_header(reader, data.len, FALSE, &version, &flags,
								 reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (!reader->read_uint16(reader, &out->fid) ||
		!reader->read_uint16(reader, &out->fid_pri) ||
		!reader->read_uint8(reader, &action) ||
		!reader->read_uint8(reader, &out->bid_count))
	{
		status = mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							  "truncated MIF_FLOW");
		goto out;
	}
	out->action = action;
	if (out->bid_count > MIF_MSG_MAX_FLOW_BIDS)
	{
		/* checked before reading so bids[] can not overflow */
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							  "BID count exceeds 8");
		out->bid_count = 0;
		goto out;
	}
	for (i = 0; i < out->bid_count; i++)
	{
		if (!reader->read_uint16(reader, &out->bids[i]))
		{
			status = mif_msg_fail(reason, MIF_MSG_TRUNCATED,
								  "BID count exceeds data");
			goto out;
		}
	}
	status = check_flow(out, reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (out->action == MIF_MSG_FLOW_SET)
	{
		status = read_ts(reader, &out->local_ts, reason);
		if (status != MIF_MSG_OK)
		{
			goto out;
		}
		status = read_ts(reader, &out->remote_ts, reason);
		if (status != MIF_MSG_OK)
		{
			goto out;
		}
		if (out->local_ts->get_type(out->local_ts) !=
			out->remote_ts->get_type(out->remote_ts))
		{
			status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
								  "selector families differ");
			goto out;
		}
	}
	status = mif_msg_read_tlvs(reader, 0, NULL, NULL, reason);

out:
	reader->destroy(reader);
	if (status != MIF_MSG_OK)
	{
		mif_msg_flow_clear(out);
	}
	return status;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_flow(const mif_msg_flow_t *in, chunk_t *out,
									const char **reason)
{
	bio_writer_t *writer;
	mif_msg_status_t status;
	int i;

	*out = chunk_empty;
	status = check_flow(in, reason);
	if (status != MIF_MSG_OK)
	{
		return status;
	}
	if (in->action == MIF_MSG_FLOW_SET)
	{
		status = check_ts(in->local_ts, reason);
		if (status != MIF_MSG_OK)
		{
			return status;
		}
		status = check_ts(in->remote_ts, reason);
		if (status != MIF_MSG_OK)
		{
			return status;
		}
		if (in->local_ts->get_type(in->local_ts) !=
			in->remote_ts->get_type(in->remote_ts))
		{
			return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
								"selector families differ");
		}
	}
	writer = bio_writer_create(64);
	writer->write_uint8(writer, MIF_MSG_VERSION);
	writer->write_uint8(writer, 0);
	writer->write_uint16(writer, in->fid);
	writer->write_uint16(writer, in->fid_pri);
	writer->write_uint8(writer, in->action);
	writer->write_uint8(writer, in->bid_count);
	for (i = 0; i < in->bid_count; i++)
	{
		writer->write_uint16(writer, in->bids[i]);
	}
	if (in->action == MIF_MSG_FLOW_SET)
	{
		write_ts(writer, in->local_ts);
		write_ts(writer, in->remote_ts);
	}
	return mif_msg_finish(writer, out, reason);
}

/*
 * Described in header
 */
void mif_msg_flow_clear(mif_msg_flow_t *msg)
{
	DESTROY_IF(msg->local_ts);
	DESTROY_IF(msg->remote_ts);
	msg->local_ts = msg->remote_ts = NULL;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_flow_ack(chunk_t data, mif_msg_flow_ack_t *out,
										const char **reason)
{
	bio_reader_t *reader;
	mif_msg_status_t status;
	uint8_t version, flags, reserved;

	memset(out, 0, sizeof(*out));
	reader = bio_reader_create(data);
	status = mif_msg_read_header(reader, data.len, FALSE, &version, &flags,
								 reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (!reader->read_uint16(reader, &out->fid) ||
		!reader->read_uint8(reader, &out->status) ||
		!reader->read_uint8(reader, &reserved))
	{
		status = mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							  "truncated MIF_FLOW_ACK");
		goto out;
	}
	if (out->fid == 0)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "FID is zero");
		goto out;
	}
	status = mif_msg_read_tlvs(reader, 0, NULL, NULL, reason);

out:
	reader->destroy(reader);
	return status;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_flow_ack(const mif_msg_flow_ack_t *in,
										chunk_t *out, const char **reason)
{
	bio_writer_t *writer;

	*out = chunk_empty;
	if (in->fid == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "FID is zero");
	}
	writer = bio_writer_create(8);
	writer->write_uint8(writer, MIF_MSG_VERSION);
	writer->write_uint8(writer, 0);
	writer->write_uint16(writer, in->fid);
	writer->write_uint8(writer, in->status);
	writer->write_uint8(writer, 0);
	return mif_msg_finish(writer, out, reason);
}
