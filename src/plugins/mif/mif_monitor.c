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

#include "mif_monitor.h"

#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>
#include <netlink/route/addr.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <errno.h>

#include <utils/debug.h>
#include <threading/mutex.h>
#include <collections/array.h>
#include <collections/linked_list.h>
#include <processing/watcher.h>

/**
 * Log at a level chosen at runtime: the initial snapshot is logged at level
 * 2, real changes at level 1.
 */
#define DBG_LEVEL(level, group, fmt, ...) dbg(group, level, fmt, ##__VA_ARGS__)

ENUM(mif_link_oper_names, MIF_LINK_UNKNOWN, MIF_LINK_UP,
	"unknown",
	"notpresent",
	"down",
	"lowerlayerdown",
	"testing",
	"dormant",
	"up",
);

typedef struct private_mif_monitor_t private_mif_monitor_t;

/**
 * Private data of a mif_monitor_t object.
 */
struct private_mif_monitor_t {

	/**
	 * Public interface.
	 */
	mif_monitor_t public;

	/**
	 * libnl cache manager owning the notification socket and both caches
	 */
	struct nl_cache_mngr *mngr;

	/**
	 * route/link cache, owned by mngr
	 */
	struct nl_cache *link_cache;

	/**
	 * route/addr cache, owned by mngr
	 */
	struct nl_cache *addr_cache;

	/**
	 * Links as last seen, link_entry_t
	 */
	linked_list_t *links;

	/**
	 * Addresses as last seen, addr_entry_t
	 */
	linked_list_t *addrs;

	/**
	 * Events collected while parsing, delivered after unlocking, event_t*
	 */
	array_t *pending;

	/**
	 * Protects libnl objects, links, addrs and pending
	 */
	mutex_t *mutex;

	/**
	 * Serialises process() so events are delivered in kernel order
	 */
	mutex_t *process_lock;

	/**
	 * Protects listeners; recursive so callbacks may (un)register
	 */
	mutex_t *listener_lock;

	/**
	 * Registered listeners, mif_monitor_listener_t*
	 */
	linked_list_t *listeners;

	/**
	 * Interface names to include or exclude (char*), NULL for no filter
	 */
	linked_list_t *filter;

	/**
	 * TRUE if names in filter are excluded, FALSE if only those are used
	 */
	bool exclude;

	/**
	 * TRUE while taking the initial snapshot, which produces no events
	 */
	bool quiet;

	/**
	 * TRUE if the socket is registered with lib->watcher
	 */
	bool watching;
};

/**
 * Known link and what listeners have been told about it.
 */
typedef struct {
	int ifindex;
	char *name;
	char *kind;
	uint8_t oper;
	bool carrier;
	u_int flags;
	/** marker for resynchronisation */
	bool seen;
	/** listeners know this link */
	bool reported;
	/** up state last reported */
	bool reported_up;
	/** name last reported */
	char *reported_name;
} link_entry_t;

/**
 * Known address and whether listeners have been told about it.
 */
typedef struct {
	int ifindex;
	host_t *host;
	uint8_t prefix;
	uint8_t scope;
	u_int kflags;
	/** marker for resynchronisation */
	bool seen;
	/** listeners know this address as added */
	bool reported;
} addr_entry_t;

/**
 * Queued event.
 */
typedef struct {
	int ifindex;
	char *name;
	/** NULL for link events */
	host_t *host;
	/** up for links, added for addresses */
	bool state;
} event_t;

static void link_entry_destroy(link_entry_t *this)
{
	free(this->name);
	free(this->kind);
	free(this->reported_name);
	free(this);
}

static void addr_entry_destroy(addr_entry_t *this)
{
	this->host->destroy(this->host);
	free(this);
}

static void event_destroy(event_t *this)
{
	DESTROY_IF(this->host);
	free(this->name);
	free(this);
}

/**
 * Check the interface filter, interfaces_use/interfaces_ignore semantics
 */
static bool name_usable(private_mif_monitor_t *this, char *name)
{
	if (!this->filter)
	{
		return TRUE;
	}
	return this->filter->find_first(this->filter, linked_list_match_str,
									NULL, name) != this->exclude;
}

/**
 * Whether a link can carry traffic; some drivers never report an
 * operational state, for them carrier is all we have.
 */
static bool link_is_up(link_entry_t *link)
{
	if (!(link->flags & IFF_UP))
	{
		return FALSE;
	}
	switch (link->oper)
	{
		case IF_OPER_UP:
			return TRUE;
		case IF_OPER_UNKNOWN:
			return (link->flags & IFF_LOWER_UP) != 0;
		default:
			return FALSE;
	}
}

static bool addr_usable(addr_entry_t *addr)
{
	return !(addr->kflags & (IFA_F_TENTATIVE | IFA_F_DEPRECATED |
							 IFA_F_DADFAILED)) &&
			addr->scope < RT_SCOPE_LINK;
}

static mif_addr_flags_t convert_flags(addr_entry_t *addr)
{
	mif_addr_flags_t flags = 0;
	bool v6 = addr->host->get_family(addr->host) == AF_INET6;

	if (addr->kflags & IFA_F_TENTATIVE)
	{
		flags |= MIF_ADDR_TENTATIVE;
	}
	if (addr->kflags & IFA_F_DEPRECATED)
	{
		flags |= MIF_ADDR_DEPRECATED;
	}
	if (addr->kflags & IFA_F_DADFAILED)
	{
		flags |= MIF_ADDR_DADFAILED;
	}
	if (addr->kflags & IFA_F_PERMANENT)
	{
		flags |= MIF_ADDR_PERMANENT;
	}
	if (addr->kflags & IFA_F_HOMEADDRESS)
	{
		flags |= MIF_ADDR_HOME;
	}
	/* the kernel uses the same bit for both */
	if (addr->kflags & IFA_F_SECONDARY)
	{
		flags |= v6 ? MIF_ADDR_TEMPORARY : MIF_ADDR_SECONDARY;
	}
	return flags;
}

static void queue_event(private_mif_monitor_t *this, int ifindex, char *name,
						host_t *host, bool state)
{
	event_t *event;

	if (this->quiet)
	{
		return;
	}
	INIT(event,
		.ifindex = ifindex,
		.name = strdup(name),
		.host = host ? host->clone(host) : NULL,
		.state = state,
	);
	array_insert(this->pending, ARRAY_TAIL, event);
}

static bool match_link(link_entry_t *link, va_list args)
{
	int ifindex;

	VA_ARGS_VGET(args, ifindex);
	return link->ifindex == ifindex;
}

static link_entry_t *find_link(private_mif_monitor_t *this, int ifindex)
{
	link_entry_t *link;

	if (this->links->find_first(this->links, (void*)match_link,
								(void**)&link, ifindex))
	{
		return link;
	}
	return NULL;
}

/**
 * Compare what listeners know about an address with its current state and
 * queue the difference. exists is FALSE if the address is about to vanish.
 */
static void sync_addr(private_mif_monitor_t *this, addr_entry_t *addr,
					  bool exists)
{
	link_entry_t *link;
	char *name;
	bool want;
	int level = this->quiet ? 2 : 1;

	link = find_link(this, addr->ifindex);
	want = exists && link && link->reported && addr_usable(addr);

	if (want && !addr->reported)
	{
		DBG_LEVEL(level, DBG_KNL, "mif monitor: address %H/%u added on %s",
			addr->host, addr->prefix, link->name);
		queue_event(this, addr->ifindex, link->name, addr->host, TRUE);
	}
	else if (!want && addr->reported)
	{
		/* use the name listeners know, the link may have been renamed */
		name = link ? (link->reported_name ?: link->name) : "?";
		DBG_LEVEL(level, DBG_KNL, "mif monitor: address %H/%u removed from %s",
			addr->host, addr->prefix, name);
		queue_event(this, addr->ifindex, name, addr->host, FALSE);
	}
	addr->reported = want;
}

/**
 * Re-evaluate all addresses of a link, e.g. after it got (un)filtered
 */
static void sync_link_addrs(private_mif_monitor_t *this, int ifindex,
							bool exists)
{
	enumerator_t *enumerator;
	addr_entry_t *addr;

	enumerator = this->addrs->create_enumerator(this->addrs);
	while (enumerator->enumerate(enumerator, &addr))
	{
		if (addr->ifindex == ifindex)
		{
			sync_addr(this, addr, exists);
			if (!exists)
			{
				this->addrs->remove_at(this->addrs, enumerator);
				addr_entry_destroy(addr);
			}
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Compare what listeners know about a link with its current state and
 * queue the difference. Addresses must be unreported before the link is,
 * and reported after it, so a consumer never sees an address on a link
 * it does not know.
 */
static void sync_link(private_mif_monitor_t *this, link_entry_t *link,
					  bool exists)
{
	bool want, up;
	int level = this->quiet ? 2 : 1;

	want = exists && name_usable(this, link->name);
	up = want && link_is_up(link);

	if (!want)
	{
		if (link->reported)
		{
			link->reported = FALSE;
			sync_link_addrs(this, link->ifindex, exists);
			DBG_LEVEL(link->reported_up ? level : 2, DBG_KNL, "mif monitor: "
				"interface %s (%d) %s while %s", link->reported_name,
				link->ifindex, exists ? "got filtered" : "disappeared",
				link->reported_up ? "up" : "down");
			if (link->reported_up)
			{
				queue_event(this, link->ifindex, link->reported_name, NULL,
							FALSE);
			}
		}
		else
		{
			sync_link_addrs(this, link->ifindex, exists);
			DBG3(DBG_KNL, "mif monitor: ignoring filtered interface %s (%d)",
				 link->name, link->ifindex);
		}
		free(link->reported_name);
		link->reported_name = NULL;
		link->reported_up = FALSE;
		return;
	}

	if (!link->reported)
	{
		DBG_LEVEL(level, DBG_KNL, "mif monitor: interface %s (%d) appeared, %s "
			"(%N%s%s%s)", link->name, link->ifindex, up ? "up" : "down",
			mif_link_oper_names, link->oper, link->carrier ? ", carrier" : "",
			link->kind ? ", " : "", link->kind ?: "");
		queue_event(this, link->ifindex, link->name, NULL, up);
	}
	else if (up != link->reported_up)
	{
		DBG1(DBG_KNL, "mif monitor: interface %s (%d) went %s (%N%s)",
			 link->name, link->ifindex, up ? "up" : "down",
			 mif_link_oper_names, link->oper,
			 link->carrier ? ", carrier" : ", no carrier");
		queue_event(this, link->ifindex, link->name, NULL, up);
	}
	else if (!streq(link->name, link->reported_name))
	{
		DBG1(DBG_KNL, "mif monitor: interface %s (%d) renamed to %s",
			 link->reported_name, link->ifindex, link->name);
		queue_event(this, link->ifindex, link->name, NULL, up);
	}
	else
	{
		DBG3(DBG_KNL, "mif monitor: interface %s (%d) still %s (%N)",
			 link->name, link->ifindex, up ? "up" : "down",
			 mif_link_oper_names, link->oper);
	}
	link->reported = TRUE;
	link->reported_up = up;
	free(link->reported_name);
	link->reported_name = strdup(link->name);
	sync_link_addrs(this, link->ifindex, TRUE);
}

static void update_link(private_mif_monitor_t *this, struct rtnl_link *obj,
						bool deleted)
{
	link_entry_t *link;
	char *name, *kind;
	int ifindex;

	ifindex = rtnl_link_get_ifindex(obj);
	name = rtnl_link_get_name(obj);
	if (ifindex <= 0 || !name)
	{
		DBG2(DBG_KNL, "mif monitor: ignoring link without index or name");
		return;
	}
	link = find_link(this, ifindex);
	if (deleted)
	{
		if (link)
		{
			sync_link(this, link, FALSE);
			this->links->remove(this->links, link, NULL);
			link_entry_destroy(link);
		}
		return;
	}
	if (!link)
	{
		INIT(link,
			.ifindex = ifindex,
		);
		this->links->insert_last(this->links, link);
	}
	if (!link->name || !streq(link->name, name))
	{
		free(link->name);
		link->name = strdup(name);
	}
	kind = rtnl_link_get_type(obj);
	free(link->kind);
	link->kind = kind ? strdup(kind) : NULL;
	link->oper = rtnl_link_get_operstate(obj);
	link->flags = rtnl_link_get_flags(obj);
	/* libnl does not report changes of IFLA_CARRIER alone, but the kernel
	 * mirrors it in IFF_LOWER_UP, which it compares */
	link->carrier = (link->flags & IFF_LOWER_UP) != 0;
	link->seen = TRUE;
	sync_link(this, link, TRUE);
}

static bool match_addr(addr_entry_t *addr, va_list args)
{
	host_t *host;
	int ifindex, prefix;

	VA_ARGS_VGET(args, ifindex, host, prefix);
	return addr->ifindex == ifindex && addr->prefix == prefix &&
		   addr->host->ip_equals(addr->host, host);
}

static void update_addr(private_mif_monitor_t *this, struct rtnl_addr *obj,
						bool deleted)
{
	addr_entry_t *addr;
	struct nl_addr *local;
	host_t *host;
	int ifindex, family, prefix;
	u_int kflags;
	bool changed;

	ifindex = rtnl_addr_get_ifindex(obj);
	family = rtnl_addr_get_family(obj);
	local = rtnl_addr_get_local(obj);
	prefix = rtnl_addr_get_prefixlen(obj);
	if (!local || (family != AF_INET && family != AF_INET6))
	{
		return;
	}
	host = host_create_from_chunk(family,
						chunk_create(nl_addr_get_binary_addr(local),
									 nl_addr_get_len(local)), 0);
	if (!host)
	{
		DBG1(DBG_KNL, "mif monitor: ignoring malformed address on "
			 "interface %d", ifindex);
		return;
	}
	if (this->addrs->find_first(this->addrs, (void*)match_addr,
								(void**)&addr, ifindex, host, prefix))
	{
		host->destroy(host);
	}
	else if (deleted)
	{
		host->destroy(host);
		return;
	}
	else
	{
		INIT(addr,
			.ifindex = ifindex,
			.host = host,
			.prefix = prefix,
		);
		this->addrs->insert_last(this->addrs, addr);
	}
	if (deleted)
	{
		sync_addr(this, addr, FALSE);
		this->addrs->remove(this->addrs, addr, NULL);
		addr_entry_destroy(addr);
		return;
	}
	kflags = rtnl_addr_get_flags(obj);
	changed = !addr->seen || kflags != addr->kflags;
	addr->kflags = kflags;
	addr->scope = rtnl_addr_get_scope(obj);
	addr->seen = TRUE;
	if (changed && !addr_usable(addr) && addr->scope < RT_SCOPE_LINK)
	{
		DBG2(DBG_KNL, "mif monitor: ignoring %s%s%saddress %H on interface %d "
			 "until usable",
			 kflags & IFA_F_TENTATIVE ? "tentative " : "",
			 kflags & IFA_F_DEPRECATED ? "deprecated " : "",
			 kflags & IFA_F_DADFAILED ? "duplicate " : "",
			 addr->host, addr->ifindex);
	}
	sync_addr(this, addr, TRUE);
}

/**
 * libnl change callback for both caches
 */
static void change_cb(struct nl_cache *cache, struct nl_object *obj,
					  int action, void *data)
{
	private_mif_monitor_t *this = data;
	bool deleted = action == NL_ACT_DEL;

	if (cache == this->link_cache)
	{
		update_link(this, (struct rtnl_link*)obj, deleted);
	}
	else if (cache == this->addr_cache)
	{
		update_addr(this, (struct rtnl_addr*)obj, deleted);
	}
}

static void foreach_link(struct nl_object *obj, void *data)
{
	update_link(data, (struct rtnl_link*)obj, FALSE);
}

static void foreach_addr(struct nl_object *obj, void *data)
{
	update_addr(data, (struct rtnl_addr*)obj, FALSE);
}

/**
 * Rebuild our view from the libnl caches, queuing events for every
 * difference. Used for the initial snapshot and after lost notifications.
 */
static bool resync(private_mif_monitor_t *this, bool refill)
{
	enumerator_t *enumerator;
	link_entry_t *link;
	addr_entry_t *addr;
	struct nl_sock *sock;
	int err;

	if (refill)
	{
		sock = nl_socket_alloc();
		if (!sock)
		{
			return FALSE;
		}
		err = nl_connect(sock, NETLINK_ROUTE);
		if (!err)
		{
			err = nl_cache_refill(sock, this->link_cache);
		}
		if (!err)
		{
			err = nl_cache_refill(sock, this->addr_cache);
		}
		nl_socket_free(sock);
		if (err)
		{
			DBG1(DBG_KNL, "mif monitor: resynchronisation failed: %s",
				 nl_geterror(err));
			return FALSE;
		}
	}

	enumerator = this->links->create_enumerator(this->links);
	while (enumerator->enumerate(enumerator, &link))
	{
		link->seen = FALSE;
	}
	enumerator->destroy(enumerator);
	enumerator = this->addrs->create_enumerator(this->addrs);
	while (enumerator->enumerate(enumerator, &addr))
	{
		addr->seen = FALSE;
	}
	enumerator->destroy(enumerator);

	nl_cache_foreach(this->link_cache, foreach_link, this);
	nl_cache_foreach(this->addr_cache, foreach_addr, this);

	enumerator = this->addrs->create_enumerator(this->addrs);
	while (enumerator->enumerate(enumerator, &addr))
	{
		if (!addr->seen)
		{
			sync_addr(this, addr, FALSE);
			this->addrs->remove_at(this->addrs, enumerator);
			addr_entry_destroy(addr);
		}
	}
	enumerator->destroy(enumerator);
	enumerator = this->links->create_enumerator(this->links);
	while (enumerator->enumerate(enumerator, &link))
	{
		if (!link->seen)
		{
			sync_link(this, link, FALSE);
			this->links->remove_at(this->links, enumerator);
			link_entry_destroy(link);
		}
	}
	enumerator->destroy(enumerator);
	return TRUE;
}

/**
 * Discard queued notifications before a re-dump: they are older than the
 * dump and would otherwise roll the caches back.
 */
static void drain(private_mif_monitor_t *this)
{
	char buf[4096];
	int fd, dropped = 0;
	ssize_t len;

	fd = nl_cache_mngr_get_fd(this->mngr);
	while (TRUE)
	{
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (len < 0 && errno == ENOBUFS)
		{
			continue;
		}
		if (len <= 0)
		{
			break;
		}
		dropped++;
	}
	DBG2(DBG_KNL, "mif monitor: discarded %d stale netlink messages", dropped);
}

static bool is_registered(private_mif_monitor_t *this,
						  mif_monitor_listener_t *listener)
{
	return this->listeners->find_first(this->listeners, NULL,
									   (void**)&listener);
}

static void deliver(private_mif_monitor_t *this, array_t *events)
{
	mif_monitor_listener_t *listener;
	enumerator_t *enumerator;
	array_t *listeners;
	event_t *event;
	bool keep;
	int i;

	this->listener_lock->lock(this->listener_lock);
	while (array_remove(events, ARRAY_HEAD, &event))
	{
		/* iterate a copy, callbacks may change the list */
		listeners = array_create(0, 0);
		enumerator = this->listeners->create_enumerator(this->listeners);
		while (enumerator->enumerate(enumerator, &listener))
		{
			array_insert(listeners, ARRAY_TAIL, listener);
		}
		enumerator->destroy(enumerator);

		for (i = 0; i < array_count(listeners); i++)
		{
			array_get(listeners, i, &listener);
			if (!is_registered(this, listener))
			{
				continue;
			}
			keep = TRUE;
			if (event->host && listener->address)
			{
				keep = listener->address(listener, event->ifindex, event->name,
										 event->host, event->state);
			}
			else if (!event->host && listener->link)
			{
				keep = listener->link(listener, event->ifindex, event->name,
									  event->state);
			}
			if (!keep)
			{
				this->listeners->remove(this->listeners, listener, NULL);
			}
		}
		array_destroy(listeners);
		event_destroy(event);
	}
	this->listener_lock->unlock(this->listener_lock);
}

METHOD(mif_monitor_t, process, bool,
	private_mif_monitor_t *this)
{
	array_t *events;
	bool ok = TRUE;
	int err;

	this->process_lock->lock(this->process_lock);
	this->mutex->lock(this->mutex);
	err = nl_cache_mngr_data_ready(this->mngr);
	if (err == -NLE_NOMEM)
	{
		/* libnl maps ENOBUFS to this: the kernel dropped notifications */
		DBG1(DBG_KNL, "mif monitor: netlink notifications lost, "
			 "resynchronising");
		drain(this);
		ok = resync(this, TRUE);
	}
	else if (err < 0)
	{
		DBG1(DBG_KNL, "mif monitor: receiving netlink notifications "
			 "failed: %s", nl_geterror(err));
		ok = FALSE;
	}
	events = this->pending;
	this->pending = array_create(0, 0);
	this->mutex->unlock(this->mutex);

	deliver(this, events);
	array_destroy(events);
	this->process_lock->unlock(this->process_lock);
	return ok;
}

CALLBACK(watch_cb, bool,
	private_mif_monitor_t *this, int fd, watcher_event_t event)
{
	return process(this);
}

METHOD(mif_monitor_t, get_fd, int,
	private_mif_monitor_t *this)
{
	return nl_cache_mngr_get_fd(this->mngr);
}

METHOD(mif_monitor_t, add_listener, void,
	private_mif_monitor_t *this, mif_monitor_listener_t *listener)
{
	this->listener_lock->lock(this->listener_lock);
	this->listeners->insert_last(this->listeners, listener);
	this->listener_lock->unlock(this->listener_lock);
}

METHOD(mif_monitor_t, remove_listener, void,
	private_mif_monitor_t *this, mif_monitor_listener_t *listener)
{
	this->listener_lock->lock(this->listener_lock);
	this->listeners->remove(this->listeners, listener, NULL);
	this->listener_lock->unlock(this->listener_lock);
}

static void link_snapshot_destroy(mif_monitor_link_t *this)
{
	free(this->name);
	free(this->kind);
	free(this);
}

static void addr_snapshot_destroy(mif_monitor_addr_t *this)
{
	this->host->destroy(this->host);
	free(this->name);
	free(this);
}

CALLBACK(destroy_link_snapshots, void,
	array_t *snapshots)
{
	array_destroy_function(snapshots, (void*)link_snapshot_destroy, NULL);
}

CALLBACK(destroy_addr_snapshots, void,
	array_t *snapshots)
{
	array_destroy_function(snapshots, (void*)addr_snapshot_destroy, NULL);
}

METHOD(mif_monitor_t, create_link_enumerator, enumerator_t*,
	private_mif_monitor_t *this)
{
	enumerator_t *enumerator;
	mif_monitor_link_t *snapshot;
	link_entry_t *link;
	array_t *snapshots;

	snapshots = array_create(0, 0);
	this->mutex->lock(this->mutex);
	enumerator = this->links->create_enumerator(this->links);
	while (enumerator->enumerate(enumerator, &link))
	{
		if (!link->reported)
		{
			continue;
		}
		INIT(snapshot,
			.ifindex = link->ifindex,
			.name = strdup(link->name),
			.kind = strdupnull(link->kind),
			.oper = link->oper,
			.carrier = link->carrier,
			.flags = link->flags,
			.up = link->reported_up,
		);
		array_insert(snapshots, ARRAY_TAIL, snapshot);
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);

	return enumerator_create_cleaner(array_create_enumerator(snapshots),
									 destroy_link_snapshots, snapshots);
}

METHOD(mif_monitor_t, create_address_enumerator, enumerator_t*,
	private_mif_monitor_t *this)
{
	enumerator_t *enumerator;
	mif_monitor_addr_t *snapshot;
	addr_entry_t *addr;
	link_entry_t *link;
	array_t *snapshots;

	snapshots = array_create(0, 0);
	this->mutex->lock(this->mutex);
	enumerator = this->addrs->create_enumerator(this->addrs);
	while (enumerator->enumerate(enumerator, &addr))
	{
		link = find_link(this, addr->ifindex);
		if (!link || !link->reported)
		{
			continue;
		}
		INIT(snapshot,
			.ifindex = addr->ifindex,
			.name = strdup(link->name),
			.host = addr->host->clone(addr->host),
			.prefix = addr->prefix,
			.scope = addr->scope,
			.flags = convert_flags(addr),
			.usable = addr->reported,
		);
		array_insert(snapshots, ARRAY_TAIL, snapshot);
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);

	return enumerator_create_cleaner(array_create_enumerator(snapshots),
									 destroy_addr_snapshots, snapshots);
}

METHOD(mif_monitor_t, destroy, void,
	private_mif_monitor_t *this)
{
	if (this->watching)
	{
		/* blocks until a running callback returned */
		lib->watcher->remove(lib->watcher, get_fd(this));
	}
	if (this->mngr)
	{
		nl_cache_mngr_free(this->mngr);
	}
	this->links->destroy_function(this->links, (void*)link_entry_destroy);
	this->addrs->destroy_function(this->addrs, (void*)addr_entry_destroy);
	array_destroy_function(this->pending, (void*)event_destroy, NULL);
	DESTROY_FUNCTION_IF(this->filter, (void*)free);
	this->listeners->destroy(this->listeners);
	this->mutex->destroy(this->mutex);
	this->process_lock->destroy(this->process_lock);
	this->listener_lock->destroy(this->listener_lock);
	free(this);
}

static linked_list_t *parse_filter(const char *names)
{
	enumerator_t *enumerator;
	linked_list_t *list;
	char *name;

	list = linked_list_create();
	enumerator = enumerator_create_token(names, ",", " ");
	while (enumerator->enumerate(enumerator, &name))
	{
		list->insert_last(list, strdup(name));
	}
	enumerator->destroy(enumerator);
	return list;
}

/*
 * Described in header
 */
mif_monitor_t *mif_monitor_create(const char *use, const char *ignore,
								  bool watch)
{
	private_mif_monitor_t *this;
	int err;

	INIT(this,
		.public = {
			.add_listener = _add_listener,
			.remove_listener = _remove_listener,
			.create_link_enumerator = _create_link_enumerator,
			.create_address_enumerator = _create_address_enumerator,
			.get_fd = _get_fd,
			.process = _process,
			.destroy = _destroy,
		},
		.links = linked_list_create(),
		.addrs = linked_list_create(),
		.pending = array_create(0, 0),
		.listeners = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.process_lock = mutex_create(MUTEX_TYPE_DEFAULT),
		.listener_lock = mutex_create(MUTEX_TYPE_RECURSIVE),
		.quiet = TRUE,
	);

	if (use)
	{
		this->filter = parse_filter(use);
	}
	else if (ignore)
	{
		this->filter = parse_filter(ignore);
		this->exclude = TRUE;
	}

	/* no NL_AUTO_PROVIDE: other libnl users in charon must not pick up
	 * caches we update from a watcher thread */
	err = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, 0, &this->mngr);
	if (!err)
	{
		err = nl_cache_mngr_add(this->mngr, "route/link", change_cb, this,
								&this->link_cache);
	}
	if (!err)
	{
		err = nl_cache_mngr_add(this->mngr, "route/addr", change_cb, this,
								&this->addr_cache);
	}
	if (err)
	{
		DBG1(DBG_KNL, "mif monitor: creating libnl cache manager failed: %s",
			 nl_geterror(err));
		destroy(this);
		return NULL;
	}

	/* the caches are filled but libnl does not report the initial dump */
	resync(this, FALSE);
	array_destroy_function(this->pending, (void*)event_destroy, NULL);
	this->pending = array_create(0, 0);
	this->quiet = FALSE;

	DBG2(DBG_KNL, "mif monitor: tracking %d links and %d addresses%s",
		 this->links->get_count(this->links),
		 this->addrs->get_count(this->addrs),
		 this->filter ? (this->exclude ? ", ignoring some interfaces"
									   : ", using listed interfaces only")
					  : "");
	if (watch)
	{
		this->watching = TRUE;
		lib->watcher->add(lib->watcher, get_fd(this), WATCHER_READ,
						  watch_cb, this);
	}
	return &this->public;
}

/*
 * Described in header
 */
mif_monitor_t *mif_monitor_create_from_settings(const char *section)
{
	char use_key[256], ignore_key[256], *use, *ignore;

	/* settings take a "%s" argument as a single key segment, the dots of a
	 * section path must be part of the format */
	snprintf(use_key, sizeof(use_key), "%s.interfaces_use", section);
	snprintf(ignore_key, sizeof(ignore_key), "%s.interfaces_ignore", section);
	use = lib->settings->get_str(lib->settings, use_key, NULL);
	ignore = lib->settings->get_str(lib->settings, ignore_key, NULL);
	if (!use && !ignore)
	{
		use = lib->settings->get_str(lib->settings, "%s.interfaces_use", NULL,
									 lib->ns);
		ignore = lib->settings->get_str(lib->settings,
										"%s.interfaces_ignore", NULL, lib->ns);
	}
	DBG2(DBG_KNL, "mif monitor: interfaces_use '%s', interfaces_ignore '%s' "
		 "(%s)", use ?: "", ignore ?: "", section);
	return mif_monitor_create(use, ignore, TRUE);
}
