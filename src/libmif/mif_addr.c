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

#include "mif_addr.h"

#include <arpa/inet.h>

ENUM_BEGIN(mif_status_names, MIF_STATUS_ACCEPTED, MIF_STATUS_ACCEPTED,
	"ACCEPTED");
ENUM_NEXT(mif_status_names, MIF_STATUS_MCOA_NOTCOMPLETE,
		  MIF_STATUS_MCOA_NOTCOMPLETE, MIF_STATUS_ACCEPTED,
	"MCOA_NOTCOMPLETE");
ENUM_NEXT(mif_status_names, MIF_STATUS_UNSPECIFIED,
		  MIF_STATUS_INSUFFICIENT_RESOURCES, MIF_STATUS_MCOA_NOTCOMPLETE,
	"UNSPECIFIED",
	"PROHIBITED",
	"INSUFFICIENT_RESOURCES");
ENUM_NEXT(mif_status_names, MIF_STATUS_NOT_HA_FOR_MN, MIF_STATUS_NOT_HA_FOR_MN,
		  MIF_STATUS_INSUFFICIENT_RESOURCES,
	"NOT_HA_FOR_MN");
ENUM_NEXT(mif_status_names, MIF_STATUS_SEQ_OUT_OF_WINDOW,
		  MIF_STATUS_SEQ_OUT_OF_WINDOW, MIF_STATUS_NOT_HA_FOR_MN,
	"SEQ_OUT_OF_WINDOW");
ENUM_NEXT(mif_status_names, MIF_STATUS_MCOA_MALFORMED,
		  MIF_STATUS_MCOA_BULK_PROHIBITED, MIF_STATUS_SEQ_OUT_OF_WINDOW,
	"MCOA_MALFORMED",
	"MCOA_NON_MCOA_BINDING_EXISTS",
	"MCOA_PROHIBITED",
	"MCOA_UNKNOWN_COA",
	"MCOA_BULK_PROHIBITED");
ENUM_NEXT(mif_status_names, MIF_STATUS_INVALID_COA, MIF_STATUS_INVALID_COA,
		  MIF_STATUS_MCOA_BULK_PROHIBITED,
	"INVALID_COA");
ENUM_END(mif_status_names, MIF_STATUS_INVALID_COA);

ENUM(mif_event_names, MIF_EVENT_ADDED, MIF_EVENT_EXPIRED,
	"ADDED",
	"UPDATED",
	"REMOVED",
	"EXPIRED",
);

/*
 * Described in header
 */
bool mif_addr_from_host(mif_addr_t *addr, host_t *host)
{
	chunk_t raw;

	memset(addr, 0, sizeof(*addr));
	if (!host)
	{
		return TRUE;
	}
	raw = host->get_address(host);
	switch (host->get_family(host))
	{
		case AF_INET:
			if (raw.len != 4)
			{
				return FALSE;
			}
			break;
		case AF_INET6:
			if (raw.len != 16)
			{
				return FALSE;
			}
			break;
		default:
			return FALSE;
	}
	addr->family = host->get_family(host);
	addr->port = host->get_port(host);
	memcpy(addr->addr, raw.ptr, raw.len);
	return TRUE;
}

/*
 * Described in header
 */
host_t *mif_addr_to_host(const mif_addr_t *addr)
{
	switch (addr->family)
	{
		case AF_INET:
			return host_create_from_chunk(AF_INET,
					chunk_create((u_char*)addr->addr, 4), addr->port);
		case AF_INET6:
			return host_create_from_chunk(AF_INET6,
					chunk_create((u_char*)addr->addr, 16), addr->port);
		default:
			return NULL;
	}
}

/*
 * Described in header
 */
bool mif_addr_from_string(mif_addr_t *addr, const char *str, uint16_t port)
{
	memset(addr, 0, sizeof(*addr));
	if (str && inet_pton(AF_INET, str, addr->addr) == 1)
	{
		addr->family = AF_INET;
	}
	else if (str && inet_pton(AF_INET6, str, addr->addr) == 1)
	{
		addr->family = AF_INET6;
	}
	else
	{
		memset(addr, 0, sizeof(*addr));
		return FALSE;
	}
	addr->port = port;
	return TRUE;
}

/*
 * Described in header
 */
char *mif_addr_to_string(const mif_addr_t *addr, char *buf, size_t len)
{
	if (!addr->family ||
		!inet_ntop(addr->family, addr->addr, buf, len))
	{
		snprintf(buf, len, "%%none");
	}
	return buf;
}

/*
 * Described in header
 */
bool mif_addr_is_wellformed(const mif_addr_t *addr)
{
	switch (addr->family)
	{
		case AF_INET:
			return memeq(addr->addr + 4, (uint8_t[12]){}, 12);
		case AF_INET6:
			return TRUE;
		default:
			return FALSE;
	}
}

/*
 * Described in header
 */
bool mif_addr_is_valid_coa(const mif_addr_t *addr)
{
	static const uint8_t zero[16], loop6[16] = { [15] = 1 };
	const uint8_t *a = addr->addr;

	if (!mif_addr_is_wellformed(addr))
	{
		return FALSE;
	}
	if (addr->family == AF_INET)
	{
		/* 0/8 "this network", 127/8 loopback, 224/4 multicast and 240/4
		 * reserved incl. limited broadcast are never reachable CoAs */
		return a[0] != 0 && a[0] != 127 && a[0] < 224;
	}
	if (memeq(a, zero, 16) || memeq(a, loop6, 16) || a[0] == 0xff)
	{
		return FALSE;
	}
	/* an IPv4-mapped address would mean IPv4 traffic in disguise */
	if (memeq(a, zero, 10) && a[10] == 0xff && a[11] == 0xff)
	{
		return FALSE;
	}
	return TRUE;
}
