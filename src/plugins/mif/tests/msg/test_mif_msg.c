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
 * Unit tests of the mif_msg wire codec: round trips, pinned wire bytes and
 * rejection of malformed input with the documented status and reason.
 */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <library.h>

#include <mif_msg.h>

/**
 * expect a parse result with status and exact reason; the caller declares
 * "const char *_r" and passes R as the reason argument
 */
#define ck_reject(call, exp_status, exp_reason) do { \
	mif_msg_status_t _s; \
	_r = NULL; \
	_s = (call); \
	ck_assert_msg(_s == (exp_status), "status %N (%s), expected %N", \
				  mif_msg_status_names, _s, _r ?: "-", \
				  mif_msg_status_names, (exp_status)); \
	ck_assert_str_eq(_r, (exp_reason)); \
} while (0)

#define R &_r

static host_t *h(char *str)
{
	host_t *host = host_create_from_string(str, 0);

	ck_assert(host);
	return host;
}

/* whether host has the address str (the parsed one is destroyed again) */
static bool ip_is(host_t *host, char *str)
{
	host_t *other = h(str);
	bool equal;

	equal = host->ip_equals(host, other);
	other->destroy(other);
	return equal;
}

static chunk_t build_add(char *local, char *remote, char *ifname)
{
	mif_msg_path_add_t add = {
		.bid = 5, .seq = 7, .flags = MIF_PATH_ADD_STANDBY,
		.kind = MIF_IF_WLAN, .priority = 10,
	};
	const char *reason = NULL;
	chunk_t data;

	add.local = h(local);
	add.remote = h(remote);
	if (ifname)
	{
		strcpy(add.ifname, ifname);
	}
	ck_assert_int_eq(mif_msg_build_path_add(&add, &data, &reason), MIF_MSG_OK);
	mif_msg_path_add_clear(&add);
	return data;
}

static chunk_t build_flow_v4(void)
{
	mif_msg_flow_t flow = {
		.fid = 3, .fid_pri = 20, .action = MIF_MSG_FLOW_SET, .bid_count = 2,
		.bids = { 5, 9 },
	};
	const char *reason = NULL;
	chunk_t data;

	flow.local_ts = traffic_selector_create_from_cidr("10.1.0.0/16",
													  IPPROTO_TCP, 0, 65535);
	flow.remote_ts = traffic_selector_create_from_cidr("192.0.2.7/32",
													   IPPROTO_TCP, 443, 443);
	ck_assert_int_eq(mif_msg_build_flow(&flow, &data, &reason), MIF_MSG_OK);
	mif_msg_flow_clear(&flow);
	return data;
}

static u_char test_key[MIF_MSG_PROBE_KEY_LEN] = {
	0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x0e,
	0x0f,0x10,0x11,0x12,0x13,0x14,0x15,0x16,0x17,0x18,0x19,0x1a,0x1b,0x1c,
	0x1d,0x1e,0x1f,0x20,
};

static chunk_t build_probe(mif_probe_type_t type, char *addr, uint16_t port)
{
	mif_msg_probe_t probe = {
		.type = type, .flags = MIF_PROBE_RR, .bid = 5, .seq = 7,
		.number = 0xa1b2c3d4,
		.spi_i = htobe64(0x1122334455667788ULL),
		.spi_r = htobe64(0x99aabbccddeeff00ULL),
	};
	const char *reason = NULL;
	chunk_t data;

	memset(probe.cookie, 0x5a, sizeof(probe.cookie));
	probe.addr = host_create_from_string(addr, port);
	ck_assert_int_eq(mif_msg_build_probe(&probe, chunk_from_thing(test_key),
										 &data, &reason), MIF_MSG_OK);
	mif_msg_probe_clear(&probe);
	return data;
}

/* ------------------------------------------------------------------------ */
/* round trips                                                              */

START_TEST(test_supported_roundtrip)
{
	mif_msg_supported_t in = {
		.flags = MIF_SUPPORTED_TRANSPORT | MIF_SUPPORTED_FLOWS,
		.max_paths = 8, .probe_port = 4501,
	}, out;
	const char *reason = NULL;
	chunk_t data;

	memset(in.seed, 0xab, sizeof(in.seed));
	ck_assert_int_eq(mif_msg_build_supported(&in, &data, &reason), MIF_MSG_OK);
	ck_assert_int_eq(data.len, 40);
	ck_assert_int_eq(data.ptr[0], 1);
	ck_assert_int_eq(data.ptr[4], 4501 >> 8);
	ck_assert_int_eq(data.ptr[5], 4501 & 0xff);
	ck_assert_int_eq(mif_msg_parse_supported(data, &out, &reason), MIF_MSG_OK);
	ck_assert_int_eq(out.version, 1);
	ck_assert_int_eq(out.flags, in.flags);
	ck_assert_int_eq(out.max_paths, 8);
	ck_assert_int_eq(out.probe_port, 4501);
	ck_assert(memeq(out.seed, in.seed, sizeof(in.seed)));
	chunk_free(&data);
}
END_TEST

START_TEST(test_path_add_roundtrip_v4)
{
	mif_msg_path_add_t out;
	const char *reason = NULL;
	chunk_t data;
	u_char expected[] = {
		0x01, 0x01, 0x00, 0x05, 0x00, 0x07, 0x02, 0x0a,
		0x01, 0x04, 10, 0, 3, 1,
		0x01, 0x04, 10, 0, 3, 2,
		0x00, 0x01, 0x00, 0x05, 'w', 'l', 'a', 'n', '0',
	};

	data = build_add("10.0.3.1", "10.0.3.2", "wlan0");
	ck_assert(chunk_equals(data, chunk_from_thing(expected)));
	ck_assert_int_eq(mif_msg_parse_path_add(data, &out, &reason), MIF_MSG_OK);
	ck_assert_int_eq(out.bid, 5);
	ck_assert_int_eq(out.seq, 7);
	ck_assert_int_eq(out.flags, MIF_PATH_ADD_STANDBY);
	ck_assert_int_eq(out.kind, MIF_IF_WLAN);
	ck_assert_int_eq(out.priority, 10);
	ck_assert(ip_is(out.local, "10.0.3.1"));
	ck_assert(ip_is(out.remote, "10.0.3.2"));
	ck_assert_str_eq(out.ifname, "wlan0");
	/* self-contained: the input may go away */
	memset(data.ptr, 0, data.len);
	ck_assert(ip_is(out.local, "10.0.3.1"));
	mif_msg_path_add_clear(&out);
	ck_assert(out.local == NULL && out.remote == NULL);
	chunk_free(&data);
}
END_TEST

START_TEST(test_path_add_roundtrip_v6)
{
	mif_msg_path_add_t out;
	const char *reason = NULL;
	chunk_t data;

	data = build_add("2001:db8:1::1", "2001:db8:2::2", NULL);
	ck_assert_int_eq(data.len, 8 + 18 + 18);
	ck_assert_int_eq(mif_msg_parse_path_add(data, &out, &reason), MIF_MSG_OK);
	ck_assert(ip_is(out.local, "2001:db8:1::1"));
	ck_assert(ip_is(out.remote, "2001:db8:2::2"));
	ck_assert_str_eq(out.ifname, "");
	mif_msg_path_add_clear(&out);
	chunk_free(&data);
}
END_TEST

START_TEST(test_path_remove_ack_roundtrip)
{
	mif_msg_path_remove_t rm = { .bid = 5, .seq = 0xfffe,
								 .reason = MIF_REMOVE_IF_DOWN }, rm_out;
	mif_msg_path_ack_t ack = { .bid = 0x8001, .seq = 3,
							   .status = MIF_ACK_STALE_SEQ }, ack_out;
	u_char rm_wire[] = { 1, 0, 0x00, 0x05, 0xff, 0xfe, 1, 0 };
	const char *reason = NULL;
	chunk_t data;

	ck_assert_int_eq(mif_msg_build_path_remove(&rm, &data, &reason),
					 MIF_MSG_OK);
	ck_assert(chunk_equals(data, chunk_from_thing(rm_wire)));
	ck_assert_int_eq(mif_msg_parse_path_remove(data, &rm_out, &reason),
					 MIF_MSG_OK);
	ck_assert_int_eq(rm_out.bid, rm.bid);
	ck_assert_int_eq(rm_out.seq, rm.seq);
	ck_assert_int_eq(rm_out.reason, rm.reason);
	chunk_free(&data);

	ck_assert_int_eq(mif_msg_build_path_ack(&ack, &data, &reason), MIF_MSG_OK);
	ck_assert_int_eq(data.len, 8);
	ck_assert_int_eq(mif_msg_parse_path_ack(data, &ack_out, &reason),
					 MIF_MSG_OK);
	ck_assert_int_eq(ack_out.bid, ack.bid);
	ck_assert_int_eq(ack_out.seq, ack.seq);
	ck_assert_int_eq(ack_out.status, ack.status);
	chunk_free(&data);
}
END_TEST

START_TEST(test_path_update_roundtrip)
{
	mif_msg_path_update_t in = {
		.count = 3,
		.entries = {
			{ .bid = 1, .seq = 2, .priority = 1, .state = MIF_WIRE_ACTIVE },
			{ .bid = 2, .seq = 9, .priority = 127, .state = MIF_WIRE_STANDBY },
			{ .bid = 0x8000, .seq = 0, .priority = 50,
			  .state = MIF_WIRE_ACTIVE },
		},
	}, out;
	const char *reason = NULL;
	chunk_t data;
	int i;

	ck_assert_int_eq(mif_msg_build_path_update(&in, &data, &reason),
					 MIF_MSG_OK);
	ck_assert_int_eq(data.len, 4 + 3 * 6);
	ck_assert_int_eq(mif_msg_parse_path_update(data, &out, &reason),
					 MIF_MSG_OK);
	ck_assert_int_eq(out.count, 3);
	for (i = 0; i < 3; i++)
	{
		ck_assert_int_eq(out.entries[i].bid, in.entries[i].bid);
		ck_assert_int_eq(out.entries[i].seq, in.entries[i].seq);
		ck_assert_int_eq(out.entries[i].priority, in.entries[i].priority);
		ck_assert_int_eq(out.entries[i].state, in.entries[i].state);
	}
	chunk_free(&data);
}
END_TEST

START_TEST(test_path_rr_roundtrip)
{
	mif_msg_path_rr_t in = { .bid = 77, .seq = 12 }, out;
	const char *reason = NULL;
	chunk_t data;

	memset(in.cookie, 0xc3, sizeof(in.cookie));
	ck_assert_int_eq(mif_msg_build_path_rr(&in, &data, &reason), MIF_MSG_OK);
	ck_assert_int_eq(data.len, 22);
	ck_assert_int_eq(mif_msg_parse_path_rr(data, &out, &reason), MIF_MSG_OK);
	ck_assert_int_eq(out.bid, 77);
	ck_assert_int_eq(out.seq, 12);
	ck_assert(memeq(out.cookie, in.cookie, sizeof(in.cookie)));
	chunk_free(&data);
}
END_TEST

START_TEST(test_flow_roundtrip)
{
	mif_msg_flow_t out;
	const char *reason = NULL;
	chunk_t data;
	traffic_selector_t *ts;

	data = build_flow_v4();
	ck_assert_int_eq(data.len, 8 + 4 + 16 + 16);
	ck_assert_int_eq(mif_msg_parse_flow(data, &out, &reason), MIF_MSG_OK);
	ck_assert_int_eq(out.fid, 3);
	ck_assert_int_eq(out.fid_pri, 20);
	ck_assert_int_eq(out.action, MIF_MSG_FLOW_SET);
	ck_assert_int_eq(out.bid_count, 2);
	ck_assert_int_eq(out.bids[0], 5);
	ck_assert_int_eq(out.bids[1], 9);
	ts = traffic_selector_create_from_cidr("10.1.0.0/16", IPPROTO_TCP,
										   0, 65535);
	ck_assert(ts->equals(ts, out.local_ts));
	ts->destroy(ts);
	ts = traffic_selector_create_from_cidr("192.0.2.7/32", IPPROTO_TCP,
										   443, 443);
	ck_assert(ts->equals(ts, out.remote_ts));
	ts->destroy(ts);
	mif_msg_flow_clear(&out);
	chunk_free(&data);
}
END_TEST

START_TEST(test_flow_roundtrip_v6_and_delete)
{
	mif_msg_flow_t in = {
		.fid = 4, .fid_pri = 1, .action = MIF_MSG_FLOW_SET, .bid_count = 1,
		.bids = { 0x8002 },
	}, out;
	mif_msg_flow_ack_t ack = { .fid = 4, .status = MIF_FLOW_BID_NOT_FOUND },
					   ack_out;
	const char *reason = NULL;
	chunk_t data;

	in.local_ts = traffic_selector_create_from_cidr("2001:db8::/32", 0, 0,
													65535);
	in.remote_ts = traffic_selector_create_from_cidr("::/0", 0, 0, 65535);
	ck_assert_int_eq(mif_msg_build_flow(&in, &data, &reason), MIF_MSG_OK);
	ck_assert_int_eq(data.len, 8 + 2 + 40 + 40);
	ck_assert_int_eq(mif_msg_parse_flow(data, &out, &reason), MIF_MSG_OK);
	ck_assert(in.local_ts->equals(in.local_ts, out.local_ts));
	ck_assert(in.remote_ts->equals(in.remote_ts, out.remote_ts));
	mif_msg_flow_clear(&out);
	mif_msg_flow_clear(&in);
	chunk_free(&data);

	in = (mif_msg_flow_t){ .fid = 4, .fid_pri = 1, .action = MIF_MSG_FLOW_DELETE };
	ck_assert_int_eq(mif_msg_build_flow(&in, &data, &reason), MIF_MSG_OK);
	ck_assert_int_eq(data.len, 8);
	ck_assert_int_eq(mif_msg_parse_flow(data, &out, &reason), MIF_MSG_OK);
	ck_assert_int_eq(out.action, MIF_MSG_FLOW_DELETE);
	ck_assert(out.local_ts == NULL && out.remote_ts == NULL);
	chunk_free(&data);

	ck_assert_int_eq(mif_msg_build_flow_ack(&ack, &data, &reason), MIF_MSG_OK);
	ck_assert_int_eq(data.len, 6);
	ck_assert_int_eq(mif_msg_parse_flow_ack(data, &ack_out, &reason),
					 MIF_MSG_OK);
	ck_assert_int_eq(ack_out.fid, 4);
	ck_assert_int_eq(ack_out.status, MIF_FLOW_BID_NOT_FOUND);
	chunk_free(&data);
}
END_TEST

START_TEST(test_probe_roundtrip)
{
	mif_msg_probe_t out;
	const char *reason = NULL;
	chunk_t data;

	data = build_probe(MIF_PROBE_REQUEST, "10.0.3.2", 4501);
	ck_assert_int_eq(data.len, MIF_MSG_PROBE_LEN_V4);
	ck_assert_int_eq(mif_msg_parse_probe(data, &out, &reason), MIF_MSG_OK);
	ck_assert_int_eq(mif_msg_verify_probe(data, chunk_from_thing(test_key),
										  &reason), MIF_MSG_OK);
	ck_assert_int_eq(out.type, MIF_PROBE_REQUEST);
	ck_assert_int_eq(out.flags, MIF_PROBE_RR);
	ck_assert(out.spi_i == htobe64(0x1122334455667788ULL));
	ck_assert(out.spi_r == htobe64(0x99aabbccddeeff00ULL));
	ck_assert_int_eq(data.ptr[4], 0x11);
	ck_assert_int_eq(out.bid, 5);
	ck_assert_int_eq(out.seq, 7);
	ck_assert_int_eq(out.number, 0xa1b2c3d4);
	ck_assert_int_eq(out.cookie[15], 0x5a);
	ck_assert(ip_is(out.addr, "10.0.3.2"));
	ck_assert_int_eq(out.addr->get_port(out.addr), 4501);
	mif_msg_probe_clear(&out);
	chunk_free(&data);

	data = build_probe(MIF_PROBE_REPLY, "2001:db8::99", 61000);
	ck_assert_int_eq(data.len, MIF_MSG_PROBE_LEN_V6);
	ck_assert_int_eq(mif_msg_parse_probe(data, &out, &reason), MIF_MSG_OK);
	ck_assert_int_eq(mif_msg_verify_probe(data, chunk_from_thing(test_key),
										  &reason), MIF_MSG_OK);
	ck_assert_int_eq(out.type, MIF_PROBE_REPLY);
	ck_assert(ip_is(out.addr, "2001:db8::99"));
	ck_assert_int_eq(out.addr->get_port(out.addr), 61000);
	mif_msg_probe_clear(&out);
	chunk_free(&data);
}
END_TEST

START_TEST(test_probe_key_derivation)
{
	u_char a[MIF_MSG_SEED_LEN], b[MIF_MSG_SEED_LEN];
	chunk_t kab, kba, kab2, knew;
	uint64_t spi_i = htobe64(1), spi_r = htobe64(2);

	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	ck_assert_int_eq(mif_msg_derive_probe_key(chunk_from_thing(a),
						chunk_from_thing(b), spi_i, spi_r, &kab), MIF_MSG_OK);
	ck_assert_int_eq(kab.len, MIF_MSG_PROBE_KEY_LEN);
	ck_assert_int_eq(mif_msg_derive_probe_key(chunk_from_thing(a),
						chunk_from_thing(b), spi_i, spi_r, &kab2), MIF_MSG_OK);
	ck_assert(chunk_equals(kab, kab2));
	/* direction separation: a reflected probe does not verify */
	ck_assert_int_eq(mif_msg_derive_probe_key(chunk_from_thing(b),
						chunk_from_thing(a), spi_i, spi_r, &kba), MIF_MSG_OK);
	ck_assert(!chunk_equals(kab, kba));
	/* an IKE rekey (new SPIs) gives a new key */
	ck_assert_int_eq(mif_msg_derive_probe_key(chunk_from_thing(a),
						chunk_from_thing(b), spi_i, htobe64(3), &knew),
					 MIF_MSG_OK);
	ck_assert(!chunk_equals(kab, knew));
	chunk_free(&knew);
	ck_assert_int_eq(mif_msg_derive_probe_key(chunk_from_thing(a),
						chunk_create(b, 16), spi_i, spi_r, &knew),
					 MIF_MSG_BAD_LENGTH);
	chunk_free(&kab);
	chunk_free(&kab2);
	chunk_free(&kba);
}
END_TEST

START_TEST(test_seq_newer)
{
	ck_assert(mif_msg_seq_newer(2, 1));
	ck_assert(!mif_msg_seq_newer(1, 1));
	ck_assert(!mif_msg_seq_newer(1, 2));
	/* wrap-around as RFC 6275 9.5.1 */
	ck_assert(mif_msg_seq_newer(0, 65535));
	ck_assert(mif_msg_seq_newer(5, 65000));
	ck_assert(!mif_msg_seq_newer(65000, 5));
	ck_assert(mif_msg_seq_newer(32767, 0));
	ck_assert(!mif_msg_seq_newer(32768, 0));
}
END_TEST

/* ------------------------------------------------------------------------ */
/* rejections                                                               */

START_TEST(test_reject_truncated_prefixes)
{
	mif_msg_supported_t sup = { .max_paths = 1, .probe_port = 1 }, s;
	mif_msg_path_remove_t rm = { .bid = 1 }, r;
	mif_msg_path_rr_t rr = { .bid = 1 }, q;
	mif_msg_path_add_t a;
	mif_msg_flow_t f;
	mif_msg_probe_t p;
	const char *reason;
	chunk_t data, prefix;
	size_t i;

	ck_assert_int_eq(mif_msg_build_supported(&sup, &data, &reason), MIF_MSG_OK);
	for (i = 0; i < data.len; i++)
	{
		prefix = chunk_clone(chunk_create(data.ptr, i));
		ck_assert_int_eq(mif_msg_parse_supported(prefix, &s, &reason),
						 MIF_MSG_TRUNCATED);
		chunk_free(&prefix);
	}
	chunk_free(&data);

	ck_assert_int_eq(mif_msg_build_path_remove(&rm, &data, &reason),
					 MIF_MSG_OK);
	for (i = 0; i < data.len; i++)
	{
		ck_assert_int_eq(mif_msg_parse_path_remove(chunk_create(data.ptr, i),
								&r, &reason), MIF_MSG_TRUNCATED);
	}
	chunk_free(&data);

	ck_assert_int_eq(mif_msg_build_path_rr(&rr, &data, &reason), MIF_MSG_OK);
	for (i = 0; i < data.len; i++)
	{
		ck_assert_int_eq(mif_msg_parse_path_rr(chunk_create(data.ptr, i),
								&q, &reason), MIF_MSG_TRUNCATED);
	}
	chunk_free(&data);

	data = build_add("10.0.3.1", "10.0.3.2", NULL);
	for (i = 0; i < data.len; i++)
	{
		ck_assert(mif_msg_parse_path_add(chunk_create(data.ptr, i), &a,
										 &reason) == MIF_MSG_TRUNCATED);
		ck_assert(a.local == NULL && a.remote == NULL);
	}
	chunk_free(&data);

	data = build_flow_v4();
	for (i = 0; i < data.len; i++)
	{
		ck_assert_int_eq(mif_msg_parse_flow(chunk_create(data.ptr, i), &f,
											&reason), MIF_MSG_TRUNCATED);
		ck_assert(f.local_ts == NULL && f.remote_ts == NULL);
	}
	chunk_free(&data);

	data = build_probe(MIF_PROBE_REQUEST, "10.0.3.2", 4501);
	for (i = 0; i < data.len; i++)
	{
		ck_assert_int_eq(mif_msg_parse_probe(chunk_create(data.ptr, i), &p,
											 &reason), MIF_MSG_TRUNCATED);
		ck_assert(p.addr == NULL);
	}
	chunk_free(&data);
}
END_TEST

START_TEST(test_reject_truncated_reason)
{
	mif_msg_path_add_t a;
	chunk_t data = build_add("10.0.3.1", "10.0.3.2", NULL);
	const char *_r;

	ck_reject(mif_msg_parse_path_add(chunk_create(data.ptr, 1), &a, R),
			  MIF_MSG_TRUNCATED, "truncated header");
	ck_reject(mif_msg_parse_path_add(chunk_create(data.ptr, 5), &a, R),
			  MIF_MSG_TRUNCATED, "truncated MIF_PATH_ADD");
	ck_reject(mif_msg_parse_path_add(chunk_create(data.ptr, 9), &a, R),
			  MIF_MSG_TRUNCATED, "truncated address block");
	ck_reject(mif_msg_parse_path_add(chunk_create(data.ptr, 12), &a, R),
			  MIF_MSG_TRUNCATED, "truncated address");
	chunk_free(&data);
}
END_TEST

START_TEST(test_reject_overlong)
{
	mif_msg_path_add_t a;
	mif_msg_supported_t s;
	chunk_t data = build_add("10.0.3.1", "10.0.3.2", NULL), big;
	const char *_r;

	/* a valid message padded with non-critical TLVs beyond the limit */
	big = chunk_alloc(MIF_MSG_MAX_LEN + 1);
	memset(big.ptr, 0, big.len);
	memcpy(big.ptr, data.ptr, data.len);
	ck_reject(mif_msg_parse_path_add(big, &a, R), MIF_MSG_TOO_LONG,
			  "notify data exceeds 1024 octets");
	ck_reject(mif_msg_parse_supported(big, &s, R), MIF_MSG_TOO_LONG,
			  "notify data exceeds 1024 octets");
	/* exactly at the limit is fine: TLV 0 of 1024-20-4 octets */
	big.len = MIF_MSG_MAX_LEN;
	big.ptr[data.len + 2] = (MIF_MSG_MAX_LEN - data.len - 4) >> 8;
	big.ptr[data.len + 3] = (MIF_MSG_MAX_LEN - data.len - 4) & 0xff;
	ck_assert_int_eq(mif_msg_parse_path_add(big, &a, R), MIF_MSG_OK);
	mif_msg_path_add_clear(&a);
	chunk_free(&big);
	chunk_free(&data);
}
END_TEST

START_TEST(test_reject_bad_version)
{
	mif_msg_supported_t sup = { .max_paths = 2, .probe_port = 4501 }, s;
	mif_msg_path_add_t a;
	mif_msg_flow_ack_t fa;
	mif_msg_probe_t p;
	chunk_t data;
	const char *_r;

	ck_assert_int_eq(mif_msg_build_supported(&sup, &data, R), MIF_MSG_OK);
	data.ptr[0] = 0;
	ck_reject(mif_msg_parse_supported(data, &s, R), MIF_MSG_BAD_VERSION,
			  "unsupported version");
	/* MIF_SUPPORTED announces the highest version, a newer peer is fine */
	data.ptr[0] = 2;
	ck_assert_int_eq(mif_msg_parse_supported(data, &s, R), MIF_MSG_OK);
	ck_assert_int_eq(s.version, 2);
	chunk_free(&data);

	data = build_add("10.0.3.1", "10.0.3.2", NULL);
	data.ptr[0] = 2;
	ck_reject(mif_msg_parse_path_add(data, &a, R), MIF_MSG_BAD_VERSION,
			  "unsupported version");
	chunk_free(&data);

	ck_reject(mif_msg_parse_flow_ack(chunk_from_chars(0, 0, 0, 1, 0, 0),
									 &fa, R),
			  MIF_MSG_BAD_VERSION, "unsupported version");

	data = build_probe(MIF_PROBE_REQUEST, "10.0.3.2", 4501);
	data.ptr[0] = 2;
	ck_reject(mif_msg_parse_probe(data, &p, R), MIF_MSG_BAD_VERSION,
			  "unsupported probe version");
	chunk_free(&data);
}
END_TEST

START_TEST(test_tlvs)
{
	mif_msg_path_add_t a;
	mif_msg_path_ack_t k;
	chunk_t data, ext;
	const char *_r;

	data = build_add("10.0.3.1", "10.0.3.2", "eth1");
	/* unknown non-critical TLV is skipped */
	ext = chunk_cat("cc", data, chunk_from_chars(0x01, 0x23, 0x00, 0x02,
												 0xde, 0xad));
	ck_assert_int_eq(mif_msg_parse_path_add(ext, &a, R), MIF_MSG_OK);
	ck_assert_str_eq(a.ifname, "eth1");
	mif_msg_path_add_clear(&a);
	chunk_free(&ext);
	/* unknown critical TLV is rejected */
	ext = chunk_cat("cc", data, chunk_from_chars(0x81, 0x23, 0x00, 0x00));
	ck_reject(mif_msg_parse_path_add(ext, &a, R), MIF_MSG_UNKNOWN_CRITICAL,
			  "unknown critical TLV");
	ck_assert(a.local == NULL);
	chunk_free(&ext);
	/* IFNAME is known here, even with the critical bit */
	ext = chunk_cat("cc", chunk_create(data.ptr, 20),
					chunk_from_chars(0x80, 0x01, 0x00, 0x01, 'x'));
	ck_assert_int_eq(mif_msg_parse_path_add(ext, &a, R), MIF_MSG_OK);
	ck_assert_str_eq(a.ifname, "x");
	mif_msg_path_add_clear(&a);
	chunk_free(&ext);
	/* duplicate */
	ext = chunk_cat("cc", data, chunk_from_chars(0x00, 0x01, 0x00, 0x01, 'y'));
	ck_reject(mif_msg_parse_path_add(ext, &a, R), MIF_MSG_BAD_VALUE,
			  "duplicate TLV");
	chunk_free(&ext);
	/* TLV length beyond the data */
	ext = chunk_cat("cc", data, chunk_from_chars(0x00, 0x07, 0x00, 0x09, 1));
	ck_reject(mif_msg_parse_path_add(ext, &a, R), MIF_MSG_BAD_LENGTH,
			  "TLV length exceeds data");
	chunk_free(&ext);
	/* IFNAME is not known in an ACK, critical makes it fatal */
	ext = chunk_from_chars(1, 0, 0, 1, 0, 1, 0, 0, 0x80, 0x01, 0x00, 0x00);
	ck_reject(mif_msg_parse_path_ack(ext, &k, R), MIF_MSG_UNKNOWN_CRITICAL,
			  "unknown critical TLV");
	chunk_free(&data);
}
END_TEST

START_TEST(test_reject_ifname)
{
	mif_msg_path_add_t a = { .bid = 1, .priority = 1 };
	chunk_t data, ext;
	const char *_r;

	data = build_add("10.0.3.1", "10.0.3.2", NULL);
	ext = chunk_cat("cc", data, chunk_from_chars(0x00, 0x01, 0x00, 0x00));
	ck_reject(mif_msg_parse_path_add(ext, &a, R), MIF_MSG_BAD_LENGTH,
			  "interface name length out of range");
	chunk_free(&ext);
	ext = chunk_cat("cc", data, chunk_from_chars(0x00, 0x01, 0x00, 16,
						'a','b','c','d','e','f','g','h','i','j','k','l','m',
						'n','o','p'));
	ck_reject(mif_msg_parse_path_add(ext, &a, R), MIF_MSG_BAD_LENGTH,
			  "interface name length out of range");
	chunk_free(&ext);
	ext = chunk_cat("cc", data, chunk_from_chars(0x00, 0x01, 0x00, 3,
												 'a', '\n', 'b'));
	ck_reject(mif_msg_parse_path_add(ext, &a, R), MIF_MSG_BAD_VALUE,
			  "invalid character in interface name");
	chunk_free(&ext);
	chunk_free(&data);

	/* the encoder applies the same rule */
	a = (mif_msg_path_add_t){ .bid = 1, .priority = 1 };
	a.local = h("10.0.0.1");
	a.remote = h("10.0.0.2");
	strcpy(a.ifname, "a b");
	ck_reject(mif_msg_build_path_add(&a, &data, R), MIF_MSG_BAD_VALUE,
			  "invalid character in interface name");
	mif_msg_path_add_clear(&a);
}
END_TEST

/* offsets in a v4 MIF_PATH_ADD */
#define ADD_KIND 6
#define ADD_PRIO 7
#define ADD_LAFN 8
#define ADD_LLEN 9
#define ADD_LADDR 10
#define ADD_RAFN 14

static void expect_add_address(int offset, u_char *bytes, int len,
							   char *exp_reason)
{
	mif_msg_path_add_t a;
	chunk_t data = build_add("10.0.3.1", "10.0.3.2", NULL);
	const char *_r;

	memcpy(data.ptr + offset, bytes, len);
	ck_reject(mif_msg_parse_path_add(data, &a, R), MIF_MSG_BAD_ADDRESS,
			  exp_reason);
	ck_assert(a.local == NULL && a.remote == NULL);
	chunk_free(&data);
}

START_TEST(test_reject_addresses)
{
	mif_msg_path_add_t a;
	chunk_t data, v6;
	const char *_r;

	expect_add_address(ADD_LLEN, (u_char[]){ 16 }, 1,
					   "address length does not match family");
	expect_add_address(ADD_LAFN, (u_char[]){ 2 }, 1,
					   "address length does not match family");
	expect_add_address(ADD_LAFN, (u_char[]){ 3 }, 1,
					   "unknown address family");
	expect_add_address(ADD_LADDR, (u_char[]){ 0, 0, 0, 0 }, 4,
					   "unspecified IPv4 address");
	expect_add_address(ADD_LADDR, (u_char[]){ 224, 0, 0, 1 }, 4,
					   "multicast IPv4 address");
	expect_add_address(ADD_LADDR, (u_char[]){ 127, 0, 0, 1 }, 4,
					   "loopback IPv4 address");
	expect_add_address(ADD_LADDR, (u_char[]){ 255, 255, 255, 255 }, 4,
					   "reserved or broadcast IPv4 address");
	/* the remote address is checked as well */
	expect_add_address(ADD_RAFN + 2, (u_char[]){ 239, 1, 2, 3 }, 4,
					   "multicast IPv4 address");

	/* family mismatch between local and remote */
	v6 = build_add("2001:db8::1", "2001:db8::2", NULL);
	data = chunk_cat("cc", chunk_create(v6.ptr, 8 + 18),
					 chunk_from_chars(1, 4, 10, 0, 0, 1));
	ck_reject(mif_msg_parse_path_add(data, &a, R), MIF_MSG_BAD_ADDRESS,
			  "path address families differ");
	chunk_free(&data);

	v6.ptr[10] = 0xff;
	ck_reject(mif_msg_parse_path_add(v6, &a, R), MIF_MSG_BAD_ADDRESS,
			  "multicast IPv6 address");
	memset(v6.ptr + 10, 0, 16);
	ck_reject(mif_msg_parse_path_add(v6, &a, R), MIF_MSG_BAD_ADDRESS,
			  "unspecified IPv6 address");
	v6.ptr[25] = 1;
	ck_reject(mif_msg_parse_path_add(v6, &a, R), MIF_MSG_BAD_ADDRESS,
			  "loopback IPv6 address");
	v6.ptr[10] = 0xfe;
	v6.ptr[11] = 0x80;
	ck_reject(mif_msg_parse_path_add(v6, &a, R), MIF_MSG_BAD_ADDRESS,
			  "link-local IPv6 address");
	memset(v6.ptr + 10, 0, 16);
	v6.ptr[20] = v6.ptr[21] = 0xff;
	v6.ptr[22] = 10;
	ck_reject(mif_msg_parse_path_add(v6, &a, R), MIF_MSG_BAD_ADDRESS,
			  "IPv4-mapped IPv6 address");
	chunk_free(&v6);
}
END_TEST

START_TEST(test_reject_values)
{
	mif_msg_path_add_t a;
	mif_msg_path_remove_t rm;
	mif_msg_path_ack_t ack;
	mif_msg_path_rr_t rr;
	mif_msg_supported_t sup = { .max_paths = 2, .probe_port = 4501 }, s;
	mif_msg_flow_ack_t fa;
	chunk_t data;
	const char *_r;

	data = build_add("10.0.3.1", "10.0.3.2", NULL);
	data.ptr[2] = data.ptr[3] = 0;
	ck_reject(mif_msg_parse_path_add(data, &a, R), MIF_MSG_BAD_VALUE,
			  "BID is zero");
	chunk_free(&data);
	data = build_add("10.0.3.1", "10.0.3.2", NULL);
	data.ptr[ADD_PRIO] = 0;
	ck_reject(mif_msg_parse_path_add(data, &a, R), MIF_MSG_BAD_VALUE,
			  "priority out of range");
	data.ptr[ADD_PRIO] = 128;
	ck_reject(mif_msg_parse_path_add(data, &a, R), MIF_MSG_BAD_VALUE,
			  "priority out of range");
	data.ptr[ADD_PRIO] = 127;
	data.ptr[ADD_KIND] = MIF_IF_KIND_MAX + 1;
	ck_reject(mif_msg_parse_path_add(data, &a, R), MIF_MSG_BAD_VALUE,
			  "unknown interface kind");
	chunk_free(&data);

	ck_reject(mif_msg_parse_path_remove(chunk_from_chars(1, 0, 0, 0, 0, 1,
														  0, 0), &rm, R),
			  MIF_MSG_BAD_VALUE, "BID is zero");
	ck_reject(mif_msg_parse_path_ack(chunk_from_chars(1, 0, 0, 0, 0, 1,
													   0, 0), &ack, R),
			  MIF_MSG_BAD_VALUE, "BID is zero");
	ck_reject(mif_msg_parse_flow_ack(chunk_from_chars(1, 0, 0, 0, 0, 0),
									 &fa, R),
			  MIF_MSG_BAD_VALUE, "FID is zero");
	ck_reject(mif_msg_parse_path_rr(chunk_from_chars(1, 0, 0, 0, 0, 1,
				1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16), &rr, R),
			  MIF_MSG_BAD_VALUE, "BID is zero");

	ck_assert_int_eq(mif_msg_build_supported(&sup, &data, R), MIF_MSG_OK);
	data.ptr[2] = 0;
	ck_reject(mif_msg_parse_supported(data, &s, R), MIF_MSG_BAD_VALUE,
			  "max paths is zero");
	data.ptr[2] = MIF_MSG_MAX_PATHS + 1;
	ck_reject(mif_msg_parse_supported(data, &s, R), MIF_MSG_BAD_VALUE,
			  "max paths exceeds 16");
	data.ptr[2] = 1;
	data.ptr[4] = data.ptr[5] = 0;
	ck_reject(mif_msg_parse_supported(data, &s, R), MIF_MSG_BAD_VALUE,
			  "probe port is zero");
	chunk_free(&data);

	/* encoders refuse what parsers refuse */
	sup.max_paths = 0;
	ck_reject(mif_msg_build_supported(&sup, &data, R), MIF_MSG_BAD_VALUE,
			  "max paths out of range");
	a = (mif_msg_path_add_t){ .bid = 0, .priority = 1 };
	ck_reject(mif_msg_build_path_add(&a, &data, R), MIF_MSG_BAD_VALUE,
			  "BID is zero");
	a = (mif_msg_path_add_t){ .bid = 1, .priority = 200 };
	ck_reject(mif_msg_build_path_add(&a, &data, R), MIF_MSG_BAD_VALUE,
			  "priority out of range");
	a = (mif_msg_path_add_t){ .bid = 1, .priority = 1 };
	ck_reject(mif_msg_build_path_add(&a, &data, R), MIF_MSG_BAD_ADDRESS,
			  "address missing");
	a.local = h("224.0.0.5");
	a.remote = h("10.0.0.1");
	ck_reject(mif_msg_build_path_add(&a, &data, R), MIF_MSG_BAD_ADDRESS,
			  "multicast IPv4 address");
	mif_msg_path_add_clear(&a);
	a.local = h("10.0.0.5");
	a.remote = h("2001:db8::1");
	ck_reject(mif_msg_build_path_add(&a, &data, R), MIF_MSG_BAD_ADDRESS,
			  "path address families differ");
	mif_msg_path_add_clear(&a);
	a.local = h("10.0.0.5");
	a.remote = h("10.0.0.6");
	a.kind = MIF_IF_KIND_MAX + 1;
	ck_reject(mif_msg_build_path_add(&a, &data, R), MIF_MSG_BAD_VALUE,
			  "unknown interface kind");
	a.kind = MIF_IF_WIRED;
	memset(a.ifname, 'e', sizeof(a.ifname));
	ck_reject(mif_msg_build_path_add(&a, &data, R), MIF_MSG_BAD_LENGTH,
			  "interface name not terminated");
	mif_msg_path_add_clear(&a);
	ck_assert(data.ptr == NULL);
}
END_TEST

START_TEST(test_reject_update_counts)
{
	mif_msg_path_update_t u, in = {
		.count = 2,
		.entries = {
			{ .bid = 1, .seq = 1, .priority = 1, .state = MIF_WIRE_ACTIVE },
			{ .bid = 2, .seq = 1, .priority = 2, .state = MIF_WIRE_STANDBY },
		},
	};
	chunk_t data;
	const char *_r;

	ck_assert_int_eq(mif_msg_build_path_update(&in, &data, R), MIF_MSG_OK);
	data.ptr[2] = 0;
	ck_reject(mif_msg_parse_path_update(data, &u, R), MIF_MSG_BAD_VALUE,
			  "entry count is zero");
	data.ptr[2] = 17;
	ck_reject(mif_msg_parse_path_update(data, &u, R), MIF_MSG_BAD_VALUE,
			  "entry count exceeds 16");
	ck_assert_int_eq(u.count, 0);
	data.ptr[2] = 3;
	ck_reject(mif_msg_parse_path_update(data, &u, R), MIF_MSG_TRUNCATED,
			  "entry count exceeds data");
	/* count 1: the second entry is left over and read as a broken TLV */
	data.ptr[2] = 1;
	ck_reject(mif_msg_parse_path_update(data, &u, R), MIF_MSG_TRAILING,
			  "trailing data after last field");
	data.ptr[2] = 2;
	data.ptr[4 + 6 + 1] = 1;
	ck_reject(mif_msg_parse_path_update(data, &u, R), MIF_MSG_BAD_VALUE,
			  "duplicate BID");
	data.ptr[4 + 6 + 1] = 2;
	data.ptr[4 + 6 + 5] = 3;
	ck_reject(mif_msg_parse_path_update(data, &u, R), MIF_MSG_BAD_VALUE,
			  "unknown path state");
	data.ptr[4 + 6 + 5] = MIF_WIRE_STANDBY;
	data.ptr[4 + 6 + 4] = 0;
	ck_reject(mif_msg_parse_path_update(data, &u, R), MIF_MSG_BAD_VALUE,
			  "priority out of range");
	data.ptr[4 + 6 + 4] = 2;
	data.ptr[4] = data.ptr[5] = 0;
	ck_reject(mif_msg_parse_path_update(data, &u, R), MIF_MSG_BAD_VALUE,
			  "BID is zero");
	chunk_free(&data);

	in.count = 0;
	ck_reject(mif_msg_build_path_update(&in, &data, R), MIF_MSG_BAD_VALUE,
			  "entry count out of range");
	in.count = 17;
	ck_reject(mif_msg_build_path_update(&in, &data, R), MIF_MSG_BAD_VALUE,
			  "entry count out of range");
}
END_TEST

/* offsets in the v4 flow built by build_flow_v4() */
#define FLOW_ACTION 6
#define FLOW_COUNT 7
#define FLOW_BID0 8
#define FLOW_TS 12

START_TEST(test_reject_flow)
{
	mif_msg_flow_t f, in;
	chunk_t data, v6, mixed;
	const char *_r;

	data = build_flow_v4();
	data.ptr[FLOW_COUNT] = 0;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "BID count is zero");
	data.ptr[FLOW_COUNT] = 9;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "BID count exceeds 8");
	data.ptr[FLOW_COUNT] = 2;
	data.ptr[FLOW_BID0 + 1] = 9;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "duplicate BID");
	data.ptr[FLOW_BID0 + 1] = 0;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "BID is zero");
	data.ptr[FLOW_BID0 + 1] = 5;
	data.ptr[FLOW_ACTION] = 3;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "unknown flow action");
	data.ptr[FLOW_ACTION] = MIF_MSG_FLOW_DELETE;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "BIDs in flow delete");
	data.ptr[FLOW_ACTION] = MIF_MSG_FLOW_SET;
	data.ptr[2] = data.ptr[3] = 0;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "FID is zero");
	data.ptr[3] = 3;
	data.ptr[4] = data.ptr[5] = 0;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "FID priority is zero");
	data.ptr[5] = 20;

	/* selectors */
	data.ptr[FLOW_TS] = 9;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "unsupported traffic selector type");
	data.ptr[FLOW_TS] = TS_IPV6_ADDR_RANGE;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_LENGTH,
			  "selector length does not match type");
	data.ptr[FLOW_TS] = TS_IPV4_ADDR_RANGE;
	data.ptr[FLOW_TS + 3] = 17;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_LENGTH,
			  "selector length does not match type");
	data.ptr[FLOW_TS + 3] = 16;
	/* start port 0xff00 > end port 0xffff? make end port 1 */
	data.ptr[FLOW_TS + 4] = 0x01;
	data.ptr[FLOW_TS + 6] = 0x00;
	data.ptr[FLOW_TS + 7] = 0x01;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "selector port range inverted");
	data.ptr[FLOW_TS + 4] = 0x00;
	data.ptr[FLOW_TS + 6] = 0xff;
	data.ptr[FLOW_TS + 7] = 0xff;
	data.ptr[FLOW_TS + 8] = 11;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "selector address range inverted");
	ck_assert(f.local_ts == NULL);
	data.ptr[FLOW_TS + 8] = 10;
	/*
	 * ICMP: strongSwan moves values < 256 into the type octet, so 48..12032
	 * becomes 12288..12032 (found by fuzz_flow)
	 */
	data.ptr[FLOW_TS + 1] = IPPROTO_ICMP;
	data.ptr[FLOW_TS + 4] = 0x00;
	data.ptr[FLOW_TS + 5] = 0x30;
	data.ptr[FLOW_TS + 6] = 0x2f;
	data.ptr[FLOW_TS + 7] = 0x00;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_VALUE,
			  "selector port range inverted");
	ck_assert(f.local_ts == NULL);
	data.ptr[FLOW_TS + 1] = IPPROTO_TCP;
	data.ptr[FLOW_TS + 5] = 0x00;
	data.ptr[FLOW_TS + 6] = 0xff;
	data.ptr[FLOW_TS + 7] = 0xff;
	/* second selector with a type not matching its length */
	data.ptr[FLOW_TS + 16] = TS_IPV6_ADDR_RANGE;
	ck_reject(mif_msg_parse_flow(data, &f, R), MIF_MSG_BAD_LENGTH,
			  "selector length does not match type");
	ck_assert(f.local_ts == NULL && f.remote_ts == NULL);
	data.ptr[FLOW_TS + 16] = TS_IPV4_ADDR_RANGE;
	ck_assert_int_eq(mif_msg_parse_flow(data, &f, R), MIF_MSG_OK);
	mif_msg_flow_clear(&f);

	/* well-formed selectors of different families */
	in = (mif_msg_flow_t){ .fid = 1, .fid_pri = 1, .action = MIF_MSG_FLOW_SET,
						   .bid_count = 1, .bids = { 1 } };
	in.local_ts = traffic_selector_create_from_cidr("2001:db8::/32", 0, 0,
													65535);
	in.remote_ts = traffic_selector_create_from_cidr("2001:db8::/48", 0, 0,
													 65535);
	ck_assert_int_eq(mif_msg_build_flow(&in, &v6, R), MIF_MSG_OK);
	mif_msg_flow_clear(&in);
	mixed = chunk_cat("cc", chunk_create(data.ptr, FLOW_TS + 16),
					  chunk_skip(v6, 10 + 40));
	ck_reject(mif_msg_parse_flow(mixed, &f, R), MIF_MSG_BAD_VALUE,
			  "selector families differ");
	ck_assert(f.local_ts == NULL && f.remote_ts == NULL);
	chunk_free(&mixed);
	chunk_free(&v6);
	chunk_free(&data);

	in = (mif_msg_flow_t){ .fid = 1, .fid_pri = 1, .action = MIF_MSG_FLOW_SET,
						   .bid_count = 1, .bids = { 1 } };
	ck_reject(mif_msg_build_flow(&in, &data, R), MIF_MSG_BAD_VALUE,
			  "traffic selector missing");
	in.bid_count = 9;
	ck_reject(mif_msg_build_flow(&in, &data, R), MIF_MSG_BAD_VALUE,
			  "BID count exceeds 8");
}
END_TEST

START_TEST(test_reject_trailing)
{
	mif_msg_path_remove_t rm;
	mif_msg_supported_t s, sup = { .max_paths = 1, .probe_port = 9 };
	mif_msg_probe_t p;
	chunk_t data, ext;
	const char *_r;
	int i;

	for (i = 1; i <= 3; i++)
	{
		ext = chunk_cat("cc", chunk_from_chars(1, 0, 0, 1, 0, 1, 0, 0),
						chunk_create("\x00\x00\x00", i));
		ck_reject(mif_msg_parse_path_remove(ext, &rm, R), MIF_MSG_TRAILING,
				  "trailing data after last field");
		chunk_free(&ext);
	}
	ck_assert_int_eq(mif_msg_build_supported(&sup, &data, R), MIF_MSG_OK);
	ext = chunk_cat("cm", chunk_from_chars(0xee), data);
	ext = chunk_cat("mc", ext, chunk_from_chars(0xee));
	ck_reject(mif_msg_parse_supported(chunk_skip(ext, 1), &s, R),
			  MIF_MSG_TRAILING, "trailing data after last field");
	chunk_free(&ext);

	data = build_probe(MIF_PROBE_REPLY, "10.9.9.9", 1234);
	ext = chunk_cat("mc", data, chunk_from_chars(0));
	ck_reject(mif_msg_parse_probe(ext, &p, R), MIF_MSG_TRAILING,
			  "trailing data after probe tag");
	ck_reject(mif_msg_verify_probe(ext, chunk_from_thing(test_key), R),
			  MIF_MSG_BAD_LENGTH, "probe length invalid");
	chunk_free(&ext);
}
END_TEST

START_TEST(test_reject_probe)
{
	u_char other_key[MIF_MSG_PROBE_KEY_LEN];
	mif_msg_probe_t p;
	chunk_t data;
	const char *_r;

	data = build_probe(MIF_PROBE_REQUEST, "10.0.3.2", 4501);

	/* tampered tag, tampered body, wrong key */
	data.ptr[data.len - 1] ^= 0x01;
	ck_reject(mif_msg_verify_probe(data, chunk_from_thing(test_key), R),
			  MIF_MSG_BAD_TAG, "probe tag invalid");
	data.ptr[data.len - 1] ^= 0x01;
	data.ptr[28] ^= 0x80;
	ck_reject(mif_msg_verify_probe(data, chunk_from_thing(test_key), R),
			  MIF_MSG_BAD_TAG, "probe tag invalid");
	data.ptr[28] ^= 0x80;
	memset(other_key, 0x42, sizeof(other_key));
	ck_reject(mif_msg_verify_probe(data, chunk_from_thing(other_key), R),
			  MIF_MSG_BAD_TAG, "probe tag invalid");
	ck_reject(mif_msg_verify_probe(data, chunk_create(test_key, 16), R),
			  MIF_MSG_BAD_LENGTH, "probe key length is not 32");
	ck_assert_int_eq(mif_msg_verify_probe(data, chunk_from_thing(test_key), R),
					 MIF_MSG_OK);

	/* structure */
	data.ptr[1] = 3;
	ck_reject(mif_msg_parse_probe(data, &p, R), MIF_MSG_BAD_VALUE,
			  "unknown probe type");
	data.ptr[1] = MIF_PROBE_REQUEST;
	data.ptr[3] = 2;
	ck_reject(mif_msg_parse_probe(data, &p, R), MIF_MSG_TRUNCATED,
			  "truncated probe");
	data.ptr[3] = 7;
	ck_reject(mif_msg_parse_probe(data, &p, R), MIF_MSG_BAD_ADDRESS,
			  "unknown address family");
	data.ptr[3] = 1;
	data.ptr[20] = data.ptr[21] = 0;
	ck_reject(mif_msg_parse_probe(data, &p, R), MIF_MSG_BAD_VALUE,
			  "BID is zero");
	data.ptr[21] = 5;
	memset(data.ptr + 4, 0, 8);
	ck_reject(mif_msg_parse_probe(data, &p, R), MIF_MSG_BAD_VALUE,
			  "IKE SPI is zero");
	data.ptr[4] = 0x11;
	data.ptr[44] = data.ptr[45] = 0;
	ck_reject(mif_msg_parse_probe(data, &p, R), MIF_MSG_BAD_VALUE,
			  "probe port is zero");
	data.ptr[45] = 1;
	data.ptr[48] = 224;
	ck_reject(mif_msg_parse_probe(data, &p, R), MIF_MSG_BAD_ADDRESS,
			  "multicast IPv4 address");
	ck_assert(p.addr == NULL);
	data.ptr[48] = 10;
	ck_assert_int_eq(mif_msg_parse_probe(data, &p, R), MIF_MSG_OK);
	mif_msg_probe_clear(&p);
	chunk_free(&data);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mif_msg");
	TCase *tc;

	tc = tcase_create("roundtrip");
	tcase_add_test(tc, test_supported_roundtrip);
	tcase_add_test(tc, test_path_add_roundtrip_v4);
	tcase_add_test(tc, test_path_add_roundtrip_v6);
	tcase_add_test(tc, test_path_remove_ack_roundtrip);
	tcase_add_test(tc, test_path_update_roundtrip);
	tcase_add_test(tc, test_path_rr_roundtrip);
	tcase_add_test(tc, test_flow_roundtrip);
	tcase_add_test(tc, test_flow_roundtrip_v6_and_delete);
	tcase_add_test(tc, test_probe_roundtrip);
	tcase_add_test(tc, test_probe_key_derivation);
	tcase_add_test(tc, test_seq_newer);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_test(tc, test_reject_truncated_prefixes);
	tcase_add_test(tc, test_reject_truncated_reason);
	tcase_add_test(tc, test_reject_overlong);
	tcase_add_test(tc, test_reject_bad_version);
	tcase_add_test(tc, test_tlvs);
	tcase_add_test(tc, test_reject_ifname);
	tcase_add_test(tc, test_reject_addresses);
	tcase_add_test(tc, test_reject_values);
	tcase_add_test(tc, test_reject_update_counts);
	tcase_add_test(tc, test_reject_flow);
	tcase_add_test(tc, test_reject_trailing);
	tcase_add_test(tc, test_reject_probe);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char *argv[])
{
	SRunner *sr;
	int failed;

	library_init(NULL, "test_mif_msg");
	/* malformed input is the point here, bio_reader's complaints are noise */
	dbg_default_set_level(-1);
	if (!lib->plugins->load(lib->plugins, "sha2 hmac"))
	{
		fprintf(stderr, "loading sha2/hmac plugins failed\n");
		return 99;
	}
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	library_deinit();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
