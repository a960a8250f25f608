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
 * @defgroup mif_store_sqlite mif_store_sqlite
 * @{ @ingroup libmif
 */

#ifndef MIF_STORE_SQLITE_H_
#define MIF_STORE_SQLITE_H_

#include "mif_store.h"

/**
 * Number of changes after which the open transaction is committed.
 */
#define MIF_STORE_SQLITE_BATCH 1024

/**
 * Age in ms after which the open transaction is committed on the next
 * change; mif_store_t.flush() commits regardless.
 */
#define MIF_STORE_SQLITE_INTERVAL 100

/**
 * Create an SQLite store.
 *
 * The database is opened in WAL mode with synchronous=NORMAL; changes are
 * written with prepared statements into a transaction that is committed
 * every MIF_STORE_SQLITE_BATCH changes, after MIF_STORE_SQLITE_INTERVAL
 * ms, or on flush(). The parent directory is created if missing.
 *
 * @param path		database file
 * @return			store, NULL if the database can not be opened
 */
mif_store_t *mif_store_sqlite_create(const char *path);

#endif /** MIF_STORE_SQLITE_H_ @}*/
