/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "mif_dp_gredev.h"
#include "mif_sysctl.h"

#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/link.h>
#include <linux/if.h>
#include <linux/if_tunnel.h>
#include <linux/rtnetlink.h>

#include <daemon.h>

/** ESP transport overhead reserved below the GRE device's MTU: SPI, SN,
 * IV (16), padding (<16), trailer (2) and a 256-bit ICV, rounded up */
#define ESP_OVERHEAD 80

typedef struct private_mif_dp_gredev_t private_mif_dp_gredev_t;

/**
 * Private data.
 */
struct private_mif_dp_gredev_t {

	/**
	 * Public interface.
	 */
	mif_dp_gredev_t public;

	/**
	 * rtnetlink socket, of the data plane
	 */
	struct nl_sock *sock;

	/**
	 * Fixed MTU, 0 for the kernel's default minus ESP overhead
	 */
	u_int mtu;

	/**
	 * Interface index of the device
	 */
	int ifindex;
};

/*
 * Described in header
 */
void mif_dp_gredev_delete(struct nl_sock *sock, char *name, bool quiet)
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
 * Create a GRE device in metadata mode, not yet up. libnl sets no
 * IFLA_GRE_COLLECT_METADATA, so the RTM_NEWLINK is written here.
 */
static int create_link(struct nl_sock *sock)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
	};
	struct nlattr *info, *data;
	struct nl_msg *msg;
	int err = -NLE_NOMEM;

	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (!msg)
	{
		return err;
	}
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
		nla_put_string(msg, IFLA_IFNAME, MIF_GREDEV_NAME) < 0 ||
		!(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
		nla_put_string(msg, IFLA_INFO_KIND, "gre") < 0 ||
		!(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
		nla_put_flag(msg, IFLA_GRE_COLLECT_METADATA) < 0)
	{
		nlmsg_free(msg);
		return err;
	}
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	err = nl_send_auto(sock, msg);
	nlmsg_free(msg);
	if (err >= 0)
	{
		err = nl_wait_for_ack(sock);
	}
	return err < 0 ? err : 0;
}

/*
 * Described in header
 */
int mif_dp_gredev_setup(struct nl_sock *sock, char *name, u_int *mtu)
{
	struct rtnl_link *link, *change;
	int err, ifindex;

	/* inner packets must bypass the IKE SA's own CHILD SA policies, out
	 * (disable_xfrm) and in (disable_policy) */
	if (!mif_sysctl_set("1", "/proc/sys/net/ipv4/conf/%s/disable_xfrm", name) ||
		!mif_sysctl_set("1", "/proc/sys/net/ipv4/conf/%s/disable_policy", name))
	{
		return 0;
	}
	/* IPv6: no link-local noise over the paths; disable_policy needs 5.17+,
	 * older kernels only lose inner IPv6 over paths */
	mif_sysctl_set("1", "/proc/sys/net/ipv6/conf/%s/addr_gen_mode", name);
	mif_sysctl_set("0", "/proc/sys/net/ipv6/conf/%s/autoconf", name);
	mif_sysctl_set("0", "/proc/sys/net/ipv6/conf/%s/accept_ra", name);
	mif_sysctl_set("1", "/proc/sys/net/ipv6/conf/%s/disable_policy", name);

	err = rtnl_link_get_kernel(sock, 0, name, &link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: querying device %s failed: %s", name,
			 nl_geterror(err));
		return 0;
	}
	ifindex = rtnl_link_get_ifindex(link);
	if (!*mtu)
	{
		*mtu = rtnl_link_get_mtu(link);
		*mtu = *mtu > ESP_OVERHEAD + 1280 ? *mtu - ESP_OVERHEAD : 1280;
	}
	change = rtnl_link_alloc();
	if (!change)
	{
		rtnl_link_put(link);
		return 0;
	}
	rtnl_link_set_mtu(change, *mtu);
	rtnl_link_set_flags(change, IFF_UP);
	err = rtnl_link_change(sock, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: setting device %s up failed: %s", name,
			 nl_geterror(err));
		return 0;
	}
	return ifindex;
}

/**
 * Create and set up the device, replacing one a previous instance left.
 */
static int make_dev(private_mif_dp_gredev_t *this)
{
	u_int mtu = this->mtu;
	int err, ifindex;

	mif_dp_gredev_delete(this->sock, MIF_GREDEV_NAME, TRUE);
	err = create_link(this->sock);
	if (err < 0)
	{
		DBG1(DBG_KNL, "mif: creating gre device %s in metadata mode failed: "
			 "%s (kernel without ip_gre?)", MIF_GREDEV_NAME, nl_geterror(err));
		return 0;
	}
	ifindex = mif_dp_gredev_setup(this->sock, MIF_GREDEV_NAME, &mtu);
	if (!ifindex)
	{
		mif_dp_gredev_delete(this->sock, MIF_GREDEV_NAME, FALSE);
		return 0;
	}
	DBG1(DBG_KNL, "mif: gre device %s (metadata mode) up, index %d, mtu %u",
		 MIF_GREDEV_NAME, ifindex, mtu);
	return ifindex;
}

METHOD(mif_dp_gredev_t, get_ifindex, int,
	private_mif_dp_gredev_t *this)
{
	return this->ifindex;
}

METHOD(mif_dp_gredev_t, destroy, void,
	private_mif_dp_gredev_t *this)
{
	mif_dp_gredev_delete(this->sock, MIF_GREDEV_NAME, FALSE);
	free(this);
}

/*
 * Described in header
 */
mif_dp_gredev_t *mif_dp_gredev_create(struct nl_sock *sock, u_int mtu)
{
	private_mif_dp_gredev_t *this;

	INIT(this,
		.public = {
			.get_ifindex = _get_ifindex,
			.destroy = _destroy,
		},
		.sock = sock,
		.mtu = mtu,
	);
	this->ifindex = make_dev(this);
	if (!this->ifindex)
	{
		free(this);
		return NULL;
	}
	return &this->public;
}
