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

#include "mif_backend.h"
#include "mif_addr.h"
#include "mif_seq.h"
#include "mif_registry.h"
#include "mif_notifier.h"
#include "mif_sa_table.h"
#include "mif_flow_select.h"
#include "mif_loader.h"

#include <threading/rwlock.h>
#include <threading/mutex.h>
#include <collections/hashtable.h>
#include <processing/jobs/callback_job.h>
#include <utils/debug.h>

typedef struct private_mif_backend_t private_mif_backend_t;
typedef struct expiry_timer_t expiry_timer_t;

/**
 * Bindings expired per write-lock hold, so lookups are not starved while a
 * large batch runs out at once
 */
#define EXPIRE_BATCH 256

/**
 * State shared between the backend and its scheduler job, so the job
 * can outlive the backend (the scheduler cannot cancel jobs)
 */
struct expiry_timer_t {
	/** protects backend */
	mutex_t *mutex;
	/** backend, NULL once destroyed */
	private_mif_backend_t *backend;
	/** interval in ms */
	u_int interval;
	/** references (backend, job) */
	refcount_t refs;
};

/**
 * Private data of a mif_backend_t object.
 */
struct private_mif_backend_t {

	/**
	 * Public interface.
	 */
	mif_backend_t public;

	/**
	 * Configuration
	 */
	mif_config_t config;

	/**
	 * Persistent store, NULL if none
	 */
	mif_store_t *store;

	/**
	 * Protects registry
	 */
	rwlock_t *lock;

	/**
	 * Sessions, bindings, SA references and their indices
	 */
	mif_registry_t registry;

	/**
	 * Publishes changes to the store and the listeners
	 */
	mif_notifier_t *notifier;

	/**
	 * Expiry job state, NULL if not scheduled
	 */
	expiry_timer_t *timer;
};

/**
 * Queue an operation's changes (in modification order, as the write lock
 * is still held), release the write lock and publish
 */
static void unlock_and_publish(private_mif_backend_t *this,
							   mif_changes_t *changes)
{
	bool queued;

	queued = this->notifier->queue(this->notifier, changes);
	this->lock->unlock(this->lock);
	if (queued)
	{
		this->notifier->deliver(this->notifier);
	}
}

/**
 * Create and index a session, recording the change
 */
static mif_session_t *create_session(private_mif_backend_t *this,
									 const mif_key_t *key, uint16_t seq,
									 mif_changes_t *changes)
{
	mif_session_t *session;

	session = mif_registry_add_session(&this->registry, &key->hoa, key->id,
									   this->registry.next_sid++, seq);
	mif_changes_add(changes, MIF_CHANGE_SESSION, MIF_EVENT_ADDED, session);
	return session;
}

/**
 * Set the status of all entries of a request
 */
static mif_status_t reject_all(mif_reg_t *req, mif_status_t status)
{
	u_int i;

	for (i = 0; i < req->count; i++)
	{
		req->entries[i].status = status;
		req->entries[i].granted = 0;
	}
	return status;
}

/**
 * Apply one pre-validated entry with lifetime > 0
 */
static mif_status_t apply_entry(private_mif_backend_t *this,
								mif_session_t **session, const mif_key_t *key,
								mif_reg_t *req, mif_reg_entry_t *req_entry,
								time_t now, mif_changes_t *changes)
{
	mif_entry_t *entry = NULL;
	uint32_t lifetime;
	bool coa_changed = FALSE;

	lifetime = min(req_entry->lifetime, this->config.max_lifetime);
	if (*session)
	{
		entry = mif_session_get_entry(*session, req_entry->bid);
	}
	if (!entry)
	{
		mif_binding_t binding = {
			.coa = req_entry->coa,
			.remote = req_entry->remote,
			.ifindex = req_entry->ifindex,
			.bid = req_entry->bid,
			.prio = req_entry->prio,
			.state = req_entry->state ?: MIF_BINDING_ACTIVE,
			.flags = req_entry->flags,
			.lifetime = lifetime,
			.expires = now + lifetime,
			.seq = req->seq,
		};

		if (!req_entry->coa.family)
		{
			return MIF_STATUS_MCOA_UNKNOWN_COA;
		}
		if (*session && this->config.max_bindings &&
			(*session)->count >= this->config.max_bindings)
		{
			return MIF_STATUS_INSUFFICIENT_RESOURCES;
		}
		if (!*session)
		{
			*session = create_session(this, key, req->seq, changes);
		}
		memcpy(binding.ifname, req_entry->ifname, MIF_IFNAME_LEN);
		entry = mif_registry_add_entry(&this->registry, *session, &binding);
		mif_changes_binding(changes, entry, MIF_EVENT_ADDED);
		req_entry->granted = lifetime;
		return MIF_STATUS_ACCEPTED;
	}
	if (req_entry->coa.family && (!mif_addr_equals(&entry->b.coa,
						&req_entry->coa) || entry->b.coa.port != req_entry->coa.port))
	{
		coa_changed = TRUE;
		mif_registry_move_coa(&this->registry, entry, &req_entry->coa);
	}
	if (req_entry->remote.family)
	{
		entry->b.remote = req_entry->remote;
	}
	if (req_entry->ifname[0])
	{
		memcpy(entry->b.ifname, req_entry->ifname, MIF_IFNAME_LEN);
	}
	if (req_entry->ifindex)
	{
		entry->b.ifindex = req_entry->ifindex;
	}
	if (req_entry->prio)
	{
		entry->b.prio = req_entry->prio;
	}
	if (req_entry->state)
	{
		entry->b.state = req_entry->state;
	}
	else if (coa_changed)
	{
		/* a moved path is usable as registered, like a new one */
		entry->b.state = MIF_BINDING_ACTIVE;
	}
	entry->b.flags = req_entry->flags;
	entry->b.lifetime = lifetime;
	entry->b.expires = now + lifetime;
	entry->b.seq = req->seq;
	mif_heap_update(&this->registry.heap, entry);
	mif_changes_binding(changes, entry, MIF_EVENT_UPDATED);
	req_entry->granted = lifetime;
	return MIF_STATUS_ACCEPTED;
}

METHOD(mif_backend_t, registration, mif_status_t,
	private_mif_backend_t *this, mif_reg_t *req)
{
	mif_session_t *session;
	mif_reg_entry_t *req_entry;
	mif_entry_t *entry, *next;
	mif_changes_t changes;
	uint8_t *seen = NULL, *dup = NULL;
	u_int i, accepted = 0, failed = 0;
	bool conflict, remove;
	time_t now;

	if (!req || !req->count || !req->entries)
	{
		return MIF_STATUS_UNSPECIFIED;
	}
	if (!mif_registry_check_key(&req->key) ||
		(req->flags & ~(MIF_REG_OVERWRITE | MIF_REG_AUTO_SEQ)))
	{
		DBG1(DBG_CFG, "mif: rejecting registration with invalid session key "
			 "or flags");
		return reject_all(req, MIF_STATUS_UNSPECIFIED);
	}
	if (req->count > 1 && this->config.no_bulk)
	{
		return reject_all(req, MIF_STATUS_MCOA_BULK_PROHIBITED);
	}
	for (i = 0; i < req->count; i++)
	{
		req->entries[i].granted = 0;
		req->entries[i].status = mif_registry_check_entry(&req->entries[i]);
	}
	if (req->count > 1)
	{	/* a BID named twice is ambiguous: reject all its occurrences */
		seen = calloc(2, 8192);
		dup = seen + 8192;
		for (i = 0; i < req->count; i++)
		{
			uint16_t bid = req->entries[i].bid;

			if (seen[bid / 8] & (1 << (bid % 8)))
			{
				dup[bid / 8] |= 1 << (bid % 8);
			}
			seen[bid / 8] |= 1 << (bid % 8);
		}
		for (i = 0; i < req->count; i++)
		{
			uint16_t bid = req->entries[i].bid;

			if (bid && (dup[bid / 8] & (1 << (bid % 8))))
			{
				req->entries[i].status = MIF_STATUS_MCOA_MALFORMED;
			}
		}
	}

	this->notifier->begin(this->notifier, &changes);
	now = time_monotonic(NULL);
	this->lock->write_lock(this->lock);
	session = mif_registry_find_session(&this->registry, &req->key, &conflict);
	if (conflict)
	{
		this->lock->unlock(this->lock);
		free(seen);
		DBG1(DBG_CFG, "mif: home address of '%s' registered by another peer",
			 req->key.id);
		return reject_all(req, MIF_STATUS_PROHIBITED);
	}
	if (req->flags & MIF_REG_AUTO_SEQ)
	{
		req->seq = session ? mif_seq_next(session->seq) : 1;
	}
	else if (session && !mif_seq_gt(req->seq, session->seq))
	{
		this->lock->unlock(this->lock);
		free(seen);
		DBG2(DBG_CFG, "mif: sequence number %u not greater than %u",
			 req->seq, session->seq);
		return reject_all(req, MIF_STATUS_SEQ_OUT_OF_WINDOW);
	}

	if (session && (req->flags & MIF_REG_OVERWRITE))
	{	/* RFC 5648 §6.2: replace all bindings with the received set,
		 * overwrite is ignored for de-registrations */
		if (!seen)
		{
			seen = calloc(2, 8192);
		}
		memset(seen, 0, 8192);
		remove = FALSE;
		for (i = 0; i < req->count; i++)
		{
			req_entry = &req->entries[i];
			if (req_entry->status == MIF_STATUS_ACCEPTED && req_entry->lifetime)
			{
				seen[req_entry->bid / 8] |= 1 << (req_entry->bid % 8);
				remove = TRUE;
			}
		}
		for (entry = remove ? session->bindings : NULL; entry; entry = next)
		{
			next = entry->next_sess;
			remove = !(seen[entry->b.bid / 8] & (1 << (entry->b.bid % 8)));
			if (remove)
			{
				mif_registry_remove_entry(&this->registry, entry, MIF_EVENT_REMOVED, &changes);
			}
		}
	}
	free(seen);

	for (i = 0; i < req->count; i++)
	{
		req_entry = &req->entries[i];
		if (req_entry->status != MIF_STATUS_ACCEPTED)
		{
			failed++;
			continue;
		}
		if (!req_entry->lifetime)
		{
			entry = session ? mif_session_get_entry(session, req_entry->bid)
							: NULL;
			if (entry)
			{
				mif_registry_remove_entry(&this->registry, entry, MIF_EVENT_REMOVED, &changes);
			}
			else
			{
				req_entry->status = MIF_STATUS_NOT_HA_FOR_MN;
			}
		}
		else
		{
			req_entry->status = apply_entry(this, &session, &req->key, req,
											req_entry, now, &changes);
		}
		if (req_entry->status == MIF_STATUS_ACCEPTED)
		{
			accepted++;
		}
		else
		{
			failed++;
		}
	}
	if (session && accepted)
	{
		session->seq = req->seq;
		mif_changes_add(&changes, MIF_CHANGE_SESSION, MIF_EVENT_UPDATED, session);
	}
	mif_registry_drop_if_empty(&this->registry, session, &changes);
	unlock_and_publish(this, &changes);

	if (!failed)
	{
		return MIF_STATUS_ACCEPTED;
	}
	if (req->count == 1)
	{
		return req->entries[0].status;
	}
	return MIF_STATUS_MCOA_NOTCOMPLETE;
}

METHOD(mif_backend_t, deregister, bool,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t bid)
{
	mif_changes_t changes;
	mif_session_t *session;
	mif_entry_t *entry;

	if (!mif_registry_check_key(key))
	{
		return FALSE;
	}
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	entry = mif_registry_find_entry(&this->registry, key, bid);
	if (entry)
	{
		session = entry->session;
		mif_registry_remove_entry(&this->registry, entry, MIF_EVENT_REMOVED, &changes);
		mif_registry_drop_if_empty(&this->registry, session, &changes);
	}
	unlock_and_publish(this, &changes);
	return entry != NULL;
}

METHOD(mif_backend_t, remove_session_, bool,
	private_mif_backend_t *this, const mif_key_t *key)
{
	mif_changes_t changes;
	mif_session_t *session;

	if (!mif_registry_check_key(key))
	{
		return FALSE;
	}
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (session)
	{
		mif_registry_remove_session(&this->registry, session, &changes);
	}
	unlock_and_publish(this, &changes);
	return session != NULL;
}

METHOD(mif_backend_t, set_state, bool,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t bid,
	mif_binding_state_t state)
{
	mif_changes_t changes;
	mif_entry_t *entry;

	if (!mif_registry_check_key(key) || state < MIF_BINDING_PROBING ||
		state > MIF_BINDING_STANDBY)
	{
		return FALSE;
	}
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	entry = mif_registry_find_entry(&this->registry, key, bid);
	if (entry && entry->b.state != state)
	{
		entry->b.state = state;
		mif_changes_binding(&changes, entry, MIF_EVENT_UPDATED);
	}
	unlock_and_publish(this, &changes);
	return entry != NULL;
}

METHOD(mif_backend_t, get_binding, bool,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t bid,
	mif_binding_t *out)
{
	mif_entry_t *entry;

	if (!mif_registry_check_key(key))
	{
		return FALSE;
	}
	if (key->hoa.family && !key->id)
	{	/* start the bucket's cache miss before taking the lock */
		mif_registry_prefetch(&this->registry, &key->hoa, bid);
	}
	this->lock->read_lock(this->lock);
	entry = mif_registry_find_entry(&this->registry, key, bid);
	if (entry && out)
	{
		*out = entry->b;
	}
	this->lock->unlock(this->lock);
	return entry != NULL;
}

METHOD(mif_backend_t, get_bindings, int,
	private_mif_backend_t *this, const mif_key_t *key, mif_binding_t *out,
	u_int max)
{
	mif_session_t *session;
	mif_entry_t *entry;
	int count = -1;

	if (!mif_registry_check_key(key))
	{
		return -1;
	}
	this->lock->read_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (session)
	{
		count = 0;
		for (entry = session->bindings; entry; entry = entry->next_sess)
		{
			if (count < max)
			{
				out[count] = entry->b;
			}
			count++;
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, find_by_coa, u_int,
	private_mif_backend_t *this, const mif_addr_t *coa, mif_binding_t *out,
	u_int max)
{
	mif_entry_t *entry;
	u_int count = 0;

	this->lock->read_lock(this->lock);
	for (entry = mif_registry_first_coa(&this->registry, coa); entry;
		 entry = entry->next_coa)
	{
		if (mif_addr_equals(&entry->b.coa, coa))
		{
			if (count < max)
			{
				out[count] = entry->b;
			}
			count++;
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, find_by_interface, u_int,
	private_mif_backend_t *this, const char *ifname, uint32_t ifindex,
	mif_binding_t *out, u_int max)
{
	mif_entry_t *entry;
	u_int i, count = 0;

	if (!ifname && !ifindex)
	{
		return 0;
	}
	this->lock->read_lock(this->lock);
	for (i = 0; i < this->registry.heap.count; i++)
	{
		entry = this->registry.heap.items[i];
		if ((!ifindex || entry->b.ifindex == ifindex) &&
			(!ifname || strneq(entry->b.ifname, ifname, MIF_IFNAME_LEN)))
		{
			if (count < max)
			{
				out[count] = entry->b;
			}
			count++;
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, get_seq, bool,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t *seq)
{
	mif_session_t *session;

	if (!mif_registry_check_key(key))
	{
		return FALSE;
	}
	this->lock->read_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (session && seq)
	{
		*seq = session->seq;
	}
	this->lock->unlock(this->lock);
	return session != NULL;
}

METHOD(mif_backend_t, set_flow, mif_flow_status_t,
	private_mif_backend_t *this, const mif_key_t *key, const mif_flow_t *flow)
{
	mif_flow_status_t status;
	mif_changes_t changes;
	mif_session_t *session;
	mif_flow_t copy;
	mif_change_t *change;
	bool replaced;
	int i;

	if (!flow)
	{
		return MIF_FLOW_MALFORMED;
	}
	status = mif_flow_check(flow);
	if (status != MIF_FLOW_OK)
	{
		return status;
	}
	if (!mif_registry_check_key(key))
	{
		return MIF_FLOW_REJECTED;
	}
	copy = *flow;
	/* unused BID slots are zeroed so stored flows compare equal */
	memset(copy.bids + copy.nbids, 0,
		   (MIF_FLOW_MAX_BIDS - copy.nbids) * sizeof(copy.bids[0]));
	copy.reserved = 0;
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (!session)
	{
		status = copy.action == MIF_FLOW_BIDS ? MIF_FLOW_BID_NOT_FOUND
											  : MIF_FLOW_REJECTED;
	}
	for (i = 0; session && status == MIF_FLOW_OK && i < copy.nbids; i++)
	{
		if (!mif_session_get_entry(session, copy.bids[i]))
		{
			status = MIF_FLOW_BID_NOT_FOUND;
		}
	}
	for (i = 0; session && status == MIF_FLOW_OK &&
				i < mif_session_nflows(session); i++)
	{
		if (mif_session_flows(session)[i].prio == copy.prio &&
			mif_session_flows(session)[i].fid != copy.fid)
		{	/* RFC 6089: FID-PRI MUST be unique per mobile node */
			status = MIF_FLOW_REJECTED;
		}
	}
	if (status == MIF_FLOW_OK)
	{
		mif_session_update_active(session, &copy);
		replaced = mif_session_put_flow(session, &copy);
		change = mif_changes_add(&changes, MIF_CHANGE_FLOW,
					replaced ? MIF_EVENT_UPDATED : MIF_EVENT_ADDED, session);
		if (change)
		{
			change->flow = copy;
		}
	}
	unlock_and_publish(this, &changes);
	return status;
}

/**
 * Remove a flow by index, recording the change
 */
static void remove_flow(mif_session_t *session, int idx,
						mif_changes_t *changes)
{
	mif_change_t *change;

	change = mif_changes_add(changes, MIF_CHANGE_FLOW, MIF_EVENT_REMOVED, session);
	if (change)
	{
		change->flow = mif_session_flows(session)[idx];
		mif_session_update_active(session, &change->flow);
	}
	mif_session_remove_flow(session, idx);
}

METHOD(mif_backend_t, remove_flow_, mif_flow_status_t,
	private_mif_backend_t *this, const mif_key_t *key, uint16_t fid)
{
	mif_flow_status_t status = MIF_FLOW_FID_NOT_FOUND;
	mif_changes_t changes;
	mif_session_t *session;
	int idx;

	if (!mif_registry_check_key(key))
	{
		return MIF_FLOW_REJECTED;
	}
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (session && mif_session_get_flow(session, fid, &idx))
	{
		remove_flow(session, idx, &changes);
		mif_registry_drop_if_empty(&this->registry, session, &changes);
		status = MIF_FLOW_OK;
	}
	unlock_and_publish(this, &changes);
	return status;
}

METHOD(mif_backend_t, refresh_flows, mif_flow_status_t,
	private_mif_backend_t *this, const mif_key_t *key, const uint16_t *fids,
	u_int count)
{
	mif_flow_status_t status = MIF_FLOW_OK;
	mif_changes_t changes;
	mif_session_t *session;
	u_int i, j;
	bool keep;

	if (!mif_registry_check_key(key) || (count && !fids))
	{
		return MIF_FLOW_REJECTED;
	}
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (!session)
	{
		status = count ? MIF_FLOW_FID_NOT_FOUND : MIF_FLOW_OK;
	}
	for (i = 0; session && i < count; i++)
	{
		if (!mif_session_get_flow(session, fids[i], NULL))
		{
			status = MIF_FLOW_FID_NOT_FOUND;
			break;
		}
	}
	if (session && status == MIF_FLOW_OK)
	{
		for (i = mif_session_nflows(session); i-- > 0;)
		{
			keep = FALSE;
			for (j = 0; j < count && !keep; j++)
			{
				keep = mif_session_flows(session)[i].fid == fids[j];
			}
			if (!keep)
			{
				remove_flow(session, i, &changes);
			}
		}
		mif_registry_drop_if_empty(&this->registry, session, &changes);
	}
	unlock_and_publish(this, &changes);
	return status;
}

METHOD(mif_backend_t, get_flows, int,
	private_mif_backend_t *this, const mif_key_t *key, mif_flow_t *out,
	u_int max)
{
	mif_session_t *session;
	int i, count = -1;

	if (!mif_registry_check_key(key))
	{
		return -1;
	}
	this->lock->read_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (session)
	{
		count = mif_session_nflows(session);
		for (i = 0; i < count && i < max; i++)
		{
			out[i] = mif_session_flows(session)[i];
			mif_session_update_active(session, &out[i]);
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, select_, int,
	private_mif_backend_t *this, const mif_key_t *key, const mif_packet_t *pkt,
	mif_flow_action_t *action, uint16_t *bids, u_int max)
{
	mif_session_t *session;
	int count = -1;

	if (!mif_registry_check_key(key) || !pkt)
	{
		return -1;
	}
	this->lock->read_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (session)
	{
		count = mif_flow_select(session, pkt, action, bids, max);
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, attach_sa, bool,
	private_mif_backend_t *this, const mif_key_t *key, const mif_sa_ref_t *ref)
{
	mif_sa_table_t *sas = this->registry.sas;
	mif_changes_t changes;
	mif_session_t *session;
	mif_change_t *change;
	bool conflict, attached = FALSE;

	if (!mif_registry_check_key(key) || !ref || !mif_sa_table_check_ref(ref))
	{
		DBG1(DBG_CFG, "mif: rejecting invalid SA reference");
		return FALSE;
	}
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, &conflict);
	if (!conflict && !sas->find(sas, ref))
	{
		if (!session)
		{
			session = create_session(this, key, 0, &changes);
		}
		sas->add(sas, session, ref);
		change = mif_changes_add(&changes, MIF_CHANGE_SA, MIF_EVENT_ADDED,
								 session);
		if (change)
		{
			change->sa = *ref;
		}
		attached = TRUE;
	}
	unlock_and_publish(this, &changes);
	return attached;
}

METHOD(mif_backend_t, detach_sa, bool,
	private_mif_backend_t *this, const mif_sa_ref_t *ref)
{
	mif_sa_table_t *sas = this->registry.sas;
	mif_changes_t changes;
	mif_session_t *session;
	mif_sa_entry_t *sa;

	if (!ref || !mif_sa_table_check_ref(ref))
	{
		return FALSE;
	}
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	sa = sas->find(sas, ref);
	if (sa)
	{
		session = sa->session;
		sas->remove(sas, sa, MIF_EVENT_REMOVED, &changes);
		mif_registry_drop_if_empty(&this->registry, session, &changes);
	}
	unlock_and_publish(this, &changes);
	return sa != NULL;
}

METHOD(mif_backend_t, detach_ike_sa, u_int,
	private_mif_backend_t *this, uint32_t ike_id)
{
	mif_sa_table_t *sas = this->registry.sas;
	mif_changes_t changes;
	mif_session_t *session;
	mif_sa_entry_t *sa;
	u_int count = 0;

	if (!ike_id)
	{
		return 0;
	}
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	while ((sa = sas->find_ike(sas, ike_id)))
	{
		session = sa->session;
		sas->remove(sas, sa, MIF_EVENT_REMOVED, &changes);
		mif_registry_drop_if_empty(&this->registry, session, &changes);
		count++;
	}
	unlock_and_publish(this, &changes);
	return count;
}

METHOD(mif_backend_t, remove_sessions_with, u_int,
	private_mif_backend_t *this, mif_sa_type_t type)
{
	mif_changes_t changes;
	mif_session_t *session;
	hashtable_t *victims;
	enumerator_t *enumerator;
	u_int i, count;

	victims = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8);
	this->notifier->begin(this->notifier, &changes);
	this->lock->write_lock(this->lock);
	/* sessions with SA references hold bindings (SA-only sessions are not
	 * created by any caller), so the binding heap reaches them all */
	for (i = 0; i < this->registry.heap.count; i++)
	{
		session = this->registry.heap.items[i]->session;
		if (mif_sa_table_has_type(session, type))
		{
			victims->put(victims, session, session);
		}
	}
	count = victims->get_count(victims);
	enumerator = victims->create_enumerator(victims);
	while (enumerator->enumerate(enumerator, NULL, &session))
	{
		mif_registry_remove_session(&this->registry, session, &changes);
	}
	enumerator->destroy(enumerator);
	unlock_and_publish(this, &changes);
	victims->destroy(victims);
	return count;
}

METHOD(mif_backend_t, find_by_spi, bool,
	private_mif_backend_t *this, uint32_t spi, mif_sa_ref_t *ref,
	mif_addr_t *hoa)
{
	mif_sa_entry_t *found;

	if (!spi)
	{
		return FALSE;
	}
	this->lock->read_lock(this->lock);
	found = this->registry.sas->find_spi(this->registry.sas, spi);
	if (found)
	{
		if (ref)
		{
			*ref = found->ref;
		}
		if (hoa)
		{
			*hoa = found->session->hoa;
		}
	}
	this->lock->unlock(this->lock);
	return found != NULL;
}

METHOD(mif_backend_t, get_sas, int,
	private_mif_backend_t *this, const mif_key_t *key, mif_sa_ref_t *out,
	u_int max)
{
	mif_session_t *session;
	mif_sa_entry_t *sa;
	int i, count = -1;

	if (!mif_registry_check_key(key))
	{
		return -1;
	}
	this->lock->read_lock(this->lock);
	session = mif_registry_find_session(&this->registry, key, NULL);
	if (session)
	{
		count = array_count(mif_session_sas(session));
		for (i = 0; i < count && i < max; i++)
		{
			array_get(mif_session_sas(session), i, &sa);
			out[i] = sa->ref;
		}
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, add_listener, void,
	private_mif_backend_t *this, mif_listener_t *listener)
{
	this->notifier->add_listener(this->notifier, listener);
}

METHOD(mif_backend_t, remove_listener, void,
	private_mif_backend_t *this, mif_listener_t *listener)
{
	this->notifier->remove_listener(this->notifier, listener);
}

METHOD(mif_backend_t, expire, u_int,
	private_mif_backend_t *this, time_t now)
{
	mif_changes_t changes;
	mif_session_t *session;
	mif_entry_t *entry;
	u_int n, total = 0;

	do
	{
		this->notifier->begin(this->notifier, &changes);
		this->lock->write_lock(this->lock);
		for (n = 0; n < EXPIRE_BATCH; n++)
		{
			entry = mif_heap_peek(&this->registry.heap);
			if (!entry || entry->b.expires > now)
			{
				break;
			}
			session = entry->session;
			mif_registry_remove_entry(&this->registry, entry, MIF_EVENT_EXPIRED, &changes);
			mif_registry_drop_if_empty(&this->registry, session, &changes);
		}
		unlock_and_publish(this, &changes);
		total += n;
	}
	while (n == EXPIRE_BATCH);

	if (total)
	{
		DBG2(DBG_CFG, "mif: %u binding%s expired", total, total == 1 ? "" : "s");
	}
	return total;
}

/**
 * Enumerator over all bindings
 */
typedef struct {
	/** public interface */
	enumerator_t public;
	/** backend, read-locked */
	private_mif_backend_t *backend;
	/** position in the heap array */
	u_int pos;
	/** copy handed out */
	mif_binding_t current;
} binding_enumerator_t;

METHOD(enumerator_t, enumerate_bindings, bool,
	binding_enumerator_t *this, va_list args)
{
	mif_binding_t **out;

	VA_ARGS_VGET(args, out);
	if (this->pos >= this->backend->registry.heap.count)
	{
		return FALSE;
	}
	this->current = this->backend->registry.heap.items[this->pos++]->b;
	*out = &this->current;
	return TRUE;
}

METHOD(enumerator_t, destroy_bindings, void,
	binding_enumerator_t *this)
{
	this->backend->lock->unlock(this->backend->lock);
	free(this);
}

METHOD(mif_backend_t, create_enumerator, enumerator_t*,
	private_mif_backend_t *this)
{
	binding_enumerator_t *enumerator;

	INIT(enumerator,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _enumerate_bindings,
			.destroy = _destroy_bindings,
		},
		.backend = this,
	);
	this->lock->read_lock(this->lock);
	return &enumerator->public;
}

METHOD(mif_backend_t, get_count, u_int,
	private_mif_backend_t *this, u_int *sessions)
{
	u_int count;

	this->lock->read_lock(this->lock);
	count = this->registry.heap.count;
	if (sessions)
	{
		*sessions = this->registry.sessions;
	}
	this->lock->unlock(this->lock);
	return count;
}

METHOD(mif_backend_t, flush, bool,
	private_mif_backend_t *this)
{
	return this->notifier->flush(this->notifier);
}

/**
 * Release a reference to the expiry timer state
 */
static void timer_unref(expiry_timer_t *timer)
{
	if (ref_put(&timer->refs))
	{
		timer->mutex->destroy(timer->mutex);
		free(timer);
	}
}

CALLBACK(expiry_job, job_requeue_t,
	expiry_timer_t *timer)
{
	private_mif_backend_t *this;

	timer->mutex->lock(timer->mutex);
	this = timer->backend;
	if (!this)
	{
		timer->mutex->unlock(timer->mutex);
		return JOB_REQUEUE_NONE;
	}
	expire(this, time_monotonic(NULL));
	flush(this);
	timer->mutex->unlock(timer->mutex);
	return JOB_RESCHEDULE_MS(timer->interval);
}

CALLBACK(expiry_job_cleanup, void,
	expiry_timer_t *timer)
{
	timer_unref(timer);
}

METHOD(mif_backend_t, destroy, void,
	private_mif_backend_t *this)
{
	if (this->timer)
	{
		this->timer->mutex->lock(this->timer->mutex);
		this->timer->backend = NULL;
		this->timer->mutex->unlock(this->timer->mutex);
		timer_unref(this->timer);
	}
	flush(this);
	mif_registry_deinit(&this->registry);
	this->notifier->destroy(this->notifier);
	DESTROY_IF(this->store);
	this->lock->destroy(this->lock);
	free(this);
}

/*
 * Described in header
 */
mif_backend_t *mif_backend_create(const mif_config_t *config,
								  mif_store_t *store)
{
	private_mif_backend_t *this;

	INIT(this,
		.public = {
			.registration = _registration,
			.deregister = _deregister,
			.remove_session = _remove_session_,
			.set_state = _set_state,
			.get_binding = _get_binding,
			.get_bindings = _get_bindings,
			.find_by_coa = _find_by_coa,
			.find_by_interface = _find_by_interface,
			.get_seq = _get_seq,
			.set_flow = _set_flow,
			.remove_flow = _remove_flow_,
			.refresh_flows = _refresh_flows,
			.get_flows = _get_flows,
			.select = _select_,
			.attach_sa = _attach_sa,
			.detach_sa = _detach_sa,
			.detach_ike_sa = _detach_ike_sa,
			.remove_sessions_with = _remove_sessions_with,
			.find_by_spi = _find_by_spi,
			.get_sas = _get_sas,
			.add_listener = _add_listener,
			.remove_listener = _remove_listener,
			.expire = _expire,
			.create_enumerator = _create_enumerator,
			.get_count = _get_count,
			.flush = _flush,
			.destroy = _destroy,
		},
		.store = store,
		.lock = rwlock_create(RWLOCK_TYPE_DEFAULT),
		.notifier = mif_notifier_create(store),
	);
	if (config)
	{
		this->config = *config;
	}
	if (!this->config.max_lifetime ||
		this->config.max_lifetime > MIF_LIFETIME_MAX)
	{
		this->config.max_lifetime = MIF_LIFETIME_MAX;
	}
	mif_registry_init(&this->registry);

	if (store && !mif_loader_load(&this->registry, store))
	{
		DBG1(DBG_CFG, "mif: loading persisted bindings failed");
		destroy(this);
		return NULL;
	}
	if (this->config.expiry_interval && lib->scheduler)
	{
		INIT(this->timer,
			.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
			.backend = this,
			.interval = this->config.expiry_interval,
			.refs = 2,
		);
		lib->scheduler->schedule_job_ms(lib->scheduler,
					(job_t*)callback_job_create(expiry_job, this->timer,
												expiry_job_cleanup, NULL),
					this->config.expiry_interval);
	}
	return &this->public;
}
