/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dp_settings mif_dp_settings
 * @{ @ingroup mif
 */

#ifndef MIF_DP_SETTINGS_H_
#define MIF_DP_SETTINGS_H_

#include <library.h>

#include <limits.h>

typedef struct mif_dp_settings_t mif_dp_settings_t;

/**
 * Routing tables, rule priorities and other options of the kernel side of
 * paths, shared by the data plane (mif_dataplane.c) and the source routing
 * (mif_srcroute.c) so the two agree on the numbers.
 *
 * Rule priorities, from the first looked up (defaults in brackets):
 *  - skip_prio [199]: GRE and IKE packets jump to prio + 1
 *  - flow_prio [200]: flow rules, one table per path from path_table_base
 *  - prio [210]: the multipath table (table)
 *  - prio + 1 [211]: no-op target of the skip rules
 *  - src_prio [212]: source rules of mif_srcroute, one table per interface
 *    from src_table_base
 */
struct mif_dp_settings_t {

	/** table of the multipath routes and steering routes [210] */
	uint32_t table;

	/** priority of the rule looking up table [210] */
	uint32_t prio;

	/** priority of the flow rules, below prio */
	uint32_t flow_prio;

	/** priority of the rules letting GRE and IKE packets skip our tables */
	uint32_t skip_prio;

	/** first per-path table for flows [21000] */
	uint32_t path_table_base;

	/** priority of mif_srcroute's source rules, after prio + 1 */
	uint32_t src_prio;

	/** first table of mif_srcroute, plus the interface index [22000] */
	uint32_t src_table_base;

	/** fixed GRE device MTU, 0 for the underlying one minus ESP [0] */
	u_int mtu;

	/** charon's IKE ports (charon.port, charon.port_nat_t), 0 if unused */
	uint16_t ike_ports[2];

	/** file remembering the multipath hash policies we changed */
	char hash_state[PATH_MAX];
};

/**
 * Read the data plane options (dataplane.* of strongswan-mif(5)), the one
 * place they are read.
 *
 * @param this		receives the settings
 */
void mif_dp_settings_load(mif_dp_settings_t *this);

#endif /** MIF_DP_SETTINGS_H_ @}*/
