/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_sysctl mif_sysctl
 * @{ @ingroup mif
 */

#ifndef MIF_SYSCTL_H_
#define MIF_SYSCTL_H_

#include <library.h>

/**
 * Write a sysctl, logging failures.
 *
 * @param value		value to write
 * @param fmt		printf() format of the sysctl's path (/proc/sys/...)
 * @return			TRUE if written
 */
bool mif_sysctl_set(char *value, char *fmt, ...);

/**
 * Read a sysctl, without its line end, logging failures.
 *
 * @param buf		buffer receiving the value
 * @param len		size of buf
 * @param path		path of the sysctl (/proc/sys/...)
 * @return			TRUE if read
 */
bool mif_sysctl_get(char *buf, size_t len, char *path);

#endif /** MIF_SYSCTL_H_ @}*/
