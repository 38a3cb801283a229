/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_TESTS_VIRTIO_DRIVER_H
#define LKVM_TESTS_VIRTIO_DRIVER_H

/*
 * A tiny virtio-mmio driver for the unit tests: fake guest RAM, a fake
 * interrupt line, and helpers that touch the device only through its MMIO
 * window and the rings in RAM, as a guest would.
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/virtio.h"

#define T_RAM_BASE	0x80000000ULL
#define T_RAM_SIZE	(1024 * 1024ULL)
#define T_MMIO_BASE	0x03000000ULL
#define T_QNUM		16
/* Ring areas per queue, then buffers. */
#define T_DESC(q)	(T_RAM_BASE + 0x1000 + 0x4000 * (u64)(q))
#define T_AVAIL(q)	(T_DESC(q) + 0x1000)
#define T_USED(q)	(T_DESC(q) + 0x2000)
#define T_BUF(i)	(T_RAM_BASE + 0x20000 + 0x1000 * (u64)(i))

#define T_FEATURES	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC))

struct fake_irq {
	bool level;
	int changes;
};

static inline void fake_irq_set(void *ctx, u32 spi, bool level)
{
	struct fake_irq *f = ctx;

	f->level = level;
	f->changes++;
}

struct tdrv {
	struct guest_mem mem;
	struct fake_irq irq;
	struct device *dev;
	u16 avail_idx[VIRTIO_MAX_QUEUES];
};

/*
 * The device's node, as lkvm writes it, in a device tree of its own in @buf:
 * its offset, or a negative libfdt error (also when fdt_node failed).
 */
static inline int tdrv_fdt_node(struct tdrv *d, char *buf, int size, const char *path)
{
	int err;

	fdt_create(buf, size);
	fdt_finish_reservemap(buf);
	fdt_begin_node(buf, "");
	err = d->dev->fdt_node(d->dev, buf, 1);
	fdt_end_node(buf);
	fdt_finish(buf);
	return err ? -FDT_ERR_INTERNAL : fdt_path_offset(buf, path);
}

static inline struct irq_pin tdrv_pin(struct tdrv *d)
{
	return (struct irq_pin){ .set = fake_irq_set, .ctx = &d->irq, .spi = 7 };
}

static inline void tdrv_init_ram(struct tdrv *d)
{
	memset(d, 0, sizeof(*d));
	d->mem.start = T_RAM_BASE;
	d->mem.size = T_RAM_SIZE;
	d->mem.host = aligned_alloc(4096, T_RAM_SIZE);
	memset(d->mem.host, 0, T_RAM_SIZE);
}

static inline void tdrv_free(struct tdrv *d)
{
	virtio_mmio_destroy(d->dev);
	d->dev = NULL;
	free(d->mem.host);
}

static inline void *gpa(struct tdrv *d, u64 a)
{
	return d->mem.host + (a - T_RAM_BASE);
}

static inline u32 rd(struct tdrv *d, u64 off)
{
	u8 b[4];

	d->dev->mmio(d->dev, off, b, 4, false);
	return (u32)le_get(b, 4);
}

static inline void wr(struct tdrv *d, u64 off, u32 v)
{
	u8 b[4];

	le_put(b, 4, v);
	d->dev->mmio(d->dev, off, b, 4, true);
}

static inline void tdrv_queue(struct tdrv *d, unsigned int q, u16 num, u64 desc, u64 avail,
			      u64 used)
{
	wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
	wr(d, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)desc);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)(desc >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)avail);
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (u32)(avail >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)used);
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (u32)(used >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* The Linux probe sequence; returns the status read back after DRIVER_OK. */
static inline u32 tdrv_setup(struct tdrv *d, u64 features, unsigned int nr_queues)
{
	memset(gpa(d, T_DESC(0)), 0, 0x4000 * VIRTIO_MAX_QUEUES);
	memset(d->avail_idx, 0, sizeof(d->avail_idx));
	wr(d, VIRTIO_MMIO_STATUS, 0);
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (u32)features);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (u32)(features >> 32));
	wr(d, VIRTIO_MMIO_STATUS, 0xb);
	if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return rd(d, VIRTIO_MMIO_STATUS);
	for (unsigned int q = 0; q < nr_queues; q++)
		tdrv_queue(d, q, T_QNUM, T_DESC(q), T_AVAIL(q), T_USED(q));
	wr(d, VIRTIO_MMIO_STATUS, 0xf);
	return rd(d, VIRTIO_MMIO_STATUS);
}

static inline void set_desc_at(struct tdrv *d, u64 table, unsigned int i, u64 addr, u32 len,
			       u16 flags, u16 next)
{
	u8 *p = gpa(d, table + 16 * (u64)i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static inline void set_desc(struct tdrv *d, unsigned int q, unsigned int i, u64 addr, u32 len,
			    u16 flags, u16 next)
{
	set_desc_at(d, T_DESC(q), i, addr, len, flags, next);
}

static inline u16 *avail_flags(struct tdrv *d, unsigned int q)
{
	return gpa(d, T_AVAIL(q));
}

static inline u16 *used_event(struct tdrv *d, unsigned int q)
{
	return gpa(d, T_AVAIL(q) + 4 + 2 * T_QNUM);
}

static inline u16 avail_event(struct tdrv *d, unsigned int q)
{
	return *(u16 *)gpa(d, T_USED(q) + 4 + 8 * T_QNUM);
}

/* Publish @head without kicking. */
static inline void add_avail(struct tdrv *d, unsigned int q, u16 head)
{
	u16 *ring = gpa(d, T_AVAIL(q) + 4);

	ring[d->avail_idx[q] % T_QNUM] = head;
	d->avail_idx[q]++;
	*(u16 *)gpa(d, T_AVAIL(q) + 2) = d->avail_idx[q];
}

static inline void set_avail_idx(struct tdrv *d, unsigned int q, u16 idx)
{
	d->avail_idx[q] = idx;
	*(u16 *)gpa(d, T_AVAIL(q) + 2) = idx;
}

static inline void kick(struct tdrv *d, unsigned int q)
{
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

static inline u16 used_idx(struct tdrv *d, unsigned int q)
{
	return *(u16 *)gpa(d, T_USED(q) + 2);
}

static inline u32 used_id(struct tdrv *d, unsigned int q, u16 k)
{
	return *(u32 *)gpa(d, T_USED(q) + 4 + 8 * (u64)(k % T_QNUM));
}

static inline u32 used_len(struct tdrv *d, unsigned int q, u16 k)
{
	return *(u32 *)gpa(d, T_USED(q) + 8 + 8 * (u64)(k % T_QNUM));
}

static inline void ack_irq(struct tdrv *d)
{
	wr(d, VIRTIO_MMIO_INTERRUPT_ACK, rd(d, VIRTIO_MMIO_INTERRUPT_STATUS));
}

static inline bool needs_reset(struct tdrv *d)
{
	return (rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET) &&
	       (rd(d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG) && d->irq.level;
}

#endif
