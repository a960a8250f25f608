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

#include "mif_sa_table.h"
#include "mif_index.h"

typedef struct private_mif_sa_table_t private_mif_sa_table_t;

/**
 * SA reference entry with index chains, the public part of which is
 * mif_sa_entry_t
 */
typedef struct {
	/** public part, must be first */
	mif_sa_entry_t e;
	/** chain in by_spi_in */
	void *next_spi_in;
	/** chain in by_spi_out */
	void *next_spi_out;
	/** chain in by_ike */
	void *next_ike;
} sa_entry_t;

/**
 * Private data of a mif_sa_table_t object.
 */
struct private_mif_sa_table_t {

	/**
	 * Public interface.
	 */
	mif_sa_table_t public;

	/**
	 * SA references by inbound SPI
	 */
	mif_index_t by_spi_in;

	/**
	 * SA references by outbound SPI
	 */
	mif_index_t by_spi_out;

	/**
	 * SA references by IKE unique ID
	 */
	mif_index_t by_ike;

	/**
	 * Hash seed
	 */
	uint64_t seed;
};

/**
 * Hash a 32-bit value
 */
static inline uint32_t hash32(uint32_t v, uint64_t seed)
{
	uint64_t h = seed ^ v;

	h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdULL;
	h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(h ^ (h >> 33));
}

static uint32_t rehash_spi_in(void *item, void *ctx)
{
	private_mif_sa_table_t *this = ctx;

	return hash32(((sa_entry_t*)item)->e.ref.spi_in, this->seed);
}

static uint32_t rehash_spi_out(void *item, void *ctx)
{
	private_mif_sa_table_t *this = ctx;

	return hash32(((sa_entry_t*)item)->e.ref.spi_out, this->seed);
}

static uint32_t rehash_ike(void *item, void *ctx)
{
	private_mif_sa_table_t *this = ctx;

	return hash32(((sa_entry_t*)item)->e.ref.ike_id, this->seed);
}

/*
 * Described in header
 */
bool mif_sa_table_check_ref(const mif_sa_ref_t *ref)
{
	switch (ref->type)
	{
		case MIF_SA_IKE:
			return ref->ike_id && !ref->spi_in && !ref->spi_out;
		case MIF_SA_CHILD:
		case MIF_SA_RFC6618:
			return ref->spi_in != 0;
		default:
			return FALSE;
	}
}

/*
 * Described in header
 */
bool mif_sa_table_has_type(mif_session_t *session, mif_sa_type_t type)
{
	array_t *sas = mif_session_sas(session);
	mif_sa_entry_t *sa;
	int i;

	for (i = 0; i < array_count(sas); i++)
	{
		array_get(sas, i, &sa);
		if (sa->ref.type == type)
		{
			return TRUE;
		}
	}
	return FALSE;
}

METHOD(mif_sa_table_t, add, void,
	private_mif_sa_table_t *this, mif_session_t *session,
	const mif_sa_ref_t *ref)
{
	sa_entry_t *sa;

	INIT(sa,
		.e = {
			.ref = *ref,
			.session = session,
		},
	);
	array_insert_create(&mif_session_get_ext(session)->sas, ARRAY_TAIL, sa);
	if (sa->e.ref.spi_in)
	{
		mif_index_insert(&this->by_spi_in, sa,
						 hash32(sa->e.ref.spi_in, this->seed));
	}
	if (sa->e.ref.spi_out)
	{
		mif_index_insert(&this->by_spi_out, sa,
						 hash32(sa->e.ref.spi_out, this->seed));
	}
	if (sa->e.ref.ike_id)
	{
		mif_index_insert(&this->by_ike, sa,
						 hash32(sa->e.ref.ike_id, this->seed));
	}
}

METHOD(mif_sa_table_t, find, mif_sa_entry_t*,
	private_mif_sa_table_t *this, const mif_sa_ref_t *ref)
{
	sa_entry_t *sa;

	if (ref->type == MIF_SA_IKE)
	{
		for (sa = mif_index_first(&this->by_ike, hash32(ref->ike_id,
														this->seed));
			 sa; sa = sa->next_ike)
		{
			if (sa->e.ref.type == MIF_SA_IKE && sa->e.ref.ike_id == ref->ike_id)
			{
				return &sa->e;
			}
		}
		return NULL;
	}
	for (sa = mif_index_first(&this->by_spi_in, hash32(ref->spi_in,
													   this->seed));
		 sa; sa = sa->next_spi_in)
	{
		if (sa->e.ref.spi_in == ref->spi_in && sa->e.ref.type == ref->type)
		{
			return &sa->e;
		}
	}
	return NULL;
}

METHOD(mif_sa_table_t, find_ike, mif_sa_entry_t*,
	private_mif_sa_table_t *this, uint32_t ike_id)
{
	sa_entry_t *sa;

	for (sa = mif_index_first(&this->by_ike, hash32(ike_id, this->seed)); sa;
		 sa = sa->next_ike)
	{
		if (sa->e.ref.ike_id == ike_id)
		{
			return &sa->e;
		}
	}
	return NULL;
}

METHOD(mif_sa_table_t, find_spi, mif_sa_entry_t*,
	private_mif_sa_table_t *this, uint32_t spi)
{
	sa_entry_t *sa;

	for (sa = mif_index_first(&this->by_spi_in, hash32(spi, this->seed)); sa;
		 sa = sa->next_spi_in)
	{
		if (sa->e.ref.spi_in == spi)
		{
			return &sa->e;
		}
	}
	for (sa = mif_index_first(&this->by_spi_out, hash32(spi, this->seed)); sa;
		 sa = sa->next_spi_out)
	{
		if (sa->e.ref.spi_out == spi)
		{
			return &sa->e;
		}
	}
	return NULL;
}

METHOD(mif_sa_table_t, remove_, void,
	private_mif_sa_table_t *this, mif_sa_entry_t *entry, mif_event_t event,
	mif_changes_t *changes)
{
	sa_entry_t *sa = (sa_entry_t*)entry;
	mif_session_t *session = sa->e.session;
	mif_change_t *change;
	sa_entry_t *cur;
	int i;

	if (sa->e.ref.spi_in)
	{
		mif_index_remove(&this->by_spi_in, sa,
						 hash32(sa->e.ref.spi_in, this->seed));
	}
	if (sa->e.ref.spi_out)
	{
		mif_index_remove(&this->by_spi_out, sa,
						 hash32(sa->e.ref.spi_out, this->seed));
	}
	if (sa->e.ref.ike_id)
	{
		mif_index_remove(&this->by_ike, sa,
						 hash32(sa->e.ref.ike_id, this->seed));
	}
	for (i = 0; i < array_count(mif_session_sas(session)); i++)
	{
		array_get(mif_session_sas(session), i, &cur);
		if (cur == sa)
		{
			array_remove(mif_session_sas(session), i, NULL);
			break;
		}
	}
	change = mif_changes_add(changes, MIF_CHANGE_SA, event, session);
	if (change)
	{
		change->sa = sa->e.ref;
	}
	free(sa);
}

METHOD(mif_sa_table_t, destroy, void,
	private_mif_sa_table_t *this)
{
	mif_index_free(&this->by_spi_in);
	mif_index_free(&this->by_spi_out);
	mif_index_free(&this->by_ike);
	free(this);
}

/*
 * Described in header
 */
mif_sa_table_t *mif_sa_table_create(uint64_t seed)
{
	private_mif_sa_table_t *this;

	INIT(this,
		.public = {
			.add = _add,
			.find = _find,
			.find_ike = _find_ike,
			.find_spi = _find_spi,
			.remove = _remove_,
			.destroy = _destroy,
		},
		.seed = seed,
	);
	mif_index_init(&this->by_spi_in, offsetof(sa_entry_t, next_spi_in),
				   rehash_spi_in, this);
	mif_index_init(&this->by_spi_out, offsetof(sa_entry_t, next_spi_out),
				   rehash_spi_out, this);
	mif_index_init(&this->by_ike, offsetof(sa_entry_t, next_ike),
				   rehash_ike, this);
	return &this->public;
}
