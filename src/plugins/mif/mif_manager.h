/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_manager mif_manager
 * @{ @ingroup mif
 */

#ifndef MIF_MANAGER_H_
#define MIF_MANAGER_H_

#include <bus/listeners/listener.h>
#include <mif_backend.h>

#include "mif_dataplane.h"
#include "mif_path_event.h"

typedef struct mif_manager_t mif_manager_t;

/**
 * Path manager: negotiates the extension, announces and verifies paths,
 * brings up their CHILD SAs and data plane, probes them and fails over.
 *
 * Protocol and state machine: doc/protocol.md.
 */
struct mif_manager_t {

	/**
	 * Implements listener_t (must stay first, see METHOD()).
	 */
	listener_t listener;

	/**
	 * Add a path for a local address to an IKE SA (operator command).
	 *
	 * @param ike_id		IKE SA unique id
	 * @param local			local address to announce
	 * @return				assigned BID, 0 on failure
	 */
	uint16_t (*add_path)(mif_manager_t *this, uint32_t ike_id, host_t *local);

	/**
	 * Remove a path of an IKE SA (operator command).
	 *
	 * @param ike_id		IKE SA unique id
	 * @param bid			binding ID
	 * @return				TRUE if the path was known
	 */
	bool (*remove_path)(mif_manager_t *this, uint32_t ike_id, uint16_t bid);

	/**
	 * Enumerate IKE SAs with the extension and their paths.
	 *
	 * Enumerates (uint32_t ike_id, char *name, mif_path_t *path) with one
	 * entry per path, holding the manager's lock until destroyed.
	 *
	 * @return				enumerator
	 */
	enumerator_t *(*create_path_enumerator)(mif_manager_t *this);

	/**
	 * Register a listener for path events (mifctl monitor). It is called
	 * with the manager's lock held and must neither block nor call back.
	 *
	 * @param listener		listener to add
	 */
	void (*add_event_listener)(mif_manager_t *this,
							   mif_path_event_listener_t *listener);

	/**
	 * Unregister an event listener; not called anymore once this returns.
	 *
	 * @param listener		listener to remove
	 */
	void (*remove_event_listener)(mif_manager_t *this,
								  mif_path_event_listener_t *listener);

	/**
	 * Destroy the manager, removing all paths from the kernel.
	 */
	void (*destroy)(mif_manager_t *this);
};

/**
 * Create the path manager.
 *
 * @param backend		libmif backend to record path bindings in
 * @param dataplane		kernel data plane (adopted), NULL to signal only
 * @param dp_settings	data plane options, for the per-interface source
 *						routes (mif_srcroute_t)
 * @return				manager, NULL if the probe port cannot be opened
 */
mif_manager_t *mif_manager_create(mif_backend_t *backend,
								  mif_dataplane_t *dataplane,
								  const mif_dp_settings_t *dp_settings);

#endif /** MIF_MANAGER_H_ @}*/
