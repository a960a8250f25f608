/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_control mif_control
 * @{ @ingroup mif
 */

#ifndef MIF_CONTROL_H_
#define MIF_CONTROL_H_

#include "mif_manager.h"

/** default control socket, a /run/charon.* name as AppArmor allows */
#define MIF_CONTROL_SOCKET "unix:///var/run/charon.mif"

typedef struct mif_control_t mif_control_t;

/**
 * Control socket for mifctl(8): list, add and remove paths, monitor path
 * events.
 *
 * One request line per connection, "FORMAT COMMAND [ARGS]" with FORMAT
 * "text" or "json"; the reply is written and the connection closed.
 * Each client is served in a job of its own, up to 8 at once (others wait
 * to be accepted); a client has 2 seconds to send its line of at most 255
 * printable characters, or gets an error line and is disconnected.
 *
 * "FORMAT monitor" subscribes to the path events (mif_path_event.h): a first
 * line says so (or why not), then one line per event follows for as long
 * as the client stays, without a deadline. Up to 2 monitor clients at once;
 * one that falls behind gets "dropped N events" in place of what it missed,
 * one that does not take a line within 5 seconds is disconnected.
 */
struct mif_control_t {

	/**
	 * Close the socket.
	 */
	void (*destroy)(mif_control_t *this);
};

/**
 * Open the control socket.
 *
 * @param manager		path manager to control
 * @return				control socket, NULL on failure
 */
mif_control_t *mif_control_create(mif_manager_t *manager);

#endif /** MIF_CONTROL_H_ @}*/
