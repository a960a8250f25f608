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
 * CLEAR argument of FUZZ_ROUND_TRIP for messages that own no memory.
 */
#define FUZZ_NO_CLEAR(msg) (void)(msg)

/**
 * Define "static void NAME(chunk_t data)", the round-trip property of the
 * notify parsed by mif_msg_parse_NAME() into a TYPE and built by
 * mif_msg_build_NAME():
 *  - input that does not parse comes with a reason, and ON_FAIL holds (the
 *    parser left nothing allocated);
 *  - a message that parses satisfies ON_PARSE, builds, parses again to a
 *    message SAME calls equal, and builds to the same octets.
 * The expressions see the messages as a (first parse) and b (second);
 * CLEAR(&msg) frees one.
 */
#define FUZZ_ROUND_TRIP(name, type, on_fail, on_parse, same, clear) \
static void name(chunk_t data) \
{ \
	type a, b; \
	const char *reason; \
	chunk_t x, y; \
	\
	if (mif_msg_parse_##name(data, &a, &reason) != MIF_MSG_OK) \
	{ \
		FUZZ_ASSERT(reason); \
		FUZZ_ASSERT(on_fail); \
		return; \
	} \
	FUZZ_ASSERT(on_parse); \
	FUZZ_ASSERT(mif_msg_build_##name(&a, &x, &reason) == MIF_MSG_OK); \
	FUZZ_ASSERT(mif_msg_parse_##name(x, &b, &reason) == MIF_MSG_OK); \
	FUZZ_ASSERT(same); \
	FUZZ_ASSERT(mif_msg_build_##name(&b, &y, &reason) == MIF_MSG_OK); \
	FUZZ_ASSERT(chunk_equals(x, y)); \
	clear(&a); \
	clear(&b); \
	chunk_free(&x); \
	chunk_free(&y); \
}

/**
 * A target's parsers, selected by the first input octet (modulo their
 * number); the rest of the input is the notify data.
 */
typedef void (*fuzz_parser_t)(chunk_t data);

/**
 * Run the parser the first octet of buf selects on a private copy of the
 * rest, so that reading past its end is caught by ASan.
 */
static inline void fuzz_dispatch(const uint8_t *buf, size_t len,
								 fuzz_parser_t *parsers, int count)
{
	chunk_t data;

	if (len < 1)
	{
		return;
	}
	data = chunk_clone(chunk_create((u_char*)buf + 1, len - 1));
	parsers[buf[0] % count](data);
	chunk_free(&data);
}

#endif /** FUZZ_COMMON_H_ @}*/
