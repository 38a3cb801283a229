// SPDX-License-Identifier: GPL-2.0
/*
 * The vhost-user frontend over its UNIX socket (QEMU's
 * docs/interop/vhost-user.rst): requests go out with their file descriptors,
 * replies come back checked by vhost-user-msg.c.  The socket has send and
 * receive timeouts, so a back end that hangs costs a vCPU a bounded wait, and
 * from the first failure on the back end counts as dead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lkvm/vhost-user-msg.h"
#include "lkvm/vhost-user.h"

static const char *const req_names[] = {
	[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
	[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
	[VHOST_USER_SET_OWNER] = "SET_OWNER",
	[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
};

static const char *req_name(u32 req)
{
	return req < ARRAY_SIZE(req_names) && req_names[req] ? req_names[req] : "request";
}

static int die(struct vhost_user *vu, u32 req, const char *fmt, ...) __printf(3, 4);
static int die(struct vhost_user *vu, u32 req, const char *fmt, ...)
{
	int n;
	va_list ap;

	if (vu->dead)
		return -1;
	vu->dead = true;
	/* Request 0: a failure outside any request. */
	n = req ? snprintf(vu->why, sizeof(vu->why), "%s: ", req_name(req)) : 0;
	va_start(ap, fmt);
	vsnprintf(vu->why + n, sizeof(vu->why) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int io_error(struct vhost_user *vu, u32 req, const char *what, ssize_t r)
{
	if (r == 0)
		return die(vu, req, "the back end closed the connection");
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return die(vu, req, "no %s within %d ms", what, VHOST_USER_TIMEOUT_MS);
	return die(vu, req, "%s: %s", what, strerror(errno));
}

/* One message, its descriptor (-1: none) riding with its first byte. */
static int send_msg(struct vhost_user *vu, const u8 *buf, size_t len, int fd)
{
	u32 req;
	size_t done = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;

	memcpy(&req, buf, 4);
	if (vu->dead)
		return -1;
	while (done < len) {
		struct iovec iov = { (void *)(buf + done), len - done };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t r;

		if (fd >= 0 && !done) {
			struct cmsghdr *c;

			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = sizeof(ctl.buf);
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		r = sendmsg(vu->fd, &mh, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return io_error(vu, req, "send", r);
		done += (size_t)r;
	}
	return 0;
}

/* Exactly @len bytes; descriptors a back end sends with a reply are closed and refused. */
static int recv_all(struct vhost_user *vu, u32 req, u8 *buf, size_t len)
{
	size_t done = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} ctl;

	while (done < len) {
		struct iovec iov = { buf + done, len - done };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		bool fds = false;
		ssize_t r = recvmsg(vu->fd, &mh, MSG_CMSG_CLOEXEC);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return io_error(vu, req, "reply", r);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int f;

				memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				close(f);
			}
			fds = true;
		}
		if (fds || (mh.msg_flags & MSG_CTRUNC))
			return die(vu, req, "a reply with file descriptors");
		done += (size_t)r;
	}
	return 0;
}

static int get_reply(struct vhost_user *vu, u32 req, u32 index, u64 *val)
{
	u8 msg[VHOST_USER_HDR_SIZE + VHOST_USER_REPLY_SIZE];
	const char *why;
	u32 size;

	if (recv_all(vu, req, msg, VHOST_USER_HDR_SIZE) < 0)
		return -1;
	/* The size is checked before anything more is read: it is the back end's. */
	why = vhost_user_msg_reply_hdr(msg, req, &size);
	if (!why && recv_all(vu, req, msg + VHOST_USER_HDR_SIZE, size) < 0)
		return -1;
	if (!why)
		why = vhost_user_msg_reply(msg, sizeof(msg), req, index, val);
	return why ? die(vu, req, "%s", why) : 0;
}

static bool want_ack(const struct vhost_user *vu)
{
	return vu->protocol & BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK);
}

/* A request with no reply of its own: with REPLY_ACK, wait for the back end's verdict. */
static int request(struct vhost_user *vu, const u8 *buf, size_t len, int fd)
{
	u32 req;
	u64 status;

	memcpy(&req, buf, 4);
	if (send_msg(vu, buf, len, fd) < 0)
		return -1;
	if (!want_ack(vu))
		return 0;
	if (get_reply(vu, req, 0, &status) < 0)
		return -1;
	return status ? die(vu, req, "the back end refused it (%llu)",
			    (unsigned long long)status) : 0;
}

static int get_u64(struct vhost_user *vu, u32 req, u64 *val)
{
	u8 buf[VHOST_USER_MSG_MAX];

	if (send_msg(vu, buf, vhost_user_msg_none(buf, req, false), -1) < 0)
		return -1;
	return get_reply(vu, req, 0, val);
}

int vhost_user_open(struct vhost_user *vu, int fd)
{
	struct timeval tv = { VHOST_USER_TIMEOUT_MS / 1000, (VHOST_USER_TIMEOUT_MS % 1000) * 1000 };
	u8 buf[VHOST_USER_MSG_MAX];
	u64 proto;

	memset(vu, 0, sizeof(*vu));
	vu->fd = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return die(vu, 0, "socket timeouts: %s", strerror(errno));
	if (get_u64(vu, VHOST_USER_GET_FEATURES, &vu->features) < 0)
		return -1;
	if (vu->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)) {
		if (get_u64(vu, VHOST_USER_GET_PROTOCOL_FEATURES, &proto) < 0)
			return -1;
		/* Only what lkvm implements. */
		proto &= BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK);
		if (send_msg(vu, buf, vhost_user_msg_u64(buf, VHOST_USER_SET_PROTOCOL_FEATURES,
							proto, false), -1) < 0)
			return -1;
		vu->protocol = proto;
	}
	return request(vu, buf, vhost_user_msg_none(buf, VHOST_USER_SET_OWNER, want_ack(vu)), -1);
}

static int start_ring(struct vhost_user *vu, const struct vhost_user_ring *r)
{
	struct vhost_user_vring_addr a = {
		.index = r->index, .desc = r->desc, .used = r->used, .avail = r->avail,
	};
	u8 buf[VHOST_USER_MSG_MAX];
	bool ack = want_ack(vu);

	if (request(vu, buf, vhost_user_msg_state(buf, VHOST_USER_SET_VRING_NUM, r->index, r->num,
						  ack), -1) < 0 ||
	    request(vu, buf, vhost_user_msg_state(buf, VHOST_USER_SET_VRING_BASE, r->index, r->base,
						  ack), -1) < 0 ||
	    request(vu, buf, vhost_user_msg_addr(buf, &a, ack), -1) < 0 ||
	    request(vu, buf, vhost_user_msg_u64(buf, VHOST_USER_SET_VRING_KICK, r->index, ack),
		    r->kick) < 0 ||
	    request(vu, buf, vhost_user_msg_u64(buf, VHOST_USER_SET_VRING_CALL, r->index, ack),
		    r->call) < 0)
		return -1;
	vu->started |= 1u << r->index;
	/* With protocol features a ring starts disabled. */
	if (vu->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES))
		return request(vu, buf, vhost_user_msg_state(buf, VHOST_USER_SET_VRING_ENABLE,
							     r->index, 1, ack), -1);
	return 0;
}

int vhost_user_start(struct vhost_user *vu, u64 features, const struct guest_mem *mem,
		     const struct vhost_user_ring *rings, unsigned int n)
{
	struct vhost_user_region region = {
		.guest_addr = mem->start, .size = mem->size, .user_addr = (u64)(uintptr_t)mem->host,
	};
	u8 buf[VHOST_USER_MSG_MAX];
	bool ack = want_ack(vu);

	if (vu->dead)
		return -1;
	if (mem->fd < 0)
		return die(vu, VHOST_USER_SET_MEM_TABLE, "guest RAM is not shareable (no memfd)");
	features |= vu->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES);
	if (request(vu, buf, vhost_user_msg_u64(buf, VHOST_USER_SET_FEATURES, features, ack),
		    -1) < 0 ||
	    request(vu, buf, vhost_user_msg_mem(buf, &region, 1, ack), mem->fd) < 0)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		if (rings[i].index >= VHOST_USER_MAX_RINGS)
			return die(vu, VHOST_USER_SET_VRING_NUM, "no ring %u", rings[i].index);
		if (start_ring(vu, &rings[i]) < 0)
			return -1;
	}
	return 0;
}

int vhost_user_stop(struct vhost_user *vu)
{
	u8 buf[VHOST_USER_MSG_MAX];

	if (vu->dead)
		return -1;
	for (unsigned int i = 0; i < VHOST_USER_MAX_RINGS; i++) {
		u64 base;

		if (!(vu->started & (1u << i)))
			continue;
		vu->started &= ~(1u << i);
		if (send_msg(vu, buf, vhost_user_msg_state(buf, VHOST_USER_GET_VRING_BASE, i, 0,
							   false), -1) < 0 ||
		    get_reply(vu, VHOST_USER_GET_VRING_BASE, i, &base) < 0)
			return -1;
	}
	return 0;
}

int vhost_user_check(struct vhost_user *vu)
{
	u8 b;
	ssize_t r;

	if (vu->dead)
		return -1;
	r = recv(vu->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (r > 0)
		return die(vu, 0, "the back end sent a message unasked");
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return io_error(vu, 0, "socket", r);
}

void vhost_user_close(struct vhost_user *vu)
{
	if (vu->fd >= 0)
		close(vu->fd);
	vu->fd = -1;
	vu->dead = true;
}
