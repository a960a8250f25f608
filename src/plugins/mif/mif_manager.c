/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_manager.h"
#include "mif_conn.h"
#include "mif_task.h"
#include "mif_prober.h"
#include "mif_srcroute.h"

#include <daemon.h>
#include <net/if.h>
#include <mif_addr.h>
#include <mif_monitor.h>
#include <collections/hashtable.h>
#include <processing/jobs/callback_job.h>
#include <processing/jobs/roam_job.h>
#include <threading/mutex.h>

/** name prefix of the runtime CHILD configs of paths */
#define PATH_CHILD_PREFIX "mif-path-"

typedef struct private_mif_manager_t private_mif_manager_t;

/**
 * Private data.
 */
struct private_mif_manager_t {

	/**
	 * Public interface.
	 */
	mif_manager_t public;

	/**
	 * Interface events (libnl through libmif).
	 */
	mif_monitor_listener_t monitor_listener;

	/**
	 * libmif backend.
	 */
	mif_backend_t *backend;

	/**
	 * Kernel data plane, or NULL.
	 */
	mif_dataplane_t *dataplane;

	/**
	 * Probe sockets.
	 */
	mif_prober_t *prober;

	/**
	 * Interface monitor, or NULL.
	 */
	mif_monitor_t *monitor;

	/**
	 * Source routing of our paths' local addresses, or NULL.
	 */
	mif_srcroute_t *srcroute;

	/**
	 * mif_conn_t by IKE SA unique id.
	 */
	hashtable_t *conns;

	/**
	 * Protects conns and everything in them.
	 */
	mutex_t *mutex;

	/**
	 * Liveness probe interval and dead interval, in ms.
	 */
	u_int interval, dead;

	/**
	 * RR probe retransmissions before a path is refused.
	 */
	u_int rr_tries;

	/**
	 * Whether we announce our addresses as paths (original initiator).
	 */
	bool announce;
};

/**
 * Session key in libmif: the peer's identity, as the bus listener uses.
 */
static void get_key(ike_sa_t *ike_sa, mif_key_t *key, char *buf, size_t len)
{
	snprintf(buf, len, "%Y", ike_sa->get_other_id(ike_sa));
	*key = (mif_key_t){ .id = buf };
}

/**
 * Record a path's binding in libmif.
 */
static void record_binding(private_mif_manager_t *this, ike_sa_t *ike_sa,
						   mif_path_t *path, mif_binding_state_t state,
						   uint32_t lifetime)
{
	mif_reg_entry_t entry = {
		.bid = path->bid,
		.prio = path->prio,
		.lifetime = lifetime,
		.state = state,
	};
	mif_reg_t req = {
		.flags = MIF_REG_AUTO_SEQ,
		.count = 1,
		.entries = &entry,
	};
	char id[BUF_LEN];

	get_key(ike_sa, &req.key, id, sizeof(id));
	if (!lifetime)
	{
		this->backend->deregister(this->backend, &req.key, path->bid);
		return;
	}
	mif_addr_from_host(&entry.coa, path->local);
	mif_addr_from_host(&entry.remote, path->remote);
	snprintf(entry.ifname, sizeof(entry.ifname), "%s", path->ifname);
	if (this->backend->registration(this->backend, &req) !=
															MIF_STATUS_ACCEPTED)
	{
		DBG1(DBG_CFG, "mif: recording path BID %u failed: %N", path->bid,
			 mif_status_names, entry.status);
	}
	else
	{
		this->backend->set_state(this->backend, &req.key, path->bid, state);
	}
}

/**
 * Notifies to send, queued to a job that checks the IKE SA out.
 */
typedef struct {
	private_mif_manager_t *this;
	uint32_t ike_id;
	notify_type_t type;
	chunk_t data;
	u_int tries;
} send_job_t;

/** retry interval and tries while the IKE SA's own path is unusable */
#define SEND_RETRY_MS 200
#define SEND_RETRIES 150

/**
 * Can the IKE SA's current path carry our exchange? If not, MOBIKE is about
 * to move it, and an exchange of ours would retransmit on the dead path and
 * hold the MOBIKE update back.
 */
static bool ike_path_usable(ike_sa_t *ike_sa)
{
	host_t *src, *me = ike_sa->get_my_host(ike_sa);
	bool usable;

	/* as charon's is_current_path_valid(): the kernel names the source it
	 * would use, which must still be the IKE SA's address */
	src = charon->kernel->get_source_addr(charon->kernel,
										  ike_sa->get_other_host(ike_sa), me);
	if (!src)
	{
		return FALSE;
	}
	usable = src->ip_equals(src, me);
	src->destroy(src);
	return usable;
}

static void forget_path(private_mif_manager_t *this, mif_conn_t *conn,
						uint16_t bid);
static void unsteer(private_mif_manager_t *this, mif_conn_t *conn);

/**
 * Response to one of our requests: act on the peer's acknowledgements.
 */
static void handle_response(private_mif_manager_t *this, ike_sa_t *ike_sa,
							message_t *response)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	mif_msg_path_ack_t ack;
	mif_conn_t *conn;
	mif_path_t *path;
	const char *reason;

	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	enumerator = response->create_payload_enumerator(response);
	while (conn && enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) != PLV2_NOTIFY)
		{
			continue;
		}
		notify = (notify_payload_t*)payload;
		if ((int)notify->get_notify_type(notify) != MIF_PATH_ACK)
		{
			continue;
		}
		if (mif_msg_parse_path_ack(notify->get_notification_data(notify),
								   &ack, &reason) != MIF_MSG_OK)
		{
			DBG1(DBG_IKE, "mif: ignoring malformed MIF_PATH_ACK: %s", reason);
			continue;
		}
		path = mif_conn_get_path(conn, ack.bid);
		if (!path)
		{
			continue;
		}
		if (ack.status == MIF_ACK_ACCEPTED)
		{
			DBG1(DBG_IKE, "mif: peer accepted path BID %u (%H === %H)",
				 ack.bid, path->local, path->remote);
			continue;
		}
		DBG1(DBG_IKE, "mif: peer refused path BID %u (%H === %H): %N",
			 ack.bid, path->local, path->remote, mif_path_ack_status_names,
			 ack.status);
		record_binding(this, ike_sa, path, MIF_BINDING_REMOVED, 0);
		forget_path(this, conn, ack.bid);
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
}

CALLBACK(task_response, void,
	private_mif_manager_t *this, ike_sa_t *ike_sa, message_t *response)
{
	handle_response(this, ike_sa, response);
}

CALLBACK(send_job, job_requeue_t,
	send_job_t *job)
{
	ike_sa_t *ike_sa;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													job->ike_id);
	if (!ike_sa)
	{
		return JOB_REQUEUE_NONE;
	}
	if (!ike_path_usable(ike_sa) && ++job->tries < SEND_RETRIES)
	{
		charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
		return JOB_RESCHEDULE_MS(SEND_RETRY_MS);
	}
	if (ike_sa->get_state(ike_sa) == IKE_ESTABLISHED)
	{
		mif_task_t *task;

		task = mif_task_create(ike_sa, task_response, job->this);
		task->add_notify(task, job->type, job->data);
		job->data = chunk_empty;
		ike_sa->queue_task(ike_sa, &task->task);
		if (ike_sa->initiate(ike_sa, NULL, NULL) == DESTROY_ME)
		{
			charon->ike_sa_manager->checkin_and_destroy(
										charon->ike_sa_manager, ike_sa);
			return JOB_REQUEUE_NONE;
		}
	}
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return JOB_REQUEUE_NONE;
}

CALLBACK(send_job_destroy, void,
	send_job_t *job)
{
	chunk_free(&job->data);
	free(job);
}

/**
 * Start an INFORMATIONAL exchange carrying one notify.
 */
static void send_notify(private_mif_manager_t *this, uint32_t ike_id,
						notify_type_t type, chunk_t data)
{
	send_job_t *job;

	INIT(job,
		.this = this,
		.ike_id = ike_id,
		.type = type,
		.data = data,
	);
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create(send_job, job, send_job_destroy, NULL));
}

/**
 * Send a probe on a path.
 */
static void send_probe(private_mif_manager_t *this, mif_conn_t *conn,
					   mif_path_t *path, mif_probe_type_t type, uint8_t flags,
					   uint32_t number)
{
	mif_msg_probe_t probe = {
		.type = type,
		.flags = flags,
		.spi_i = conn->spi_i,
		.spi_r = conn->spi_r,
		.bid = path->bid,
		.seq = path->seq,
		.number = number,
	};
	const char *reason;
	chunk_t data;
	host_t *dst;

	dst = path->remote->clone(path->remote);
	dst->set_port(dst, conn->peer.probe_port);
	probe.addr = dst;
	if (flags & MIF_PROBE_RR)
	{
		memcpy(probe.cookie, path->cookie, sizeof(probe.cookie));
	}
	if (mif_msg_build_probe(&probe, conn->key_tx, &data, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_NET, "mif: building probe failed: %s", reason);
		dst->destroy(dst);
		return;
	}
	this->prober->send(this->prober, path->local, dst, path->link, data);
	dst->destroy(dst);
	chunk_free(&data);
}

/**
 * Which local interface kind a name suggests.
 */
static mif_if_kind_t guess_kind(char *ifname)
{
	if (strpfx(ifname, "wl"))
	{
		return MIF_IF_WLAN;
	}
	if (strpfx(ifname, "lte") || strpfx(ifname, "wwan") ||
		strpfx(ifname, "rmnet") || strpfx(ifname, "usb"))
	{
		return MIF_IF_CELLULAR;
	}
	if (strpfx(ifname, "eth") || strpfx(ifname, "en"))
	{
		return MIF_IF_WIRED;
	}
	return MIF_IF_UNSPECIFIED;
}

/**
 * Remote address for a path from a local address: the IKE SA's peer
 * address of the same family, else one the peer announced with MOBIKE.
 */
static host_t *select_remote(ike_sa_t *ike_sa, host_t *local)
{
	enumerator_t *enumerator;
	host_t *other = ike_sa->get_other_host(ike_sa), *addr, *found = NULL;

	if (other->get_family(other) == local->get_family(local))
	{
		return other->clone(other);
	}
	enumerator = ike_sa->create_peer_address_enumerator(ike_sa);
	while (enumerator->enumerate(enumerator, &addr))
	{
		if (addr->get_family(addr) == local->get_family(local))
		{
			found = addr->clone(addr);
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Runtime CHILD config of a path: an ESP transport SA between the path's
 * addresses for GRE, without policies (installed by the data plane).
 * Proposals and lifetimes are those of the connection's first CHILD.
 */
static child_cfg_t *create_path_cfg(ike_sa_t *ike_sa, mif_path_t *path)
{
	child_cfg_create_t data = {
		.mode = MODE_TRANSPORT,
		.options = OPT_PROXY_MODE | OPT_NO_POLICIES,
	};
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	enumerator_t *enumerator;
	child_cfg_t *cfg, *base = NULL;
	lifetime_cfg_t *lifetime = NULL;
	linked_list_t *proposals;
	proposal_t *proposal;
	char name[64];

	enumerator = peer_cfg->create_child_cfg_enumerator(peer_cfg);
	while (enumerator->enumerate(enumerator, &cfg))
	{
		if (!strpfx(cfg->get_name(cfg), PATH_CHILD_PREFIX))
		{
			base = cfg->get_ref(cfg);
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (base)
	{
		lifetime = base->get_lifetime(base, FALSE);
		data.lifetime = *lifetime;
		free(lifetime);
	}
	snprintf(name, sizeof(name), PATH_CHILD_PREFIX "%u", path->bid);
	cfg = child_cfg_create(name, &data);
	cfg->add_traffic_selector(cfg, TRUE, traffic_selector_create_from_subnet(
				path->local->clone(path->local),
				path->local->get_family(path->local) == AF_INET ? 32 : 128,
				IPPROTO_GRE, 0, 65535));
	cfg->add_traffic_selector(cfg, FALSE, traffic_selector_create_from_subnet(
				path->remote->clone(path->remote),
				path->remote->get_family(path->remote) == AF_INET ? 32 : 128,
				IPPROTO_GRE, 0, 65535));
	if (base)
	{
		proposals = base->get_proposals(base, FALSE);
		while (proposals->remove_first(proposals, (void**)&proposal) == SUCCESS)
		{
			cfg->add_proposal(cfg, proposal);
		}
		proposals->destroy(proposals);
		base->destroy(base);
	}
	else
	{
		cfg->add_proposal(cfg, proposal_create_default(PROTO_ESP));
	}
	return cfg;
}

/**
 * Make the path's CHILD config acceptable as responder (announcing side):
 * the verifier, having checked our address, initiates the CHILD SA.
 */
static void add_responder_cfg(ike_sa_t *ike_sa, mif_path_t *path)
{
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	child_cfg_t *cfg = create_path_cfg(ike_sa, path);
	enumerator_t *enumerator;
	child_cfg_t *current;
	bool found = FALSE;

	enumerator = peer_cfg->create_child_cfg_enumerator(peer_cfg);
	while (enumerator->enumerate(enumerator, &current))
	{
		if (current->equals(current, cfg))
		{
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (found)
	{
		cfg->destroy(cfg);
		return;
	}
	peer_cfg->add_child_cfg(peer_cfg, cfg);
}

/**
 * Is the address one of the IKE SA's own virtual IPs? Those travel inside
 * the tunnel and must never become a path (MOBIKE re-installs them on the
 * new interface, which looks like a new address).
 */
static bool is_virtual_ip(ike_sa_t *ike_sa, host_t *addr)
{
	enumerator_t *enumerator;
	host_t *vip;
	bool found = FALSE;

	enumerator = ike_sa->create_virtual_ip_enumerator(ike_sa, TRUE);
	while (enumerator->enumerate(enumerator, &vip))
	{
		if (vip->ip_equals(vip, addr))
		{
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Announce a local address as a new path (lock held).
 */
static uint16_t announce_path(private_mif_manager_t *this, mif_conn_t *conn,
							  ike_sa_t *ike_sa, host_t *local, char *ifname)
{
	mif_msg_path_add_t add = {};
	mif_path_t *path;
	host_t *remote;
	const char *reason;
	chunk_t data;

	if (mif_conn_find_local(conn, local) ||
		array_count(conn->paths) >= conn->peer.max_paths ||
		is_virtual_ip(ike_sa, local))
	{
		return 0;
	}
	remote = select_remote(ike_sa, local);
	if (!remote)
	{
		DBG2(DBG_CFG, "mif: no peer address of the family of %H", local);
		return 0;
	}
	path = mif_conn_add_path(conn, conn->next_bid++, local->clone(local),
							 remote);
	path->seq = ++conn->seq;
	path->state = MIF_PATH_ANNOUNCED;
	if (ifname)
	{
		strncpy(path->ifname, ifname, sizeof(path->ifname) - 1);
	}
	else if (charon->kernel->get_interface(charon->kernel, local, &ifname))
	{
		strncpy(path->ifname, ifname, sizeof(path->ifname) - 1);
		free(ifname);
	}
	path->link = path->ifname[0] ? if_nametoindex(path->ifname) : 0;
	if (path->link && this->srcroute)
	{
		this->srcroute->add(this->srcroute, path->local, path->link);
	}
	path->kind = guess_kind(path->ifname);
	path->prio = path->kind == MIF_IF_CELLULAR ? 100 : 50;

	add = (mif_msg_path_add_t){
		.bid = path->bid,
		.seq = path->seq,
		.kind = path->kind,
		.priority = path->prio,
		.local = path->local,
		.remote = path->remote,
	};
	memcpy(add.ifname, path->ifname, sizeof(add.ifname));
	if (mif_msg_build_path_add(&add, &data, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_CFG, "mif: cannot announce %H: %s", local, reason);
		forget_path(this, conn, path->bid);
		return 0;
	}
	add_responder_cfg(ike_sa, path);
	record_binding(this, ike_sa, path, MIF_BINDING_PROBING,
				   MIF_LIFETIME_MAX);
	DBG1(DBG_CFG, "mif: announcing path BID %u %H === %H (%s) for IKE_SA "
		 "%s[%u]", path->bid, path->local, path->remote,
		 path->ifname[0] ? path->ifname : "?", conn->name, conn->ike_id);
	send_notify(this, conn->ike_id, MIF_PATH_ADD, data);
	return path->bid;
}

/**
 * Announce all usable local addresses of an IKE SA (lock held).
 */
static void announce_all(private_mif_manager_t *this, mif_conn_t *conn,
						 ike_sa_t *ike_sa)
{
	enumerator_t *enumerator;
	host_t *addr;
	char *ifname;

	enumerator = charon->kernel->create_address_enumerator(charon->kernel,
														ADDR_TYPE_REGULAR);
	while (enumerator->enumerate(enumerator, &addr))
	{
		const char *reason;

		if (!mif_msg_check_address(addr, &reason) ||
			(addr->get_family(addr) == AF_INET6 &&
			 addr->get_address(addr).ptr[0] == 0xfe &&
			 (addr->get_address(addr).ptr[1] & 0xc0) == 0x80))
		{	/* link-local addresses can't reach the gateway */
			continue;
		}
		ifname = NULL;
		charon->kernel->get_interface(charon->kernel, addr, &ifname);
		if (!ifname || strpfx(ifname, "mif"))
		{	/* never build paths over our own GRE devices */
			free(ifname);
			continue;
		}
		announce_path(this, conn, ike_sa, addr, ifname);
		free(ifname);
	}
	enumerator->destroy(enumerator);
}

/**
 * Recompute the inner routes of an IKE SA over its usable paths.
 */
static void update_routes(private_mif_manager_t *this, mif_conn_t *conn)
{
	uint16_t bids[MIF_MSG_MAX_PATHS];
	mif_path_t *path;
	u_int count = 0;
	int i;

	if (!this->dataplane || !conn->routes->get_count(conn->routes))
	{
		return;
	}
	for (i = 0; i < array_count(conn->paths) && count < countof(bids); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->state == MIF_PATH_ACTIVE)
		{
			bids[count++] = path->bid;
		}
	}
	this->dataplane->set_routes(this->dataplane, conn->ike_id, conn->routes,
								conn->src, bids, count);
	DBG1(DBG_KNL, "mif: IKE_SA %s[%u] routes over %u path(s)", conn->name,
		 conn->ike_id, count);
}

/**
 * Job creating a path's CHILD SA after a successful RR check.
 */
typedef struct {
	uint32_t ike_id;
	uint16_t bid;
	host_t *local, *remote;
} child_job_t;

CALLBACK(child_job, job_requeue_t,
	child_job_t *job)
{
	mif_path_t path = {
		.bid = job->bid,
		.local = job->local,
		.remote = job->remote,
	};
	ike_sa_t *ike_sa;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													job->ike_id);
	if (!ike_sa)
	{
		return JOB_REQUEUE_NONE;
	}
	DBG1(DBG_CHD, "mif: creating CHILD_SA for path BID %u %H === %H",
		 job->bid, job->local, job->remote);
	if (ike_sa->initiate(ike_sa, create_path_cfg(ike_sa, &path),
						 NULL) == DESTROY_ME)
	{
		charon->ike_sa_manager->checkin_and_destroy(charon->ike_sa_manager,
													ike_sa);
		return JOB_REQUEUE_NONE;
	}
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return JOB_REQUEUE_NONE;
}

CALLBACK(child_job_destroy, void,
	child_job_t *job)
{
	job->local->destroy(job->local);
	job->remote->destroy(job->remote);
	free(job);
}

/**
 * Queue a MIF_PATH_ACK for the response to request mid.
 */
static void answer_ack(mif_conn_t *conn, uint32_t mid, mif_msg_path_ack_t *ack)
{
	const char *reason;
	chunk_t answer;

	if (mif_msg_build_path_ack(ack, &answer, &reason) == MIF_MSG_OK)
	{
		mif_conn_answer(conn, mid, MIF_PATH_ACK, answer);
		chunk_free(&answer);
	}
	else
	{
		DBG1(DBG_IKE, "mif: building MIF_PATH_ACK failed: %s", reason);
	}
}

/**
 * Verifier: the peer asks for a new path (lock held).
 */
static void process_add(private_mif_manager_t *this, mif_conn_t *conn,
						ike_sa_t *ike_sa, chunk_t data, uint32_t mid)
{
	mif_msg_path_add_t add;
	mif_msg_path_ack_t ack = {};
	mif_path_t *path;
	rng_t *rng;
	const char *reason;

	if (mif_msg_parse_path_add(data, &add, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: rejecting malformed MIF_PATH_ADD: %s", reason);
		ack.status = MIF_ACK_MALFORMED;
		goto answer;
	}
	ack.bid = add.bid;
	ack.seq = add.seq;
	path = mif_conn_get_path(conn, add.bid);
	if (add.bid < 2)
	{
		ack.status = MIF_ACK_BID_CONFLICT;
	}
	else if (path && !mif_msg_seq_newer(add.seq, path->seq))
	{
		DBG1(DBG_IKE, "mif: stale MIF_PATH_ADD for BID %u (seq %u, have %u)",
			 add.bid, add.seq, path->seq);
		ack.status = MIF_ACK_STALE_SEQ;
	}
	else if (!path && array_count(conn->paths) >= conn->mine.max_paths)
	{
		ack.status = MIF_ACK_TOO_MANY_PATHS;
	}
	else if (!charon->kernel->get_interface(charon->kernel, add.remote, NULL))
	{
		DBG1(DBG_IKE, "mif: MIF_PATH_ADD names %H, which is not ours",
			 add.remote);
		ack.status = MIF_ACK_BAD_ADDRESS;
	}
	if (ack.status != MIF_ACK_ACCEPTED)
	{
		goto answer;
	}
	if (path)
	{	/* re-announcement with a new address: prove it again */
		forget_path(this, conn, add.bid);
	}
	path = mif_conn_add_path(conn, add.bid, add.remote->clone(add.remote),
							 add.local->clone(add.local));
	path->seq = add.seq;
	path->kind = add.kind;
	path->prio = add.priority;
	memcpy(path->ifname, add.ifname, sizeof(path->ifname));
	path->state = MIF_PATH_CHECKING;
	rng = lib->crypto->create_rng(lib->crypto, RNG_STRONG);
	if (!rng || !rng->get_bytes(rng, sizeof(path->cookie), path->cookie))
	{
		DESTROY_IF(rng);
		forget_path(this, conn, add.bid);
		ack.status = MIF_ACK_REFUSED;
		goto answer;
	}
	rng->destroy(rng);
	record_binding(this, ike_sa, path, MIF_BINDING_PROBING, MIF_LIFETIME_MAX);
	DBG1(DBG_IKE, "mif: peer announced path BID %u %H (%s, %N, prio %u), "
		 "checking return routability", path->bid, path->remote,
		 path->ifname[0] ? path->ifname : "?", mif_if_kind_names, path->kind,
		 path->prio);
	path->rr_tries = 1;
	send_probe(this, conn, path, MIF_PROBE_REQUEST, MIF_PROBE_RR, 0);

answer:
	mif_msg_path_add_clear(&add);
	answer_ack(conn, mid, &ack);
}

/**
 * Verifier: the peer echoes an RR cookie (lock held).
 */
static void process_rr(private_mif_manager_t *this, mif_conn_t *conn,
					   ike_sa_t *ike_sa, chunk_t data, uint32_t mid)
{
	mif_msg_path_rr_t rr;
	mif_msg_path_ack_t ack = {};
	mif_path_t *path;
	child_job_t *job;
	const char *reason;

	if (mif_msg_parse_path_rr(data, &rr, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: rejecting malformed MIF_PATH_RR: %s", reason);
		ack.status = MIF_ACK_MALFORMED;
		goto answer;
	}
	ack.bid = rr.bid;
	ack.seq = rr.seq;
	path = mif_conn_get_path(conn, rr.bid);
	if (!path)
	{
		ack.status = MIF_ACK_UNKNOWN_BID;
	}
	else if (path->state != MIF_PATH_CHECKING || rr.seq != path->seq ||
			 !memeq_const(rr.cookie, path->cookie, sizeof(rr.cookie)))
	{
		DBG1(DBG_IKE, "mif: return routability check of path BID %u failed",
			 rr.bid);
		ack.status = MIF_ACK_RR_MISMATCH;
	}
	else
	{
		DBG1(DBG_IKE, "mif: return routability of %H proven, path BID %u",
			 path->remote, path->bid);
		path->state = MIF_PATH_CHILD;
		INIT(job,
			.ike_id = conn->ike_id,
			.bid = path->bid,
			.local = path->local->clone(path->local),
			.remote = path->remote->clone(path->remote),
		);
		lib->processor->queue_job(lib->processor, (job_t*)
				callback_job_create(child_job, job, child_job_destroy, NULL));
	}
	memwipe(&rr, sizeof(rr));

answer:
	answer_ack(conn, mid, &ack);
}

/**
 * Forget a path, releasing its source routing (lock held).
 */
static void forget_path(private_mif_manager_t *this, mif_conn_t *conn,
						uint16_t bid)
{
	mif_path_t *path = mif_conn_get_path(conn, bid);

	if (path && path->link && this->srcroute)
	{
		this->srcroute->del(this->srcroute, path->local);
	}
	mif_conn_remove_path(conn, bid);
}

/**
 * Forget all paths of an IKE SA (lock held).
 */
static void forget_all(private_mif_manager_t *this, mif_conn_t *conn)
{
	mif_path_t *path;

	while (array_get(conn->paths, ARRAY_HEAD, &path))
	{
		forget_path(this, conn, path->bid);
	}
}

/**
 * Tear down a path locally (lock held).
 */
static void drop_path(private_mif_manager_t *this, mif_conn_t *conn,
					  ike_sa_t *ike_sa, mif_path_t *path)
{
	uint16_t bid = path->bid;

	if (this->dataplane && path->dev[0])
	{
		this->dataplane->del_path(this->dataplane, conn->ike_id, bid);
	}
	if (ike_sa)
	{
		record_binding(this, ike_sa, path, MIF_BINDING_REMOVED, 0);
	}
	forget_path(this, conn, bid);
	update_routes(this, conn);
}

/**
 * Either side: the peer removes a path (lock held).
 */
static void process_remove(private_mif_manager_t *this, mif_conn_t *conn,
						   ike_sa_t *ike_sa, chunk_t data, uint32_t mid)
{
	mif_msg_path_remove_t rem;
	mif_msg_path_ack_t ack = {};
	mif_path_t *path;
	const char *reason;

	if (mif_msg_parse_path_remove(data, &rem, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: rejecting malformed MIF_PATH_REMOVE: %s", reason);
		ack.status = MIF_ACK_MALFORMED;
	}
	else
	{
		ack.bid = rem.bid;
		ack.seq = rem.seq;
		path = mif_conn_get_path(conn, rem.bid);
		if (!path)
		{
			ack.status = MIF_ACK_UNKNOWN_BID;
		}
		else if (!mif_msg_seq_newer(rem.seq, path->seq))
		{
			ack.status = MIF_ACK_STALE_SEQ;
		}
		else
		{
			DBG1(DBG_IKE, "mif: peer removed path BID %u %H (reason %u)",
				 rem.bid, path->remote, rem.reason);
			drop_path(this, conn, ike_sa, path);
		}
	}
	answer_ack(conn, mid, &ack);
}

/**
 * The peer tells us a path's state changed (lock held).
 */
static void process_update(private_mif_manager_t *this, mif_conn_t *conn,
						   chunk_t data)
{
	mif_msg_path_update_t update;
	mif_path_t *path;
	const char *reason;
	bool changed = FALSE;
	int i;

	if (mif_msg_parse_path_update(data, &update, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: ignoring malformed MIF_PATH_UPDATE: %s", reason);
		return;
	}
	for (i = 0; i < update.count; i++)
	{
		path = mif_conn_get_path(conn, update.entries[i].bid);
		if (!path || !mif_msg_seq_newer(update.entries[i].seq, path->seq))
		{
			continue;
		}
		path->seq = update.entries[i].seq;
		path->prio = update.entries[i].priority;
		if (update.entries[i].state == MIF_WIRE_STANDBY &&
			path->state == MIF_PATH_ACTIVE)
		{
			DBG1(DBG_IKE, "mif: peer reports path BID %u down", path->bid);
			path->state = MIF_PATH_DEAD;
			changed = TRUE;
		}
	}
	if (changed)
	{
		update_routes(this, conn);
	}
}

/**
 * Our MIF_SUPPORTED notify data.
 */
static bool add_supported(mif_conn_t *conn, message_t *message)
{
	const char *reason;
	chunk_t data;

	if (mif_msg_build_supported(&conn->mine, &data, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: building MIF_SUPPORTED failed: %s", reason);
		return FALSE;
	}
	message->add_notify(message, FALSE, MIF_SUPPORTED, data);
	chunk_free(&data);
	conn->sent = TRUE;
	return TRUE;
}

/**
 * Is the extension enabled for this IKE SA's connection?
 */
static bool enabled_for(ike_sa_t *ike_sa)
{
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);

	if (ike_sa->get_version(ike_sa) != IKEV2 ||
		!lib->settings->get_bool(lib->settings, "%s.plugins.mif.enable",
								 TRUE, lib->ns))
	{
		return FALSE;
	}
	return !peer_cfg || lib->settings->get_bool(lib->settings,
							"%s.plugins.mif.connections.%s.enable", TRUE,
							lib->ns, peer_cfg->get_name(peer_cfg));
}

/**
 * IKE_AUTH: capability negotiation.
 */
static void ike_auth(private_mif_manager_t *this, ike_sa_t *ike_sa,
					 message_t *message, bool incoming)
{
	uintptr_t id = ike_sa->get_unique_id(ike_sa);
	notify_payload_t *notify;
	mif_conn_t *conn;
	const char *reason;

	conn = this->conns->get(this->conns, (void*)id);
	if (!incoming)
	{
		if (message->get_request(message))
		{
			if (!conn && message->get_payload(message, PLV2_ID_INITIATOR) &&
				enabled_for(ike_sa))
			{
				conn = mif_conn_create(ike_sa, TRUE);
				if (conn && add_supported(conn, message))
				{
					this->conns->put(this->conns, (void*)id, conn);
				}
				else if (conn)
				{
					mif_conn_destroy(conn);
				}
			}
		}
		else if (conn && conn->peer_supported && !conn->sent &&
				 message->get_payload(message, PLV2_AUTH))
		{
			add_supported(conn, message);
		}
		return;
	}
	notify = message->get_notify(message, MIF_SUPPORTED);
	if (!notify)
	{
		return;
	}
	if (!conn && message->get_request(message))
	{
		if (!enabled_for(ike_sa))
		{
			return;
		}
		conn = mif_conn_create(ike_sa, FALSE);
		if (!conn)
		{
			return;
		}
		this->conns->put(this->conns, (void*)id, conn);
	}
	if (!conn)
	{
		return;
	}
	if (mif_msg_parse_supported(notify->get_notification_data(notify),
								&conn->peer, &reason) != MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: ignoring malformed MIF_SUPPORTED: %s", reason);
		return;
	}
	conn->peer_supported = TRUE;
}

/**
 * INFORMATIONAL request from the peer carrying our notifies.
 */
static void informational(private_mif_manager_t *this, ike_sa_t *ike_sa,
						  message_t *message)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	mif_conn_t *conn;
	uint32_t mid = message->get_message_id(message);
	chunk_t data;

	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (!conn || !conn->key_rx.len)
	{	/* not negotiated: the notifies are unknown to us, as to stock peers */
		return;
	}
	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) != PLV2_NOTIFY)
		{
			continue;
		}
		notify = (notify_payload_t*)payload;
		data = notify->get_notification_data(notify);
		switch ((int)notify->get_notify_type(notify))
		{
			case MIF_PATH_ADD:
				process_add(this, conn, ike_sa, data, mid);
				break;
			case MIF_PATH_RR:
				process_rr(this, conn, ike_sa, data, mid);
				break;
			case MIF_PATH_REMOVE:
				process_remove(this, conn, ike_sa, data, mid);
				break;
			case MIF_PATH_UPDATE:
				process_update(this, conn, data);
				break;
			default:
				break;
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Add our answers to the response of the request we processed.
 */
static void answer(private_mif_manager_t *this, ike_sa_t *ike_sa,
				   message_t *message)
{
	mif_conn_t *conn;
	chunk_t answer;
	uint16_t type;

	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (!conn || conn->answer_mid != message->get_message_id(message))
	{
		return;
	}
	while (array_remove(conn->answers, ARRAY_HEAD, &answer))
	{
		memcpy(&type, answer.ptr, sizeof(type));
		message->add_notify(message, FALSE, ntohs(type),
							chunk_skip(answer, sizeof(type)));
		chunk_free(&answer);
	}
}

METHOD(listener_t, message_hook, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	if (!plain)
	{
		return TRUE;
	}
	this->mutex->lock(this->mutex);
	switch (message->get_exchange_type(message))
	{
		case IKE_AUTH:
			ike_auth(this, ike_sa, message, incoming);
			break;
		case INFORMATIONAL:
			if (incoming && message->get_request(message))
			{
				informational(this, ike_sa, message);
			}
			else if (!incoming && !message->get_request(message))
			{
				answer(this, ike_sa, message);
			}
			break;
		default:
			break;
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * Inner routes of an IKE SA from one of its regular CHILD SAs: the remote
 * selectors, unless they would capture the paths' own outer traffic.
 */
static void learn_routes(mif_conn_t *conn, ike_sa_t *ike_sa,
						 child_sa_t *child_sa)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	host_t *vip, *other = ike_sa->get_other_host(ike_sa);

	enumerator = child_sa->create_ts_enumerator(child_sa, FALSE);
	while (enumerator->enumerate(enumerator, &ts))
	{
		if (ts->includes(ts, other))
		{
			DBG1(DBG_CFG, "mif: not routing %R over paths, it contains the "
				 "peer's address", ts);
			continue;
		}
		conn->routes->insert_last(conn->routes, ts->clone(ts));
	}
	enumerator->destroy(enumerator);
	enumerator = ike_sa->create_virtual_ip_enumerator(ike_sa, TRUE);
	if (!conn->src && enumerator->enumerate(enumerator, &vip))
	{
		conn->src = vip->clone(vip);
	}
	enumerator->destroy(enumerator);
}

/**
 * A path's CHILD SA is up: install its data plane (lock held).
 */
static void path_child_up(private_mif_manager_t *this, mif_conn_t *conn,
						  ike_sa_t *ike_sa, child_sa_t *child_sa)
{
	mif_dp_path_t dp;
	mif_path_t *path;
	uint16_t bid;

	bid = atoi(child_sa->get_name(child_sa) + strlen(PATH_CHILD_PREFIX));
	path = mif_conn_get_path(conn, bid);
	if (!path)
	{
		return;
	}
	path->child_id = child_sa->get_unique_id(child_sa);
	dp = (mif_dp_path_t){
		.ike_id = conn->ike_id,
		.bid = bid,
		.local = path->local,
		.remote = path->remote,
		.reqid = child_sa->get_reqid(child_sa),
		.spi_in = child_sa->get_spi(child_sa, TRUE),
		.spi_out = child_sa->get_spi(child_sa, FALSE),
		.weight = 1,
		.link = path->link,
	};
	if (this->dataplane &&
		!this->dataplane->add_path(this->dataplane, &dp, path->dev))
	{
		DBG1(DBG_KNL, "mif: installing path BID %u failed", bid);
		return;
	}
	path->state = MIF_PATH_ACTIVE;
	time_monotonic(&path->last_rx);
	record_binding(this, ike_sa, path, MIF_BINDING_ACTIVE, MIF_LIFETIME_MAX);
	DBG1(DBG_CHD, "mif: path BID %u %H === %H active over %s, CHILD_SA "
		 "%s{%u} reqid %u", bid, path->local, path->remote,
		 path->dev[0] ? path->dev : "-", child_sa->get_name(child_sa),
		 path->child_id, dp.reqid);
	update_routes(this, conn);
}

METHOD(listener_t, child_updown, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	mif_conn_t *conn;
	mif_path_t *path;
	bool is_path;

	is_path = strpfx(child_sa->get_name(child_sa), PATH_CHILD_PREFIX);
	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (conn && conn->key_rx.len)
	{
		if (is_path && up)
		{
			path_child_up(this, conn, ike_sa, child_sa);
		}
		else if (is_path)
		{
			path = mif_conn_get_path(conn, atoi(child_sa->get_name(child_sa) +
												strlen(PATH_CHILD_PREFIX)));
			if (path && path->child_id == child_sa->get_unique_id(child_sa))
			{
				drop_path(this, conn, ike_sa, path);
			}
		}
		else if (up)
		{
			learn_routes(conn, ike_sa, child_sa);
			update_routes(this, conn);
		}
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(listener_t, ike_updown, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, bool up)
{
	uintptr_t id = ike_sa->get_unique_id(ike_sa);
	mif_conn_t *conn;

	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns, (void*)id);
	if (conn && up)
	{
		/* a responder's IKE SA comes up while it builds the IKE_AUTH
		 * response, to which ike_auth() then adds our MIF_SUPPORTED */
		if (!conn->peer_supported || (conn->initiator && !conn->sent) ||
			!mif_conn_derive_keys(conn, ike_sa))
		{
			DBG1(DBG_IKE, "mif: peer of IKE_SA %s[%u] does not support "
				 "multiple interfaces, using plain MOBIKE", conn->name,
				 conn->ike_id);
			this->conns->remove(this->conns, (void*)id);
			mif_conn_destroy(conn);
		}
		else
		{
			free(conn->name);
			conn->name = strdup(ike_sa->get_name(ike_sa));
			mif_conn_set_ike_path(conn, ike_sa->get_my_host(ike_sa),
								  ike_sa->get_other_host(ike_sa));
			DBG1(DBG_IKE, "mif: multiple interfaces enabled for IKE_SA "
				 "%s[%u], peer accepts %u paths, probes on port %u",
				 conn->name, conn->ike_id, conn->peer.max_paths,
				 conn->peer.probe_port);
			if (conn->initiator && this->announce)
			{
				announce_all(this, conn, ike_sa);
			}
		}
	}
	else if (conn)
	{
		if (this->dataplane)
		{
			this->dataplane->flush(this->dataplane, conn->ike_id);
		}
		forget_all(this, conn);
		unsteer(this, conn);
		this->conns->remove(this->conns, (void*)id);
		mif_conn_destroy(conn);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(listener_t, ike_update, bool,
	private_mif_manager_t *this, ike_sa_t *ike_sa, host_t *local,
	host_t *remote)
{
	mif_conn_t *conn;

	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns,
						(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
	if (conn && conn->ike_local)
	{
		mif_conn_set_ike_path(conn, local, remote);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(listener_t, ike_rekey, bool,
	private_mif_manager_t *this, ike_sa_t *old, ike_sa_t *new)
{
	uintptr_t id = old->get_unique_id(old);
	mif_conn_t *conn;

	this->mutex->lock(this->mutex);
	conn = this->conns->remove(this->conns, (void*)id);
	if (conn)
	{
		/* paths and their CHILD SAs move to the new IKE SA; probe keys are
		 * bound to the SPIs, so derive them again */
		if (this->dataplane)
		{
			this->dataplane->flush(this->dataplane, conn->ike_id);
		}
		conn->ike_id = new->get_unique_id(new);
		mif_conn_derive_keys(conn, new);
		this->conns->put(this->conns, (void*)(uintptr_t)conn->ike_id, conn);
		DBG1(DBG_IKE, "mif: paths moved to rekeyed IKE_SA %s[%u]", conn->name,
			 conn->ike_id);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * Find the state of the IKE SA a probe belongs to (lock held).
 */
static mif_conn_t *find_by_spis(private_mif_manager_t *this, uint64_t spi_i,
								uint64_t spi_r)
{
	enumerator_t *enumerator;
	mif_conn_t *conn, *found = NULL;

	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		if (conn->spi_i == spi_i && conn->spi_r == spi_r && conn->key_rx.len)
		{
			found = conn;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Announcer: an RR probe proves the peer reached our claimed address; echo
 * its cookie inside the IKE SA (lock held).
 */
static void echo_rr(private_mif_manager_t *this, mif_conn_t *conn,
					mif_path_t *path, mif_msg_probe_t *probe)
{
	mif_msg_path_rr_t rr = {
		.bid = path->bid,
		.seq = probe->seq,
	};
	const char *reason;
	chunk_t data;

	if (path->state != MIF_PATH_ANNOUNCED || probe->seq != path->seq)
	{
		return;
	}
	memcpy(rr.cookie, probe->cookie, sizeof(rr.cookie));
	if (mif_msg_build_path_rr(&rr, &data, &reason) == MIF_MSG_OK)
	{
		DBG1(DBG_IKE, "mif: RR probe for path BID %u received on %H, "
			 "echoing cookie", path->bid, path->local);
		path->state = MIF_PATH_CHILD;
		send_notify(this, conn->ike_id, MIF_PATH_RR, data);
	}
	memwipe(&rr, sizeof(rr));
}

CALLBACK(receive_probe, void,
	private_mif_manager_t *this, host_t *src, host_t *dst, chunk_t datagram)
{
	mif_msg_probe_t probe;
	mif_conn_t *conn;
	mif_path_t *path;
	const char *reason;

	if (mif_msg_parse_probe(datagram, &probe, &reason) != MIF_MSG_OK)
	{
		DBG2(DBG_NET, "mif: dropping malformed probe from %#H: %s", src,
			 reason);
		return;
	}
	this->mutex->lock(this->mutex);
	conn = find_by_spis(this, probe.spi_i, probe.spi_r);
	if (!conn ||
		mif_msg_verify_probe(datagram, conn->key_rx, &reason) != MIF_MSG_OK)
	{
		DBG2(DBG_NET, "mif: dropping unauthenticated probe from %#H", src);
		goto out;
	}
	path = mif_conn_get_path(conn, probe.bid);
	/* a probe counts only on the very address pair of its path */
	if (!path || !path->local->ip_equals(path->local, dst) ||
		!path->remote->ip_equals(path->remote, src))
	{
		DBG2(DBG_NET, "mif: probe for BID %u from %#H to %H does not match "
			 "its path", probe.bid, src, dst);
		goto out;
	}
	if (probe.type == MIF_PROBE_REQUEST && (probe.flags & MIF_PROBE_RR))
	{
		echo_rr(this, conn, path, &probe);
		goto out;
	}
	time_monotonic(&path->last_rx);
	path->heard = TRUE;
	if (probe.type == MIF_PROBE_REQUEST)
	{
		send_probe(this, conn, path, MIF_PROBE_REPLY, 0, probe.number);
	}
	if (path->state == MIF_PATH_DEAD)
	{
		DBG1(DBG_NET, "mif: path BID %u %H === %H is alive again", path->bid,
			 path->local, path->remote);
		path->state = MIF_PATH_ACTIVE;
		update_routes(this, conn);
		if (conn->steered)
		{	/* MOBIKE keeps the IKE SA on its working path */
			unsteer(this, conn);
		}
	}
out:
	mif_msg_probe_clear(&probe);
	this->mutex->unlock(this->mutex);
}

/**
 * Undo the steering of the IKE SA's route (lock held).
 */
static void unsteer(private_mif_manager_t *this, mif_conn_t *conn)
{
	if (conn->steered && this->srcroute)
	{
		this->srcroute->unsteer(this->srcroute, conn->ike_remote);
	}
	conn->steered = FALSE;
}

/**
 * The path under the IKE SA died silently (liveness, not a kernel event):
 * charon cannot notice, so steer the route towards the peer through a
 * working path and let MOBIKE move the IKE SA there (lock held).
 */
static void steer_ike(private_mif_manager_t *this, mif_conn_t *conn)
{
	mif_path_t *path, *dead = NULL, *live = NULL;
	int i;

	if (!conn->initiator || conn->steered || !conn->ike_local ||
		!this->srcroute)
	{
		return;
	}
	for (i = 0; i < array_count(conn->paths); i++)
	{
		array_get(conn->paths, i, &path);
		if (path->state == MIF_PATH_DEAD &&
			path->local->ip_equals(path->local, conn->ike_local))
		{
			dead = path;
		}
		else if (path->state == MIF_PATH_ACTIVE && path->link &&
				 path->local->get_family(path->local) ==
						conn->ike_remote->get_family(conn->ike_remote) &&
				 (!live || path->prio < live->prio))
		{
			live = path;
		}
	}
	if (dead && live &&
		this->srcroute->steer(this->srcroute, conn->ike_remote, live->local))
	{
		DBG1(DBG_IKE, "mif: IKE_SA %s[%u] path %H - %H is dead, steering "
			 "MOBIKE to %H", conn->name, conn->ike_id, conn->ike_local,
			 conn->ike_remote, live->local);
		if (!lib->settings->get_bool(lib->settings, "%s.prefer_best_path",
									 FALSE, lib->ns))
		{	/* otherwise charon keeps any path a route could still serve */
			DBG1(DBG_IKE, "mif: MOBIKE follows only with "
				 "charon.prefer_best_path = yes");
		}
		conn->steered = TRUE;
		lib->processor->queue_job(lib->processor,
								  (job_t*)roam_job_create(FALSE));
	}
}

/**
 * Periodic work on all paths: RR retransmissions, liveness probes, dead
 * path detection.
 */
CALLBACK(tick, job_requeue_t,
	private_mif_manager_t *this)
{
	enumerator_t *enumerator;
	mif_conn_t *conn;
	mif_path_t *path;
	timeval_t now;
	int64_t age;
	bool changed;
	int i;

	time_monotonic(&now);
	this->mutex->lock(this->mutex);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		if (!conn->key_rx.len)
		{
			continue;
		}
		changed = FALSE;
		for (i = 0; i < array_count(conn->paths); i++)
		{
			array_get(conn->paths, i, &path);
			switch (path->state)
			{
				case MIF_PATH_CHECKING:
					/* one RR probe per second, then refuse the path */
					if (++path->rr_tries % (1000 / this->interval))
					{
						break;
					}
					if (path->rr_tries / (1000 / this->interval) >=
															this->rr_tries)
					{
						DBG1(DBG_IKE, "mif: %H did not answer the return "
							 "routability check, refusing path BID %u",
							 path->remote, path->bid);
						forget_path(this, conn, path->bid);
						i--;
						break;
					}
					send_probe(this, conn, path, MIF_PROBE_REQUEST,
							   MIF_PROBE_RR, 0);
					break;
				case MIF_PATH_ACTIVE:
				case MIF_PATH_DEAD:
					if (conn->initiator)
					{
						send_probe(this, conn, path, MIF_PROBE_REQUEST, 0,
								   ++path->probe_number);
					}
					age = (now.tv_sec - path->last_rx.tv_sec) * 1000 +
						  (now.tv_usec - path->last_rx.tv_usec) / 1000;
					/* a fresh path gets time for its first probe to come
					 * through before it can be declared dead */
					if (path->state == MIF_PATH_ACTIVE &&
						age > (path->heard ? this->dead : 3 * this->dead))
					{
						DBG1(DBG_NET, "mif: path BID %u %H === %H is dead, "
							 "no probe for %lld ms", path->bid, path->local,
							 path->remote, (long long)age);
						path->state = MIF_PATH_DEAD;
						changed = TRUE;
					}
					break;
				default:
					break;
			}
		}
		if (changed)
		{
			update_routes(this, conn);
			steer_ike(this, conn);
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return JOB_RESCHEDULE_MS(this->interval);
}

/**
 * Job announcing a new local address to every IKE SA.
 */
typedef struct {
	private_mif_manager_t *this;
	host_t *addr;
	char *ifname;
	bool added;
} addr_job_t;

CALLBACK(addr_job, job_requeue_t,
	addr_job_t *job)
{
	private_mif_manager_t *this = job->this;
	enumerator_t *enumerator;
	uint32_t ids[64], *id;
	u_int count = 0, i;
	mif_conn_t *conn;
	mif_path_t *path;
	ike_sa_t *ike_sa;

	this->mutex->lock(this->mutex);
	enumerator = this->conns->create_enumerator(this->conns);
	while (count < countof(ids) &&
		   enumerator->enumerate(enumerator, NULL, &conn))
	{
		if (conn->key_rx.len && conn->initiator)
		{
			ids[count++] = conn->ike_id;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);

	for (i = 0; i < count; i++)
	{
		id = &ids[i];
		ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
														*id);
		if (!ike_sa)
		{
			continue;
		}
		this->mutex->lock(this->mutex);
		conn = this->conns->get(this->conns, (void*)(uintptr_t)*id);
		if (conn && job->added)
		{
			announce_path(this, conn, ike_sa, job->addr, job->ifname);
		}
		else if (conn && (path = mif_conn_find_local(conn, job->addr)))
		{
			mif_msg_path_remove_t rem = {
				.bid = path->bid,
				.seq = ++conn->seq,
				.reason = MIF_REMOVE_ADDR_GONE,
			};
			const char *reason;
			chunk_t data;

			DBG1(DBG_CFG, "mif: address %H gone, removing path BID %u",
				 job->addr, path->bid);
			if (mif_msg_build_path_remove(&rem, &data, &reason) == MIF_MSG_OK)
			{
				send_notify(this, conn->ike_id, MIF_PATH_REMOVE, data);
			}
			drop_path(this, conn, ike_sa, path);
		}
		this->mutex->unlock(this->mutex);
		charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	}
	return JOB_REQUEUE_NONE;
}

CALLBACK(addr_job_destroy, void,
	addr_job_t *job)
{
	job->addr->destroy(job->addr);
	free(job->ifname);
	free(job);
}

METHOD(mif_monitor_listener_t, monitor_address, bool,
	mif_monitor_listener_t *listener, int ifindex, char *name, host_t *addr,
	bool added)
{
	private_mif_manager_t *this = (private_mif_manager_t*)
		((char*)listener - offsetof(private_mif_manager_t, monitor_listener));
	addr_job_t *job;

	if (strpfx(name, "mif") || !this->announce)
	{
		return TRUE;
	}
	INIT(job,
		.this = this,
		.addr = addr->clone(addr),
		.ifname = strdup(name),
		.added = added,
	);
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create(addr_job, job, addr_job_destroy, NULL));
	return TRUE;
}

METHOD(mif_monitor_listener_t, monitor_link, bool,
	mif_monitor_listener_t *listener, int ifindex, char *name, bool up)
{
	private_mif_manager_t *this = (private_mif_manager_t*)
		((char*)listener - offsetof(private_mif_manager_t, monitor_listener));
	enumerator_t *enumerator;
	mif_conn_t *conn;
	mif_path_t *path;
	bool changed;
	int i;

	if (up || strpfx(name, "mif"))
	{	/* a path comes back once its probes are answered again */
		return TRUE;
	}
	/* failover without waiting for the dead interval: paths over an
	 * interface that went down stop carrying traffic at once */
	this->mutex->lock(this->mutex);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		changed = FALSE;
		for (i = 0; i < array_count(conn->paths); i++)
		{
			array_get(conn->paths, i, &path);
			if (path->state == MIF_PATH_ACTIVE && streq(path->ifname, name))
			{
				DBG1(DBG_KNL, "mif: %s down, path BID %u stops carrying "
					 "traffic", name, path->bid);
				path->state = MIF_PATH_DEAD;
				path->last_rx.tv_sec = 0;
				changed = TRUE;
			}
		}
		if (changed)
		{
			update_routes(this, conn);
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(mif_manager_t, add_path, uint16_t,
	private_mif_manager_t *this, uint32_t ike_id, host_t *local)
{
	ike_sa_t *ike_sa;
	mif_conn_t *conn;
	uint16_t bid = 0;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													ike_id);
	if (!ike_sa)
	{
		return 0;
	}
	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns, (void*)(uintptr_t)ike_id);
	if (conn && conn->key_rx.len)
	{
		bid = announce_path(this, conn, ike_sa, local, NULL);
	}
	this->mutex->unlock(this->mutex);
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return bid;
}

METHOD(mif_manager_t, remove_path, bool,
	private_mif_manager_t *this, uint32_t ike_id, uint16_t bid)
{
	mif_msg_path_remove_t rem = {
		.bid = bid,
		.reason = MIF_REMOVE_ADMIN,
	};
	ike_sa_t *ike_sa;
	mif_conn_t *conn;
	mif_path_t *path;
	const char *reason;
	chunk_t data;
	bool found = FALSE;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													ike_id);
	if (!ike_sa)
	{
		return FALSE;
	}
	this->mutex->lock(this->mutex);
	conn = this->conns->get(this->conns, (void*)(uintptr_t)ike_id);
	path = conn ? mif_conn_get_path(conn, bid) : NULL;
	if (path)
	{
		rem.seq = path->seq = ++conn->seq;
		if (mif_msg_build_path_remove(&rem, &data, &reason) == MIF_MSG_OK)
		{
			send_notify(this, ike_id, MIF_PATH_REMOVE, data);
		}
		DBG1(DBG_CFG, "mif: removing path BID %u %H === %H", bid, path->local,
			 path->remote);
		drop_path(this, conn, ike_sa, path);
		found = TRUE;
	}
	this->mutex->unlock(this->mutex);
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return found;
}

/**
 * Enumerator over all paths, holding the lock.
 */
typedef struct {
	enumerator_t public;
	private_mif_manager_t *this;
	enumerator_t *conns;
	mif_conn_t *conn;
	int i;
} path_enumerator_t;

METHOD(enumerator_t, path_enumerate, bool,
	path_enumerator_t *this, va_list args)
{
	uint32_t *ike_id;
	char **name;
	mif_path_t **path;

	VA_ARGS_VGET(args, ike_id, name, path);
	while (TRUE)
	{
		if (this->conn && this->i < array_count(this->conn->paths))
		{
			array_get(this->conn->paths, this->i++, path);
			*ike_id = this->conn->ike_id;
			*name = this->conn->name;
			return TRUE;
		}
		if (!this->conns->enumerate(this->conns, NULL, &this->conn))
		{
			return FALSE;
		}
		this->i = 0;
	}
}

METHOD(enumerator_t, path_enumerator_destroy, void,
	path_enumerator_t *this)
{
	this->conns->destroy(this->conns);
	this->this->mutex->unlock(this->this->mutex);
	free(this);
}

METHOD(mif_manager_t, create_path_enumerator, enumerator_t*,
	private_mif_manager_t *this)
{
	path_enumerator_t *enumerator;

	this->mutex->lock(this->mutex);
	INIT(enumerator,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _path_enumerate,
			.destroy = _path_enumerator_destroy,
		},
		.this = this,
		.conns = this->conns->create_enumerator(this->conns),
	);
	return &enumerator->public;
}

METHOD(mif_manager_t, destroy, void,
	private_mif_manager_t *this)
{
	enumerator_t *enumerator;
	mif_conn_t *conn;

	if (this->monitor)
	{
		this->monitor->remove_listener(this->monitor, &this->monitor_listener);
		this->monitor->destroy(this->monitor);
	}
	this->prober->destroy(this->prober);
	DESTROY_IF(this->srcroute);
	enumerator = this->conns->create_enumerator(this->conns);
	while (enumerator->enumerate(enumerator, NULL, &conn))
	{
		mif_conn_destroy(conn);
	}
	enumerator->destroy(enumerator);
	this->conns->destroy(this->conns);
	DESTROY_IF(this->dataplane);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mif_manager_t *mif_manager_create(mif_backend_t *backend,
								  mif_dataplane_t *dataplane)
{
	private_mif_manager_t *this;
	uint16_t port;

	INIT(this,
		.public = {
			.listener = {
				.message = _message_hook,
				.ike_updown = _ike_updown,
				.ike_rekey = _ike_rekey,
				.ike_update = _ike_update,
				.child_updown = _child_updown,
			},
			.add_path = _add_path,
			.remove_path = _remove_path,
			.create_path_enumerator = _create_path_enumerator,
			.destroy = _destroy,
		},
		.monitor_listener = {
			.link = _monitor_link,
			.address = _monitor_address,
		},
		.backend = backend,
		.dataplane = dataplane,
		.conns = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.interval = lib->settings->get_time(lib->settings,
							"%s.plugins.mif.probe_interval", 100, lib->ns),
		.dead = lib->settings->get_time(lib->settings,
							"%s.plugins.mif.dead_interval", 1000, lib->ns),
		.rr_tries = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.rr_tries", 5, lib->ns),
		.announce = lib->settings->get_bool(lib->settings,
							"%s.plugins.mif.announce", TRUE, lib->ns),
	);
	this->interval = max(10, min(this->interval, 1000));
	this->dead = max(this->dead, 2 * this->interval);

	port = lib->settings->get_int(lib->settings, "%s.plugins.mif.probe_port",
								  4501, lib->ns);
	this->prober = mif_prober_create(port, receive_probe, this);
	if (!this->prober)
	{
		DESTROY_IF(this->dataplane);
		this->conns->destroy(this->conns);
		this->mutex->destroy(this->mutex);
		free(this);
		return NULL;
	}
	this->srcroute = mif_srcroute_create();
	this->monitor = mif_monitor_create_from_settings("charon.plugins.mif.monitor");
	if (this->monitor)
	{
		this->monitor->add_listener(this->monitor, &this->monitor_listener);
	}
	lib->scheduler->schedule_job_ms(lib->scheduler, (job_t*)
			callback_job_create(tick, this, NULL, NULL), this->interval);
	return &this->public;
}
