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

/** pause after a callback that found many datagrams queued (a flood), in
 * microseconds: the next callback then finds a fuller batch, so what a flood
 * costs is bounded by callbacks per second rather than by datagrams */
#define FLOOD_PAUSE_US 5000
#define RECV_BUFFER (1024 * 1024)

typedef struct private_mif_prober_t private_mif_prober_t;

/**
 * Buffers for reading RECV_BATCH datagrams with one recvmmsg() call.
 */
typedef struct {
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	union {
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} from[RECV_BATCH];
	char ctrl[RECV_BATCH][256];
	char data[RECV_BATCH][MAX_DGRAM];
} recv_batch_t;

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

	/**
	 * Receive buffers of the IPv4 and the IPv6 socket (the watcher never
	 * runs two callbacks of one socket at once)
	 */
	recv_batch_t *batch4, *batch6;
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
 * Hand one received datagram to the callback.
 */
static void deliver(private_mif_prober_t *this, struct mmsghdr *m)
{
	host_t *src, *dst;

	if (m->msg_hdr.msg_flags & MSG_TRUNC)
	{
		DBG2(DBG_NET, "mif: dropped oversized datagram on probe port");
		return;
	}
	src = host_create_from_sockaddr((sockaddr_t*)m->msg_hdr.msg_name);
	dst = get_dst(&m->msg_hdr, this->port);
	if (src && dst)
	{
		this->cb(this->data, src, dst,
				 chunk_create(m->msg_hdr.msg_iov->iov_base, m->msg_len));
	}
	DESTROY_IF(src);
	DESTROY_IF(dst);
}

/**
 * Read up to RECV_BATCH datagrams with one system call; how many were read.
 */
static int receive_batch(recv_batch_t *b, int fd)
{
	int i, n;

	for (i = 0; i < RECV_BATCH; i++)
	{
		b->iov[i] = (struct iovec){
			.iov_base = b->data[i],
			.iov_len = MAX_DGRAM,
		};
		b->msgs[i].msg_hdr = (struct msghdr){
			.msg_name = &b->from[i],
			.msg_namelen = sizeof(b->from[i]),
			.msg_iov = &b->iov[i],
			.msg_iovlen = 1,
			.msg_control = b->ctrl[i],
			.msg_controllen = sizeof(b->ctrl[i]),
		};
	}
	n = recvmmsg(fd, b->msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
	{
		DBG1(DBG_NET, "mif: receiving probes failed: %s", strerror(errno));
	}
	return n;
}

CALLBACK(receive, bool,
	private_mif_prober_t *this, int fd, watcher_event_t event)
{
	recv_batch_t *b = fd == this->fd4 ? this->batch4 : this->batch6;
	int i, n;

	/* a watcher callback (a job) and a system call per datagram are what a
	 * flood of probes costs most: read what is queued, a bounded batch
	 * with one call */
	n = receive_batch(b, fd);
	for (i = 0; i < n; i++)
	{
		deliver(this, &b->msgs[i]);
	}
	if (n >= RECV_BATCH / 4)
	{
		usleep(FLOOD_PAUSE_US);
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
	free(this->batch4);
	free(this->batch6);
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
		.batch4 = malloc(sizeof(recv_batch_t)),
		.batch6 = malloc(sizeof(recv_batch_t)),
	);
	this->fd4 = open_socket(this, AF_INET);
	this->fd6 = open_socket(this, AF_INET6);
	if (this->fd4 < 0 && this->fd6 < 0)
	{
		free(this->batch4);
		free(this->batch6);
		free(this);
		return NULL;
	}
	DBG1(DBG_NET, "mif: listening for path probes on UDP port %u", port);
	return &this->public;
}
