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
 * @defgroup mif_sa_ref mif_sa_ref
 * @{ @ingroup libmif
 */

#ifndef MIF_SA_REF_H_
#define MIF_SA_REF_H_

#include "mif_types.h"

typedef struct mif_sa_ref_t mif_sa_ref_t;
typedef enum mif_sa_type_t mif_sa_type_t;

/**
 * Kind of security association referenced by a session.
 */
enum mif_sa_type_t {
	/** IKE SA, identified by its unique ID */
	MIF_SA_IKE = 1,
	/** CHILD SA (IPsec), identified by its SPIs */
	MIF_SA_CHILD = 2,
	/** RFC 6618 MN-HA SA, identified by its SPIs */
	MIF_SA_RFC6618 = 3,
};

/**
 * Enum names for mif_sa_type_t.
 */
extern enum_name_t *mif_sa_type_names;

/**
 * Reference to an SA attached to a session, optionally to one binding.
 *
 * IKE unique IDs are only meaningful within one charon run; references
 * restored from the store after a restart keep them for bookkeeping but
 * users must re-attach live SAs.
 */
struct mif_sa_ref_t {
	/** mif_sa_type_t */
	uint8_t type;
	/** IPsec protocol (IPPROTO_ESP/AH) for CHILD SAs, 0 otherwise */
	uint8_t protocol;
	/** BID the SA belongs to, 0 for session-wide SAs */
	uint16_t bid;
	/** unique ID of the (parent) IKE SA, 0 if none */
	uint32_t ike_id;
	/** inbound SPI (network order as strongSwan keeps it), 0 for IKE SAs */
	uint32_t spi_in;
	/** outbound SPI, 0 if none */
	uint32_t spi_out;
	/** reqid of a CHILD SA, 0 otherwise */
	uint32_t reqid;
};

#endif /** MIF_SA_REF_H_ @}*/
