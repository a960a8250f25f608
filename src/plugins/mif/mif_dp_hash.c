/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dp_hash.h"
#include "mif_sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <daemon.h>

typedef struct private_mif_dp_hash_t private_mif_dp_hash_t;

/**
 * Private data.
 */
struct private_mif_dp_hash_t {

	/**
	 * Public interface.
	 */
	mif_dp_hash_t public;

	/**
	 * fib_multipath_hash_policy per family (0: IPv4, 1: IPv6) as found
	 * before we changed it, empty if we did not
	 */
	char orig[2][8];

	/**
	 * File remembering orig across a crash of charon
	 */
	char *state;
};

/**
 * The multipath hash policy sysctls, by family index.
 */
static char *hash_sysctl[] = {
	"/proc/sys/net/ipv4/fib_multipath_hash_policy",
	"/proc/sys/net/ipv6/fib_multipath_hash_policy",
};

/** family names in the state file, by family index */
static char *hash_family[] = { "ipv4", "ipv6" };

/** the hash policy multipath routes over paths need: per flow (L4) */
#define HASH_POLICY "1"

/**
 * Write the hash policies we changed and their original values to the
 * state file, or remove it if we changed none.
 */
static void save_state(private_mif_dp_hash_t *this)
{
	FILE *file = NULL;
	int fd, i;

	if (!this->orig[0][0] && !this->orig[1][0])
	{
		if (unlink(this->state) != 0 && errno != ENOENT)
		{
			DBG1(DBG_KNL, "mif: removing %s failed: %s", this->state,
				 strerror(errno));
		}
		return;
	}
	fd = open(this->state, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
	{
		file = fdopen(fd, "w");
		if (!file)
		{
			close(fd);
		}
	}
	if (!file)
	{
		DBG1(DBG_KNL, "mif: writing %s failed: %s, the original multipath "
			 "hash policy is lost if charon crashes", this->state,
			 strerror(errno));
		return;
	}
	for (i = 0; i < countof(hash_family); i++)
	{
		if (this->orig[i][0])
		{
			fprintf(file, "%s %s\n", hash_family[i], this->orig[i]);
		}
	}
	if (fclose(file) != 0)
	{
		DBG1(DBG_KNL, "mif: writing %s failed: %s", this->state,
			 strerror(errno));
	}
}

METHOD(mif_dp_hash_t, enable, bool,
	private_mif_dp_hash_t *this, int family)
{
	int i = family == AF_INET6 ? 1 : 0;
	char cur[8];

	if (!mif_sysctl_get(cur, sizeof(cur), hash_sysctl[i]))
	{
		return FALSE;
	}
	if (streq(cur, HASH_POLICY))
	{
		return TRUE;
	}
	if (!this->orig[i][0])
	{
		snprintf(this->orig[i], sizeof(this->orig[i]), "%s", cur);
		/* before changing it: a crash right after must not lose it */
		save_state(this);
	}
	DBG1(DBG_KNL, "mif: per-flow multipath hashing: %s = %s (was %s)",
		 hash_sysctl[i], HASH_POLICY, cur);
	return mif_sysctl_set(HASH_POLICY, "%s", hash_sysctl[i]);
}

/**
 * Restore the hash policies we changed, unless someone changed them again
 * since, and forget them.
 */
static void restore(private_mif_dp_hash_t *this)
{
	char cur[8];
	bool any = FALSE;
	int i;

	for (i = 0; i < countof(hash_sysctl); i++)
	{
		if (!this->orig[i][0])
		{
			continue;
		}
		if (mif_sysctl_get(cur, sizeof(cur), hash_sysctl[i]) &&
			streq(cur, HASH_POLICY))
		{
			DBG1(DBG_KNL, "mif: restoring %s = %s", hash_sysctl[i],
				 this->orig[i]);
			mif_sysctl_set(this->orig[i], "%s", hash_sysctl[i]);
		}
		else
		{
			DBG1(DBG_KNL, "mif: %s changed since we set it, not restoring %s",
				 hash_sysctl[i], this->orig[i]);
		}
		this->orig[i][0] = '\0';
		any = TRUE;
	}
	if (any)
	{
		save_state(this);
	}
}

/**
 * Restore the hash policies a previous instance changed and could not
 * restore (it crashed), as its state file tells.
 */
static void load_state(private_mif_dp_hash_t *this)
{
	char family[8], value[8];
	FILE *file;
	int i;

	file = fopen(this->state, "re");
	if (!file)
	{
		return;
	}
	while (fscanf(file, "%7s %7s", family, value) == 2)
	{
		for (i = 0; i < countof(hash_family); i++)
		{
			/* only a number goes back into the sysctl */
			if (streq(family, hash_family[i]) &&
				strspn(value, "0123456789") == strlen(value))
			{
				snprintf(this->orig[i], sizeof(this->orig[i]), "%s", value);
			}
		}
	}
	fclose(file);
	DBG1(DBG_KNL, "mif: a previous instance left the multipath hash policy "
		 "changed (%s)", this->state);
	restore(this);
	/* even if it held nothing we understood */
	unlink(this->state);
}

METHOD(mif_dp_hash_t, destroy, void,
	private_mif_dp_hash_t *this)
{
	restore(this);
	free(this->state);
	free(this);
}

/*
 * Described in header
 */
mif_dp_hash_t *mif_dp_hash_create(char *state)
{
	private_mif_dp_hash_t *this;

	INIT(this,
		.public = {
			.enable = _enable,
			.destroy = _destroy,
		},
		.state = strdup(state),
	);
	load_state(this);
	return &this->public;
}
