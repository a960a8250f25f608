/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * The test's side of the protocol: the peer's IKE SA, its IKE_AUTH and
 * INFORMATIONAL messages, notify data and probes, and views of the
 * manager's paths and bindings.
 */

#include "manager_tests.h"

#include <endian.h>
#include <encoding/payloads/auth_payload.h>
#include <encoding/payloads/id_payload.h>

static void peer_derive_keys(peer_t *peer);

/* ---- the peer and its IKE SA ---- */

/**
 * A peer whose IKE SA gets its peer_cfg (named name) only when it comes up,
 * as a responder's: unknown while the IKE_AUTH request is processed.
 */
static peer_t *create(bool mgr_initiator, char *name, bool late)
{
	ike_cfg_create_t ike = {
		.version = IKEV2,
		.local = ME_IKE,
		.remote = PEER_IKE,
		.remote_port = IKEV2_UDP_PORT,
	};
	peer_cfg_create_t pcfg = {
		.unique = UNIQUE_NO,
	};
	child_cfg_create_t ccfg = {
		.mode = MODE_TUNNEL,
	};
	static uint64_t spi = 0x1000;
	ike_sa_id_t *id;
	peer_cfg_t *peer_cfg;
	child_cfg_t *child_cfg;
	rng_t *rng;
	peer_t *peer;

	INIT(peer,
		.mgr_initiator = mgr_initiator,
		.sup = {
			.version = MIF_MSG_VERSION,
			.max_paths = 4,
			.probe_port = PEER_PROBE_PORT,
		},
		.mid = 1,
	);
	rng = lib->crypto->create_rng(lib->crypto, RNG_WEAK);
	ck_assert(rng);
	ck_assert(rng->get_bytes(rng, sizeof(peer->sup.seed), peer->sup.seed));
	rng->destroy(rng);

	peer_cfg = peer_cfg_create(name, ike_cfg_create(&ike), &pcfg);
	child_cfg = child_cfg_create("net", &ccfg);
	child_cfg->add_proposal(child_cfg, proposal_create_default(PROTO_ESP));
	peer_cfg->add_child_cfg(peer_cfg, child_cfg);

	spi++;
	id = ike_sa_id_create(IKEV2_MAJOR_VERSION, htobe64(spi),
						  htobe64(spi << 16), mgr_initiator);
	peer->ike_sa = ike_sa_create(id, mgr_initiator, IKEV2);
	id->destroy(id);
	ck_assert(peer->ike_sa);
	if (late)
	{
		peer->late_cfg = peer_cfg;
	}
	else
	{
		peer->ike_sa->set_peer_cfg(peer->ike_sa, peer_cfg);
		peer_cfg->destroy(peer_cfg);
	}
	peer->ike_sa->set_my_host(peer->ike_sa,
							  host_create_from_string(ME_IKE, 500));
	peer->ike_sa->set_other_host(peer->ike_sa,
								 host_create_from_string(PEER_IKE, 500));
	peer->ike_sa->set_my_id(peer->ike_sa,
							identification_create_from_string("moon"));
	peer->ike_sa->set_other_id(peer->ike_sa,
							   identification_create_from_string("sun"));
	harness_add_ike_sa(peer->ike_sa);
	return peer;
}

peer_t *peer_create(bool mgr_initiator)
{
	return create(mgr_initiator, "conn", FALSE);
}

peer_t *peer_create_late(bool mgr_initiator, char *name)
{
	return create(mgr_initiator, name, TRUE);
}

void peer_destroy(peer_t *peer)
{
	harness_remove_ike_sa(peer->ike_sa);
	mgr->listener.ike_updown(&mgr->listener, peer->ike_sa, FALSE);
	peer->ike_sa->destroy(peer->ike_sa);
	chunk_clear(&peer->key_in);
	chunk_clear(&peer->key_out);
	DESTROY_IF(peer->late_cfg);
	free(peer);
}

/**
 * Rekey the IKE SA: a new one with new SPIs takes over (old destroyed).
 */
void peer_rekey(peer_t *peer)
{
	static uint64_t spi = 0x9000;
	ike_sa_t *old = peer->ike_sa;
	ike_sa_id_t *id;

	spi++;
	id = ike_sa_id_create(IKEV2_MAJOR_VERSION, htobe64(spi),
						  htobe64(spi << 16), peer->mgr_initiator);
	peer->ike_sa = ike_sa_create(id, peer->mgr_initiator, IKEV2);
	id->destroy(id);
	ck_assert(peer->ike_sa);
	peer->ike_sa->set_peer_cfg(peer->ike_sa, old->get_peer_cfg(old));
	peer->ike_sa->set_my_host(peer->ike_sa,
						old->get_my_host(old)->clone(old->get_my_host(old)));
	peer->ike_sa->set_other_host(peer->ike_sa,
					old->get_other_host(old)->clone(old->get_other_host(old)));
	peer->ike_sa->set_my_id(peer->ike_sa,
						old->get_my_id(old)->clone(old->get_my_id(old)));
	peer->ike_sa->set_other_id(peer->ike_sa,
						old->get_other_id(old)->clone(old->get_other_id(old)));
	peer->ike_sa->set_state(peer->ike_sa, IKE_ESTABLISHED);
	harness_add_ike_sa(peer->ike_sa);
	mgr->listener.ike_rekey(&mgr->listener, old, peer->ike_sa);
	peer_derive_keys(peer);
	harness_remove_ike_sa(old);
	mgr->listener.ike_updown(&mgr->listener, old, FALSE);
	old->destroy(old);
}

mif_conn_t *peer_conn(peer_t *peer)
{
	return priv->conns->get(priv->conns, (void*)(uintptr_t)
							peer->ike_sa->get_unique_id(peer->ike_sa));
}

bool peer_enabled(peer_t *peer)
{
	mif_conn_t *conn = peer_conn(peer);

	return conn && conn->key_rx.len;
}

/* ---- IKE_AUTH ---- */

chunk_t peer_supported_data(peer_t *peer)
{
	const char *reason;
	chunk_t data;

	ck_assert(mif_msg_build_supported(&peer->sup, &data, &reason) ==
			  MIF_MSG_OK);
	return data;
}

/**
 * Derive the peer's probe keys once both MIF_SUPPORTED are known, as
 * mif_conn_derive_keys() does on the other side.
 */
static void peer_derive_keys(peer_t *peer)
{
	ike_sa_id_t *id = peer->ike_sa->get_id(peer->ike_sa);
	chunk_t seed = chunk_from_thing(peer->sup.seed);
	chunk_t mgr_seed = chunk_from_thing(peer->mgr_sup.seed);

	chunk_clear(&peer->key_in);
	chunk_clear(&peer->key_out);
	ck_assert(mif_msg_derive_probe_key(seed, mgr_seed,
					id->get_initiator_spi(id), id->get_responder_spi(id),
					&peer->key_in) == MIF_MSG_OK);
	ck_assert(mif_msg_derive_probe_key(mgr_seed, seed,
					id->get_initiator_spi(id), id->get_responder_spi(id),
					&peer->key_out) == MIF_MSG_OK);
}

message_t *auth_request(bool with_id)
{
	message_t *message;
	identification_t *id;

	message = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	message->set_exchange_type(message, IKE_AUTH);
	message->set_request(message, TRUE);
	message->set_message_id(message, 1);
	if (with_id)
	{
		id = identification_create_from_string("moon");
		message->add_payload(message, (payload_t*)
				id_payload_create_from_identification(PLV2_ID_INITIATOR, id));
		id->destroy(id);
	}
	return message;
}

message_t *auth_response(bool with_auth)
{
	message_t *message;

	message = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	message->set_exchange_type(message, IKE_AUTH);
	message->set_request(message, FALSE);
	message->set_message_id(message, 1);
	if (with_auth)
	{
		message->add_payload(message, (payload_t*)auth_payload_create());
	}
	return message;
}

void msg_in(peer_t *peer, message_t *message)
{
	mgr->listener.message(&mgr->listener, peer->ike_sa, message, TRUE, TRUE);
}

/**
 * Let the manager see an outgoing message; TRUE if it added a
 * MIF_SUPPORTED, which is then parsed into peer->mgr_sup.
 */
bool msg_out(peer_t *peer, message_t *message)
{
	const char *reason;
	chunk_t data;

	mgr->listener.message(&mgr->listener, peer->ike_sa, message, FALSE, TRUE);
	data = get_notify_data(message, MIF_SUPPORTED);
	if (!data.len)
	{
		return FALSE;
	}
	ck_assert_int_eq(count_notifies(message, MIF_SUPPORTED), 1);
	ck_assert_msg(mif_msg_parse_supported(data, &peer->mgr_sup, &reason) ==
				  MIF_MSG_OK, "manager's MIF_SUPPORTED: %s", reason);
	return TRUE;
}

void ike_up(peer_t *peer)
{
	mif_conn_t *conn;

	if (peer->late_cfg)
	{
		peer->ike_sa->set_peer_cfg(peer->ike_sa, peer->late_cfg);
		peer->late_cfg->destroy(peer->late_cfg);
		peer->late_cfg = NULL;
	}
	peer->ike_sa->set_state(peer->ike_sa, IKE_ESTABLISHED);
	mgr->listener.ike_updown(&mgr->listener, peer->ike_sa, TRUE);
	conn = peer_conn(peer);
	if (conn && conn->peer_id)
	{
		snprintf(peer->key, sizeof(peer->key), "%s", conn->peer_id);
	}
}

bool negotiate_responder(peer_t *peer, chunk_t data)
{
	message_t *message;
	bool sent;

	message = auth_request(TRUE);
	if (data.len)
	{
		message->add_notify(message, FALSE, MIF_SUPPORTED, data);
	}
	msg_in(peer, message);
	message->destroy(message);
	/* charon's responder is established while it builds the response */
	ike_up(peer);
	message = auth_response(TRUE);
	sent = msg_out(peer, message);
	message->destroy(message);
	if (sent)
	{
		peer_derive_keys(peer);
	}
	return sent;
}

bool negotiate_initiator(peer_t *peer, chunk_t data)
{
	message_t *message;
	bool sent;

	message = auth_request(TRUE);
	sent = msg_out(peer, message);
	message->destroy(message);
	message = auth_response(TRUE);
	if (data.len)
	{
		message->add_notify(message, FALSE, MIF_SUPPORTED, data);
	}
	msg_in(peer, message);
	message->destroy(message);
	ike_up(peer);
	if (sent)
	{
		peer_derive_keys(peer);
	}
	return sent;
}

/* ---- INFORMATIONAL ---- */

message_t *info_request(peer_t *peer)
{
	message_t *message;

	message = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	message->set_exchange_type(message, INFORMATIONAL);
	message->set_request(message, TRUE);
	message->set_message_id(message, ++peer->mid);
	return message;
}

/**
 * The peer's request goes in, charon builds the automatic response and the
 * manager adds its answers to it (request destroyed).
 */
message_t *info_exchange(peer_t *peer, message_t *request)
{
	message_t *response;

	msg_in(peer, request);
	response = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	response->set_exchange_type(response, INFORMATIONAL);
	response->set_request(response, FALSE);
	response->set_message_id(response, request->get_message_id(request));
	request->destroy(request);
	mgr->listener.message(&mgr->listener, peer->ike_sa, response, FALSE,
						  TRUE);
	return response;
}

int count_notifies(message_t *message, int type)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	int count = 0;

	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) == PLV2_NOTIFY)
		{
			notify = (notify_payload_t*)payload;
			if ((int)notify->get_notify_type(notify) == type)
			{
				count++;
			}
		}
	}
	enumerator->destroy(enumerator);
	return count;
}

chunk_t get_notify_data(message_t *message, int type)
{
	notify_payload_t *notify;

	notify = message->get_notify(message, type);
	return notify ? notify->get_notification_data(notify) : chunk_empty;
}

int get_acks(message_t *response, mif_msg_path_ack_t *acks, int max)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	const char *reason;
	int count = 0;

	enumerator = response->create_payload_enumerator(response);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) != PLV2_NOTIFY)
		{
			continue;
		}
		notify = (notify_payload_t*)payload;
		ck_assert_int_eq(notify->get_notify_type(notify), MIF_PATH_ACK);
		ck_assert(count < max);
		ck_assert_msg(mif_msg_parse_path_ack(
							notify->get_notification_data(notify),
							&acks[count], &reason) == MIF_MSG_OK,
					  "MIF_PATH_ACK: %s", reason);
		count++;
	}
	enumerator->destroy(enumerator);
	return count;
}

/* ---- notify data ---- */

chunk_t build_add(uint16_t bid, uint16_t seq, char *local, char *remote)
{
	mif_msg_path_add_t add = {
		.bid = bid,
		.seq = seq,
		.kind = MIF_IF_WLAN,
		.priority = 10,
		.local = host_create_from_string(local, 0),
		.remote = host_create_from_string(remote, 0),
		.ifname = "wlan0",
	};
	const char *reason;
	chunk_t data;

	ck_assert_msg(mif_msg_build_path_add(&add, &data, &reason) == MIF_MSG_OK,
				  "%s", reason);
	mif_msg_path_add_clear(&add);
	return data;
}

chunk_t build_rr(uint16_t bid, uint16_t seq, uint8_t *cookie)
{
	mif_msg_path_rr_t rr = {
		.bid = bid,
		.seq = seq,
	};
	const char *reason;
	chunk_t data;

	memcpy(rr.cookie, cookie, sizeof(rr.cookie));
	ck_assert(mif_msg_build_path_rr(&rr, &data, &reason) == MIF_MSG_OK);
	return data;
}

chunk_t build_remove(uint16_t bid, uint16_t seq)
{
	mif_msg_path_remove_t rem = {
		.bid = bid,
		.seq = seq,
		.reason = MIF_REMOVE_ADMIN,
	};
	const char *reason;
	chunk_t data;

	ck_assert(mif_msg_build_path_remove(&rem, &data, &reason) == MIF_MSG_OK);
	return data;
}

/* ---- probes ---- */

chunk_t build_probe(peer_t *peer, chunk_t key, mif_probe_type_t type,
					uint8_t flags, uint16_t bid, uint16_t seq, uint32_t number,
					uint8_t *cookie, char *addr, uint16_t port)
{
	ike_sa_id_t *id = peer->ike_sa->get_id(peer->ike_sa);
	mif_msg_probe_t probe = {
		.type = type,
		.flags = flags,
		.spi_i = id->get_initiator_spi(id),
		.spi_r = id->get_responder_spi(id),
		.bid = bid,
		.seq = seq,
		.number = number,
		.addr = host_create_from_string(addr, port),
	};
	const char *reason;
	chunk_t data;

	if (cookie)
	{
		memcpy(probe.cookie, cookie, sizeof(probe.cookie));
	}
	ck_assert_msg(mif_msg_build_probe(&probe, key, &data, &reason) ==
				  MIF_MSG_OK, "%s", reason);
	mif_msg_probe_clear(&probe);
	return data;
}

/**
 * A datagram arrives on our probe port (datagram freed).
 */
void deliver_probe(char *src, char *dst, chunk_t datagram)
{
	host_t *s, *d;

	s = host_create_from_string(src, PEER_PROBE_PORT);
	d = host_create_from_string(dst, mgr_probe_port);
	mif_liveness_receive_probe(priv, s, d, datagram);
	s->destroy(s);
	d->destroy(d);
	chunk_free(&datagram);
}

/**
 * Parse and authenticate a probe the manager sent to the peer.
 */
bool parse_sent_probe(peer_t *peer, sent_probe_t *sent, mif_msg_probe_t *out)
{
	const char *reason;

	if (mif_msg_parse_probe(sent->data, out, &reason) != MIF_MSG_OK)
	{
		return FALSE;
	}
	if (mif_msg_verify_probe(sent->data, peer->key_out, &reason) != MIF_MSG_OK)
	{
		mif_msg_probe_clear(out);
		return FALSE;
	}
	return TRUE;
}

/* ---- paths ---- */

mif_path_t *path_get(peer_t *peer, uint16_t bid)
{
	enumerator_t *enumerator;
	mif_path_t *path, *found = NULL;
	uint32_t ike_id;
	char *name;

	enumerator = mgr->create_path_enumerator(mgr);
	while (enumerator->enumerate(enumerator, &ike_id, &name, &path))
	{
		if (ike_id == peer->ike_sa->get_unique_id(peer->ike_sa) &&
			path->bid == bid)
		{
			found = path;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

int path_state(peer_t *peer, uint16_t bid)
{
	mif_path_t *path = path_get(peer, bid);

	return path ? (int)path->state : -1;
}

u_int path_count(peer_t *peer)
{
	enumerator_t *enumerator;
	mif_path_t *path;
	uint32_t ike_id;
	char *name;
	u_int count = 0;

	enumerator = mgr->create_path_enumerator(mgr);
	while (enumerator->enumerate(enumerator, &ike_id, &name, &path))
	{
		if (ike_id == peer->ike_sa->get_unique_id(peer->ike_sa))
		{
			count++;
		}
	}
	enumerator->destroy(enumerator);
	return count;
}

/**
 * State of a path's binding in libmif, -1 if there is none.
 */
int binding_state(peer_t *peer, uint16_t bid)
{
	mif_key_t key = {};
	mif_binding_t binding;

	/* the session of this IKE SA (and its rekeyed successors) */
	ck_assert(peer->key[0]);
	key.id = peer->key;
	if (!mif_get()->get_binding(mif_get(), &key, bid, &binding))
	{
		return -1;
	}
	return binding.state;
}

/**
 * The peer ADDs a path and the manager accepts it; returns the RR cookie
 * from the manager's RR probe.
 */
void verifier_add(peer_t *peer, uint16_t bid, uint16_t seq, char *local,
				  char *remote, uint8_t *cookie)
{
	mif_msg_path_ack_t acks[2];
	mif_msg_probe_t probe;
	sent_probe_t *sent;
	message_t *message;
	chunk_t data;

	message = info_request(peer);
	data = build_add(bid, seq, local, remote);
	message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	ck_assert_int_eq(get_acks(message, acks, countof(acks)), 1);
	ck_assert_int_eq(acks[0].status, MIF_ACK_ACCEPTED);
	message->destroy(message);
	ck_assert_int_eq(path_state(peer, bid), MIF_PATH_CHECKING);

	sent = probe_pop();
	ck_assert(sent);
	ck_assert(parse_sent_probe(peer, sent, &probe));
	memcpy(cookie, probe.cookie, MIF_MSG_COOKIE_LEN);
	mif_msg_probe_clear(&probe);
	sent_probe_destroy(sent);
}

/**
 * A child_sa_t as charon would report for a path's CHILD SA.
 */
child_sa_t *path_child(peer_t *peer, uint16_t bid, char *local, char *remote)
{
	child_cfg_create_t data = {
		.mode = MODE_TRANSPORT,
		/* as the plugin's path configs: the data plane installs them */
		.options = OPT_PROXY_MODE | OPT_NO_POLICIES,
	};
	child_sa_create_t sa = {};
	child_cfg_t *cfg;
	child_sa_t *child_sa;
	linked_list_t *my_ts, *other_ts;
	host_t *me, *other;
	char name[32];

	snprintf(name, sizeof(name), "mif-path-%u", bid);
	cfg = child_cfg_create(name, &data);
	me = host_create_from_string(local, 0);
	other = host_create_from_string(remote, 0);
	child_sa = child_sa_create(me, other, cfg, &sa);
	/* a path SA's selectors are the path's hosts, for GRE */
	my_ts = linked_list_create_with_items(
				traffic_selector_create_from_subnet(me->clone(me),
							me->get_family(me) == AF_INET ? 32 : 128,
							IPPROTO_GRE, 0, 65535), NULL);
	other_ts = linked_list_create_with_items(
				traffic_selector_create_from_subnet(other->clone(other),
							other->get_family(other) == AF_INET ? 32 : 128,
							IPPROTO_GRE, 0, 65535), NULL);
	child_sa->set_policies(child_sa, my_ts, other_ts);
	my_ts->destroy_offset(my_ts, offsetof(traffic_selector_t, destroy));
	other_ts->destroy_offset(other_ts, offsetof(traffic_selector_t, destroy));
	me->destroy(me);
	other->destroy(other);
	cfg->destroy(cfg);
	return child_sa;
}

/**
 * Take a verifier path through RR and its CHILD SA to ACTIVE.
 */
child_sa_t *verifier_active(peer_t *peer, uint16_t bid, uint16_t seq,
							char *local, char *remote)
{
	uint8_t cookie[MIF_MSG_COOKIE_LEN];
	mif_msg_path_ack_t acks[1];
	message_t *message;
	child_sa_t *child_sa;
	child_cfg_t *cfg;
	chunk_t data;

	verifier_add(peer, bid, seq, local, remote, cookie);
	message = info_request(peer);
	data = build_rr(bid, seq, cookie);
	message->add_notify(message, FALSE, MIF_PATH_RR, data);
	chunk_free(&data);
	message = info_exchange(peer, message);
	ck_assert_int_eq(get_acks(message, acks, countof(acks)), 1);
	ck_assert_int_eq(acks[0].status, MIF_ACK_ACCEPTED);
	message->destroy(message);
	ck_assert_int_eq(path_state(peer, bid), MIF_PATH_CHILD);
	ck_assert_int_eq(jobs_run(), 1);
	cfg = child_cfg_pop();
	ck_assert(cfg);
	cfg->destroy(cfg);

	child_sa = path_child(peer, bid, remote, local);
	mgr->listener.child_updown(&mgr->listener, peer->ike_sa, child_sa, TRUE);
	ck_assert_int_eq(path_state(peer, bid), MIF_PATH_ACTIVE);
	return child_sa;
}

bool host_is(host_t *host, char *addr)
{
	host_t *other = host_create_from_string(addr, 0);
	bool equal;

	equal = other && host->ip_equals(host, other);
	DESTROY_IF(other);
	return equal;
}

/**
 * Pretend the last authenticated probe on a path came ms earlier.
 */
void age_tv(timeval_t *tv, u_int ms)
{
	int64_t usec = (int64_t)tv->tv_sec * 1000000 + tv->tv_usec -
				   (int64_t)ms * 1000;

	tv->tv_sec = usec / 1000000;
	tv->tv_usec = usec % 1000000;
}

void age_path(peer_t *peer, uint16_t bid, u_int ms)
{
	mif_path_t *path = path_get(peer, bid);

	ck_assert(path);
	/* time passing with the path timer on schedule: its requests went
	 * out from the last reply on (a stalled timer ages last_rx alone) */
	if (!path->waiting_since.tv_sec && !path->waiting_since.tv_usec)
	{
		path->waiting_since = path->last_rx;
	}
	age_tv(&path->last_rx, ms);
	age_tv(&path->waiting_since, ms);
}

void age_state(peer_t *peer, uint16_t bid, u_int ms)
{
	mif_path_t *path = path_get(peer, bid);

	ck_assert(path);
	age_tv(&path->since, ms);
}

mif_path_t *path_find_local(peer_t *peer, char *addr)
{
	enumerator_t *enumerator;
	mif_path_t *path, *found = NULL;
	uint32_t ike_id;
	char *name;

	enumerator = mgr->create_path_enumerator(mgr);
	while (enumerator->enumerate(enumerator, &ike_id, &name, &path))
	{
		if (ike_id == peer->ike_sa->get_unique_id(peer->ike_sa) &&
			host_is(path->local, addr))
		{
			found = path;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}
