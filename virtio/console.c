// SPDX-License-Identifier: GPL-2.0
/* virtio-console (virtio 1.2, 5.3): one port, no MULTIPORT, no resize. */
#include <errno.h>
#include <string.h>

#include "lkvm/virtio.h"

#define RXQ	0	/* host -> guest */
#define TXQ	1	/* guest -> host */

/*
 * Guest output goes out this much at a time, copied out of the chain with the
 * lock held and written without it.  A chain can name gigabytes; a round
 * writes one piece of it.
 */
#define TX_PIECE	4096

struct virtio_console {
	struct virtio_dev vdev;		/* first: the whole struct is freed as one */
	int out_fd;
	bool out_failed, in_dropped;
	size_t in_len;
	u8 in[VIRTIO_CONSOLE_INBUF];	/* host input the guest has no buffers for yet */
	struct virtq_req rx_req;
	/* The transmit chain being written out (worker only; a reset drops it). */
	struct virtq_req tx_req;
	bool tx_busy;
	struct ratelimit rl;
	u64 tx_off;
	u8 tx_piece[TX_PIECE];
};

static struct virtio_console *to_console(struct virtio_dev *vd)
{
	return container_of(vd, struct virtio_console, vdev);
}

/* Hand buffered input to the guest while it has receive buffers: one round. */
static bool rx_round(struct virtio_console *c)
{
	struct virtio_dev *vd = &c->vdev;
	struct virtq *vq = &vd->vqs[RXQ];
	struct virtq_req *req = &c->rx_req;
	bool pushed = false;
	int r = 0;

	for (unsigned int n = 0; n < VIRTIO_ROUND_CHAINS && c->in_len; n++) {
		size_t len;

		r = virtq_pop(vq, req);
		if (r <= 0)
			break;
		if (!req->in_len) {
			/* A receive buffer the device cannot write: the driver is broken. */
			pr_warn_ratelimited(&c->rl, "virtio-console: receive chain %u has no "
					    "writable buffer", req->head);
			r = -1;
			break;
		}
		len = virtq_buf_to_iov(req->iov + req->nr_out, req->nr_in, 0, c->in, c->in_len);
		memmove(c->in, c->in + len, c->in_len - len);
		c->in_len -= len;
		virtq_push(vq, req->head, (u32)len);
		pushed = true;
	}
	if (r < 0)
		virtio_mmio_fail(vd);
	if (pushed)
		virtio_mmio_signal(vd, RXQ);
	if (!c->in_len)
		c->in_dropped = false;
	return r > 0 && c->in_len;
}

/*
 * One round of output: the next piece of the current chain, written with the
 * lock dropped (a terminal nobody reads must not hold up the vCPUs or the
 * main thread), then the chain returned once it is all out.
 */
static bool tx_round(struct virtio_console *c)
{
	struct virtio_dev *vd = &c->vdev;
	struct virtq *vq = &vd->vqs[TXQ];
	struct virtq_req *req = &c->tx_req;
	size_t len;
	u32 gen;
	int r;

	if (!c->tx_busy) {
		r = virtq_pop(vq, req);
		if (r < 0)
			virtio_mmio_fail(vd);
		if (r <= 0)
			return false;
		c->tx_busy = true;
		c->tx_off = 0;
	}
	len = virtq_iov_to_buf(req->iov, req->nr_out, c->tx_off, c->tx_piece, TX_PIECE);
	c->tx_off += len;
	if (len && !c->out_failed) {
		gen = atomic_load(&vd->reset_gen);
		pthread_mutex_unlock(&vd->lock);
		r = util_write_all_until(c->out_fd, c->tx_piece, len, &vd->stopping);
		pthread_mutex_lock(&vd->lock);
		if (r < 0 && errno != ECANCELED && !c->out_failed) {
			/* Once: a closed terminal must not flood the log. */
			pr_warn("virtio-console: output: %s", strerror(errno));
			c->out_failed = true;
		}
		/* A reset while we wrote took the chain back (and cleared tx_busy). */
		if (atomic_load(&vd->reset_gen) != gen)
			return false;
	}
	if (len == TX_PIECE && c->tx_off < req->out_len)
		return true;
	c->tx_busy = false;
	virtq_push(vq, req->head, 0);
	virtio_mmio_signal(vd, TXQ);
	return true;
}

static bool console_process(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_console *c = to_console(vd);

	if (q == RXQ)
		return rx_round(c);
	/* Chains of output, a round's worth. */
	for (unsigned int n = 0; n < VIRTIO_ROUND_CHAINS; n++)
		if (!tx_round(c))
			return false;
	return true;
}

static void console_reset(struct virtio_dev *vd)
{
	to_console(vd)->tx_busy = false;
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
	if (virtio_mmio_queue_live(&c->vdev, RXQ))
		virtio_mmio_kick(&c->vdev);
	pthread_mutex_unlock(&c->vdev.lock);
}

/*
 * A reset keeps buffered input: Linux resets the device first thing when it
 * probes it, and what was typed during boot should still arrive.
 */
static const struct virtio_dev_ops console_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.process = console_process,
	.reset = console_reset,
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
