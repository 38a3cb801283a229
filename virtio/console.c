// SPDX-License-Identifier: GPL-2.0
/* virtio-console (virtio 1.2, 5.3): one port, no MULTIPORT, no resize. */
#include <errno.h>
#include <string.h>

#include "lkvm/virtio.h"

#define RXQ	0	/* host -> guest */
#define TXQ	1	/* guest -> host */

struct virtio_console {
	struct virtio_dev vdev;		/* first: the whole struct is freed as one */
	int out_fd;
	bool out_failed, in_dropped;
	size_t in_len;
	u8 in[VIRTIO_CONSOLE_INBUF];	/* host input the guest has no buffers for yet */
	struct virtq_req req;
};

static struct virtio_console *to_console(struct virtio_dev *vd)
{
	return container_of(vd, struct virtio_console, vdev);
}

/* Hand buffered input to the guest while it has receive buffers. */
static void rx_flush(struct virtio_console *c)
{
	struct virtio_dev *vd = &c->vdev;
	struct virtq *vq = &vd->vqs[RXQ];
	bool pushed = false;
	int r = 0;

	if (!virtio_mmio_queue_live(vd, RXQ))
		return;
	while (c->in_len && (r = virtq_pop(vq, &c->req)) > 0) {
		size_t n = virtq_buf_to_iov(c->req.iov + c->req.nr_out, c->req.nr_in, 0, c->in, c->in_len);

		memmove(c->in, c->in + n, c->in_len - n);
		c->in_len -= n;
		virtq_push(vq, c->req.head, (u32)n);
		pushed = true;
	}
	if (r < 0)
		virtio_mmio_fail(vd);
	if (pushed)
		virtio_mmio_signal(vd, RXQ);
	if (!c->in_len)
		c->in_dropped = false;
}

static void tx(struct virtio_console *c)
{
	struct virtio_dev *vd = &c->vdev;
	struct virtq *vq = &vd->vqs[TXQ];
	int r;

	while ((r = virtq_pop(vq, &c->req)) > 0) {
		for (unsigned int i = 0; i < c->req.nr_out; i++) {
			if (util_write_all(c->out_fd, c->req.iov[i].iov_base, c->req.iov[i].iov_len) < 0 &&
			    !c->out_failed) {
				/* Once: a closed terminal must not flood the log. */
				pr_warn("virtio-console: output: %s", strerror(errno));
				c->out_failed = true;
			}
		}
		virtq_push(vq, c->req.head, 0);
	}
	if (r < 0)
		virtio_mmio_fail(vd);
	virtio_mmio_signal(vd, TXQ);
}

static void console_notify(struct virtio_dev *vd, unsigned int q)
{
	if (q == TXQ)
		tx(to_console(vd));
	else
		rx_flush(to_console(vd));
}

void virtio_console_receive(struct device *dev, const u8 *buf, size_t len)
{
	struct virtio_console *c = to_console(virtio_mmio_dev(dev));
	size_t room, n;

	pthread_mutex_lock(&c->vdev.lock);
	room = sizeof(c->in) - c->in_len;
	n = min_t(size_t, len, room);
	if (n)
		memcpy(c->in + c->in_len, buf, n);
	c->in_len += n;
	if (n < len && !c->in_dropped) {
		pr_warn("virtio-console: guest is not reading input; dropping");
		c->in_dropped = true;
	}
	rx_flush(c);
	pthread_mutex_unlock(&c->vdev.lock);
}

/*
 * A reset keeps buffered input: Linux resets the device first thing when it
 * probes it, and what was typed during boot should still arrive.
 */
static const struct virtio_dev_ops console_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.notify = console_notify,
};

struct device *virtio_console_create(const struct guest_mem *mem, u64 base, struct irq_pin irq,
				     int out_fd)
{
	struct virtio_console *c = xzalloc(sizeof(*c));

	c->out_fd = out_fd;
	c->vdev.ops = &console_ops;
	virtio_mmio_init(&c->vdev, "virtio-console", mem, base, irq);
	return &c->vdev.dev;
}
