/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup mif_netlink mif_netlink
 * @{ @ingroup mif
 */

#ifndef MIF_NETLINK_H_
#define MIF_NETLINK_H_

#include <library.h>
#include <networking/host.h>

#include <netlink/netlink.h>
#include <netlink/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

/**
 * libnl helpers shared by the data plane (mif_dataplane.c and its mif_dp_*
 * files) and mif_srcroute.c: address conversion, rule and route add/delete
 * with logging, and a raw request waiting for the kernel's ack.
 *
 * None of them locks: a socket is used by one caller at a time, under the
 * caller's mutex.
 */

/**
 * Open a netlink socket.
 *
 * @param protocol		NETLINK_ROUTE, NETLINK_XFRM, ...
 * @return				connected socket, NULL on failure (logged)
 */
struct nl_sock *mif_nl_socket(int protocol);

/**
 * Convert the address of a host_t to a libnl address.
 *
 * @param host			address
 * @param prefix		prefix length, -1 for the full address
 * @return				libnl address (nl_addr_put() it), NULL on failure
 */
struct nl_addr *mif_nl_addr(host_t *host, int prefix);

/**
 * Allocate a rule template.
 *
 * @param family		AF_INET or AF_INET6
 * @param prio			rule priority (pref)
 * @param action		FR_ACT_*
 * @return				rule (rtnl_rule_put() it), NULL on failure
 */
struct rtnl_rule *mif_nl_rule_create(int family, uint32_t prio,
									 uint8_t action);

/**
 * Add a rule, unique (NLM_F_EXCL: without it the kernel adds a duplicate),
 * logging failures.
 *
 * @param sock			rtnetlink socket
 * @param rule			rule to add
 * @param exist_ok		whether an identical rule already there counts as
 *						added
 * @return				TRUE if added
 */
bool mif_nl_rule_add(struct nl_sock *sock, struct rtnl_rule *rule,
					 bool exist_ok);

/**
 * Delete a rule, logging failures.
 *
 * @param sock			rtnetlink socket
 * @param rule			rule to delete
 * @return				TRUE if deleted
 */
bool mif_nl_rule_del(struct nl_sock *sock, struct rtnl_rule *rule);

/**
 * Allocate a static unicast route.
 *
 * @param family		AF_INET or AF_INET6
 * @param table			routing table
 * @param dst			destination with its prefix length
 * @param scope			RT_SCOPE_*
 * @return				route (rtnl_route_put() it), NULL on failure
 */
struct rtnl_route *mif_nl_route_create(int family, uint32_t table,
									   struct nl_addr *dst, uint8_t scope);

/**
 * Add a next hop to a route.
 *
 * @param route			route
 * @param ifindex		outgoing interface
 * @param gw			gateway, NULL for none
 * @param weight		weight among the next hops, 1..256 (0 counts as 1)
 */
void mif_nl_route_add_nexthop(struct rtnl_route *route, int ifindex,
							  struct nl_addr *gw, u_int weight);

/**
 * Install a route, replacing one of the same destination and table.
 *
 * @param sock			rtnetlink socket
 * @param route			route to install
 * @param quiet			whether to leave a failure to the caller to log
 * @return				0 on success, a negative libnl error otherwise
 */
int mif_nl_route_replace(struct nl_sock *sock, struct rtnl_route *route,
						 bool quiet);

/**
 * Delete a route.
 *
 * @param sock			rtnetlink socket
 * @param route			route to delete
 * @param quiet			whether to leave a failure unlogged (routes the
 *						kernel may have removed already)
 * @return				TRUE if deleted
 */
bool mif_nl_route_del(struct nl_sock *sock, struct rtnl_route *route,
					  bool quiet);

/**
 * Dump the routes of a family (all tables) into a libnl route cache,
 * skipping the routes libnl cannot parse. libnl 3.7 parses no IP tunnel
 * encapsulation (the next hops mif_nl_route_encap() installs) and
 * rtnl_route_alloc_cache() fails on the first such route, leaving the rest
 * of the dump unread in the socket; this reads all of it.
 *
 * @param sock			rtnetlink socket
 * @param family		AF_INET, AF_INET6 or AF_UNSPEC
 * @param cache			receives the cache (nl_cache_free() it)
 * @return				0 on success, a negative libnl error otherwise
 */
int mif_nl_route_cache(struct nl_sock *sock, int family,
					   struct nl_cache **cache);

typedef struct mif_nl_nexthop_t mif_nl_nexthop_t;

/**
 * A next hop of mif_nl_route_encap(): a device, and for a tunnel device in
 * metadata mode (collect_md, `external`) the outer addresses of the
 * lightweight tunnel encapsulation each packet gets.
 */
struct mif_nl_nexthop_t {
	/** outgoing interface */
	int ifindex;
	/** outer source address, NULL for a plain next hop */
	host_t *encap_src;
	/** outer destination address, NULL for a plain next hop */
	host_t *encap_dst;
	/** weight among the next hops, 1..256 (0 counts as 1) */
	u_int weight;
};

/**
 * Install a static unicast route (scope link, protocol static) whose next
 * hops may carry an IP tunnel encapsulation (LWTUNNEL_ENCAP_IP or _IP6 by
 * the family of the outer addresses, outer TTL/hop limit 64), replacing
 * one of the same destination and table. libnl builds no such next hops,
 * so this writes the RTM_NEWROUTE itself; delete the route with
 * mif_nl_route_del() (destination and table suffice).
 *
 * @param sock			rtnetlink socket
 * @param table			routing table
 * @param dst			destination network
 * @param prefix		its prefix length
 * @param src			preferred source address of the family, or NULL
 * @param hops			next hops (one: a plain route, more: multipath)
 * @param count			number of next hops, at least 1
 * @param quiet			whether to leave a failure to the caller to log
 * @return				0 on success, a negative libnl error otherwise
 */
int mif_nl_route_encap(struct nl_sock *sock, uint32_t table, host_t *dst,
					   uint8_t prefix, host_t *src, mif_nl_nexthop_t *hops,
					   u_int count, bool quiet);

/**
 * Send a raw request and wait for the kernel's ack.
 *
 * @param sock			netlink socket
 * @param type			message type (e.g. XFRM_MSG_DELPOLICY)
 * @param data			fixed header of the message
 * @param len			length of data
 * @return				0 on success, a negative libnl error otherwise
 */
int mif_nl_request(struct nl_sock *sock, int type, void *data, size_t len);

#endif /** MIF_NETLINK_H_ @}*/
