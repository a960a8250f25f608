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

#include "libmif.h"

#include <pthread.h>

#include <utils/debug.h>

mif_backend_t *mif = NULL;

/**
 * Protects mif and refs; plain pthread so it works before any
 * strongSwan threading object exists
 */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

/**
 * Number of libmif_init() calls not yet matched by libmif_deinit()
 */
static u_int refs = 0;

/**
 * Configuration the backend was created with (database owned), valid
 * while refs > 0
 */
static libmif_config_t active;

/**
 * Database path with NULL for "no persistence"
 */
static char *database_of(const libmif_config_t *config)
{
	return config && config->database && *config->database ? config->database
														  : NULL;
}

/**
 * Do two configurations differ?
 */
static bool config_differs(const libmif_config_t *a, const libmif_config_t *b)
{
	return a->backend.max_lifetime != b->backend.max_lifetime ||
		   a->backend.max_bindings != b->backend.max_bindings ||
		   a->backend.no_bulk != b->backend.no_bulk ||
		   a->backend.expiry_interval != b->backend.expiry_interval ||
		   !streq(database_of(a) ?: "", database_of(b) ?: "");
}

/**
 * Create the backend from the caller's configuration
 */
static mif_backend_t *create_backend(const libmif_config_t *config)
{
	mif_store_t *store = NULL;
	char *path;

	path = database_of(config);
	if (path)
	{
		store = mif_store_sqlite_create(path);
		if (!store)
		{
			DBG1(DBG_CFG, "mif: binding database '%s' unusable, bindings will "
				 "not survive a restart", path);
		}
	}
	return mif_backend_create(&config->backend, store);
}

/*
 * Described in header
 */
bool libmif_init(const libmif_config_t *config)
{
	libmif_config_t none = {};
	bool ok = TRUE;

	config = config ?: &none;
	pthread_mutex_lock(&init_lock);
	if (!refs)
	{
		mif = create_backend(config);
		ok = mif != NULL;
		if (ok)
		{
			active = *config;
			active.database = strdupnull(database_of(config));
		}
	}
	else if (config_differs(config, &active))
	{
		DBG1(DBG_CFG, "mif: libmif already runs with another configuration "
			 "(database '%s', max_lifetime %u, max_bindings %u, bulk "
			 "registration %s, expiry interval %ums), which stays in use",
			 active.database ?: "", active.backend.max_lifetime,
			 active.backend.max_bindings,
			 active.backend.no_bulk ? "no" : "yes",
			 active.backend.expiry_interval);
	}
	if (ok)
	{
		refs++;
	}
	pthread_mutex_unlock(&init_lock);
	return ok;
}

/*
 * Described in header
 */
void libmif_deinit()
{
	mif_backend_t *backend = NULL;

	pthread_mutex_lock(&init_lock);
	if (refs && !--refs)
	{
		backend = mif;
		mif = NULL;
		free(active.database);
		active = (libmif_config_t){};
	}
	pthread_mutex_unlock(&init_lock);
	DESTROY_IF(backend);
}

/*
 * Described in header
 */
mif_backend_t *mif_get()
{
	return mif;
}
