/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_conn.h"

#include <library.h>

ENUM(mif_path_state_names, MIF_PATH_ANNOUNCED, MIF_PATH_REMOVING,
	"ANNOUNCED",
	"CHECKING",
	"CHILD",
	"ACTIVE",
	"DEAD",
	"REMOVING",
);

/**
 * Default number of paths we accept per IKE SA.
 */
#define MIF_DEFAULT_MAX_PATHS 8

/*
 * Described in header
 */
void mif_conn_key(ike_sa_t *ike_sa, uint32_t chain, mif_key_t *key,
				  char *buf, size_t len)
{
	snprintf(buf, len, "%Y#%u", ike_sa->get_other_id(ike_sa), chain);
	*key = (mif_key_t){ .id = buf };
}

/*
 * Described in header
 */
mif_conn_t *mif_conn_create(ike_sa_t *ike_sa, bool initiator)
{
	mif_conn_t *conn;
	rng_t *rng;

	INIT(conn,
		.ike_id = ike_sa->get_unique_id(ike_sa),
		.id = ike_sa->get_unique_id(ike_sa),
		.name = strdup(ike_sa->get_name(ike_sa)),
		.initiator = initiator,
		.mine = {
			.version = MIF_MSG_VERSION,
			.flags = MIF_SUPPORTED_TRANSPORT | MIF_SUPPORTED_FLOWS,
			.max_paths = lib->settings->get_int(lib->settings,
								"%s.plugins.mif.max_paths",
								MIF_DEFAULT_MAX_PATHS, lib->ns),
			.probe_port = lib->settings->get_int(lib->settings,
								"%s.plugins.mif.probe_port", 4501, lib->ns),
		},
		.next_bid = 2,
		.paths = array_create(0, 0),
		.routes = linked_list_create(),
		.answers = array_create(sizeof(chunk_t), 0),
		.deletes = array_create(sizeof(mif_conn_delete_t), 0),
	);
	conn->mine.max_paths = max(1, min(conn->mine.max_paths,
									  MIF_MSG_MAX_PATHS));
	rng = lib->crypto->create_rng(lib->crypto, RNG_STRONG);
	if (!rng || !rng->get_bytes(rng, sizeof(conn->mine.seed),
								conn->mine.seed))
	{
		DESTROY_IF(rng);
		mif_conn_destroy(conn);
		return NULL;
	}
	rng->destroy(rng);
	return conn;
}

/*
 * Described in header
 */
bool mif_conn_derive_keys(mif_conn_t *conn, ike_sa_t *ike_sa)
{
	ike_sa_id_t *id = ike_sa->get_id(ike_sa);
	chunk_t mine = chunk_from_thing(conn->mine.seed);
	chunk_t peer = chunk_from_thing(conn->peer.seed);

	conn->spi_i = id->get_initiator_spi(id);
	conn->spi_r = id->get_responder_spi(id);
	chunk_clear(&conn->key_tx);
	chunk_clear(&conn->key_rx);
	return mif_msg_derive_probe_key(mine, peer, conn->spi_i, conn->spi_r,
									&conn->key_tx) == MIF_MSG_OK &&
		   mif_msg_derive_probe_key(peer, mine, conn->spi_i, conn->spi_r,
									&conn->key_rx) == MIF_MSG_OK;
}

/*
 * Described in header
 */
mif_path_t *mif_conn_get_path(mif_conn_t *conn, uint16_t bid)
{
	mif_path_t *path;
	int i;

	for (i = 0; i < array_count(conn->paths); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->bid == bid)
		{
			return path;
		}
	}
	return NULL;
}

/*
 * Described in header
 */
mif_path_t *mif_conn_find_local(mif_conn_t *conn, host_t *local)
{
	mif_path_t *path;
	int i;

	for (i = 0; i < array_count(conn->paths); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->local->ip_equals(path->local, local))
		{
			return path;
		}
	}
	return NULL;
}

/*
 * Described in header
 */
mif_path_t *mif_conn_find_pair(mif_conn_t *conn, host_t *local,
							   host_t *remote)
{
	mif_path_t *path;
	int i;

	for (i = 0; i < array_count(conn->paths); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->local->ip_equals(path->local, local) &&
			path->remote->ip_equals(path->remote, remote))
		{
			return path;
		}
	}
	return NULL;
}

/*
 * Described in header
 */
mif_path_t *mif_conn_find_child(mif_conn_t *conn, uint32_t child_id)
{
	mif_path_t *path;
	int i;

	for (i = 0; child_id && i < array_count(conn->paths); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->child_id == child_id)
		{
			return path;
		}
	}
	return NULL;
}

/*
 * Described in header
 */
uint16_t mif_conn_next_bid(mif_conn_t *conn)
{
	u_int i;

	/* one pass over the half at most; it holds far more BIDs than paths */
	for (i = 0; i < 0x7ffe; i++)
	{
		if (conn->next_bid < 2 || conn->next_bid >= 0x8000)
		{
			conn->next_bid = 2;
		}
		if (!mif_conn_get_path(conn, conn->next_bid))
		{
			return conn->next_bid++;
		}
		conn->next_bid++;
	}
	return 0;
}

/*
 * Described in header
 */
void mif_path_set_state(mif_path_t *path, mif_path_state_t state)
{
	path->state = state;
	time_monotonic(&path->since);
}

/*
 * Described in header
 */
mif_path_t *mif_conn_add_path(mif_conn_t *conn, uint16_t bid, host_t *local,
							  host_t *remote)
{
	mif_path_t *path;

	INIT(path,
		.bid = bid,
		.local = local,
		.remote = remote,
		.prio = 64,
		.reply_budget = 2,
	);
	time_monotonic(&path->since);
	local->set_port(local, 0);
	remote->set_port(remote, 0);
	array_insert(conn->paths, ARRAY_TAIL, path);
	return path;
}

static void path_destroy(mif_path_t *path)
{
	path->local->destroy(path->local);
	path->remote->destroy(path->remote);
	memwipe(path->cookie, sizeof(path->cookie));
	memwipe(path->live_cookies, sizeof(path->live_cookies));
	free(path);
}

/*
 * Described in header
 */
void mif_conn_remove_path(mif_conn_t *conn, uint16_t bid)
{
	mif_path_t *path;
	int i;

	for (i = 0; i < array_count(conn->paths); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->bid == bid)
		{
			array_remove(conn->paths, i, NULL);
			path_destroy(path);
			return;
		}
	}
}

/*
 * Described in header
 */
void mif_conn_answer(mif_conn_t *conn, uint32_t mid, notify_type_t type,
					 chunk_t data)
{
	chunk_t answer;
	uint16_t t = htons(type);

	if (conn->answer_mid != mid)
	{
		while (array_remove(conn->answers, ARRAY_HEAD, &answer))
		{
			chunk_free(&answer);
		}
		conn->answer_mid = mid;
	}
	answer = chunk_cat("cc", chunk_from_thing(t), data);
	array_insert(conn->answers, ARRAY_TAIL, &answer);
}

/*
 * Described in header
 */
void mif_conn_set_ike_path(mif_conn_t *conn, host_t *local, host_t *remote)
{
	DESTROY_IF(conn->ike_local);
	DESTROY_IF(conn->ike_remote);
	conn->ike_local = local->clone(local);
	conn->ike_remote = remote->clone(remote);
	conn->ike_local->set_port(conn->ike_local, 0);
	conn->ike_remote->set_port(conn->ike_remote, 0);
}

/*
 * Described in header
 */
void mif_conn_destroy(mif_conn_t *conn)
{
	mif_path_t *path;
	chunk_t answer;

	while (array_remove(conn->paths, ARRAY_HEAD, &path))
	{
		path_destroy(path);
	}
	array_destroy(conn->paths);
	while (array_remove(conn->answers, ARRAY_HEAD, &answer))
	{
		chunk_free(&answer);
	}
	array_destroy(conn->answers);
	array_destroy(conn->deletes);
	conn->routes->destroy_offset(conn->routes,
								 offsetof(traffic_selector_t, destroy));
	DESTROY_IF(conn->src);
	DESTROY_IF(conn->ike_local);
	DESTROY_IF(conn->ike_remote);
	chunk_clear(&conn->key_tx);
	chunk_clear(&conn->key_rx);
	memwipe(conn->mine.seed, sizeof(conn->mine.seed));
	free(conn->peer_id);
	free(conn->name);
	free(conn);
}
