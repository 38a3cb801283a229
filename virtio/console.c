// SPDX-License-Identifier: GPL-2.0
/* virtio-console (virtio 1.2, 5.3): one port, no MULTIPORT, no resize. */
#include <errno.h>
#include <string.h>

#include "lkvm/snapshot.h"
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
 * Snapshot: u8 version (1), u32 length and the host input the guest has not
 * taken yet, u8 whether a transmit chain is part written, and if so u16 its
 * head and u64 how much of it is out.  That chain stays popped between
 * rounds; the restored device takes it from the ring again and goes on from
 * there.
 */
static int console_save(struct virtio_dev *vd, struct snap_w *w, const char **why)
{
	struct virtio_console *c = to_console(vd);

	snapshot_put_u8(w, 1);
	snapshot_put_u32(w, (u32)c->in_len);
	snapshot_put(w, c->in, c->in_len);
	snapshot_put_u8(w, c->tx_busy);
	if (c->tx_busy) {
		snapshot_put_u16(w, c->tx_req.head);
		snapshot_put_u64(w, c->tx_off);
	}
	return 0;
}

static int console_load(struct virtio_dev *vd, struct snap_r *r, const char **why)
{
	struct virtio_console *c = to_console(vd);
	struct virtq *txq = &vd->vqs[TXQ];
	u8 version = snapshot_get_u8(r);
	u32 in_len = snapshot_get_u32(r);
	const u8 *in;
	bool tx_busy;
	u16 head;
	u64 tx_off;
	size_t keep;

	if (!r->bad && version == 1 && in_len > VIRTIO_CONSOLE_INBUF) {
		*why = "it holds more input than the console keeps";
		return -1;
	}
	in = snapshot_get_ptr(r, in_len);
	tx_busy = snapshot_get_bool(r);
	head = tx_busy ? snapshot_get_u16(r) : 0;
	tx_off = tx_busy ? snapshot_get_u64(r) : 0;
	if (!snapshot_r_ok(r) || version != 1) {
		*why = !r->bad && version != 1 ? "its console state is of an unknown version"
					      : "its console state is cut short or malformed";
		return -1;
	}
	if (virtq_in_flight(&vd->vqs[RXQ]) || virtq_in_flight(txq) != tx_busy) {
		*why = "a queue has chains in flight the device does not hold";
		return -1;
	}
	/* Output goes out a piece at a time: a chain stays part written only between pieces. */
	if (tx_busy && (!tx_off || tx_off % TX_PIECE)) {
		*why = "its output stopped inside a piece";
		return -1;
	}
	if (tx_busy) {
		/* The guest's RAM is the snapshot's: the chain is where it was. */
		virtq_unpop(txq, 1);
		if (virtq_pop(txq, &c->tx_req) != 1 || c->tx_req.head != head ||
		    tx_off >= c->tx_req.out_len) {
			*why = "its transmit chain in flight is not in the ring";
			return -1;
		}
		c->tx_busy = true;
		c->tx_off = tx_off;
	}
	/* Input typed into this lkvm before the load comes after the snapshot's. */
	keep = min_t(size_t, c->in_len, sizeof(c->in) - in_len);
	memmove(c->in + in_len, c->in, keep);
	if (in_len)
		memcpy(c->in, in, in_len);
	c->in_len = in_len + keep;
	return 0;
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
	.save = console_save,
	.load = console_load,
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
