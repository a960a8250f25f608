/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_signal mif_signal
 * @{ @ingroup mif
 *
 * Multi-interface signalling received (doc/protocol.md 6): capability
 * negotiation in IKE_AUTH, the peer's path requests and our answers to
 * them, and the answers to our own requests (sent by mif_exchange.c).
 * Calls mif_liveness.c, mif_paths.c and mif_exchange.c of the path manager.
 */

#ifndef MIF_SIGNAL_H_
#define MIF_SIGNAL_H_

#include "mif_manager_priv.h"

/**
 * Handle a plain IKE message for the extension: IKE_AUTH negotiation, the
 * peer's INFORMATIONAL requests and our responses to them (takes the lock).
 */
void mif_signal_message(private_mif_manager_t *this, ike_sa_t *ike_sa,
						message_t *message, bool incoming);

/**
 * mif_task_cb_t for the response to one of our requests: act on the
 * peer's MIF_PATH_ACKs (doc/protocol.md 4.6; takes the lock).
 *
 * @param data			private_mif_manager_t
 */
void mif_signal_response(void *data, ike_sa_t *ike_sa, message_t *response);

/**
 * Is the extension enabled for this IKE SA's connection (any lock state)?
 * A responder knows its connection only once the IKE SA comes up; before,
 * the global switch decides.
 */
bool mif_signal_enabled_for(ike_sa_t *ike_sa);

#endif /** MIF_SIGNAL_H_ @}*/
