/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * Unit tests of the control socket (mif_control.c compiled in) on a
 * temporary socket path, with a fake path manager and real processor
 * threads: clients that stay idle, send slowly or send garbage must not
 * keep others from being served; monitor clients get the events the fake
 * manager publishes, and one that reads slowly or not at all never makes
 * the publisher wait.
 */

#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <library.h>
#include <daemon.h>

#include "mif_control.h"

#include <threading/mutex.h>

/** how long a served client may wait for its answer */
#define ANSWER_MS 1000

static char sock_path[64];
static mif_control_t *control;

/* ---- fake path manager ---- */

static uint32_t added_ike, removed_ike;
static uint16_t removed_bid;
static char added_addr[64];

static uint16_t fake_add_path(mif_manager_t *this, uint32_t ike_id,
							  host_t *local)
{
	added_ike = ike_id;
	snprintf(added_addr, sizeof(added_addr), "%H", local);
	return 3;
}

static bool fake_remove_path(mif_manager_t *this, uint32_t ike_id,
							 uint16_t bid)
{
	removed_ike = ike_id;
	removed_bid = bid;
	return TRUE;
}

static enumerator_t *fake_create_path_enumerator(mif_manager_t *this)
{
	return enumerator_create_empty();
}

/** event listeners, as the manager keeps them: under its lock */
static mif_path_event_listener_t *listeners[8];
static int listener_count;
static mutex_t *fake_lock;

static void fake_add_event_listener(mif_manager_t *this,
									mif_path_event_listener_t *listener)
{
	fake_lock->lock(fake_lock);
	ck_assert(listener_count < countof(listeners));
	listeners[listener_count++] = listener;
	fake_lock->unlock(fake_lock);
}

static void fake_remove_event_listener(mif_manager_t *this,
									   mif_path_event_listener_t *listener)
{
	int i;

	fake_lock->lock(fake_lock);
	for (i = 0; i < listener_count; i++)
	{
		if (listeners[i] == listener)
		{
			listeners[i] = listeners[--listener_count];
			break;
		}
	}
	fake_lock->unlock(fake_lock);
}

static int count_listeners(void)
{
	int count;

	fake_lock->lock(fake_lock);
	count = listener_count;
	fake_lock->unlock(fake_lock);
	return count;
}

/**
 * Publish an event as the manager does, with its lock held.
 */
static void publish(mif_path_event_type_t type, uint16_t bid, char *reason)
{
	static uint16_t bids[] = { 2, 3 };
	mif_path_event_t event = {
		.type = type,
		.time = { .tv_sec = 1795000000, .tv_usec = 123456 },
		.ike_name = "home",
		.ike_id = 7,
		.bid = bid,
		.local = host_create_from_string("10.1.0.10", 0),
		.remote = host_create_from_string("10.0.0.1", 0),
		.ifname = "wlan0",
		.reason = reason,
		.bids = bids,
		.count = countof(bids),
	};
	int i;

	fake_lock->lock(fake_lock);
	for (i = 0; i < listener_count; i++)
	{
		listeners[i]->event(listeners[i], &event);
	}
	fake_lock->unlock(fake_lock);
	event.local->destroy(event.local);
	event.remote->destroy(event.remote);
}

static void fake_destroy(mif_manager_t *this)
{
}

static mif_manager_t fake_manager = {
	.add_path = fake_add_path,
	.remove_path = fake_remove_path,
	.create_path_enumerator = fake_create_path_enumerator,
	.add_event_listener = fake_add_event_listener,
	.remove_event_listener = fake_remove_event_listener,
	.destroy = fake_destroy,
};

/* ---- clients ---- */

static int client_connect(void)
{
	struct sockaddr_un addr = {
		.sun_family = AF_UNIX,
	};
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert(fd >= 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	ck_assert_msg(connect(fd, (struct sockaddr*)&addr, sizeof(addr)) == 0,
				  "connecting to %s failed: %s", sock_path, strerror(errno));
	return fd;
}

static void client_send(int fd, char *data, size_t len)
{
	ck_assert_int_eq(send(fd, data, len, MSG_NOSIGNAL), len);
}

/**
 * Read until the server closes the connection or ms pass.
 *
 * @return		TRUE if closed in time, the data read in buf either way
 */
static bool client_read(int fd, char *buf, size_t len, int ms)
{
	struct pollfd pfd = {
		.fd = fd,
		.events = POLLIN,
	};
	timeval_t end, now;
	size_t pos = 0;
	ssize_t n;
	int left;

	time_monotonic(&end);
	timeval_add_ms(&end, ms);
	buf[0] = '\0';
	while (TRUE)
	{
		time_monotonic(&now);
		left = (end.tv_sec - now.tv_sec) * 1000 +
			   (end.tv_usec - now.tv_usec) / 1000;
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
		{
			return FALSE;
		}
		n = recv(fd, buf + pos, len - 1 - pos, 0);
		if (n <= 0)
		{	/* closed with our request unread: reset */
			return n == 0 || errno == ECONNRESET;
		}
		pos += n;
		buf[pos] = '\0';
		if (pos == len - 1)
		{
			return FALSE;
		}
	}
}

/**
 * Send a request on a new connection, expect the answer and the close
 * within ms.
 */
static void request(char *req, size_t len, char *buf, size_t buflen, int ms)
{
	int fd = client_connect();

	client_send(fd, req, len);
	ck_assert_msg(client_read(fd, buf, buflen, ms), "no complete answer to "
				  "'%.*s' within %d ms (got '%s')", (int)min(len, 40), req, ms,
				  buf);
	close(fd);
}

/**
 * Read one line (up to its newline) within ms.
 *
 * @return		TRUE if a whole line came in time
 */
static bool client_line(int fd, char *buf, size_t len, int ms)
{
	struct pollfd pfd = {
		.fd = fd,
		.events = POLLIN,
	};
	size_t pos = 0;

	buf[0] = '\0';
	while (pos < len - 1)
	{
		if (poll(&pfd, 1, ms) <= 0 || recv(fd, buf + pos, 1, 0) != 1)
		{
			return FALSE;
		}
		buf[++pos] = '\0';
		if (buf[pos - 1] == '\n')
		{
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Subscribe to events, expect the first line.
 */
static int subscribe(bool json)
{
	char buf[256];
	int fd = client_connect(), before = count_listeners();

	client_send(fd, json ? "json monitor\n" : "text monitor\n", 13);
	ck_assert(client_line(fd, buf, sizeof(buf), ANSWER_MS));
	ck_assert_str_eq(buf, json ? "{\"ok\":true,\"result\":\"monitoring path "
					 "events\"}\n" : "monitoring path events\n");
	ck_assert_int_eq(count_listeners(), before + 1);
	return fd;
}

/**
 * Wait until ms pass or the number of listeners is count.
 */
static bool wait_listeners(int count, int ms)
{
	while (count_listeners() != count && ms > 0)
	{
		usleep(50000);
		ms -= 50;
	}
	return count_listeners() == count;
}

/* ---- fixture ---- */

static void setup(void)
{
	char uri[128];

	/* as in charon: replies to clients gone must not kill us */
	signal(SIGPIPE, SIG_IGN);
	ck_assert(library_init(NULL, "charon"));
	ck_assert(libcharon_init());
	fake_lock = mutex_create(MUTEX_TYPE_DEFAULT);
	listener_count = 0;
	snprintf(sock_path, sizeof(sock_path), "/tmp/mif-control-test-%d.sock",
			 getpid());
	snprintf(uri, sizeof(uri), "unix://%s", sock_path);
	lib->settings->set_str(lib->settings, "charon.plugins.mif.socket", uri);
	lib->processor->set_threads(lib->processor, 16);
	control = mif_control_create(&fake_manager);
	ck_assert(control);
	added_ike = removed_ike = removed_bid = 0;
	added_addr[0] = '\0';
}

static void teardown(void)
{
	control->destroy(control);
	ck_assert_int_eq(listener_count, 0);
	fake_lock->destroy(fake_lock);
	libcharon_deinit();
	library_deinit();
	unlink(sock_path);
}

/* ---- tests ---- */

START_TEST(test_list)
{
	char buf[1024];

	request("text list\n", 10, buf, sizeof(buf), ANSWER_MS);
	ck_assert_msg(strstr(buf, "IKE_SA") && strstr(buf, "PKTS_OUT"),
				  "no list header: '%s'", buf);
	request("json list\n", 10, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "{\"paths\":[]}\n");
}
END_TEST

START_TEST(test_add_remove)
{
	char buf[256];

	request("text add 5 192.0.2.7\n", 21, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "announced path BID 3\n");
	ck_assert_int_eq(added_ike, 5);
	ck_assert_str_eq(added_addr, "192.0.2.7");
	request("json remove 5 3\n", 16, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "{\"ok\":true,\"result\":\"removed path BID 3\"}\n");
	ck_assert_int_eq(removed_ike, 5);
	ck_assert_int_eq(removed_bid, 3);
}
END_TEST

/*
 * A request arriving in pieces is read as a whole.
 */
START_TEST(test_split_request)
{
	char buf[256];
	int fd = client_connect();

	client_send(fd, "json ", 5);
	usleep(200000);
	client_send(fd, "li", 2);
	usleep(200000);
	client_send(fd, "st\n", 3);
	ck_assert(client_read(fd, buf, sizeof(buf), ANSWER_MS));
	ck_assert_str_eq(buf, "{\"paths\":[]}\n");
	close(fd);
}
END_TEST

/*
 * Connected clients that send nothing, or half a request, must not delay
 * the answer to another client.
 */
START_TEST(test_idle_clients)
{
	char buf[256];
	int idle[8], i, count = _i;

	for (i = 0; i < count; i++)
	{
		idle[i] = client_connect();
		if (i % 2)
		{
			client_send(idle[i], "text li", 7);
		}
	}
	/* let the server pick them up first */
	usleep(100000);
	request("json list\n", 10, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "{\"paths\":[]}\n");
	for (i = 0; i < count; i++)
	{
		close(idle[i]);
	}
}
END_TEST

/*
 * An idle client is sent an error and disconnected after a few seconds,
 * and so is one that sends a byte now and then without ever finishing.
 */
START_TEST(test_idle_timeout)
{
	char buf[256];
	timeval_t start, now;
	int fd = client_connect(), i;

	time_monotonic(&start);
	if (_i)
	{
		for (i = 0; i < 12; i++)
		{
			if (send(fd, "t", 1, MSG_NOSIGNAL) != 1)
			{
				break;
			}
			usleep(400000);
		}
	}
	ck_assert_msg(client_read(fd, buf, sizeof(buf), 6000),
				  "connection still open after 6 s");
	time_monotonic(&now);
	ck_assert_msg(now.tv_sec - start.tv_sec <= 4, "closed after %ds",
				  (int)(now.tv_sec - start.tv_sec));
	ck_assert_msg(strpfx(buf, "error: "), "no error line: '%s'", buf);
	close(fd);
}
END_TEST

/*
 * Over-long requests, with or without a line end, and garbage get an error
 * line and the connection is closed.
 */
START_TEST(test_bad_requests)
{
	char buf[256], req[4096];

	memset(req, 'a', sizeof(req));
	memcpy(req, "text ", 5);
	req[sizeof(req) - 1] = '\n';
	request(req, 300, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "error: request too long\n");
	request(req, sizeof(req), buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "error: request too long\n");

	request("\x01\x02\xff garbage\n", 12, buf, sizeof(buf), ANSWER_MS);
	ck_assert_msg(strpfx(buf, "error: "), "no error line: '%s'", buf);
	ck_assert(strchr(buf, '\n') == buf + strlen(buf) - 1);

	/* a NUL must not cut the request into something valid */
	request("text list\0 garbage\n", 19, buf, sizeof(buf), ANSWER_MS);
	ck_assert_msg(strpfx(buf, "error: "), "no error line: '%s'", buf);
	request("text list\x01\n", 11, buf, sizeof(buf), ANSWER_MS);
	ck_assert_msg(strpfx(buf, "error: "), "no error line: '%s'", buf);
}
END_TEST

/*
 * A monitor client gets one line per event, text or JSON, and stays
 * subscribed past the request deadline.
 */
START_TEST(test_monitor_events)
{
	char buf[512];
	int text, json;

	text = subscribe(FALSE);
	json = subscribe(TRUE);
	publish(MIF_PATH_EVENT_ADDED, 2, "announced");
	ck_assert(client_line(text, buf, sizeof(buf), ANSWER_MS));
	ck_assert_str_eq(buf, "2026-11-18T11:06:40.123Z home[7] bid 2 added "
					 "10.1.0.10 === 10.0.0.1 dev wlan0 reason announced\n");
	ck_assert(client_line(json, buf, sizeof(buf), ANSWER_MS));
	ck_assert_str_eq(buf, "{\"time\":\"2026-11-18T11:06:40.123Z\","
					 "\"ike_sa\":\"home\",\"ike_id\":7,\"bid\":2,\"event\":"
					 "\"added\",\"local\":\"10.1.0.10\",\"remote\":"
					 "\"10.0.0.1\",\"interface\":\"wlan0\",\"reason\":"
					 "\"announced\"}\n");

	/* no request deadline for monitors */
	usleep(2500000);
	publish(MIF_PATH_EVENT_MOVED, 0, NULL);
	ck_assert(client_line(text, buf, sizeof(buf), ANSWER_MS));
	ck_assert_str_eq(buf, "2026-11-18T11:06:40.123Z home[7] moved bids 2,3\n");
	ck_assert(client_line(json, buf, sizeof(buf), ANSWER_MS));
	ck_assert_str_eq(buf, "{\"time\":\"2026-11-18T11:06:40.123Z\","
					 "\"ike_sa\":\"home\",\"ike_id\":7,\"event\":\"moved\","
					 "\"bids\":[2,3]}\n");
	publish(MIF_PATH_EVENT_DEAD, 3, "no-probe-reply");
	ck_assert(client_line(json, buf, sizeof(buf), ANSWER_MS));
	ck_assert_msg(strstr(buf, "\"bid\":3,\"event\":\"dead\"") &&
				  strstr(buf, "\"reason\":\"no-probe-reply\"}\n"), "%s", buf);

	/* one that is done sending still gets events */
	shutdown(json, SHUT_WR);
	usleep(1500000);
	publish(MIF_PATH_EVENT_REMOVED, 3, "admin");
	ck_assert(client_line(json, buf, sizeof(buf), ANSWER_MS));
	ck_assert_msg(strstr(buf, "\"event\":\"removed\""), "%s", buf);
	ck_assert(client_line(text, buf, sizeof(buf), ANSWER_MS));

	/* a client that leaves is unsubscribed; the other stays until the
	 * control socket goes (teardown) */
	close(text);
	ck_assert_msg(wait_listeners(1, 3000), "closed monitor still subscribed");
	close(json);
}
END_TEST

/*
 * A client that falls behind gets "dropped N events" where events are
 * missing; the publisher never waits for it.
 */
/**
 * Count a line of a monitor client that fell behind.
 */
static void count_line(char *buf, bool json, int *lines, int *dropped,
					   bool *last)
{
	int n;

	if (json ? sscanf(buf, "{\"event\":\"dropped\",\"count\":%d}\n", &n) == 1
			 : sscanf(buf, "dropped %d events\n", &n) == 1)
	{
		ck_assert(n > 0);
		*dropped += n;
	}
	else if (strstr(buf, "removed"))
	{
		*last = TRUE;
	}
	else
	{
		ck_assert_msg(strstr(buf, "active"), "unexpected line '%s'", buf);
		(*lines)++;
	}
}

START_TEST(test_monitor_slow)
{
	char buf[512];
	timeval_t start, end;
	int fd, i, lines = 0, dropped = 0;
	bool json = _i, last = FALSE;

	fd = subscribe(json);
	time_monotonic(&start);
	for (i = 0; i < 20000; i++)
	{
		publish(MIF_PATH_EVENT_ACTIVE, 2, "child-sa-up");
	}
	time_monotonic(&end);
	ck_assert_msg(end.tv_sec - start.tv_sec <= 1, "publishing took %d s",
				  (int)(end.tv_sec - start.tv_sec));
	/* take what was queued and buffered, then one more event: every event
	 * is either there or counted as dropped, in order */
	while (client_line(fd, buf, sizeof(buf), 300))
	{
		count_line(buf, json, &lines, &dropped, &last);
	}
	ck_assert(lines > 0 && !last);
	publish(MIF_PATH_EVENT_REMOVED, 2, "admin");
	while (!last && client_line(fd, buf, sizeof(buf), ANSWER_MS))
	{
		count_line(buf, json, &lines, &dropped, &last);
	}
	ck_assert_msg(last, "last event missing");
	ck_assert_msg(dropped > 0, "nothing dropped");
	ck_assert_int_eq(lines + dropped, 20000);
	close(fd);
}
END_TEST

/*
 * A client that never reads is disconnected once it did not take a line
 * for the reply timeout, while events keep coming; publishing never waits
 * for it.
 */
START_TEST(test_monitor_stuck)
{
	char buf[512];
	timeval_t start, end;
	int fd, i, round;

	fd = subscribe(FALSE);
	for (round = 0; round < 120 && count_listeners(); round++)
	{
		time_monotonic(&start);
		for (i = 0; i < 1000; i++)
		{
			publish(MIF_PATH_EVENT_DEAD, 2, "no-probe-reply");
		}
		time_monotonic(&end);
		ck_assert_msg(end.tv_sec - start.tv_sec <= 1, "publishing took %d s",
					  (int)(end.tv_sec - start.tv_sec));
		usleep(100000);
	}
	ck_assert_msg(!count_listeners(), "stuck monitor still subscribed");
	/* what was buffered, then the end of the connection */
	ck_assert(client_read(fd, buf, sizeof(buf), ANSWER_MS) ||
			  strlen(buf) == sizeof(buf) - 1);
	close(fd);
	/* others are served meanwhile and after */
	request("json list\n", 10, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "{\"paths\":[]}\n");
}
END_TEST

/*
 * Malformed subscriptions get an error line and no events; at most two
 * monitors at once, and requests are still served meanwhile.
 */
START_TEST(test_monitor_rejected)
{
	char buf[256];
	int a, b;

	request("text monitor now\n", 17, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "error: unknown command\n");
	request("json monitor 1 2 3\n", 19, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "{\"ok\":false,\"error\":\"malformed request\"}\n");
	request("monitor\n", 8, buf, sizeof(buf), ANSWER_MS);
	ck_assert(strpfx(buf, "error: request must start"));
	request("text monitors\n", 14, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "error: unknown command\n");
	request("text monitor\x01\n", 14, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "error: malformed request\n");
	ck_assert_int_eq(count_listeners(), 0);

	a = subscribe(FALSE);
	b = subscribe(TRUE);
	request("text monitor\n", 13, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "error: too many monitors (at most 2)\n");
	request("json list\n", 10, buf, sizeof(buf), ANSWER_MS);
	ck_assert_str_eq(buf, "{\"paths\":[]}\n");
	close(a);
	ck_assert(wait_listeners(1, 3000));
	a = subscribe(FALSE);
	close(a);
	close(b);
	ck_assert(wait_listeners(0, 3000));
}
END_TEST

/*
 * charon cancels its threads before it unloads the plugin: a monitor
 * waiting for events ends, unsubscribed and disconnected.
 */
START_TEST(test_monitor_cancelled)
{
	char buf[256];
	int fd;

	fd = subscribe(FALSE);
	lib->processor->cancel(lib->processor);
	ck_assert_int_eq(count_listeners(), 0);
	ck_assert(client_read(fd, buf, sizeof(buf), ANSWER_MS));
	ck_assert_str_eq(buf, "");
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mif control socket");
	SRunner *sr;
	TCase *tc;
	int failed;

	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_add_remove);
	tcase_add_test(tc, test_split_request);
	tcase_add_test(tc, test_bad_requests);
	suite_add_tcase(s, tc);

	tc = tcase_create("clients");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	/* one idle client, two (one with half a request), seven */
	tcase_add_loop_test(tc, test_idle_clients, 1, 3);
	tcase_add_loop_test(tc, test_idle_clients, 7, 8);
	/* silent, then drip-feeding */
	tcase_add_loop_test(tc, test_idle_timeout, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("monitor");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_monitor_events);
	/* text, json */
	tcase_add_loop_test(tc, test_monitor_slow, 0, 2);
	tcase_add_test(tc, test_monitor_stuck);
	tcase_add_test(tc, test_monitor_rejected);
	suite_add_tcase(s, tc);

	tc = tcase_create("shutdown");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_monitor_cancelled);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
