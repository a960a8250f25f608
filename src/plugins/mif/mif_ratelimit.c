/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_ratelimit.h"

#include <collections/hashtable.h>

typedef struct private_mif_ratelimit_t private_mif_ratelimit_t;

/**
 * Private data.
 */
struct private_mif_ratelimit_t {

	/**
	 * Public interface.
	 */
	mif_ratelimit_t public;

	/**
	 * bucket_t by address.
	 */
	hashtable_t *buckets;

	/**
	 * Capacity and refill rate, in thousandths of a token (per ms).
	 */
	u_int full, rate;

	/**
	 * Addresses tracked at most.
	 */
	u_int max;
};

/**
 * One address's bucket.
 */
typedef struct {
	/** address, port 0 (the hashtable key is its address chunk) */
	host_t *addr;
	/** thousandths of a token */
	u_int credit;
} bucket_t;

static u_int hash_addr(host_t *addr)
{
	return chunk_hash(addr->get_address(addr));
}

static bool equals_addr(host_t *a, host_t *b)
{
	return a->ip_equals(a, b);
}

static void bucket_destroy(bucket_t *bucket)
{
	bucket->addr->destroy(bucket->addr);
	free(bucket);
}

METHOD(mif_ratelimit_t, allow, bool,
	private_mif_ratelimit_t *this, host_t *addr)
{
	bucket_t *bucket;

	bucket = this->buckets->get(this->buckets, addr);
	if (!bucket)
	{
		if (this->buckets->get_count(this->buckets) >= this->max)
		{
			return FALSE;
		}
		INIT(bucket,
			.addr = addr->clone(addr),
			.credit = this->full,
		);
		bucket->addr->set_port(bucket->addr, 0);
		this->buckets->put(this->buckets, bucket->addr, bucket);
	}
	if (bucket->credit < 1000)
	{
		return FALSE;
	}
	bucket->credit -= 1000;
	return TRUE;
}

METHOD(mif_ratelimit_t, tick, void,
	private_mif_ratelimit_t *this, u_int ms)
{
	enumerator_t *enumerator;
	bucket_t *bucket;
	uint64_t credit;

	enumerator = this->buckets->create_enumerator(this->buckets);
	while (enumerator->enumerate(enumerator, NULL, &bucket))
	{
		credit = bucket->credit + (uint64_t)ms * this->rate;
		if (credit >= this->full)
		{	/* as a fresh address: nothing to remember */
			this->buckets->remove_at(this->buckets, enumerator);
			bucket_destroy(bucket);
			continue;
		}
		bucket->credit = credit;
	}
	enumerator->destroy(enumerator);
}

METHOD(mif_ratelimit_t, count, u_int,
	private_mif_ratelimit_t *this)
{
	return this->buckets->get_count(this->buckets);
}

METHOD(mif_ratelimit_t, destroy, void,
	private_mif_ratelimit_t *this)
{
	this->buckets->destroy_function(this->buckets, (void*)bucket_destroy);
	free(this);
}

/*
 * Described in header
 */
mif_ratelimit_t *mif_ratelimit_create(u_int burst, u_int per_second,
									  u_int max)
{
	private_mif_ratelimit_t *this;

	INIT(this,
		.public = {
			.allow = _allow,
			.tick = _tick,
			.count = _count,
			.destroy = _destroy,
		},
		.buckets = hashtable_create((hashtable_hash_t)hash_addr,
									(hashtable_equals_t)equals_addr, 32),
		.full = max(burst, 1) * 1000,
		.rate = per_second,
		.max = max,
	);
	return &this->public;
}
