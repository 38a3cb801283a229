// SPDX-License-Identifier: GPL-2.0
/*
 * A virtio-net NIC in user mode (-n mode=user): frames go to passt, which
 * gives the guest DHCP, NDP and DNS and carries its connections through the
 * host's sockets.  passt's protocol is a UNIX stream of raw Ethernet frames,
 * each after a 4-byte big-endian length, both ways.  The stream is read in
 * whatever pieces the socket gives (a frame may end in a later read) and a
 * frame the socket takes only in part is finished before the next one: the
 * stream must never lose its framing.  What passt sends is checked like
 * anything from the guest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lkvm/daemon.h"
#include "lkvm/net-passt.h"
#include "lkvm/virtio.h"

/* passt's frames: at most a 64 KiB IP packet in Ethernet (with room for a tag or two). */
#define FRAME_LIMIT	(65535 + 32)
#define LEN_SIZE	4
/* Input is read in big pieces: several frames a read system call. */
#define IN_SIZE		(256 * 1024)

struct net_passt {
	char name[16];
	int fd;
	struct daemon *d;		/* the passt lkvm started, or NULL (socket=) */
	char *where;			/* for messages: the socket's path */
	bool eof, dead;
	u8 *in;				/* received bytes not yet taken: in[in_start..+in_len) */
	size_t in_start, in_len;
	u8 out[LEN_SIZE + FRAME_LIMIT];	/* the part of a frame the socket has not taken */
	size_t out_off, out_len;
};

/* Said once: from now on the device drops what the guest sends. */
static int passt_dead(struct net_passt *p, const char *fmt, const char *what)
{
	char why[96];

	if (p->dead)
		return -EPIPE;
	p->dead = true;
	if (!fmt && p->d) {
		/* The socket closes a moment before the process is gone: look once more. */
		if (!daemon_exited(p->d, why, sizeof(why))) {
			usleep(20000);
			if (!daemon_exited(p->d, why, sizeof(why)))
				snprintf(why, sizeof(why), "closed its socket");
		}
		pr_warn("%s: passt exited (%s); the guest's link is down", p->name, why);
	} else if (!fmt) {
		pr_warn("%s: passt at %s closed the connection; the guest's link is down", p->name,
			p->where);
	} else {
		snprintf(why, sizeof(why), fmt, what);
		pr_warn("%s: passt at %s: %s; the guest's link is down", p->name, p->where, why);
	}
	return -EPIPE;
}

/* A send that failed: the peer gone (EPIPE, ECONNRESET), or another error. */
static int write_failed(struct net_passt *p)
{
	if (errno == EPIPE || errno == ECONNRESET)
		return passt_dead(p, NULL, NULL);
	return passt_dead(p, "write: %s", strerror(errno));
}

/* Read what the socket has, as far as the buffer goes.  0, or -EPIPE. */
static int fill(struct net_passt *p)
{
	while (!p->eof) {
		ssize_t r;

		/* Room after in_start for the frame there to complete. */
		if (p->in_start && IN_SIZE - p->in_start < LEN_SIZE + FRAME_LIMIT) {
			memmove(p->in, p->in + p->in_start, p->in_len);
			p->in_start = 0;
		}
		if (p->in_start + p->in_len == IN_SIZE)
			return 0;
		r = read(p->fd, p->in + p->in_start + p->in_len, IN_SIZE - p->in_start - p->in_len);
		if (r > 0) {
			p->in_len += (size_t)r;
			continue;
		}
		/* A peer that closes with bytes of ours unread leaves ECONNRESET: an end all the same. */
		if (r == 0 || errno == ECONNRESET)
			p->eof = true;
		else if (errno == EINTR)
			continue;
		else if (errno == EAGAIN)
			return 0;
		else
			return passt_dead(p, "read: %s", strerror(errno));
	}
	return 0;
}

static ssize_t passt_peek(void *ctx)
{
	struct net_passt *p = ctx;
	u32 len;

	if (p->dead)
		return -EPIPE;
	if (fill(p) < 0)
		return -EPIPE;
	for (;;) {
		if (p->in_len < LEN_SIZE)
			break;
		memcpy(&len, p->in + p->in_start, LEN_SIZE);
		len = ntohl(len);
		if (len > FRAME_LIMIT) {
			char what[32];

			snprintf(what, sizeof(what), "%u", len);
			return passt_dead(p, "a frame of %s bytes: protocol error", what);
		}
		if (len)
			break;
		/* An empty frame carries nothing: skip it. */
		p->in_start += LEN_SIZE;
		p->in_len -= LEN_SIZE;
	}
	if (p->in_len >= LEN_SIZE && p->in_len - LEN_SIZE >= len)
		return len;
	if (p->eof)
		return passt_dead(p, NULL, NULL);
	return -EAGAIN;
}

static ssize_t passt_recv(void *ctx, const struct iovec *iov, unsigned int n)
{
	struct net_passt *p = ctx;
	ssize_t len = passt_peek(ctx), room = 0;

	if (len < 0)
		return len;
	for (unsigned int i = 0; i < n; i++)
		room += (ssize_t)iov[i].iov_len;
	if (n && room >= len)
		virtq_buf_to_iov(iov, n, 0, p->in + p->in_start + LEN_SIZE, (size_t)len);
	p->in_start += LEN_SIZE + (size_t)len;
	p->in_len -= LEN_SIZE + (size_t)len;
	if (!p->in_len)
		p->in_start = 0;
	return n && room < len ? -EMSGSIZE : len;
}

/* Send what is left of a frame: 0 all out, -EAGAIN some left, -EPIPE dead. */
static int passt_flush(void *ctx)
{
	struct net_passt *p = ctx;

	if (p->dead)
		return -EPIPE;
	while (p->out_len) {
		ssize_t r = send(p->fd, p->out + p->out_off, p->out_len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return -EAGAIN;
		if (r < 0)
			return write_failed(p);
		p->out_off += (size_t)r;
		p->out_len -= (size_t)r;
	}
	p->out_off = 0;
	return 0;
}

static int passt_send(void *ctx, const struct iovec *iov, unsigned int n)
{
	struct net_passt *p = ctx;
	struct iovec v[VIRTQ_MAX_SEGS + 1];
	struct msghdr msg = { .msg_iov = v, .msg_iovlen = n + 1 };
	size_t len = 0;
	u32 be_len;
	ssize_t r;
	int f;

	f = passt_flush(ctx);
	if (f < 0)
		return f;
	if (n > VIRTQ_MAX_SEGS)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		len += iov[i].iov_len;
		v[i + 1] = iov[i];
	}
	if (len > FRAME_LIMIT)
		return 0;
	be_len = htonl((u32)len);
	v[0].iov_base = &be_len;
	v[0].iov_len = LEN_SIZE;
	do
		r = sendmsg(p->fd, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return -EAGAIN;
	if (r < 0)
		return write_failed(p);
	if ((size_t)r < LEN_SIZE + len) {
		/* Keep the rest: the next frame may only follow it. */
		memcpy(p->out, &be_len, LEN_SIZE);
		virtq_iov_to_buf(iov, n, 0, p->out + LEN_SIZE, len);
		p->out_off = (size_t)r;
		p->out_len = LEN_SIZE + len - (size_t)r;
	}
	return 0;
}

static void passt_exit(void *ctx)
{
	struct net_passt *p = ctx;

	if (p->fd >= 0)
		close(p->fd);
	daemon_stop(p->d);
	free(p->where);
	free(p->in);
	free(p);
}

static int connect_socket(struct net_passt *p, const char *path)
{
	p->fd = daemon_connect(path);
	if (p->fd < 0) {
		pr_err("%s: cannot connect to passt at %s: %s", p->name, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* passt in the foreground, quiet, on a socket of lkvm's private directory. */
static int start_passt(struct net_passt *p)
{
	static const char *const dirs[] = { "/usr/bin", "/usr/local/bin", "/usr/sbin", NULL };
	char *prog = daemon_find("passt", dirs, "passt");
	char *argv[8];
	int i = 0;

	if (!prog)
		return -1;
	p->where = daemon_sock_path(p->name);
	argv[i++] = prog;
	argv[i++] = "--foreground";
	argv[i++] = "--quiet";
	/* Gone when lkvm is: it serves this one connection. */
	argv[i++] = "--one-off";
	argv[i++] = "--socket";
	argv[i++] = p->where;
	argv[i] = NULL;
	p->d = daemon_start("passt", argv, p->where, 5000, &p->fd);
	free(prog);
	return p->d ? 0 : -1;
}

struct device *net_passt_create(struct vm *vm, const struct net_opt *o, int index)
{
	struct net_passt *p = xzalloc(sizeof(*p));
	struct virtio_net_backend be = {
		.ctx = p,
		.send = passt_send,
		.flush = passt_flush,
		.peek = passt_peek,
		.recv = passt_recv,
		.exit = passt_exit,
	};
	int r;

	p->fd = -1;
	snprintf(p->name, sizeof(p->name), "net%d", index);
	if (o->socket[0]) {
		p->where = xstrdup(o->socket);
		r = connect_socket(p, o->socket);
	} else {
		r = start_passt(p);
	}
	if (r == 0 && fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK) < 0) {
		pr_err("%s: passt socket: %s", p->name, strerror(errno));
		r = -1;
	}
	if (r < 0) {
		passt_exit(p);
		return NULL;
	}
	p->in = xmalloc(IN_SIZE);
	be.fd = p->fd;
	pr_info("%s: user mode through passt (%s)", p->name, p->where);
	return virtio_net_create(&vm->mem, vm_alloc_virtio_window(vm), vm_alloc_irq(vm), p->name,
				 o->guest_mac, &be);
}
