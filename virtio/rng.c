// SPDX-License-Identifier: GPL-2.0
/* virtio-rng (virtio 1.2, 5.4): entropy from getrandom(). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "lkvm/virtio.h"

/* A request may be shorter than asked: cap the work one kick can demand. */
#define RNG_MAX_PER_REQ		(64 * 1024)

struct virtio_rng {
	struct virtio_dev vdev;		/* first: the whole struct is freed as one */
	struct virtq_req req;
};

static size_t fill(void *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = getrandom((u8 *)p + done, len - done, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			pr_warn("virtio-rng: getrandom: %s", strerror(errno));
			break;
		}
		done += (size_t)r;
	}
	return done;
}

static bool rng_process(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_rng *rng = container_of(vd, struct virtio_rng, vdev);
	struct virtq_req *req = &rng->req;
	struct virtq *vq = &vd->vqs[q];
	int r = 0;

	for (unsigned int n = 0; n < VIRTIO_ROUND_CHAINS && (r = virtq_pop(vq, req)) > 0; n++) {
		size_t total = 0;

		for (unsigned int i = req->nr_out; i < req->nr_out + req->nr_in; i++) {
			size_t want = min_t(size_t, req->iov[i].iov_len, RNG_MAX_PER_REQ - total);
			size_t got = fill(req->iov[i].iov_base, want);

			total += got;
			if (got < want || total == RNG_MAX_PER_REQ)
				break;
		}
		virtq_push(vq, req->head, (u32)total);
	}
	if (r < 0)
		virtio_mmio_fail(vd);
	virtio_mmio_signal(vd, q);
	return r > 0;
}

static const struct virtio_dev_ops rng_ops = {
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.process = rng_process,
};

struct device *virtio_rng_create(const struct guest_mem *mem, u64 base, struct irq_pin irq)
{
	struct virtio_rng *rng = xzalloc(sizeof(*rng));

	rng->vdev.ops = &rng_ops;
	virtio_mmio_init(&rng->vdev, "virtio-rng", mem, base, irq);
	return &rng->vdev.dev;
}
