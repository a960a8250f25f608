/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#define _GNU_SOURCE
#include "mif_prober.h"

#include <daemon.h>
#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

/** largest datagram we accept; probes are < 100 bytes */
#define MAX_DGRAM 512

/** datagrams read per watcher callback, and the socket receive buffer */
#define RECV_BATCH 64
#define RECV_BUFFER (1024 * 1024)

typedef struct private_mif_prober_t private_mif_prober_t;

/**
 * Private data.
 */
struct private_mif_prober_t {

	/**
	 * Public interface.
	 */
	mif_prober_t public;

	/**
	 * IPv4 and IPv6 sockets, -1 if not open.
	 */
	int fd4, fd6;

	/**
	 * Port we listen on.
	 */
	uint16_t port;

	/**
	 * Receive callback and its data.
	 */
	mif_prober_cb_t cb;
	void *data;
};

/**
 * Local destination address from the PKTINFO control message.
 */
static host_t *get_dst(struct msghdr *msg, uint16_t port)
{
	struct cmsghdr *cmsg;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg))
	{
		if (cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_PKTINFO)
		{
			struct in_pktinfo *pi = (struct in_pktinfo*)CMSG_DATA(cmsg);
			struct sockaddr_in sin = {
				.sin_family = AF_INET,
				.sin_addr = pi->ipi_addr,
				.sin_port = htons(port),
			};
			return host_create_from_sockaddr((sockaddr_t*)&sin);
		}
		if (cmsg->cmsg_level == IPPROTO_IPV6 &&
			cmsg->cmsg_type == IPV6_PKTINFO)
		{
			struct in6_pktinfo *pi = (struct in6_pktinfo*)CMSG_DATA(cmsg);
			struct sockaddr_in6 sin6 = {
				.sin6_family = AF_INET6,
				.sin6_addr = pi->ipi6_addr,
				.sin6_port = htons(port),
			};
			return host_create_from_sockaddr((sockaddr_t*)&sin6);
		}
	}
	return NULL;
}

/**
 * Receive one datagram; FALSE if there is none (or the socket failed).
 */
static bool receive_one(private_mif_prober_t *this, int fd)
{
	char buf[MAX_DGRAM], ctrl[256];
	union {
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} from;
	struct iovec iov = {
		.iov_base = buf,
		.iov_len = sizeof(buf),
	};
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctrl,
		.msg_controllen = sizeof(ctrl),
	};
	host_t *src, *dst;
	ssize_t len;

	len = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (len < 0)
	{
		if (errno != EAGAIN && errno != EWOULDBLOCK)
		{
			DBG1(DBG_NET, "mif: receiving probe failed: %s", strerror(errno));
		}
		return FALSE;
	}
	if (msg.msg_flags & MSG_TRUNC)
	{
		DBG2(DBG_NET, "mif: dropped oversized datagram on probe port");
		return TRUE;
	}
	src = host_create_from_sockaddr((sockaddr_t*)&from);
	dst = get_dst(&msg, this->port);
	if (src && dst)
	{
		this->cb(this->data, src, dst, chunk_create(buf, len));
	}
	DESTROY_IF(src);
	DESTROY_IF(dst);
	return TRUE;
}

CALLBACK(receive, bool,
	private_mif_prober_t *this, int fd, watcher_event_t event)
{
	u_int i;

	/* a watcher callback (a job) per datagram is what a flood of probes
	 * costs most: read what is queued, a bounded batch at a time */
	for (i = 0; i < RECV_BATCH && receive_one(this, fd); i++)
	{
	}
	return TRUE;
}

METHOD(mif_prober_t, send_, bool,
	private_mif_prober_t *this, host_t *src, host_t *dst, uint32_t ifindex,
	chunk_t data)
{
	char ctrl[CMSG_SPACE(sizeof(struct in6_pktinfo))] = {};
	struct iovec iov = {
		.iov_base = data.ptr,
		.iov_len = data.len,
	};
	struct msghdr msg = {
		.msg_name = dst->get_sockaddr(dst),
		.msg_namelen = *dst->get_sockaddr_len(dst),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctrl,
	};
	struct cmsghdr *cmsg;
	int fd;

	if (dst->get_family(dst) == AF_INET)
	{
		struct in_pktinfo *pi;

		fd = this->fd4;
		msg.msg_controllen = CMSG_SPACE(sizeof(*pi));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = IPPROTO_IP;
		cmsg->cmsg_type = IP_PKTINFO;
		cmsg->cmsg_len = CMSG_LEN(sizeof(*pi));
		pi = (struct in_pktinfo*)CMSG_DATA(cmsg);
		memcpy(&pi->ipi_spec_dst, src->get_address(src).ptr, 4);
		pi->ipi_ifindex = ifindex;
	}
	else
	{
		struct in6_pktinfo *pi;

		fd = this->fd6;
		msg.msg_controllen = CMSG_SPACE(sizeof(*pi));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = IPPROTO_IPV6;
		cmsg->cmsg_type = IPV6_PKTINFO;
		cmsg->cmsg_len = CMSG_LEN(sizeof(*pi));
		pi = (struct in6_pktinfo*)CMSG_DATA(cmsg);
		memcpy(&pi->ipi6_addr, src->get_address(src).ptr, 16);
		pi->ipi6_ifindex = ifindex;
	}
	if (fd < 0 || src->get_family(src) != dst->get_family(dst))
	{
		return FALSE;
	}
	if (sendmsg(fd, &msg, MSG_DONTWAIT) != data.len)
	{
		DBG2(DBG_NET, "mif: sending probe %H -> %#H failed: %s", src, dst,
			 strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/**
 * Open one socket of the given family.
 */
static int open_socket(private_mif_prober_t *this, int family)
{
	union {
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} addr = {};
	socklen_t len;
	int fd, on = 1, rcvbuf = RECV_BUFFER;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
	{
		return -1;
	}
	if (family == AF_INET)
	{
		addr.sin.sin_family = AF_INET;
		addr.sin.sin_port = htons(this->port);
		len = sizeof(addr.sin);
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	}
	else
	{
		addr.sin6.sin6_family = AF_INET6;
		addr.sin6.sin6_port = htons(this->port);
		len = sizeof(addr.sin6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* room for bursts while a flood is being read (charon runs as root,
	 * so the limit of rmem_max does not apply to FORCE) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
				   sizeof(rcvbuf)) < 0)
	{
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	if (bind(fd, (struct sockaddr*)&addr, len) < 0 ||
		!charon->kernel->bypass_socket(charon->kernel, fd, family))
	{
		DBG1(DBG_NET, "mif: opening %s probe socket on port %u failed: %s",
			 family == AF_INET ? "IPv4" : "IPv6", this->port, strerror(errno));
		close(fd);
		return -1;
	}
	lib->watcher->add(lib->watcher, fd, WATCHER_READ, receive, this);
	return fd;
}

METHOD(mif_prober_t, destroy, void,
	private_mif_prober_t *this)
{
	if (this->fd4 >= 0)
	{
		lib->watcher->remove(lib->watcher, this->fd4);
		close(this->fd4);
	}
	if (this->fd6 >= 0)
	{
		lib->watcher->remove(lib->watcher, this->fd6);
		close(this->fd6);
	}
	free(this);
}

/*
 * Described in header
 */
mif_prober_t *mif_prober_create(uint16_t port, mif_prober_cb_t cb, void *data)
{
	private_mif_prober_t *this;

	INIT(this,
		.public = {
			.send = _send_,
			.destroy = _destroy,
		},
		.port = port,
		.cb = cb,
		.data = data,
	);
	this->fd4 = open_socket(this, AF_INET);
	this->fd6 = open_socket(this, AF_INET6);
	if (this->fd4 < 0 && this->fd6 < 0)
	{
		free(this);
		return NULL;
	}
	DBG1(DBG_NET, "mif: listening for path probes on UDP port %u", port);
	return &this->public;
}
