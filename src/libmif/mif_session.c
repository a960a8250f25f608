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

#include "mif_session.h"

/*
 * Described in header
 */
mif_entry_t *mif_session_get_entry(mif_session_t *session, uint16_t bid)
{
	mif_entry_t *entry;

	for (entry = session->bindings; entry; entry = entry->next_sess)
	{
		if (entry->b.bid == bid)
		{
			return entry;
		}
	}
	return NULL;
}

/*
 * Described in header
 */
void mif_session_add_entry(mif_session_t *session, mif_entry_t *entry)
{
	entry->session = session;
	entry->next_sess = session->bindings;
	session->bindings = entry;
	session->count++;
}

/*
 * Described in header
 */
void mif_session_remove_entry(mif_session_t *session, mif_entry_t *entry)
{
	mif_entry_t **pos;

	for (pos = &session->bindings; *pos; pos = &(*pos)->next_sess)
	{
		if (*pos == entry)
		{
			*pos = entry->next_sess;
			entry->next_sess = NULL;
			session->count--;
			return;
		}
	}
}

/*
 * Described in header
 */
mif_flow_t *mif_session_get_flow(mif_session_t *session, uint16_t fid,
								 int *idx)
{
	mif_flow_t *flows = mif_session_flows(session);
	int i;

	for (i = 0; i < mif_session_nflows(session); i++)
	{
		if (flows[i].fid == fid)
		{
			if (idx)
			{
				*idx = i;
			}
			return &flows[i];
		}
	}
	return NULL;
}

/*
 * Described in header
 */
void mif_session_remove_flow(mif_session_t *session, int idx)
{
	mif_session_ext_t *ext = session->ext;

	ext->nflows--;
	memmove(&ext->flows[idx], &ext->flows[idx + 1],
			(ext->nflows - idx) * sizeof(mif_flow_t));
	if (!ext->nflows)
	{
		free(ext->flows);
		ext->flows = NULL;
	}
}

/*
 * Described in header
 */
bool mif_session_put_flow(mif_session_t *session, const mif_flow_t *flow)
{
	mif_session_ext_t *ext = mif_session_get_ext(session);
	bool replaced = FALSE;
	int i;

	if (mif_session_get_flow(session, flow->fid, &i))
	{
		mif_session_remove_flow(session, i);
		replaced = TRUE;
	}
	for (i = 0; i < ext->nflows; i++)
	{
		if (ext->flows[i].prio > flow->prio)
		{
			break;
		}
	}
	ext->flows = realloc(ext->flows, (ext->nflows + 1) * sizeof(mif_flow_t));
	memmove(&ext->flows[i + 1], &ext->flows[i],
			(ext->nflows - i) * sizeof(mif_flow_t));
	ext->flows[i] = *flow;
	ext->nflows++;
	return replaced;
}

/*
 * Described in header
 */
void mif_session_update_active(mif_session_t *session, mif_flow_t *flow)
{
	int i;

	flow->active = TRUE;
	if (flow->action != MIF_FLOW_BIDS)
	{
		return;
	}
	for (i = 0; i < flow->nbids; i++)
	{
		if (mif_session_get_entry(session, flow->bids[i]))
		{
			return;
		}
	}
	flow->active = FALSE;
}

/*
 * Described in header
 */
bool mif_session_is_empty(mif_session_t *session)
{
	return !session->bindings && !mif_session_nflows(session) &&
		   !array_count(mif_session_sas(session));
}

/*
 * Described in header
 */
mif_session_ext_t *mif_session_get_ext(mif_session_t *session)
{
	if (!session->ext)
	{
		INIT(session->ext);
	}
	return session->ext;
}

/*
 * Described in header
 */
void mif_session_free_ext(mif_session_t *session)
{
	if (session->ext)
	{
		free(session->ext->id);
		free(session->ext->flows);
		array_destroy(session->ext->sas);
		free(session->ext);
		session->ext = NULL;
	}
}
