/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dp_rules.h"
#include "mif_netlink.h"

#include <linux/fib_rules.h>
#include <netinet/in.h>

#include <daemon.h>
#include <collections/array.h>

typedef struct private_mif_dp_rules_t private_mif_dp_rules_t;

/**
 * Private data.
 */
struct private_mif_dp_rules_t {

	/**
	 * Public interface.
	 */
	mif_dp_rules_t public;

	/**
	 * rtnetlink socket, of the data plane
	 */
	struct nl_sock *sock;

	/**
	 * Installed rules, struct rtnl_rule*
	 */
	array_t *rules;

	/**
	 * Number of paths counted
	 */
	u_int paths;

	/**
	 * Table, priorities and ports
	 */
	mif_dp_settings_t settings;
};

/**
 * Install a rule and track it.
 */
static bool add_rule(private_mif_dp_rules_t *this, struct rtnl_rule *rule)
{
	if (!rule)
	{
		return FALSE;
	}
	if (!mif_nl_rule_add(this->sock, rule, TRUE))
	{
		rtnl_rule_put(rule);
		return FALSE;
	}
	array_insert(this->rules, ARRAY_TAIL, rule);
	return TRUE;
}

/**
 * Remove all rules.
 */
static void del_rules(private_mif_dp_rules_t *this)
{
	struct rtnl_rule *rule;

	while (array_remove(this->rules, ARRAY_TAIL, &rule))
	{
		mif_nl_rule_del(this->sock, rule);
		rtnl_rule_put(rule);
	}
}

/**
 * Install the rules of one family. They skip by jumping to a no-op rule
 * right after the table's lookup.
 */
static bool add_rules_family(private_mif_dp_rules_t *this, int family)
{
	mif_dp_settings_t *s = &this->settings;
	struct rtnl_rule *rule;
	int i;

	rule = mif_nl_rule_create(family, s->prio + 1, FR_ACT_NOP);
	if (!add_rule(this, rule))
	{
		return FALSE;
	}
	rule = mif_nl_rule_create(family, s->skip_prio, FR_ACT_GOTO);
	if (rule)
	{
		rtnl_rule_set_goto(rule, s->prio + 1);
		if (rtnl_rule_set_ipproto(rule, IPPROTO_GRE) < 0)
		{
			DBG1(DBG_KNL, "mif: libnl lacks the rule's ipproto match");
			rtnl_rule_put(rule);
			return FALSE;
		}
	}
	if (!add_rule(this, rule))
	{
		return FALSE;
	}
	for (i = 0; i < countof(s->ike_ports); i++)
	{
		if (!s->ike_ports[i])
		{
			continue;
		}
		rule = mif_nl_rule_create(family, s->skip_prio, FR_ACT_GOTO);
		if (rule)
		{
			rtnl_rule_set_goto(rule, s->prio + 1);
			rtnl_rule_set_ipproto(rule, IPPROTO_UDP);
			rtnl_rule_set_sport(rule, s->ike_ports[i]);
		}
		if (!add_rule(this, rule))
		{
			return FALSE;
		}
	}
	rule = mif_nl_rule_create(family, s->prio, FR_ACT_TO_TBL);
	if (rule)
	{
		rtnl_rule_set_table(rule, s->table);
	}
	return add_rule(this, rule);
}

METHOD(mif_dp_rules_t, acquire, bool,
	private_mif_dp_rules_t *this)
{
	if (this->paths++)
	{
		return TRUE;
	}
	if (!add_rules_family(this, AF_INET))
	{
		del_rules(this);
		this->paths--;
		return FALSE;
	}
	if (!add_rules_family(this, AF_INET6))
	{
		/* keep IPv4 working on hosts without IPv6 rules */
		DBG1(DBG_KNL, "mif: IPv6 rules unavailable, inner IPv6 traffic is "
			 "not routed over paths");
	}
	return TRUE;
}

METHOD(mif_dp_rules_t, release, void,
	private_mif_dp_rules_t *this)
{
	if (this->paths && --this->paths == 0)
	{
		del_rules(this);
	}
}

METHOD(mif_dp_rules_t, destroy, void,
	private_mif_dp_rules_t *this)
{
	del_rules(this);
	array_destroy(this->rules);
	free(this);
}

/*
 * Described in header
 */
mif_dp_rules_t *mif_dp_rules_create(struct nl_sock *sock,
									mif_dp_settings_t *settings)
{
	private_mif_dp_rules_t *this;

	INIT(this,
		.public = {
			.acquire = _acquire,
			.release = _release,
			.destroy = _destroy,
		},
		.sock = sock,
		.rules = array_create(0, 0),
		.settings = *settings,
	);
	return &this->public;
}
