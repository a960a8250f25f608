/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dp_leftovers.h"
#include "mif_dp_gre.h"
#include "mif_netlink.h"

#include <linux/fib_rules.h>

#include <daemon.h>
#include <collections/array.h>

/**
 * Whether a rule is one of the data plane's: a base rule (mif_dp_rules.c)
 * or a flow rule (mif_dp_flow.c).
 */
static bool is_our_rule(mif_dp_settings_t *s, struct rtnl_rule *rule)
{
	uint32_t prio = rtnl_rule_get_prio(rule);
	uint32_t table = rtnl_rule_get_table(rule);

	switch (rtnl_rule_get_action(rule))
	{
		case FR_ACT_TO_TBL:
			return (prio == s->prio && table == s->table) ||
				   (prio == s->flow_prio && table >= s->path_table_base);
		case FR_ACT_GOTO:
			return prio == s->skip_prio &&
				   rtnl_rule_get_goto(rule) == s->prio + 1;
		case FR_ACT_NOP:
			return prio == s->prio + 1;
		default:
			return FALSE;
	}
}

/**
 * Whether a rule is a source rule of mif_srcroute.
 */
static bool is_source_rule(mif_dp_settings_t *s, struct rtnl_rule *rule)
{
	return rtnl_rule_get_prio(rule) == s->src_prio &&
		   rtnl_rule_get_action(rule) == FR_ACT_TO_TBL &&
		   rtnl_rule_get_src(rule) &&
		   rtnl_rule_get_table(rule) >= s->src_table_base;
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

/*
 * Described in header
 */
void mif_dp_remove_leftovers(struct nl_sock *sock, mif_dp_settings_t *s)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct rtnl_rule *rule;
	struct rtnl_route *route;
	array_t *tables;
	uint32_t table;
	u_int links = 0, policies = 0, routes = 0, rules = 0;

	mif_dp_gre_remove_leftovers(sock, &links, &policies);

	/* our table, and the tables the source rules select */
	tables = array_create(sizeof(uint32_t), 0);
	array_insert(tables, ARRAY_TAIL, &s->table);
	if (rtnl_rule_alloc_cache(sock, AF_UNSPEC, &cache) >= 0)
	{
		for (obj = nl_cache_get_first(cache); obj;
			 obj = nl_cache_get_next(obj))
		{
			rule = (struct rtnl_rule*)obj;
			if (is_source_rule(s, rule))
			{
				table = rtnl_rule_get_table(rule);
				array_insert(tables, ARRAY_TAIL, &table);
			}
			else if (!is_our_rule(s, rule))
			{
				continue;
			}
			if (mif_nl_rule_del(sock, rule))
			{
				rules++;
			}
		}
		nl_cache_free(cache);
	}
	/* after the devices: what was routed over them went with them */
	if (mif_nl_route_cache(sock, AF_UNSPEC, &cache) >= 0)
	{
		for (obj = nl_cache_get_first(cache); obj;
			 obj = nl_cache_get_next(obj))
		{
			route = (struct rtnl_route*)obj;
			if (has_table(tables, rtnl_route_get_table(route)) &&
				mif_nl_route_del(sock, route, TRUE))
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
			 "and source tables", links, policies, rules, routes, s->table);
	}
}
