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
 * @defgroup libmif_init libmif
 * @{ @ingroup libmif
 */

#ifndef LIBMIF_H_
#define LIBMIF_H_

#include "mif_types.h"
#include "mif_addr.h"
#include "mif_seq.h"
#include "mif_binding.h"
#include "mif_flow.h"
#include "mif_sa_ref.h"
#include "mif_listener.h"
#include "mif_store.h"
#include "mif_store_sqlite.h"
#include "mif_backend.h"

/**
 * Default database path if %s.plugins.mif.database is not set.
 */
#ifndef MIF_STATEDIR
# define MIF_STATEDIR "/var/lib/strongswan-mif"
#endif
#define MIF_DEFAULT_DATABASE MIF_STATEDIR "/bindings.db"

/**
 * The process-wide binding backend, NULL while libmif is not initialised.
 *
 * libmif.so is loaded once per process even if several RTLD_LOCAL plugins
 * link it, so all plugins of the suite share this one instance.
 */
extern mif_backend_t *mif;

/**
 * Initialise the process-wide backend, or take another reference to it.
 *
 * The first call creates the backend from the settings below (lib->ns is
 * the namespace, e.g. "charon"), loading persisted bindings:
 *  - %s.plugins.mif.database: SQLite file, default MIF_DEFAULT_DATABASE;
 *    "" disables persistence
 *  - %s.plugins.mif.max_lifetime: longest granted lifetime in s (262140)
 *  - %s.plugins.mif.max_bindings: bindings per session (64, 0 unlimited)
 *  - %s.plugins.mif.bulk_registration: accept bulk registrations (yes)
 *  - %s.plugins.mif.expiry_interval: expiry/flush job interval in ms (1000)
 *
 * Requires library_init(). Thread-safe.
 *
 * @return			TRUE if the backend is available
 */
bool libmif_init();

/**
 * Drop a reference taken by libmif_init(); the last one destroys the
 * backend (flushing the store). Call it before library_deinit().
 */
void libmif_deinit();

/**
 * Get the process-wide backend.
 *
 * @return			backend, NULL if not initialised
 */
mif_backend_t *mif_get();

#endif /** LIBMIF_H_ @}*/
