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
 * @defgroup mif_msg_priv mif_msg_priv
 * @{ @ingroup mif_msg
 *
 * Helpers shared by the mif_msg codec files, not part of the API.
 */

#ifndef MIF_MSG_PRIV_H_
#define MIF_MSG_PRIV_H_

#include "mif_msg.h"

#include <bio/bio_reader.h>
#include <bio/bio_writer.h>

/** address family codes on the wire (IANA Address Family Numbers) */
#define MIF_AFN_IPV4 1
#define MIF_AFN_IPV6 2

/**
 * Store a reason and return a status, keeps error paths one line long.
 */
static inline mif_msg_status_t mif_msg_fail(const char **reason,
											mif_msg_status_t status,
											const char *why)
{
	if (reason)
	{
		*reason = why;
	}
	return status;
}

/**
 * Check the overall length and read the Version and Flags octets.
 *
 * @param reader		reader positioned at the start of the data
 * @param len			total data length
 * @param min_version	TRUE to accept any version >= 1 (MIF_SUPPORTED)
 * @param version		receives the version
 * @param flags			receives the flags
 */
mif_msg_status_t mif_msg_read_header(bio_reader_t *reader, size_t len,
									 bool min_version, uint8_t *version,
									 uint8_t *flags, const char **reason);

/**
 * Read the trailing TLV area, which must consume the rest of the data.
 *
 * @param reader		reader positioned after the fixed fields
 * @param known			TLV type understood in this message, 0 for none
 * @param value			receives the value of the known TLV (points into
 *						the input); may be NULL if known is 0
 * @param found			receives TRUE if the known TLV was present (it may
 *						be empty); may be NULL if known is 0
 */
mif_msg_status_t mif_msg_read_tlvs(bio_reader_t *reader, uint16_t known,
								   chunk_t *value, bool *found,
								   const char **reason);

/**
 * Read an address block (Family, Length, Address).
 *
 * @param host			receives an allocated host (port 0)
 */
mif_msg_status_t mif_msg_read_address(bio_reader_t *reader, host_t **host,
									  const char **reason);

/**
 * Write an address block; the address must have passed
 * mif_msg_check_address().
 */
void mif_msg_write_address(bio_writer_t *writer, host_t *host);

/**
 * Finish a build: enforce the size limit and hand out the buffer.
 */
mif_msg_status_t mif_msg_finish(bio_writer_t *writer, chunk_t *out,
								const char **reason);

#endif /** MIF_MSG_PRIV_H_ @}*/
