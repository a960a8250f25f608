/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif mif
 * @ingroup cplugins
 *
 * @defgroup mif_plugin mif_plugin
 * @{ @ingroup mif
 */

#ifndef MIF_PLUGIN_H_
#define MIF_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct mif_plugin_t mif_plugin_t;

/**
 * Multiple interfaces under one IKE SA.
 *
 * Records the paths of every IKE SA as bindings in libmif, the suite's
 * shared mobility-binding backend.
 */
struct mif_plugin_t {

	/**
	 * Implements plugin_t interface.
	 */
	plugin_t plugin;
};

#endif /** MIF_PLUGIN_H_ @}*/
