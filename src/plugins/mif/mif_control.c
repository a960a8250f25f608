/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_control.h"
#include "mif_conn.h"
#include "mif_event_queue.h"

#include <daemon.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/socket.h>
#include <collections/array.h>
#include <threading/mutex.h>
#include <threading/thread.h>

/** longest request line we accept, with its line end */
#define MAX_REQUEST 256

/** clients served at once; further ones wait in the listen backlog */
#define MAX_CLIENTS 8

/** time a client has to send its whole request line (ms) */
#define REQUEST_TIMEOUT_MS 2000

/** time a client has to take each part of the reply (ms) */
#define REPLY_TIMEOUT_MS 5000

/** monitor clients at once: each keeps one of charon's threads and one of
 * the MAX_CLIENTS for as long as it stays */
#define MAX_MONITORS 2

/** event lines queued for a monitor client, then events are dropped */
#define MONITOR_QUEUE 256

/** how often an idle monitor checks whether its client is gone (ms) */
#define MONITOR_POLL_MS 1000

typedef struct private_mif_control_t private_mif_control_t;

/**
 * Private data.
 */
struct private_mif_control_t {

	/**
	 * Public interface.
	 */
	mif_control_t public;

	/**
	 * Path manager.
	 */
	mif_manager_t *manager;

	/**
	 * Listening service.
	 */
	stream_service_t *service;

	/**
	 * Event queues of the monitor clients, mif_event_queue_t*.
	 */
	array_t *monitors;

	/**
	 * Closing: no new monitor clients.
	 */
	bool closing;

	/**
	 * Protects monitors and closing.
	 */
	mutex_t *mutex;
};

/**
 * Copy of a path, taken under the manager's lock.
 */
typedef struct {
	uint32_t ike_id;
	char name[64];
	uint16_t bid;
	mif_path_state_t state;
	host_t *local, *remote;
	char ifname[MIF_MSG_IFNAME_MAX + 1];
	mif_if_kind_t kind;
	uint8_t prio;
	char dev[16];
	uint32_t child_id;
	uint64_t bytes[2], packets[2];
} snapshot_t;

/**
 * Copy all paths, then read the counters of their CHILD SAs without the
 * manager's lock (a CHILD SA checkout may wait for a thread that waits
 * for that lock).
 */
static array_t *snapshot(private_mif_control_t *this)
{
	enumerator_t *enumerator;
	array_t *paths = array_create(sizeof(snapshot_t), 0);
	snapshot_t snap, *cur;
	mif_path_t *path;
	child_sa_t *child_sa;
	ike_sa_t *ike_sa;
	uint32_t ike_id;
	char *name;
	time_t t;

	enumerator = this->manager->create_path_enumerator(this->manager);
	while (enumerator->enumerate(enumerator, &ike_id, &name, &path))
	{
		snap = (snapshot_t){
			.ike_id = ike_id,
			.bid = path->bid,
			.state = path->state,
			.local = path->local->clone(path->local),
			.remote = path->remote->clone(path->remote),
			.kind = path->kind,
			.prio = path->prio,
			.child_id = path->child_id,
		};
		snprintf(snap.name, sizeof(snap.name), "%s", name ?: "");
		memcpy(snap.ifname, path->ifname, sizeof(snap.ifname));
		memcpy(snap.dev, path->dev, sizeof(snap.dev));
		array_insert(paths, ARRAY_TAIL, &snap);
	}
	enumerator->destroy(enumerator);

	enumerator = array_create_enumerator(paths);
	while (enumerator->enumerate(enumerator, &cur))
	{
		if (!cur->child_id)
		{
			continue;
		}
		ike_sa = charon->child_sa_manager->checkout_by_id(
							charon->child_sa_manager, cur->child_id, &child_sa);
		if (ike_sa)
		{
			child_sa->get_usestats(child_sa, TRUE, &t, &cur->bytes[0],
								   &cur->packets[0]);
			child_sa->get_usestats(child_sa, FALSE, &t, &cur->bytes[1],
								   &cur->packets[1]);
			charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
		}
	}
	enumerator->destroy(enumerator);
	return paths;
}

static void snapshot_destroy(array_t *paths)
{
	snapshot_t snap;

	while (array_remove(paths, ARRAY_HEAD, &snap))
	{
		snap.local->destroy(snap.local);
		snap.remote->destroy(snap.remote);
	}
	array_destroy(paths);
}

/**
 * JSON string of a name or message, all short.
 */
static void json_str(FILE *out, char *str)
{
	char buf[256];

	mif_path_event_json_str(str, buf, sizeof(buf));
	fputs(buf, out);
}

static void list(private_mif_control_t *this, FILE *out, bool json)
{
	enumerator_t *enumerator;
	array_t *paths = snapshot(this);
	snapshot_t *s;
	bool first = TRUE;

	if (json)
	{
		fprintf(out, "{\"paths\":[");
	}
	else
	{
		fprintf(out, "%-12s %4s %-9s %-24s %-24s %-8s %-8s %4s %-9s "
				"%12s %12s\n", "IKE_SA", "BID", "STATE", "LOCAL", "REMOTE",
				"IFACE", "KIND", "PRIO", "DEVICE", "PKTS_IN", "PKTS_OUT");
	}
	enumerator = array_create_enumerator(paths);
	while (enumerator->enumerate(enumerator, &s))
	{
		if (json)
		{
			fprintf(out, "%s{\"ike_sa\":", first ? "" : ",");
			json_str(out, s->name);
			fprintf(out, ",\"ike_id\":%u,\"bid\":%u,\"state\":\"%N\","
					"\"local\":\"%H\",\"remote\":\"%H\",\"interface\":",
					s->ike_id, s->bid, mif_path_state_names, s->state,
					s->local, s->remote);
			json_str(out, s->ifname);
			fprintf(out, ",\"kind\":\"%N\",\"priority\":%u,\"device\":",
					mif_if_kind_names, s->kind, s->prio);
			json_str(out, s->dev);
			fprintf(out, ",\"child_id\":%u,\"bytes_in\":%"PRIu64","
					"\"packets_in\":%"PRIu64",\"bytes_out\":%"PRIu64","
					"\"packets_out\":%"PRIu64"}", s->child_id, s->bytes[0],
					s->packets[0], s->bytes[1], s->packets[1]);
			first = FALSE;
		}
		else
		{
			char ike[32];

			snprintf(ike, sizeof(ike), "%s[%u]", s->name, s->ike_id);
			fprintf(out, "%-12s %4u %-9N %-24H %-24H %-8s %-8N %4u %-9s "
					"%12"PRIu64" %12"PRIu64"\n", ike, s->bid,
					mif_path_state_names, s->state, s->local, s->remote,
					s->ifname[0] ? s->ifname : "-", mif_if_kind_names, s->kind,
					s->prio, s->dev[0] ? s->dev : "-", s->packets[0],
					s->packets[1]);
		}
	}
	enumerator->destroy(enumerator);
	if (json)
	{
		fprintf(out, "]}\n");
	}
	snapshot_destroy(paths);
}

/**
 * Parse a decimal number in [min, max].
 */
static bool parse_num(char *str, u_long min, u_long max, u_long *out)
{
	char *end;

	if (!str || !*str)
	{
		return FALSE;
	}
	errno = 0;
	*out = strtoul(str, &end, 10);
	return !errno && !*end && *out >= min && *out <= max && *str != '-';
}

static void reply(FILE *out, bool json, bool ok, char *fmt, ...)
{
	char buf[128];
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	if (json)
	{
		fprintf(out, "{\"ok\":%s,\"%s\":", ok ? "true" : "false",
				ok ? "result" : "error");
		json_str(out, buf);
		fprintf(out, "}\n");
	}
	else
	{
		fprintf(out, "%s%s\n", ok ? "" : "error: ", buf);
	}
}

/**
 * Execute one request line, except a valid "monitor", which the caller
 * serves.
 *
 * @param json		receives whether the client asked for JSON
 * @return			TRUE if the client asked to monitor events
 */
static bool execute(private_mif_control_t *this, char *line, FILE *out,
					bool *json_out)
{
	char *format, *cmd, *arg1, *arg2, *extra, *save = NULL;
	u_long ike_id, bid;
	host_t *host;
	bool json;

	format = strtok_r(line, " \t", &save);
	cmd = strtok_r(NULL, " \t", &save);
	arg1 = strtok_r(NULL, " \t", &save);
	arg2 = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (!format || (!streq(format, "json") && !streq(format, "text")))
	{
		fprintf(out, "error: request must start with 'text' or 'json'\n");
		return FALSE;
	}
	json = *json_out = streq(format, "json");
	if (!cmd || extra)
	{
		reply(out, json, FALSE, "malformed request");
	}
	else if (streq(cmd, "monitor") && !arg1)
	{
		return TRUE;
	}
	else if (streq(cmd, "list") && !arg1)
	{
		list(this, out, json);
	}
	else if (streq(cmd, "add") && arg2)
	{
		host = host_create_from_string(arg2, 0);
		if (!parse_num(arg1, 1, UINT32_MAX, &ike_id) || !host)
		{
			reply(out, json, FALSE, "usage: add IKE_ID ADDRESS");
		}
		else if ((bid = this->manager->add_path(this->manager, ike_id, host)))
		{
			reply(out, json, TRUE, "announced path BID %lu", bid);
		}
		else
		{
			reply(out, json, FALSE, "no path added (unknown IKE_SA, no "
				  "extension, known address or no peer address)");
		}
		DESTROY_IF(host);
	}
	else if (streq(cmd, "remove") && arg2)
	{
		if (!parse_num(arg1, 1, UINT32_MAX, &ike_id) ||
			!parse_num(arg2, 2, 65535, &bid))
		{
			reply(out, json, FALSE, "usage: remove IKE_ID BID");
		}
		else if (this->manager->remove_path(this->manager, ike_id, bid))
		{
			reply(out, json, TRUE, "removed path BID %lu", bid);
		}
		else
		{
			reply(out, json, FALSE, "no path BID %lu on IKE_SA %lu", bid,
				  ike_id);
		}
	}
	else
	{
		reply(out, json, FALSE, "unknown command");
	}
	return FALSE;
}

/**
 * Milliseconds left until a deadline, 0 if it passed.
 */
static int ms_left(timeval_t *deadline)
{
	timeval_t now;
	int64_t ms;

	time_monotonic(&now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
		 (deadline->tv_usec - now.tv_usec) / 1000;
	return ms > 0 ? ms : 0;
}

/**
 * Has a monitor client gone? What it sends is ignored, and so is the end of
 * its requests (shutdown(SHUT_WR), as "echo json monitor | socat" does): a
 * client that closed both directions hangs up (POLLHUP).
 */
static bool client_gone(int fd)
{
	struct pollfd pfd = {
		.fd = fd,
		.events = POLLIN,
	};
	char buf[64];
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0)
	{
		return FALSE;
	}
	if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
	{
		return TRUE;
	}
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

/**
 * Write a line to a monitor client within REPLY_TIMEOUT_MS; FALSE if it
 * did not take it by then or is gone.
 */
static bool send_line(int fd, char *line)
{
	struct pollfd pfd = {
		.fd = fd,
		.events = POLLOUT,
	};
	size_t len = strlen(line), done = 0;
	timeval_t deadline;
	ssize_t n;

	time_monotonic(&deadline);
	timeval_add_ms(&deadline, REPLY_TIMEOUT_MS);
	while (done < len)
	{
		n = send(fd, line + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0)
		{
			done += n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
					   errno != EINTR))
		{
			return FALSE;
		}
		if (errno != EINTR && poll(&pfd, 1, ms_left(&deadline)) == 0)
		{
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * A monitor client and its queue.
 */
typedef struct {
	private_mif_control_t *this;
	mif_event_queue_t *queue;
} monitor_t;

/**
 * A monitor client is done (or its thread cancelled): stop its events and
 * free the monitor.
 */
static void monitor_end(monitor_t *monitor)
{
	private_mif_control_t *this = monitor->this;
	mif_event_queue_t *queue;
	int i;

	this->manager->remove_event_listener(this->manager,
										 &monitor->queue->listener);
	this->mutex->lock(this->mutex);
	for (i = 0; i < array_count(this->monitors); i++)
	{
		array_get(this->monitors, i, &queue);
		if (queue == monitor->queue)
		{
			array_remove(this->monitors, i, NULL);
			break;
		}
	}
	this->mutex->unlock(this->mutex);
	monitor->queue->destroy(monitor->queue);
	free(monitor);
	DBG2(DBG_CFG, "mif: monitor client gone");
}

/**
 * Serve a monitor client: after a first line that it is subscribed, one
 * line per path event for as long as it stays, without the request
 * deadline. The manager's threads only queue the lines (mif_event_queue.c),
 * never waiting for the client: a client slower than the events gets a
 * "dropped N events" line instead of them, and one that does not take a
 * line within REPLY_TIMEOUT_MS is disconnected.
 */
static void monitor(private_mif_control_t *this, FILE *out, bool json)
{
	monitor_t *monitor;
	int fd = fileno(out);
	char *line;

	this->mutex->lock(this->mutex);
	if (this->closing || array_count(this->monitors) >= MAX_MONITORS)
	{
		this->mutex->unlock(this->mutex);
		reply(out, json, FALSE, "too many monitors (at most %d)",
			  MAX_MONITORS);
		return;
	}
	/* on the heap: a cancelled thread's cleanup runs after its stack is
	 * unwound */
	INIT(monitor,
		.this = this,
		.queue = mif_event_queue_create(json, MONITOR_QUEUE),
	);
	array_insert(this->monitors, ARRAY_TAIL, monitor->queue);
	this->mutex->unlock(this->mutex);

	this->manager->add_event_listener(this->manager,
									  &monitor->queue->listener);
	DBG2(DBG_CFG, "mif: monitor client subscribed to path events");
	thread_cleanup_push((void*)monitor_end, monitor);
	reply(out, json, TRUE, "monitoring path events");
	if (fflush(out) == 0)
	{
		while (monitor->queue->next(monitor->queue, MONITOR_POLL_MS, &line))
		{
			if (!line)
			{
				if (client_gone(fd))
				{
					break;
				}
				continue;
			}
			if (!send_line(fd, line))
			{
				DBG1(DBG_CFG, "mif: monitor client takes no events, "
					 "disconnecting it");
				free(line);
				break;
			}
			free(line);
		}
	}
	thread_cleanup_pop(TRUE);
}

/**
 * Outcome of reading a request.
 */
typedef enum {
	REQUEST_OK,
	REQUEST_CLOSED,
	REQUEST_TOO_LONG,
	REQUEST_TIMEOUT,
	REQUEST_MALFORMED,
} request_status_t;

/**
 * Read one request line within REQUEST_TIMEOUT_MS, in as many reads as the
 * client needs, never more than MAX_REQUEST bytes. What follows the line
 * end is ignored. The client closing its side ends the line too.
 *
 * @param stream	client connection
 * @param fd		a descriptor of the connection, to wait on
 * @param line		buffer of MAX_REQUEST bytes, receives the line
 */
static request_status_t read_request(stream_t *stream, int fd, char *line)
{
	struct pollfd pfd = {
		.fd = fd,
		.events = POLLIN,
	};
	timeval_t deadline;
	size_t len = 0;
	char *end = NULL;
	ssize_t n;
	int i;

	time_monotonic(&deadline);
	timeval_add_ms(&deadline, REQUEST_TIMEOUT_MS);
	while (!end)
	{
		if (len == MAX_REQUEST)
		{
			return REQUEST_TOO_LONG;
		}
		if (poll(&pfd, 1, ms_left(&deadline)) == 0)
		{
			return REQUEST_TIMEOUT;
		}
		n = stream->read(stream, line + len, MAX_REQUEST - len, FALSE);
		if (n < 0)
		{
			if (errno == EWOULDBLOCK || errno == EINTR)
			{
				continue;
			}
			return REQUEST_CLOSED;
		}
		if (n == 0)
		{
			if (!len)
			{
				return REQUEST_CLOSED;
			}
			end = line + len;
			break;
		}
		end = memchr(line + len, '\n', n);
		len += n;
	}
	len = end - line;
	if (len && line[len - 1] == '\r')
	{
		len--;
	}
	/* printable ASCII and blanks only: a NUL must not end the line early */
	for (i = 0; i < len; i++)
	{
		if (!isprint((unsigned char)line[i]) && line[i] != '\t')
		{
			return REQUEST_MALFORMED;
		}
	}
	line[len] = '\0';
	return REQUEST_OK;
}

/**
 * Bound the time a write to the client may block.
 */
static void set_send_timeout(int fd)
{
	struct timeval tv = {
		.tv_sec = REPLY_TIMEOUT_MS / 1000,
		.tv_usec = (REPLY_TIMEOUT_MS % 1000) * 1000,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
	{
		DBG1(DBG_CFG, "mif: control socket send timeout: %s",
			 strerror(errno));
	}
}

/**
 * Serve one client, in a job of its own: up to MAX_CLIENTS at once, each
 * for at most REQUEST_TIMEOUT_MS before the request is complete.
 */
CALLBACK(on_accept, bool,
	private_mif_control_t *this, stream_t *stream)
{
	char line[MAX_REQUEST];
	request_status_t status;
	bool json = FALSE;
	FILE *out;

	out = stream->get_file(stream);
	if (!out)
	{
		return FALSE;
	}
	thread_cleanup_push((void*)fclose, out);
	set_send_timeout(fileno(out));
	status = read_request(stream, fileno(out), line);
	switch (status)
	{
		case REQUEST_OK:
			if (execute(this, line, out, &json))
			{
				monitor(this, out, json);
			}
			break;
		case REQUEST_TOO_LONG:
			fprintf(out, "error: request too long\n");
			break;
		case REQUEST_TIMEOUT:
			fprintf(out, "error: request timed out\n");
			break;
		case REQUEST_MALFORMED:
			fprintf(out, "error: malformed request\n");
			break;
		case REQUEST_CLOSED:
			break;
	}
	thread_cleanup_pop(TRUE);
	return FALSE;
}

METHOD(mif_control_t, destroy, void,
	private_mif_control_t *this)
{
	enumerator_t *enumerator;
	mif_event_queue_t *queue;

	/* monitor clients end, so the service does not wait for them */
	this->mutex->lock(this->mutex);
	this->closing = TRUE;
	enumerator = array_create_enumerator(this->monitors);
	while (enumerator->enumerate(enumerator, &queue))
	{
		queue->close(queue);
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	this->service->destroy(this->service);
	array_destroy(this->monitors);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mif_control_t *mif_control_create(mif_manager_t *manager)
{
	private_mif_control_t *this;
	char *uri;

	INIT(this,
		.public = {
			.destroy = _destroy,
		},
		.manager = manager,
		.monitors = array_create(0, 0),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	uri = lib->settings->get_str(lib->settings, "%s.plugins.mif.socket",
								 MIF_CONTROL_SOCKET, lib->ns);
	this->service = lib->streams->create_service(lib->streams, uri, 10);
	if (!this->service)
	{
		DBG1(DBG_CFG, "mif: creating control socket %s failed", uri);
		array_destroy(this->monitors);
		this->mutex->destroy(this->mutex);
		free(this);
		return NULL;
	}
	this->service->on_accept(this->service, on_accept, this,
							 JOB_PRIO_CRITICAL, MAX_CLIENTS);
	DBG1(DBG_CFG, "mif: control socket %s", uri);
	return &this->public;
}
