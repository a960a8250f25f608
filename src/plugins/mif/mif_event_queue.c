/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_event_queue.h"

#include <collections/linked_list.h>
#include <threading/condvar.h>
#include <threading/mutex.h>
#include <threading/thread.h>

/** longest event line */
#define MAX_LINE 512

typedef struct private_mif_event_queue_t private_mif_event_queue_t;

/**
 * Private data.
 */
struct private_mif_event_queue_t {

	/**
	 * Public interface.
	 */
	mif_event_queue_t public;

	/**
	 * Lines (char*), oldest first.
	 */
	linked_list_t *lines;

	/**
	 * Events dropped since the last line queued.
	 */
	u_int dropped;

	/**
	 * Lines queued at most.
	 */
	u_int max;

	/**
	 * JSON lines.
	 */
	bool json;

	/**
	 * Closed by close().
	 */
	bool closed;

	/**
	 * Protects the above.
	 */
	mutex_t *mutex;

	/**
	 * Signals lines and closing.
	 */
	condvar_t *condvar;
};

METHOD(mif_path_event_listener_t, event, void,
	private_mif_event_queue_t *this, mif_path_event_t *event)
{
	char line[MAX_LINE];

	this->mutex->lock(this->mutex);
	if (this->closed || this->lines->get_count(this->lines) >= this->max)
	{
		this->dropped++;
		this->mutex->unlock(this->mutex);
		return;
	}
	if (this->dropped)
	{	/* one line more than max at most */
		if (this->json)
		{
			snprintf(line, sizeof(line), "{\"event\":\"dropped\",\"count\":"
					 "%u}\n", this->dropped);
		}
		else
		{
			snprintf(line, sizeof(line), "dropped %u events\n", this->dropped);
		}
		this->lines->insert_last(this->lines, strdup(line));
		this->dropped = 0;
	}
	mif_path_event_format(event, this->json, line, sizeof(line));
	this->lines->insert_last(this->lines, strdup(line));
	this->condvar->signal(this->condvar);
	this->mutex->unlock(this->mutex);
}

METHOD(mif_event_queue_t, next, bool,
	private_mif_event_queue_t *this, u_int timeout_ms, char **line)
{
	bool old, open;

	*line = NULL;
	this->mutex->lock(this->mutex);
	if (!this->closed && !this->lines->get_count(this->lines))
	{
		thread_cleanup_push((void*)this->mutex->unlock, this->mutex);
		old = thread_cancelability(TRUE);
		this->condvar->timed_wait(this->condvar, this->mutex, timeout_ms);
		thread_cancelability(old);
		thread_cleanup_pop(FALSE);
	}
	open = !this->closed;
	if (open)
	{
		this->lines->remove_first(this->lines, (void**)line);
	}
	this->mutex->unlock(this->mutex);
	return open;
}

METHOD(mif_event_queue_t, close_, void,
	private_mif_event_queue_t *this)
{
	this->mutex->lock(this->mutex);
	this->closed = TRUE;
	this->condvar->broadcast(this->condvar);
	this->mutex->unlock(this->mutex);
}

METHOD(mif_event_queue_t, destroy, void,
	private_mif_event_queue_t *this)
{
	this->lines->destroy_function(this->lines, free);
	this->condvar->destroy(this->condvar);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mif_event_queue_t *mif_event_queue_create(bool json, u_int max_lines)
{
	private_mif_event_queue_t *this;

	INIT(this,
		.public = {
			.listener = {
				.event = _event,
			},
			.next = _next,
			.close = _close_,
			.destroy = _destroy,
		},
		.lines = linked_list_create(),
		.max = max(max_lines, 1),
		.json = json,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.condvar = condvar_create(CONDVAR_TYPE_DEFAULT),
	);
	return &this->public;
}
