// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (virtio 1.2, 5.1): one receive and one transmit queue, no control
 * queue.  Frames go to a back end the glue supplies (struct
 * virtio_net_backend: a tap, passt).  Received frames are read straight into
 * the driver's buffers: for a back end that cannot say how long the next
 * frame is (a tap), the device first gathers room for the largest frame the
 * driver's features allow.  The back end's calls that move frames run with
 * the device lock dropped, so a vCPU touching the registers never waits for
 * them, and every back end fd is non-blocking: a full ring or a dead back end
 * stops the flow, never a thread.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "lkvm/virtio.h"

#define RXQ			0
#define TXQ			1

#define VIRTIO_NET_S_LINK_UP	1

#define HDR			VIRTIO_NET_HDR_SIZE
#define HDR_NUM_BUFFERS		10
#define ETH_HLEN		14
/* Ethernet with a VLAN tag at a 1500-byte MTU; with TSO, a 64 KiB IP packet's frame. */
#define FRAME_MAX		(1514 + 4)
#define FRAME_MAX_GSO		65550
/* What one received frame may span: readv's limit. */
#define RX_IOV_MAX		1024

#define CFG_MAC			0
#define CFG_STATUS		6
#define CFG_SIZE		8

#define F(b)			BIT(VIRTIO_NET_F_##b)

struct virtio_net {
	struct virtio_dev vdev;		/* first: the whole struct is freed as one */
	struct virtio_net_backend be;
	char name[16];
	u8 config[CFG_SIZE];
	bool dead;		/* the back end failed: link down, the guest's frames dropped */
	bool hup;		/* its fd hung up: stop polling it, drain what it still holds */
	bool rx_starved;	/* too little room for a frame: wait for a kick, not for the fd */
	bool tx_blocked;	/* the back end takes no more now: wait for POLLOUT */
	bool tx_held;		/* tx_req was popped and is not sent yet */
	struct ratelimit rl;
	struct virtq_req req;	/* receive chains are popped through this */
	struct virtq_req tx_req;
	/* The receive chains gathered for one frame, and their writable buffers in order. */
	u16 rx_head[VIRTIO_ROUND_CHAINS];
	u32 rx_len[VIRTIO_ROUND_CHAINS];
	struct iovec rx_iov[RX_IOV_MAX];
	struct iovec slice[RX_IOV_MAX];	/* the same past the header, for raw back ends */
};

enum rx_result {
	RX_DONE,	/* a frame delivered or dropped: go on */
	RX_IDLE,	/* no frame, no room, or the back end is gone: wait */
	RX_MORE,	/* the round's budget is spent: go on in the next round */
	RX_BROKEN,	/* the driver broke the ring */
};

/* Why gathering receive chains stopped. */
enum gather_end {
	G_ROOM,		/* enough room */
	G_EMPTY,	/* the ring has no more chains now */
	G_BUDGET,	/* the round's budget of chains is spent */
	G_LIMIT,	/* as many chains (or buffers) as one frame may take */
	G_BAD,		/* the next chain is unusable; it is dealt with first next time */
	G_BROKEN,
};

static struct virtio_net *to_net(struct virtio_dev *vd)
{
	return container_of(vd, struct virtio_net, vdev);
}

static bool has(const struct virtio_net *n, u64 f)
{
	return n->vdev.driver_features & f;
}

/* The back end is gone for good: the link goes down and the driver hears of it. */
static void backend_dead(struct virtio_net *n)
{
	struct virtio_dev *vd = &n->vdev;

	if (n->dead)
		return;
	n->dead = true;
	n->tx_blocked = false;
	le_put(n->config + CFG_STATUS, 2, 0);
	if (vd->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_mmio_config_changed(vd);
	else
		vd->config_generation++;
}

/*
 * Pop receive chains until they hold @need bytes, at most @cap of them.
 * Their heads, lengths and writable buffers go to n->rx_*; *@k counts them,
 * *@room their bytes, *@nr_iov their buffers.  A chain that cannot take a
 * frame is returned at once with length 0 (counted in *@pushed, with the
 * chains a round may return).
 */
static enum gather_end rx_gather(struct virtio_net *n, unsigned int cap, u64 need,
				 unsigned int *k, u64 *room, unsigned int *nr_iov,
				 unsigned int *pushed)
{
	struct virtq *vq = &n->vdev.vqs[RXQ];
	struct virtq_req *req = &n->req;

	*k = 0;
	*room = 0;
	*nr_iov = 0;
	while (*room < need) {
		int r;

		if (*pushed + *k >= VIRTIO_ROUND_CHAINS)
			return G_BUDGET;
		if (*k >= cap)
			return G_LIMIT;
		r = virtq_pop(vq, req);
		if (r < 0)
			return G_BROKEN;
		if (!r)
			return G_EMPTY;
		if (!req->in_len) {
			pr_warn_ratelimited(&n->rl, "%s: receive chain %u has no writable buffer",
					    n->name, req->head);
			return G_BROKEN;
		}
		if (*k && *nr_iov + req->nr_in > RX_IOV_MAX) {
			virtq_unpop(vq, 1);
			return G_LIMIT;
		}
		if (req->nr_out || req->in_len < HDR) {
			if (*k) {
				/* Keep the chains in ring order: this one starts the next frame. */
				virtq_unpop(vq, 1);
				return G_BAD;
			}
			pr_warn_ratelimited(&n->rl, "%s: receive chain %u has readable buffers or "
					    "no room for the header (%llu bytes); returned unused",
					    n->name, req->head, (unsigned long long)req->in_len);
			virtq_push(vq, req->head, 0);
			++*pushed;
			continue;
		}
		memcpy(n->rx_iov + *nr_iov, req->iov + req->nr_out, req->nr_in * sizeof(struct iovec));
		*nr_iov += req->nr_in;
		n->rx_head[*k] = req->head;
		n->rx_len[*k] = (u32)req->in_len;
		*room += req->in_len;
		++*k;
	}
	return G_ROOM;
}

/* Drop the back end's next frame, which no buffer the driver gives can take. */
static void rx_drop(struct virtio_net *n, ssize_t len)
{
	pr_warn_ratelimited(&n->rl, "%s: a received frame of %zd bytes does not fit the driver's "
			    "buffers; dropped", n->name, len);
	n->be.recv(n->be.ctx, NULL, 0);
}

/* One frame from the back end into the driver's receive buffers. */
static enum rx_result rx_frame(struct virtio_net *n, unsigned int *pushed)
{
	struct virtio_dev *vd = &n->vdev;
	struct virtq *vq = &vd->vqs[RXQ];
	const struct virtio_net_backend *be = &n->be;
	bool mrg = has(n, F(MRG_RXBUF)), gso = has(n, F(GUEST_TSO4) | F(GUEST_TSO6));
	/*
	 * With mergeable buffers a frame of any size fits (a guest whose MTU
	 * passt's DHCP raised takes 64 KiB frames); but room is gathered up
	 * front for the largest only when the driver takes GSO frames.
	 */
	u64 max = HDR + (mrg || gso ? FRAME_MAX_GSO : FRAME_MAX);
	u64 need = HDR + (gso ? FRAME_MAX_GSO : FRAME_MAX), room;
	unsigned int k, nr_iov, used;
	ssize_t len = 0, r, left;
	enum gather_end end;
	u8 hdr[HDR] = { 0 };
	u32 gen;

	if (be->peek) {
		len = be->peek(be->ctx);
		if (len == -EAGAIN)
			return RX_IDLE;
		if (len < 0) {
			backend_dead(n);
			return RX_IDLE;
		}
		if (len) {
			need = (u64)len + (be->vnet_hdr ? 0 : HDR);
			if (need > max) {
				rx_drop(n, len);
				return RX_DONE;
			}
		}
	}
	end = rx_gather(n, mrg ? VIRTIO_ROUND_CHAINS : 1, need, &k, &room, &nr_iov, pushed);
	if (end == G_BROKEN) {
		virtq_unpop(vq, (u16)k);
		return RX_BROKEN;
	}
	if (end == G_EMPTY && k == vq->num)
		end = G_LIMIT;	/* the whole ring is ours and still short: it will not grow */
	if (!k || (room < need && end != G_LIMIT)) {
		virtq_unpop(vq, (u16)k);
		if (end != G_EMPTY)
			return RX_MORE;
		/* virtq_pop() asked for a kick when the driver adds buffers. */
		n->rx_starved = true;
		return RX_IDLE;
	}
	if (room < need && len) {
		/* Known too long for all the driver can give: it would block the queue for ever. */
		virtq_unpop(vq, (u16)k);
		rx_drop(n, len);
		return RX_DONE;
	}
	/* An unknown length: take what fits; the back end drops a longer frame. */

	gen = virtio_mmio_io_begin(vd);
	pthread_mutex_unlock(&vd->lock);
	if (be->vnet_hdr) {
		r = be->recv(be->ctx, n->rx_iov, nr_iov);
	} else {
		size_t got;
		unsigned int ns = virtq_iov_slice(n->rx_iov, nr_iov, HDR, room - HDR, n->slice,
						  &got);

		r = be->recv(be->ctx, n->slice, ns);
		if (r >= 0)
			r += HDR;
	}
	pthread_mutex_lock(&vd->lock);
	if (!virtio_mmio_io_end(vd, gen))
		return RX_IDLE;		/* reset meanwhile: the chains are the driver's again */
	if (r == -EAGAIN) {
		virtq_unpop(vq, (u16)k);
		return RX_IDLE;
	}
	if (r == -EMSGSIZE || (r >= 0 && ((u64)r > room || r < HDR))) {
		virtq_unpop(vq, (u16)k);
		pr_warn_ratelimited(&n->rl, "%s: a received frame (%zd bytes) did not fit %llu "
				    "bytes of buffers; dropped", n->name, r,
				    (unsigned long long)room);
		return RX_DONE;
	}
	if (r < 0) {
		virtq_unpop(vq, (u16)k);
		backend_dead(n);
		return RX_IDLE;
	}
	for (used = 0, left = r; used < k && left > 0; used++)
		left -= min_t(ssize_t, left, n->rx_len[used]);
	if (be->vnet_hdr)
		virtq_iov_to_buf(n->rx_iov, nr_iov, 0, hdr, HDR);
	/* A raw frame gets a header saying nothing: no checksum to do, no GSO. */
	le_put(hdr + HDR_NUM_BUFFERS, 2, used);
	virtq_buf_to_iov(n->rx_iov, nr_iov, 0, hdr, HDR);
	for (unsigned int i = 0; i < used; i++) {
		u32 take = (u32)min_t(ssize_t, r, n->rx_len[i]);

		virtq_push(vq, n->rx_head[i], take);
		r -= take;
	}
	virtq_unpop(vq, (u16)(k - used));
	*pushed += used;
	return RX_DONE;
}

static bool rx_process(struct virtio_net *n)
{
	unsigned int pushed = 0, frames;
	enum rx_result res = RX_DONE;

	n->rx_starved = false;
	if (n->dead)
		return false;
	for (frames = 0; frames < VIRTIO_ROUND_CHAINS && res == RX_DONE && !n->dead; frames++)
		res = rx_frame(n, &pushed);
	if (res == RX_BROKEN)
		virtio_mmio_fail(&n->vdev);
	if (pushed)
		virtio_mmio_signal(&n->vdev, RXQ);
	return res == RX_MORE || (res == RX_DONE && !n->dead);
}

/* Send the held chain: 0 done (sent or dropped), -EAGAIN keep it, -ECANCELED reset meanwhile. */
static int tx_send(struct virtio_net *n)
{
	struct virtio_dev *vd = &n->vdev;
	const struct virtio_net_backend *be = &n->be;
	struct virtq_req *req = &n->tx_req;
	const struct iovec *iov = req->iov;
	unsigned int cnt = req->nr_out;
	u32 gen;
	int r;

	if (n->dead)
		return 0;
	if (req->nr_in || req->out_len < HDR + ETH_HLEN || req->out_len > HDR + FRAME_MAX_GSO) {
		pr_warn_ratelimited(&n->rl, "%s: transmit chain %u: %llu bytes%s; dropped",
				    n->name, req->head, (unsigned long long)req->out_len,
				    req->nr_in ? " and writable buffers" : "");
		return 0;
	}
	if (!be->vnet_hdr) {
		size_t got;

		cnt = virtq_iov_slice(req->iov, req->nr_out, HDR, req->out_len - HDR,
				      n->slice, &got);
		iov = n->slice;
	}
	gen = virtio_mmio_io_begin(vd);
	pthread_mutex_unlock(&vd->lock);
	r = be->send(be->ctx, iov, cnt);
	pthread_mutex_lock(&vd->lock);
	if (!virtio_mmio_io_end(vd, gen))
		return -ECANCELED;
	if (r == -EAGAIN)
		return -EAGAIN;
	if (r < 0)
		backend_dead(n);
	return 0;
}

static bool tx_process(struct virtio_net *n)
{
	struct virtio_dev *vd = &n->vdev;
	struct virtq *vq = &vd->vqs[TXQ];
	bool pushed = false, more = true;

	if (n->tx_blocked)
		return false;
	for (unsigned int i = 0; i < VIRTIO_ROUND_CHAINS; i++) {
		int r;

		if (!n->tx_held) {
			r = virtq_pop(vq, &n->tx_req);
			if (r < 0)
				virtio_mmio_fail(vd);
			if (r <= 0) {
				more = false;
				break;
			}
			n->tx_held = true;
		}
		r = tx_send(n);
		if (r == -ECANCELED)
			return false;
		if (r == -EAGAIN) {
			n->tx_blocked = true;
			more = false;
			break;
		}
		n->tx_held = false;
		virtq_push(vq, n->tx_req.head, 0);
		pushed = true;
	}
	if (pushed)
		virtio_mmio_signal(vd, TXQ);
	return more;
}

static bool net_process(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_net *n = to_net(vd);

	return q == RXQ ? rx_process(n) : tx_process(n);
}

static int net_poll_fd(struct virtio_dev *vd, short *events)
{
	struct virtio_net *n = to_net(vd);

	if (vd->offloaded || n->dead || n->hup || n->be.fd < 0)
		return -1;
	/* With no event asked, a hang-up or an error still wakes the worker. */
	*events = 0;
	if (n->tx_blocked)
		*events |= POLLOUT;
	if (virtio_mmio_queue_live(vd, RXQ) && !n->rx_starved)
		*events |= POLLIN;
	return n->be.fd;
}

static void net_ready(struct virtio_dev *vd, short revents)
{
	struct virtio_net *n = to_net(vd);
	const struct virtio_net_backend *be = &n->be;
	int r = 0;

	if (n->dead)
		return;
	if ((revents & POLLOUT) && n->tx_blocked) {
		if (be->flush)
			r = be->flush(be->ctx);
		if (r != -EAGAIN)
			n->tx_blocked = false;
		if (r < 0 && r != -EAGAIN)
			backend_dead(n);
	}
	if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
		/* A peer that closed may have left frames behind: they are still delivered. */
		r = be->peek ? (int)be->peek(be->ctx) : -EIO;
		if (r < 0 && r != -EAGAIN) {
			if (!be->peek)
				pr_warn("%s: the back end failed (poll 0x%x); the guest's link is down",
					n->name, revents);
			backend_dead(n);
		}
		n->hup = true;
	}
}

static int net_start(struct virtio_dev *vd)
{
	struct virtio_net *n = to_net(vd);

	if (n->be.set_offloads)
		n->be.set_offloads(n->be.ctx, vd->driver_features);
	if (!n->be.start || n->dead)
		return 0;
	return n->be.start(n->be.ctx, vd);
}

static void net_stop(struct virtio_dev *vd)
{
	struct virtio_net *n = to_net(vd);

	if (n->be.stop)
		n->be.stop(n->be.ctx, vd);
}

/* The back end keeps what it holds (a partial frame out stays due): the stream must not break. */
static void net_reset(struct virtio_dev *vd)
{
	struct virtio_net *n = to_net(vd);

	n->tx_held = false;
	n->rx_starved = false;
	if (n->be.set_offloads && !n->dead)
		n->be.set_offloads(n->be.ctx, 0);
}

static void net_exit(struct virtio_dev *vd)
{
	struct virtio_net *n = to_net(vd);

	if (n->be.exit)
		n->be.exit(n->be.ctx);
}

/*
 * The whole snapshot is refused while this device exists: what the guest
 * has going through it lives outside lkvm, and a restored guest would find
 * it gone.  No snapshot lkvm writes holds one, so a load refuses too.
 */
static int net_save(struct virtio_dev *vd, struct snap_w *w, const char **why)
{
	*why = "virtio-net cannot be saved "
	       "(its tap or passt connection lies outside the snapshot)";
	return -1;
}

static int net_load(struct virtio_dev *vd, struct snap_r *r, const char **why)
{
	*why = "virtio-net cannot be restored "
	       "(its tap or passt connection lies outside the snapshot)";
	return -1;
}

static const struct virtio_dev_ops net_ops = {
	.device_id = VIRTIO_ID_NET,
	.nr_queues = 2,
	.process = net_process,
	.reset = net_reset,
	.exit = net_exit,
	.start = net_start,
	.stop = net_stop,
	.poll_fd = net_poll_fd,
	.ready = net_ready,
	.save = net_save,
	.load = net_load,
};

struct device *virtio_net_create(const struct guest_mem *mem, u64 base, struct irq_pin irq,
				 const char *name, const u8 mac[6],
				 const struct virtio_net_backend *be)
{
	struct virtio_net *n = xzalloc(sizeof(*n));

	n->be = *be;
	snprintf(n->name, sizeof(n->name), "%s", name);
	memcpy(n->config + CFG_MAC, mac, 6);
	le_put(n->config + CFG_STATUS, 2, VIRTIO_NET_S_LINK_UP);
	n->vdev.ops = &net_ops;
	n->vdev.host_features = F(MAC) | F(STATUS) | F(MRG_RXBUF) |
				(be->offloads & (F(CSUM) | F(GUEST_CSUM) | F(GUEST_TSO4) |
						 F(GUEST_TSO6) | F(HOST_TSO4) | F(HOST_TSO6)));
	n->vdev.withheld_features = be->withheld_features;
	n->vdev.config = n->config;
	n->vdev.config_size = CFG_SIZE;
	virtio_mmio_init(&n->vdev, n->name, mem, base, irq);
	return &n->vdev.dev;
}
