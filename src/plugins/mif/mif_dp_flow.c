/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dp_flow.h"
#include "mif_netlink.h"

#include <linux/fib_rules.h>
#include <netinet/in.h>

#include <daemon.h>

typedef struct private_mif_dp_flow_t private_mif_dp_flow_t;

/**
 * Private data.
 */
struct private_mif_dp_flow_t {

	/**
	 * Public interface.
	 */
	mif_dp_flow_t public;

	/**
	 * rtnetlink socket, of the data plane
	 */
	struct nl_sock *sock;

	/**
	 * Flow ID
	 */
	uint16_t fid;

	/**
	 * Path
	 */
	uint16_t bid;

	/**
	 * Rule as installed, for deletion
	 */
	struct rtnl_rule *rule;
};

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
static struct rtnl_rule *flow_rule(uint32_t prio, traffic_selector_t *ts,
								   uint32_t table)
{
	struct rtnl_rule *rule;
	struct nl_addr *addr;
	host_t *net;
	uint8_t prefix, proto;
	uint16_t from, to;

	ts->to_subnet(ts, &net, &prefix);
	rule = mif_nl_rule_create(net->get_family(net), prio, FR_ACT_TO_TBL);
	if (!rule)
	{
		net->destroy(net);
		return NULL;
	}
	rtnl_rule_set_table(rule, table);
	if (prefix)
	{
		addr = mif_nl_addr(net, prefix);
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

METHOD(mif_dp_flow_t, get_fid, uint16_t,
	private_mif_dp_flow_t *this)
{
	return this->fid;
}

METHOD(mif_dp_flow_t, get_bid, uint16_t,
	private_mif_dp_flow_t *this)
{
	return this->bid;
}

METHOD(mif_dp_flow_t, destroy, void,
	private_mif_dp_flow_t *this)
{
	mif_nl_rule_del(this->sock, this->rule);
	rtnl_rule_put(this->rule);
	free(this);
}

/*
 * Described in header
 */
mif_dp_flow_t *mif_dp_flow_create(struct nl_sock *sock, uint32_t prio,
								  uint16_t fid, uint16_t bid,
								  traffic_selector_t *ts, uint32_t table)
{
	private_mif_dp_flow_t *this;
	struct rtnl_rule *rule;

	rule = flow_rule(prio, ts, table);
	if (!rule || !mif_nl_rule_add(sock, rule, FALSE))
	{
		if (rule)
		{
			rtnl_rule_put(rule);
		}
		return NULL;
	}
	INIT(this,
		.public = {
			.get_fid = _get_fid,
			.get_bid = _get_bid,
			.destroy = _destroy,
		},
		.sock = sock,
		.fid = fid,
		.bid = bid,
		.rule = rule,
	);
	return &this->public;
}
