/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dataplane.h"

#include <netlink/netlink.h>
#include <netlink/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ipgre.h>
#include <netlink/route/link/ip6gre.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/rule.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <linux/fib_rules.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <daemon.h>
#include <threading/mutex.h>
#include <collections/array.h>

/** ESP transport overhead reserved below the GRE device's MTU: SPI, SN,
 * IV (16), padding (<16), trailer (2) and a 256-bit ICV, rounded up */
#define ESP_OVERHEAD 80

/** ip6gre: no encapsulation limit option, it only costs 8 bytes per packet */
#define MIF_IP6_TNL_F_IGN_ENCAP_LIMIT 0x1

/** name of the device probing for GRE support at startup */
#define PROBE_IFNAME "mifprobe0"

/** default file remembering the multipath hash policies we changed; below
 * /run: the sysctls and the file both do not survive a reboot */
#define MIF_HASH_STATE IPSEC_PIDDIR "/charon.mif.hash"

typedef struct private_mif_dataplane_t private_mif_dataplane_t;

/**
 * Private data.
 */
struct private_mif_dataplane_t {

	/**
	 * Public interface.
	 */
	mif_dataplane_t public;

	/**
	 * rtnetlink socket, used under mutex
	 */
	struct nl_sock *sock;

	/**
	 * Serializes all operations
	 */
	mutex_t *mutex;

	/**
	 * IKE SAs with installed state, dp_ike_t
	 */
	linked_list_t *ikes;

	/**
	 * Rules shared by all IKE SAs, struct rtnl_rule*, installed with the
	 * first path and removed with the last
	 */
	array_t *base_rules;

	/**
	 * Number of paths installed, over all IKE SAs
	 */
	u_int path_count;

	/**
	 * Routing table of the multipath routes
	 */
	uint32_t table;

	/**
	 * Priority of the rule looking up table
	 */
	uint32_t prio;

	/**
	 * Priority of the per-flow rules (below prio)
	 */
	uint32_t flow_prio;

	/**
	 * Priority of the rules letting GRE and IKE packets skip our tables
	 */
	uint32_t skip_prio;

	/**
	 * First per-path table for flows
	 */
	uint32_t path_table_base;

	/**
	 * Priority and first table of mif_srcroute's source rules, whose
	 * leftovers we remove too
	 */
	uint32_t src_prio, src_table_base;

	/**
	 * Fixed GRE device MTU, 0 for the kernel's minus ESP overhead
	 */
	u_int mtu;

	/**
	 * fib_multipath_hash_policy per family (0: IPv4, 1: IPv6) as found
	 * before we changed it, empty if we did not
	 */
	char hash_orig[2][8];

	/**
	 * File remembering hash_orig across a crash of charon
	 */
	char *hash_state;
};

/**
 * An installed path.
 */
typedef struct {
	/** binding ID */
	uint16_t bid;
	/** path addresses */
	host_t *local, *remote;
	/** weight in multipath routes */
	uint8_t weight;
	/** SA config of the outbound/inbound policy, as installed */
	ipsec_sa_cfg_t sa_out, sa_in;
	/** whether the policies are installed */
	bool policies;
	/** GRE device */
	char ifname[IFNAMSIZ];
	/** its index, 0 if not created */
	int ifindex;
	/** underlying interface the GRE device is bound to, 0 if none */
	uint32_t link;
	/** table used by flows steered to this path */
	uint32_t table;
	/** whether table has its default route, per family (0: v4, 1: v6) */
	bool table_route[2];
} dp_path_t;

/**
 * An installed route in the multipath table.
 */
typedef struct {
	/** destination network */
	host_t *net;
	/** prefix length */
	uint8_t prefix;
} dp_route_t;

/**
 * An installed flow rule.
 */
typedef struct {
	/** flow ID */
	uint16_t fid;
	/** path */
	uint16_t bid;
	/** rule as installed, for deletion */
	struct rtnl_rule *rule;
} dp_flow_t;

/**
 * Installed state of an IKE SA.
 */
typedef struct {
	/** IKE SA unique id */
	uint32_t ike_id;
	/** paths, dp_path_t */
	linked_list_t *paths;
	/** routes in the multipath table, dp_route_t */
	linked_list_t *routes;
	/** BIDs the routes use */
	uint16_t *bids;
	/** number of bids */
	u_int count;
	/** preferred source of the routes, or NULL */
	host_t *src;
	/** flow rules, dp_flow_t */
	linked_list_t *flows;
} dp_ike_t;

/**
 * Family index for per-family state.
 */
static inline int fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/**
 * Write a sysctl below /proc/sys/net.
 */
static bool set_sysctl(char *value, char *fmt, ...)
{
	char path[PATH_MAX];
	va_list args;
	ssize_t len;
	int fd;

	va_start(args, fmt);
	vsnprintf(path, sizeof(path), fmt, args);
	va_end(args);

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
	{
		DBG1(DBG_KNL, "mif: opening %s failed: %s", path, strerror(errno));
		return FALSE;
	}
	len = write(fd, value, strlen(value));
	if (len != strlen(value))
	{
		DBG1(DBG_KNL, "mif: writing %s to %s failed: %s", value, path,
			 strerror(errno));
		close(fd);
		return FALSE;
	}
	close(fd);
	return TRUE;
}

/**
 * Read a sysctl, without its line end.
 */
static bool get_sysctl(char *buf, size_t len, char *path)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		DBG1(DBG_KNL, "mif: opening %s failed: %s", path, strerror(errno));
		return FALSE;
	}
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n <= 0)
	{
		DBG1(DBG_KNL, "mif: reading %s failed: %s", path,
			 n ? strerror(err) : "empty");
		return FALSE;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return TRUE;
}

/**
 * The multipath hash policy sysctls, by family index.
 */
static char *hash_sysctl[] = {
	"/proc/sys/net/ipv4/fib_multipath_hash_policy",
	"/proc/sys/net/ipv6/fib_multipath_hash_policy",
};

/** family names in the state file, by family index */
static char *hash_family[] = { "ipv4", "ipv6" };

/** the hash policy multipath routes over paths need: per flow (L4) */
#define HASH_POLICY "1"

/**
 * Write the hash policies we changed and their original values to the
 * state file, or remove it if we changed none.
 */
static void save_hash_state(private_mif_dataplane_t *this)
{
	FILE *file = NULL;
	int fd, i;

	if (!this->hash_orig[0][0] && !this->hash_orig[1][0])
	{
		if (unlink(this->hash_state) != 0 && errno != ENOENT)
		{
			DBG1(DBG_KNL, "mif: removing %s failed: %s", this->hash_state,
				 strerror(errno));
		}
		return;
	}
	fd = open(this->hash_state, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
	if (fd >= 0)
	{
		file = fdopen(fd, "w");
		if (!file)
		{
			close(fd);
		}
	}
	if (!file)
	{
		DBG1(DBG_KNL, "mif: writing %s failed: %s, the original multipath "
			 "hash policy is lost if charon crashes", this->hash_state,
			 strerror(errno));
		return;
	}
	for (i = 0; i < countof(hash_family); i++)
	{
		if (this->hash_orig[i][0])
		{
			fprintf(file, "%s %s\n", hash_family[i], this->hash_orig[i]);
		}
	}
	if (fclose(file) != 0)
	{
		DBG1(DBG_KNL, "mif: writing %s failed: %s", this->hash_state,
			 strerror(errno));
	}
}

/**
 * Hash the multipath routes of a family per flow. The value found is
 * remembered, in memory and in the state file for a restart after a
 * crash, and restored when the data plane goes; a value that already is
 * what we need is left alone (and never restored).
 */
static bool set_hash_policy(private_mif_dataplane_t *this, int family)
{
	int i = fam_idx(family);
	char cur[8];

	if (!get_sysctl(cur, sizeof(cur), hash_sysctl[i]))
	{
		return FALSE;
	}
	if (streq(cur, HASH_POLICY))
	{
		return TRUE;
	}
	if (!this->hash_orig[i][0])
	{
		snprintf(this->hash_orig[i], sizeof(this->hash_orig[i]), "%s", cur);
		/* before changing it: a crash right after must not lose it */
		save_hash_state(this);
	}
	DBG1(DBG_KNL, "mif: per-flow multipath hashing: %s = %s (was %s)",
		 hash_sysctl[i], HASH_POLICY, cur);
	return set_sysctl(HASH_POLICY, "%s", hash_sysctl[i]);
}

/**
 * Restore the hash policies we changed, unless someone changed them again
 * since, and forget them.
 */
static void restore_hash_policies(private_mif_dataplane_t *this)
{
	char cur[8];
	bool any = FALSE;
	int i;

	for (i = 0; i < countof(hash_sysctl); i++)
	{
		if (!this->hash_orig[i][0])
		{
			continue;
		}
		if (get_sysctl(cur, sizeof(cur), hash_sysctl[i]) &&
			streq(cur, HASH_POLICY))
		{
			DBG1(DBG_KNL, "mif: restoring %s = %s", hash_sysctl[i],
				 this->hash_orig[i]);
			set_sysctl(this->hash_orig[i], "%s", hash_sysctl[i]);
		}
		else
		{
			DBG1(DBG_KNL, "mif: %s changed since we set it, not restoring %s",
				 hash_sysctl[i], this->hash_orig[i]);
		}
		this->hash_orig[i][0] = '\0';
		any = TRUE;
	}
	if (any)
	{
		save_hash_state(this);
	}
}

/**
 * Restore the hash policies a previous instance changed and could not
 * restore (it crashed), as its state file tells.
 */
static void load_hash_state(private_mif_dataplane_t *this)
{
	char family[8], value[8];
	FILE *file;
	int i;

	file = fopen(this->hash_state, "re");
	if (!file)
	{
		return;
	}
	while (fscanf(file, "%7s %7s", family, value) == 2)
	{
		for (i = 0; i < countof(hash_family); i++)
		{
			/* only a number goes back into the sysctl */
			if (streq(family, hash_family[i]) &&
				strspn(value, "0123456789") == strlen(value))
			{
				snprintf(this->hash_orig[i], sizeof(this->hash_orig[i]),
						 "%s", value);
			}
		}
	}
	fclose(file);
	DBG1(DBG_KNL, "mif: a previous instance left the multipath hash policy "
		 "changed (%s)", this->hash_state);
	restore_hash_policies(this);
	/* even if it held nothing we understood */
	unlink(this->hash_state);
}

/**
 * Convert a host_t (address only) to a libnl address with a prefix length.
 */
static struct nl_addr *host2nl(host_t *host, int prefix)
{
	struct nl_addr *addr;
	chunk_t raw;

	raw = host->get_address(host);
	addr = nl_addr_build(host->get_family(host), raw.ptr, raw.len);
	if (addr && prefix >= 0)
	{
		nl_addr_set_prefixlen(addr, prefix);
	}
	return addr;
}

/**
 * Add or delete a rule, logging failures. An added rule is unique: with
 * exist_ok an identical rule already there counts as added.
 */
static bool rule_op(private_mif_dataplane_t *this, struct rtnl_rule *rule,
					bool add, bool exist_ok)
{
	int err;

	if (add)
	{
		/* without NLM_F_EXCL the kernel adds a duplicate */
		err = rtnl_rule_add(this->sock, rule, NLM_F_CREATE | NLM_F_EXCL);
		if (err == -NLE_EXIST && exist_ok)
		{
			DBG2(DBG_KNL, "mif: %s rule pref %u already installed",
				 rtnl_rule_get_family(rule) == AF_INET6 ? "IPv6" : "IPv4",
				 rtnl_rule_get_prio(rule));
			return TRUE;
		}
	}
	else
	{
		err = rtnl_rule_delete(this->sock, rule, 0);
	}
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: %s %s rule pref %u failed: %s",
			 add ? "adding" : "deleting",
			 rtnl_rule_get_family(rule) == AF_INET6 ? "IPv6" : "IPv4",
			 rtnl_rule_get_prio(rule), nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

/**
 * Create a rule template.
 */
static struct rtnl_rule *rule_create(int family, uint32_t prio, uint8_t action)
{
	struct rtnl_rule *rule;

	rule = rtnl_rule_alloc();
	if (rule)
	{
		rtnl_rule_set_family(rule, family);
		rtnl_rule_set_prio(rule, prio);
		rtnl_rule_set_action(rule, action);
	}
	return rule;
}

/**
 * Install a rule and track it as a base rule.
 */
static bool add_base_rule(private_mif_dataplane_t *this, struct rtnl_rule *rule)
{
	if (!rule)
	{
		return FALSE;
	}
	if (!rule_op(this, rule, TRUE, TRUE))
	{
		rtnl_rule_put(rule);
		return FALSE;
	}
	array_insert(this->base_rules, ARRAY_TAIL, rule);
	return TRUE;
}

/**
 * Remove all base rules.
 */
static void del_base_rules(private_mif_dataplane_t *this)
{
	struct rtnl_rule *rule;

	while (array_remove(this->base_rules, ARRAY_TAIL, &rule))
	{
		rule_op(this, rule, FALSE, FALSE);
		rtnl_rule_put(rule);
	}
}

/**
 * Install the rules of one family: the multipath table's lookup and the
 * rules letting the GRE packets of the paths and charon's IKE packets skip
 * our tables, as routes for broad inner destinations (e.g. 0.0.0.0/0) would
 * otherwise send them into a GRE device, looping or tunnelling IKE.
 * They skip by jumping to a no-op rule right after the table's lookup.
 */
static bool add_base_rules_family(private_mif_dataplane_t *this, int family)
{
	struct rtnl_rule *rule;
	uint16_t ports[2];
	int i;

	rule = rule_create(family, this->prio + 1, FR_ACT_NOP);
	if (!add_base_rule(this, rule))
	{
		return FALSE;
	}
	rule = rule_create(family, this->skip_prio, FR_ACT_GOTO);
	if (rule)
	{
		rtnl_rule_set_goto(rule, this->prio + 1);
		if (rtnl_rule_set_ipproto(rule, IPPROTO_GRE) < 0)
		{
			DBG1(DBG_KNL, "mif: libnl lacks the rule's ipproto match");
			rtnl_rule_put(rule);
			return FALSE;
		}
	}
	if (!add_base_rule(this, rule))
	{
		return FALSE;
	}
	ports[0] = lib->settings->get_int(lib->settings, "%s.port",
									  IKEV2_UDP_PORT, lib->ns);
	ports[1] = lib->settings->get_int(lib->settings, "%s.port_nat_t",
									  IKEV2_NATT_PORT, lib->ns);
	for (i = 0; i < countof(ports); i++)
	{
		if (!ports[i] || (i == 1 && ports[1] == ports[0]))
		{
			continue;
		}
		rule = rule_create(family, this->skip_prio, FR_ACT_GOTO);
		if (rule)
		{
			rtnl_rule_set_goto(rule, this->prio + 1);
			rtnl_rule_set_ipproto(rule, IPPROTO_UDP);
			rtnl_rule_set_sport(rule, ports[i]);
		}
		if (!add_base_rule(this, rule))
		{
			return FALSE;
		}
	}
	rule = rule_create(family, this->prio, FR_ACT_TO_TBL);
	if (rule)
	{
		rtnl_rule_set_table(rule, this->table);
	}
	return add_base_rule(this, rule);
}

/**
 * Install the base rules for both families.
 */
static bool add_base_rules(private_mif_dataplane_t *this)
{
	if (!add_base_rules_family(this, AF_INET))
	{
		del_base_rules(this);
		return FALSE;
	}
	if (!add_base_rules_family(this, AF_INET6))
	{
		/* keep IPv4 working on hosts without IPv6 rules */
		DBG1(DBG_KNL, "mif: IPv6 rules unavailable, inner IPv6 traffic is "
			 "not routed over paths");
	}
	return TRUE;
}

/**
 * Build a route of our tables.
 */
static struct rtnl_route *route_create(uint32_t table, host_t *net,
									   uint8_t prefix, uint8_t type)
{
	struct rtnl_route *route;
	struct nl_addr *dst;

	route = rtnl_route_alloc();
	dst = host2nl(net, prefix);
	if (!route || !dst)
	{
		nl_addr_put(dst);
		rtnl_route_put(route);
		return NULL;
	}
	rtnl_route_set_family(route, net->get_family(net));
	rtnl_route_set_table(route, table);
	rtnl_route_set_dst(route, dst);
	nl_addr_put(dst);
	rtnl_route_set_type(route, type);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_scope(route, type == RTN_UNICAST ? RT_SCOPE_LINK
												  : RT_SCOPE_UNIVERSE);
	return route;
}

/**
 * Add a next hop via a device to a route.
 */
static void route_add_dev(struct rtnl_route *route, int ifindex,
						  uint8_t weight)
{
	struct rtnl_nexthop *nh;

	nh = rtnl_route_nh_alloc();
	if (nh)
	{
		rtnl_route_nh_set_ifindex(nh, ifindex);
		/* rtnh_hops carries weight - 1 */
		rtnl_route_nh_set_weight(nh, weight ? weight - 1 : 0);
		rtnl_route_add_nexthop(route, nh);
	}
}

/**
 * Set the preferred source of a route if the family matches.
 */
static void route_set_src(struct rtnl_route *route, host_t *src)
{
	struct nl_addr *addr;

	if (src && src->get_family(src) == rtnl_route_get_family(route))
	{
		addr = host2nl(src, -1);
		if (addr)
		{
			rtnl_route_set_pref_src(route, addr);
			nl_addr_put(addr);
		}
	}
}

/**
 * Install (replacing) or delete a route, logging failures.
 */
static bool route_op(private_mif_dataplane_t *this, struct rtnl_route *route,
					 bool add)
{
	char buf[64];
	int err;

	if (!route)
	{
		return FALSE;
	}
	if (add)
	{
		err = rtnl_route_add(this->sock, route, NLM_F_CREATE | NLM_F_REPLACE);
	}
	else
	{
		err = rtnl_route_delete(this->sock, route, 0);
	}
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: %s route %s table %u failed: %s",
			 add ? "installing" : "deleting",
			 nl_addr2str(rtnl_route_get_dst(route), buf, sizeof(buf)),
			 rtnl_route_get_table(route), nl_geterror(err));
	}
	rtnl_route_put(route);
	return err >= 0;
}

/**
 * Find an IKE SA, optionally creating it.
 */
static dp_ike_t *get_ike(private_mif_dataplane_t *this, uint32_t ike_id,
						 bool create)
{
	enumerator_t *enumerator;
	dp_ike_t *ike, *found = NULL;

	enumerator = this->ikes->create_enumerator(this->ikes);
	while (enumerator->enumerate(enumerator, &ike))
	{
		if (ike->ike_id == ike_id)
		{
			found = ike;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (!found && create)
	{
		INIT(found,
			.ike_id = ike_id,
			.paths = linked_list_create(),
			.routes = linked_list_create(),
			.flows = linked_list_create(),
		);
		this->ikes->insert_last(this->ikes, found);
	}
	return found;
}

/**
 * Find a path of an IKE SA.
 */
static dp_path_t *get_path(dp_ike_t *ike, uint16_t bid)
{
	enumerator_t *enumerator;
	dp_path_t *path, *found = NULL;

	enumerator = ike->paths->create_enumerator(ike->paths);
	while (enumerator->enumerate(enumerator, &path))
	{
		if (path->bid == bid)
		{
			found = path;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Remove an IKE SA's entry once nothing is installed for it.
 */
static void gc_ike(private_mif_dataplane_t *this, dp_ike_t *ike)
{
	if (ike->paths->get_count(ike->paths) ||
		ike->routes->get_count(ike->routes) ||
		ike->flows->get_count(ike->flows))
	{
		return;
	}
	this->ikes->remove(this->ikes, ike, NULL);
	ike->paths->destroy(ike->paths);
	ike->routes->destroy(ike->routes);
	ike->flows->destroy(ike->flows);
	DESTROY_IF(ike->src);
	free(ike->bids);
	free(ike);
}

/**
 * Install or delete the GRE policies of a path through charon's kernel
 * interface, so its policy bookkeeping sees them.
 */
static bool policies_op(dp_path_t *path, bool add)
{
	traffic_selector_t *l_ts, *r_ts;
	kernel_ipsec_policy_id_t out_id, in_id;
	kernel_ipsec_manage_policy_t out_pol, in_pol;
	uint8_t bits = path->local->get_family(path->local) == AF_INET ? 32 : 128;
	status_t status = SUCCESS;

	l_ts = traffic_selector_create_from_subnet(path->local->clone(path->local),
											   bits, IPPROTO_GRE, 0, 65535);
	r_ts = traffic_selector_create_from_subnet(path->remote->clone(path->remote),
											   bits, IPPROTO_GRE, 0, 65535);
	if (!l_ts || !r_ts)
	{
		DESTROY_IF(l_ts);
		DESTROY_IF(r_ts);
		return FALSE;
	}
	out_id = (kernel_ipsec_policy_id_t){
		.dir = POLICY_OUT,
		.src_ts = l_ts,
		.dst_ts = r_ts,
	};
	out_pol = (kernel_ipsec_manage_policy_t){
		.type = POLICY_IPSEC,
		.prio = POLICY_PRIORITY_DEFAULT,
		.src = path->local,
		.dst = path->remote,
		.sa = &path->sa_out,
	};
	in_id = (kernel_ipsec_policy_id_t){
		.dir = POLICY_IN,
		.src_ts = r_ts,
		.dst_ts = l_ts,
	};
	in_pol = (kernel_ipsec_manage_policy_t){
		.type = POLICY_IPSEC,
		.prio = POLICY_PRIORITY_DEFAULT,
		.src = path->remote,
		.dst = path->local,
		.sa = &path->sa_in,
	};
	if (add)
	{
		status = charon->kernel->add_policy(charon->kernel, &out_id, &out_pol);
		if (status == SUCCESS)
		{
			status = charon->kernel->add_policy(charon->kernel, &in_id,
												&in_pol);
			if (status != SUCCESS)
			{
				charon->kernel->del_policy(charon->kernel, &out_id, &out_pol);
			}
		}
		if (status != SUCCESS)
		{
			DBG1(DBG_KNL, "mif: installing GRE policies %H === %H (reqid %u) "
				 "failed", path->local, path->remote, path->sa_out.reqid);
		}
	}
	else
	{
		if (charon->kernel->del_policy(charon->kernel, &out_id,
									   &out_pol) != SUCCESS)
		{
			status = FAILED;
		}
		if (charon->kernel->del_policy(charon->kernel, &in_id,
									   &in_pol) != SUCCESS)
		{
			status = FAILED;
		}
		if (status != SUCCESS)
		{
			DBG1(DBG_KNL, "mif: deleting GRE policies %H === %H failed",
				 path->local, path->remote);
		}
	}
	l_ts->destroy(l_ts);
	r_ts->destroy(r_ts);
	return status == SUCCESS;
}

/**
 * Create a GRE device, not yet up.
 */
static bool create_gre(private_mif_dataplane_t *this, char *name,
					   host_t *local, host_t *remote, uint32_t ifindex)
{
	struct rtnl_link *link;
	int err;

	if (local->get_family(local) == AF_INET)
	{
		link = rtnl_link_ipgre_alloc();
		if (link)
		{
			rtnl_link_ipgre_set_local(link, *(uint32_t*)
									  local->get_address(local).ptr);
			rtnl_link_ipgre_set_remote(link, *(uint32_t*)
									   remote->get_address(remote).ptr);
			if (ifindex)
			{
				rtnl_link_ipgre_set_link(link, ifindex);
			}
		}
	}
	else
	{
		link = rtnl_link_ip6gre_alloc();
		if (link)
		{
			rtnl_link_ip6gre_set_local(link, (struct in6_addr*)
									   local->get_address(local).ptr);
			rtnl_link_ip6gre_set_remote(link, (struct in6_addr*)
										remote->get_address(remote).ptr);
			rtnl_link_ip6gre_set_flags(link, MIF_IP6_TNL_F_IGN_ENCAP_LIMIT);
			if (ifindex)
			{
				rtnl_link_ip6gre_set_link(link, ifindex);
			}
		}
	}
	if (!link)
	{
		DBG1(DBG_KNL, "mif: libnl lacks GRE link support");
		return FALSE;
	}
	rtnl_link_set_name(link, name);
	err = rtnl_link_add(this->sock, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: creating %s device %s failed: %s (kernel without "
			 "%s support?)", local->get_family(local) == AF_INET ? "gre"
			 : "ip6gre", name, nl_geterror(err),
			 local->get_family(local) == AF_INET ? "ip_gre" : "ip6_gre");
		return FALSE;
	}
	return TRUE;
}

/**
 * Delete a device by name, quietly if it may not exist.
 */
static void delete_link(private_mif_dataplane_t *this, char *name, bool quiet)
{
	struct rtnl_link *link;
	int err;

	link = rtnl_link_alloc();
	if (link)
	{
		rtnl_link_set_name(link, name);
		err = rtnl_link_delete(this->sock, link);
		if (err < 0 && !(quiet && err == -NLE_NODEV))
		{
			DBG1(DBG_KNL, "mif: deleting device %s failed: %s", name,
				 nl_geterror(err));
		}
		rtnl_link_put(link);
	}
}

/**
 * Keep the kernel away from the inner packets of a path's device, and
 * bring it up with room for the ESP overhead.
 */
static bool setup_gre(private_mif_dataplane_t *this, dp_path_t *path)
{
	struct rtnl_link *link, *change;
	u_int mtu;
	int err;

	/* inner packets must bypass the IKE SA's own CHILD SA policies, out
	 * (disable_xfrm) and in (disable_policy) */
	if (!set_sysctl("1", "/proc/sys/net/ipv4/conf/%s/disable_xfrm",
					path->ifname) ||
		!set_sysctl("1", "/proc/sys/net/ipv4/conf/%s/disable_policy",
					path->ifname))
	{
		return FALSE;
	}
	/* IPv6: no link-local noise over the path; disable_policy needs 5.17+,
	 * older kernels only lose inner IPv6 over paths */
	set_sysctl("1", "/proc/sys/net/ipv6/conf/%s/addr_gen_mode", path->ifname);
	set_sysctl("0", "/proc/sys/net/ipv6/conf/%s/autoconf", path->ifname);
	set_sysctl("0", "/proc/sys/net/ipv6/conf/%s/accept_ra", path->ifname);
	set_sysctl("1", "/proc/sys/net/ipv6/conf/%s/disable_policy", path->ifname);

	err = rtnl_link_get_kernel(this->sock, 0, path->ifname, &link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: querying device %s failed: %s", path->ifname,
			 nl_geterror(err));
		return FALSE;
	}
	path->ifindex = rtnl_link_get_ifindex(link);
	mtu = this->mtu;
	if (!mtu)
	{
		mtu = rtnl_link_get_mtu(link);
		mtu = mtu > ESP_OVERHEAD + 1280 ? mtu - ESP_OVERHEAD : 1280;
	}
	change = rtnl_link_alloc();
	if (!change)
	{
		rtnl_link_put(link);
		return FALSE;
	}
	rtnl_link_set_mtu(change, mtu);
	rtnl_link_set_flags(change, IFF_UP);
	err = rtnl_link_change(this->sock, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: setting device %s up failed: %s", path->ifname,
			 nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

/**
 * Pick the first per-path table not used by any path.
 */
static uint32_t alloc_table(private_mif_dataplane_t *this)
{
	enumerator_t *ikes, *paths;
	dp_ike_t *ike;
	dp_path_t *path;
	uint32_t table = this->path_table_base;
	bool used = TRUE;

	while (used)
	{
		used = FALSE;
		ikes = this->ikes->create_enumerator(this->ikes);
		while (!used && ikes->enumerate(ikes, &ike))
		{
			paths = ike->paths->create_enumerator(ike->paths);
			while (paths->enumerate(paths, &path))
			{
				if (path->table == table)
				{
					used = TRUE;
					table++;
					break;
				}
			}
			paths->destroy(paths);
		}
		ikes->destroy(ikes);
	}
	return table;
}

/**
 * Install (replace) or delete the default route of a path's flow table.
 */
static bool path_table_route(private_mif_dataplane_t *this, dp_ike_t *ike,
							 dp_path_t *path, int family, bool add)
{
	struct rtnl_route *route;
	host_t *any;

	any = host_create_any(family);
	route = route_create(path->table, any, 0, RTN_UNICAST);
	any->destroy(any);
	if (route && add)
	{
		route_add_dev(route, path->ifindex, 1);
		route_set_src(route, ike->src);
	}
	if (!route_op(this, route, add))
	{
		return FALSE;
	}
	path->table_route[fam_idx(family)] = add;
	return TRUE;
}

/**
 * Undo everything installed for a path (not its routes/flows).
 */
static void path_remove(private_mif_dataplane_t *this, dp_ike_t *ike,
						dp_path_t *path)
{
	if (path->table_route[0])
	{
		path_table_route(this, ike, path, AF_INET, FALSE);
	}
	if (path->table_route[1])
	{
		path_table_route(this, ike, path, AF_INET6, FALSE);
	}
	if (path->ifindex)
	{
		delete_link(this, path->ifname, FALSE);
	}
	if (path->policies)
	{
		policies_op(path, FALSE);
	}
	path->local->destroy(path->local);
	path->remote->destroy(path->remote);
	free(path);
}

/**
 * Drop a path from the count, removing the base rules with the last.
 */
static void put_path(private_mif_dataplane_t *this)
{
	if (--this->path_count == 0)
	{
		del_base_rules(this);
	}
}

METHOD(mif_dataplane_t, add_path, bool,
	private_mif_dataplane_t *this, mif_dp_path_t *cfg, char *ifname)
{
	dp_ike_t *ike;
	dp_path_t *path;
	int family;

	if (!cfg->local || !cfg->remote ||
		cfg->local->get_family(cfg->local) !=
		cfg->remote->get_family(cfg->remote) || cfg->bid < 2)
	{
		DBG1(DBG_KNL, "mif: invalid path %u/%u", cfg->ike_id, cfg->bid);
		return FALSE;
	}
	family = cfg->local->get_family(cfg->local);

	this->mutex->lock(this->mutex);
	ike = get_ike(this, cfg->ike_id, TRUE);
	if (get_path(ike, cfg->bid))
	{
		DBG1(DBG_KNL, "mif: path %u/%u already installed", cfg->ike_id,
			 cfg->bid);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	if (this->path_count++ == 0 && !add_base_rules(this))
	{
		this->path_count--;
		gc_ike(this, ike);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	INIT(path,
		.bid = cfg->bid,
		.local = cfg->local->clone(cfg->local),
		.remote = cfg->remote->clone(cfg->remote),
		.weight = cfg->weight ?: 1,
		.link = cfg->link,
		/* no SPI in the outbound template: the kernel then takes the
		 * newest SA of the reqid, so a rekeyed path CHILD SA (same reqid)
		 * carries the path without touching its policies
		 * (doc/protocol.md 11) */
		.sa_out = {
			.mode = MODE_TRANSPORT,
			.reqid = cfg->reqid,
			.esp = {
				.use = TRUE,
			},
		},
		.sa_in = {
			.mode = MODE_TRANSPORT,
			.reqid = cfg->reqid,
			.esp = {
				.use = TRUE,
				.spi = cfg->spi_in,
			},
		},
		.table = alloc_table(this),
	);
	/* names must fit IFNAMSIZ; IKE SA ids are small counters in practice */
	if (snprintf(path->ifname, sizeof(path->ifname), "mif%up%u",
				 cfg->ike_id, cfg->bid) >= sizeof(path->ifname))
	{
		snprintf(path->ifname, sizeof(path->ifname), "m%xp%x",
				 cfg->ike_id, cfg->bid);
	}

	path->policies = policies_op(path, TRUE);
	if (!path->policies ||
		!create_gre(this, path->ifname, path->local, path->remote,
					 path->link))
	{
		path_remove(this, ike, path);
		put_path(this);
		gc_ike(this, ike);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	if (!setup_gre(this, path))
	{
		/* remove the device even if its index is unknown */
		if (!path->ifindex)
		{
			delete_link(this, path->ifname, FALSE);
		}
		path_remove(this, ike, path);
		put_path(this);
		gc_ike(this, ike);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	ike->paths->insert_last(ike->paths, path);
	DBG1(DBG_KNL, "mif: path %u/%u %H === %H via %s (%s, reqid %u, "
		 "table %u)", cfg->ike_id, cfg->bid, path->local, path->remote,
		 path->ifname, family == AF_INET ? "gre" : "ip6gre", cfg->reqid,
		 path->table);
	if (ifname)
	{
		strncpy(ifname, path->ifname, IFNAMSIZ);
	}
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * Whether two route destinations are equal.
 */
static bool route_equals(dp_route_t *a, host_t *net, uint8_t prefix)
{
	return a->prefix == prefix && a->net->ip_equals(a->net, net);
}

/**
 * Delete one route of the multipath table and free it.
 */
static void route_remove(private_mif_dataplane_t *this, dp_route_t *r)
{
	route_op(this, route_create(this->table, r->net, r->prefix, RTN_UNICAST),
			 FALSE);
	r->net->destroy(r->net);
	free(r);
}

/**
 * Install routes for dst over the given paths, replacing previous ones.
 * Called with the mutex held; dst NULL reuses the installed destinations.
 */
static bool do_set_routes(private_mif_dataplane_t *this, dp_ike_t *ike,
						  linked_list_t *dst, host_t *src, uint16_t *bids,
						  u_int count)
{
	linked_list_t *old, *new;
	enumerator_t *enumerator, *inner;
	traffic_selector_t *ts;
	struct rtnl_route *route;
	dp_route_t *r, *found;
	dp_path_t *paths[count ?: 1], *path;
	host_t *net;
	uint8_t prefix;
	bool ok = TRUE, multipath[2] = {};
	u_int i;

	for (i = 0; i < count; i++)
	{
		paths[i] = get_path(ike, bids[i]);
		if (!paths[i])
		{
			DBG1(DBG_KNL, "mif: routes of IKE SA %u: unknown path %u",
				 ike->ike_id, bids[i]);
			return FALSE;
		}
	}
	old = ike->routes;
	new = linked_list_create();

	if (count && !dst)
	{	/* reroute the installed destinations */
		enumerator = old->create_enumerator(old);
		while (enumerator->enumerate(enumerator, &r))
		{
			old->remove_at(old, enumerator);
			new->insert_last(new, r);
		}
		enumerator->destroy(enumerator);
	}
	else if (count)
	{
		enumerator = dst->create_enumerator(dst);
		while (enumerator->enumerate(enumerator, &ts))
		{
			ts->to_subnet(ts, &net, &prefix);
			found = NULL;
			inner = old->create_enumerator(old);
			while (inner->enumerate(inner, &r))
			{
				if (route_equals(r, net, prefix))
				{
					old->remove_at(old, inner);
					found = r;
					break;
				}
			}
			inner->destroy(inner);
			if (!found)
			{
				INIT(found,
					.net = net->clone(net),
					.prefix = prefix,
				);
			}
			new->insert_last(new, found);
			net->destroy(net);
		}
		enumerator->destroy(enumerator);
	}

	if (count && src != ike->src)
	{
		DESTROY_IF(ike->src);
		ike->src = src ? src->clone(src) : NULL;
	}

	enumerator = new->create_enumerator(new);
	while (enumerator->enumerate(enumerator, &r))
	{
		route = route_create(this->table, r->net, r->prefix, RTN_UNICAST);
		if (route)
		{
			for (i = 0; i < count; i++)
			{
				route_add_dev(route, paths[i]->ifindex, paths[i]->weight);
			}
			route_set_src(route, ike->src);
		}
		if (route_op(this, route, TRUE))
		{
			multipath[fam_idx(r->net->get_family(r->net))] |= count > 1;
		}
		else
		{
			new->remove_at(new, enumerator);
			r->net->destroy(r->net);
			free(r);
			ok = FALSE;
		}
	}
	enumerator->destroy(enumerator);

	/* the previous routes no longer wanted */
	while (old->remove_first(old, (void**)&r) == SUCCESS)
	{
		route_remove(this, r);
	}
	old->destroy(old);
	ike->routes = new;

	free(ike->bids);
	ike->bids = count ? memcpy(malloc(sizeof(uint16_t) * count), bids,
							   sizeof(uint16_t) * count) : NULL;
	ike->count = count;

	/* per-flow hashing over the next hops: L4 hash */
	if (multipath[0] && !set_hash_policy(this, AF_INET))
	{
		ok = FALSE;
	}
	if (multipath[1] && !set_hash_policy(this, AF_INET6))
	{
		ok = FALSE;
	}

	/* flow tables follow the routes' source address */
	enumerator = ike->paths->create_enumerator(ike->paths);
	while (enumerator->enumerate(enumerator, &path))
	{
		if (path->table_route[0])
		{
			path_table_route(this, ike, path, AF_INET, TRUE);
		}
		if (path->table_route[1])
		{
			path_table_route(this, ike, path, AF_INET6, TRUE);
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

METHOD(mif_dataplane_t, set_routes, bool,
	private_mif_dataplane_t *this, uint32_t ike_id, linked_list_t *dst,
	host_t *src, uint16_t *bids, u_int count)
{
	dp_ike_t *ike;
	bool ok;

	this->mutex->lock(this->mutex);
	ike = get_ike(this, ike_id, FALSE);
	if (!ike)
	{
		this->mutex->unlock(this->mutex);
		if (count)
		{
			DBG1(DBG_KNL, "mif: routes of IKE SA %u: no paths", ike_id);
			return FALSE;
		}
		return TRUE;
	}
	ok = do_set_routes(this, ike, count ? dst : NULL, src, bids, count);
	DBG1(DBG_KNL, "mif: IKE SA %u: %d route(s) over %u path(s)%s", ike_id,
		 ike->routes->get_count(ike->routes), count, ok ? "" : ", with errors");
	gc_ike(this, ike);
	this->mutex->unlock(this->mutex);
	return ok;
}

/**
 * Remove a flow's rule and free it.
 */
static void flow_remove(private_mif_dataplane_t *this, dp_flow_t *flow)
{
	rule_op(this, flow->rule, FALSE, FALSE);
	rtnl_rule_put(flow->rule);
	free(flow);
}

/**
 * Remove the flows of an IKE SA matching fid, or steered to bid if fid is 0.
 */
static void remove_flows(private_mif_dataplane_t *this, dp_ike_t *ike,
						 uint16_t fid, uint16_t bid)
{
	enumerator_t *enumerator;
	dp_flow_t *flow;

	enumerator = ike->flows->create_enumerator(ike->flows);
	while (enumerator->enumerate(enumerator, &flow))
	{
		if ((fid && flow->fid == fid) || (!fid && flow->bid == bid))
		{
			ike->flows->remove_at(ike->flows, enumerator);
			flow_remove(this, flow);
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Whether the ports of a protocol can be matched by a rule.
 */
static bool has_ports(uint8_t proto)
{
	switch (proto)
	{
		case IPPROTO_TCP:
		case IPPROTO_UDP:
		case IPPROTO_SCTP:
		case IPPROTO_UDPLITE:
		case IPPROTO_DCCP:
			return TRUE;
		default:
			return FALSE;
	}
}

/**
 * Build the rule of a flow.
 */
static struct rtnl_rule *flow_rule(private_mif_dataplane_t *this,
								   traffic_selector_t *ts, uint32_t table)
{
	struct rtnl_rule *rule;
	struct nl_addr *addr;
	host_t *net;
	uint8_t prefix, proto;
	uint16_t from, to;
	int family;

	ts->to_subnet(ts, &net, &prefix);
	family = net->get_family(net);
	rule = rule_create(family, this->flow_prio, FR_ACT_TO_TBL);
	if (!rule)
	{
		net->destroy(net);
		return NULL;
	}
	rtnl_rule_set_table(rule, table);
	if (prefix)
	{
		addr = host2nl(net, prefix);
		if (addr)
		{
			rtnl_rule_set_dst(rule, addr);
			nl_addr_put(addr);
		}
	}
	net->destroy(net);
	proto = ts->get_protocol(ts);
	if (proto && rtnl_rule_set_ipproto(rule, proto) < 0)
	{
		DBG1(DBG_KNL, "mif: libnl lacks the rule's ipproto match");
		rtnl_rule_put(rule);
		return NULL;
	}
	from = ts->get_from_port(ts);
	to = ts->get_to_port(ts);
	if (has_ports(proto) && (from != 0 || to != 65535) &&
		rtnl_rule_set_dport_range(rule, from, to) < 0)
	{
		DBG1(DBG_KNL, "mif: libnl lacks the rule's dport match");
		rtnl_rule_put(rule);
		return NULL;
	}
	return rule;
}

METHOD(mif_dataplane_t, set_flow, bool,
	private_mif_dataplane_t *this, uint32_t ike_id, uint16_t fid,
	traffic_selector_t *ts, uint16_t bid)
{
	struct rtnl_rule *rule;
	dp_ike_t *ike;
	dp_path_t *path;
	dp_flow_t *flow;
	int family;

	this->mutex->lock(this->mutex);
	ike = get_ike(this, ike_id, FALSE);
	if (ike && fid)
	{
		remove_flows(this, ike, fid, 0);
	}
	if (!bid)
	{
		if (ike)
		{
			gc_ike(this, ike);
		}
		this->mutex->unlock(this->mutex);
		return TRUE;
	}
	path = ike ? get_path(ike, bid) : NULL;
	if (!path || !ts || !fid)
	{
		DBG1(DBG_KNL, "mif: flow %u of IKE SA %u: unknown path %u or no "
			 "selector", fid, ike_id, bid);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	family = ts->get_type(ts) == TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
	if (!path->table_route[fam_idx(family)] &&
		!path_table_route(this, ike, path, family, TRUE))
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	rule = flow_rule(this, ts, path->table);
	if (!rule || !rule_op(this, rule, TRUE, FALSE))
	{
		if (rule)
		{
			rtnl_rule_put(rule);
		}
		DBG1(DBG_KNL, "mif: flow %u of IKE SA %u (%R) not steered (kernel "
			 "without ipproto/dport rules needs 4.17+)", fid, ike_id, ts);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	INIT(flow,
		.fid = fid,
		.bid = bid,
		.rule = rule,
	);
	ike->flows->insert_last(ike->flows, flow);
	DBG1(DBG_KNL, "mif: flow %u of IKE SA %u (%R) via %s", fid, ike_id, ts,
		 path->ifname);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(mif_dataplane_t, del_path, bool,
	private_mif_dataplane_t *this, uint32_t ike_id, uint16_t bid)
{
	dp_ike_t *ike;
	dp_path_t *path;
	uint16_t *bids;
	u_int i, count = 0;
	bool routed = FALSE;

	this->mutex->lock(this->mutex);
	ike = get_ike(this, ike_id, FALSE);
	path = ike ? get_path(ike, bid) : NULL;
	if (!path)
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	remove_flows(this, ike, 0, bid);

	bids = malloc(sizeof(uint16_t) * (ike->count ?: 1));
	/* the kernel flushes a multipath route with a next hop on a deleted
	 * device, so move the routes to the remaining paths first */
	for (i = 0; i < ike->count; i++)
	{
		if (ike->bids[i] == bid)
		{
			routed = TRUE;
		}
		else
		{
			bids[count++] = ike->bids[i];
		}
	}
	if (routed)
	{
		do_set_routes(this, ike, NULL, ike->src, bids, count);
	}
	free(bids);
	ike->paths->remove(ike->paths, path, NULL);
	DBG1(DBG_KNL, "mif: removing path %u/%u (%s)", ike_id, bid, path->ifname);
	path_remove(this, ike, path);
	put_path(this);
	gc_ike(this, ike);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

/**
 * Remove everything of an IKE SA, with the mutex held.
 */
static void do_flush(private_mif_dataplane_t *this, dp_ike_t *ike)
{
	dp_path_t *path;
	dp_flow_t *flow;
	dp_route_t *r;

	while (ike->flows->remove_first(ike->flows, (void**)&flow) == SUCCESS)
	{
		flow_remove(this, flow);
	}
	while (ike->routes->remove_first(ike->routes, (void**)&r) == SUCCESS)
	{
		route_remove(this, r);
	}
	ike->count = 0;
	while (ike->paths->remove_first(ike->paths, (void**)&path) == SUCCESS)
	{
		path_remove(this, ike, path);
		put_path(this);
	}
	gc_ike(this, ike);
}

METHOD(mif_dataplane_t, flush, void,
	private_mif_dataplane_t *this, uint32_t ike_id)
{
	dp_ike_t *ike;

	this->mutex->lock(this->mutex);
	ike = get_ike(this, ike_id, FALSE);
	if (ike)
	{
		DBG1(DBG_KNL, "mif: flushing IKE SA %u", ike_id);
		do_flush(this, ike);
	}
	this->mutex->unlock(this->mutex);
}

METHOD(mif_dataplane_t, destroy, void,
	private_mif_dataplane_t *this)
{
	dp_ike_t *ike;

	this->mutex->lock(this->mutex);
	while (this->ikes->get_first(this->ikes, (void**)&ike) == SUCCESS)
	{
		do_flush(this, ike);
	}
	del_base_rules(this);
	restore_hash_policies(this);
	this->mutex->unlock(this->mutex);
	array_destroy(this->base_rules);
	this->ikes->destroy(this->ikes);
	this->mutex->destroy(this->mutex);
	if (this->sock)
	{
		nl_socket_free(this->sock);
	}
	free(this->hash_state);
	free(this);
}

/**
 * Whether a device name is one add_path() gives: "mif<IKE>p<BID>", or
 * "m<IKE>p<BID>" in hex if that is too long.
 */
static bool is_path_ifname(char *name)
{
	char *digits = "0123456789", *pos;
	size_t len;

	if (strpfx(name, "mif"))
	{
		pos = name + 3;
	}
	else if (name[0] == 'm')
	{
		pos = name + 1;
		digits = "0123456789abcdef";
	}
	else
	{
		return FALSE;
	}
	len = strspn(pos, digits);
	if (!len || pos[len] != 'p')
	{
		return FALSE;
	}
	pos += len + 1;
	len = strspn(pos, digits);
	return len && !pos[len];
}

/**
 * Delete the GRE policy of one direction of a path, as policies_op()
 * installs it through charon's kernel interface (which knows nothing of
 * the policies of a previous instance).
 */
static bool del_gre_policy(struct nl_sock *xfrm, int family, void *src,
						   void *dst, uint8_t dir)
{
	struct xfrm_userpolicy_id id = {
		.sel = {
			.family = family,
			.prefixlen_s = family == AF_INET ? 32 : 128,
			.prefixlen_d = family == AF_INET ? 32 : 128,
			.proto = IPPROTO_GRE,
		},
		.dir = dir,
	};
	size_t len = family == AF_INET ? 4 : 16;
	struct nl_msg *msg;
	int err;

	memcpy(&id.sel.saddr, src, len);
	memcpy(&id.sel.daddr, dst, len);
	msg = nlmsg_alloc_simple(XFRM_MSG_DELPOLICY, 0);
	if (!msg)
	{
		return FALSE;
	}
	err = nlmsg_append(msg, &id, sizeof(id), NLMSG_ALIGNTO);
	if (err >= 0)
	{
		err = nl_send_auto(xfrm, msg);
	}
	nlmsg_free(msg);
	if (err >= 0)
	{
		err = nl_wait_for_ack(xfrm);
	}
	if (err < 0 && err != -NLE_OBJ_NOTFOUND)
	{
		DBG1(DBG_KNL, "mif: deleting a GRE policy failed: %s",
			 nl_geterror(err));
	}
	return err >= 0;
}

/**
 * Delete a GRE device of a previous instance, and its path's policies.
 */
static u_int del_leftover_link(private_mif_dataplane_t *this,
							   struct nl_sock *xfrm, struct rtnl_link *link,
							   u_int *policies)
{
	struct in6_addr local6, remote6;
	uint32_t local4, remote4;
	void *local = NULL, *remote = NULL;
	char *type = rtnl_link_get_type(link);
	int family = AF_INET, err;

	if (streq(type, "gre"))
	{
		local4 = rtnl_link_ipgre_get_local(link);
		remote4 = rtnl_link_ipgre_get_remote(link);
		local = &local4;
		remote = &remote4;
	}
	else if (rtnl_link_ip6gre_get_local(link, &local6) >= 0 &&
			 rtnl_link_ip6gre_get_remote(link, &remote6) >= 0)
	{
		family = AF_INET6;
		local = &local6;
		remote = &remote6;
	}
	err = rtnl_link_delete(this->sock, link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: deleting device %s of a previous instance "
			 "failed: %s", rtnl_link_get_name(link), nl_geterror(err));
		return 0;
	}
	if (xfrm && local)
	{
		*policies += del_gre_policy(xfrm, family, local, remote,
									XFRM_POLICY_OUT);
		*policies += del_gre_policy(xfrm, family, remote, local,
									XFRM_POLICY_IN);
	}
	return 1;
}

/**
 * Whether a rule is one of ours: a base rule or a flow rule.
 */
static bool is_our_rule(private_mif_dataplane_t *this, struct rtnl_rule *rule)
{
	uint32_t prio = rtnl_rule_get_prio(rule);
	uint32_t table = rtnl_rule_get_table(rule);

	switch (rtnl_rule_get_action(rule))
	{
		case FR_ACT_TO_TBL:
			return (prio == this->prio && table == this->table) ||
				   (prio == this->flow_prio && table >= this->path_table_base);
		case FR_ACT_GOTO:
			return prio == this->skip_prio &&
				   rtnl_rule_get_goto(rule) == this->prio + 1;
		case FR_ACT_NOP:
			return prio == this->prio + 1;
		default:
			return FALSE;
	}
}

/**
 * Whether a rule is a source rule of mif_srcroute.
 */
static bool is_source_rule(private_mif_dataplane_t *this,
						   struct rtnl_rule *rule)
{
	return rtnl_rule_get_prio(rule) == this->src_prio &&
		   rtnl_rule_get_action(rule) == FR_ACT_TO_TBL &&
		   rtnl_rule_get_src(rule) &&
		   rtnl_rule_get_table(rule) >= this->src_table_base;
}

/**
 * Whether a table is in a list of tables.
 */
static bool has_table(array_t *tables, uint32_t table)
{
	uint32_t cur;
	int i;

	for (i = 0; i < array_count(tables); i++)
	{
		array_get(tables, i, &cur);
		if (cur == table)
		{
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Remove what a previous instance left in the kernel because it did not
 * get to remove it (charon crashed or was killed): the GRE devices of its
 * paths, which takes their routes along, and their GRE policies; the
 * routes of our table; our rules, and the source rules of mif_srcroute
 * with the routes of their tables (created after us, by the manager).
 * GRE devices are named after IKE SA unique ids, which start at 1 again,
 * and the base rules are unique: both would make installing this
 * instance's paths fail.
 */
static void remove_leftovers(private_mif_dataplane_t *this)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct nl_sock *xfrm;
	array_t *tables;
	char *type, *name;
	uint32_t table;
	u_int links = 0, policies = 0, routes = 0, rules = 0;

	xfrm = nl_socket_alloc();
	if (xfrm && nl_connect(xfrm, NETLINK_XFRM) < 0)
	{
		DBG1(DBG_KNL, "mif: no XFRM netlink socket, not looking for GRE "
			 "policies of a previous instance");
		nl_socket_free(xfrm);
		xfrm = NULL;
	}
	if (rtnl_link_alloc_cache(this->sock, AF_UNSPEC, &cache) >= 0)
	{
		for (obj = nl_cache_get_first(cache); obj;
			 obj = nl_cache_get_next(obj))
		{
			type = rtnl_link_get_type((struct rtnl_link*)obj);
			name = rtnl_link_get_name((struct rtnl_link*)obj);
			if (type && name && is_path_ifname(name) &&
				(streq(type, "gre") || streq(type, "ip6gre")))
			{
				links += del_leftover_link(this, xfrm,
										   (struct rtnl_link*)obj, &policies);
			}
		}
		nl_cache_free(cache);
	}
	if (xfrm)
	{
		nl_socket_free(xfrm);
	}
	/* our table, and the tables the source rules select */
	tables = array_create(sizeof(uint32_t), 0);
	array_insert(tables, ARRAY_TAIL, &this->table);
	if (rtnl_rule_alloc_cache(this->sock, AF_UNSPEC, &cache) >= 0)
	{
		for (obj = nl_cache_get_first(cache); obj;
			 obj = nl_cache_get_next(obj))
		{
			if (is_source_rule(this, (struct rtnl_rule*)obj))
			{
				table = rtnl_rule_get_table((struct rtnl_rule*)obj);
				array_insert(tables, ARRAY_TAIL, &table);
			}
			else if (!is_our_rule(this, (struct rtnl_rule*)obj))
			{
				continue;
			}
			if (rule_op(this, (struct rtnl_rule*)obj, FALSE, FALSE))
			{
				rules++;
			}
		}
		nl_cache_free(cache);
	}
	/* after the devices: what was routed over them went with them */
	if (rtnl_route_alloc_cache(this->sock, AF_UNSPEC, 0, &cache) >= 0)
	{
		for (obj = nl_cache_get_first(cache); obj;
			 obj = nl_cache_get_next(obj))
		{
			if (has_table(tables, rtnl_route_get_table((struct rtnl_route*)obj))
				&& rtnl_route_delete(this->sock, (struct rtnl_route*)obj,
									 0) >= 0)
			{
				routes++;
			}
		}
		nl_cache_free(cache);
	}
	array_destroy(tables);
	if (links || policies || routes || rules)
	{
		DBG1(DBG_KNL, "mif: removed what a previous instance left: %u GRE "
			 "device(s), %u GRE policies, %u rule(s), %u route(s) in table %u "
			 "and source tables", links, policies, rules, routes, this->table);
	}
}

/**
 * Check that the kernel creates GRE devices, by creating and deleting one.
 */
static bool probe_gre(private_mif_dataplane_t *this)
{
	host_t *any = host_create_from_string("127.0.0.1", 0);
	bool ok;

	/* a leftover of a crashed run would make the probe fail */
	delete_link(this, PROBE_IFNAME, TRUE);
	ok = create_gre(this, PROBE_IFNAME, any, any, 0);
	if (ok)
	{
		delete_link(this, PROBE_IFNAME, FALSE);
	}
	any->destroy(any);
	return ok;
}

/*
 * Described in header
 */
mif_dataplane_t *mif_dataplane_create()
{
	private_mif_dataplane_t *this;
	int err;

	INIT(this,
		.public = {
			.add_path = _add_path,
			.del_path = _del_path,
			.set_routes = _set_routes,
			.set_flow = _set_flow,
			.flush = _flush,
			.destroy = _destroy,
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.ikes = linked_list_create(),
		.base_rules = array_create(0, 0),
		.table = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.table", 210, lib->ns),
		.prio = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.priority", 210, lib->ns),
		.path_table_base = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.path_table_base", 21000,
							lib->ns),
		.mtu = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.mtu", 0, lib->ns),
		.hash_state = strdup(lib->settings->get_str(lib->settings,
							"%s.plugins.mif.dataplane.hash_state",
							MIF_HASH_STATE, lib->ns)),
		.sock = nl_socket_alloc(),
	);
	/* flow rules first, then the table; GRE/IKE skip both */
	this->flow_prio = this->prio > 10 ? this->prio - 10 : 1;
	this->skip_prio = this->flow_prio > 1 ? this->flow_prio - 1 : 1;
	/* as mif_srcroute_create() has them */
	this->src_prio = this->prio + 2;
	this->src_table_base = lib->settings->get_int(lib->settings,
							"%s.plugins.mif.dataplane.source_table_base",
							22000, lib->ns);

	if (!this->sock)
	{
		destroy(this);
		return NULL;
	}
	err = nl_connect(this->sock, NETLINK_ROUTE);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: connecting to rtnetlink failed: %s",
			 nl_geterror(err));
		destroy(this);
		return NULL;
	}
	if (!probe_gre(this))
	{
		DBG1(DBG_KNL, "mif: kernel lacks GRE, paths unavailable");
		destroy(this);
		return NULL;
	}
	load_hash_state(this);
	remove_leftovers(this);
	DBG1(DBG_KNL, "mif: data plane: table %u (rule pref %u), flow rules pref "
		 "%u, path tables from %u", this->table, this->prio, this->flow_prio,
		 this->path_table_base);
	return &this->public;
}
