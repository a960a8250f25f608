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

/**
 * @defgroup mif_monitor mif_monitor
 * @{ @ingroup libmif
 *
 * Interface monitor: turns RTNETLINK link and address notifications,
 * received through a libnl-3 cache manager, into de-duplicated events.
 */

#ifndef MIF_MONITOR_H_
#define MIF_MONITOR_H_

typedef struct mif_monitor_t mif_monitor_t;
typedef struct mif_monitor_listener_t mif_monitor_listener_t;
typedef struct mif_monitor_link_t mif_monitor_link_t;
typedef struct mif_monitor_addr_t mif_monitor_addr_t;
typedef enum mif_link_oper_t mif_link_oper_t;
typedef enum mif_addr_flags_t mif_addr_flags_t;

#include <library.h>
#include <networking/host.h>
#include <collections/enumerator.h>

/**
 * Operational state of a link (RFC 2863, same values as IF_OPER_*).
 */
enum mif_link_oper_t {
	MIF_LINK_UNKNOWN = 0,
	MIF_LINK_NOTPRESENT = 1,
	MIF_LINK_DOWN = 2,
	MIF_LINK_LOWER_DOWN = 3,
	MIF_LINK_TESTING = 4,
	MIF_LINK_DORMANT = 5,
	MIF_LINK_UP = 6,
};

/**
 * enum names for mif_link_oper_t.
 */
extern enum_name_t *mif_link_oper_names;

/**
 * Address flags, a kernel-independent subset of IFA_F_*.
 */
enum mif_addr_flags_t {
	/** duplicate address detection has not completed yet */
	MIF_ADDR_TENTATIVE = (1<<0),
	/** preferred lifetime expired, must not be used for new sessions */
	MIF_ADDR_DEPRECATED = (1<<1),
	/** IPv6 privacy (RFC 8981) address */
	MIF_ADDR_TEMPORARY = (1<<2),
	/** duplicate address detection failed */
	MIF_ADDR_DADFAILED = (1<<3),
	/** configured statically, not by autoconfiguration */
	MIF_ADDR_PERMANENT = (1<<4),
	/** IPv4 secondary address */
	MIF_ADDR_SECONDARY = (1<<5),
	/** IPv6 home address (RFC 6275) */
	MIF_ADDR_HOME = (1<<6),
};

/**
 * Snapshot of one link, as returned by create_link_enumerator().
 */
struct mif_monitor_link_t {
	/** interface index */
	int ifindex;
	/** interface name */
	char *name;
	/** link kind such as "veth", "vlan", NULL for plain devices */
	char *kind;
	/** operational state */
	mif_link_oper_t oper;
	/** TRUE if the lower layer signals carrier */
	bool carrier;
	/** IFF_* flags */
	u_int flags;
	/** TRUE if the link is administratively and operationally up */
	bool up;
};

/**
 * Snapshot of one address, as returned by create_address_enumerator().
 */
struct mif_monitor_addr_t {
	/** interface index the address is assigned to */
	int ifindex;
	/** interface name */
	char *name;
	/** the address (port 0) */
	host_t *host;
	/** prefix length */
	uint8_t prefix;
	/** address scope (RT_SCOPE_*) */
	uint8_t scope;
	/** flags */
	mif_addr_flags_t flags;
	/** TRUE if usable (and therefore reported to listeners) */
	bool usable;
};

/**
 * Receiver of interface monitor events.
 *
 * All hooks are optional. Events reflect changes only: a listener sees each
 * state transition exactly once.
 */
struct mif_monitor_listener_t {

	/**
	 * A link appeared, disappeared or changed its up state or name.
	 *
	 * A new link is reported with its current state, a link that goes away
	 * while up is reported with up = FALSE. A link that was already down
	 * when it vanishes produces no event.
	 *
	 * @param ifindex		interface index
	 * @param name			interface name
	 * @param up			TRUE if administratively and operationally up
	 * @return				TRUE to remain registered, FALSE to unregister
	 */
	bool (*link)(mif_monitor_listener_t *this, int ifindex, char *name,
				 bool up);

	/**
	 * A usable address appeared or stopped being usable.
	 *
	 * Tentative, deprecated and DAD-failed addresses and addresses with
	 * link or host scope are not usable; an address is reported as added
	 * once it becomes usable.
	 *
	 * @param ifindex		interface index
	 * @param name			interface name
	 * @param addr			address, valid during the call only
	 * @param added			TRUE if added, FALSE if removed
	 * @return				TRUE to remain registered, FALSE to unregister
	 */
	bool (*address)(mif_monitor_listener_t *this, int ifindex, char *name,
					host_t *addr, bool added);
};

/**
 * Interface monitor based on a libnl-3 cache manager.
 *
 * Listeners are called from the thread that processes the netlink socket
 * (a lib->watcher job, or the caller of process()), never concurrently.
 */
struct mif_monitor_t {

	/**
	 * Register a listener.
	 *
	 * @param listener		listener to register
	 */
	void (*add_listener)(mif_monitor_t *this,
						 mif_monitor_listener_t *listener);

	/**
	 * Unregister a listener.
	 *
	 * Blocks until a running delivery finished, unless called from
	 * within a callback, so the listener is not invoked once this returns.
	 *
	 * @param listener		listener to unregister
	 */
	void (*remove_listener)(mif_monitor_t *this,
							mif_monitor_listener_t *listener);

	/**
	 * Create an enumerator over a snapshot of the known links.
	 *
	 * Filtered interfaces are not listed.
	 *
	 * @return				enumerator over mif_monitor_link_t*
	 */
	enumerator_t *(*create_link_enumerator)(mif_monitor_t *this);

	/**
	 * Create an enumerator over a snapshot of the known addresses.
	 *
	 * Lists all addresses of unfiltered interfaces, including unusable ones.
	 *
	 * @return				enumerator over mif_monitor_addr_t*
	 */
	enumerator_t *(*create_address_enumerator)(mif_monitor_t *this);

	/**
	 * Get the netlink socket to poll() for POLLIN, if not using the watcher.
	 *
	 * @return				file descriptor
	 */
	int (*get_fd)(mif_monitor_t *this);

	/**
	 * Read pending notifications and deliver resulting events.
	 *
	 * Non-blocking. Resynchronises with a full dump if the kernel dropped
	 * notifications.
	 *
	 * @return				FALSE if the netlink socket failed
	 */
	bool (*process)(mif_monitor_t *this);

	/**
	 * Destroy the monitor, unregistering from lib->watcher.
	 */
	void (*destroy)(mif_monitor_t *this);
};

/**
 * Create an interface monitor.
 *
 * Interface filtering follows charon.interfaces_use/interfaces_ignore:
 * if use is given only the listed interfaces are considered, otherwise
 * those listed in ignore are skipped.
 *
 * @param use			comma/space separated names to consider, or NULL
 * @param ignore		comma/space separated names to skip, or NULL
 * @param watch			TRUE to process the socket via lib->watcher
 * @return				monitor, NULL on failure
 */
mif_monitor_t *mif_monitor_create(const char *use, const char *ignore,
								  bool watch);

/**
 * Create an interface monitor configured from strongswan.conf, processed
 * via lib->watcher.
 *
 * Reads <section>.interfaces_use and <section>.interfaces_ignore; if neither
 * is set there, falls back to <ns>.interfaces_use/interfaces_ignore of
 * lib->ns (e.g. charon.interfaces_use).
 *
 * @param section		settings section, e.g. "charon.plugins.mif.monitor"
 * @return				monitor, NULL on failure
 */
mif_monitor_t *mif_monitor_create_from_settings(const char *section);

#endif /** MIF_MONITOR_H_ @}*/
