/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_listener.h"
#include "mif_conn.h"

#include <daemon.h>
#include <mif_addr.h>
#include <collections/hashtable.h>
#include <threading/mutex.h>

/** the IKE SA's own path is always BID 1 of its session */
#define MIF_IKE_PATH_BID 1

typedef struct private_mif_bus_listener_t private_mif_bus_listener_t;

/**
 * Private data.
 */
struct private_mif_bus_listener_t {

	/**
	 * Public interface.
	 */
	mif_bus_listener_t public;

	/**
	 * Shared binding backend.
	 */
	mif_backend_t *backend;

	/**
	 * Lifetime of recorded bindings.
	 */
	uint32_t lifetime;

	/**
	 * Unique id of the first IKE SA of each IKE SA's rekey chain, by the
	 * IKE SA's unique id (uintptr_t both): the session key's second half.
	 */
	hashtable_t *chains;

	/**
	 * Protects chains.
	 */
	mutex_t *mutex;
};

/**
 * The session key of an IKE SA (mif_conn_key() with its chain).
 */
static void get_key(private_mif_bus_listener_t *this, ike_sa_t *ike_sa,
					mif_key_t *key, char *buf, size_t len)
{
	uintptr_t unique = ike_sa->get_unique_id(ike_sa), chain;

	this->mutex->lock(this->mutex);
	chain = (uintptr_t)this->chains->get(this->chains, (void*)unique);
	this->mutex->unlock(this->mutex);
	mif_conn_key(ike_sa, chain ?: unique, key, buf, len);
}

/**
 * Record (or move) the IKE path binding of an IKE SA.
 */
static void record_path(private_mif_bus_listener_t *this, ike_sa_t *ike_sa,
						host_t *me, host_t *other, bool overwrite)
{
	mif_reg_entry_t entry = {
		.bid = MIF_IKE_PATH_BID,
		.lifetime = this->lifetime,
		.state = MIF_BINDING_ACTIVE,
	};
	mif_reg_t req = {
		.flags = MIF_REG_AUTO_SEQ | (overwrite ? MIF_REG_OVERWRITE : 0),
		.count = 1,
		.entries = &entry,
	};
	mif_sa_ref_t ref = {
		.type = MIF_SA_IKE,
		.bid = MIF_IKE_PATH_BID,
		.ike_id = ike_sa->get_unique_id(ike_sa),
	};
	char id[BUF_LEN], *ifname = NULL;
	mif_status_t status;

	get_key(this, ike_sa, &req.key, id, sizeof(id));
	if (!mif_addr_from_host(&entry.coa, me) ||
		!mif_addr_from_host(&entry.remote, other))
	{
		DBG1(DBG_CFG, "mif: unsupported address pair %H - %H", me, other);
		return;
	}
	/* the port is part of the IKE path but not of a care-of address */
	entry.coa.port = entry.remote.port = 0;
	if (charon->kernel->get_interface(charon->kernel, me, &ifname))
	{
		strncpy(entry.ifname, ifname, sizeof(entry.ifname) - 1);
		free(ifname);
	}
	status = this->backend->registration(this->backend, &req);
	if (status != MIF_STATUS_ACCEPTED)
	{
		DBG1(DBG_CFG, "mif: recording path %H - %H of IKE_SA %s[%u] failed: "
			 "%N (%N)", me, other, ike_sa->get_name(ike_sa), ref.ike_id,
			 mif_status_names, status, mif_status_names, entry.status);
		return;
	}
	this->backend->attach_sa(this->backend, &req.key, &ref);
	DBG1(DBG_CFG, "mif: binding BID %u of '%s' for IKE_SA %s[%u]: %H === %H "
		 "(%s), lifetime %us, seq %u", entry.bid, id, ike_sa->get_name(ike_sa),
		 ref.ike_id, me, other, entry.ifname[0] ? entry.ifname : "?",
		 entry.granted, req.seq);
}

/**
 * Whether a session still references an IKE SA.
 */
static bool has_ike_sa(private_mif_bus_listener_t *this, mif_key_t *key)
{
	mif_sa_ref_t buf[16], *refs = buf;
	int i, count, max = countof(buf);
	bool found = FALSE;

	/* get_sas() returns the total, which may exceed what fits: look again
	 * with room for all of them (the total may have grown in between) */
	while ((count = this->backend->get_sas(this->backend, key, refs,
										   max)) > max)
	{
		if (refs != buf)
		{
			free(refs);
		}
		max = count;
		refs = malloc(sizeof(*refs) * max);
	}
	for (i = 0; i < count && !found; i++)
	{
		found = refs[i].type == MIF_SA_IKE;
	}
	if (refs != buf)
	{
		free(refs);
	}
	return found;
}

/**
 * Remove an IKE SA's references, and its session if no other SA uses it.
 */
static void forget_ike_sa(private_mif_bus_listener_t *this, ike_sa_t *ike_sa)
{
	mif_key_t key;
	char id[BUF_LEN];
	uint32_t unique = ike_sa->get_unique_id(ike_sa);

	get_key(this, ike_sa, &key, id, sizeof(id));
	this->mutex->lock(this->mutex);
	this->chains->remove(this->chains, (void*)(uintptr_t)unique);
	this->mutex->unlock(this->mutex);
	if (!this->backend->detach_ike_sa(this->backend, unique))
	{	/* moved to its rekeyed successor already */
		return;
	}
	if (has_ike_sa(this, &key))
	{
		return;
	}
	if (this->backend->remove_session(this->backend, &key))
	{
		DBG1(DBG_CFG, "mif: removed bindings of '%s' with IKE_SA %s[%u]",
			 id, ike_sa->get_name(ike_sa), unique);
	}
}

METHOD(listener_t, ike_updown, bool,
	private_mif_bus_listener_t *this, ike_sa_t *ike_sa, bool up)
{
	uintptr_t unique = ike_sa->get_unique_id(ike_sa);

	if (up)
	{	/* a new chain, unless rekeyed into (ike_rekey came first) */
		this->mutex->lock(this->mutex);
		if (!this->chains->get(this->chains, (void*)unique))
		{
			this->chains->put(this->chains, (void*)unique, (void*)unique);
		}
		this->mutex->unlock(this->mutex);
		record_path(this, ike_sa, ike_sa->get_my_host(ike_sa),
					ike_sa->get_other_host(ike_sa), TRUE);
	}
	else
	{
		forget_ike_sa(this, ike_sa);
	}
	return TRUE;
}

METHOD(listener_t, ike_update, bool,
	private_mif_bus_listener_t *this, ike_sa_t *ike_sa, host_t *local,
	host_t *remote)
{
	if (ike_sa->get_state(ike_sa) == IKE_ESTABLISHED)
	{
		record_path(this, ike_sa, local, remote, FALSE);
	}
	return TRUE;
}

static void child_ref(private_mif_bus_listener_t *this, ike_sa_t *ike_sa,
					  child_sa_t *child_sa, bool up);

METHOD(listener_t, ike_rekey, bool,
	private_mif_bus_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	enumerator_t *enumerator;
	child_sa_t *child_sa;
	uintptr_t chain;

	/* the new IKE SA continues the old one's session */
	this->mutex->lock(this->mutex);
	chain = (uintptr_t)this->chains->remove(this->chains,
									(void*)(uintptr_t)old->get_unique_id(old));
	this->chains->put(this->chains, (void*)(uintptr_t)new->get_unique_id(new),
					  (void*)(chain ?: old->get_unique_id(old)));
	this->mutex->unlock(this->mutex);
	record_path(this, new, new->get_my_host(new), new->get_other_host(new),
				FALSE);
	/* detaches the old IKE SA's CHILD SA references too: charon moved the
	 * CHILD SAs to the new IKE SA already (inherit_post), attach them anew
	 * under its unique id */
	this->backend->detach_ike_sa(this->backend, old->get_unique_id(old));
	enumerator = new->create_child_sa_enumerator(new);
	while (enumerator->enumerate(enumerator, &child_sa))
	{
		child_ref(this, new, child_sa, TRUE);
	}
	enumerator->destroy(enumerator);
	return TRUE;
}

/**
 * Attach or detach the SPIs of a CHILD SA to the IKE path binding.
 */
static void child_ref(private_mif_bus_listener_t *this, ike_sa_t *ike_sa,
					  child_sa_t *child_sa, bool up)
{
	mif_sa_ref_t ref = {
		.type = MIF_SA_CHILD,
		.protocol = child_sa->get_protocol(child_sa),
		.bid = MIF_IKE_PATH_BID,
		.ike_id = ike_sa->get_unique_id(ike_sa),
		.spi_in = ntohl(child_sa->get_spi(child_sa, TRUE)),
		.spi_out = ntohl(child_sa->get_spi(child_sa, FALSE)),
		.reqid = child_sa->get_reqid(child_sa),
	};
	mif_key_t key;
	char id[BUF_LEN];

	if (up)
	{
		get_key(this, ike_sa, &key, id, sizeof(id));
		if (this->backend->attach_sa(this->backend, &key, &ref))
		{
			DBG2(DBG_CFG, "mif: CHILD_SA %s{%u} SPIs %.8x_i %.8x_o on BID %u",
				 child_sa->get_name(child_sa),
				 child_sa->get_unique_id(child_sa), ref.spi_in, ref.spi_out,
				 ref.bid);
		}
	}
	else
	{
		this->backend->detach_sa(this->backend, &ref);
	}
}

METHOD(listener_t, child_updown, bool,
	private_mif_bus_listener_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	child_ref(this, ike_sa, child_sa, up);
	return TRUE;
}

METHOD(listener_t, child_rekey, bool,
	private_mif_bus_listener_t *this, ike_sa_t *ike_sa, child_sa_t *old,
	child_sa_t *new)
{
	child_ref(this, ike_sa, old, FALSE);
	child_ref(this, ike_sa, new, TRUE);
	return TRUE;
}

METHOD(mif_bus_listener_t, destroy, void,
	private_mif_bus_listener_t *this)
{
	this->chains->destroy(this->chains);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mif_bus_listener_t *mif_bus_listener_create(mif_backend_t *backend,
											uint32_t lifetime)
{
	private_mif_bus_listener_t *this;
	u_int count;

	INIT(this,
		.public = {
			.listener = {
				.ike_updown = _ike_updown,
				.ike_update = _ike_update,
				.ike_rekey = _ike_rekey,
				.child_updown = _child_updown,
				.child_rekey = _child_rekey,
			},
			.destroy = _destroy,
		},
		.backend = backend,
		.lifetime = lifetime,
		.chains = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	/* IKE SAs of a previous charon (unique ids restart at 1): their
	 * sessions, loaded from the store, are stale */
	count = backend->remove_sessions_with(backend, MIF_SA_IKE);
	if (count)
	{
		DBG1(DBG_CFG, "mif: removed %u session(s) of IKE_SAs of a previous "
			 "instance", count);
	}
	return &this->public;
}
