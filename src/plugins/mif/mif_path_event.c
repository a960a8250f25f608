/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_path_event.h"

#include <ctype.h>
#include <time.h>

ENUM(mif_path_event_names, MIF_PATH_EVENT_ADDED, MIF_PATH_EVENT_MOVED,
	"added",
	"proven",
	"active",
	"dead",
	"removed",
	"moved",
);

/*
 * Described in header
 */
size_t mif_path_event_json_str(const char *str, char *buf, size_t len)
{
	size_t pos = 0;

	if (!len)
	{
		return 0;
	}
	/* room for the closing quote and the NUL */
	if (len > 2)
	{
		buf[pos++] = '"';
		for (; str && *str && pos + 4 < len; str++)
		{
			if (*str == '"' || *str == '\\')
			{
				buf[pos++] = '\\';
			}
			buf[pos++] = isprint((unsigned char)*str) ? *str : '?';
		}
		buf[pos++] = '"';
	}
	buf[pos] = '\0';
	return pos;
}

/**
 * Append to a line, never beyond its end.
 */
static void append(char *buf, size_t len, size_t *pos, char *fmt, ...)
{
	va_list args;
	int n;

	if (*pos >= len)
	{
		return;
	}
	va_start(args, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, args);
	va_end(args);
	if (n > 0)
	{
		*pos = min(*pos + n, len);
	}
}

/*
 * Described in header
 */
void mif_path_event_format(mif_path_event_t *event, bool json, char *buf,
						   size_t len)
{
	char stamp[32], name[160], ifname[48];
	size_t pos = 0;
	struct tm tm;
	time_t t = event->time.tv_sec;
	u_int i;

	gmtime_r(&t, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)(event->time.tv_usec / 1000));
	if (json)
	{
		mif_path_event_json_str(event->ike_name, name, sizeof(name));
		append(buf, len, &pos, "{\"time\":\"%s\",\"ike_sa\":%s,\"ike_id\":%u",
			   stamp, name, event->ike_id);
		if (event->type == MIF_PATH_EVENT_MOVED)
		{
			append(buf, len, &pos, ",\"event\":\"%N\",\"bids\":[",
				   mif_path_event_names, event->type);
			for (i = 0; i < event->count; i++)
			{
				append(buf, len, &pos, "%s%u", i ? "," : "", event->bids[i]);
			}
			append(buf, len, &pos, "]");
		}
		else
		{
			mif_path_event_json_str(event->ifname, ifname, sizeof(ifname));
			append(buf, len, &pos, ",\"bid\":%u,\"event\":\"%N\",\"local\":"
				   "\"%H\",\"remote\":\"%H\",\"interface\":%s", event->bid,
				   mif_path_event_names, event->type, event->local,
				   event->remote, ifname);
		}
		if (event->reason)
		{
			mif_path_event_json_str(event->reason, name, sizeof(name));
			append(buf, len, &pos, ",\"reason\":%s", name);
		}
		append(buf, len, &pos, "}\n");
	}
	else
	{
		append(buf, len, &pos, "%s %s[%u]", stamp, event->ike_name ?: "",
			   event->ike_id);
		if (event->type == MIF_PATH_EVENT_MOVED)
		{
			append(buf, len, &pos, " %N bids ", mif_path_event_names,
				   event->type);
			for (i = 0; i < event->count; i++)
			{
				append(buf, len, &pos, "%s%u", i ? "," : "", event->bids[i]);
			}
			if (!event->count)
			{
				append(buf, len, &pos, "-");
			}
		}
		else
		{
			append(buf, len, &pos, " bid %u %N %H === %H dev %s", event->bid,
				   mif_path_event_names, event->type, event->local,
				   event->remote, event->ifname && event->ifname[0]
														? event->ifname : "-");
		}
		if (event->reason)
		{
			append(buf, len, &pos, " reason %s", event->reason);
		}
		append(buf, len, &pos, "\n");
	}
	if (pos >= len)
	{	/* truncated: still one line */
		buf[len - 2] = '\n';
		buf[len - 1] = '\0';
	}
}
