// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues (virtio 1.2, 2.7).  The driver runs on other vCPUs while we
 * walk its rings, and it may be hostile: every index, length and address read
 * from guest memory is read once, into a local, and checked before use.
 */
#include <endian.h>
#include <string.h>

#include "lkvm/le.h"
#include "lkvm/snapshot.h"
#include "lkvm/virtio.h"

/* Byte offsets inside the rings. */
#define AVAIL_FLAGS		0
#define AVAIL_IDX		2
#define AVAIL_RING(i)		(4 + 2 * (size_t)(i))
#define USED_IDX		2
#define USED_RING(i)		(4 + 8 * (size_t)(i))

struct desc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

/*
 * Ring indices and flags live in memory the guest writes concurrently: these
 * are single atomic accesses, not byte copies (le.h).
 */
static u16 load16(const u8 *p)
{
	return le16toh(__atomic_load_n((const u16 *)p, __ATOMIC_RELAXED));
}

static void store16(u8 *p, u16 v)
{
	__atomic_store_n((u16 *)p, htole16(v), __ATOMIC_RELAXED);
}

static void store32(u8 *p, u32 v)
{
	__atomic_store_n((u32 *)p, htole32(v), __ATOMIC_RELAXED);
}

/*
 * Indirect tables need not be aligned, so copy the descriptor out; the barrier
 * stops the compiler from going back to guest memory for a field after the
 * checks (the guest may have changed it meanwhile).
 */
static struct desc read_desc(const u8 *table, u32 i)
{
	u8 raw[VIRTQ_DESC_SIZE];
	struct desc d;

	memcpy(raw, table + (size_t)i * VIRTQ_DESC_SIZE, sizeof(raw));
	__asm__ __volatile__("" ::: "memory");
	d.addr = le64_get(raw);
	d.len = le32_get(raw + 8);
	d.flags = le16_get(raw + 12);
	d.next = le16_get(raw + 14);
	return d;
}

void virtq_reset(struct virtq *vq)
{
	/* A driver that breaks the ring and resets, again and again, is still limited. */
	struct ratelimit rl = vq->rl;

	memset(vq, 0, sizeof(*vq));
	vq->rl = rl;
	vq->num = VIRTQ_MAX_SIZE;
}

void virtq_resume(struct virtq *vq)
{
	if (!vq->ready)
		return;
	/*
	 * What the back end took but never returned is taken again: the
	 * driver is still waiting for it, and an answer (even an error) is
	 * better than none.
	 */
	vq->used_idx = le16toh(__atomic_load_n((u16 *)(vq->used + USED_IDX), __ATOMIC_ACQUIRE));
	vq->last_avail = vq->used_idx;
	vq->signalled_used = vq->used_idx;
	vq->pushed = false;
}

/* Why a queue's layout cannot be used, if it cannot. */
enum ring_fault {
	RINGS_OK,
	RINGS_SIZE,
	RINGS_ALIGN,
	RINGS_OUTSIDE,
};

/* Check the layout in @vq and point it at the rings; nothing else changes. */
static enum ring_fault map_rings(struct virtq *vq, const struct guest_mem *mem)
{
	u16 n = vq->num;

	if (!n || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return RINGS_SIZE;
	/* Alignment the spec requires; it also keeps the atomic ring accesses aligned. */
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3))
		return RINGS_ALIGN;
	/* The trailing u16 of each ring is used_event / avail_event. */
	vq->desc = gmem_ptr(mem, vq->desc_gpa, (u64)n * VIRTQ_DESC_SIZE);
	vq->avail = gmem_ptr(mem, vq->avail_gpa, AVAIL_RING(n) + 2);
	vq->used = gmem_ptr(mem, vq->used_gpa, USED_RING(n) + 2);
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->desc = vq->avail = vq->used = NULL;
		return RINGS_OUTSIDE;
	}
	vq->mem = mem;
	return RINGS_OK;
}

int virtq_enable(struct virtq *vq, const struct guest_mem *mem, bool event_idx, bool indirect)
{
	switch (map_rings(vq, mem)) {
	case RINGS_OK:
		break;
	case RINGS_SIZE:
		pr_warn_ratelimited(&vq->rl, "virtio: queue size %u is not a power of two up to %u",
				    vq->num, VIRTQ_MAX_SIZE);
		return -1;
	case RINGS_ALIGN:
		pr_warn_ratelimited(&vq->rl,
				    "virtio: misaligned rings (desc 0x%llx avail 0x%llx used 0x%llx)",
			(unsigned long long)vq->desc_gpa, (unsigned long long)vq->avail_gpa,
			(unsigned long long)vq->used_gpa);
		return -1;
	case RINGS_OUTSIDE:
		pr_warn_ratelimited(&vq->rl,
				    "virtio: rings outside guest RAM (desc 0x%llx avail 0x%llx used 0x%llx)",
			(unsigned long long)vq->desc_gpa, (unsigned long long)vq->avail_gpa,
			(unsigned long long)vq->used_gpa);
		return -1;
	}
	vq->event_idx = event_idx;
	vq->indirect = indirect;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->pushed = false;
	vq->broken = false;
	vq->ready = true;
	return 0;
}

void virtq_save(const struct virtq *vq, struct snap_w *w)
{
	snapshot_put_u16(w, vq->num);
	snapshot_put_u8(w, vq->ready);
	snapshot_put_u64(w, vq->desc_gpa);
	snapshot_put_u64(w, vq->avail_gpa);
	snapshot_put_u64(w, vq->used_gpa);
	snapshot_put_u8(w, vq->event_idx);
	snapshot_put_u8(w, vq->indirect);
	snapshot_put_u16(w, vq->last_avail);
	snapshot_put_u16(w, vq->used_idx);
	snapshot_put_u16(w, vq->signalled_used);
	snapshot_put_u8(w, vq->pushed);
	snapshot_put_u8(w, vq->broken);
}

int virtq_load(struct virtq *vq, const struct guest_mem *mem, struct snap_r *r, const char **why)
{
	struct virtq q = { .rl = vq->rl };

	q.num = snapshot_get_u16(r);
	q.ready = snapshot_get_bool(r);
	q.desc_gpa = snapshot_get_u64(r);
	q.avail_gpa = snapshot_get_u64(r);
	q.used_gpa = snapshot_get_u64(r);
	q.event_idx = snapshot_get_bool(r);
	q.indirect = snapshot_get_bool(r);
	q.last_avail = snapshot_get_u16(r);
	q.used_idx = snapshot_get_u16(r);
	q.signalled_used = snapshot_get_u16(r);
	q.pushed = snapshot_get_bool(r);
	q.broken = snapshot_get_bool(r);
	if (r->bad) {
		*why = "its state is cut short or malformed";
		return -1;
	}
	/* A queue not yet enabled holds whatever size the driver wrote, up to the maximum. */
	if (q.num > VIRTQ_MAX_SIZE) {
		*why = "a queue is larger than the device offers";
		return -1;
	}
	if (q.ready) {
		switch (map_rings(&q, mem)) {
		case RINGS_OK:
			break;
		case RINGS_SIZE:
			*why = "a live queue's size is not a power of two";
			return -1;
		case RINGS_ALIGN:
			*why = "a live queue's rings are misaligned";
			return -1;
		case RINGS_OUTSIDE:
			*why = "a live queue's rings lie outside guest RAM";
			return -1;
		}
		if ((u16)(q.last_avail - q.used_idx) > q.num) {
			*why = "a queue has more chains in flight than it holds";
			return -1;
		}
	}
	*vq = q;
	return 0;
}

u16 virtq_in_flight(const struct virtq *vq)
{
	return vq->ready ? (u16)(vq->last_avail - vq->used_idx) : 0;
}

static int broken(struct virtq *vq, const char *why, u64 a, u64 b)
{
	pr_warn_ratelimited(&vq->rl, "virtio: bad descriptor chain: %s (0x%llx, 0x%llx); "
			    "queue needs reset", why, (unsigned long long)a, (unsigned long long)b);
	vq->broken = true;
	return -1;
}

/* Append one buffer; readable ones must all come before writable ones. */
static int add_seg(struct virtq *vq, struct virtq_req *req, const struct desc *d)
{
	unsigned int n = req->nr_out + req->nr_in;
	void *p;

	if (n >= VIRTQ_MAX_SEGS)
		return broken(vq, "chain too long", n, VIRTQ_MAX_SEGS);
	p = gmem_ptr(vq->mem, d->addr, d->len);
	if (!p)
		return broken(vq, "buffer outside RAM (addr, len)", d->addr, d->len);
	req->iov[n].iov_base = p;
	req->iov[n].iov_len = d->len;
	if (d->flags & VIRTQ_DESC_F_WRITE) {
		req->nr_in++;
		req->in_len += d->len;
	} else {
		if (req->nr_in)
			return broken(vq, "readable buffer after writable one", n, 0);
		req->nr_out++;
		req->out_len += d->len;
	}
	/* The used ring reports lengths in 32 bits. */
	if (req->in_len > UINT32_MAX || req->out_len > UINT32_MAX)
		return broken(vq, "chain longer than 4 GiB", n, 0);
	return 0;
}

/* Walk an indirect table; it may not chain further out or nest. */
static int walk_indirect(struct virtq *vq, struct virtq_req *req, const struct desc *ind)
{
	const u8 *table;
	u32 n, i = 0, steps;

	if (!vq->indirect)
		return broken(vq, "indirect descriptor not negotiated", req->head, 0);
	if (ind->flags & VIRTQ_DESC_F_NEXT)
		return broken(vq, "indirect descriptor with NEXT", req->head, 0);
	if (!ind->len || ind->len % VIRTQ_DESC_SIZE)
		return broken(vq, "indirect table length", ind->len, 0);
	n = ind->len / VIRTQ_DESC_SIZE;
	table = gmem_ptr(vq->mem, ind->addr, ind->len);
	if (!table)
		return broken(vq, "indirect table outside RAM (addr, len)", ind->addr, ind->len);
	for (steps = 0;; steps++) {
		struct desc d;

		/* Each entry at most once: longer means a loop. */
		if (steps >= n)
			return broken(vq, "indirect chain loops", i, n);
		d = read_desc(table, i);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return broken(vq, "nested indirect descriptor", i, 0);
		if (add_seg(vq, req, &d) < 0)
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
		if (i >= n)
			return broken(vq, "indirect next index out of range", i, n);
	}
}

int virtq_pop(struct virtq *vq, struct virtq_req *req)
{
	u16 avail_idx, pending;
	u32 i, steps;

	if (!vq->ready || vq->broken)
		return vq->broken ? -1 : 0;

	/* Acquire: the ring entry and descriptors are read only after the index. */
	avail_idx = le16toh(__atomic_load_n((u16 *)(vq->avail + AVAIL_IDX), __ATOMIC_ACQUIRE));
	if (avail_idx == vq->last_avail && vq->event_idx) {
		/*
		 * Ask for a kick at the next buffer, then look again: the driver
		 * may have added one before it could see avail_event move.
		 */
		store16(vq->used + USED_RING(vq->num), vq->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = le16toh(__atomic_load_n((u16 *)(vq->avail + AVAIL_IDX),
						    __ATOMIC_ACQUIRE));
	}
	if (avail_idx == vq->last_avail)
		return 0;
	pending = (u16)(avail_idx - vq->last_avail);
	if (pending > vq->num)
		return broken(vq, "avail idx moved by more than the queue size", avail_idx,
			      vq->last_avail);

	i = load16(vq->avail + AVAIL_RING(vq->last_avail & (vq->num - 1)));
	if (i >= vq->num)
		return broken(vq, "head index out of range", i, vq->num);
	memset(req, 0, offsetof(struct virtq_req, iov));
	req->head = (u16)i;

	for (steps = 0;; steps++) {
		struct desc d;

		if (steps >= vq->num)
			return broken(vq, "descriptor chain loops", req->head, vq->num);
		d = read_desc(vq->desc, i);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (walk_indirect(vq, req, &d) < 0)
				return -1;
			break;
		}
		if (add_seg(vq, req, &d) < 0)
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d.next;
		if (i >= vq->num)
			return broken(vq, "next index out of range", i, vq->num);
	}
	vq->last_avail++;
	return 1;
}

void virtq_unpop(struct virtq *vq, u16 n)
{
	vq->last_avail -= n;
}

void virtq_push(struct virtq *vq, u16 head, u32 len)
{
	u8 *e;

	if (!vq->ready || vq->broken)
		return;
	e = vq->used + USED_RING(vq->used_idx & (vq->num - 1));
	store32(e, head);
	store32(e + 4, len);
	vq->used_idx++;
	vq->pushed = true;
	/* Release: the entry is visible before the index that covers it. */
	__atomic_store_n((u16 *)(vq->used + USED_IDX), htole16(vq->used_idx), __ATOMIC_RELEASE);
}

bool virtq_should_notify(struct virtq *vq)
{
	u16 old, event;

	if (!vq->ready || vq->broken || !vq->pushed)
		return false;
	vq->pushed = false;
	/* Our used idx store must be visible before we read the driver's wishes. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	old = vq->signalled_used;
	vq->signalled_used = vq->used_idx;
	if (!vq->event_idx)
		return !(load16(vq->avail + AVAIL_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	event = load16(vq->avail + AVAIL_RING(vq->num));
	/* Interrupt if used_event lies in [old, new): the spec's vring_need_event. */
	return (u16)(vq->used_idx - event - 1) < (u16)(vq->used_idx - old);
}

/*
 * The part of @seg a walk still wanting @want bytes takes, once *@off bytes
 * have been skipped; *@off shrinks by what this segment skips.  Empty when
 * the skip passes the whole segment.
 */
static struct iovec iov_take(const struct iovec *seg, size_t *off, size_t want)
{
	struct iovec part = { 0 };

	if (*off >= seg->iov_len) {
		*off -= seg->iov_len;
		return part;
	}
	part.iov_base = (u8 *)seg->iov_base + *off;
	part.iov_len = min_t(size_t, seg->iov_len - *off, want);
	*off = 0;
	return part;
}

/* Copy between an iovec (from byte @off on) and a flat buffer, either way. */
static size_t iov_copy(const struct iovec *iov, unsigned int n, size_t off, u8 *buf, size_t len,
		       bool to_iov)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		struct iovec p = iov_take(&iov[i], &off, len - done);

		if (!p.iov_len)
			continue;
		if (to_iov)
			memcpy(p.iov_base, buf + done, p.iov_len);
		else
			memcpy(buf + done, p.iov_base, p.iov_len);
		done += p.iov_len;
	}
	return done;
}

size_t virtq_iov_to_buf(const struct iovec *iov, unsigned int n, size_t off, void *buf, size_t len)
{
	return iov_copy(iov, n, off, buf, len, false);
}

size_t virtq_buf_to_iov(const struct iovec *iov, unsigned int n, size_t off, const void *buf,
			size_t len)
{
	return iov_copy(iov, n, off, (u8 *)buf, len, true);
}

unsigned int virtq_iov_slice(const struct iovec *iov, unsigned int n, size_t off, size_t len,
			     struct iovec *out, size_t *got)
{
	unsigned int k = 0;
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		struct iovec p = iov_take(&iov[i], &off, len - done);

		if (p.iov_len) {
			out[k++] = p;
			done += p.iov_len;
		}
	}
	*got = done;
	return k;
}
