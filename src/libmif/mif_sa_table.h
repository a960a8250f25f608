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
 * @defgroup mif_sa_table mif_sa_table
 * @{ @ingroup libmif
 */

#ifndef MIF_SA_TABLE_H_
#define MIF_SA_TABLE_H_

#include "mif_session.h"
#include "mif_notifier.h"

typedef struct mif_sa_table_t mif_sa_table_t;

/**
 * SA references of the backend's sessions, indexed by inbound SPI,
 * outbound SPI and IKE unique ID.
 *
 * A reference belongs to one session (in its SA array) and is found
 * through the indices. Not thread-safe: the backend's data lock protects
 * it like the sessions it hangs off.
 */
struct mif_sa_table_t {

	/**
	 * Attach a new reference to a session and index it. The caller
	 * checked it with mif_sa_table_check_ref() and find().
	 *
	 * @param session	session owning the reference
	 * @param ref		reference (copied)
	 */
	void (*add)(mif_sa_table_t *this, mif_session_t *session,
				const mif_sa_ref_t *ref);

	/**
	 * Find the reference a caller names: by type and inbound SPI (CHILD,
	 * RFC 6618) or by IKE unique ID (IKE).
	 *
	 * @param ref		reference to look for
	 * @return			stored reference, NULL if none
	 */
	mif_sa_entry_t *(*find)(mif_sa_table_t *this, const mif_sa_ref_t *ref);

	/**
	 * Find a reference of any type with an IKE unique ID.
	 *
	 * @param ike_id	IKE SA unique ID
	 * @return			first such reference, NULL if none
	 */
	mif_sa_entry_t *(*find_ike)(mif_sa_table_t *this, uint32_t ike_id);

	/**
	 * Find a reference by SPI, inbound first, then outbound.
	 *
	 * @param spi		SPI
	 * @return			stored reference, NULL if none
	 */
	mif_sa_entry_t *(*find_spi)(mif_sa_table_t *this, uint32_t spi);

	/**
	 * Unlink a reference from its session and the indices, record the
	 * change and free it.
	 *
	 * @param sa		stored reference
	 * @param event		event to record
	 * @param changes	changes of the operation
	 */
	void (*remove)(mif_sa_table_t *this, mif_sa_entry_t *sa,
				   mif_event_t event, mif_changes_t *changes);

	/**
	 * Destroy the table. Remove all references first.
	 */
	void (*destroy)(mif_sa_table_t *this);
};

/**
 * Check an SA reference for consistency: IKE references carry an IKE ID
 * and no SPIs, CHILD and RFC 6618 references an inbound SPI.
 *
 * @param ref		reference
 * @return			TRUE if valid
 */
bool mif_sa_table_check_ref(const mif_sa_ref_t *ref);

/**
 * Check whether a session holds an SA reference of a type.
 *
 * @param session	session
 * @param type		SA reference type
 * @return			TRUE if it does
 */
bool mif_sa_table_has_type(mif_session_t *session, mif_sa_type_t type);

/**
 * Create an SA reference table.
 *
 * @param seed		hash seed (unpredictable for peer-chosen SPIs)
 * @return			table
 */
mif_sa_table_t *mif_sa_table_create(uint64_t seed);

#endif /** MIF_SA_TABLE_H_ @}*/
