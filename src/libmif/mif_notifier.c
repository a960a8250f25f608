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

#include "mif_notifier.h"

#include <time.h>

#include <threading/rwlock.h>
#include <threading/mutex.h>
#include <threading/condvar.h>
#include <collections/linked_list.h>
#include <utils/debug.h>

typedef struct private_mif_notifier_t private_mif_notifier_t;

/**
 * Private data of a mif_notifier_t object.
 */
struct private_mif_notifier_t {

	/**
	 * Public interface.
	 */
	mif_notifier_t public;

	/**
	 * Store changes are written to, NULL if none
	 */
	mif_store_t *store;

	/**
	 * Protects queue and delivering
	 */
	mutex_t *qlock;

	/**
	 * Signalled when delivery stops
	 */
	condvar_t *idle;

	/**
	 * Changes not yet published, in modification order
	 */
	mif_changes_t queue;

	/**
	 * Whether a thread currently publishes changes
	 */
	bool delivering;

	/**
	 * Protects listeners
	 */
	rwlock_t *llock;

	/**
	 * Registered mif_listener_t
	 */
	linked_list_t *listeners;

	/**
	 * Number of listeners, read atomically without lock to decide whether
	 * an operation records changes at all
	 */
	u_int nlisteners;
};

/*
 * Described in header
 */
mif_change_t *mif_changes_add(mif_changes_t *list, mif_change_kind_t kind,
							  mif_event_t event, mif_session_t *session)
{
	mif_change_t *change;

	if (!list->track)
	{
		return NULL;
	}
	if (list->count == list->size)
	{
		list->size = max(8, list->size * 2);
		list->items = realloc(list->items, list->size * sizeof(mif_change_t));
	}
	change = &list->items[list->count++];
	memset(change, 0, sizeof(*change));
	change->kind = kind;
	change->event = event;
	change->sid = session->sid;
	change->seq = session->seq;
	change->hoa = session->hoa;
	change->id = strdupnull(mif_session_id(session));
	return change;
}

/*
 * Described in header
 */
void mif_changes_binding(mif_changes_t *changes, mif_entry_t *entry,
						 mif_event_t event)
{
	mif_change_t *change;

	change = mif_changes_add(changes, MIF_CHANGE_BINDING, event,
							 entry->session);
	if (change)
	{
		change->binding = entry->b;
	}
}

METHOD(mif_notifier_t, begin, void,
	private_mif_notifier_t *this, mif_changes_t *list)
{
	*list = (mif_changes_t){
		.track = this->store ||
				 __atomic_load_n(&this->nlisteners, __ATOMIC_RELAXED),
	};
}

/**
 * Write a change to the store
 */
static void persist(private_mif_notifier_t *this, mif_change_t *change,
					time_t mono, time_t wall)
{
	bool ok = TRUE;

	switch (change->kind)
	{
		case MIF_CHANGE_SESSION:
			ok = this->store->put_session(this->store, change->sid,
										  &change->hoa, change->id, change->seq);
			break;
		case MIF_CHANGE_SESSION_DEL:
			ok = this->store->del_session(this->store, change->sid);
			break;
		case MIF_CHANGE_BINDING:
			if (change->event == MIF_EVENT_ADDED ||
				change->event == MIF_EVENT_UPDATED)
			{
				ok = this->store->put_binding(this->store, change->sid,
								&change->binding,
								wall + (change->binding.expires - mono));
			}
			else
			{
				ok = this->store->del_binding(this->store, change->sid,
											  change->binding.bid);
			}
			break;
		case MIF_CHANGE_FLOW:
			if (change->event == MIF_EVENT_REMOVED)
			{
				ok = this->store->del_flow(this->store, change->sid,
										   change->flow.fid);
			}
			else
			{
				ok = this->store->put_flow(this->store, change->sid,
										   &change->flow);
			}
			break;
		case MIF_CHANGE_SA:
			if (change->event == MIF_EVENT_REMOVED)
			{
				ok = this->store->del_sa(this->store, change->sid, &change->sa);
			}
			else
			{
				ok = this->store->put_sa(this->store, change->sid, &change->sa);
			}
			break;
	}
	if (!ok)
	{
		DBG1(DBG_CFG, "mif: persisting change of session %llu failed",
			 (unsigned long long)change->sid);
	}
}

/**
 * Hand a change to the listeners, listener lock held
 */
static void notify(private_mif_notifier_t *this, mif_change_t *change)
{
	enumerator_t *enumerator;
	mif_listener_t *listener;

	enumerator = this->listeners->create_enumerator(this->listeners);
	while (enumerator->enumerate(enumerator, &listener))
	{
		switch (change->kind)
		{
			case MIF_CHANGE_BINDING:
				if (listener->binding)
				{
					listener->binding(listener, change->event, change->id,
									  &change->binding);
				}
				break;
			case MIF_CHANGE_FLOW:
				if (listener->flow)
				{
					listener->flow(listener, change->event, &change->hoa,
								   change->id, &change->flow);
				}
				break;
			case MIF_CHANGE_SA:
				if (listener->sa)
				{
					listener->sa(listener, change->event, &change->hoa,
								 change->id, &change->sa);
				}
				break;
			default:
				break;
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Publish a batch of changes to the store and the listeners
 */
static void publish(private_mif_notifier_t *this, mif_changes_t *batch)
{
	mif_change_t *change;
	time_t mono, wall;
	u_int i;

	mono = time_monotonic(NULL);
	wall = time(NULL);

	this->llock->read_lock(this->llock);
	for (i = 0; i < batch->count; i++)
	{
		change = &batch->items[i];
		if (this->store)
		{
			persist(this, change, mono, wall);
		}
		if (change->kind != MIF_CHANGE_SESSION &&
			change->kind != MIF_CHANGE_SESSION_DEL)
		{
			notify(this, change);
		}
	}
	this->llock->unlock(this->llock);

	for (i = 0; i < batch->count; i++)
	{
		free(batch->items[i].id);
	}
	free(batch->items);
}

METHOD(mif_notifier_t, deliver, void,
	private_mif_notifier_t *this)
{
	mif_changes_t batch;

	this->qlock->lock(this->qlock);
	if (this->delivering)
	{
		this->qlock->unlock(this->qlock);
		return;
	}
	this->delivering = TRUE;
	while (this->queue.count)
	{
		batch = this->queue;
		this->queue = (mif_changes_t){};
		this->qlock->unlock(this->qlock);
		publish(this, &batch);
		this->qlock->lock(this->qlock);
	}
	this->delivering = FALSE;
	this->idle->broadcast(this->idle);
	this->qlock->unlock(this->qlock);
}

METHOD(mif_notifier_t, queue, bool,
	private_mif_notifier_t *this, mif_changes_t *changes)
{
	u_int needed;

	if (!changes->count)
	{
		free(changes->items);
		return FALSE;
	}
	this->qlock->lock(this->qlock);
	if (!this->queue.count)
	{
		this->queue = *changes;
	}
	else
	{
		needed = this->queue.count + changes->count;
		if (needed > this->queue.size)
		{
			this->queue.size = max(needed, this->queue.size * 2);
			this->queue.items = realloc(this->queue.items,
									this->queue.size * sizeof(mif_change_t));
		}
		memcpy(&this->queue.items[this->queue.count], changes->items,
			   changes->count * sizeof(mif_change_t));
		this->queue.count = needed;
		free(changes->items);
	}
	this->qlock->unlock(this->qlock);
	return TRUE;
}

METHOD(mif_notifier_t, flush, bool,
	private_mif_notifier_t *this)
{
	this->qlock->lock(this->qlock);
	while (this->delivering)
	{
		this->idle->wait(this->idle, this->qlock);
	}
	this->qlock->unlock(this->qlock);
	deliver(this);
	return !this->store || this->store->flush(this->store);
}

/**
 * Update the lock-free listener count, listener lock held
 */
static void count_listeners(private_mif_notifier_t *this)
{
	__atomic_store_n(&this->nlisteners,
					 this->listeners->get_count(this->listeners),
					 __ATOMIC_RELAXED);
}

METHOD(mif_notifier_t, add_listener, void,
	private_mif_notifier_t *this, mif_listener_t *listener)
{
	this->llock->write_lock(this->llock);
	this->listeners->insert_last(this->listeners, listener);
	count_listeners(this);
	this->llock->unlock(this->llock);
}

METHOD(mif_notifier_t, remove_listener, void,
	private_mif_notifier_t *this, mif_listener_t *listener)
{
	this->llock->write_lock(this->llock);
	this->listeners->remove(this->listeners, listener, NULL);
	count_listeners(this);
	this->llock->unlock(this->llock);
}

METHOD(mif_notifier_t, destroy, void,
	private_mif_notifier_t *this)
{
	this->listeners->destroy(this->listeners);
	this->llock->destroy(this->llock);
	this->qlock->destroy(this->qlock);
	this->idle->destroy(this->idle);
	free(this);
}

/*
 * Described in header
 */
mif_notifier_t *mif_notifier_create(mif_store_t *store)
{
	private_mif_notifier_t *this;

	INIT(this,
		.public = {
			.begin = _begin,
			.queue = _queue,
			.deliver = _deliver,
			.flush = _flush,
			.add_listener = _add_listener,
			.remove_listener = _remove_listener,
			.destroy = _destroy,
		},
		.store = store,
		.llock = rwlock_create(RWLOCK_TYPE_DEFAULT),
		.qlock = mutex_create(MUTEX_TYPE_DEFAULT),
		.idle = condvar_create(CONDVAR_TYPE_DEFAULT),
		.listeners = linked_list_create(),
	);
	return &this->public;
}
