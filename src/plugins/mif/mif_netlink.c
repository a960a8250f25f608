/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_netlink.h"

#include <netlink/route/nexthop.h>
#include <netlink/route/rtnl.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/rtnetlink.h>
#include <linux/lwtunnel.h>

#include <daemon.h>

/*
 * Described in header
 */
struct nl_sock *mif_nl_socket(int protocol)
{
	struct nl_sock *sock;
	int err;

	sock = nl_socket_alloc();
	if (!sock)
	{
		return NULL;
	}
	err = nl_connect(sock, protocol);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: connecting to netlink (%d) failed: %s", protocol,
			 nl_geterror(err));
		nl_socket_free(sock);
		return NULL;
	}
	return sock;
}

/*
 * Described in header
 */
struct nl_addr *mif_nl_addr(host_t *host, int prefix)
{
	struct nl_addr *addr;
	chunk_t raw;

	raw = host->get_address(host);
	/* nl_addr_build() gives the full length as prefix */
	addr = nl_addr_build(host->get_family(host), raw.ptr, raw.len);
	if (addr && prefix >= 0)
	{
		nl_addr_set_prefixlen(addr, prefix);
	}
	return addr;
}

/*
 * Described in header
 */
struct rtnl_rule *mif_nl_rule_create(int family, uint32_t prio, uint8_t action)
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
 * Name of a rule's family for log messages.
 */
static char *rule_family(struct rtnl_rule *rule)
{
	return rtnl_rule_get_family(rule) == AF_INET6 ? "IPv6" : "IPv4";
}

/*
 * Described in header
 */
bool mif_nl_rule_add(struct nl_sock *sock, struct rtnl_rule *rule,
					 bool exist_ok)
{
	int err;

	/* without NLM_F_EXCL the kernel adds a duplicate */
	err = rtnl_rule_add(sock, rule, NLM_F_CREATE | NLM_F_EXCL);
	if (err == -NLE_EXIST && exist_ok)
	{
		DBG2(DBG_KNL, "mif: %s rule pref %u already installed",
			 rule_family(rule), rtnl_rule_get_prio(rule));
		return TRUE;
	}
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: adding %s rule pref %u failed: %s",
			 rule_family(rule), rtnl_rule_get_prio(rule), nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

/*
 * Described in header
 */
bool mif_nl_rule_del(struct nl_sock *sock, struct rtnl_rule *rule)
{
	int err;

	err = rtnl_rule_delete(sock, rule, 0);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: deleting %s rule pref %u failed: %s",
			 rule_family(rule), rtnl_rule_get_prio(rule), nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

/*
 * Described in header
 */
struct rtnl_route *mif_nl_route_create(int family, uint32_t table,
									   struct nl_addr *dst, uint8_t scope)
{
	struct rtnl_route *route;

	route = rtnl_route_alloc();
	if (route)
	{
		rtnl_route_set_family(route, family);
		rtnl_route_set_table(route, table);
		rtnl_route_set_dst(route, dst);
		rtnl_route_set_type(route, RTN_UNICAST);
		rtnl_route_set_protocol(route, RTPROT_STATIC);
		rtnl_route_set_scope(route, scope);
	}
	return route;
}

/*
 * Described in header
 */
void mif_nl_route_add_nexthop(struct rtnl_route *route, int ifindex,
							  struct nl_addr *gw, u_int weight)
{
	struct rtnl_nexthop *nh;

	nh = rtnl_route_nh_alloc();
	if (nh)
	{
		rtnl_route_nh_set_ifindex(nh, ifindex);
		if (gw)
		{
			rtnl_route_nh_set_gateway(nh, gw);
		}
		/* rtnh_hops carries weight - 1 */
		rtnl_route_nh_set_weight(nh, weight ? weight - 1 : 0);
		rtnl_route_add_nexthop(route, nh);
	}
}

/**
 * Log a failed route operation.
 */
static void log_route(char *op, struct rtnl_route *route, int err)
{
	char buf[64];

	DBG1(DBG_KNL, "mif: %s route %s table %u failed: %s", op,
		 nl_addr2str(rtnl_route_get_dst(route), buf, sizeof(buf)),
		 rtnl_route_get_table(route), nl_geterror(err));
}

/*
 * Described in header
 */
int mif_nl_route_replace(struct nl_sock *sock, struct rtnl_route *route,
						 bool quiet)
{
	int err;

	err = rtnl_route_add(sock, route, NLM_F_CREATE | NLM_F_REPLACE);
	if (err < 0 && !quiet)
	{
		log_route("installing", route, err);
	}
	return err < 0 ? err : 0;
}

/*
 * Described in header
 */
bool mif_nl_route_del(struct nl_sock *sock, struct rtnl_route *route,
					  bool quiet)
{
	int err;

	err = rtnl_route_delete(sock, route, 0);
	if (err < 0 && !quiet)
	{
		log_route("deleting", route, err);
	}
	return err >= 0;
}

/*
 * Described in header
 */
int mif_nl_request(struct nl_sock *sock, int type, void *data, size_t len)
{
	struct nl_msg *msg;
	int err;

	msg = nlmsg_alloc_simple(type, 0);
	if (!msg)
	{
		return -NLE_NOMEM;
	}
	err = nlmsg_append(msg, data, len, NLMSG_ALIGNTO);
	if (err >= 0)
	{
		err = nl_send_auto(sock, msg);
	}
	nlmsg_free(msg);
	if (err >= 0)
	{
		err = nl_wait_for_ack(sock);
	}
	return err < 0 ? err : 0;
}

/** outer TTL / hop limit of encapsulated packets */
#define ENCAP_TTL 64

/**
 * Append the RTA_ENCAP_TYPE and RTA_ENCAP attributes of a next hop.
 */
static int put_encap(struct nl_msg *msg, mif_nl_nexthop_t *hop)
{
	struct nlattr *encap;
	chunk_t s, d;
	bool v6;

	if (!hop->encap_src || !hop->encap_dst)
	{
		return 0;
	}
	v6 = hop->encap_dst->get_family(hop->encap_dst) == AF_INET6;
	s = hop->encap_src->get_address(hop->encap_src);
	d = hop->encap_dst->get_address(hop->encap_dst);
	if (nla_put_u16(msg, RTA_ENCAP_TYPE,
					v6 ? LWTUNNEL_ENCAP_IP6 : LWTUNNEL_ENCAP_IP) < 0)
	{
		return -NLE_NOMEM;
	}
	encap = nla_nest_start(msg, RTA_ENCAP);
	if (!encap ||
		nla_put(msg, v6 ? LWTUNNEL_IP6_DST : LWTUNNEL_IP_DST, d.len, d.ptr) < 0 ||
		nla_put(msg, v6 ? LWTUNNEL_IP6_SRC : LWTUNNEL_IP_SRC, s.len, s.ptr) < 0 ||
		nla_put_u8(msg, v6 ? LWTUNNEL_IP6_HOPLIMIT : LWTUNNEL_IP_TTL,
				   ENCAP_TTL) < 0)
	{
		return -NLE_NOMEM;
	}
	nla_nest_end(msg, encap);
	return 0;
}

/**
 * Build the RTM_NEWROUTE of mif_nl_route_encap().
 */
static int build_encap_route(struct nl_msg *msg, uint32_t table, host_t *dst,
							 uint8_t prefix, host_t *src,
							 mif_nl_nexthop_t *hops, u_int count)
{
	struct rtmsg rtm = {
		.rtm_family = dst->get_family(dst),
		.rtm_dst_len = prefix,
		.rtm_table = table < 256 ? table : RT_TABLE_UNSPEC,
		.rtm_protocol = RTPROT_STATIC,
		.rtm_scope = RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
	};
	struct rtnexthop *rtnh;
	struct nlattr *mp;
	chunk_t addr;
	u_int i;

	addr = dst->get_address(dst);
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
		nla_put_u32(msg, RTA_TABLE, table) < 0 ||
		nla_put(msg, RTA_DST, addr.len, addr.ptr) < 0)
	{
		return -NLE_NOMEM;
	}
	if (src && src->get_family(src) == rtm.rtm_family)
	{
		addr = src->get_address(src);
		if (nla_put(msg, RTA_PREFSRC, addr.len, addr.ptr) < 0)
		{
			return -NLE_NOMEM;
		}
	}
	if (count == 1)
	{
		if (nla_put_u32(msg, RTA_OIF, hops[0].ifindex) < 0)
		{
			return -NLE_NOMEM;
		}
		return put_encap(msg, &hops[0]);
	}
	mp = nla_nest_start(msg, RTA_MULTIPATH);
	if (!mp)
	{
		return -NLE_NOMEM;
	}
	for (i = 0; i < count; i++)
	{
		/* the message buffer does not grow: rtnh stays valid */
		rtnh = nlmsg_reserve(msg, sizeof(*rtnh), NLMSG_ALIGNTO);
		if (!rtnh)
		{
			return -NLE_NOMEM;
		}
		*rtnh = (struct rtnexthop){
			.rtnh_ifindex = hops[i].ifindex,
			/* rtnh_hops carries weight - 1 */
			.rtnh_hops = hops[i].weight ? hops[i].weight - 1 : 0,
		};
		if (put_encap(msg, &hops[i]) < 0)
		{
			return -NLE_NOMEM;
		}
		rtnh->rtnh_len = (char*)nlmsg_tail(nlmsg_hdr(msg)) - (char*)rtnh;
	}
	nla_nest_end(msg, mp);
	return 0;
}

/*
 * Described in header
 */
int mif_nl_route_encap(struct nl_sock *sock, uint32_t table, host_t *dst,
					   uint8_t prefix, host_t *src, mif_nl_nexthop_t *hops,
					   u_int count, bool quiet)
{
	struct nl_msg *msg;
	int err;

	if (!count)
	{
		return -NLE_INVAL;
	}
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	if (!msg)
	{
		return -NLE_NOMEM;
	}
	err = build_encap_route(msg, table, dst, prefix, src, hops, count);
	if (err >= 0)
	{
		err = nl_send_auto(sock, msg);
	}
	nlmsg_free(msg);
	if (err >= 0)
	{
		err = nl_wait_for_ack(sock);
	}
	if (err < 0 && !quiet)
	{
		DBG1(DBG_KNL, "mif: installing route %H/%u table %u over %u next "
			 "hop(s) failed: %s", dst, prefix, table, count, nl_geterror(err));
	}
	return err < 0 ? err : 0;
}

/**
 * Dump callback of mif_nl_route_cache(): add what parses, skip the rest.
 */
static int add_route_cb(struct nl_msg *msg, void *arg)
{
	nl_cache_parse_and_add(arg, msg);
	return NL_OK;
}

/*
 * Described in header
 */
int mif_nl_route_cache(struct nl_sock *sock, int family,
					   struct nl_cache **cache)
{
	int err;

	err = nl_cache_alloc_name("route/route", cache);
	if (err < 0)
	{
		return err;
	}
	err = nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, add_route_cb,
							  *cache);
	if (err >= 0)
	{
		err = nl_rtgen_request(sock, RTM_GETROUTE, family, NLM_F_DUMP);
	}
	if (err >= 0)
	{
		err = nl_recvmsgs_default(sock);
	}
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	if (err < 0)
	{
		nl_cache_free(*cache);
		*cache = NULL;
		return err;
	}
	return 0;
}
