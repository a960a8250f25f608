/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_path_event mif_path_event
 * @{ @ingroup mif
 *
 * Path events the path manager publishes (mifctl monitor): a path added,
 * its return routability proven, active, dead or removed, and the traffic
 * moved to another set of paths. Events and their listener interface only,
 * and the one way an event is written as a line of text or JSON.
 */

#ifndef MIF_PATH_EVENT_H_
#define MIF_PATH_EVENT_H_

#include <library.h>
#include <networking/host.h>

typedef enum mif_path_event_type_t mif_path_event_type_t;
typedef struct mif_path_event_t mif_path_event_t;
typedef struct mif_path_event_listener_t mif_path_event_listener_t;

/**
 * What happened to a path (doc/protocol.md 8).
 */
enum mif_path_event_type_t {
	/** announced by us (ANNOUNCED) or the peer (CHECKING) */
	MIF_PATH_EVENT_ADDED,
	/** return routability proven (CHILD) */
	MIF_PATH_EVENT_PROVEN,
	/** carrying traffic (ACTIVE), also when alive again */
	MIF_PATH_EVENT_ACTIVE,
	/** no longer carrying traffic (DEAD) */
	MIF_PATH_EVENT_DEAD,
	/** released, whatever ended it */
	MIF_PATH_EVENT_REMOVED,
	/** the inner traffic is routed over another set of paths */
	MIF_PATH_EVENT_MOVED,
};

/**
 * Names of the events as the monitor prints them ("added", ...).
 */
extern enum_name_t *mif_path_event_names;

/**
 * One event; the pointers are valid during the listener call only.
 */
struct mif_path_event_t {
	/** what happened */
	mif_path_event_type_t type;
	/** when (wall clock) */
	struct timeval time;
	/** name of the IKE SA's config */
	const char *ike_name;
	/** unique id of the IKE SA */
	uint32_t ike_id;
	/** binding ID of the path, 0 for MIF_PATH_EVENT_MOVED */
	uint16_t bid;
	/** the path's addresses, NULL for MIF_PATH_EVENT_MOVED */
	host_t *local, *remote;
	/** the path's interface name (the announcing side's), or "" */
	const char *ifname;
	/** why, a short token ("child-sa-up", "no-probe-reply"), or NULL */
	const char *reason;
	/** MIF_PATH_EVENT_MOVED: the BIDs the traffic is routed over now (none: the
	 * IKE SA's own CHILD SA carries it) */
	const uint16_t *bids;
	/** number of bids */
	u_int count;
};

/**
 * Receives the path manager's events.
 */
struct mif_path_event_listener_t {

	/**
	 * An event happened.
	 *
	 * Called with the path manager's lock held, from whatever thread
	 * changed the path: must not block nor call back into the manager.
	 *
	 * @param event		the event
	 */
	void (*event)(mif_path_event_listener_t *this, mif_path_event_t *event);
};

/**
 * Write an event as one line, ending in a newline:
 *
 * text: "TIME IKE_SA[ID] bid BID EVENT LOCAL === REMOTE dev IFNAME reason R"
 *       "TIME IKE_SA[ID] moved bids B1,B2"
 * json: {"time":..,"ike_sa":..,"ike_id":..,"bid":..,"event":..,"local":..,
 *       "remote":..,"interface":..,"reason":..} or for moved
 *       {"time":..,"ike_sa":..,"ike_id":..,"event":"moved","bids":[..]}
 *
 * with TIME in UTC, ISO 8601 with milliseconds.
 *
 * @param event		event
 * @param json		JSON instead of text
 * @param buf		buffer for the line, truncated lines still end in \n
 * @param len		size of buf, at least 2
 */
void mif_path_event_format(mif_path_event_t *event, bool json, char *buf,
						   size_t len);

/**
 * Write a JSON string, escaping quotes and backslashes and replacing
 * unprintable characters.
 *
 * @param str		string
 * @param buf		buffer
 * @param len		size of buf
 * @return			characters written (without the NUL), truncated to len
 */
size_t mif_path_event_json_str(const char *str, char *buf, size_t len);

#endif /** MIF_PATH_EVENT_H_ @}*/
