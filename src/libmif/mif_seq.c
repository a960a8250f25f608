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

#include "mif_seq.h"

/*
 * Described in header
 */
bool mif_seq_gt(uint16_t a, uint16_t b)
{
	uint16_t diff = a - b;

	return diff != 0 && diff < 0x8000;
}

/*
 * Described in header
 */
uint16_t mif_seq_next(uint16_t a)
{
	return a + 1;
}
