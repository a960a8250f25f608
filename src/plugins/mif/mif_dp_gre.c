/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dp_gre.h"
#include "mif_netlink.h"

#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ipgre.h>
#include <netlink/route/link/ip6gre.h>
#include <linux/if.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <daemon.h>
#include <collections/array.h>

/** ip6gre: no encapsulation limit option, it only costs 8 bytes per packet */
#define MIF_IP6_TNL_F_IGN_ENCAP_LIMIT 0x1

/**
 * XFRM priority of a path's GRE policies: charon's own for a host-to-host
 * selector with a protocol (kernel-netlink: 2 x 200000, minus 512 per
 * prefix bit, minus 256 for the protocol, minus 1 for a non-trap policy),
 * minus one. They still rank above the IKE SA's own CHILD SA policies, and
 * the value is the signature by which a new instance tells the GRE
 * policies a killed one left from others (mif_dp_gre_remove_leftovers()).
 */
static uint32_t gre_prio(int family)
{
	uint32_t bits = family == AF_INET ? 32 : 128;

	return 2 * 200000 - 2 * bits * 512 - 256 - 1 - 1;
}

typedef struct private_mif_dp_gre_t private_mif_dp_gre_t;

/**
 * Private data.
 */
struct private_mif_dp_gre_t {

	/**
	 * Public interface.
	 */
	mif_dp_gre_t public;

	/**
	 * Path addresses
	 */
	host_t *local, *remote;

	/**
	 * SA config of the outbound/inbound policy, as installed
	 */
	ipsec_sa_cfg_t sa_out, sa_in;

	/**
	 * Whether the policies are installed
	 */
	bool policies;

	/**
	 * rtnetlink socket, of the data plane
	 */
	struct nl_sock *sock;

	/**
	 * Device the path uses: the shared one (IPv4) or its own (IPv6)
	 */
	char ifname[IFNAMSIZ];

	/**
	 * Its index, 0 if not known
	 */
	int ifindex;

	/**
	 * Whether the device is the path's own (ip6gre)
	 */
	bool own;
};

/**
 * XFRM priority of the inbound block policy for GRE to a path's local
 * address from anywhere: charon's own for that selector (a host, any, a
 * protocol), minus one. It ranks below the paths' own inbound policies and
 * is a signature as gre_prio() is.
 */
static uint32_t block_prio(int family)
{
	uint32_t bits = family == AF_INET ? 32 : 128;

	return 2 * 200000 - bits * 512 - 256 - 1 - 1;
}

/**
 * Number of policies of a path.
 */
#define POLICIES 3

/**
 * Install or delete the policies of a path through charon's kernel
 * interface, so its policy bookkeeping sees them (and counts the block
 * policy that paths with the same local address share):
 *  - out: GRE to the remote address through the path's SA;
 *  - in: GRE from the remote address only through the path's SA;
 *  - in, block: GRE to the local address from anywhere else. The shared
 *    GRE device takes GRE from any address, which the per-path devices did
 *    not: this policy keeps plaintext GRE from other hosts out of it.
 */
static bool policies_op(private_mif_dp_gre_t *this, bool add)
{
	int family = this->local->get_family(this->local);
	uint8_t bits = family == AF_INET ? 32 : 128;
	traffic_selector_t *l_ts, *r_ts, *any_ts;
	kernel_ipsec_policy_id_t id[POLICIES];
	kernel_ipsec_manage_policy_t pol[POLICIES];
	ipsec_sa_cfg_t none = {};
	host_t *any;
	status_t status = SUCCESS;
	int i, done = 0;

	any = host_create_any(family);
	l_ts = traffic_selector_create_from_subnet(
							this->local->clone(this->local), bits, IPPROTO_GRE,
							0, 65535);
	r_ts = traffic_selector_create_from_subnet(
							this->remote->clone(this->remote), bits,
							IPPROTO_GRE, 0, 65535);
	any_ts = traffic_selector_create_from_subnet(any->clone(any), 0,
							IPPROTO_GRE, 0, 65535);
	if (!l_ts || !r_ts || !any_ts)
	{
		DESTROY_IF(l_ts);
		DESTROY_IF(r_ts);
		DESTROY_IF(any_ts);
		any->destroy(any);
		return FALSE;
	}
	id[0] = (kernel_ipsec_policy_id_t){
		.dir = POLICY_OUT,
		.src_ts = l_ts,
		.dst_ts = r_ts,
	};
	pol[0] = (kernel_ipsec_manage_policy_t){
		.type = POLICY_IPSEC,
		.prio = POLICY_PRIORITY_DEFAULT,
		.manual_prio = gre_prio(family),
		.src = this->local,
		.dst = this->remote,
		.sa = &this->sa_out,
	};
	id[1] = (kernel_ipsec_policy_id_t){
		.dir = POLICY_IN,
		.src_ts = r_ts,
		.dst_ts = l_ts,
	};
	pol[1] = (kernel_ipsec_manage_policy_t){
		.type = POLICY_IPSEC,
		.prio = POLICY_PRIORITY_DEFAULT,
		.manual_prio = gre_prio(family),
		.src = this->remote,
		.dst = this->local,
		.sa = &this->sa_in,
	};
	id[2] = (kernel_ipsec_policy_id_t){
		.dir = POLICY_IN,
		.src_ts = any_ts,
		.dst_ts = l_ts,
	};
	pol[2] = (kernel_ipsec_manage_policy_t){
		.type = POLICY_DROP,
		.prio = POLICY_PRIORITY_DEFAULT,
		.manual_prio = block_prio(family),
		.src = any,
		.dst = this->local,
		.sa = &none,
	};
	if (add)
	{
		for (done = 0; done < POLICIES; done++)
		{
			status = charon->kernel->add_policy(charon->kernel, &id[done],
												&pol[done]);
			if (status != SUCCESS)
			{
				break;
			}
		}
		if (status != SUCCESS)
		{
			DBG1(DBG_KNL, "mif: installing GRE policies %H === %H (reqid %u) "
				 "failed", this->local, this->remote, this->sa_out.reqid);
			for (i = 0; i < done; i++)
			{
				charon->kernel->del_policy(charon->kernel, &id[i], &pol[i]);
			}
		}
	}
	else
	{
		for (i = 0; i < POLICIES; i++)
		{
			if (charon->kernel->del_policy(charon->kernel, &id[i],
										   &pol[i]) != SUCCESS)
			{
				status = FAILED;
			}
		}
		if (status != SUCCESS)
		{
			DBG1(DBG_KNL, "mif: deleting GRE policies %H === %H failed",
				 this->local, this->remote);
		}
	}
	l_ts->destroy(l_ts);
	r_ts->destroy(r_ts);
	any_ts->destroy(any_ts);
	any->destroy(any);
	return status == SUCCESS;
}

/**
 * Create the ip6gre device of a path with IPv6 addresses, not yet up.
 */
static bool create_link(struct nl_sock *sock, char *name, host_t *local,
						host_t *remote, uint32_t ifindex)
{
	struct rtnl_link *link;
	int err;

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
	if (!link)
	{
		DBG1(DBG_KNL, "mif: libnl lacks ip6gre link support");
		return FALSE;
	}
	rtnl_link_set_name(link, name);
	err = rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: creating ip6gre device %s failed: %s (kernel "
			 "without ip6_gre support?)", name, nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

METHOD(mif_dp_gre_t, get_nexthop, void,
	private_mif_dp_gre_t *this, mif_nl_nexthop_t *hop, u_int weight)
{
	*hop = (mif_nl_nexthop_t){
		.ifindex = this->ifindex,
		.weight = weight,
	};
	if (!this->own)
	{	/* the shared device: the path's addresses as encapsulation */
		hop->encap_src = this->local;
		hop->encap_dst = this->remote;
	}
}

METHOD(mif_dp_gre_t, get_name, char*,
	private_mif_dp_gre_t *this)
{
	return this->ifname;
}

METHOD(mif_dp_gre_t, destroy, void,
	private_mif_dp_gre_t *this)
{
	if (this->own && this->ifindex)
	{
		mif_dp_gredev_delete(this->sock, this->ifname, FALSE);
	}
	if (this->policies)
	{
		policies_op(this, FALSE);
	}
	this->local->destroy(this->local);
	this->remote->destroy(this->remote);
	free(this);
}

/**
 * Create and set up the path's own ip6gre device.
 */
static bool own_device(private_mif_dp_gre_t *this, mif_dp_path_t *path,
					   u_int mtu)
{
	/* names must fit IFNAMSIZ; IKE SA ids are small counters in practice */
	if (snprintf(this->ifname, sizeof(this->ifname), "mif%up%u",
				 path->ike_id, path->bid) >= sizeof(this->ifname))
	{
		snprintf(this->ifname, sizeof(this->ifname), "m%xp%x",
				 path->ike_id, path->bid);
	}
	this->own = TRUE;
	if (!create_link(this->sock, this->ifname, this->local, this->remote,
					 path->link))
	{
		return FALSE;
	}
	this->ifindex = mif_dp_gredev_setup(this->sock, this->ifname, &mtu);
	if (!this->ifindex)
	{	/* destroy() deletes only a device whose index is known */
		mif_dp_gredev_delete(this->sock, this->ifname, FALSE);
		return FALSE;
	}
	return TRUE;
}

/*
 * Described in header
 */
mif_dp_gre_t *mif_dp_gre_create(struct nl_sock *sock, mif_dp_gredev_t *dev,
								mif_dp_path_t *path, u_int mtu)
{
	private_mif_dp_gre_t *this;

	INIT(this,
		.public = {
			.get_nexthop = _get_nexthop,
			.get_name = _get_name,
			.destroy = _destroy,
		},
		.sock = sock,
		.local = path->local->clone(path->local),
		.remote = path->remote->clone(path->remote),
		/* no SPI in the outbound template: the kernel then takes the
		 * newest SA of the reqid, so a rekeyed path CHILD SA (same reqid)
		 * carries the path without touching its policies
		 * (doc/protocol.md 11) */
		.sa_out = {
			.mode = MODE_TRANSPORT,
			.reqid = path->reqid,
			.esp = {
				.use = TRUE,
			},
		},
		.sa_in = {
			.mode = MODE_TRANSPORT,
			.reqid = path->reqid,
			.esp = {
				.use = TRUE,
				.spi = path->spi_in,
			},
		},
	);
	this->policies = policies_op(this, TRUE);
	if (!this->policies)
	{
		destroy(this);
		return NULL;
	}
	if (this->local->get_family(this->local) == AF_INET)
	{
		strncpy(this->ifname, MIF_GREDEV_NAME, sizeof(this->ifname) - 1);
		this->ifindex = dev->get_ifindex(dev);
	}
	else if (!own_device(this, path, mtu))
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}

/**
 * Whether a device name is one mif_dp_gre_create() gives: "mif<IKE>p<BID>",
 * or "m<IKE>p<BID>" in hex if that is too long.
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
static bool del_leftover_policy(struct nl_sock *xfrm, int family, void *src,
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
	int err;

	if (src)
	{
		memcpy(&id.sel.saddr, src, len);
	}
	else
	{	/* the block policy: from any address */
		id.sel.prefixlen_s = 0;
	}
	memcpy(&id.sel.daddr, dst, len);
	err = mif_nl_request(xfrm, XFRM_MSG_DELPOLICY, &id, sizeof(id));
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
static u_int del_leftover_link(struct nl_sock *sock, struct nl_sock *xfrm,
							   struct rtnl_link *link, u_int *policies)
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
	err = rtnl_link_delete(sock, link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: deleting device %s of a previous instance "
			 "failed: %s", rtnl_link_get_name(link), nl_geterror(err));
		return 0;
	}
	if (xfrm && local)
	{
		*policies += del_leftover_policy(xfrm, family, local, remote,
										 XFRM_POLICY_OUT);
		*policies += del_leftover_policy(xfrm, family, remote, local,
										 XFRM_POLICY_IN);
	}
	return 1;
}

/**
 * A GRE policy of a previous instance, found by the dump.
 */
typedef struct {
	/** selector with family, addresses and protocol */
	struct xfrm_selector sel;
	/** direction */
	uint8_t dir;
} leftover_policy_t;

/**
 * Dump callback: collect the policies installed as policies_op() installs
 * them, told apart from others by their priority.
 */
static int collect_policy(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct xfrm_userpolicy_info *info;
	leftover_policy_t pol;
	array_t *found = arg;
	uint8_t bits;

	if (hdr->nlmsg_type != XFRM_MSG_NEWPOLICY ||
		nlmsg_datalen(hdr) < sizeof(*info))
	{
		return NL_OK;
	}
	info = nlmsg_data(hdr);
	bits = info->sel.family == AF_INET ? 32 : 128;
	if (info->sel.proto != IPPROTO_GRE ||
		(info->sel.family != AF_INET && info->sel.family != AF_INET6) ||
		info->sel.prefixlen_d != bits ||
		(info->dir != XFRM_POLICY_IN && info->dir != XFRM_POLICY_OUT))
	{
		return NL_OK;
	}
	if (!(info->sel.prefixlen_s == bits &&
		  info->priority == gre_prio(info->sel.family)) &&
		!(info->sel.prefixlen_s == 0 && info->dir == XFRM_POLICY_IN &&
		  info->action == XFRM_POLICY_BLOCK &&
		  info->priority == block_prio(info->sel.family)))
	{
		return NL_OK;
	}
	pol = (leftover_policy_t){
		.sel = info->sel,
		.dir = info->dir,
	};
	array_insert(found, ARRAY_TAIL, &pol);
	return NL_OK;
}

/**
 * Delete the GRE policies of a previous instance's paths: those of the
 * shared devices' paths, recognized by the priority policies_op() gives.
 */
static void del_leftover_policies(struct nl_sock *xfrm, u_int *policies)
{
	struct xfrm_userpolicy_id id = {};
	leftover_policy_t pol;
	array_t *found;
	int err;

	found = array_create(sizeof(leftover_policy_t), 0);
	err = nl_socket_modify_cb(xfrm, NL_CB_VALID, NL_CB_CUSTOM, collect_policy,
							  found);
	if (err >= 0)
	{
		err = nl_send_simple(xfrm, XFRM_MSG_GETPOLICY, NLM_F_DUMP, &id,
							 sizeof(id));
	}
	if (err >= 0)
	{
		err = nl_recvmsgs_default(xfrm);
	}
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: dumping XFRM policies failed: %s",
			 nl_geterror(err));
	}
	nl_socket_modify_cb(xfrm, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	while (array_remove(found, ARRAY_HEAD, &pol))
	{
		*policies += del_leftover_policy(xfrm, pol.sel.family,
										 pol.sel.prefixlen_s ? &pol.sel.saddr
															 : NULL,
										 &pol.sel.daddr, pol.dir);
	}
	array_destroy(found);
}

/*
 * Described in header
 */
void mif_dp_gre_remove_leftovers(struct nl_sock *sock, u_int *links,
								 u_int *policies)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct nl_sock *xfrm;
	char *type, *name;

	xfrm = mif_nl_socket(NETLINK_XFRM);
	if (!xfrm)
	{
		DBG1(DBG_KNL, "mif: no XFRM netlink socket, not looking for GRE "
			 "policies of a previous instance");
	}
	/* per-path devices (mif<IKE>p<BID>) of versions before the shared
	 * devices, with their policies */
	if (rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache) >= 0)
	{
		for (obj = nl_cache_get_first(cache); obj;
			 obj = nl_cache_get_next(obj))
		{
			type = rtnl_link_get_type((struct rtnl_link*)obj);
			name = rtnl_link_get_name((struct rtnl_link*)obj);
			if (type && name && is_path_ifname(name) &&
				(streq(type, "gre") || streq(type, "ip6gre")))
			{
				*links += del_leftover_link(sock, xfrm, (struct rtnl_link*)obj,
											policies);
			}
		}
		nl_cache_free(cache);
	}
	if (xfrm)
	{
		del_leftover_policies(xfrm, policies);
		nl_socket_free(xfrm);
	}
}
