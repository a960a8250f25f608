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
 * libFuzzer target for the path probe datagram: structural parse, tag
 * verification with the corpus key, and the build round trip.  A probe that
 * parses must, once re-encoded with the key, verify and parse to the same
 * octets; and only the corpus key may verify a datagram the fuzzer made.
 */

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	chunk_t data, key = chunk_from_thing(fuzz_probe_key), x, y;
	mif_msg_probe_t a, b;
	const char *reason;
	mif_msg_status_t verified;

	data = chunk_clone(chunk_create((u_char*)buf, len));
	verified = mif_msg_verify_probe(data, key, &reason);
	if (mif_msg_parse_probe(data, &a, &reason) != MIF_MSG_OK)
	{
		FUZZ_ASSERT(reason);
		FUZZ_ASSERT(!a.addr);
		chunk_free(&data);
		return 0;
	}
	FUZZ_ASSERT(a.addr && a.bid && a.spi_i && a.spi_r);
	FUZZ_ASSERT(mif_msg_build_probe(&a, key, &x, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(mif_msg_verify_probe(x, key, &reason) == MIF_MSG_OK);
	/*
	 * x is what we would send for the parsed fields: the input verifies
	 * exactly when it equals x, unless its reserved field (dropped by the
	 * parser) was non-zero
	 */
	if (data.ptr[46] == 0 && data.ptr[47] == 0)
	{
		FUZZ_ASSERT((verified == MIF_MSG_OK) == chunk_equals(data, x));
	}
	FUZZ_ASSERT(mif_msg_parse_probe(x, &b, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(a.addr->equals(a.addr, b.addr));
	FUZZ_ASSERT(mif_msg_build_probe(&b, key, &y, &reason) == MIF_MSG_OK);
	FUZZ_ASSERT(chunk_equals(x, y));
	mif_msg_probe_clear(&a);
	mif_msg_probe_clear(&b);
	chunk_free(&x);
	chunk_free(&y);
	chunk_free(&data);
	return 0;
}
