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

/**
 * @defgroup fuzz_common fuzz_common
 * @{ @ingroup fuzz
 *
 * Setup shared by the libFuzzer targets of the mif_msg codec.
 */

#ifndef FUZZ_COMMON_H_
#define FUZZ_COMMON_H_

#include <stdio.h>
#include <stdlib.h>

#include <library.h>
#include <mif_msg.h>

/**
 * Abort with a message: libFuzzer records the input as a crash.
 */
#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) \
	{ \
		fprintf(stderr, "%s:%d: assertion '%s' failed\n", \
				__FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/**
 * Key used for probe tags in the targets and the seed corpus.
 */
static u_char fuzz_probe_key[MIF_MSG_PROBE_KEY_LEN] = {
	0x6d,0x69,0x66,0x2d,0x66,0x75,0x7a,0x7a,0x2d,0x6b,0x65,0x79,0x2d,0x30,
	0x31,0x32,0x33,0x34,0x35,0x36,0x37,0x38,0x39,0x61,0x62,0x63,0x64,0x65,
	0x66,0x67,0x68,0x69,
};

/**
 * Initialize libstrongswan once, with the crypto the probe codec needs.
 */
static inline void fuzz_init(void)
{
	library_init(NULL, "mif-fuzz");
	/* bio_reader logs every short read, which would flood the output */
	dbg_default_set_level(-1);
	if (!lib->plugins->load(lib->plugins, "sha2 hmac"))
	{
		fprintf(stderr, "loading sha2/hmac plugins failed\n");
		exit(1);
	}
}

/**
 * Compare two encodings for the round-trip property.
 */
static inline void fuzz_same(chunk_t a, chunk_t b)
{
	FUZZ_ASSERT(chunk_equals(a, b));
}

#endif /** FUZZ_COMMON_H_ @}*/
