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
 * @defgroup mif_listener mif_listener
 * @{ @ingroup libmif
 */

#ifndef MIF_LISTENER_H_
#define MIF_LISTENER_H_

#include "mif_binding.h"
#include "mif_flow.h"
#include "mif_sa_ref.h"

typedef struct mif_listener_t mif_listener_t;

/**
 * Receives change events of the binding backend.
 *
 * Events are delivered after the change is visible to lookups, without
 * the backend's data lock held, in the order the changes were made. All
 * events of one operation are delivered before the operation returns, by
 * the thread that made the change (the expiry job's thread for expiry).
 * A listener may call back into the backend, including modifying
 * operations; their events are delivered nested, before the callback
 * returns. Delivery of events is serialised: keep callbacks short.
 *
 * Every callback is optional (NULL).
 */
struct mif_listener_t {

	/**
	 * A binding was added, updated, removed or expired.
	 *
	 * @param event		type of change
	 * @param id		identity of the session, NULL if none
	 * @param binding	copy of the binding (state REMOVED for removals)
	 */
	void (*binding)(mif_listener_t *this, mif_event_t event, const char *id,
					const mif_binding_t *binding);

	/**
	 * A flow binding was added, updated or removed.
	 *
	 * @param event		type of change
	 * @param hoa		home address of the session (family 0 if none)
	 * @param id		identity of the session, NULL if none
	 * @param flow		copy of the flow
	 */
	void (*flow)(mif_listener_t *this, mif_event_t event,
				 const mif_addr_t *hoa, const char *id,
				 const mif_flow_t *flow);

	/**
	 * An SA reference was attached (ADDED) or detached (REMOVED).
	 *
	 * @param event		type of change
	 * @param hoa		home address of the session (family 0 if none)
	 * @param id		identity of the session, NULL if none
	 * @param ref		copy of the SA reference
	 */
	void (*sa)(mif_listener_t *this, mif_event_t event,
			   const mif_addr_t *hoa, const char *id, const mif_sa_ref_t *ref);
};

#endif /** MIF_LISTENER_H_ @}*/
