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

FUZZ_ROUND_TRIP(supported, mif_msg_supported_t, TRUE, TRUE, TRUE,
				FUZZ_NO_CLEAR)

FUZZ_ROUND_TRIP(path_add, mif_msg_path_add_t,
				!a.local && !a.remote,
				a.bid && a.local && a.remote,
				a.local->ip_equals(a.local, b.local) &&
				a.remote->ip_equals(a.remote, b.remote) &&
				streq(a.ifname, b.ifname),
				mif_msg_path_add_clear)

FUZZ_ROUND_TRIP(path_remove, mif_msg_path_remove_t, TRUE, TRUE, TRUE,
				FUZZ_NO_CLEAR)

FUZZ_ROUND_TRIP(path_update, mif_msg_path_update_t, TRUE,
				a.count >= 1 && a.count <= MIF_MSG_MAX_UPDATE_ENTRIES, TRUE,
				FUZZ_NO_CLEAR)

FUZZ_ROUND_TRIP(path_rr, mif_msg_path_rr_t, TRUE, TRUE, TRUE, FUZZ_NO_CLEAR)

FUZZ_ROUND_TRIP(path_ack, mif_msg_path_ack_t, TRUE, TRUE, TRUE, FUZZ_NO_CLEAR)

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	fuzz_parser_t parsers[] = {
		supported, path_add, path_remove, path_update, path_rr, path_ack,
	};

	fuzz_dispatch(buf, len, parsers, countof(parsers));
	return 0;
}
