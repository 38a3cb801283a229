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
	int wake_fd;		/* the worker's wake-up: lkvm's own kicks, and exit */
	/*
	 * Queue notifications (ioeventfds).  One eventfd per queue, read by a
	 * back end outside lkvm while the device is offloaded, when the device
	 * has one (ops->start); otherwise every queue shares wake_fd.
	 */
	int kick_fd[VIRTIO_MAX_QUEUES];
	int call_fd[VIRTIO_MAX_QUEUES];	/* the back end's used-buffer signals, or -1 */
	int irq_fd;		/* routed to the device's SPI, or -1 (KVM_IRQ_LINE pulses) */
	pthread_t thread;
	bool started;
	bool was_offloaded;	/* the worker's view at its last wait */
	/* Under park_lock: asked to stop between rounds (a snapshot), and stopped. */
	bool park, parked;
	struct virtio_kvm *next;
};

static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;

/*
 * Between two rounds the device has no chain in hand: what a snapshot
 * saves is whole.  Wait there while asked.
 */
static void park_if_asked(struct virtio_kvm *w)
{
	pthread_mutex_lock(&park_lock);
	if (w->park) {
		w->parked = true;
		pthread_cond_broadcast(&park_cond);
		while (w->park && !atomic_load(&w->vd->stopping))
			pthread_cond_wait(&park_cond, &park_lock);
		w->parked = false;
	}
	pthread_mutex_unlock(&park_lock);
}

static void signal_fd(int fd)
{
	u64 one = 1;

	/* An eventfd write fails only when the counter would overflow: it is signalled anyway. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		pr_warn("virtio: eventfd write: %s", strerror(errno));
}

/* Was @fd signalled?  Reads (clears) it. */
static bool drain_fd(struct virtio_kvm *w, int fd)
{
	u64 cnt;

	if (read(fd, &cnt, sizeof(cnt)) == sizeof(cnt))
		return true;
	if (errno != EAGAIN)
		pr_warn("%s: eventfd read: %s", w->vd->dev.name, strerror(errno));
	return false;
}

static void kick(struct virtio_dev *vd, int q)
{
	struct virtio_kvm *w = vd->worker;

	signal_fd(q >= 0 && q < VIRTIO_MAX_QUEUES ? w->kick_fd[q] : w->wake_fd);
}

static void irqfd_set(void *ctx, u32 spi, bool level)
{
	if (level)
		signal_fd(((struct virtio_kvm *)ctx)->irq_fd);
}

static bool own_queue_fds(const struct virtio_kvm *w)
{
	return w->vd->ops->start != NULL;
}

/*
 * What the worker waits on: its wake-up, the queues' notifications (or,
 * while a back end serves them, that back end's used-buffer signals), and
 * any fd the device names.  Returns the count; *@extra is the device's slot.
 */
static unsigned int wait_set(struct virtio_kvm *w, struct pollfd *pfd, bool *offloaded, int *extra)
{
	struct virtio_dev *vd = w->vd;
	unsigned int n = 0, nq = vd->ops->nr_queues;
	short ev = POLLIN;
	int fd = -1;

	pthread_mutex_lock(&vd->lock);
	*offloaded = vd->offloaded;
	if (vd->ops->poll_fd && !vd->exited)
		fd = vd->ops->poll_fd(vd, &ev);
	pthread_mutex_unlock(&vd->lock);
	/*
	 * A back end has just taken the queues: a notification the worker
	 * read while it still waited on them was the back end's.  Every queue
	 * gets one (a spurious one only makes it look at an empty ring).
	 */
	if (*offloaded && !w->was_offloaded)
		for (unsigned int q = 0; q < nq; q++)
			signal_fd(w->kick_fd[q]);
	w->was_offloaded = *offloaded;

	pfd[n++] = (struct pollfd){ .fd = w->wake_fd, .events = POLLIN };
	for (unsigned int q = 0; own_queue_fds(w) && q < nq; q++)
		pfd[n++] = (struct pollfd){ .fd = *offloaded ? w->call_fd[q] : w->kick_fd[q],
					    .events = POLLIN };
	*extra = -1;
	if (fd >= 0) {
		*extra = (int)n;
		pfd[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	return n;
}

static void *worker(void *arg)
{
	struct virtio_kvm *w = arg;
	struct virtio_dev *vd = w->vd;
	bool more = false;

	for (;;) {
		struct pollfd pfd[2 + VIRTIO_MAX_QUEUES];
		bool offloaded, called = false;
		unsigned int n;
		int extra;

		n = wait_set(w, pfd, &offloaded, &extra);
		/* With work left from the last round, only look what else is there. */
		if (poll(pfd, n, more ? 0 : -1) < 0 && errno != EINTR)
			pr_warn("%s: poll: %s", vd->dev.name, strerror(errno));
		/* Only what poll said is ready: a back end reads the kick fds it was given. */
		for (unsigned int i = 0; i < n; i++)
			if ((int)i != extra && (pfd[i].revents & POLLIN) && drain_fd(w, pfd[i].fd) &&
			    i > 0 && offloaded)
				called = true;
		if (atomic_load(&vd->stopping))
			return NULL;
		park_if_asked(w);
		if (called || (extra >= 0 && pfd[extra].revents)) {
			pthread_mutex_lock(&vd->lock);
			if (called && vd->offloaded)
				virtio_mmio_interrupt(vd);
			if (extra >= 0 && pfd[extra].revents && vd->ops->ready)
				vd->ops->ready(vd, pfd[extra].revents);
			pthread_mutex_unlock(&vd->lock);
		}
		more = virtio_mmio_work(vd);
	}
}

static int new_eventfd(const char *name)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		pr_err("%s: eventfd: %s", name, strerror(errno));
	return fd;
}

int virtio_kvm_add(struct vm *vm, struct device *dev)
{
	struct virtio_dev *vd = virtio_mmio_dev(dev);
	struct virtio_kvm *w = xzalloc(sizeof(*w));
	unsigned int nq = vd->ops->nr_queues;

	w->vm = vm;
	w->vd = vd;
	w->irq_fd = -1;
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		w->kick_fd[q] = w->call_fd[q] = -1;
	w->wake_fd = new_eventfd(dev->name);
	if (w->wake_fd < 0)
		return -1;
	for (unsigned int q = 0; q < nq; q++) {
		w->kick_fd[q] = own_queue_fds(w) ? new_eventfd(dev->name) : w->wake_fd;
		w->call_fd[q] = own_queue_fds(w) ? new_eventfd(dev->name) : -1;
		if (w->kick_fd[q] < 0 || (own_queue_fds(w) && w->call_fd[q] < 0))
			return -1;
	}
	/* Without ioeventfd a notification exits to lkvm, which only signals the same fd. */
	for (unsigned int q = 0; q < nq; q++)
		if (vm_ioeventfd(vm, dev->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, q, w->kick_fd[q]) < 0) {
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

int virtio_kvm_queue_fds(struct virtio_dev *vd, unsigned int q, int *kick_fd, int *call_fd)
{
	struct virtio_kvm *w = vd->worker;

	if (!w || !own_queue_fds(w) || q >= vd->ops->nr_queues)
		return -1;
	*kick_fd = w->kick_fd[q];
	*call_fd = w->call_fd[q];
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

void virtio_kvm_park_all(struct vm *vm)
{
	pthread_mutex_lock(&park_lock);
	for (struct virtio_kvm *w = vm->virtio; w; w = w->next) {
		w->park = true;
		signal_fd(w->wake_fd);
	}
	for (struct virtio_kvm *w = vm->virtio; w; w = w->next)
		while (w->started && !w->parked)
			pthread_cond_wait(&park_cond, &park_lock);
	pthread_mutex_unlock(&park_lock);
}

void virtio_kvm_unpark_all(struct vm *vm)
{
	pthread_mutex_lock(&park_lock);
	for (struct virtio_kvm *w = vm->virtio; w; w = w->next)
		w->park = false;
	pthread_cond_broadcast(&park_cond);
	pthread_mutex_unlock(&park_lock);
}

void virtio_kvm_stop_all(struct vm *vm)
{
	for (struct virtio_kvm *w = vm->virtio; w; w = w->next) {
		virtio_mmio_stop(w->vd);
		signal_fd(w->wake_fd);
	}
	/* A parked worker wakes to see it must stop. */
	pthread_mutex_lock(&park_lock);
	pthread_cond_broadcast(&park_cond);
	pthread_mutex_unlock(&park_lock);
	for (struct virtio_kvm *w = vm->virtio; w; w = w->next)
		if (w->started) {
			pthread_join(w->thread, NULL);
			w->started = false;
		}
}
