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

#include "mif_loader.h"

#include <time.h>

#include <collections/hashtable.h>
#include <utils/debug.h>

typedef struct private_mif_loader_t private_mif_loader_t;

/**
 * Loader state while restoring from the store.
 */
struct private_mif_loader_t {

	/**
	 * Callbacks the store calls, public interface
	 */
	mif_store_loader_t public;

	/**
	 * Registry to fill
	 */
	mif_registry_t *registry;

	/**
	 * Sessions by store ID
	 */
	hashtable_t *sids;

	/**
	 * Expired bindings to delete from the store, as (sid << 16 | bid)
	 */
	array_t *stale;

	/**
	 * Monotonic time of loading
	 */
	time_t mono;

	/**
	 * Wall clock time of loading
	 */
	time_t wall;
};

static u_int hash_sid(const void *key)
{
	return chunk_hash(chunk_create((u_char*)key, sizeof(uint64_t)));
}

static bool equals_sid(const void *a, const void *b)
{
	return *(const uint64_t*)a == *(const uint64_t*)b;
}

METHOD(mif_store_loader_t, load_session, bool,
	private_mif_loader_t *this, uint64_t sid, const mif_addr_t *hoa,
	const char *id, uint16_t seq)
{
	mif_registry_t *registry = this->registry;
	mif_key_t key = { .id = id };
	mif_session_t *session;

	if (hoa)
	{
		key.hoa = *hoa;
	}
	if (!sid || !mif_registry_check_key(&key) ||
		mif_registry_find_session(registry, &key, NULL) ||
		this->sids->get(this->sids, &sid))
	{
		DBG1(DBG_CFG, "mif: ignoring invalid or duplicate stored session %llu",
			 (unsigned long long)sid);
		return TRUE;
	}
	session = mif_registry_add_session(registry, &key.hoa, id, sid, seq);
	this->sids->put(this->sids, &session->sid, session);
	registry->next_sid = max(registry->next_sid, sid + 1);
	return TRUE;
}

METHOD(mif_store_loader_t, load_binding, bool,
	private_mif_loader_t *this, uint64_t sid, const mif_binding_t *binding,
	time_t expires)
{
	mif_session_t *session;
	mif_binding_t restored;
	mif_reg_entry_t check = {
		.bid = binding->bid,
		.prio = binding->prio,
		.lifetime = binding->lifetime,
		.coa = binding->coa,
		.remote = binding->remote,
		.state = binding->state,
		.flags = binding->flags,
	};

	memcpy(check.ifname, binding->ifname, MIF_IFNAME_LEN);
	session = this->sids->get(this->sids, &sid);
	if (!session ||
		mif_registry_check_entry(&check) != MIF_STATUS_ACCEPTED ||
		!binding->coa.family || mif_session_get_entry(session, binding->bid))
	{
		DBG1(DBG_CFG, "mif: ignoring invalid stored binding %u of session "
			 "%llu", binding->bid, (unsigned long long)sid);
		return TRUE;
	}
	if (expires <= this->wall)
	{
		array_insert_create_value(&this->stale, sizeof(uint64_t), ARRAY_TAIL,
								  &(uint64_t){ sid << 16 | binding->bid });
		return TRUE;
	}
	restored = *binding;
	restored.expires = this->mono + (expires - this->wall);
	mif_registry_add_entry(this->registry, session, &restored);
	return TRUE;
}

METHOD(mif_store_loader_t, load_flow, bool,
	private_mif_loader_t *this, uint64_t sid, const mif_flow_t *flow)
{
	mif_session_t *session;

	session = this->sids->get(this->sids, &sid);
	if (!session || mif_flow_check(flow) != MIF_FLOW_OK ||
		mif_session_get_flow(session, flow->fid, NULL))
	{
		DBG1(DBG_CFG, "mif: ignoring invalid stored flow %u of session %llu",
			 flow->fid, (unsigned long long)sid);
		return TRUE;
	}
	mif_session_put_flow(session, flow);
	return TRUE;
}

METHOD(mif_store_loader_t, load_sa, bool,
	private_mif_loader_t *this, uint64_t sid, const mif_sa_ref_t *ref)
{
	mif_sa_table_t *sas = this->registry->sas;
	mif_session_t *session;

	session = this->sids->get(this->sids, &sid);
	if (!session || !mif_sa_table_check_ref(ref) || sas->find(sas, ref))
	{
		DBG1(DBG_CFG, "mif: ignoring invalid stored SA reference of session "
			 "%llu", (unsigned long long)sid);
		return TRUE;
	}
	sas->add(sas, session, ref);
	return TRUE;
}

/*
 * Described in header
 */
bool mif_loader_load(mif_registry_t *registry, mif_store_t *store)
{
	private_mif_loader_t loader = {
		.public = {
			.session = _load_session,
			.binding = _load_binding,
			.flow = _load_flow,
			.sa = _load_sa,
		},
		.registry = registry,
		.sids = hashtable_create(hash_sid, equals_sid, 64),
		.mono = time_monotonic(NULL),
		.wall = time(NULL),
	};
	enumerator_t *enumerator;
	mif_session_t *session;
	array_t *empty = NULL;
	uint64_t *sid, stale;
	u_int dropped = 0;
	bool ok;

	ok = store->load(store, &loader.public);
	while (array_remove(loader.stale, ARRAY_HEAD, &stale))
	{
		store->del_binding(store, stale >> 16, stale & 0xffff);
		dropped++;
	}
	array_destroy(loader.stale);
	enumerator = loader.sids->create_enumerator(loader.sids);
	while (enumerator->enumerate(enumerator, &sid, &session))
	{
		if (mif_session_is_empty(session))
		{
			array_insert_create(&empty, ARRAY_TAIL, session);
		}
	}
	enumerator->destroy(enumerator);
	loader.sids->destroy(loader.sids);
	while (array_remove(empty, ARRAY_HEAD, &session))
	{
		store->del_session(store, session->sid);
		mif_registry_remove_session(registry, session, &(mif_changes_t){});
	}
	array_destroy(empty);
	store->flush(store);
	DBG1(DBG_CFG, "mif: restored %u bindings in %u sessions, %u expired "
		 "while down", registry->heap.count, registry->sessions, dropped);
	return ok;
}
