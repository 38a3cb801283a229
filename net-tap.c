// SPDX-License-Identifier: GPL-2.0
/*
 * A virtio-net NIC on a tap device (-n mode=tap).  The tap carries the
 * 12-byte virtio-net header itself (IFF_VNET_HDR), so frames move between the
 * tap and the guest's buffers with no copy in lkvm and the guest's checksum
 * and segmentation offloads pass straight through.  With vhost=1 the kernel
 * moves them instead (vhost-net: the rings and guest RAM handed to it, kicks
 * and interrupts through the queues' eventfds); lkvm falls back to its own
 * data path when vhost-net cannot be had.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/vhost.h>

#include "lkvm/net-tap.h"
#include "lkvm/virtio.h"
#include "lkvm/virtio-kvm.h"

#define TAP_OFFLOADS	(BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) | \
			 BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) | \
			 BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6))
#define RING_FEATURES	(BIT(VIRTIO_RING_F_INDIRECT_DESC) | BIT(VIRTIO_RING_F_EVENT_IDX))

struct net_tap {
	const struct guest_mem *mem;
	char name[16];
	char ifname[IFNAMSIZ];
	int fd;
	int vhost_fd;		/* -1: lkvm's own data path */
	u64 vhost_features;
	bool vhost_running;
	bool offload_failed;
};

static void tap_set_offloads(void *ctx, u64 f)
{
	struct net_tap *t = ctx;
	unsigned int tun = 0;

	if (f & BIT(VIRTIO_NET_F_GUEST_CSUM)) {
		tun |= TUN_F_CSUM;
		if (f & BIT(VIRTIO_NET_F_GUEST_TSO4))
			tun |= TUN_F_TSO4;
		if (f & BIT(VIRTIO_NET_F_GUEST_TSO6))
			tun |= TUN_F_TSO6;
	}
	if (ioctl(t->fd, TUNSETOFFLOAD, tun) < 0 && !t->offload_failed) {
		pr_warn("%s: tap '%s': TUNSETOFFLOAD 0x%x: %s", t->name, t->ifname, tun,
			strerror(errno));
		t->offload_failed = true;
	}
}

static int tap_dead(struct net_tap *t, const char *op, int err)
{
	pr_warn("%s: tap '%s': %s: %s; the guest's link is down", t->name, t->ifname, op,
		strerror(err));
	return -EPIPE;
}

static int tap_send(void *ctx, const struct iovec *iov, unsigned int n)
{
	struct net_tap *t = ctx;

	for (;;) {
		if (writev(t->fd, iov, (int)n) >= 0)
			return 0;
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			return -EAGAIN;
		case EBADFD:
			return tap_dead(t, "write", errno);
		default:
			/* A frame the tap refused (bad header, interface down): lost, as on a wire. */
			return 0;
		}
	}
}

static ssize_t tap_recv(void *ctx, const struct iovec *iov, unsigned int n)
{
	struct net_tap *t = ctx;
	u8 scratch[1];
	struct iovec drop = { scratch, sizeof(scratch) };

	if (!n) {
		/* Too short for the header: the tap drops the frame. */
		iov = &drop;
		n = 1;
	}
	for (;;) {
		ssize_t r = readv(t->fd, iov, (int)n);

		if (r >= 0)
			return r;
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			return -EAGAIN;
		case EFAULT:
		case EINVAL:
		case EMSGSIZE:
			/* Longer than the buffers: the tap dropped it. */
			return -EMSGSIZE;
		default:
			return tap_dead(t, "read", errno);
		}
	}
}

static void vhost_close(struct net_tap *t)
{
	if (t->vhost_fd >= 0)
		close(t->vhost_fd);
	t->vhost_fd = -1;
}

/* Give the queues back to lkvm: the kernel stops touching the rings. */
static void vhost_stop_queues(struct net_tap *t, unsigned int nr)
{
	for (unsigned int q = 0; q < nr; q++) {
		struct vhost_vring_file be = { .index = q, .fd = -1 };
		struct vhost_vring_state st = { .index = q };

		if (ioctl(t->vhost_fd, VHOST_NET_SET_BACKEND, &be) < 0 ||
		    ioctl(t->vhost_fd, VHOST_GET_VRING_BASE, &st) < 0)
			pr_warn("%s: vhost-net: stopping queue %u: %s", t->name, q, strerror(errno));
	}
}

static int vhost_queue(struct net_tap *t, struct virtio_dev *vd, unsigned int q,
		       const char **what)
{
	const struct virtq *vq = &vd->vqs[q];
	struct vhost_vring_state num = { .index = q, .num = vq->num };
	struct vhost_vring_state base = { .index = q, .num = vq->last_avail };
	struct vhost_vring_addr addr = {
		.index = q,
		.desc_user_addr = (u64)(uintptr_t)vq->desc,
		.used_user_addr = (u64)(uintptr_t)vq->used,
		.avail_user_addr = (u64)(uintptr_t)vq->avail,
	};
	struct vhost_vring_file kick = { .index = q }, call = { .index = q };
	struct vhost_vring_file be = { .index = q, .fd = t->fd };

	*what = "queue eventfds";
	if (virtio_kvm_queue_fds(vd, q, &kick.fd, &call.fd) < 0)
		return -1;
	*what = "VHOST_SET_VRING_NUM";
	if (ioctl(t->vhost_fd, VHOST_SET_VRING_NUM, &num) < 0)
		return -1;
	*what = "VHOST_SET_VRING_BASE";
	if (ioctl(t->vhost_fd, VHOST_SET_VRING_BASE, &base) < 0)
		return -1;
	*what = "VHOST_SET_VRING_ADDR";
	if (ioctl(t->vhost_fd, VHOST_SET_VRING_ADDR, &addr) < 0)
		return -1;
	*what = "VHOST_SET_VRING_KICK";
	if (ioctl(t->vhost_fd, VHOST_SET_VRING_KICK, &kick) < 0)
		return -1;
	*what = "VHOST_SET_VRING_CALL";
	if (ioctl(t->vhost_fd, VHOST_SET_VRING_CALL, &call) < 0)
		return -1;
	*what = "VHOST_NET_SET_BACKEND";
	return ioctl(t->vhost_fd, VHOST_NET_SET_BACKEND, &be);
}

/* DRIVER_OK (lock held): the kernel takes both queues, or lkvm serves them from now on. */
static int tap_start(void *ctx, struct virtio_dev *vd)
{
	struct net_tap *t = ctx;
	struct {
		struct vhost_memory m;
		struct vhost_memory_region r;
	} mt = { { .nregions = 1 }, {
		.guest_phys_addr = t->mem->start,
		.memory_size = t->mem->size,
		.userspace_addr = (u64)(uintptr_t)t->mem->host,
	} };
	u64 f = vd->driver_features & t->vhost_features;
	const char *what = "VHOST_SET_FEATURES";
	unsigned int q = 0;
	int kick, call;

	if (t->vhost_fd < 0)
		return 0;
	/* A driver that left a queue off: lkvm's path copes with that, simply. */
	if (!vd->vqs[0].ready || !vd->vqs[1].ready)
		return 0;
	if (ioctl(t->vhost_fd, VHOST_SET_FEATURES, &f) < 0)
		goto fail;
	what = "VHOST_SET_MEM_TABLE";
	if (ioctl(t->vhost_fd, VHOST_SET_MEM_TABLE, &mt) < 0)
		goto fail;
	for (q = 0; q < 2; q++)
		if (vhost_queue(t, vd, q, &what) < 0)
			goto fail;
	t->vhost_running = true;
	/* A kick the guest sent before the hand-over went to lkvm: say it again. */
	for (q = 0; q < 2; q++)
		if (virtio_kvm_queue_fds(vd, q, &kick, &call) == 0 &&
		    write(kick, &(u64){ 1 }, sizeof(u64)) < 0)
			pr_debug("%s: kick eventfd: %s", t->name, strerror(errno));
	return 1;
fail:
	pr_warn("%s: vhost-net unavailable (%s: %s): using lkvm's own data path", t->name, what,
		strerror(errno));
	vhost_stop_queues(t, q);
	vhost_close(t);
	return 0;
}

static void tap_stop(void *ctx, struct virtio_dev *vd)
{
	struct net_tap *t = ctx;

	if (!t->vhost_running)
		return;
	vhost_stop_queues(t, 2);
	t->vhost_running = false;
}

static void tap_exit(void *ctx)
{
	struct net_tap *t = ctx;

	vhost_close(t);
	close(t->fd);
	free(t);
}

/* vhost-net, or a warning and lkvm's own data path. */
static void vhost_open(struct net_tap *t)
{
	const char *what = "/dev/vhost-net";

	t->vhost_fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	if (t->vhost_fd < 0)
		goto fail;
	what = "VHOST_SET_OWNER";
	if (ioctl(t->vhost_fd, VHOST_SET_OWNER) < 0)
		goto fail;
	what = "VHOST_GET_FEATURES";
	if (ioctl(t->vhost_fd, VHOST_GET_FEATURES, &t->vhost_features) < 0)
		goto fail;
	return;
fail:
	pr_warn("%s: vhost-net unavailable (%s: %s): using lkvm's own data path", t->name, what,
		strerror(errno));
	vhost_close(t);
}

static int tap_open(struct net_tap *t, const struct net_opt *o)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = VIRTIO_NET_HDR_SIZE;
	const char *shown = o->tapif[0] ? o->tapif : "(new)";

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		pr_err("%s: cannot open tap: /dev/net/tun: %s", t->name, strerror(errno));
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->tapif);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		if (errno == EPERM || errno == EACCES)
			pr_err("cannot open tap '%s': %s (needs CAP_NET_ADMIN or a tap owned by "
			       "you: ip tuntap add %s mode tap user $USER)", shown, strerror(errno),
			       o->tapif[0] ? o->tapif : "NAME");
		else
			pr_err("cannot open tap '%s': %s", shown, strerror(errno));
		return -1;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		pr_err("%s: tap '%s': TUNSETVNETHDRSZ: %s", t->name, t->ifname, strerror(errno));
		return -1;
	}
	return 0;
}

/* The host end: its MAC when asked, and up (a tap one only owns cannot be brought up: said). */
static int tap_host_side(struct net_tap *t, const struct net_opt *o)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (s < 0) {
		pr_err("%s: socket: %s", t->name, strerror(errno));
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->ifname);
	if (o->has_host_mac) {
		ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		memcpy(ifr.ifr_hwaddr.sa_data, o->host_mac, 6);
		if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0) {
			pr_err("%s: tap '%s': setting host_mac: %s", t->name, t->ifname,
			       strerror(errno));
			r = -1;
		}
	}
	if (!r && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			pr_info("%s: tap '%s' is down and lkvm cannot bring it up (%s)", t->name,
				t->ifname, strerror(errno));
	}
	close(s);
	return r;
}

struct device *net_tap_create(struct vm *vm, const struct net_opt *o, int index)
{
	struct net_tap *t = xzalloc(sizeof(*t));
	struct virtio_net_backend be = {
		.ctx = t,
		.vnet_hdr = true,
		.offloads = TAP_OFFLOADS,
		.send = tap_send,
		.recv = tap_recv,
		.set_offloads = tap_set_offloads,
		.start = tap_start,
		.stop = tap_stop,
		.exit = tap_exit,
	};

	t->mem = &vm->mem;
	t->fd = -1;
	t->vhost_fd = -1;
	snprintf(t->name, sizeof(t->name), "net%d", index);
	if (tap_open(t, o) < 0 || tap_host_side(t, o) < 0) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		return NULL;
	}
	if (o->vhost)
		vhost_open(t);
	be.fd = t->fd;
	/* The driver may only use ring features the kernel's data path knows. */
	if (t->vhost_fd >= 0)
		be.withheld_features = RING_FEATURES & ~t->vhost_features;
	pr_info("%s: tap '%s', %s data path", t->name, t->ifname,
		t->vhost_fd >= 0 ? "vhost-net (in-kernel)" : "lkvm's own");
	return virtio_net_create(&vm->mem, vm_alloc_virtio_window(vm), vm_alloc_irq(vm), t->name,
				 o->guest_mac, &be);
}
