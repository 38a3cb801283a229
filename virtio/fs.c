// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-fs (virtio 1.2, 5.11) whose requests a back end outside lkvm serves
 * (virtiofsd over vhost-user).  lkvm only hands the queues over at DRIVER_OK
 * and takes them back at reset.  When the back end dies the guest is not left
 * waiting for ever: lkvm takes the rings back and answers every request with
 * EIO, until lkvm exits.
 */
#include <stdio.h>
#include <string.h>

#include "lkvm/virtio.h"

#define FS_Q_HIPRIO		0
#define FS_Q_REQUEST		1

/* struct fuse_in_header: len, opcode, unique, nodeid, uid, gid, pid, extlen, pad. */
#define FUSE_IN_HDR_SIZE	40
#define FUSE_IN_UNIQUE		8
/* struct fuse_out_header: len, error, unique. */
#define FUSE_OUT_HDR_SIZE	16
#define FS_EIO			5

/* Config: char tag[36], le32 num_request_queues. */
#define CFG_NUM_QUEUES		VIRTIO_FS_TAG_MAX
#define CFG_SIZE		(VIRTIO_FS_TAG_MAX + 4)

struct virtio_fs {
	struct virtio_dev vdev;		/* first: the whole struct is freed as one */
	struct virtio_fs_backend be;
	char tag[VIRTIO_FS_TAG_MAX + 1];
	u8 config[CFG_SIZE];
	bool dead;			/* the back end is gone: lkvm answers, with EIO */
	struct virtq_req req;
	struct ratelimit rl_req;	/* requests the driver got wrong */
};

static struct virtio_fs *to_fs(struct virtio_dev *vd)
{
	return container_of(vd, struct virtio_fs, vdev);
}

/*
 * Said once: from now on lkvm serves the rings (@serve: unless the driver is
 * resetting the device).  What the back end took but never answered is taken
 * again (virtq_resume), so no request hangs.
 */
static void backend_died(struct virtio_fs *fs, bool serve)
{
	struct virtio_dev *vd = &fs->vdev;
	char why[160] = "";

	if (fs->dead)
		return;
	fs->dead = true;
	if (fs->be.why)
		fs->be.why(fs->be.ctx, why, sizeof(why));
	pr_err("virtio-fs %s: %s; the guest's requests fail with EIO", fs->tag,
	       why[0] ? why : "the back end failed");
	if (!serve)
		return;
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		virtq_resume(&vd->vqs[q]);
	vd->offloaded = false;
	virtio_mmio_kick(vd);
}

static int fs_start(struct virtio_dev *vd)
{
	struct virtio_fs *fs = to_fs(vd);

	if (fs->dead)
		return 0;
	if (fs->be.start(fs->be.ctx, vd) == 0)
		return 1;
	/* Not offloaded yet: the transport sets offloaded from our 0. */
	backend_died(fs, true);
	return 0;
}

static void fs_stop(struct virtio_dev *vd)
{
	struct virtio_fs *fs = to_fs(vd);

	/* The driver is resetting the device: its buffers are not ours to answer. */
	if (!fs->dead && fs->be.stop(fs->be.ctx, vd) < 0)
		backend_died(fs, false);
}

static int fs_poll_fd(struct virtio_dev *vd, short *events)
{
	struct virtio_fs *fs = to_fs(vd);

	if (fs->dead || !fs->be.poll_fd)
		return -1;
	return fs->be.poll_fd(fs->be.ctx, events);
}

static void fs_ready(struct virtio_dev *vd, short revents)
{
	struct virtio_fs *fs = to_fs(vd);

	if (!fs->dead && fs->be.ready && fs->be.ready(fs->be.ctx, revents) < 0)
		backend_died(fs, true);
}

/* The answer to one request-queue chain: the bytes written into it. */
static u32 eio_reply(struct virtio_fs *fs, const struct virtq_req *req)
{
	const struct iovec *in = req->iov + req->nr_out;
	u8 hdr[FUSE_IN_HDR_SIZE], out[FUSE_OUT_HDR_SIZE];

	if (virtq_iov_to_buf(req->iov, req->nr_out, 0, hdr, sizeof(hdr)) < sizeof(hdr)) {
		pr_warn_ratelimited(&fs->rl_req, "virtio-fs %s: request shorter than its header",
				    fs->tag);
		return 0;
	}
	/* A request that wants no answer (FORGET, say) has no room for one. */
	if (!req->in_len)
		return 0;
	if (req->in_len < FUSE_OUT_HDR_SIZE) {
		pr_warn_ratelimited(&fs->rl_req, "virtio-fs %s: reply buffer of %llu bytes",
				    fs->tag, (unsigned long long)req->in_len);
		return 0;
	}
	le32_put(out, FUSE_OUT_HDR_SIZE);
	le32_put(out + 4, (u32)-FS_EIO);
	memcpy(out + 8, hdr + FUSE_IN_UNIQUE, 8);
	return (u32)virtq_buf_to_iov(in, req->nr_in, 0, out, sizeof(out));
}

/* Only while the back end is dead: the transport gives offloaded queues to nobody else. */
static bool fs_process(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_fs *fs = to_fs(vd);
	struct virtq *vq = &vd->vqs[q];
	int r = 0;

	for (unsigned int n = 0; n < VIRTIO_ROUND_CHAINS; n++) {
		u32 len = 0;

		r = virtq_pop(vq, &fs->req);
		if (r <= 0)
			break;
		if (q == FS_Q_REQUEST)
			len = eio_reply(fs, &fs->req);
		virtq_push(vq, fs->req.head, len);
	}
	virtio_mmio_signal(vd, q);
	if (r < 0)
		virtio_mmio_fail(vd);
	return r > 0;
}

static void fs_exit(struct virtio_dev *vd)
{
	struct virtio_fs *fs = to_fs(vd);

	if (fs->be.exit)
		fs->be.exit(fs->be.ctx);
}

/*
 * The whole snapshot is refused while this device exists: what the guest
 * has going through it lives outside lkvm, and a restored guest would find
 * it gone.  No snapshot lkvm writes holds one, so a load refuses too.
 */
static int fs_save(struct virtio_dev *vd, struct snap_w *w, const char **why)
{
	*why = "virtio-fs cannot be saved "
	       "(virtiofsd's open files and FUSE session live outside lkvm)";
	return -1;
}

static int fs_load(struct virtio_dev *vd, struct snap_r *r, const char **why)
{
	*why = "virtio-fs cannot be restored "
	       "(virtiofsd's open files and FUSE session live outside lkvm)";
	return -1;
}

static const struct virtio_dev_ops fs_ops = {
	.device_id = VIRTIO_ID_FS,
	.nr_queues = 2,
	.process = fs_process,
	.exit = fs_exit,
	.start = fs_start,
	.stop = fs_stop,
	.poll_fd = fs_poll_fd,
	.ready = fs_ready,
	.save = fs_save,
	.load = fs_load,
};

bool virtio_fs_tag_ok(const char *tag)
{
	size_t n = strlen(tag);

	return n > 0 && n <= VIRTIO_FS_TAG_MAX;
}

struct device *virtio_fs_create(const struct guest_mem *mem, u64 base, struct irq_pin irq,
				const char *tag, const struct virtio_fs_backend *be)
{
	const u64 transport = BIT(VIRTIO_RING_F_INDIRECT_DESC) | BIT(VIRTIO_RING_F_EVENT_IDX);
	struct virtio_fs *fs;

	if (!virtio_fs_tag_ok(tag)) {
		pr_err("virtio-fs: tag '%s' must be 1 to %d bytes", tag, VIRTIO_FS_TAG_MAX);
		return NULL;
	}
	/* The rings' layout and the guest's view of them are virtio 1's. */
	if (!(be->features & BIT(VIRTIO_F_VERSION_1))) {
		pr_err("virtio-fs %s: the back end does not offer VIRTIO_F_VERSION_1", tag);
		return NULL;
	}
	fs = xzalloc(sizeof(*fs));
	fs->be = *be;
	snprintf(fs->tag, sizeof(fs->tag), "%s", tag);
	/* Not NUL-terminated when it fills the field (virtio 1.2, 5.11.4). */
	memcpy(fs->config, tag, strlen(tag));
	le32_put(fs->config + CFG_NUM_QUEUES, 1);

	fs->vdev.ops = &fs_ops;
	fs->vdev.config = fs->config;
	fs->vdev.config_size = CFG_SIZE;
	/* No device feature: VIRTIO_FS_F_NOTIFICATION needs a queue lkvm does not have. */
	fs->vdev.host_features = 0;
	fs->vdev.withheld_features = transport & ~be->features;
	virtio_mmio_init(&fs->vdev, "virtio-fs", mem, base, irq);
	return &fs->vdev.dev;
}
