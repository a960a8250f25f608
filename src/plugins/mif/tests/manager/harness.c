/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/*
 * The fakes around a real path manager: nothing touches the kernel, no
 * thread runs, and every job, task, CHILD SA and probe the manager starts
 * waits in a list until a test looks at it.
 */

#include "manager_tests.h"

#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <collections/linked_list.h>
#include <collections/array.h>

mif_manager_t *mgr;
private_mif_manager_t *priv;
uint16_t mgr_probe_port;

/** jobs queued to lib->processor, and the real processor */
static linked_list_t *jobs;
static processor_t *real_processor;

/** task_t* queued and child_cfg_t* initiated on IKE SAs */
static linked_list_t *tasks, *cfgs;

/** sent_probe_t* */
static linked_list_t *probes;

/** IKE SAs by unique id for the fake IKE_SA manager */
static linked_list_t *ike_sas;

/**
 * An address of the fake kernel.
 */
typedef struct {
	host_t *addr;
	char *ifname;
} fake_addr_t;

static linked_list_t *addrs;
static host_t *source;

/* ---- fake kernel-net ---- */

static fake_addr_t *find_addr(host_t *host)
{
	enumerator_t *enumerator;
	fake_addr_t *entry, *found = NULL;

	enumerator = addrs->create_enumerator(addrs);
	while (enumerator->enumerate(enumerator, &entry))
	{
		if (entry->addr->ip_equals(entry->addr, host))
		{
			found = entry;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

static kernel_feature_t net_get_features(kernel_net_t *this)
{
	return 0;
}

static host_t *net_get_source_addr(kernel_net_t *this, host_t *dest,
								   host_t *src)
{
	return source ? source->clone(source) : NULL;
}

static bool net_get_interface(kernel_net_t *this, host_t *host, char **name)
{
	fake_addr_t *entry = find_addr(host);

	if (entry && name)
	{
		*name = strdup(entry->ifname);
	}
	return entry != NULL;
}

CALLBACK(filter_addr, bool,
	void *data, enumerator_t *orig, va_list args)
{
	fake_addr_t *entry;
	host_t **out;

	VA_ARGS_VGET(args, out);
	if (orig->enumerate(orig, &entry))
	{
		*out = entry->addr;
		return TRUE;
	}
	return FALSE;
}

static enumerator_t *net_create_address_enumerator(kernel_net_t *this,
												   kernel_address_type_t which)
{
	return enumerator_create_filter(addrs->create_enumerator(addrs),
									filter_addr, NULL, NULL);
}

static void net_destroy(kernel_net_t *this)
{
}

static kernel_net_t fake_net = {
	.get_features = net_get_features,
	.get_source_addr = net_get_source_addr,
	.get_interface = net_get_interface,
	.create_address_enumerator = net_create_address_enumerator,
	.destroy = net_destroy,
};

static kernel_net_t *fake_net_create()
{
	return &fake_net;
}

/* ---- fake kernel-ipsec: only the probe sockets' bypass ---- */

static bool ipsec_bypass_socket(kernel_ipsec_t *this, int fd, int family)
{
	return TRUE;
}

static void ipsec_destroy(kernel_ipsec_t *this)
{
}

static kernel_ipsec_t fake_ipsec = {
	.bypass_socket = ipsec_bypass_socket,
	.destroy = ipsec_destroy,
};

static kernel_ipsec_t *fake_ipsec_create()
{
	return &fake_ipsec;
}

void fake_net_add(char *addr, char *ifname)
{
	fake_addr_t *entry;

	INIT(entry,
		.addr = host_create_from_string(addr, 0),
		.ifname = strdup(ifname),
	);
	addrs->insert_last(addrs, entry);
}

void fake_net_source(char *addr)
{
	DESTROY_IF(source);
	source = addr ? host_create_from_string(addr, 0) : NULL;
}

static void fake_addr_destroy(fake_addr_t *entry)
{
	entry->addr->destroy(entry->addr);
	free(entry->ifname);
	free(entry);
}

/* ---- processor that only collects jobs ---- */

static u_int proc_zero(processor_t *this)
{
	return 0;
}

static u_int proc_zero_prio(processor_t *this, job_priority_t prio)
{
	return 0;
}

static void proc_queue_job(processor_t *this, job_t *job)
{
	jobs->insert_last(jobs, job);
}

static void proc_execute_job(processor_t *this, job_t *job)
{
	jobs->insert_last(jobs, job);
}

static void proc_set_threads(processor_t *this, u_int count)
{
}

static void proc_nop(processor_t *this)
{
}

static processor_t fake_processor = {
	.get_total_threads = proc_zero,
	.get_idle_threads = proc_zero,
	.get_working_threads = proc_zero_prio,
	.get_job_load = proc_zero_prio,
	.queue_job = proc_queue_job,
	.execute_job = proc_execute_job,
	.set_threads = proc_set_threads,
	.cancel = proc_nop,
	.destroy = proc_nop,
};

u_int jobs_pending(void)
{
	return jobs->get_count(jobs);
}

job_t *job_pop(void)
{
	job_t *job = NULL;

	jobs->remove_first(jobs, (void**)&job);
	return job;
}

u_int jobs_run(void)
{
	job_t *job;
	u_int count = 0;

	/* jobs may queue more jobs, run those too */
	while (jobs->remove_first(jobs, (void**)&job) == SUCCESS)
	{
		job->execute(job);
		job->destroy(job);
		count++;
	}
	return count;
}

/* ---- IKE_SA manager handing out the test's IKE SAs ---- */

static ike_sa_t *mgr_checkout_by_id(ike_sa_manager_t *this, uint32_t id)
{
	enumerator_t *enumerator;
	ike_sa_t *ike_sa, *found = NULL;

	enumerator = ike_sas->create_enumerator(ike_sas);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		if (ike_sa->get_unique_id(ike_sa) == id)
		{
			found = ike_sa;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

static void mgr_checkin(ike_sa_manager_t *this, ike_sa_t *ike_sa)
{
}

static void mgr_checkin_and_destroy(ike_sa_manager_t *this, ike_sa_t *ike_sa)
{
	ck_abort_msg("IKE_SA checked in for destruction");
}

static ike_sa_manager_t fake_ike_sa_manager = {
	.checkout_by_id = mgr_checkout_by_id,
	.checkin = mgr_checkin,
	.checkin_and_destroy = mgr_checkin_and_destroy,
};

/* ---- CHILD_SA manager recording which CHILD SAs are checked out ---- */

/** unique ids of CHILD SAs the manager checked out (to delete them) */
static array_t *child_checkouts;
static child_sa_manager_t *real_child_sa_manager;

static ike_sa_t *child_checkout_by_id(child_sa_manager_t *this,
									  uint32_t unique_id, child_sa_t **child)
{
	array_insert(child_checkouts, ARRAY_TAIL, &unique_id);
	return NULL;
}

static child_sa_manager_t fake_child_sa_manager = {
	.checkout_by_id = child_checkout_by_id,
};

bool child_checked_out(uint32_t unique_id)
{
	uint32_t id;
	int i;

	for (i = 0; i < array_count(child_checkouts); i++)
	{
		array_get(child_checkouts, i, &id);
		if (id == unique_id)
		{
			return TRUE;
		}
	}
	return FALSE;
}

/* ---- IKE SA methods the manager's jobs use to start exchanges ---- */

static void ike_queue_task(ike_sa_t *this, task_t *task)
{
	tasks->insert_last(tasks, task);
}

static status_t ike_initiate(ike_sa_t *this, child_cfg_t *cfg,
							 child_init_args_t *args)
{
	if (cfg)
	{
		cfgs->insert_last(cfgs, cfg);
	}
	return SUCCESS;
}

task_t *task_pop(void)
{
	task_t *task = NULL;

	tasks->remove_first(tasks, (void**)&task);
	return task;
}

u_int tasks_pending(void)
{
	return tasks->get_count(tasks);
}

child_cfg_t *child_cfg_pop(void)
{
	child_cfg_t *cfg = NULL;

	cfgs->remove_first(cfgs, (void**)&cfg);
	return cfg;
}

/* ---- prober recording what would go out ---- */

static bool prober_send(mif_prober_t *this, host_t *src, host_t *dst,
						uint32_t ifindex, chunk_t data)
{
	sent_probe_t *probe;

	INIT(probe,
		.src = src->clone(src),
		.dst = dst->clone(dst),
		.data = chunk_clone(data),
	);
	probes->insert_last(probes, probe);
	return TRUE;
}

static void prober_destroy(mif_prober_t *this)
{
}

static mif_prober_t fake_prober = {
	.send = prober_send,
	.destroy = prober_destroy,
};

void sent_probe_destroy(sent_probe_t *probe)
{
	if (probe)
	{
		probe->src->destroy(probe->src);
		probe->dst->destroy(probe->dst);
		chunk_free(&probe->data);
		free(probe);
	}
}

sent_probe_t *probe_pop(void)
{
	sent_probe_t *probe = NULL;

	probes->remove_first(probes, (void**)&probe);
	return probe;
}

u_int probes_pending(void)
{
	return probes->get_count(probes);
}

/* ---- data plane recording what is installed ---- */

/**
 * A path installed in the fake data plane.
 */
typedef struct {
	uint32_t id;
	uint16_t bid;
	host_t *remote;
} fake_dp_entry_t;

/** fake_dp_entry_t*, and the paths of the last set_routes() */
static linked_list_t *dp_paths;
static u_int dp_route_count, dp_flushes;

static fake_dp_entry_t *dp_find(uint32_t id, uint16_t bid)
{
	enumerator_t *enumerator;
	fake_dp_entry_t *entry, *found = NULL;

	enumerator = dp_paths->create_enumerator(dp_paths);
	while (enumerator->enumerate(enumerator, &entry))
	{
		if (entry->id == id && entry->bid == bid)
		{
			found = entry;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

static void dp_entry_destroy(fake_dp_entry_t *entry)
{
	entry->remote->destroy(entry->remote);
	free(entry);
}

static bool dp_add_path(mif_dataplane_t *this, mif_dp_path_t *path,
						char *ifname)
{
	fake_dp_entry_t *entry;

	if (dp_find(path->ike_id, path->bid))
	{	/* as the kernel: the GRE device exists already */
		return FALSE;
	}
	INIT(entry,
		.id = path->ike_id,
		.bid = path->bid,
		.remote = path->remote->clone(path->remote),
	);
	dp_paths->insert_last(dp_paths, entry);
	if (ifname)
	{
		snprintf(ifname, 16, "mif%up%u", path->ike_id, path->bid);
	}
	return TRUE;
}

static bool dp_del_path(mif_dataplane_t *this, uint32_t id, uint16_t bid)
{
	fake_dp_entry_t *entry = dp_find(id, bid);

	if (!entry)
	{
		return FALSE;
	}
	dp_paths->remove(dp_paths, entry, NULL);
	dp_entry_destroy(entry);
	return TRUE;
}

static bool dp_set_routes(mif_dataplane_t *this, uint32_t id,
						  linked_list_t *dst, host_t *src, uint16_t *bids,
						  u_int count)
{
	u_int i;

	for (i = 0; i < count; i++)
	{
		ck_assert_msg(dp_find(id, bids[i]), "route over path %u/%u that is "
					  "not installed", id, bids[i]);
	}
	dp_route_count = count;
	return TRUE;
}

static bool dp_set_flow(mif_dataplane_t *this, uint32_t id, uint16_t fid,
						traffic_selector_t *ts, uint16_t bid)
{
	return TRUE;
}

static void dp_flush(mif_dataplane_t *this, uint32_t id)
{
	enumerator_t *enumerator;
	fake_dp_entry_t *entry;

	dp_flushes++;
	enumerator = dp_paths->create_enumerator(dp_paths);
	while (enumerator->enumerate(enumerator, &entry))
	{
		if (entry->id == id)
		{
			dp_paths->remove_at(dp_paths, enumerator);
			dp_entry_destroy(entry);
		}
	}
	enumerator->destroy(enumerator);
}

static void dp_destroy(mif_dataplane_t *this)
{
}

static mif_dataplane_t fake_dp = {
	.add_path = dp_add_path,
	.del_path = dp_del_path,
	.set_routes = dp_set_routes,
	.set_flow = dp_set_flow,
	.flush = dp_flush,
	.destroy = dp_destroy,
};

u_int dp_installed(void)
{
	return dp_paths->get_count(dp_paths);
}

bool dp_has(uint16_t bid, char *remote)
{
	enumerator_t *enumerator;
	fake_dp_entry_t *entry;
	bool found = FALSE;

	enumerator = dp_paths->create_enumerator(dp_paths);
	while (enumerator->enumerate(enumerator, &entry))
	{
		if (entry->bid == bid && (!remote || host_is(entry->remote, remote)))
		{
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

u_int dp_routed(void)
{
	return dp_route_count;
}

u_int dp_flush_count(void)
{
	return dp_flushes;
}

/* ---- setup ---- */

/**
 * A UDP port nobody uses right now, for the manager's real probe socket.
 */
static uint16_t free_port(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
	};
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert(fd >= 0);
	ck_assert(bind(fd, (struct sockaddr*)&sin, len) == 0);
	ck_assert(getsockname(fd, (struct sockaddr*)&sin, &len) == 0);
	close(fd);
	return ntohs(sin.sin_port);
}

void harness_setup(void)
{
	mif_dp_settings_t dp_settings;
	char conf[1024];

	ck_assert(library_init(NULL, "charon"));
	mgr_probe_port = free_port();
	/* replace whatever strongswan.conf the host has */
	snprintf(conf, sizeof(conf),
			 "charon {\n"
			 "  plugins {\n"
			 "    mif {\n"
			 "      database = \"\"\n"
			 "      probe_port = %u\n"
			 "      probe_interval = %u\n"
			 "      dead_interval = %u\n"
			 "      rr_tries = %u\n"
			 "      max_paths = %u\n"
			 "      dead_timeout = %u\n"
			 "      monitor {\n"
			 "        interfaces_use = none-such\n"
			 "      }\n"
			 "    }\n"
			 "  }\n"
			 "}\n", mgr_probe_port, TEST_INTERVAL, TEST_DEAD, TEST_RR_TRIES,
			 TEST_MAX_PATHS, TEST_DEAD_TIMEOUT);
	ck_assert(lib->settings->load_string(lib->settings, conf, FALSE));
	/* never the system's binding database */
	ck_assert_str_eq(lib->settings->get_str(lib->settings,
					 "charon.plugins.mif.database", "unset"), "");
	ck_assert(libcharon_init());
	ck_assert_msg(lib->plugins->load(lib->plugins, "random sha2 hmac nonce"),
				  "loading crypto plugins failed");

	addrs = linked_list_create();
	jobs = linked_list_create();
	tasks = linked_list_create();
	cfgs = linked_list_create();
	probes = linked_list_create();
	ike_sas = linked_list_create();
	dp_paths = linked_list_create();
	dp_route_count = dp_flushes = 0;
	fake_net_add(ME_IKE, "tst0");
	fake_net_add(ME_2, "tst1");
	fake_net_add(ME_6, "tst2");
	fake_net_add("fe80::1", "tst2");
	fake_net_add("10.77.0.1", "mif1p2");
	fake_net_source(ME_IKE);
	ck_assert(charon->kernel->add_net_interface(charon->kernel,
												fake_net_create));
	ck_assert(charon->kernel->add_ipsec_interface(charon->kernel,
												  fake_ipsec_create));
	charon->ike_sa_manager = &fake_ike_sa_manager;
	child_checkouts = array_create(sizeof(uint32_t), 0);
	real_child_sa_manager = charon->child_sa_manager;
	charon->child_sa_manager = &fake_child_sa_manager;

	/* what the plugin passes for the settings above (no database) */
	ck_assert(libmif_init(&(libmif_config_t){
		.backend = {
			.max_lifetime = MIF_LIFETIME_MAX,
			.max_bindings = 64,
			.expiry_interval = 1000,
		},
	}));
	mif_dp_settings_load(&dp_settings);
	mgr = mif_manager_create(mif_get(), NULL, &dp_settings);
	ck_assert_msg(mgr, "manager creation failed (probe port %u)",
				  mgr_probe_port);
	priv = (private_mif_manager_t*)mgr;
	priv->dataplane = &fake_dp;
	ck_assert_int_eq(priv->interval, TEST_INTERVAL);
	ck_assert_int_eq(priv->dead, TEST_DEAD);
	ck_assert_int_eq(priv->rr_tries, TEST_RR_TRIES);

	/* no sockets, netlink or kernel routes: the fakes stand in */
	priv->prober->destroy(priv->prober);
	priv->prober = &fake_prober;
	if (priv->monitor)
	{
		priv->monitor->remove_listener(priv->monitor, &priv->monitor_listener);
		priv->monitor->destroy(priv->monitor);
		priv->monitor = NULL;
	}
	DESTROY_IF(priv->srcroute);
	priv->srcroute = NULL;

	/* from here on every job waits for jobs_run() */
	real_processor = lib->processor;
	lib->processor = &fake_processor;
}

void harness_teardown(void)
{
	sent_probe_t *probe;
	child_cfg_t *cfg;
	task_t *task;
	job_t *job;

	while (jobs->remove_first(jobs, (void**)&job) == SUCCESS)
	{
		job->destroy(job);
	}
	jobs->destroy(jobs);
	while ((task = task_pop()))
	{
		task->destroy(task);
	}
	tasks->destroy(tasks);
	while ((cfg = child_cfg_pop()))
	{
		cfg->destroy(cfg);
	}
	cfgs->destroy(cfgs);
	while ((probe = probe_pop()))
	{
		sent_probe_destroy(probe);
	}
	probes->destroy(probes);

	mgr->destroy(mgr);
	mgr = NULL;
	priv = NULL;
	lib->processor = real_processor;
	libmif_deinit();
	ike_sas->destroy(ike_sas);
	dp_paths->destroy_function(dp_paths, (void*)dp_entry_destroy);
	charon->ike_sa_manager = NULL;
	charon->child_sa_manager = real_child_sa_manager;
	array_destroy(child_checkouts);
	charon->kernel->remove_net_interface(charon->kernel, fake_net_create);
	charon->kernel->remove_ipsec_interface(charon->kernel, fake_ipsec_create);
	addrs->destroy_function(addrs, (void*)fake_addr_destroy);
	fake_net_source(NULL);
	libcharon_deinit();
	library_deinit();
}

/**
 * Let the fake IKE_SA manager hand out an IKE SA, and keep its exchanges
 * and CHILD SAs for the tests.
 */
void harness_add_ike_sa(ike_sa_t *ike_sa)
{
	ike_sa->queue_task = ike_queue_task;
	ike_sa->initiate = ike_initiate;
	ike_sas->insert_last(ike_sas, ike_sa);
}

void harness_remove_ike_sa(ike_sa_t *ike_sa)
{
	ike_sas->remove(ike_sas, ike_sa, NULL);
}
