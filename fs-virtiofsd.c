// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-fs served by virtiofsd: lkvm starts the daemon for the shared
 * directory, speaks vhost-user to it, and gives virtio/fs.c a back end that
 * hands the queues over and notices the daemon's death (its socket hangs up).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lkvm/daemon.h"
#include "lkvm/fs-virtiofsd.h"
#include "lkvm/vhost-user.h"
#include "lkvm/virtio-kvm.h"
#include "lkvm/virtio.h"

/* virtiofsd's start-up under an emulated host takes a while; a real one, milliseconds. */
#define VIRTIOFSD_START_MS	10000
/* A daemon that closed its socket is about to exit: how long to wait to say how. */
#define VIRTIOFSD_EXIT_WAIT_MS	200

struct fs_virtiofsd {
	const struct fs_opt *o;
	char *prog, *sock;
	int index;
	unsigned int spawns;	/* each daemon gets a socket of its own */
	struct daemon *d;
	struct vhost_user vu;
	/* The running daemon has served a driver: the next one gets a fresh daemon. */
	bool used;
};

static int spawn(struct fs_virtiofsd *f)
{
	char name[48];
	char *sock_arg;
	char *dir_arg;
	int fd = -1, r = -1;

	/*
	 * A new path every time: the daemon before it may still hold its
	 * listening socket a moment after it was told to go, and a connection
	 * to it would be reset under us.
	 */
	snprintf(name, sizeof(name), "virtiofsd-%d.%u.sock", f->index, f->spawns++);
	free(f->sock);
	f->sock = daemon_sock_path(name);
	if (!f->sock)
		return -1;
	sock_arg = xasprintf("--socket-path=%s", f->sock);
	dir_arg = xasprintf("--shared-dir=%s", f->o->dir);
	char *argv[] = { f->prog, sock_arg, dir_arg, "--log-level=error",
			 f->o->readonly ? "--readonly" : NULL, NULL };

	f->d = daemon_start("virtiofsd", argv, f->sock, VIRTIOFSD_START_MS, &fd);
	if (f->d) {
		r = vhost_user_open(&f->vu, fd);
		f->used = false;
	}
	free(sock_arg);
	free(dir_arg);
	return r;
}

static void fs_why(void *ctx, char *buf, size_t len)
{
	struct fs_virtiofsd *f = ctx;
	char how[64];

	/* Its socket closes a moment before its exit can be seen. */
	for (int i = 0; f->d && i < VIRTIOFSD_EXIT_WAIT_MS / 10; i++) {
		if (daemon_exited(f->d, how, sizeof(how))) {
			snprintf(buf, len, "virtiofsd exited (%s)", how);
			return;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	snprintf(buf, len, "virtiofsd failed (%s)", f->vu.why[0] ? f->vu.why : "not started");
}

/*
 * A new driver (a reboot in place, or the guest's driver reset the device):
 * virtiofsd keeps the old driver's FUSE session, so it gets a new daemon.
 */
static int restart(struct fs_virtiofsd *f)
{
	vhost_user_close(&f->vu);
	daemon_stop(f->d);
	f->d = NULL;
	return spawn(f);
}

static int fs_start(void *ctx, struct virtio_dev *vd)
{
	struct fs_virtiofsd *f = ctx;
	struct vhost_user_ring rings[VIRTIO_MAX_QUEUES];
	unsigned int n = 0;

	if (f->used && restart(f) < 0)
		return -1;
	f->used = true;
	for (unsigned int q = 0; q < vd->ops->nr_queues; q++) {
		const struct virtq *vq = &vd->vqs[q];
		struct vhost_user_ring *r = &rings[n];

		if (!vq->ready)
			continue;
		if (virtio_kvm_queue_fds(vd, q, &r->kick, &r->call) < 0) {
			snprintf(f->vu.why, sizeof(f->vu.why), "queue %u has no eventfds", q);
			return -1;
		}
		r->index = q;
		r->num = vq->num;
		r->base = vq->last_avail;
		r->desc = (u64)(uintptr_t)vq->desc;
		r->avail = (u64)(uintptr_t)vq->avail;
		r->used = (u64)(uintptr_t)vq->used;
		n++;
	}
	return vhost_user_start(&f->vu, vd->driver_features, vd->mem, rings, n);
}

static int fs_stop(void *ctx, struct virtio_dev *vd)
{
	return vhost_user_stop(&((struct fs_virtiofsd *)ctx)->vu);
}

static int fs_poll_fd(void *ctx, short *events)
{
	struct fs_virtiofsd *f = ctx;

	*events = POLLIN;
	return f->vu.dead ? -1 : f->vu.fd;
}

static int fs_ready(void *ctx, short revents)
{
	return vhost_user_check(&((struct fs_virtiofsd *)ctx)->vu);
}

static void fs_exit(void *ctx)
{
	struct fs_virtiofsd *f = ctx;

	vhost_user_close(&f->vu);
	daemon_stop(f->d);
	free(f->prog);
	free(f->sock);
	free(f);
}

struct device *fs_virtiofsd_create(struct vm *vm, const struct fs_opt *o, int index)
{
	static const char *const dirs[] = { "/usr/libexec", "/usr/lib/qemu", NULL };
	struct fs_virtiofsd *f = xzalloc(sizeof(*f));
	struct virtio_fs_backend be = {
		.ctx = f, .start = fs_start, .stop = fs_stop, .poll_fd = fs_poll_fd,
		.ready = fs_ready, .why = fs_why, .exit = fs_exit,
	};
	struct device *dev;

	f->o = o;
	f->index = index;
	f->vu.fd = -1;
	if (vm->mem.fd < 0) {
		pr_err("--fs %s: guest RAM is not shareable with virtiofsd", o->dir);
		goto fail;
	}
	f->prog = daemon_find("virtiofsd", dirs, "virtiofsd");
	if (!f->prog)
		goto fail;
	if (spawn(f) < 0) {
		if (f->d)
			pr_err("--fs %s: virtiofsd: %s", o->dir, f->vu.why);
		goto fail;
	}
	be.features = f->vu.features;
	dev = virtio_fs_create(&vm->mem, vm_alloc_virtio_window(vm), vm_alloc_irq(vm), o->tag, &be);
	if (dev)
		return dev;
fail:
	fs_exit(f);
	return NULL;
}
