/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * DOC: The mif plugin: multiple interfaces under one IKE SA
 *
 * The mif charon plugin lets one IKEv2 SA use several interfaces of a host
 * at once (doc/protocol.md): both peers announce MIF_SUPPORTED in IKE_AUTH
 * (plain MOBIKE, RFC 4555, with a peer that does not); each further
 * interface becomes a path, announced with MIF_PATH_ADD, proven by a return
 * routability probe and given a CHILD SA of its own; traffic is spread per
 * flow over the live paths and moved off a path that dies; paths come and
 * go without a new IKE SA. The plugin records every path as a binding in
 * libmif, the suite's shared backend, which it configures from its own
 * options (strongswan-mif(5), conf/plugins/mif.opt).
 *
 * This file loads the plugin: it reads libmif's options and the data plane
 * options and creates, in this order, libmif, the bus listener, the path
 * manager (with the data plane it adopts) and the control socket; it tears
 * them down in reverse. The plugin's other parts, each with a DOC block atop
 * its main file:
 *
 * - path manager: mif_manager.c (signalling, liveness, path lifecycle and
 *   exchanges in mif_signal.c, mif_liveness.c, mif_paths.c, mif_exchange.c;
 *   state in mif_conn.c; probe sockets in mif_prober.c; the INFORMATIONAL
 *   task in mif_task.c; RR budgets in mif_ratelimit.c)
 * - data plane: mif_dataplane.c (GRE devices, routes, flow rules, shared
 *   rules, hash policy and leftovers in mif_dp_*.c; per-interface source
 *   routes in mif_srcroute.c; netlink and sysctl helpers in mif_netlink.c
 *   and mif_sysctl.c)
 * - wire codec of the notifies and probes: mif_msg.c (mif_msg_flow.c,
 *   mif_msg_probe.c), built as libmif-msg.la for the tests and tools too
 * - interface monitor: mif_monitor.c (doc/monitor.md)
 * - libmif bindings of IKE SAs: mif_listener.c
 * - operator interface for mifctl(8): mif_control.c
 *
 * Threads and locks: loading and unloading run on charon's main thread;
 * every part takes its own locks (see each DOC block); this file keeps no
 * state but the objects it created.
 */

#include "mif_plugin.h"
#include "mif_listener.h"
#include "mif_manager.h"
#include "mif_control.h"

#include <daemon.h>
#include <plugins/plugin_feature.h>
#include <libmif.h>

typedef struct private_mif_plugin_t private_mif_plugin_t;

/**
 * Private data.
 */
struct private_mif_plugin_t {

	/**
	 * Public interface.
	 */
	mif_plugin_t public;

	/**
	 * Records IKE SA paths as bindings.
	 */
	mif_bus_listener_t *listener;

	/**
	 * Multi-interface path manager.
	 */
	mif_manager_t *manager;

	/**
	 * Control socket for mifctl.
	 */
	mif_control_t *control;
};

METHOD(plugin_t, get_name, char*,
	private_mif_plugin_t *this)
{
	return "mif";
}

/**
 * Read the configuration of the shared backend from the mif plugin's
 * options; libmif reads no settings itself.
 */
static void read_libmif_config(libmif_config_t *config)
{
	*config = (libmif_config_t){
		.backend = {
			.max_lifetime = lib->settings->get_int(lib->settings,
						"%s.plugins.mif.max_lifetime", MIF_LIFETIME_MAX, lib->ns),
			.max_bindings = lib->settings->get_int(lib->settings,
						"%s.plugins.mif.max_bindings", 64, lib->ns),
			.no_bulk = !lib->settings->get_bool(lib->settings,
						"%s.plugins.mif.bulk_registration", TRUE, lib->ns),
			.expiry_interval = lib->settings->get_int(lib->settings,
						"%s.plugins.mif.expiry_interval", 1000, lib->ns),
		},
		.database = lib->settings->get_str(lib->settings,
						"%s.plugins.mif.database", MIF_DEFAULT_DATABASE, lib->ns),
	};
}

/**
 * Bring up libmif and hook into the bus, or tear both down.
 */
static bool register_mif(private_mif_plugin_t *this,
						 plugin_feature_t *feature, bool reg, void *data)
{
	libmif_config_t config;
	mif_dp_settings_t dp_settings;
	uint32_t lifetime;

	if (reg)
	{
		read_libmif_config(&config);
		if (!libmif_init(&config))
		{
			DBG1(DBG_CFG, "mif: initializing libmif failed");
			return FALSE;
		}
		lifetime = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.lifetime", MIF_LIFETIME_MAX, lib->ns);
		this->listener = mif_bus_listener_create(mif_get(), lifetime);
		charon->bus->add_listener(charon->bus, &this->listener->listener);
		mif_dp_settings_load(&dp_settings);
		this->manager = mif_manager_create(mif_get(),
										   mif_dataplane_create(&dp_settings),
										   &dp_settings);
		if (this->manager)
		{
			charon->bus->add_listener(charon->bus,
									  &this->manager->listener);
			this->control = mif_control_create(this->manager);
		}
		else
		{
			DBG1(DBG_CFG, "mif: path manager unavailable, recording "
				 "bindings only");
		}
		DBG1(DBG_CFG, "mif: plugin loaded, libmif %s, binding lifetime %us",
			 MIF_VERSION, lifetime);
	}
	else if (this->listener)
	{
		DESTROY_IF(this->control);
		this->control = NULL;
		if (this->manager)
		{
			charon->bus->remove_listener(charon->bus,
										 &this->manager->listener);
			this->manager->destroy(this->manager);
			this->manager = NULL;
		}
		charon->bus->remove_listener(charon->bus, &this->listener->listener);
		this->listener->destroy(this->listener);
		this->listener = NULL;
		libmif_deinit();
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_mif_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)register_mif, NULL),
			PLUGIN_PROVIDE(CUSTOM, "mif"),
				PLUGIN_DEPENDS(CUSTOM, "kernel-net"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_mif_plugin_t *this)
{
	free(this);
}

/*
 * Described in header
 */
plugin_t *mif_plugin_create()
{
	private_mif_plugin_t *this;

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);
	return &this->public.plugin;
}
