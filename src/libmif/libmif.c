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
 * Create the backend from settings
 */
static mif_backend_t *create_from_settings()
{
	mif_config_t config = {
		.max_lifetime = lib->settings->get_int(lib->settings,
						"%s.plugins.mif.max_lifetime", MIF_LIFETIME_MAX, lib->ns),
		.max_bindings = lib->settings->get_int(lib->settings,
						"%s.plugins.mif.max_bindings", 64, lib->ns),
		.no_bulk = !lib->settings->get_bool(lib->settings,
						"%s.plugins.mif.bulk_registration", TRUE, lib->ns),
		.expiry_interval = lib->settings->get_int(lib->settings,
						"%s.plugins.mif.expiry_interval", 1000, lib->ns),
	};
	mif_store_t *store = NULL;
	char *path;

	path = lib->settings->get_str(lib->settings, "%s.plugins.mif.database",
								  MIF_DEFAULT_DATABASE, lib->ns);
	if (path && *path)
	{
		store = mif_store_sqlite_create(path);
		if (!store)
		{
			DBG1(DBG_CFG, "mif: binding database '%s' unusable, bindings will "
				 "not survive a restart", path);
		}
	}
	return mif_backend_create(&config, store);
}

/*
 * Described in header
 */
bool libmif_init()
{
	bool ok = TRUE;

	pthread_mutex_lock(&init_lock);
	if (!refs)
	{
		mif = create_from_settings();
		ok = mif != NULL;
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
