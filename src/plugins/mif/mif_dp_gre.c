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
#include "mif_sysctl.h"

#include <netlink/route/link.h>
#include <netlink/route/link/ipgre.h>
#include <netlink/route/link/ip6gre.h>
#include <linux/if.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <daemon.h>

/** ESP transport overhead reserved below the GRE device's MTU: SPI, SN,
 * IV (16), padding (<16), trailer (2) and a 256-bit ICV, rounded up */
#define ESP_OVERHEAD 80

/** ip6gre: no encapsulation limit option, it only costs 8 bytes per packet */
#define MIF_IP6_TNL_F_IGN_ENCAP_LIMIT 0x1

/** name of the device probing for GRE support at startup */
#define PROBE_IFNAME "mifprobe0"

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
	 * rtnetlink socket, of the data plane
	 */
	struct nl_sock *sock;

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
	 * GRE device
	 */
	char ifname[IFNAMSIZ];

	/**
	 * Its index, 0 if not known
	 */
	int ifindex;
};

/**
 * Install or delete the GRE policies of a path through charon's kernel
 * interface, so its policy bookkeeping sees them.
 */
static bool policies_op(private_mif_dp_gre_t *this, bool add)
{
	traffic_selector_t *l_ts, *r_ts;
	kernel_ipsec_policy_id_t out_id, in_id;
	kernel_ipsec_manage_policy_t out_pol, in_pol;
	uint8_t bits = this->local->get_family(this->local) == AF_INET ? 32 : 128;
	status_t status = SUCCESS;

	l_ts = traffic_selector_create_from_subnet(
							this->local->clone(this->local), bits, IPPROTO_GRE,
							0, 65535);
	r_ts = traffic_selector_create_from_subnet(
							this->remote->clone(this->remote), bits,
							IPPROTO_GRE, 0, 65535);
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
		.src = this->local,
		.dst = this->remote,
		.sa = &this->sa_out,
	};
	in_id = (kernel_ipsec_policy_id_t){
		.dir = POLICY_IN,
		.src_ts = r_ts,
		.dst_ts = l_ts,
	};
	in_pol = (kernel_ipsec_manage_policy_t){
		.type = POLICY_IPSEC,
		.prio = POLICY_PRIORITY_DEFAULT,
		.src = this->remote,
		.dst = this->local,
		.sa = &this->sa_in,
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
				 "failed", this->local, this->remote, this->sa_out.reqid);
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
				 this->local, this->remote);
		}
	}
	l_ts->destroy(l_ts);
	r_ts->destroy(r_ts);
	return status == SUCCESS;
}

/**
 * Create a GRE device, not yet up.
 */
static bool create_link(struct nl_sock *sock, char *name, host_t *local,
						host_t *remote, uint32_t ifindex)
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
	err = rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL);
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
static void delete_link(struct nl_sock *sock, char *name, bool quiet)
{
	struct rtnl_link *link;
	int err;

	link = rtnl_link_alloc();
	if (link)
	{
		rtnl_link_set_name(link, name);
		err = rtnl_link_delete(sock, link);
		if (err < 0 && !(quiet && err == -NLE_NODEV))
		{
			DBG1(DBG_KNL, "mif: deleting device %s failed: %s", name,
				 nl_geterror(err));
		}
		rtnl_link_put(link);
	}
}

/**
 * Keep the kernel away from the inner packets of the device, and bring it
 * up with room for the ESP overhead.
 */
static bool setup_link(private_mif_dp_gre_t *this, u_int mtu)
{
	struct rtnl_link *link, *change;
	int err;

	/* inner packets must bypass the IKE SA's own CHILD SA policies, out
	 * (disable_xfrm) and in (disable_policy) */
	if (!mif_sysctl_set("1", "/proc/sys/net/ipv4/conf/%s/disable_xfrm",
						this->ifname) ||
		!mif_sysctl_set("1", "/proc/sys/net/ipv4/conf/%s/disable_policy",
						this->ifname))
	{
		return FALSE;
	}
	/* IPv6: no link-local noise over the path; disable_policy needs 5.17+,
	 * older kernels only lose inner IPv6 over paths */
	mif_sysctl_set("1", "/proc/sys/net/ipv6/conf/%s/addr_gen_mode",
				   this->ifname);
	mif_sysctl_set("0", "/proc/sys/net/ipv6/conf/%s/autoconf", this->ifname);
	mif_sysctl_set("0", "/proc/sys/net/ipv6/conf/%s/accept_ra", this->ifname);
	mif_sysctl_set("1", "/proc/sys/net/ipv6/conf/%s/disable_policy",
				   this->ifname);

	err = rtnl_link_get_kernel(this->sock, 0, this->ifname, &link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: querying device %s failed: %s", this->ifname,
			 nl_geterror(err));
		return FALSE;
	}
	this->ifindex = rtnl_link_get_ifindex(link);
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
		DBG1(DBG_KNL, "mif: setting device %s up failed: %s", this->ifname,
			 nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

METHOD(mif_dp_gre_t, get_name, char*,
	private_mif_dp_gre_t *this)
{
	return this->ifname;
}

METHOD(mif_dp_gre_t, get_ifindex, int,
	private_mif_dp_gre_t *this)
{
	return this->ifindex;
}

METHOD(mif_dp_gre_t, destroy, void,
	private_mif_dp_gre_t *this)
{
	if (this->ifindex)
	{
		delete_link(this->sock, this->ifname, FALSE);
	}
	if (this->policies)
	{
		policies_op(this, FALSE);
	}
	this->local->destroy(this->local);
	this->remote->destroy(this->remote);
	free(this);
}

/*
 * Described in header
 */
mif_dp_gre_t *mif_dp_gre_create(struct nl_sock *sock, mif_dp_path_t *path,
								u_int mtu)
{
	private_mif_dp_gre_t *this;

	INIT(this,
		.public = {
			.get_name = _get_name,
			.get_ifindex = _get_ifindex,
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
	/* names must fit IFNAMSIZ; IKE SA ids are small counters in practice */
	if (snprintf(this->ifname, sizeof(this->ifname), "mif%up%u",
				 path->ike_id, path->bid) >= sizeof(this->ifname))
	{
		snprintf(this->ifname, sizeof(this->ifname), "m%xp%x",
				 path->ike_id, path->bid);
	}

	this->policies = policies_op(this, TRUE);
	if (!this->policies ||
		!create_link(sock, this->ifname, this->local, this->remote,
					 path->link))
	{
		destroy(this);
		return NULL;
	}
	if (!setup_link(this, mtu))
	{
		/* remove the device even if its index is unknown */
		if (!this->ifindex)
		{
			delete_link(sock, this->ifname, FALSE);
		}
		destroy(this);
		return NULL;
	}
	return &this->public;
}

/*
 * Described in header
 */
bool mif_dp_gre_probe(struct nl_sock *sock)
{
	host_t *any = host_create_from_string("127.0.0.1", 0);
	bool ok;

	/* a leftover of a crashed run would make the probe fail */
	delete_link(sock, PROBE_IFNAME, TRUE);
	ok = create_link(sock, PROBE_IFNAME, any, any, 0);
	if (ok)
	{
		delete_link(sock, PROBE_IFNAME, FALSE);
	}
	any->destroy(any);
	return ok;
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

	memcpy(&id.sel.saddr, src, len);
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
		nl_socket_free(xfrm);
	}
}
