/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dp_flow mif_dp_flow
 * @{ @ingroup mif
 */

#ifndef MIF_DP_FLOW_H_
#define MIF_DP_FLOW_H_

#include <library.h>
#include <selectors/traffic_selector.h>

#include <netlink/netlink.h>

typedef struct mif_dp_flow_t mif_dp_flow_t;

/**
 * The rule steering one flow (RFC 6089 flow binding, doc/protocol.md
 * §6.5) to one path: destination net, protocol and destination ports of
 * the flow's selector select the path's own table, whose default route
 * leaves through the path. Needs a 4.17+ kernel for ipproto/dport rules.
 * Not thread-safe: used under the data plane's mutex.
 */
struct mif_dp_flow_t {

	/**
	 * Flow ID.
	 *
	 * @return			flow ID, 1..65535
	 */
	uint16_t (*get_fid)(mif_dp_flow_t *this);

	/**
	 * Binding ID of the path the flow is steered to.
	 *
	 * @return			binding ID
	 */
	uint16_t (*get_bid)(mif_dp_flow_t *this);

	/**
	 * Remove the rule and destroy.
	 */
	void (*destroy)(mif_dp_flow_t *this);
};

/**
 * Install the rule of a flow.
 *
 * @param sock		rtnetlink socket, used under the caller's lock
 * @param prio		priority of flow rules
 * @param fid		flow ID
 * @param bid		binding ID of the path
 * @param ts		flow's selector: destination net, protocol, ports
 * @param table		the path's table
 * @return			instance, NULL if the rule could not be installed
 */
mif_dp_flow_t *mif_dp_flow_create(struct nl_sock *sock, uint32_t prio,
								  uint16_t fid, uint16_t bid,
								  traffic_selector_t *ts, uint32_t table);

#endif /** MIF_DP_FLOW_H_ @}*/
