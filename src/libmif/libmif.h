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
 * Conventional location of the suite's binding database: the default the
 * plugins use for their "database" option. libmif itself reads no settings.
 */
#ifndef MIF_STATEDIR
# define MIF_STATEDIR "/var/lib/strongswan-mif"
#endif
#define MIF_DEFAULT_DATABASE MIF_STATEDIR "/bindings.db"

typedef struct libmif_config_t libmif_config_t;

/**
 * Configuration of the process-wide backend, read by the calling plugin
 * from its own settings and passed to libmif_init().
 */
struct libmif_config_t {
	/** policy and timing of the backend (see mif_config_t) */
	mif_config_t backend;
	/** SQLite file the bindings persist in, NULL or "" for none */
	char *database;
};

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
 * The first call creates the backend from config, loading the bindings
 * persisted in config->database. If the database cannot be opened, the
 * backend runs without persistence (logged at level 1).
 *
 * One backend serves the whole process, so the first caller's
 * configuration applies: later calls only take a reference, and a config
 * that differs from the one in use is logged at level 1 and otherwise
 * ignored. Plugins sharing libmif should therefore read the same options.
 *
 * libmif reads no settings; the caller reads its own (the mif plugin uses
 * %s.plugins.mif.{database,max_lifetime,max_bindings,bulk_registration,
 * expiry_interval}) and passes them in.
 *
 * Requires library_init(). Thread-safe.
 *
 * @param config	configuration (copied), NULL for mif_backend_create()'s
 *					defaults without persistence and without expiry job
 * @return			TRUE if the backend is available
 */
bool libmif_init(const libmif_config_t *config);

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
