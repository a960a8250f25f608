/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_event_queue mif_event_queue
 * @{ @ingroup mif
 */

#ifndef MIF_PATH_EVENT_QUEUE_H_
#define MIF_PATH_EVENT_QUEUE_H_

#include "mif_path_event.h"

typedef struct mif_event_queue_t mif_event_queue_t;

/**
 * Bounded queue of event lines between the path manager and one monitor
 * client (mif_control.c): the manager's threads append without ever
 * waiting for the client, the client's thread takes the lines out.
 *
 * When the queue is full, events are dropped and counted; the next event
 * that finds room is preceded by a line "dropped N events" (json:
 * {"event":"dropped","count":N}).
 */
struct mif_event_queue_t {

	/**
	 * Listener to register with the path manager (never blocks).
	 */
	mif_path_event_listener_t listener;

	/**
	 * Take the next line, waiting for one at most timeout_ms. A point where
	 * the thread may be cancelled.
	 *
	 * @param timeout_ms	longest wait
	 * @param line			receives the line (to free), NULL if none came
	 * @return				FALSE if the queue was closed
	 */
	bool (*next)(mif_event_queue_t *this, u_int timeout_ms, char **line);

	/**
	 * Close the queue: next() returns FALSE from now on, at once.
	 */
	void (*close)(mif_event_queue_t *this);

	/**
	 * Destroy the queue (unregistered from the manager before).
	 */
	void (*destroy)(mif_event_queue_t *this);
};

/**
 * Create a queue.
 *
 * @param json			write the lines as JSON
 * @param max_lines		lines queued at most, then events are dropped
 * @return				queue
 */
mif_event_queue_t *mif_event_queue_create(bool json, u_int max_lines);

#endif /** MIF_PATH_EVENT_QUEUE_H_ @}*/
