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
 * DOC: libmif, the suite's shared mobility-binding backend
 *
 * libmif holds what two or more plugins of the suite share: one binding
 * backend per charon process with mobility sessions keyed by home address
 * and/or identity, RFC 5648 bindings by BID (bulk registration, overwrite,
 * modulo 2^16 sequence numbers per RFC 6275 §9.5.1), RFC 6089 flow
 * bindings, references to IKE, CHILD and RFC 6618 SAs, expiry on
 * lib->scheduler, change listeners and optional SQLite persistence.
 * Protocol code of one plugin (the mif plugin's IKEv2 codec, its probes,
 * the interface monitor) lives in that plugin, not here. libmif depends on
 * libstrongswan and SQLite only, and reads no settings: the plugin that
 * calls libmif_init() reads its own options and passes a libmif_config_t.
 * The first caller's configuration applies to the whole process.
 *
 * Files (one object or value type per .c/.h pair; calls go down this list
 * only, never back up):
 *  - libmif.c/.h: this file; the process-wide instance (mif, mif_get()),
 *    libmif_config_t, libmif_init()/libmif_deinit()
 *  - mif_backend.c/.h: mif_backend_t, the public interface: the data lock,
 *    registration (RFC 5648), flow changes and lookups, SA reference
 *    methods, the expiry job
 *  - mif_loader.c/.h: restores a store's state into the registry at start
 *  - mif_flow_select.c/.h: picks a session's bindings for a packet
 *    (RFC 6089 §4.3)
 *  - mif_registry.c/.h: sessions, bindings and the indices and expiry heap
 *    finding them; validation of keys and registration entries
 *  - mif_sa_table.c/.h: SA references by inbound/outbound SPI and IKE ID
 *  - mif_notifier.c/.h: records each operation's changes, queues them in
 *    modification order and publishes them to the store and listeners
 *  - mif_session.c/.h: the session record, its bindings list and flows
 *  - mif_index.c/.h, mif_heap.c/.h, mif_slab.c/.h: chained and
 *    open-addressing hash indices, the expiry min-heap, slab allocator
 *  - mif_store.h, mif_store_sqlite.c/.h: persistence interface, SQLite
 *  - mif_types.h, mif_addr.c/.h, mif_seq.c/.h, mif_binding.c/.h,
 *    mif_flow.c/.h, mif_sa_ref.c/.h, mif_listener.h: public value types
 *  - libmif.map: the exported symbols (the public headers' functions)
 *
 * Reserved, not written yet: the Mobility Header codec the Mobile IPv6
 * plugins (route optimization, RFC 6618 home agent) will share, as
 * mif_mh.c/.h (Binding Update and Binding Acknowledgement, RFC 6275
 * §6.1.7/§6.1.8, mobility option walk), mif_mh_bid.c (RFC 5648 Binding
 * Identifier mobility option) and mif_mh_flow.c (RFC 6089 Flow Identification
 * and Flow Summary options), mapping messages to mif_reg_t and
 * mif_status_t; see doc/libmif.md.
 *
 * Threads and locks:
 *  - init_lock (below, a plain pthread mutex, usable before any strongSwan
 *    threading object) guards mif, refs and the active configuration.
 *  - The backend's rwlock guards the registry (with the SA table): lookups
 *    hold it for reading, in parallel; changes for writing. Lookups return
 *    copies.
 *  - The notifier's queue mutex is taken with the data write lock held
 *    (queueing keeps modification order), never the other way round.
 *    Changes are published after the data lock is released, by one thread
 *    at a time (the changing thread, or the expiry job's worker), holding
 *    the listener rwlock for reading: listeners may call back into the
 *    backend, but not add or remove listeners or flush.
 *  - The SQLite store serialises its writes with its own mutex; it is only
 *    called by the publishing thread, never under the data lock.
 *  - The expiry job runs on lib->processor workers every expiry_interval ms
 *    and holds the timer mutex while it expires and flushes; destroy()
 *    takes it to detach the job, which outlives the backend and ends.
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
