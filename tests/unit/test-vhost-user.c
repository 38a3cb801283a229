// SPDX-License-Identifier: GPL-2.0
/*
 * The vhost-user frontend against a fake back end on the other end of a
 * socketpair (a thread): the messages in order, the descriptors passed, and
 * every kind of bad reply refused.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lkvm/virtio.h"
#include "tap.h"
#include "../../vhost-user.c"

#define MEM_SIZE	(64 * 1024)
#define MAX_LOG		64

enum bad { BAD_NONE, BAD_REQ, BAD_FLAGS, BAD_SIZE, BAD_SHORT, BAD_FD, BAD_SILENT, BAD_NACK,
	   BAD_INDEX, BAD_HANGUP, BAD_VERSION };

struct rec {
	u32 req, flags, size;
	u8 payload[300];
	int nfds;
	ino_t ino;		/* of the descriptor received */
};

static struct rec log_[MAX_LOG];
static int nlog;
static int be_fd;
static u64 be_features, be_proto;
static enum bad bad;
static u32 bad_req;

static void be_send(const void *buf, size_t len)
{
	if (write(be_fd, buf, len) != (ssize_t)len)
		tap_diag("fake back end: short write");
}

/* One message from the frontend, or false at EOF. */
static bool be_recv(struct rec *r)
{
	u8 hdr[12];
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { hdr, sizeof(hdr) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };

	memset(r, 0, sizeof(*r));
	if (recvmsg(be_fd, &mh, MSG_WAITALL) != sizeof(hdr))
		return false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		int fd;
		struct stat st;

		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		r->nfds += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		if (!fstat(fd, &st))
			r->ino = st.st_ino;
		close(fd);
	}
	memcpy(&r->req, hdr, 4);
	memcpy(&r->flags, hdr + 4, 4);
	memcpy(&r->size, hdr + 8, 4);
	if (r->size > sizeof(r->payload) ||
	    (r->size && recv(be_fd, r->payload, r->size, MSG_WAITALL) != (ssize_t)r->size))
		return false;
	return true;
}

static void *backend(void *arg)
{
	struct rec r;

	while (be_recv(&r)) {
		u8 out[32];
		u32 flags = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY, size = 8;
		u64 v = 0;
		int fd = -1;

		if (nlog < MAX_LOG)
			log_[nlog++] = r;
		if (r.req == VHOST_USER_GET_FEATURES)
			v = be_features;
		else if (r.req == VHOST_USER_GET_PROTOCOL_FEATURES)
			v = be_proto;
		else if (r.req == VHOST_USER_GET_VRING_BASE)
			v = (u64)7 << 32 | *(u32 *)r.payload;
		else if (!(r.flags & VHOST_USER_FLAG_NEED_REPLY))
			continue;
		if (bad && r.req == bad_req) {
			switch (bad) {
			case BAD_REQ: r.req++; break;
			case BAD_FLAGS: flags = VHOST_USER_VERSION; break;
			case BAD_VERSION: flags = 2 | VHOST_USER_FLAG_REPLY; break;
			case BAD_SIZE: size = 16; break;
			case BAD_NACK: v = 1; break;
			case BAD_INDEX: v ^= 1; break;
			case BAD_FD: fd = eventfd(0, 0); break;
			case BAD_SILENT: continue;
			case BAD_SHORT: size = 4; break;
			case BAD_HANGUP:
				be_send(&r.req, 4);
				shutdown(be_fd, SHUT_RDWR);
				return NULL;
			default: break;
			}
		}
		memcpy(out, &r.req, 4);
		memcpy(out + 4, &flags, 4);
		memcpy(out + 8, &size, 4);
		memset(out + 12, 0, sizeof(out) - 12);
		memcpy(out + 12, &v, 8);
		if (fd >= 0) {
			union {
				char buf[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} ctl = { 0 };
			struct iovec iov = { out, 12 + size };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
					     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
			if (sendmsg(be_fd, &mh, 0) < 0)
				tap_diag("fake back end: sendmsg: %s", strerror(errno));
			close(fd);
			continue;
		}
		/* A short reply: its header promises more than comes, then nothing. */
		be_send(out, bad == BAD_SHORT && r.req == bad_req ? 12 + 2 : 12 + size);
	}
	return NULL;
}

static pthread_t thread;

static int connect_backend(u64 features, u64 proto, enum bad b, u32 on)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	nlog = 0;
	be_fd = sv[1];
	be_features = features;
	be_proto = proto;
	bad = b;
	bad_req = on;
	pthread_create(&thread, NULL, backend, NULL);
	return sv[0];
}

static void disconnect(struct vhost_user *vu)
{
	vhost_user_close(vu);
	pthread_join(thread, NULL);
	close(be_fd);
}

static u64 p64(const struct rec *r, size_t off)
{
	u64 v;

	memcpy(&v, r->payload + off, 8);
	return v;
}

static u32 p32(const struct rec *r, size_t off)
{
	return *(const u32 *)(r->payload + off);
}

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static struct guest_mem mem;
static struct vhost_user_ring rings[2];

static void setup_mem(void)
{
	mem.fd = memfd_create("test-ram", MFD_CLOEXEC);
	if (mem.fd < 0 || ftruncate(mem.fd, MEM_SIZE) < 0)
		abort();
	mem.start = 0x80000000;
	mem.size = MEM_SIZE;
	mem.host = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem.fd, 0);
	for (unsigned int q = 0; q < 2; q++) {
		u64 h = (u64)(uintptr_t)mem.host + 0x1000 + 0x4000 * q;

		rings[q] = (struct vhost_user_ring){
			.index = q, .num = 128, .base = (u16)(3 * q), .desc = h,
			.avail = h + 0x1000, .used = h + 0x2000,
			.kick = eventfd(0, EFD_CLOEXEC), .call = eventfd(0, EFD_CLOEXEC),
		};
	}
}

static bool is(const struct rec *r, u32 req, bool need_reply)
{
	return r->req == req &&
	       r->flags == (VHOST_USER_VERSION | (need_reply ? VHOST_USER_FLAG_NEED_REPLY : 0));
}

static void test_full_session(void)
{
	const u64 feat = BIT(VIRTIO_F_VERSION_1) | BIT(VHOST_USER_F_PROTOCOL_FEATURES) | BIT(28);
	struct vhost_user vu;
	bool order = true, fds = true, ack = true;
	int k;

	vhost_user_open(&vu, connect_backend(feat, 0x3fff, BAD_NONE, 0));
	tap_ok(!vu.dead && vu.features == feat, "open: the back end's features (%s)", vu.why);
	tap_ok(vu.protocol == BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK),
	       "of the protocol features offered, REPLY_ACK alone is taken");
	tap_ok(vhost_user_start(&vu, BIT(VIRTIO_F_VERSION_1) | BIT(28), &mem, rings, 2) == 0,
	       "start: two rings handed over");
	tap_ok(vhost_user_stop(&vu) == 0, "stop: both taken back");
	disconnect(&vu);

	tap_ok(nlog == 4 + 2 + 2 * 6 + 2, "20 messages (%d)", nlog);
	order = is(&log_[0], VHOST_USER_GET_FEATURES, false) && log_[0].size == 0 &&
		is(&log_[1], VHOST_USER_GET_PROTOCOL_FEATURES, false) &&
		is(&log_[2], VHOST_USER_SET_PROTOCOL_FEATURES, false) && log_[2].size == 8 &&
		p64(&log_[2], 0) == BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) &&
		is(&log_[3], VHOST_USER_SET_OWNER, true) && log_[3].size == 0;
	tap_ok(order, "GET_FEATURES, GET/SET_PROTOCOL_FEATURES (REPLY_ACK), SET_OWNER");
	tap_ok(is(&log_[4], VHOST_USER_SET_FEATURES, true) &&
	       p64(&log_[4], 0) == (BIT(VIRTIO_F_VERSION_1) | BIT(28) |
				    BIT(VHOST_USER_F_PROTOCOL_FEATURES)),
	       "SET_FEATURES: the driver's, plus bit 30");
	tap_ok(is(&log_[5], VHOST_USER_SET_MEM_TABLE, true) && log_[5].size == 8 + 32 &&
	       p32(&log_[5], 0) == 1 && p64(&log_[5], 8) == mem.start &&
	       p64(&log_[5], 16) == MEM_SIZE && p64(&log_[5], 24) == (u64)(uintptr_t)mem.host &&
	       p64(&log_[5], 32) == 0, "SET_MEM_TABLE: one region, RAM at its host address");
	tap_ok(log_[5].nfds == 1 && log_[5].ino == ino_of(mem.fd),
	       "SET_MEM_TABLE carries the RAM's memfd");
	k = 6;
	for (unsigned int q = 0; q < 2; q++, k += 6) {
		const struct rec *r = &log_[k];

		order = order && is(&r[0], VHOST_USER_SET_VRING_NUM, true) &&
			p32(&r[0], 0) == q && p32(&r[0], 4) == 128 &&
			is(&r[1], VHOST_USER_SET_VRING_BASE, true) && p32(&r[1], 4) == 3 * q &&
			is(&r[2], VHOST_USER_SET_VRING_ADDR, true) && r[2].size == 40 &&
			p32(&r[2], 0) == q && p32(&r[2], 4) == 0 && p64(&r[2], 8) == rings[q].desc &&
			p64(&r[2], 16) == rings[q].used && p64(&r[2], 24) == rings[q].avail &&
			is(&r[3], VHOST_USER_SET_VRING_KICK, true) && p64(&r[3], 0) == q &&
			is(&r[4], VHOST_USER_SET_VRING_CALL, true) && p64(&r[4], 0) == q &&
			is(&r[5], VHOST_USER_SET_VRING_ENABLE, true) && p32(&r[5], 0) == q &&
			p32(&r[5], 4) == 1;
		fds = fds && r[3].nfds == 1 && r[3].ino == ino_of(rings[q].kick) &&
		      r[4].nfds == 1 && r[4].ino == ino_of(rings[q].call) &&
		      !r[0].nfds && !r[1].nfds && !r[2].nfds && !r[5].nfds;
	}
	tap_ok(order, "each ring: NUM, BASE, ADDR (user addresses), KICK, CALL, ENABLE 1");
	tap_ok(fds, "KICK and CALL carry the ring's eventfds, nothing else carries one");
	tap_ok(is(&log_[18], VHOST_USER_GET_VRING_BASE, false) && p32(&log_[18], 0) == 0 &&
	       is(&log_[19], VHOST_USER_GET_VRING_BASE, false) && p32(&log_[19], 0) == 1,
	       "stop: GET_VRING_BASE for rings 0 and 1");
	for (int i = 4; i < 18; i++)
		ack = ack && (log_[i].flags & VHOST_USER_FLAG_NEED_REPLY);
	tap_ok(ack, "every setup message asks for an ack");
}

static void test_no_protocol(void)
{
	const u64 feat = BIT(VIRTIO_F_VERSION_1);
	struct vhost_user vu;
	bool ok = true;

	vhost_user_open(&vu, connect_backend(feat, 0, BAD_NONE, 0));
	tap_ok(!vu.dead && !vu.protocol, "a back end without bit 30: no protocol features");
	vhost_user_start(&vu, feat, &mem, rings, 1);
	tap_ok(vhost_user_stop(&vu) == 0 && vhost_user_stop(&vu) == 0,
	       "stop twice: the second has nothing to do");
	disconnect(&vu);
	tap_ok(nlog == 2 + 2 + 5 + 1, "10 messages: no protocol messages, no ENABLE (%d)", nlog);
	for (int i = 0; i < nlog; i++)
		ok = ok && !(log_[i].flags & VHOST_USER_FLAG_NEED_REPLY) &&
		     log_[i].req != VHOST_USER_SET_VRING_ENABLE;
	tap_ok(ok && is(&log_[1], VHOST_USER_SET_OWNER, false) &&
	       p64(&log_[2], 0) == BIT(VIRTIO_F_VERSION_1), "no acks asked, no bit 30 set");
}

static void test_bad(enum bad b, u32 on, const char *what)
{
	const u64 feat = BIT(VIRTIO_F_VERSION_1) | BIT(VHOST_USER_F_PROTOCOL_FEATURES);
	struct vhost_user vu;
	struct timespec t0, t1;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = vhost_user_open(&vu, connect_backend(feat, 0x8, b, on));
	if (!r)
		r = vhost_user_start(&vu, BIT(VIRTIO_F_VERSION_1), &mem, rings, 2);
	if (!r)
		r = vhost_user_stop(&vu);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(r < 0 && vu.dead && vu.why[0], "%s: refused (%s)", what, vu.why);
	tap_ok(vhost_user_start(&vu, BIT(VIRTIO_F_VERSION_1), &mem, rings, 2) < 0 &&
	       vhost_user_stop(&vu) < 0 && vhost_user_check(&vu) < 0,
	       "%s: the back end stays dead", what);
	if (b == BAD_SILENT)
		tap_ok(t1.tv_sec - t0.tv_sec <= 3, "the wait is bounded (%ld s)",
		       (long)(t1.tv_sec - t0.tv_sec));
	disconnect(&vu);
}

static void test_check(void)
{
	struct vhost_user vu;
	u8 b = 0;

	vhost_user_open(&vu, connect_backend(BIT(VIRTIO_F_VERSION_1), 0, BAD_NONE, 0));
	tap_ok(vhost_user_check(&vu) == 0, "check: nothing there, the back end lives");
	be_send(&b, 1);
	tap_ok(vhost_user_check(&vu) < 0 && strstr(vu.why, "unasked"),
	       "a byte nobody asked for: dead (%s)", vu.why);
	disconnect(&vu);

	vhost_user_open(&vu, connect_backend(BIT(VIRTIO_F_VERSION_1), 0, BAD_NONE, 0));
	shutdown(be_fd, SHUT_RDWR);
	tap_ok(vhost_user_check(&vu) < 0 && strstr(vu.why, "closed"),
	       "EOF: dead (%s)", vu.why);
	disconnect(&vu);

	mem.fd = -1;
	vhost_user_open(&vu, connect_backend(BIT(VIRTIO_F_VERSION_1), 0, BAD_NONE, 0));
	tap_ok(vhost_user_start(&vu, BIT(VIRTIO_F_VERSION_1), &mem, rings, 1) < 0 &&
	       strstr(vu.why, "memfd"), "RAM without a memfd: refused (%s)", vu.why);
	disconnect(&vu);
}

int main(void)
{
	tap_plan(13 + 4 + 2 * 10 + 1 + 4);
	/* The fake back end may write to a frontend that gave up. */
	signal(SIGPIPE, SIG_IGN);
	setup_mem();
	test_full_session();
	test_no_protocol();
	test_bad(BAD_REQ, VHOST_USER_GET_FEATURES, "a reply to another request");
	test_bad(BAD_FLAGS, VHOST_USER_GET_PROTOCOL_FEATURES, "a reply without the reply flag");
	test_bad(BAD_VERSION, VHOST_USER_GET_FEATURES, "a reply of version 2");
	test_bad(BAD_SIZE, VHOST_USER_GET_FEATURES, "a 16-byte reply");
	test_bad(BAD_SHORT, VHOST_USER_SET_MEM_TABLE, "a 4-byte ack");
	test_bad(BAD_NACK, VHOST_USER_SET_MEM_TABLE, "a SET_MEM_TABLE refused");
	test_bad(BAD_INDEX, VHOST_USER_GET_VRING_BASE, "the state of another ring");
	test_bad(BAD_FD, VHOST_USER_SET_VRING_KICK, "an ack carrying a descriptor");
	test_bad(BAD_HANGUP, VHOST_USER_SET_OWNER, "a hang-up mid-reply");
	test_bad(BAD_SILENT, VHOST_USER_GET_VRING_BASE, "no reply (timeout)");
	test_check();
	return tap_done();
}
