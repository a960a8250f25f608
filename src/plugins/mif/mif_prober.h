/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_prober mif_prober
 * @{ @ingroup mif
 */

#ifndef MIF_PROBER_H_
#define MIF_PROBER_H_

#include <networking/host.h>

typedef struct mif_prober_t mif_prober_t;

/**
 * Called for every datagram received on the probe port.
 *
 * @param data			user data
 * @param src			sender, with port
 * @param dst			local address it was sent to, with port
 * @param datagram		received data
 */
typedef void (*mif_prober_cb_t)(void *data, host_t *src, host_t *dst,
								chunk_t datagram);

/**
 * UDP sockets for path probes (return routability and liveness).
 *
 * Probes must travel the very path they test, so the sockets bypass IPsec
 * policies and send from an explicit source address.
 */
struct mif_prober_t {

	/**
	 * Send a datagram from src to dst (dst with port).
	 *
	 * @param ifindex	interface to send through (the path's), 0 to route
	 * @return			TRUE if sent
	 */
	bool (*send)(mif_prober_t *this, host_t *src, host_t *dst,
				 uint32_t ifindex, chunk_t data);

	/**
	 * Destroy the sockets.
	 */
	void (*destroy)(mif_prober_t *this);
};

/**
 * Open the probe sockets.
 *
 * @param port			UDP port to listen on
 * @param cb			receive callback, called from the watcher thread
 * @param data			user data for cb
 * @return				prober, NULL if no socket could be opened
 */
mif_prober_t *mif_prober_create(uint16_t port, mif_prober_cb_t cb, void *data);

#endif /** MIF_PROBER_H_ @}*/
