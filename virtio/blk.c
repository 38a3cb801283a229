// SPDX-License-Identifier: GPL-2.0
/* virtio-blk (virtio 1.2, 5.2) on a raw image file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkvm/snapshot.h"
#include "lkvm/virtio.h"

#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8

#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2

#define VIRTIO_BLK_ID_BYTES	20
#define SECTOR_SHIFT		9
#define SECTOR_SIZE		(1u << SECTOR_SHIFT)
#define BLK_HDR_SIZE		16	/* le32 type, le32 reserved, le64 sector */
/*
 * Host I/O is done this much at a time, so that a reset or lkvm's exit waits
 * for no more than one piece even when a request names gigabytes.
 */
#define BLK_IO_PIECE		(1024 * 1024)

/* Config space up to blk_size; the fields past it need features we do not offer. */
#define CFG_CAPACITY		0
#define CFG_SEG_MAX		12
#define CFG_BLK_SIZE		20
#define CFG_SIZE		24

struct virtio_blk {
	struct virtio_dev vdev;		/* first: the whole struct is freed as one */
	int fd;
	const char *path;
	bool readonly;
	u64 capacity;			/* in 512-byte sectors */
	char id[VIRTIO_BLK_ID_BYTES];
	u8 config[CFG_SIZE];
	struct virtq_req req;
	struct iovec data[VIRTQ_MAX_SEGS];
	struct ratelimit rl_req;	/* requests the driver got wrong */
	int io_errno;			/* the host I/O error last reported (said once) */
	char why[128];			/* why a snapshot was refused, for *why */
};

/* preadv/pwritev the whole of @iov (which is consumed), retrying short transfers and EINTR. */
static int rw_all(int fd, struct iovec *iov, unsigned int n, u64 off, bool write)
{
	while (n) {
		ssize_t r = write ? pwritev(fd, iov, (int)n, (off_t)off)
				  : preadv(fd, iov, (int)n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;	/* the file shrank under us */
		off += (u64)r;
		while (n && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (u8 *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/*
 * The disk failed under the guest (EIO, ENOSPC, EROFS...): the request gets
 * IOERR and lkvm goes on.  Said once for each kind of error, not once a
 * request: a guest retrying a full disk would flood the log.
 */
static void host_io_error(struct virtio_blk *b, const char *op, u64 sector, int err)
{
	if (__atomic_exchange_n(&b->io_errno, err, __ATOMIC_RELAXED) == err)
		return;
	pr_warn("%s: %s at sector %llu: %s; the guest gets I/O errors", b->path, op,
		(unsigned long long)sector, strerror(err));
}

/* Sectors [sector, sector + len / 512) must be whole sectors inside the disk. */
static bool range_ok(const struct virtio_blk *b, u64 sector, u64 len)
{
	if (len % SECTOR_SIZE)
		return false;
	return sector <= b->capacity && (len >> SECTOR_SHIFT) <= b->capacity - sector;
}

static u8 do_rw(struct virtio_blk *b, u64 sector, const struct iovec *iov, unsigned int n,
		size_t off, u64 len, bool write, u32 gen)
{
	u64 done;

	if (write && b->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (!range_ok(b, sector, len)) {
		pr_debug("virtio-blk: sectors %llu+%llu bytes beyond capacity %llu",
			 (unsigned long long)sector, (unsigned long long)len,
			 (unsigned long long)b->capacity);
		return VIRTIO_BLK_S_IOERR;
	}
	for (done = 0; done < len; done += BLK_IO_PIECE) {
		size_t piece = min_t(u64, len - done, BLK_IO_PIECE), got;
		unsigned int k;
		int r;

		if (virtio_mmio_io_cancelled(&b->vdev, gen))
			return VIRTIO_BLK_S_IOERR;
		k = virtq_iov_slice(iov, n, off + done, piece, b->data, &got);
		r = rw_all(b->fd, b->data, k, (sector << SECTOR_SHIFT) + done, write);
		if (r < 0) {
			host_io_error(b, write ? "write" : "read", sector + (done >> SECTOR_SHIFT),
				      -r);
			return VIRTIO_BLK_S_IOERR;
		}
	}
	return VIRTIO_BLK_S_OK;
}

/*
 * Serve one request (the device lock is not held); returns the bytes written
 * into the driver's buffers.
 */
static u32 blk_request(struct virtio_blk *b, const struct virtq_req *req, u32 gen)
{
	const struct iovec *out = req->iov, *in = req->iov + req->nr_out;
	u8 hdr[BLK_HDR_SIZE], status;
	u64 sector, dlen;
	u32 type, written = 0;

	/* The status byte is the last writable byte; without one there is no reply. */
	if (!req->in_len) {
		pr_warn_ratelimited(&b->rl_req, "virtio-blk: request without a status byte dropped");
		return 0;
	}
	dlen = req->in_len - 1;
	if (virtq_iov_to_buf(out, req->nr_out, 0, hdr, sizeof(hdr)) < sizeof(hdr)) {
		status = VIRTIO_BLK_S_IOERR;
		goto done;
	}
	type = (u32)le_get(hdr, 4);
	sector = le_get(hdr + 8, 8);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		status = do_rw(b, sector, in, req->nr_in, 0, dlen, false, gen);
		if (status == VIRTIO_BLK_S_OK)
			written = (u32)dlen;
		break;
	case VIRTIO_BLK_T_OUT:
		status = do_rw(b, sector, out, req->nr_out, BLK_HDR_SIZE,
			       req->out_len - BLK_HDR_SIZE, true, gen);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = VIRTIO_BLK_S_OK;
		if (fsync(b->fd) < 0) {
			host_io_error(b, "flush", 0, errno);
			status = VIRTIO_BLK_S_IOERR;
		}
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = (u32)virtq_buf_to_iov(in, req->nr_in, 0, b->id,
						min_t(u64, dlen, VIRTIO_BLK_ID_BYTES));
		status = VIRTIO_BLK_S_OK;
		break;
	default:
		pr_debug("virtio-blk: unsupported request type %u", type);
		status = VIRTIO_BLK_S_UNSUPP;
	}
done:
	virtq_buf_to_iov(in, req->nr_in, dlen, &status, 1);
	return written + 1;
}

/* Host I/O runs with the lock dropped: a vCPU reading a register never waits for the disk. */
static bool blk_process(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_blk *b = container_of(vd, struct virtio_blk, vdev);
	struct virtq *vq = &vd->vqs[q];
	int r = 0;

	for (unsigned int n = 0; n < VIRTIO_ROUND_CHAINS; n++) {
		u32 gen, len;

		r = virtq_pop(vq, &b->req);
		if (r <= 0)
			break;
		gen = virtio_mmio_io_begin(vd);
		pthread_mutex_unlock(&vd->lock);
		len = blk_request(b, &b->req, gen);
		pthread_mutex_lock(&vd->lock);
		/* Reset (or exiting) meanwhile: the ring is not ours any more. */
		if (!virtio_mmio_io_end(vd, gen))
			return false;
		virtq_push(vq, b->req.head, len);
		virtio_mmio_signal(vd, q);
	}
	if (r < 0)
		virtio_mmio_fail(vd);
	return r > 0;
}

static void blk_exit(struct virtio_dev *vd)
{
	struct virtio_blk *b = container_of(vd, struct virtio_blk, vdev);

	if (b->fd < 0)
		return;
	if (!b->readonly && fsync(b->fd) < 0)
		pr_warn("virtio-blk: fsync: %s", strerror(errno));
	close(b->fd);
	b->fd = -1;
}

/*
 * Snapshot: u8 version (1), u64 capacity in sectors, u8 read-only.  A request
 * is served within a round, so between rounds the device holds nothing else;
 * the disk's contents are the user's to keep as they were.
 */
static int blk_save(struct virtio_dev *vd, struct snap_w *w, const char **why)
{
	struct virtio_blk *b = container_of(vd, struct virtio_blk, vdev);

	snapshot_put_u8(w, 1);
	snapshot_put_u64(w, b->capacity);
	snapshot_put_u8(w, b->readonly);
	return 0;
}

static int blk_load(struct virtio_dev *vd, struct snap_r *r, const char **why)
{
	struct virtio_blk *b = container_of(vd, struct virtio_blk, vdev);
	u8 version = snapshot_get_u8(r);
	u64 capacity = snapshot_get_u64(r);
	bool readonly = snapshot_get_bool(r);

	if (!snapshot_r_ok(r) || version != 1) {
		*why = !r->bad && version != 1 ? "its disk state is of an unknown version"
					      : "its disk state is cut short or malformed";
		return -1;
	}
	/* The guest's file systems know the old size; a write past the new end would fail. */
	if (capacity != b->capacity) {
		snprintf(b->why, sizeof(b->why),
			 "the disk's size changed: %llu sectors in the snapshot, %llu now",
			 (unsigned long long)capacity, (unsigned long long)b->capacity);
		*why = b->why;
		return -1;
	}
	if (readonly != b->readonly) {
		*why = readonly ? "the disk was read-only in the snapshot, and is writable now"
				: "the disk was writable in the snapshot, and is read-only now";
		return -1;
	}
	if (virtq_in_flight(&vd->vqs[0])) {
		*why = "a queue has chains in flight the device does not hold";
		return -1;
	}
	return 0;
}

static const struct virtio_dev_ops blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = 1,
	.process = blk_process,
	.exit = blk_exit,
	.save = blk_save,
	.load = blk_load,
};

static int open_disk(const char *path, bool readonly, u64 *size)
{
	struct stat st;
	off_t end;
	int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);

	if (fd < 0) {
		pr_err("disk %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		pr_err("disk %s: not a regular file or block device", path);
		goto fail;
	}
	/* Readers share, a writer is alone: two VMs never write one disk. */
	if (flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			pr_err("disk %s: in use by another process%s", path,
			       readonly ? " for writing" : "");
		else
			pr_err("disk %s: flock: %s", path, strerror(errno));
		goto fail;
	}
	/* lseek, not st_size, so block devices report their size too. */
	end = lseek(fd, 0, SEEK_END);
	if (end < 0) {
		pr_err("disk %s: %s", path, strerror(errno));
		goto fail;
	}
	*size = (u64)end;
	return fd;
fail:
	close(fd);
	return -1;
}

struct device *virtio_blk_create(const struct guest_mem *mem, u64 base, struct irq_pin irq,
				 const char *path, bool readonly)
{
	struct virtio_blk *b;
	const char *name;
	u64 size;
	int fd = open_disk(path, readonly, &size);

	if (fd < 0)
		return NULL;
	if (size % SECTOR_SIZE)
		pr_warn("disk %s: size is not a multiple of 512; the tail is not visible", path);

	b = xzalloc(sizeof(*b));
	b->fd = fd;
	b->path = path;
	b->readonly = readonly;
	b->capacity = size >> SECTOR_SHIFT;
	/* The serial the guest sees (/sys/block/vdX/serial): the file's name. */
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	memcpy(b->id, name, strnlen(name, sizeof(b->id)));

	le64_put(b->config + CFG_CAPACITY, b->capacity);
	/* Header and status take two descriptors of a chain. */
	le32_put(b->config + CFG_SEG_MAX, VIRTQ_MAX_SEGS - 2);
	le32_put(b->config + CFG_BLK_SIZE, SECTOR_SIZE);

	b->vdev.ops = &blk_ops;
	b->vdev.config = b->config;
	b->vdev.config_size = CFG_SIZE;
	b->vdev.host_features = BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_BLK_SIZE) |
				BIT(VIRTIO_BLK_F_FLUSH) | (readonly ? BIT(VIRTIO_BLK_F_RO) : 0);
	virtio_mmio_init(&b->vdev, "virtio-blk", mem, base, irq);
	return &b->vdev.dev;
}
