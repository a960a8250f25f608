/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Drives mif_dataplane against the running kernel, through charon's kernel
 * interface with the kernel-netlink plugin loaded, as charon would. Reads
 * one command per line from stdin and answers each with "ok <cmd>" or
 * "FAIL <cmd>" on stdout, so a script can drive it through a FIFO while
 * the installed state stays in place (destroying the data plane on exit or
 * "quit" removes everything):
 *
 *   add IKE BID LOCAL REMOTE REQID SPI_IN SPI_OUT [WEIGHT [LINKDEV]]
 *   del IKE BID
 *   routes IKE SRC|- DST[,DST...] BID[,BID...]   (BIDs "-": remove routes)
 *   flow IKE FID CIDR PROTO FROM-TO BID          (PROTO: udp/tcp/icmp/any/N)
 *   flush IKE
 *   quit
 *
 * Needs root and a kernel with XFRM and GRE; run by guest-dp.sh in a VM.
 * DP_TEST_DEBUG=n sets the DBG_KNL log level (stderr, default 1),
 * DP_TEST_HASH_STATE=FILE the file remembering the multipath hash policy.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <library.h>
#include <daemon.h>

#include "mif_dataplane.h"

/**
 * Parse a list of numbers separated by commas, "-" for none.
 */
static u_int parse_bids(char *arg, uint16_t *bids, u_int max)
{
	u_int count = 0;
	char *tok, *save = NULL;

	if (!arg || streq(arg, "-"))
	{
		return 0;
	}
	for (tok = strtok_r(arg, ",", &save); tok && count < max;
		 tok = strtok_r(NULL, ",", &save))
	{
		bids[count++] = strtoul(tok, NULL, 0);
	}
	return count;
}

/**
 * Parse a protocol name or number.
 */
static uint8_t parse_proto(char *arg)
{
	struct protoent *p;

	if (streq(arg, "any"))
	{
		return 0;
	}
	p = getprotobyname(arg);
	return p ? p->p_proto : strtoul(arg, NULL, 0);
}

static bool cmd_add(mif_dataplane_t *dp, char **argv, int argc)
{
	mif_dp_path_t path;
	char ifname[IFNAMSIZ] = "";
	bool ok;

	if (argc < 8)
	{
		return FALSE;
	}
	path = (mif_dp_path_t){
		.ike_id = strtoul(argv[1], NULL, 0),
		.bid = strtoul(argv[2], NULL, 0),
		.local = host_create_from_string(argv[3], 0),
		.remote = host_create_from_string(argv[4], 0),
		.reqid = strtoul(argv[5], NULL, 0),
		.spi_in = htonl(strtoul(argv[6], NULL, 0)),
		.spi_out = htonl(strtoul(argv[7], NULL, 0)),
		.weight = argc > 8 ? strtoul(argv[8], NULL, 0) : 1,
		.link = argc > 9 ? if_nametoindex(argv[9]) : 0,
	};
	ok = path.local && path.remote && dp->add_path(dp, &path, ifname);
	if (ok)
	{
		printf("dev %s\n", ifname);
	}
	DESTROY_IF(path.local);
	DESTROY_IF(path.remote);
	return ok;
}

static bool cmd_routes(mif_dataplane_t *dp, char **argv, int argc)
{
	linked_list_t *dst;
	traffic_selector_t *ts;
	host_t *src = NULL;
	uint16_t bids[64];
	char *tok, *save = NULL;
	u_int count;
	bool ok = TRUE;

	if (argc < 5)
	{
		return FALSE;
	}
	if (!streq(argv[2], "-"))
	{
		src = host_create_from_string(argv[2], 0);
		if (!src)
		{
			return FALSE;
		}
	}
	dst = linked_list_create();
	for (tok = streq(argv[3], "-") ? NULL : strtok_r(argv[3], ",", &save); tok;
		 tok = strtok_r(NULL, ",", &save))
	{
		ts = traffic_selector_create_from_cidr(tok, 0, 0, 65535);
		if (!ts)
		{
			ok = FALSE;
			break;
		}
		dst->insert_last(dst, ts);
	}
	count = parse_bids(argv[4], bids, countof(bids));
	if (ok)
	{
		ok = dp->set_routes(dp, strtoul(argv[1], NULL, 0), dst, src, bids,
							count);
	}
	dst->destroy_offset(dst, offsetof(traffic_selector_t, destroy));
	DESTROY_IF(src);
	return ok;
}

static bool cmd_flow(mif_dataplane_t *dp, char **argv, int argc)
{
	traffic_selector_t *ts;
	uint16_t from = 0, to = 65535;
	bool ok;

	if (argc < 7)
	{
		return FALSE;
	}
	if (!streq(argv[5], "-") &&
		sscanf(argv[5], "%hu-%hu", &from, &to) != 2)
	{
		return FALSE;
	}
	ts = traffic_selector_create_from_cidr(argv[3], parse_proto(argv[4]),
										   from, to);
	if (!ts)
	{
		return FALSE;
	}
	ok = dp->set_flow(dp, strtoul(argv[1], NULL, 0), strtoul(argv[2], NULL, 0),
					  ts, strtoul(argv[6], NULL, 0));
	ts->destroy(ts);
	return ok;
}

/**
 * Run one command line, FALSE on failure.
 */
static bool run(mif_dataplane_t *dp, char *line)
{
	char *argv[16], *save = NULL;
	int argc = 0;

	for (argv[0] = strtok_r(line, " \t\n", &save); argv[argc] && argc < 15;
		 argv[++argc] = strtok_r(NULL, " \t\n", &save))
	{
	}
	if (!argc)
	{
		return TRUE;
	}
	if (streq(argv[0], "add"))
	{
		return cmd_add(dp, argv, argc);
	}
	if (streq(argv[0], "del") && argc >= 3)
	{
		return dp->del_path(dp, strtoul(argv[1], NULL, 0),
							strtoul(argv[2], NULL, 0));
	}
	if (streq(argv[0], "routes"))
	{
		return cmd_routes(dp, argv, argc);
	}
	if (streq(argv[0], "flow"))
	{
		return cmd_flow(dp, argv, argc);
	}
	if (streq(argv[0], "flush") && argc >= 2)
	{
		dp->flush(dp, strtoul(argv[1], NULL, 0));
		return TRUE;
	}
	return FALSE;
}

int main(int argc, char *argv[])
{
	level_t levels[DBG_MAX];
	mif_dataplane_t *dp;
	mif_dp_settings_t settings;
	char line[512], copy[512];
	int i, failed = 0;

	if (!library_init(NULL, "dp-test") || !libcharon_init())
	{
		fprintf(stderr, "initializing libstrongswan/libcharon failed\n");
		return 2;
	}
	/* a state file per instance: guest-dp.sh runs two with one /run */
	if (getenv("DP_TEST_HASH_STATE"))
	{
		lib->settings->set_str(lib->settings,
							   "%s.plugins.mif.dataplane.hash_state",
							   getenv("DP_TEST_HASH_STATE"), lib->ns);
	}
	for (i = 0; i < DBG_MAX; i++)
	{
		levels[i] = LEVEL_SILENT;
	}
	levels[DBG_KNL] = getenv("DP_TEST_DEBUG") ? atoi(getenv("DP_TEST_DEBUG"))
											  : 1;
	charon->set_default_loggers(charon, levels, TRUE);
	charon->load_loggers(charon);

	/* charon's kernel interface, as the plugin finds it inside charon */
	if (!lib->plugins->load(lib->plugins, "kernel-netlink"))
	{
		fprintf(stderr, "loading kernel-netlink failed\n");
		libcharon_deinit();
		library_deinit();
		return 2;
	}
	mif_dp_settings_load(&settings);
	dp = mif_dataplane_create(&settings);
	if (!dp)
	{
		printf("FAIL create\n");
		libcharon_deinit();
		library_deinit();
		return 3;
	}
	printf("ready\n");
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin))
	{
		line[strcspn(line, "\n")] = '\0';
		if (streq(line, "quit"))
		{
			break;
		}
		snprintf(copy, sizeof(copy), "%s", line);
		if (run(dp, copy))
		{
			printf("ok %s\n", line);
		}
		else
		{
			printf("FAIL %s\n", line);
			failed++;
		}
		fflush(stdout);
	}
	dp->destroy(dp);
	printf("destroyed, %d failure(s)\n", failed);
	fflush(stdout);
	libcharon_deinit();
	library_deinit();
	return failed ? 1 : 0;
}
