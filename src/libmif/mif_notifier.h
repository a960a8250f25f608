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
 * @defgroup mif_notifier mif_notifier
 * @{ @ingroup libmif
 */

#ifndef MIF_NOTIFIER_H_
#define MIF_NOTIFIER_H_

#include "mif_listener.h"
#include "mif_store.h"
#include "mif_session.h"

typedef struct mif_notifier_t mif_notifier_t;
typedef struct mif_change_t mif_change_t;
typedef struct mif_changes_t mif_changes_t;
typedef enum mif_change_kind_t mif_change_kind_t;

/**
 * Kinds of recorded changes.
 */
enum mif_change_kind_t {
	/** a session was created or its sequence number changed */
	MIF_CHANGE_SESSION,
	/** a session was removed */
	MIF_CHANGE_SESSION_DEL,
	/** a binding changed */
	MIF_CHANGE_BINDING,
	/** a flow binding changed */
	MIF_CHANGE_FLOW,
	/** an SA reference was attached or detached */
	MIF_CHANGE_SA,
};

/**
 * A change, copied under the backend's data lock and published (store,
 * listeners) after it is released.
 */
struct mif_change_t {
	/** mif_change_kind_t */
	uint8_t kind;
	/** mif_event_t */
	uint8_t event;
	/** session sequence number (MIF_CHANGE_SESSION) */
	uint16_t seq;
	/** session store ID */
	uint64_t sid;
	/** session identity (owned), NULL if none */
	char *id;
	/** session home address */
	mif_addr_t hoa;
	union {
		mif_binding_t binding;
		mif_flow_t flow;
		mif_sa_ref_t sa;
	};
};

/**
 * The changes of one backend operation, in modification order.
 */
struct mif_changes_t {
	/** changes */
	mif_change_t *items;
	/** used */
	u_int count;
	/** allocated */
	u_int size;
	/** whether changes are recorded at all (store or listeners present) */
	bool track;
};

/**
 * Record a change of a session.
 *
 * @param changes	changes of the operation; a zeroed list records nothing
 * @param kind		kind of change
 * @param event		event to report
 * @param session	session changed, its key and sequence number are copied
 * @return			zeroed payload slot to fill in, NULL if not tracked
 */
mif_change_t *mif_changes_add(mif_changes_t *changes, mif_change_kind_t kind,
							  mif_event_t event, mif_session_t *session);

/**
 * Record a change of a binding.
 *
 * @param changes	changes of the operation
 * @param entry		binding changed (copied)
 * @param event		event to report
 */
void mif_changes_binding(mif_changes_t *changes, mif_entry_t *entry,
						 mif_event_t event);

/**
 * Change notifier of the backend: queues the changes of operations in
 * modification order and publishes them to the store and the listeners
 * without the data lock held, one thread at a time.
 *
 * An operation starts a change list with begin(), records changes while
 * it holds the data write lock, queue()s them before releasing the lock
 * (so the queue keeps the modification order) and calls deliver() after.
 */
struct mif_notifier_t {

	/**
	 * Start the change list of an operation.
	 *
	 * @param changes	list to initialise; it tracks changes only if a
	 *					store or a listener is present
	 */
	void (*begin)(mif_notifier_t *this, mif_changes_t *changes);

	/**
	 * Queue the changes of an operation. Call with the data write lock
	 * held; the list is adopted.
	 *
	 * @param changes	changes of the operation
	 * @return			TRUE if something was queued (call deliver())
	 */
	bool (*queue)(mif_notifier_t *this, mif_changes_t *changes);

	/**
	 * Publish queued changes unless another thread already does; that
	 * thread then picks them up, keeping the global modification order.
	 * Call without the data lock.
	 */
	void (*deliver)(mif_notifier_t *this);

	/**
	 * Wait until no thread publishes, publish what is queued and flush
	 * the store.
	 *
	 * @return			TRUE if successful or no store is used
	 */
	bool (*flush)(mif_notifier_t *this);

	/**
	 * Register a listener. Not from a listener callback.
	 *
	 * @param listener	listener to add
	 */
	void (*add_listener)(mif_notifier_t *this, mif_listener_t *listener);

	/**
	 * Unregister a listener; no callback of it runs after this returns.
	 * Not from a listener callback.
	 *
	 * @param listener	listener to remove
	 */
	void (*remove_listener)(mif_notifier_t *this, mif_listener_t *listener);

	/**
	 * Destroy the notifier (not the store). Flush first.
	 */
	void (*destroy)(mif_notifier_t *this);
};

/**
 * Create a change notifier.
 *
 * @param store		store changes are written to (not adopted), NULL for none
 * @return			notifier
 */
mif_notifier_t *mif_notifier_create(mif_store_t *store);

#endif /** MIF_NOTIFIER_H_ @}*/
