/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_dataplane mif_dataplane
 * @{ @ingroup mif
 */

#ifndef MIF_DATAPLANE_H_
#define MIF_DATAPLANE_H_

#include <library.h>
#include <networking/host.h>
#include <selectors/traffic_selector.h>
#include <collections/linked_list.h>

#include "mif_dp_settings.h"

typedef struct mif_dataplane_t mif_dataplane_t;
typedef struct mif_dp_path_t mif_dp_path_t;

/**
 * Kernel view of one additional path of an IKE SA.
 *
 * The path's CHILD SA is an ESP transport SA between the two path
 * addresses whose traffic selectors are those hosts with protocol GRE;
 * charon installs its SAs but no policies (transport_proxy, policies = no).
 */
struct mif_dp_path_t {
	/** unique id of the IKE SA the path belongs to */
	uint32_t ike_id;
	/** binding ID of the path, 2..65535 (1 is the IKE path) */
	uint16_t bid;
	/** local address of the path */
	host_t *local;
	/** remote address of the path */
	host_t *remote;
	/** reqid of the path's CHILD SA */
	uint32_t reqid;
	/** SPIs of the path's CHILD SA (network order), for the policies' SA */
	uint32_t spi_in, spi_out;
	/** weight of the path among the active paths, 1..255 */
	uint8_t weight;
	/** index of the interface holding the local address, 0 if unknown;
	 * an IPv6 path's own GRE device binds its outer packets to it, so the
	 * path leaves through its own interface whatever the main table
	 * prefers (IPv4 paths: the source rules of mif_srcroute.c) */
	uint32_t link;
};

/**
 * Kernel side of multi-interface paths: XFRM policies, GRE, routes.
 *
 * The paths with IPv4 addresses share one GRE device in metadata mode
 * (mifgre4): a route over such a path has a next hop into that device
 * whose encapsulation names the path's addresses. A path with IPv6
 * addresses has an ip6gre device of its own. The devices have
 * disable_xfrm/disable_policy set so the inner packets bypass the IKE SA's
 * own CHILD SA policies. The GRE packets match the policies installed here and are
 * protected by the path's ESP transport SA (plaintext GRE is dropped by
 * the inbound policies). Inner traffic is steered by routes in a table
 * consulted before charon's. The DOC block of mif_dataplane.c describes
 * the files behind it.
 */
struct mif_dataplane_t {

	/**
	 * Install the policies of a path, its next hop for routes.
	 *
	 * @param path		path to install (data is copied)
	 * @param ifname	receives the name of the GRE device the path uses
	 *					(IFNAMSIZ), or NULL
	 * @return			TRUE if installed
	 */
	bool (*add_path)(mif_dataplane_t *this, mif_dp_path_t *path,
					 char *ifname);

	/**
	 * Remove a path's routes and policies.
	 *
	 * @param ike_id	IKE SA unique id
	 * @param bid		binding ID
	 * @return			TRUE if the path was known
	 */
	bool (*del_path)(mif_dataplane_t *this, uint32_t ike_id, uint16_t bid);

	/**
	 * Route inner traffic of an IKE SA over a set of its paths.
	 *
	 * Replaces the previous routes of the IKE SA: each destination in dst
	 * is routed over all paths in bids (a multipath route weighted by the
	 * paths' weights; one path: a plain route). An empty bids set removes
	 * the routes, so traffic falls back to the IKE SA's own CHILD SA.
	 *
	 * @param ike_id	IKE SA unique id
	 * @param dst		list of traffic_selector_t, destinations to route
	 * @param src		preferred inner source address (e.g. virtual IP), or NULL
	 * @param bids		binding IDs of the paths to use
	 * @param count		number of bids
	 * @return			TRUE if the routes are installed
	 */
	bool (*set_routes)(mif_dataplane_t *this, uint32_t ike_id,
					   linked_list_t *dst, host_t *src, uint16_t *bids,
					   u_int count);

	/**
	 * Steer one flow (RFC 6089 flow binding) to one path.
	 *
	 * @param ike_id	IKE SA unique id
	 * @param fid		flow ID, 1..65535
	 * @param ts		flow's selector: destination net, protocol, ports
	 * @param bid		path to use, 0 to remove the flow's steering
	 * @return			TRUE on success
	 */
	bool (*set_flow)(mif_dataplane_t *this, uint32_t ike_id, uint16_t fid,
					 traffic_selector_t *ts, uint16_t bid);

	/**
	 * Remove everything installed for an IKE SA.
	 *
	 * @param ike_id	IKE SA unique id
	 */
	void (*flush)(mif_dataplane_t *this, uint32_t ike_id);

	/**
	 * Destroy the data plane, removing everything it installed.
	 */
	void (*destroy)(mif_dataplane_t *this);
};

/**
 * Create the data plane, removing what a previous instance left.
 *
 * @param settings	tables, priorities and options (copied), as
 *					mif_dp_settings_load() reads them
 * @return			data plane, NULL if the kernel lacks GRE in metadata mode
 */
mif_dataplane_t *mif_dataplane_create(const mif_dp_settings_t *settings);

#endif /** MIF_DATAPLANE_H_ @}*/
