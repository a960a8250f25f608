/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include <daemon.h>

/*
 * Described in header
 */
bool mif_sysctl_set(char *value, char *fmt, ...)
{
	char path[PATH_MAX];
	va_list args;
	ssize_t len;
	int fd;

	va_start(args, fmt);
	vsnprintf(path, sizeof(path), fmt, args);
	va_end(args);

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
	{
		DBG1(DBG_KNL, "mif: opening %s failed: %s", path, strerror(errno));
		return FALSE;
	}
	len = write(fd, value, strlen(value));
	if (len != strlen(value))
	{
		DBG1(DBG_KNL, "mif: writing %s to %s failed: %s", value, path,
			 strerror(errno));
		close(fd);
		return FALSE;
	}
	close(fd);
	return TRUE;
}

/*
 * Described in header
 */
bool mif_sysctl_get(char *buf, size_t len, char *path)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		DBG1(DBG_KNL, "mif: opening %s failed: %s", path, strerror(errno));
		return FALSE;
	}
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n <= 0)
	{
		DBG1(DBG_KNL, "mif: reading %s failed: %s", path,
			 n ? strerror(err) : "empty");
		return FALSE;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return TRUE;
}
