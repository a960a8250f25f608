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
 * @defgroup mif_loader mif_loader
 * @{ @ingroup libmif
 */

#ifndef MIF_LOADER_H_
#define MIF_LOADER_H_

#include "mif_registry.h"
#include "mif_store.h"

/**
 * Restore the state persisted in a store into an empty registry.
 *
 * Invalid or duplicate records are skipped (logged); bindings whose
 * lifetime ended while the daemon was down are dropped and deleted from
 * the store, as are sessions left with nothing. Lifetimes are carried
 * from the store's wall clock to the monotonic clock.
 *
 * @param registry	empty registry to fill
 * @param store		store to read
 * @return			FALSE if reading the store failed
 */
bool mif_loader_load(mif_registry_t *registry, mif_store_t *store);

#endif /** MIF_LOADER_H_ @}*/
