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
 * Writes the seed corpus of the fuzz targets: valid messages produced by
 * the encoder, so the fuzzers start from the real wire format instead of
 * having to discover it.  Usage: gen_corpus DIR (creates DIR/<target>/).
 */

#include "fuzz_common.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static char *outdir;
static int count;

static void save(char *target, int selector, chunk_t data)
{
	char path[512];
	FILE *file;

	FUZZ_ASSERT(data.ptr);
	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
	{
		fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/seed-%03d", outdir, target, count++);
	file = fopen(path, "w");
	FUZZ_ASSERT(file);
	if (selector >= 0)
	{
		fputc(selector, file);
	}
	FUZZ_ASSERT(fwrite(data.ptr, 1, data.len, file) == data.len);
	fclose(file);
	chunk_free(&data);
}

static void path_seeds(void)
{
	mif_msg_supported_t sup = { .flags = MIF_SUPPORTED_TRANSPORT,
								.max_paths = 4, .probe_port = 4501 };
	mif_msg_path_remove_t rm = { .bid = 2, .seq = 65535,
								 .reason = MIF_REMOVE_DEAD };
	mif_msg_path_ack_t ack = { .bid = 0x8001, .seq = 9,
							   .status = MIF_ACK_ACCEPTED };
	mif_msg_path_rr_t rr = { .bid = 3, .seq = 1 };
	mif_msg_path_update_t up = {
		.count = 2,
		.entries = {
			{ .bid = 1, .seq = 4, .priority = 1, .state = MIF_WIRE_ACTIVE },
			{ .bid = 2, .seq = 5, .priority = 9, .state = MIF_WIRE_STANDBY },
		},
	};
	char *pairs[][2] = {
		{ "10.0.2.1", "10.0.2.2" },
		{ "192.0.2.1", "198.51.100.7" },
		{ "2001:db8:1::1", "2001:db8:2::2" },
	};
	const char *reason;
	chunk_t data;
	int i;

	memset(sup.seed, 0x11, sizeof(sup.seed));
	memset(rr.cookie, 0x22, sizeof(rr.cookie));
	FUZZ_ASSERT(mif_msg_build_supported(&sup, &data, &reason) == MIF_MSG_OK);
	save("path", 0, data);
	for (i = 0; i < countof(pairs); i++)
	{
		mif_msg_path_add_t add = {
			.bid = i + 1, .seq = i, .kind = i % (MIF_IF_KIND_MAX + 1),
			.priority = 10 * (i + 1), .flags = i,
		};

		add.local = host_create_from_string(pairs[i][0], 0);
		add.remote = host_create_from_string(pairs[i][1], 0);
		if (i == 0)
		{
			/* boundary: the longest interface name */
			strcpy(add.ifname, "abcdefghijklmno");
		}
		else if (i == 2)
		{
			snprintf(add.ifname, sizeof(add.ifname), "eth%d", i);
		}
		FUZZ_ASSERT(mif_msg_build_path_add(&add, &data, &reason) ==
					MIF_MSG_OK);
		save("path", 1, data);
		mif_msg_path_add_clear(&add);
	}
	FUZZ_ASSERT(mif_msg_build_path_remove(&rm, &data, &reason) == MIF_MSG_OK);
	save("path", 2, data);
	FUZZ_ASSERT(mif_msg_build_path_update(&up, &data, &reason) == MIF_MSG_OK);
	save("path", 3, data);
	/* boundary: the largest update, so mutations reach the count limit */
	for (i = 0; i < MIF_MSG_MAX_UPDATE_ENTRIES; i++)
	{
		up.entries[i] = (mif_msg_path_update_entry_t){
			.bid = i + 1, .seq = i, .priority = i + 1,
			.state = i % 2 ? MIF_WIRE_STANDBY : MIF_WIRE_ACTIVE,
		};
	}
	up.count = MIF_MSG_MAX_UPDATE_ENTRIES;
	FUZZ_ASSERT(mif_msg_build_path_update(&up, &data, &reason) == MIF_MSG_OK);
	save("path", 3, data);
	FUZZ_ASSERT(mif_msg_build_path_rr(&rr, &data, &reason) == MIF_MSG_OK);
	save("path", 4, data);
	FUZZ_ASSERT(mif_msg_build_path_ack(&ack, &data, &reason) == MIF_MSG_OK);
	save("path", 5, data);
}

static void flow_seeds(void)
{
	mif_msg_flow_t set = {
		.fid = 1, .fid_pri = 10, .action = MIF_MSG_FLOW_SET, .bid_count = 3,
		.bids = { 1, 2, 0x8001 },
	}, del = { .fid = 1, .fid_pri = 10, .action = MIF_MSG_FLOW_DELETE };
	mif_msg_flow_ack_t ack = { .fid = 1, .status = MIF_FLOW_OK };
	const char *reason;
	chunk_t data;
	int i;

	set.local_ts = traffic_selector_create_from_cidr("10.0.0.0/8",
													 IPPROTO_UDP, 0, 65535);
	set.remote_ts = traffic_selector_create_from_cidr("203.0.113.5/32",
													  IPPROTO_UDP, 53, 53);
	FUZZ_ASSERT(mif_msg_build_flow(&set, &data, &reason) == MIF_MSG_OK);
	save("flow", 0, data);
	mif_msg_flow_clear(&set);
	set.local_ts = traffic_selector_create_from_cidr("2001:db8::/64", 0, 0,
													 65535);
	set.remote_ts = traffic_selector_create_from_cidr("::/0", 0, 0, 65535);
	FUZZ_ASSERT(mif_msg_build_flow(&set, &data, &reason) == MIF_MSG_OK);
	save("flow", 0, data);
	mif_msg_flow_clear(&set);
	/* boundary: the most BIDs */
	set.bid_count = MIF_MSG_MAX_FLOW_BIDS;
	for (i = 0; i < MIF_MSG_MAX_FLOW_BIDS; i++)
	{
		set.bids[i] = 100 + i;
	}
	set.local_ts = traffic_selector_create_from_cidr("10.0.0.1/32",
													 IPPROTO_ICMP, 0x0800,
													 0x0800);
	set.remote_ts = traffic_selector_create_from_cidr("10.9.0.0/24", 0, 0,
													  65535);
	FUZZ_ASSERT(mif_msg_build_flow(&set, &data, &reason) == MIF_MSG_OK);
	save("flow", 0, data);
	mif_msg_flow_clear(&set);
	FUZZ_ASSERT(mif_msg_build_flow(&del, &data, &reason) == MIF_MSG_OK);
	save("flow", 0, data);
	FUZZ_ASSERT(mif_msg_build_flow_ack(&ack, &data, &reason) == MIF_MSG_OK);
	save("flow", 1, data);
}

static void probe_seeds(void)
{
	char *addrs[] = { "10.0.3.2", "2001:db8:3::2" };
	chunk_t key = chunk_from_thing(fuzz_probe_key), data;
	const char *reason;
	int i, type;

	for (i = 0; i < countof(addrs); i++)
	{
		for (type = MIF_PROBE_REQUEST; type <= MIF_PROBE_REPLY; type++)
		{
			mif_msg_probe_t probe = {
				.type = type, .flags = type == MIF_PROBE_REQUEST ?
									   MIF_PROBE_RR : 0,
				.spi_i = htobe64(0x0102030405060708ULL),
				.spi_r = htobe64(0x1112131415161718ULL),
				.bid = i + 1, .seq = 7, .number = 1000 + type,
			};

			memset(probe.cookie, 0x30 + type, sizeof(probe.cookie));
			probe.addr = host_create_from_string(addrs[i], 4501);
			FUZZ_ASSERT(mif_msg_build_probe(&probe, key, &data, &reason) ==
						MIF_MSG_OK);
			save("probe", -1, data);
			mif_msg_probe_clear(&probe);
		}
	}
}

int main(int argc, char *argv[])
{
	if (argc != 2)
	{
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 1;
	}
	outdir = argv[1];
	fuzz_init();
	path_seeds();
	flow_seeds();
	probe_seeds();
	library_deinit();
	printf("wrote %d seeds to %s\n", count, outdir);
	return 0;
}
