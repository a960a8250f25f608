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

/*
 * Tests for mif_monitor_t. Every test runs in a forked child inside its own
 * network namespace and drives the kernel with ip(8), so the events
 * asserted here are real RTNETLINK notifications.
 */

#define _GNU_SOURCE
#include <check.h>
#include <sched.h>
#include <poll.h>
#include <stdio.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/time.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <library.h>
#include <threading/mutex.h>
#include <threading/condvar.h>
#include <collections/array.h>

#include "mif_monitor.h"

/** upper bound for any expected event, generous for loaded CI machines */
#define TIMEOUT_MS 5000

typedef struct {
	bool link;
	int ifindex;
	char name[IFNAMSIZ];
	char addr[64];
	bool state;
} rec_t;

typedef struct {
	mif_monitor_listener_t public;
	array_t *events;
	mutex_t *mutex;
	condvar_t *cond;
	/** number of events before returning FALSE, 0 for never */
	int budget;
} recorder_t;

static mif_monitor_t *monitor;
static recorder_t rec;
static bool watched;
static int marker;

static void run(const char *fmt, ...)
{
	char cmd[512];
	va_list args;
	int rc;

	va_start(args, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, args);
	va_end(args);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "'%s' failed: %d", cmd, rc);
}

static void write_proc(const char *path, const char *value)
{
	FILE *file;

	file = fopen(path, "w");
	ck_assert_msg(file, "opening %s failed", path);
	fputs(value, file);
	fclose(file);
}

/**
 * DAD would otherwise take up to two seconds (random solicitation delay plus
 * a one second retransmit timer).
 */
static void fast_dad(const char *iface)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/neigh/%s/retrans_time_ms",
			 iface);
	write_proc(path, "100");
}

static void record(recorder_t *this, rec_t *r)
{
	rec_t *copy;

	copy = malloc(sizeof(*copy));
	*copy = *r;
	this->mutex->lock(this->mutex);
	array_insert(this->events, ARRAY_TAIL, copy);
	this->cond->broadcast(this->cond);
	this->mutex->unlock(this->mutex);
}

static bool keep(recorder_t *this)
{
	return !this->budget || array_count(this->events) < this->budget;
}

METHOD(mif_monitor_listener_t, rec_link, bool,
	recorder_t *this, int ifindex, char *name, bool up)
{
	rec_t r = {
		.link = TRUE,
		.ifindex = ifindex,
		.state = up,
	};

	strncpy(r.name, name, sizeof(r.name) - 1);
	record(this, &r);
	return keep(this);
}

METHOD(mif_monitor_listener_t, rec_address, bool,
	recorder_t *this, int ifindex, char *name, host_t *addr, bool added)
{
	rec_t r = {
		.ifindex = ifindex,
		.state = added,
	};

	strncpy(r.name, name, sizeof(r.name) - 1);
	snprintf(r.addr, sizeof(r.addr), "%H", addr);
	record(this, &r);
	return keep(this);
}

/**
 * Count recorded events; name/addr NULL match anything, state < 0 too
 */
static int count(bool link, const char *name, const char *addr, int state)
{
	rec_t *r;
	int i, n = 0;

	rec.mutex->lock(rec.mutex);
	for (i = 0; i < array_count(rec.events); i++)
	{
		array_get(rec.events, i, &r);
		if (r->link == link &&
			(!name || streq(r->name, name)) &&
			(!addr || streq(r->addr, addr)) &&
			(state < 0 || r->state == state))
		{
			n++;
		}
	}
	rec.mutex->unlock(rec.mutex);
	return n;
}

static int count_link(const char *name, int up)
{
	return count(TRUE, name, NULL, up);
}

static int count_addr(const char *addr, int added)
{
	return count(FALSE, NULL, addr, added);
}

static int64_t now_ms()
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/**
 * Let the monitor handle notifications for at most ms milliseconds
 */
static void pump(int ms)
{
	struct pollfd pfd = {
		.fd = monitor->get_fd(monitor),
		.events = POLLIN,
	};

	if (watched)
	{
		rec.mutex->lock(rec.mutex);
		rec.cond->timed_wait(rec.cond, rec.mutex, ms);
		rec.mutex->unlock(rec.mutex);
		return;
	}
	if (poll(&pfd, 1, ms) > 0)
	{
		ck_assert(monitor->process(monitor));
	}
}

typedef bool (*pred_t)(void *ctx);

/**
 * Bounded wait: returns as soon as the predicate holds
 */
static bool wait_until(pred_t pred, void *ctx)
{
	int64_t end = now_ms() + TIMEOUT_MS;

	while (!pred(ctx))
	{
		int64_t left = end - now_ms();

		if (left <= 0)
		{
			return FALSE;
		}
		pump(left > 50 ? 50 : left);
	}
	return TRUE;
}

typedef struct {
	bool link;
	const char *name;
	const char *addr;
	int state;
} expect_t;

static bool has_event(void *ctx)
{
	expect_t *e = ctx;

	return count(e->link, e->name, e->addr, e->state) > 0;
}

static void wait_link(const char *name, bool up)
{
	expect_t e = { .link = TRUE, .name = name, .state = up };

	ck_assert_msg(wait_until(has_event, &e), "no link %s %s event", name,
				  up ? "up" : "down");
}

static void wait_addr(const char *addr, bool added)
{
	expect_t e = { .addr = addr, .state = added };

	ck_assert_msg(wait_until(has_event, &e), "no address %s %s event", addr,
				  added ? "added" : "removed");
}

/**
 * Notifications are delivered in kernel order, so once an IPv4 address we
 * add afterwards is reported, every notification the kernel sent before it
 * has been handled. This proves the absence of (duplicate) events without
 * sleeping. It does not cover notifications the kernel sends later from
 * workers (linkwatch, IPv6 DAD); tests wait for their effect first.
 */
static void barrier(const char *iface)
{
	char addr[32];

	snprintf(addr, sizeof(addr), "10.255.%d.%d", marker / 250, marker % 250 + 1);
	marker++;
	run("ip addr add %s/32 dev %s", addr, iface);
	wait_addr(addr, TRUE);
}

/** kind of the link last found by get_link(), "" for none */
static char link_kind[32];

static mif_monitor_link_t *get_link(const char *name, mif_monitor_link_t *out)
{
	enumerator_t *enumerator;
	mif_monitor_link_t *link;
	bool found = FALSE;

	enumerator = monitor->create_link_enumerator(monitor);
	while (enumerator->enumerate(enumerator, &link))
	{
		if (streq(link->name, name))
		{
			*out = *link;
			snprintf(link_kind, sizeof(link_kind), "%s", link->kind ?: "");
			out->name = out->kind = NULL;
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return found ? out : NULL;
}

static mif_monitor_addr_t *get_addr(const char *addr, mif_monitor_addr_t *out)
{
	enumerator_t *enumerator;
	mif_monitor_addr_t *a;
	char buf[64];
	bool found = FALSE;

	enumerator = monitor->create_address_enumerator(monitor);
	while (enumerator->enumerate(enumerator, &a))
	{
		snprintf(buf, sizeof(buf), "%H", a->host);
		if (streq(buf, addr))
		{
			*out = *a;
			out->host = NULL;
			out->name = NULL;
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return found ? out : NULL;
}

static bool has_addr(void *ctx)
{
	mif_monitor_addr_t addr;

	return get_addr(ctx, &addr) != NULL;
}

/**
 * The kernel announces IPv6 addresses from its DAD worker, even with nodad,
 * so the notification may come after a later IPv4 barrier; wait for the
 * address to be known before asserting that it produced no event.
 */
static void wait_known(const char *addr)
{
	ck_assert_msg(wait_until(has_addr, (void*)addr), "%s never seen", addr);
}

typedef struct {
	const char *name;
	mif_link_oper_t oper;
} oper_t;

static bool has_oper(void *ctx)
{
	oper_t *o = ctx;
	mif_monitor_link_t link;

	return get_link(o->name, &link) && link.oper == o->oper;
}

/**
 * Operational state changes come from the kernel's linkwatch worker, later
 * than the flag change; wait for it before counting.
 */
static void wait_oper(const char *name, mif_link_oper_t oper)
{
	oper_t o = { .name = name, .oper = oper };

	ck_assert_msg(wait_until(has_oper, &o), "%s did not reach %N", name,
				  mif_link_oper_names, oper);
}

static void start_monitor(const char *use, const char *ignore, bool watch)
{
	watched = watch;
	monitor = mif_monitor_create(use, ignore, watch);
	ck_assert(monitor);
	monitor->add_listener(monitor, &rec.public);
}

/**
 * Wait until the kernel's linkwatch has brought a link operationally up
 * (IFF_RUNNING), so monitors start from a settled state.
 */
static void wait_running(const char *iface)
{
	struct ifreq ifr = {};
	int64_t end = now_ms() + TIMEOUT_MS;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert(fd >= 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	while (TRUE)
	{
		ck_assert(ioctl(fd, SIOCGIFFLAGS, &ifr) == 0);
		if (ifr.ifr_flags & IFF_RUNNING)
		{
			break;
		}
		ck_assert_msg(now_ms() < end, "%s not running", iface);
		usleep(5000);
	}
	close(fd);
}

static void recorder_init(recorder_t *this)
{
	*this = (recorder_t){
		.public = {
			.link = _rec_link,
			.address = _rec_address,
		},
		.events = array_create(0, 0),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.cond = condvar_create(CONDVAR_TYPE_DEFAULT),
	};
}

static void recorder_deinit(recorder_t *this)
{
	array_destroy_function(this->events, (void*)free, NULL);
	this->mutex->destroy(this->mutex);
	this->cond->destroy(this->cond);
}

static void setup_netns()
{
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %m");
	library_init(NULL, "mif-monitor-test");
	dbg_default_set_level(getenv("TEST_DEBUG") ? atoi(getenv("TEST_DEBUG"))
											   : 1);

	recorder_init(&rec);
	marker = 0;
	monitor = NULL;

	/* no random delay before DAD */
	write_proc("/proc/sys/net/ipv6/conf/default/router_solicitation_delay",
			   "0");
	run("ip link set lo up");
	run("ip link add va0 type veth peer name vb0");
	fast_dad("va0");
	fast_dad("vb0");
	run("ip link set va0 up");
	run("ip link set vb0 up");
	wait_running("va0");
	wait_running("vb0");
}

static void teardown_netns()
{
	if (monitor)
	{
		monitor->destroy(monitor);
	}
	recorder_deinit(&rec);
	/* worker threads of test_watcher would block library_deinit() */
	lib->processor->cancel(lib->processor);
	library_deinit();
}

START_TEST(test_snapshot)
{
	mif_monitor_link_t link;
	mif_monitor_addr_t addr;

	run("ip link add vc0 type veth peer name vd0");
	run("ip addr add 10.1.0.1/24 dev va0");
	run("ip -6 addr add fd00:1::1/64 dev va0 nodad");
	run("ip -6 addr add fd00:1::3/64 dev va0 nodad preferred_lft 0");
	/* stays tentative: DAD never starts on a down link */
	run("ip -6 addr add fd00:3::1/64 dev vc0");
	start_monitor(NULL, NULL, FALSE);
	wait_oper("va0", MIF_LINK_UP);

	ck_assert(get_link("lo", &link));
	ck_assert(link.up);
	ck_assert(link.flags & IFF_LOOPBACK);
	ck_assert_str_eq(link_kind, "");
	ck_assert_int_eq(link.ifindex, if_nametoindex("lo"));

	ck_assert(get_link("va0", &link));
	ck_assert(link.up);
	ck_assert(link.carrier);
	ck_assert_int_eq(link.oper, MIF_LINK_UP);
	ck_assert_str_eq(link_kind, "veth");
	ck_assert_int_eq(link.ifindex, if_nametoindex("va0"));

	ck_assert(get_link("vc0", &link));
	ck_assert(!link.up);
	ck_assert_int_eq(link.oper, MIF_LINK_DOWN);
	ck_assert(!(link.flags & IFF_UP));

	ck_assert(get_addr("10.1.0.1", &addr));
	ck_assert_int_eq(addr.prefix, 24);
	ck_assert_int_eq(addr.ifindex, if_nametoindex("va0"));
	ck_assert(addr.usable);

	ck_assert(get_addr("fd00:1::1", &addr));
	ck_assert_int_eq(addr.prefix, 64);
	ck_assert(addr.usable);
	ck_assert(!(addr.flags & (MIF_ADDR_TENTATIVE | MIF_ADDR_DEPRECATED)));

	ck_assert(get_addr("fd00:1::3", &addr));
	ck_assert(!addr.usable);
	ck_assert(addr.flags & MIF_ADDR_DEPRECATED);

	ck_assert(get_addr("fd00:3::1", &addr));
	ck_assert(!addr.usable);
	ck_assert(addr.flags & MIF_ADDR_TENTATIVE);
	ck_assert_int_eq(addr.ifindex, if_nametoindex("vc0"));

	/* the initial state is a snapshot, not a stream of events */
	barrier("lo");
	ck_assert_int_eq(count_link(NULL, -1), 0);
	ck_assert_int_eq(count_addr(NULL, -1), 1);
}
END_TEST

START_TEST(test_link_down_up)
{
	start_monitor(NULL, NULL, FALSE);
	wait_oper("va0", MIF_LINK_UP);
	wait_oper("vb0", MIF_LINK_UP);
	barrier("lo");
	ck_assert_int_eq(count_link(NULL, -1), 0);

	run("ip link set va0 down");
	wait_link("va0", FALSE);
	wait_link("vb0", FALSE);
	wait_oper("va0", MIF_LINK_DOWN);
	wait_oper("vb0", MIF_LINK_LOWER_DOWN);
	barrier("lo");
	ck_assert_int_eq(count_link("va0", FALSE), 1);
	ck_assert_int_eq(count_link("vb0", FALSE), 1);
	ck_assert_int_eq(count_link(NULL, TRUE), 0);

	run("ip link set va0 up");
	wait_link("va0", TRUE);
	wait_link("vb0", TRUE);
	wait_oper("va0", MIF_LINK_UP);
	wait_oper("vb0", MIF_LINK_UP);
	barrier("lo");
	ck_assert_int_eq(count_link("va0", TRUE), 1);
	ck_assert_int_eq(count_link("vb0", TRUE), 1);
	ck_assert_int_eq(count_link(NULL, -1), 4);
}
END_TEST

START_TEST(test_addr_v4)
{
	mif_monitor_addr_t addr;

	start_monitor(NULL, NULL, FALSE);
	run("ip addr add 10.2.0.1/24 dev va0");
	wait_addr("10.2.0.1", TRUE);
	ck_assert(get_addr("10.2.0.1", &addr));
	ck_assert(addr.usable);
	ck_assert_int_eq(addr.prefix, 24);

	/* a lifetime update is a notification, but no change for listeners */
	run("ip addr change 10.2.0.1/24 dev va0 valid_lft 3600 preferred_lft 3600");
	barrier("lo");
	ck_assert_int_eq(count_addr("10.2.0.1", -1), 1);

	run("ip addr del 10.2.0.1/24 dev va0");
	wait_addr("10.2.0.1", FALSE);
	barrier("lo");
	ck_assert_int_eq(count_addr("10.2.0.1", TRUE), 1);
	ck_assert_int_eq(count_addr("10.2.0.1", FALSE), 1);
	ck_assert(!get_addr("10.2.0.1", &addr));
}
END_TEST

START_TEST(test_addr_v6_nodad)
{
	mif_monitor_addr_t addr;
	rec_t *r;

	start_monitor(NULL, NULL, FALSE);
	run("ip -6 addr add fd00:2::1/64 dev va0 nodad");
	wait_addr("fd00:2::1", TRUE);
	barrier("lo");
	ck_assert_int_eq(count_addr("fd00:2::1", -1), 1);
	ck_assert(get_addr("fd00:2::1", &addr));
	ck_assert(addr.usable);

	array_get(rec.events, 0, &r);
	ck_assert_str_eq(r->name, "va0");
	ck_assert_int_eq(r->ifindex, if_nametoindex("va0"));

	run("ip -6 addr del fd00:2::1/64 dev va0");
	wait_addr("fd00:2::1", FALSE);
	barrier("lo");
	ck_assert_int_eq(count_addr("fd00:2::1", FALSE), 1);
	ck_assert_int_eq(count_addr("fd00:2::1", -1), 2);
}
END_TEST

START_TEST(test_addr_v6_tentative)
{
	mif_monitor_addr_t addr;

	/* DAD does not start on a link that never had carrier (the kernel's
	 * IF_READY), so the address stays tentative until the peer comes up */
	run("ip link add vc0 type veth peer name vd0");
	fast_dad("vc0");
	run("ip link set vc0 up");
	start_monitor(NULL, NULL, FALSE);
	run("ip -6 addr add fd00:4::1/64 dev vc0");
	wait_known("fd00:4::1");
	barrier("vc0");
	ck_assert(get_addr("fd00:4::1", &addr));
	ck_assert(addr.flags & MIF_ADDR_TENTATIVE);
	ck_assert(!addr.usable);
	ck_assert_int_eq(count_addr("fd00:4::1", -1), 0);

	run("ip link set vd0 up");
	wait_addr("fd00:4::1", TRUE);
	ck_assert(get_addr("fd00:4::1", &addr));
	ck_assert(!(addr.flags & MIF_ADDR_TENTATIVE));
	ck_assert(addr.usable);
	barrier("vc0");
	ck_assert_int_eq(count_addr("fd00:4::1", -1), 1);
	/* link-local addresses completed DAD too, but have link scope */
	ck_assert_int_eq(count(FALSE, NULL, NULL, -1), 3);
}
END_TEST

START_TEST(test_addr_v6_deprecated)
{
	mif_monitor_addr_t addr;

	start_monitor(NULL, NULL, FALSE);
	run("ip -6 addr add fd00:5::1/64 dev va0 nodad preferred_lft 0");
	wait_known("fd00:5::1");
	barrier("lo");
	ck_assert_int_eq(count_addr("fd00:5::1", -1), 0);
	ck_assert(get_addr("fd00:5::1", &addr));
	ck_assert(addr.flags & MIF_ADDR_DEPRECATED);

	run("ip -6 addr change fd00:5::1/64 dev va0 nodad preferred_lft forever");
	wait_addr("fd00:5::1", TRUE);

	run("ip -6 addr change fd00:5::1/64 dev va0 nodad preferred_lft 0");
	wait_addr("fd00:5::1", FALSE);
	barrier("lo");
	ck_assert_int_eq(count_addr("fd00:5::1", TRUE), 1);
	ck_assert_int_eq(count_addr("fd00:5::1", FALSE), 1);
}
END_TEST

START_TEST(test_filter_ignore)
{
	mif_monitor_link_t link;
	int vb0 = if_nametoindex("vb0");
	rec_t *r;
	int i;

	start_monitor(NULL, "vb0, vz0", FALSE);
	ck_assert(!get_link("vb0", &link));
	ck_assert(get_link("va0", &link));

	run("ip addr add 10.3.0.1/24 dev vb0");
	run("ip -6 addr add fd00:6::1/64 dev vb0 nodad");
	run("ip link set vb0 down");
	wait_link("va0", FALSE);
	run("ip link set vb0 up");
	wait_link("va0", TRUE);
	wait_oper("va0", MIF_LINK_UP);
	barrier("va0");

	for (i = 0; i < array_count(rec.events); i++)
	{
		array_get(rec.events, i, &r);
		ck_assert_msg(r->ifindex != vb0 && !streq(r->name, "vb0"),
					  "event for filtered vb0: %s", r->addr);
	}
	ck_assert_int_eq(count_addr("10.3.0.1", -1), 0);
	ck_assert_int_eq(count_link("va0", -1), 2);
}
END_TEST

START_TEST(test_filter_use)
{
	mif_monitor_link_t link;
	rec_t *r;
	int i;

	start_monitor("va0", NULL, FALSE);
	ck_assert(get_link("va0", &link));
	ck_assert(!get_link("lo", &link));
	ck_assert(!get_link("vb0", &link));

	run("ip addr add 10.4.0.1/24 dev vb0");
	run("ip addr add 10.4.1.1/24 dev lo");
	run("ip link add vc0 type veth peer name vd0");
	run("ip addr add 10.4.2.1/24 dev va0");
	wait_addr("10.4.2.1", TRUE);
	barrier("va0");

	for (i = 0; i < array_count(rec.events); i++)
	{
		array_get(rec.events, i, &r);
		ck_assert_str_eq(r->name, "va0");
	}
	ck_assert_int_eq(array_count(rec.events), 2);
}
END_TEST

START_TEST(test_link_add_remove)
{
	mif_monitor_link_t link;
	mif_monitor_addr_t addr;
	rec_t *r;
	int i, addr_at = -1, link_at = -1;

	start_monitor(NULL, NULL, FALSE);
	run("ip link add vc0 type veth peer name vd0");
	wait_link("vc0", FALSE);
	wait_link("vd0", FALSE);
	ck_assert(get_link("vc0", &link));
	ck_assert(!link.up);
	ck_assert_str_eq(link_kind, "veth");

	run("ip link set vc0 up");
	run("ip link set vd0 up");
	run("ip addr add 10.5.0.1/24 dev vc0");
	wait_link("vc0", TRUE);
	wait_link("vd0", TRUE);
	wait_addr("10.5.0.1", TRUE);

	run("ip link del vc0");
	wait_link("vc0", FALSE);
	wait_link("vd0", FALSE);
	wait_addr("10.5.0.1", FALSE);
	barrier("lo");
	ck_assert_int_eq(count_link("vc0", FALSE), 2);
	ck_assert_int_eq(count_link("vd0", FALSE), 2);
	ck_assert_int_eq(count_link("vc0", TRUE), 1);
	ck_assert_int_eq(count_addr("10.5.0.1", FALSE), 1);
	ck_assert(!get_link("vc0", &link));
	ck_assert(!get_link("vd0", &link));

	/* the kernel takes a link down before deleting it, so the down event
	 * comes first, then the address removal; the vanishing of an already
	 * down link is no event */
	for (i = 0; i < array_count(rec.events); i++)
	{
		array_get(rec.events, i, &r);
		if (!r->link && streq(r->addr, "10.5.0.1") && !r->state)
		{
			addr_at = i;
		}
		if (r->link && streq(r->name, "vc0") && !r->state)
		{
			link_at = i;
		}
	}
	ck_assert_int_gt(addr_at, link_at);
	ck_assert(!get_addr("10.5.0.1", &addr));
}
END_TEST

START_TEST(test_rename_into_filter)
{
	mif_monitor_link_t link;

	start_monitor(NULL, "vx0", FALSE);
	run("ip addr add 10.6.0.1/24 dev va0");
	wait_addr("10.6.0.1", TRUE);
	run("ip link set va0 down");
	wait_link("va0", FALSE);
	run("ip link set va0 name vy0");
	wait_link("vy0", FALSE);
	ck_assert(get_link("vy0", &link));
	ck_assert(!get_link("va0", &link));

	run("ip link set vy0 name vx0");
	wait_addr("10.6.0.1", FALSE);
	barrier("lo");
	ck_assert(!get_link("vx0", &link));
	ck_assert_int_eq(count_link("vx0", -1), 0);
	ck_assert_int_eq(count_addr("10.6.0.1", -1), 2);
	/* removed under the name listeners know the link by */
	ck_assert_int_eq(count(FALSE, "vy0", "10.6.0.1", FALSE), 1);
}
END_TEST

START_TEST(test_listener_unregister)
{
	recorder_t once;

	recorder_init(&once);
	once.budget = 1;
	start_monitor(NULL, NULL, FALSE);
	/* returning FALSE from a hook unregisters */
	monitor->add_listener(monitor, &once.public);
	run("ip addr add 10.7.0.1/24 dev va0");
	run("ip addr add 10.7.0.2/24 dev va0");
	wait_addr("10.7.0.2", TRUE);
	barrier("va0");
	ck_assert_int_eq(array_count(once.events), 1);
	ck_assert_int_eq(count_addr(NULL, TRUE), 3);

	/* removing an unregistered listener is harmless */
	monitor->remove_listener(monitor, &once.public);
	monitor->remove_listener(monitor, &rec.public);
	run("ip addr del 10.7.0.1/24 dev va0");
	pump(100);
	ck_assert_int_eq(count_addr(NULL, FALSE), 0);
	recorder_deinit(&once);
}
END_TEST

START_TEST(test_overflow_resync)
{
	mif_monitor_addr_t addr;
	char path[] = "/tmp/mif-monitor-batch.XXXXXX";
	int fd, size = 1024, i, n = 200;
	FILE *batch;

	start_monitor(NULL, NULL, FALSE);
	run("ip addr add 10.9.255.1/24 dev va0");
	run("ip addr add 10.9.253.1/24 dev va0");
	wait_addr("10.9.253.1", TRUE);

	/* the kernel drops notifications that do not fit, which libnl reports
	 * as ENOBUFS on the next read */
	fd = monitor->get_fd(monitor);
	ck_assert(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == 0);
	fd = mkstemp(path);
	ck_assert(fd >= 0);
	batch = fdopen(fd, "w");
	ck_assert(batch);
	for (i = 0; i < n; i++)
	{
		fprintf(batch, "addr add 10.9.%d.%d/32 dev va0\n", i / 200, i % 200 + 1);
	}
	fprintf(batch, "addr del 10.9.255.1/24 dev va0\n");
	fclose(batch);
	run("ip -batch %s", path);
	unlink(path);
	fd = monitor->get_fd(monitor);
	size = 1024 * 1024;
	ck_assert(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == 0);

	wait_addr("10.9.255.1", FALSE);
	barrier("va0");
	for (i = 0; i < n; i++)
	{
		char addr[32];

		snprintf(addr, sizeof(addr), "10.9.%d.%d", i / 200, i % 200 + 1);
		ck_assert_msg(count_addr(addr, TRUE) == 1, "%s reported %d times",
					  addr, count_addr(addr, TRUE));
	}
	ck_assert_int_eq(count_addr("10.9.255.1", -1), 2);
	ck_assert_int_eq(count_addr("10.9.253.1", -1), 1);
	/* listeners and state agree after the resynchronisation */
	ck_assert(get_addr("10.9.0.200", &addr));
	ck_assert(!get_addr("10.9.255.1", &addr));
}
END_TEST

START_TEST(test_watcher)
{
	lib->processor->set_threads(lib->processor, 2);
	start_monitor(NULL, NULL, TRUE);

	run("ip addr add 10.8.0.1/24 dev va0");
	wait_addr("10.8.0.1", TRUE);
	run("ip link set va0 down");
	wait_link("va0", FALSE);
	wait_addr("10.8.0.1", TRUE);
	run("ip addr del 10.8.0.1/24 dev va0");
	wait_addr("10.8.0.1", FALSE);
	barrier("lo");
	ck_assert_int_eq(count_addr("10.8.0.1", -1), 2);
	ck_assert_int_eq(count_link("va0", FALSE), 1);

	/* destroy while the watcher is running */
	monitor->destroy(monitor);
	monitor = NULL;
}
END_TEST

START_TEST(test_settings)
{
	mif_monitor_link_t link;

	/* one thread runs the watcher, another its callbacks */
	lib->processor->set_threads(lib->processor, 2);
	watched = TRUE;

	/* without keys in the section, the lib->ns filter applies */
	lib->settings->set_str(lib->settings, "%s.interfaces_use", "va0",
						   lib->ns);
	monitor = mif_monitor_create_from_settings("test.monitor");
	ck_assert(monitor);
	ck_assert(get_link("va0", &link));
	ck_assert(!get_link("lo", &link));
	monitor->destroy(monitor);

	/* the section's own keys take precedence */
	lib->settings->set_str(lib->settings, "test.monitor.interfaces_ignore",
						   "va0");
	monitor = mif_monitor_create_from_settings("test.monitor");
	ck_assert(monitor);
	ck_assert(!get_link("va0", &link));
	ck_assert(get_link("lo", &link));
	ck_assert(get_link("vb0", &link));
	monitor->add_listener(monitor, &rec.public);
	run("ip addr add 10.10.0.1/24 dev vb0");
	run("ip addr add 10.10.0.2/24 dev va0");
	wait_addr("10.10.0.1", TRUE);
	barrier("lo");
	ck_assert_int_eq(count_addr("10.10.0.2", -1), 0);
}
END_TEST

static Suite *monitor_suite()
{
	Suite *s;
	TCase *tc;

	s = suite_create("mif_monitor");
	tc = tcase_create("netns");
	tcase_add_checked_fixture(tc, setup_netns, teardown_netns);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_snapshot);
	tcase_add_test(tc, test_link_down_up);
	tcase_add_test(tc, test_addr_v4);
	tcase_add_test(tc, test_addr_v6_nodad);
	tcase_add_test(tc, test_addr_v6_tentative);
	tcase_add_test(tc, test_addr_v6_deprecated);
	tcase_add_test(tc, test_filter_ignore);
	tcase_add_test(tc, test_filter_use);
	tcase_add_test(tc, test_link_add_remove);
	tcase_add_test(tc, test_rename_into_filter);
	tcase_add_test(tc, test_listener_unregister);
	tcase_add_test(tc, test_overflow_resync);
	suite_add_tcase(s, tc);

	tc = tcase_create("watcher");
	tcase_add_checked_fixture(tc, setup_netns, teardown_netns);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_watcher);
	tcase_add_test(tc, test_settings);
	suite_add_tcase(s, tc);
	return s;
}

/**
 * Network namespaces need CAP_SYS_ADMIN; probe in a child so the test
 * process itself stays in its namespace.
 */
static bool netns_permitted()
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid == 0)
	{
		_exit(unshare(CLONE_NEWNET) == 0 &&
			  system("ip link add mifprobe0 type veth peer name mifprobe1 "
					 ">/dev/null 2>&1") == 0 ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
		   WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char *argv[])
{
	SRunner *sr;
	int failed;

	if (!netns_permitted())
	{
		fprintf(stderr, "SKIP: mif_monitor tests need to create a network "
				"namespace with veth links (root, CAP_SYS_ADMIN, ip(8))\n");
		return 77;
	}
	sr = srunner_create(monitor_suite());
	/* every test needs its own process for its own network namespace */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
