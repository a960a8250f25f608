/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dp_settings.h"

#include <stdio.h>

#include <daemon.h>

/** default file remembering the multipath hash policies we changed; below
 * /run: the sysctls and the file both do not survive a reboot */
#define MIF_HASH_STATE IPSEC_PIDDIR "/charon.mif.hash"

/*
 * Described in header
 */
void mif_dp_settings_load(mif_dp_settings_t *this)
{
	*this = (mif_dp_settings_t){
		.table = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.table", 210, lib->ns),
		.prio = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.priority", 210, lib->ns),
		.path_table_base = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.path_table_base", 21000,
							lib->ns),
		.src_table_base = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.source_table_base",
							22000, lib->ns),
		.mtu = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.mtu", 0, lib->ns),
		.ike_ports = {
			lib->settings->get_int(lib->settings, "%s.port",
								   IKEV2_UDP_PORT, lib->ns),
			lib->settings->get_int(lib->settings, "%s.port_nat_t",
								   IKEV2_NATT_PORT, lib->ns),
		},
	};
	snprintf(this->hash_state, sizeof(this->hash_state), "%s",
			 lib->settings->get_str(lib->settings,
							"%s.plugins.mif.dataplane.hash_state",
							MIF_HASH_STATE, lib->ns));
	/* flow rules first, then the table; GRE/IKE skip both */
	this->flow_prio = this->prio > 10 ? this->prio - 10 : 1;
	this->skip_prio = this->flow_prio > 1 ? this->flow_prio - 1 : 1;
	/* after the data plane's table and its skip target, so GRE and IKE
	 * packets that skip our tables still get here */
	this->src_prio = this->prio + 2;
	if (this->ike_ports[1] == this->ike_ports[0])
	{
		this->ike_ports[1] = 0;
	}
}
