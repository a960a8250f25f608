/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_listener mif_listener
 * @{ @ingroup mif
 */

#ifndef MIF_LISTENER_BUS_H_
#define MIF_LISTENER_BUS_H_

#include <bus/listeners/listener.h>
#include <mif_backend.h>

typedef struct mif_bus_listener_t mif_bus_listener_t;

/**
 * Bus listener recording the address pair of each IKE SA as a binding.
 *
 * A session per IKE SA (peer identity and the first IKE SA of the rekey
 * chain, mif_conn_key()) holds BID 1 for the path the IKE SA uses; it
 * follows MOBIKE updates and rekeys and carries references to the IKE and
 * CHILD SAs. Sessions of IKE SAs of a previous daemon are removed when the
 * listener is created.
 */
struct mif_bus_listener_t {

	/**
	 * Implements listener_t interface (must stay first, see METHOD()).
	 */
	listener_t listener;

	/**
	 * Destroy a mif_bus_listener_t.
	 */
	void (*destroy)(mif_bus_listener_t *this);
};

/**
 * Create the listener.
 *
 * @param backend		shared binding backend
 * @param lifetime		lifetime of recorded bindings, in seconds
 * @return				listener
 */
mif_bus_listener_t *mif_bus_listener_create(mif_backend_t *backend,
											uint32_t lifetime);

#endif /** MIF_LISTENER_BUS_H_ @}*/
