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

/**
 * @defgroup mif_flow_select mif_flow_select
 * @{ @ingroup libmif
 */

#ifndef MIF_FLOW_SELECT_H_
#define MIF_FLOW_SELECT_H_

#include "mif_session.h"

/**
 * Select the bindings of a session for a packet (RFC 6089 §4.3): the
 * first flow by priority whose selector matches decides; a flow's
 * deregistered BIDs are skipped and a flow without any registered BID is
 * inactive, so the next one decides; unmatched traffic uses the binding
 * with the best default rank (active before standby before probing, then
 * lower BID-PRI, then lower BID).
 *
 * Reads the session only; the caller holds the backend's data lock.
 *
 * @param session	session
 * @param pkt		packet description
 * @param action	receives the action (MIF_FLOW_BIDS/DROP/HOME)
 * @param bids		receives up to max BIDs to forward via
 * @param max		size of bids
 * @return			number of BIDs written
 */
int mif_flow_select(mif_session_t *session, const mif_packet_t *pkt,
					mif_flow_action_t *action, uint16_t *bids, u_int max);

#endif /** MIF_FLOW_SELECT_H_ @}*/
