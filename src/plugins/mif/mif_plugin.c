/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
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
