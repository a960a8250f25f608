/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * mif-hostile: a TEST-ONLY charon plugin playing a hostile (authenticated
 * but malicious) multi-interface peer, for the testing/scenarios/
 * mif-hostile-* scenarios. It is never installed (noinst); scenarios copy
 * it into the guest's plugin directory.
 *
 * It speaks just enough of doc/protocol.md, through the real codec of
 * libmif, to attack a peer running the mif plugin:
 *
 *  - adds MIF_SUPPORTED to its IKE_AUTH requests (so the peer creates its
 *    per-SA state), also when the IKE_AUTH is never going to complete;
 *  - on command, sends MIF_PATH_ADD storms (many ADDs per INFORMATIONAL,
 *    the same BID with increasing Seq and/or many BIDs, Local = any victim
 *    address) and starts many IKE_SAs of a config (to abandon them).
 *
 * Control: one command line per connection on unix:///run/mif-hostile.sock
 * (charon.plugins.mif-hostile.socket), e.g. with
 *   echo 'status' | nc -N -U /run/mif-hostile.sock
 *
 *   status                         counters, one key=value per line
 *   reset                          zero the counters
 *   storm ike=NAME|ID local=ADDR [remote=ADDR] [msgs=1] [per=1] [bid=2]
 *         [bids=1] [seq=1] [interval=0]
 *       msgs INFORMATIONAL requests, interval ms apart, each carrying per
 *       MIF_PATH_ADDs; the n-th ADD of the storm has BID bid + n % bids and
 *       Seq seq + n / bids (each BID's Seq increases). remote defaults to
 *       the IKE SA's peer address
 *   initiate NAME COUNT [INTERVAL_MS]
 *       initiate COUNT IKE_SAs of connection NAME (charon.reuse_ikesa = no
 *       makes each a new IKE_SA), INTERVAL_MS apart (default 50)
 *
 * Settings (charon.plugins.mif-hostile.*): socket, probe_port (the
 * probe port announced in MIF_SUPPORTED, default 4501), max_paths (16),
 * connections.<name>.supported (default yes: send MIF_SUPPORTED).
 */

#include <library.h>
#include <daemon.h>
#include <plugins/plugin.h>
#include <plugins/plugin_feature.h>
#include <processing/jobs/callback_job.h>
#include <threading/mutex.h>
#include <collections/array.h>
#include <inttypes.h>

#include <mif_msg.h>

#define HOSTILE_SOCKET "unix:///run/mif-hostile.sock"
#define MAX_REQUEST 512

typedef struct private_plugin_t private_plugin_t;

/**
 * Counters, reset by "reset".
 */
typedef struct {
	/** IKE_AUTH requests we added MIF_SUPPORTED to */
	u_int supported_sent;
	/** IKE_AUTH responses carrying the peer's MIF_SUPPORTED */
	u_int supported_rcvd;
	/** storm INFORMATIONAL requests sent and responses received */
	u_int storm_msgs, storm_responses;
	/** ADDs sent, ACKs received */
	u_int adds, acks;
	/** ACKs by status (the last slot: unknown values) */
	u_int ack_status[11];
	/** most ACCEPTED ACKs in one response */
	u_int max_accepted;
	/** encrypted bytes of the storm requests and their responses */
	uint64_t req_bytes, resp_bytes;
	/** largest response / request size ratio of one exchange, percent */
	u_int max_ratio;
	/** IKE_SAs initiated by "initiate" */
	u_int initiated;
} counters_t;

struct private_plugin_t {
	plugin_t public;
	listener_t listener;
	stream_service_t *service;
	mutex_t *mutex;
	counters_t c;
	/** message IDs of storm requests in flight, with their sizes */
	array_t *inflight;
};

typedef struct {
	uint32_t ike_id;
	uint32_t mid;
	size_t req_len;
} inflight_t;

/* ------------------------------------------------------------------ */
/* INFORMATIONAL task carrying many notifies                           */

typedef struct {
	task_t task;
	private_plugin_t *plugin;
	ike_sa_t *ike_sa;
	array_t *notifies;
} storm_task_t;

METHOD(task_t, task_build, status_t,
	storm_task_t *this, message_t *message)
{
	chunk_t data;
	int i;

	for (i = 0; i < array_count(this->notifies); i++)
	{
		array_get(this->notifies, i, &data);
		message->add_notify(message, FALSE, MIF_PATH_ADD, data);
	}
	this->plugin->mutex->lock(this->plugin->mutex);
	this->plugin->c.storm_msgs++;
	this->plugin->c.adds += array_count(this->notifies);
	this->plugin->mutex->unlock(this->plugin->mutex);
	return NEED_MORE;
}

METHOD(task_t, task_process, status_t,
	storm_task_t *this, message_t *message)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	mif_msg_path_ack_t ack;
	const char *reason;
	u_int accepted = 0, acks = 0, st[11] = {};
	int i;

	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) != PLV2_NOTIFY)
		{
			continue;
		}
		notify = (notify_payload_t*)payload;
		if ((int)notify->get_notify_type(notify) != MIF_PATH_ACK ||
			mif_msg_parse_path_ack(notify->get_notification_data(notify),
								   &ack, &reason) != MIF_MSG_OK)
		{
			continue;
		}
		acks++;
		st[min(ack.status, 10)]++;
		if (ack.status == MIF_ACK_ACCEPTED)
		{
			accepted++;
		}
	}
	enumerator->destroy(enumerator);

	DBG1(DBG_IKE, "mif-hostile: storm response: %u ACKs for %u ADDs, %u "
		 "accepted", acks, array_count(this->notifies), accepted);
	this->plugin->mutex->lock(this->plugin->mutex);
	this->plugin->c.storm_responses++;
	this->plugin->c.acks += acks;
	for (i = 0; i < countof(st); i++)
	{
		this->plugin->c.ack_status[i] += st[i];
	}
	this->plugin->c.max_accepted = max(this->plugin->c.max_accepted,
									   accepted);
	this->plugin->mutex->unlock(this->plugin->mutex);
	return SUCCESS;
}

METHOD(task_t, task_get_type, task_type_t,
	storm_task_t *this)
{	/* the task type charon sends as an INFORMATIONAL (as mif_task.c) */
	return TASK_IKE_VERIFY_PEER_CERT;
}

METHOD(task_t, task_migrate, void,
	storm_task_t *this, ike_sa_t *ike_sa)
{
	this->ike_sa = ike_sa;
}

METHOD(task_t, task_destroy, void,
	storm_task_t *this)
{
	chunk_t data;

	while (array_remove(this->notifies, ARRAY_HEAD, &data))
	{
		chunk_free(&data);
	}
	array_destroy(this->notifies);
	free(this);
}

static storm_task_t *storm_task_create(private_plugin_t *plugin,
									   ike_sa_t *ike_sa)
{
	storm_task_t *this;

	INIT(this,
		.task = {
			.build = _task_build,
			.process = _task_process,
			.get_type = _task_get_type,
			.migrate = _task_migrate,
			.destroy = _task_destroy,
		},
		.plugin = plugin,
		.ike_sa = ike_sa,
		.notifies = array_create(sizeof(chunk_t), 0),
	);
	return this;
}

/* ------------------------------------------------------------------ */
/* storm job                                                           */

typedef struct {
	private_plugin_t *plugin;
	uint32_t ike_id;
	host_t *local, *remote;
	u_int msgs, per, bids, interval, sent, n;
	uint16_t bid, seq;
} storm_job_t;

CALLBACK(storm_job, job_requeue_t,
	storm_job_t *job)
{
	storm_task_t *task;
	ike_sa_t *ike_sa;
	mif_msg_path_add_t add = {
		.kind = MIF_IF_WLAN,
		.priority = 10,
	};
	const char *reason;
	chunk_t data;
	u_int i, batch;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													job->ike_id);
	if (!ike_sa)
	{
		DBG1(DBG_IKE, "mif-hostile: storm: IKE_SA %u gone", job->ike_id);
		return JOB_REQUEUE_NONE;
	}
	add.local = job->local;
	add.remote = job->remote ?: ike_sa->get_other_host(ike_sa);
	/* all at once without an interval: charon runs them one by one */
	batch = job->interval ? 1 : job->msgs;
	while (batch-- && job->sent < job->msgs)
	{
		task = storm_task_create(job->plugin, ike_sa);
		for (i = 0; i < job->per; i++, job->n++)
		{
			add.bid = job->bid + job->n % job->bids;
			add.seq = job->seq + job->n / job->bids;
			if (mif_msg_build_path_add(&add, &data, &reason) != MIF_MSG_OK)
			{
				DBG1(DBG_IKE, "mif-hostile: building ADD failed: %s", reason);
				continue;
			}
			array_insert(task->notifies, ARRAY_TAIL, &data);
		}
		ike_sa->queue_task(ike_sa, &task->task);
		job->sent++;
	}
	DBG1(DBG_IKE, "mif-hostile: storm: %u/%u INFORMATIONALs queued, %u ADDs "
		 "(%H -> %H)", job->sent, job->msgs, job->n, add.local, add.remote);
	if (ike_sa->initiate(ike_sa, NULL, NULL) == DESTROY_ME)
	{
		charon->ike_sa_manager->checkin_and_destroy(charon->ike_sa_manager,
													ike_sa);
		return JOB_REQUEUE_NONE;
	}
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	if (job->sent < job->msgs)
	{
		return JOB_RESCHEDULE_MS(job->interval);
	}
	return JOB_REQUEUE_NONE;
}

CALLBACK(storm_job_destroy, void,
	storm_job_t *job)
{
	DESTROY_IF(job->local);
	DESTROY_IF(job->remote);
	free(job);
}

/* ------------------------------------------------------------------ */
/* initiate job                                                        */

typedef struct {
	private_plugin_t *plugin;
	char *name;
	u_int count, done, interval;
} init_job_t;

CALLBACK(init_job, job_requeue_t,
	init_job_t *job)
{
	peer_cfg_t *peer_cfg;
	child_cfg_t *child_cfg = NULL;
	enumerator_t *enumerator;

	peer_cfg = charon->backends->get_peer_cfg_by_name(charon->backends,
													  job->name);
	if (!peer_cfg)
	{
		DBG1(DBG_CFG, "mif-hostile: no connection '%s'", job->name);
		return JOB_REQUEUE_NONE;
	}
	enumerator = peer_cfg->create_child_cfg_enumerator(peer_cfg);
	if (enumerator->enumerate(enumerator, &child_cfg))
	{
		child_cfg->get_ref(child_cfg);
	}
	enumerator->destroy(enumerator);
	/* asynchronous: without a callback the controller only queues a job */
	charon->controller->initiate(charon->controller, peer_cfg, child_cfg,
								 NULL, NULL, 0, FALSE);
	job->plugin->mutex->lock(job->plugin->mutex);
	job->plugin->c.initiated++;
	job->plugin->mutex->unlock(job->plugin->mutex);
	return ++job->done < job->count ? JOB_RESCHEDULE_MS(job->interval)
									: JOB_REQUEUE_NONE;
}

CALLBACK(init_job_destroy, void,
	init_job_t *job)
{
	free(job->name);
	free(job);
}

/* ------------------------------------------------------------------ */
/* listener                                                            */

static bool send_supported(peer_cfg_t *peer_cfg)
{
	return !peer_cfg || lib->settings->get_bool(lib->settings,
					"%s.plugins.mif-hostile.connections.%s.supported", TRUE,
					lib->ns, peer_cfg->get_name(peer_cfg));
}

METHOD(listener_t, message_hook, bool,
	listener_t *listener, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	private_plugin_t *this = (private_plugin_t*)((char*)listener -
									offsetof(private_plugin_t, listener));
	inflight_t *in;
	size_t len;
	int i;

	if (!plain)
	{	/* sizes of the storm exchanges on the wire */
		if (message->get_exchange_type(message) != INFORMATIONAL ||
			message->get_request(message) == incoming)
		{
			return TRUE;
		}
		len = message->get_packet_data(message).len;
		this->mutex->lock(this->mutex);
		if (!incoming)
		{
			INIT(in,
				.ike_id = ike_sa->get_unique_id(ike_sa),
				.mid = message->get_message_id(message),
				.req_len = len,
			);
			array_insert(this->inflight, ARRAY_TAIL, in);
		}
		else
		{
			for (i = 0; i < array_count(this->inflight); i++)
			{
				array_get(this->inflight, i, &in);
				if (in->ike_id == ike_sa->get_unique_id(ike_sa) &&
					in->mid == message->get_message_id(message))
				{
					this->c.req_bytes += in->req_len;
					this->c.resp_bytes += len;
					if (in->req_len)
					{
						this->c.max_ratio = max(this->c.max_ratio,
										(u_int)(len * 100 / in->req_len));
					}
					array_remove(this->inflight, i, NULL);
					free(in);
					break;
				}
			}
		}
		this->mutex->unlock(this->mutex);
		return TRUE;
	}
	if (message->get_exchange_type(message) != IKE_AUTH)
	{
		return TRUE;
	}
	if (!incoming && message->get_request(message) &&
		message->get_payload(message, PLV2_ID_INITIATOR) &&
		send_supported(ike_sa->get_peer_cfg(ike_sa)))
	{
		mif_msg_supported_t sup = {
			.version = MIF_MSG_VERSION,
			.max_paths = lib->settings->get_int(lib->settings,
						"%s.plugins.mif-hostile.max_paths", 16, lib->ns),
			.probe_port = lib->settings->get_int(lib->settings,
						"%s.plugins.mif-hostile.probe_port", 4501, lib->ns),
		};
		const char *reason;
		chunk_t data;
		rng_t *rng;

		rng = lib->crypto->create_rng(lib->crypto, RNG_WEAK);
		if (rng)
		{
			ignore_result(rng->get_bytes(rng, sizeof(sup.seed), sup.seed));
			rng->destroy(rng);
		}
		if (mif_msg_build_supported(&sup, &data, &reason) == MIF_MSG_OK)
		{
			message->add_notify(message, FALSE, MIF_SUPPORTED, data);
			chunk_free(&data);
			this->mutex->lock(this->mutex);
			this->c.supported_sent++;
			this->mutex->unlock(this->mutex);
		}
	}
	else if (incoming && !message->get_request(message) &&
			 message->get_notify(message, MIF_SUPPORTED))
	{
		DBG1(DBG_IKE, "mif-hostile: peer of IKE_SA %s[%u] speaks MIF",
			 ike_sa->get_name(ike_sa), ike_sa->get_unique_id(ike_sa));
		this->mutex->lock(this->mutex);
		this->c.supported_rcvd++;
		this->mutex->unlock(this->mutex);
	}
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* control socket                                                      */

/**
 * Find an IKE SA by name (the newest established one) or unique ID.
 */
static uint32_t find_ike(char *spec)
{
	enumerator_t *enumerator;
	ike_sa_t *ike_sa;
	uint32_t id = 0;
	char *end;

	id = strtoul(spec, &end, 10);
	if (*spec && !*end)
	{
		return id;
	}
	id = 0;
	enumerator = charon->controller->create_ike_sa_enumerator(
											charon->controller, TRUE);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		if (streq(ike_sa->get_name(ike_sa), spec) &&
			ike_sa->get_state(ike_sa) == IKE_ESTABLISHED)
		{
			id = max(id, ike_sa->get_unique_id(ike_sa));
		}
	}
	enumerator->destroy(enumerator);
	return id;
}

static char *arg(char *args[], int count, char *key)
{
	size_t len = strlen(key);
	int i;

	for (i = 0; i < count; i++)
	{
		if (strneq(args[i], key, len) && args[i][len] == '=')
		{
			return args[i] + len + 1;
		}
	}
	return NULL;
}

static u_int arg_int(char *args[], int count, char *key, u_int def)
{
	char *val = arg(args, count, key);

	return val ? strtoul(val, NULL, 0) : def;
}

static void cmd_status(private_plugin_t *this, FILE *out)
{
	static const char *names[] = {
		"accepted", "refused", "unknown_bid", "stale_seq", "bad_address",
		"too_many_paths", "bid_conflict", "nat_refused", "malformed",
		"rr_mismatch", "other",
	};
	counters_t c;
	int i;

	this->mutex->lock(this->mutex);
	c = this->c;
	this->mutex->unlock(this->mutex);
	fprintf(out, "supported_sent=%u\nsupported_rcvd=%u\nstorm_msgs=%u\n"
			"storm_responses=%u\nadds=%u\nacks=%u\nmax_accepted=%u\n"
			"req_bytes=%" PRIu64 "\nresp_bytes=%" PRIu64 "\n"
			"max_ratio_pct=%u\ninitiated=%u\n",
			c.supported_sent, c.supported_rcvd, c.storm_msgs,
			c.storm_responses, c.adds, c.acks, c.max_accepted, c.req_bytes,
			c.resp_bytes, c.max_ratio, c.initiated);
	for (i = 0; i < countof(names); i++)
	{
		fprintf(out, "ack_%s=%u\n", names[i], c.ack_status[i]);
	}
}

static void cmd_storm(private_plugin_t *this, char *args[], int count,
					  FILE *out)
{
	storm_job_t *job;
	char *ike, *local, *remote;
	uint32_t id;

	ike = arg(args, count, "ike");
	local = arg(args, count, "local");
	remote = arg(args, count, "remote");
	id = ike ? find_ike(ike) : 0;
	if (!id || !local)
	{
		fprintf(out, "error: storm needs ike=NAME|ID (established) and "
				"local=ADDR\n");
		return;
	}
	INIT(job,
		.plugin = this,
		.ike_id = id,
		.local = host_create_from_string(local, 0),
		.remote = remote ? host_create_from_string(remote, 0) : NULL,
		.msgs = max(1, arg_int(args, count, "msgs", 1)),
		.per = max(1, arg_int(args, count, "per", 1)),
		.bid = arg_int(args, count, "bid", 2),
		.bids = max(1, arg_int(args, count, "bids", 1)),
		.seq = arg_int(args, count, "seq", 1),
		.interval = arg_int(args, count, "interval", 0),
	);
	if (!job->local || (remote && !job->remote))
	{
		fprintf(out, "error: bad address\n");
		storm_job_destroy(job);
		return;
	}
	fprintf(out, "ok: storm on IKE_SA %u: %u messages x %u ADDs, BID %u+%u, "
			"seq from %u, every %u ms\n", id, job->msgs, job->per, job->bid,
			job->bids, job->seq, job->interval);
	lib->processor->queue_job(lib->processor,
		(job_t*)callback_job_create(storm_job, job, storm_job_destroy, NULL));
}

static void cmd_initiate(private_plugin_t *this, char *args[], int count,
						 FILE *out)
{
	init_job_t *job;

	if (count < 3)
	{
		fprintf(out, "error: initiate NAME COUNT [INTERVAL_MS]\n");
		return;
	}
	INIT(job,
		.plugin = this,
		.name = strdup(args[1]),
		.count = max(1, strtoul(args[2], NULL, 10)),
		.interval = count > 3 ? strtoul(args[3], NULL, 10) : 50,
	);
	fprintf(out, "ok: initiating %u IKE_SAs of %s every %u ms\n",
			job->count, job->name, job->interval);
	lib->processor->queue_job(lib->processor,
		(job_t*)callback_job_create(init_job, job, init_job_destroy, NULL));
}

static void execute(private_plugin_t *this, char *line, FILE *out)
{
	char *args[16], *tok, *save = NULL;
	int count = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok && count < countof(args);
		 tok = strtok_r(NULL, " \t\r", &save))
	{
		args[count++] = tok;
	}
	if (!count)
	{
		fprintf(out, "error: empty command\n");
	}
	else if (streq(args[0], "status"))
	{
		cmd_status(this, out);
	}
	else if (streq(args[0], "reset"))
	{
		this->mutex->lock(this->mutex);
		memset(&this->c, 0, sizeof(this->c));
		this->mutex->unlock(this->mutex);
		fprintf(out, "ok\n");
	}
	else if (streq(args[0], "storm"))
	{
		cmd_storm(this, args, count, out);
	}
	else if (streq(args[0], "initiate"))
	{
		cmd_initiate(this, args, count, out);
	}
	else
	{
		fprintf(out, "error: unknown command\n");
	}
}

CALLBACK(on_accept, bool,
	private_plugin_t *this, stream_t *stream)
{
	char line[MAX_REQUEST + 1];
	size_t len = 0;
	FILE *out;

	while (len < MAX_REQUEST)
	{
		if (stream->read(stream, line + len, 1, TRUE) <= 0 ||
			line[len] == '\n')
		{
			break;
		}
		len++;
	}
	line[len] = '\0';
	out = stream->get_file(stream);
	if (out)
	{
		execute(this, line, out);
		fclose(out);
	}
	return FALSE;
}

/* ------------------------------------------------------------------ */
/* plugin                                                              */

static bool register_hostile(private_plugin_t *this,
							 plugin_feature_t *feature, bool reg, void *data)
{
	char *uri;

	if (reg)
	{
		charon->bus->add_listener(charon->bus, &this->listener);
		uri = lib->settings->get_str(lib->settings,
						"%s.plugins.mif-hostile.socket", HOSTILE_SOCKET, lib->ns);
		this->service = lib->streams->create_service(lib->streams, uri, 10);
		if (this->service)
		{
			this->service->on_accept(this->service, on_accept, this,
									 JOB_PRIO_CRITICAL, 1);
		}
		DBG1(DBG_CFG, "mif-hostile: TEST-ONLY hostile peer plugin loaded, "
			 "control %s%s", uri, this->service ? "" : " FAILED");
	}
	else
	{
		charon->bus->remove_listener(charon->bus, &this->listener);
		DESTROY_IF(this->service);
		this->service = NULL;
	}
	return TRUE;
}

METHOD(plugin_t, get_name, char*,
	private_plugin_t *this)
{
	return "mif-hostile";
}

METHOD(plugin_t, get_features, int,
	private_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)register_hostile, NULL),
			PLUGIN_PROVIDE(CUSTOM, "mif-hostile"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_plugin_t *this)
{
	inflight_t *in;

	while (array_remove(this->inflight, ARRAY_HEAD, &in))
	{
		free(in);
	}
	array_destroy(this->inflight);
	this->mutex->destroy(this->mutex);
	free(this);
}

plugin_t *mif_hostile_plugin_create()
{
	private_plugin_t *this;

	INIT(this,
		.public = {
			.get_name = _get_name,
			.get_features = _get_features,
			.destroy = _destroy,
		},
		.listener = {
			.message = _message_hook,
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.inflight = array_create(0, 0),
	);
	return &this->public;
}
