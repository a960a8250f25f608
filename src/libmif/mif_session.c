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
	int i;

	for (i = 0; i < session->nflows; i++)
	{
		if (session->flows[i].fid == fid)
		{
			if (idx)
			{
				*idx = i;
			}
			return &session->flows[i];
		}
	}
	return NULL;
}

/*
 * Described in header
 */
void mif_session_remove_flow(mif_session_t *session, int idx)
{
	session->nflows--;
	memmove(&session->flows[idx], &session->flows[idx + 1],
			(session->nflows - idx) * sizeof(mif_flow_t));
	if (!session->nflows)
	{
		free(session->flows);
		session->flows = NULL;
	}
}

/*
 * Described in header
 */
bool mif_session_put_flow(mif_session_t *session, const mif_flow_t *flow)
{
	bool replaced = FALSE;
	int i;

	if (mif_session_get_flow(session, flow->fid, &i))
	{
		mif_session_remove_flow(session, i);
		replaced = TRUE;
	}
	for (i = 0; i < session->nflows; i++)
	{
		if (session->flows[i].prio > flow->prio)
		{
			break;
		}
	}
	session->flows = realloc(session->flows,
							 (session->nflows + 1) * sizeof(mif_flow_t));
	memmove(&session->flows[i + 1], &session->flows[i],
			(session->nflows - i) * sizeof(mif_flow_t));
	session->flows[i] = *flow;
	session->nflows++;
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
	return !session->bindings && !session->nflows &&
		   !array_count(session->sas);
}
