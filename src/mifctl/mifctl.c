/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * DOC: mifctl
 *
 * mifctl(8) lists, adds and removes the paths of IKE SAs, and prints their
 * events as they happen (monitor), through the control socket of charon's
 * mif plugin (src/plugins/mif/mif_control.c, a line protocol on a unix
 * socket, default /var/run/charon.mif). It is one file, single-threaded,
 * and deliberately free of strongSwan libraries so it works where only the
 * socket is reachable.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#define DEFAULT_SOCKET "/var/run/charon.mif"

static void usage(FILE *out)
{
	fprintf(out,
"usage: mifctl [--json] [--socket PATH] COMMAND\n"
"  list                      list the paths of all IKE SAs\n"
"  add IKE_ID ADDRESS        announce a local address as a new path\n"
"  remove IKE_ID BID         remove a path\n"
"  monitor                   print path events as they happen, one a line\n"
"options:\n"
"  -j, --json                machine-readable output\n"
"  -s, --socket PATH         control socket [" DEFAULT_SOCKET "]\n"
"  -h, --help                this help\n");
}

/**
 * Is a reply line an error?
 */
static int is_error(const char *buf, size_t len)
{
	return (len >= 6 && !strncmp(buf, "error:", 6)) ||
		   (len >= 11 && !strncmp(buf, "{\"ok\":false", 11));
}

/**
 * Copy the events of a monitor subscription to stdout, a line at a time,
 * until charon closes the connection. The first line tells whether the
 * subscription was accepted: printed only if not.
 */
static int monitor(int fd, int *failed)
{
	char buf[4096], *end;
	size_t len = 0;
	ssize_t n;
	int first = 1;

	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
	{
		len += n;
		while ((end = memchr(buf, '\n', len)))
		{
			if (!first)
			{
				fwrite(buf, 1, end - buf + 1, stdout);
				fflush(stdout);
			}
			else if (is_error(buf, end - buf))
			{
				fwrite(buf, 1, end - buf + 1, stdout);
				*failed = 1;
			}
			first = 0;
			len -= end - buf + 1;
			memmove(buf, end + 1, len);
		}
		if (len == sizeof(buf))
		{	/* no line is that long: pass it on */
			fwrite(buf, 1, len, stdout);
			len = 0;
		}
	}
	return n < 0;
}

/**
 * Send one request line, copy the reply to stdout.
 */
static int request(const char *path, const char *line, int *failed)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t len;
	int fd, first = 1;

	if (strlen(path) >= sizeof(addr.sun_path))
	{
		fprintf(stderr, "mifctl: socket path too long\n");
		return 1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr*)&addr, sizeof(addr)) < 0)
	{
		fprintf(stderr, "mifctl: connecting to %s failed: %s (is charon "
				"running with the mif plugin?)\n", path, strerror(errno));
		if (fd >= 0)
		{
			close(fd);
		}
		return 1;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
	{
		fprintf(stderr, "mifctl: sending request failed: %s\n",
				strerror(errno));
		close(fd);
		return 1;
	}
	if (strstr(line, " monitor\n"))
	{
		len = monitor(fd, failed);
		close(fd);
		return len;
	}
	while ((len = read(fd, buf, sizeof(buf))) > 0)
	{
		if (first && is_error(buf, len))
		{
			*failed = 1;
		}
		first = 0;
		fwrite(buf, 1, len, stdout);
	}
	close(fd);
	return len < 0;
}

int main(int argc, char *argv[])
{
	static struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_SOCKET, *format = "text";
	char line[512];
	int c, failed = 0, n;

	while ((c = getopt_long(argc, argv, "js:h", options, NULL)) != -1)
	{
		switch (c)
		{
			case 'j':
				format = "json";
				break;
			case 's':
				path = optarg;
				if (!strncmp(path, "unix://", 7))
				{
					path += 7;
				}
				break;
			case 'h':
				usage(stdout);
				return 0;
			default:
				usage(stderr);
				return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && (!strcmp(argv[0], "list") ||
					  !strcmp(argv[0], "monitor")))
	{
		n = snprintf(line, sizeof(line), "%s %s\n", format, argv[0]);
	}
	else if (argc == 3 && (!strcmp(argv[0], "add") ||
						   !strcmp(argv[0], "remove")))
	{
		if (strpbrk(argv[1], " \t\n") || strpbrk(argv[2], " \t\n"))
		{
			usage(stderr);
			return 2;
		}
		n = snprintf(line, sizeof(line), "%s %s %s %s\n", format, argv[0],
					 argv[1], argv[2]);
	}
	else
	{
		usage(stderr);
		return 2;
	}
	if (n < 0 || n >= (int)sizeof(line))
	{
		fprintf(stderr, "mifctl: arguments too long\n");
		return 2;
	}
	if (request(path, line, &failed))
	{
		return 1;
	}
	return failed;
}
