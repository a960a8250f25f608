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
 * @defgroup mif_seq mif_seq
 * @{ @ingroup libmif
 */

#ifndef MIF_SEQ_H_
#define MIF_SEQ_H_

#include <library.h>

/**
 * Check whether sequence number a is "greater" than b modulo 2^16, as
 * RFC 6275 §9.5.1 requires for accepting a Binding Update: a is greater
 * if it lies in the 2^15 - 1 numbers following b. A distance of exactly
 * 2^15 is ambiguous and treated as not greater, so replays can never be
 * both greater and smaller.
 *
 * @param a			received sequence number
 * @param b			last accepted sequence number
 * @return			TRUE if a > b in serial number arithmetic
 */
bool mif_seq_gt(uint16_t a, uint16_t b);

/**
 * Next sequence number after a (wrapping).
 *
 * @param a			sequence number
 * @return			a + 1 mod 2^16
 */
uint16_t mif_seq_next(uint16_t a);

#endif /** MIF_SEQ_H_ @}*/
