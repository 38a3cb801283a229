// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM side of virtio: every virtio device does its work on a thread of
 * its own, never on a vCPU thread or the main thread.  A queue notification
 * is a guest write that KVM turns into an eventfd signal without leaving the
 * guest (ioeventfd), and a used-buffer interrupt is an eventfd signal KVM
 * turns into an edge on the device's SPI (irqfd).  The worker serves the
 * device a round at a time (virtio_mmio_work(): bounded work per round) and
 * checks between rounds whether lkvm is exiting, so a guest that keeps its
 * device busy never makes lkvm deaf.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lkvm/virtio-kvm.h"
#include "lkvm/virtio.h"

struct virtio_kvm {
	struct vm *vm;
	struct virtio_dev *vd;
	int kick_fd;		/* the worker's wake-up: ioeventfd and lkvm's own kicks */
	int irq_fd;		/* routed to the device's SPI, or -1 (KVM_IRQ_LINE pulses) */
	pthread_t thread;
	bool started;
	struct virtio_kvm *next;
};

static void signal_fd(int fd)
{
	u64 one = 1;

	/* An eventfd write fails only when the counter would overflow: it is signalled anyway. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		pr_warn("virtio: eventfd write: %s", strerror(errno));
}

static void kick(struct virtio_dev *vd)
{
	signal_fd(((struct virtio_kvm *)vd->worker)->kick_fd);
}

static void irqfd_set(void *ctx, u32 spi, bool level)
{
	if (level)
		signal_fd(((struct virtio_kvm *)ctx)->irq_fd);
}

static void *worker(void *arg)
{
	struct virtio_kvm *w = arg;
	bool more = false;

	for (;;) {
		struct pollfd pfd = { .fd = w->kick_fd, .events = POLLIN };
		u64 cnt;

		/* With work left from the last round, only look whether lkvm is exiting. */
		if (!more && poll(&pfd, 1, -1) < 0 && errno != EINTR)
			pr_warn("%s: poll: %s", w->vd->dev.name, strerror(errno));
		if (read(w->kick_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			pr_warn("%s: eventfd read: %s", w->vd->dev.name, strerror(errno));
		if (atomic_load(&w->vd->stopping))
			return NULL;
		more = virtio_mmio_work(w->vd);
	}
}

int virtio_kvm_add(struct vm *vm, struct device *dev)
{
	struct virtio_dev *vd = virtio_mmio_dev(dev);
	struct virtio_kvm *w = xzalloc(sizeof(*w));

	w->vm = vm;
	w->vd = vd;
	w->irq_fd = -1;
	w->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->kick_fd < 0) {
		pr_err("%s: eventfd: %s", dev->name, strerror(errno));
		free(w);
		return -1;
	}
	/* Without ioeventfd a notification exits to lkvm, which only signals the same fd. */
	for (unsigned int q = 0; q < vd->ops->nr_queues; q++)
		if (vm_ioeventfd(vm, dev->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, q, w->kick_fd) < 0) {
			pr_info("%s: no ioeventfd (%s): queue notifications exit to lkvm",
				dev->name, strerror(errno));
			break;
		}
	vd->worker = w;
	vd->kick = kick;
	w->next = vm->virtio;
	vm->virtio = w;
	return 0;
}

int virtio_kvm_start_all(struct vm *vm)
{
	for (struct virtio_kvm *w = vm->virtio; w; w = w->next) {
		struct device *dev = &w->vd->dev;
		char name[16];
		int r;

		/* irqfds need the vGIC initialised, hence here rather than at add time. */
		w->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (w->irq_fd >= 0 && vm_irqfd(vm, dev->irq.spi, w->irq_fd) == 0) {
			dev->irq.set = irqfd_set;
			dev->irq.ctx = w;
		} else {
			pr_info("%s: no irqfd (%s): interrupts through KVM_IRQ_LINE", dev->name,
				strerror(errno));
			if (w->irq_fd >= 0)
				close(w->irq_fd);
			w->irq_fd = -1;
		}
		/* "virtio-blk" -> "lkvm-blk" */
		snprintf(name, sizeof(name), "lkvm-%s",
			 strncmp(dev->name, "virtio-", 7) ? dev->name : dev->name + 7);
		r = util_thread_start(&w->thread, worker, w, name);
		if (r) {
			pr_err("%s: cannot start its thread: %s", dev->name, strerror(r));
			return -1;
		}
		w->started = true;
	}
	return 0;
}

void virtio_kvm_stop_all(struct vm *vm)
{
	for (struct virtio_kvm *w = vm->virtio; w; w = w->next) {
		virtio_mmio_stop(w->vd);
		signal_fd(w->kick_fd);
	}
	for (struct virtio_kvm *w = vm->virtio; w; w = w->next)
		if (w->started) {
			pthread_join(w->thread, NULL);
			w->started = false;
		}
}
