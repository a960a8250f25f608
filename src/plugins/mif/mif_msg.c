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

ENUM(mif_notify_type_names, MIF_SUPPORTED, MIF_FLOW_ACK,
	"MIF_SUPPORTED",
	"MIF_PATH_ADD",
	"MIF_PATH_REMOVE",
	"MIF_PATH_UPDATE",
	"MIF_PATH_RR",
	"MIF_PATH_ACK",
	"MIF_FLOW",
	"MIF_FLOW_ACK",
);

ENUM(mif_msg_status_names, MIF_MSG_OK, MIF_MSG_NO_CRYPTO,
	"OK",
	"TRUNCATED",
	"TOO_LONG",
	"TRAILING",
	"BAD_VERSION",
	"BAD_LENGTH",
	"BAD_VALUE",
	"BAD_ADDRESS",
	"UNKNOWN_CRITICAL",
	"BAD_TAG",
	"NO_CRYPTO",
);

ENUM(mif_if_kind_names, MIF_IF_UNSPECIFIED, MIF_IF_VIRTUAL,
	"unspecified",
	"wired",
	"wlan",
	"cellular",
	"virtual",
);

ENUM(mif_path_ack_status_names, MIF_ACK_ACCEPTED, MIF_ACK_RR_MISMATCH,
	"ACCEPTED",
	"REFUSED",
	"UNKNOWN_BID",
	"STALE_SEQ",
	"BAD_ADDRESS",
	"TOO_MANY_PATHS",
	"BID_CONFLICT",
	"NAT_REFUSED",
	"MALFORMED",
	"RR_MISMATCH",
);

/*
 * Described in header
 */
bool mif_msg_check_address(host_t *host, const char **reason)
{
	chunk_t a;

	if (!host)
	{
		mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS, "address missing");
		return FALSE;
	}
	a = host->get_address(host);
	switch (host->get_family(host))
	{
		case AF_INET:
			if (a.len != 4)
			{
				break;
			}
			if (a.ptr[0] == 0)
			{
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "unspecified IPv4 address");
				return FALSE;
			}
			if (a.ptr[0] == 127)
			{
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "loopback IPv4 address");
				return FALSE;
			}
			if ((a.ptr[0] & 0xf0) == 0xe0)
			{
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "multicast IPv4 address");
				return FALSE;
			}
			if ((a.ptr[0] & 0xf0) == 0xf0)
			{
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "reserved or broadcast IPv4 address");
				return FALSE;
			}
			return TRUE;
		case AF_INET6:
		{
			static const uint8_t mapped[12] = {
				0,0,0,0,0,0,0,0,0,0,0xff,0xff };
			int i;

			if (a.len != 16)
			{
				break;
			}
			for (i = 0; i < 15 && a.ptr[i] == 0; i++)
			{
				/* count leading zero octets */
			}
			if (i == 15 && a.ptr[15] == 0)
			{
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "unspecified IPv6 address");
				return FALSE;
			}
			if (i == 15 && a.ptr[15] == 1)
			{
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "loopback IPv6 address");
				return FALSE;
			}
			if (a.ptr[0] == 0xff)
			{
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "multicast IPv6 address");
				return FALSE;
			}
			if (a.ptr[0] == 0xfe && (a.ptr[1] & 0xc0) == 0x80)
			{
				/* no scope on the wire, the peer could not use it */
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "link-local IPv6 address");
				return FALSE;
			}
			if (memeq(a.ptr, mapped, sizeof(mapped)))
			{
				/* would let one address pass as two different paths */
				mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							 "IPv4-mapped IPv6 address");
				return FALSE;
			}
			return TRUE;
		}
		default:
			break;
	}
	mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS, "unsupported address family");
	return FALSE;
}

/*
 * Described in mif_msg_priv.h
 */
mif_msg_status_t mif_msg_read_header(bio_reader_t *reader, size_t len,
									 bool min_version, uint8_t *version,
									 uint8_t *flags, const char **reason)
{
	if (len > MIF_MSG_MAX_LEN)
	{
		return mif_msg_fail(reason, MIF_MSG_TOO_LONG,
							"notify data exceeds 1024 octets");
	}
	if (!reader->read_uint8(reader, version) ||
		!reader->read_uint8(reader, flags))
	{
		return mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							"truncated header");
	}
	if (*version == 0 || (!min_version && *version != MIF_MSG_VERSION))
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VERSION,
							"unsupported version");
	}
	return MIF_MSG_OK;
}

/*
 * Described in mif_msg_priv.h
 */
mif_msg_status_t mif_msg_read_tlvs(bio_reader_t *reader, uint16_t known,
								   chunk_t *value, bool *found,
								   const char **reason)
{
	uint16_t type, len;
	chunk_t data;
	bool seen = FALSE;

	if (known)
	{
		*value = chunk_empty;
		*found = FALSE;
	}
	while (reader->remaining(reader))
	{
		if (reader->remaining(reader) < 4)
		{
			return mif_msg_fail(reason, MIF_MSG_TRAILING,
								"trailing data after last field");
		}
		if (!reader->read_uint16(reader, &type) ||
			!reader->read_uint16(reader, &len))
		{
			return mif_msg_fail(reason, MIF_MSG_TRUNCATED, "truncated TLV");
		}
		if (!reader->read_data(reader, len, &data))
		{
			return mif_msg_fail(reason, MIF_MSG_BAD_LENGTH,
								"TLV length exceeds data");
		}
		if (known && (type & ~MIF_MSG_TLV_CRITICAL) == known)
		{
			if (seen)
			{
				return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
									"duplicate TLV");
			}
			seen = *found = TRUE;
			*value = data;
			continue;
		}
		if (type & MIF_MSG_TLV_CRITICAL)
		{
			return mif_msg_fail(reason, MIF_MSG_UNKNOWN_CRITICAL,
								"unknown critical TLV");
		}
		/* unknown non-critical TLVs are skipped for forward compatibility */
	}
	return MIF_MSG_OK;
}

/*
 * Described in mif_msg_priv.h
 */
mif_msg_status_t mif_msg_read_address(bio_reader_t *reader, host_t **host,
									  const char **reason)
{
	uint8_t afn, len;
	chunk_t addr;
	int family;

	*host = NULL;
	if (!reader->read_uint8(reader, &afn) ||
		!reader->read_uint8(reader, &len))
	{
		return mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							"truncated address block");
	}
	switch (afn)
	{
		case MIF_AFN_IPV4:
			family = AF_INET;
			if (len != 4)
			{
				return mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
									"address length does not match family");
			}
			break;
		case MIF_AFN_IPV6:
			family = AF_INET6;
			if (len != 16)
			{
				return mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
									"address length does not match family");
			}
			break;
		default:
			return mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
								"unknown address family");
	}
	if (!reader->read_data(reader, len, &addr))
	{
		return mif_msg_fail(reason, MIF_MSG_TRUNCATED, "truncated address");
	}
	*host = host_create_from_chunk(family, addr, 0);
	if (!*host)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS, "invalid address");
	}
	if (!mif_msg_check_address(*host, reason))
	{
		(*host)->destroy(*host);
		*host = NULL;
		return MIF_MSG_BAD_ADDRESS;
	}
	return MIF_MSG_OK;
}

/*
 * Described in mif_msg_priv.h
 */
void mif_msg_write_address(bio_writer_t *writer, host_t *host)
{
	chunk_t addr = host->get_address(host);

	writer->write_uint8(writer, host->get_family(host) == AF_INET ?
						MIF_AFN_IPV4 : MIF_AFN_IPV6);
	writer->write_data8(writer, addr);
}

/*
 * Described in mif_msg_priv.h
 */
mif_msg_status_t mif_msg_finish(bio_writer_t *writer, chunk_t *out,
								const char **reason)
{
	if (writer->get_buf(writer).len > MIF_MSG_MAX_LEN)
	{
		writer->destroy(writer);
		return mif_msg_fail(reason, MIF_MSG_TOO_LONG,
							"notify data exceeds 1024 octets");
	}
	*out = writer->extract_buf(writer);
	writer->destroy(writer);
	return MIF_MSG_OK;
}

/**
 * Start a build with the common Version and Flags octets.
 */
static bio_writer_t *start(uint8_t flags)
{
	bio_writer_t *writer = bio_writer_create(64);

	writer->write_uint8(writer, MIF_MSG_VERSION);
	writer->write_uint8(writer, flags);
	return writer;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_supported(chunk_t data, mif_msg_supported_t *out,
										 const char **reason)
{
	bio_reader_t *reader;
	mif_msg_status_t status;
	uint8_t reserved8;
	uint16_t reserved16;
	chunk_t seed;

	memset(out, 0, sizeof(*out));
	reader = bio_reader_create(data);
	status = mif_msg_read_header(reader, data.len, TRUE, &out->version,
								 &out->flags, reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (!reader->read_uint8(reader, &out->max_paths) ||
		!reader->read_uint8(reader, &reserved8) ||
		!reader->read_uint16(reader, &out->probe_port) ||
		!reader->read_uint16(reader, &reserved16) ||
		!reader->read_data(reader, MIF_MSG_SEED_LEN, &seed))
	{
		status = mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							  "truncated MIF_SUPPORTED");
		goto out;
	}
	if (out->max_paths == 0)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "max paths is zero");
		goto out;
	}
	if (out->max_paths > MIF_MSG_MAX_PATHS)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							  "max paths exceeds 16");
		goto out;
	}
	if (out->probe_port == 0)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "probe port is zero");
		goto out;
	}
	memcpy(out->seed, seed.ptr, MIF_MSG_SEED_LEN);
	status = mif_msg_read_tlvs(reader, 0, NULL, NULL, reason);

out:
	reader->destroy(reader);
	return status;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_supported(const mif_msg_supported_t *in,
										 chunk_t *out, const char **reason)
{
	bio_writer_t *writer;

	*out = chunk_empty;
	if (in->max_paths == 0 || in->max_paths > MIF_MSG_MAX_PATHS)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"max paths out of range");
	}
	if (in->probe_port == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "probe port is zero");
	}
	writer = start(in->flags);
	writer->write_uint8(writer, in->max_paths);
	writer->write_uint8(writer, 0);
	writer->write_uint16(writer, in->probe_port);
	writer->write_uint16(writer, 0);
	writer->write_data(writer, chunk_create((u_char*)in->seed,
											MIF_MSG_SEED_LEN));
	return mif_msg_finish(writer, out, reason);
}

/**
 * Validate an interface name from the IFNAME TLV or the caller.
 */
static mif_msg_status_t check_ifname(chunk_t name, const char **reason)
{
	size_t i;

	if (name.len == 0 || name.len > MIF_MSG_IFNAME_MAX)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_LENGTH,
							"interface name length out of range");
	}
	for (i = 0; i < name.len; i++)
	{
		/* what Linux accepts in a name, and safe to log */
		if (name.ptr[i] <= 0x20 || name.ptr[i] >= 0x7f || name.ptr[i] == '/')
		{
			return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
								"invalid character in interface name");
		}
	}
	return MIF_MSG_OK;
}

/**
 * Check the BID/priority/kind of a path.
 */
static mif_msg_status_t check_path(uint16_t bid, uint8_t priority,
								   const char **reason)
{
	if (bid == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID is zero");
	}
	if (priority < MIF_MSG_PRIO_MIN || priority > MIF_MSG_PRIO_MAX)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"priority out of range");
	}
	return MIF_MSG_OK;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_path_add(chunk_t data, mif_msg_path_add_t *out,
										const char **reason)
{
	bio_reader_t *reader;
	mif_msg_status_t status;
	uint8_t version, kind;
	chunk_t ifname;
	bool has_ifname;

	memset(out, 0, sizeof(*out));
	reader = bio_reader_create(data);
	status = mif_msg_read_header(reader, data.len, FALSE, &version,
								 &out->flags, reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (!reader->read_uint16(reader, &out->bid) ||
		!reader->read_uint16(reader, &out->seq) ||
		!reader->read_uint8(reader, &kind) ||
		!reader->read_uint8(reader, &out->priority))
	{
		status = mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							  "truncated MIF_PATH_ADD");
		goto out;
	}
	status = check_path(out->bid, out->priority, reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (kind > MIF_IF_KIND_MAX)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							  "unknown interface kind");
		goto out;
	}
	out->kind = kind;
	status = mif_msg_read_address(reader, &out->local, reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	status = mif_msg_read_address(reader, &out->remote, reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (out->local->get_family(out->local) !=
		out->remote->get_family(out->remote))
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							  "path address families differ");
		goto out;
	}
	status = mif_msg_read_tlvs(reader, MIF_MSG_TLV_IFNAME, &ifname,
							   &has_ifname, reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (has_ifname)
	{
		status = check_ifname(ifname, reason);
		if (status != MIF_MSG_OK)
		{
			goto out;
		}
		memcpy(out->ifname, ifname.ptr, ifname.len);
		out->ifname[ifname.len] = '\0';
	}

out:
	reader->destroy(reader);
	if (status != MIF_MSG_OK)
	{
		mif_msg_path_add_clear(out);
	}
	return status;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_path_add(const mif_msg_path_add_t *in,
										chunk_t *out, const char **reason)
{
	bio_writer_t *writer;
	mif_msg_status_t status;
	chunk_t ifname;

	*out = chunk_empty;
	status = check_path(in->bid, in->priority, reason);
	if (status != MIF_MSG_OK)
	{
		return status;
	}
	if (in->kind > MIF_IF_KIND_MAX)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"unknown interface kind");
	}
	if (!mif_msg_check_address(in->local, reason) ||
		!mif_msg_check_address(in->remote, reason))
	{
		return MIF_MSG_BAD_ADDRESS;
	}
	if (in->local->get_family(in->local) !=
		in->remote->get_family(in->remote))
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							"path address families differ");
	}
	ifname = chunk_create((u_char*)in->ifname,
						  strnlen(in->ifname, sizeof(in->ifname)));
	if (ifname.len == sizeof(in->ifname))
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_LENGTH,
							"interface name not terminated");
	}
	if (ifname.len)
	{
		status = check_ifname(ifname, reason);
		if (status != MIF_MSG_OK)
		{
			return status;
		}
	}
	writer = start(in->flags);
	writer->write_uint16(writer, in->bid);
	writer->write_uint16(writer, in->seq);
	writer->write_uint8(writer, in->kind);
	writer->write_uint8(writer, in->priority);
	mif_msg_write_address(writer, in->local);
	mif_msg_write_address(writer, in->remote);
	if (ifname.len)
	{
		writer->write_uint16(writer, MIF_MSG_TLV_IFNAME);
		writer->write_data16(writer, ifname);
	}
	return mif_msg_finish(writer, out, reason);
}

/*
 * Described in header
 */
void mif_msg_path_add_clear(mif_msg_path_add_t *msg)
{
	DESTROY_IF(msg->local);
	DESTROY_IF(msg->remote);
	msg->local = msg->remote = NULL;
}

/**
 * Parse the BID/Seq/octet/reserved layout shared by REMOVE and ACK.
 */
static mif_msg_status_t parse_bid_seq_octet(chunk_t data, uint16_t *bid,
											uint16_t *seq, uint8_t *octet,
											const char *truncated,
											const char **reason)
{
	bio_reader_t *reader;
	mif_msg_status_t status;
	uint8_t version, flags, reserved;

	reader = bio_reader_create(data);
	status = mif_msg_read_header(reader, data.len, FALSE, &version, &flags,
								 reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (!reader->read_uint16(reader, bid) ||
		!reader->read_uint16(reader, seq) ||
		!reader->read_uint8(reader, octet) ||
		!reader->read_uint8(reader, &reserved))
	{
		status = mif_msg_fail(reason, MIF_MSG_TRUNCATED, truncated);
		goto out;
	}
	if (*bid == 0)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID is zero");
		goto out;
	}
	status = mif_msg_read_tlvs(reader, 0, NULL, NULL, reason);

out:
	reader->destroy(reader);
	return status;
}

/**
 * Build the BID/Seq/octet/reserved layout shared by REMOVE and ACK.
 */
static mif_msg_status_t build_bid_seq_octet(uint16_t bid, uint16_t seq,
											uint8_t octet, chunk_t *out,
											const char **reason)
{
	bio_writer_t *writer;

	*out = chunk_empty;
	if (bid == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID is zero");
	}
	writer = start(0);
	writer->write_uint16(writer, bid);
	writer->write_uint16(writer, seq);
	writer->write_uint8(writer, octet);
	writer->write_uint8(writer, 0);
	return mif_msg_finish(writer, out, reason);
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_path_remove(chunk_t data,
										   mif_msg_path_remove_t *out,
										   const char **reason)
{
	memset(out, 0, sizeof(*out));
	return parse_bid_seq_octet(data, &out->bid, &out->seq, &out->reason,
							   "truncated MIF_PATH_REMOVE", reason);
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_path_remove(const mif_msg_path_remove_t *in,
										   chunk_t *out, const char **reason)
{
	return build_bid_seq_octet(in->bid, in->seq, in->reason, out, reason);
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_path_ack(chunk_t data, mif_msg_path_ack_t *out,
										const char **reason)
{
	memset(out, 0, sizeof(*out));
	return parse_bid_seq_octet(data, &out->bid, &out->seq, &out->status,
							   "truncated MIF_PATH_ACK", reason);
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_path_ack(const mif_msg_path_ack_t *in,
										chunk_t *out, const char **reason)
{
	return build_bid_seq_octet(in->bid, in->seq, in->status, out, reason);
}

/**
 * Validate one MIF_PATH_UPDATE entry against the ones before it.
 */
static mif_msg_status_t check_update_entry(const mif_msg_path_update_entry_t *e,
										   const mif_msg_path_update_entry_t *all,
										   int idx, const char **reason)
{
	mif_msg_status_t status;
	int i;

	status = check_path(e->bid, e->priority, reason);
	if (status != MIF_MSG_OK)
	{
		return status;
	}
	if (e->state != MIF_WIRE_ACTIVE && e->state != MIF_WIRE_STANDBY)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "unknown path state");
	}
	for (i = 0; i < idx; i++)
	{
		if (all[i].bid == e->bid)
		{
			return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "duplicate BID");
		}
	}
	return MIF_MSG_OK;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_path_update(chunk_t data,
										   mif_msg_path_update_t *out,
										   const char **reason)
{
	bio_reader_t *reader;
	mif_msg_status_t status;
	uint8_t version, flags, reserved, state;
	int i;

	memset(out, 0, sizeof(*out));
	reader = bio_reader_create(data);
	status = mif_msg_read_header(reader, data.len, FALSE, &version, &flags,
								 reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (!reader->read_uint8(reader, &out->count) ||
		!reader->read_uint8(reader, &reserved))
	{
		status = mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							  "truncated MIF_PATH_UPDATE");
		goto out;
	}
	if (out->count == 0)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "entry count is zero");
		goto out;
	}
	if (out->count > MIF_MSG_MAX_UPDATE_ENTRIES)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							  "entry count exceeds 16");
		out->count = 0;
		goto out;
	}
	for (i = 0; i < out->count; i++)
	{
		mif_msg_path_update_entry_t *e = &out->entries[i];

		if (!reader->read_uint16(reader, &e->bid) ||
			!reader->read_uint16(reader, &e->seq) ||
			!reader->read_uint8(reader, &e->priority) ||
			!reader->read_uint8(reader, &state))
		{
			status = mif_msg_fail(reason, MIF_MSG_TRUNCATED,
								  "entry count exceeds data");
			goto out;
		}
		e->state = state;
		status = check_update_entry(e, out->entries, i, reason);
		if (status != MIF_MSG_OK)
		{
			goto out;
		}
	}
	status = mif_msg_read_tlvs(reader, 0, NULL, NULL, reason);

out:
	reader->destroy(reader);
	return status;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_path_update(const mif_msg_path_update_t *in,
										   chunk_t *out, const char **reason)
{
	bio_writer_t *writer;
	mif_msg_status_t status;
	int i;

	*out = chunk_empty;
	if (in->count == 0 || in->count > MIF_MSG_MAX_UPDATE_ENTRIES)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE,
							"entry count out of range");
	}
	for (i = 0; i < in->count; i++)
	{
		status = check_update_entry(&in->entries[i], in->entries, i, reason);
		if (status != MIF_MSG_OK)
		{
			return status;
		}
	}
	writer = start(0);
	writer->write_uint8(writer, in->count);
	writer->write_uint8(writer, 0);
	for (i = 0; i < in->count; i++)
	{
		writer->write_uint16(writer, in->entries[i].bid);
		writer->write_uint16(writer, in->entries[i].seq);
		writer->write_uint8(writer, in->entries[i].priority);
		writer->write_uint8(writer, in->entries[i].state);
	}
	return mif_msg_finish(writer, out, reason);
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_path_rr(chunk_t data, mif_msg_path_rr_t *out,
									   const char **reason)
{
	bio_reader_t *reader;
	mif_msg_status_t status;
	uint8_t version, flags;
	chunk_t cookie;

	memset(out, 0, sizeof(*out));
	reader = bio_reader_create(data);
	status = mif_msg_read_header(reader, data.len, FALSE, &version, &flags,
								 reason);
	if (status != MIF_MSG_OK)
	{
		goto out;
	}
	if (!reader->read_uint16(reader, &out->bid) ||
		!reader->read_uint16(reader, &out->seq) ||
		!reader->read_data(reader, MIF_MSG_COOKIE_LEN, &cookie))
	{
		status = mif_msg_fail(reason, MIF_MSG_TRUNCATED,
							  "truncated MIF_PATH_RR");
		goto out;
	}
	if (out->bid == 0)
	{
		status = mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID is zero");
		goto out;
	}
	memcpy(out->cookie, cookie.ptr, MIF_MSG_COOKIE_LEN);
	status = mif_msg_read_tlvs(reader, 0, NULL, NULL, reason);

out:
	reader->destroy(reader);
	return status;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_path_rr(const mif_msg_path_rr_t *in,
									   chunk_t *out, const char **reason)
{
	bio_writer_t *writer;

	*out = chunk_empty;
	if (in->bid == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID is zero");
	}
	writer = start(0);
	writer->write_uint16(writer, in->bid);
	writer->write_uint16(writer, in->seq);
	writer->write_data(writer, chunk_create((u_char*)in->cookie,
											MIF_MSG_COOKIE_LEN));
	return mif_msg_finish(writer, out, reason);
}
