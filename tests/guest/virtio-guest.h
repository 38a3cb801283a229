/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bare-bones virtio-mmio driver side for payloads: bring a device to
 * DRIVER_OK with one split queue whose rings the payload owns.  What goes in
 * the rings is the payload's business (hostile payloads put garbage there).
 */
#ifndef VIRTIO_GUEST_H
#define VIRTIO_GUEST_H

#include "libtest.h"

#define VIRTIO_MMIO_BASE	0x03000000UL	/* the first virtio window */
#define VIRTIO_MMIO_STRIDE	0x200UL
#define VIRTIO_FIRST_SPI	16

#define VM_MAGIC		0x000
#define VM_VERSION		0x004
#define VM_DEVICE_ID		0x008
#define VM_DRIVER_FEATURES	0x020
#define VM_DRIVER_FEATURES_SEL	0x024
#define VM_QUEUE_SEL		0x030
#define VM_QUEUE_NUM_MAX	0x034
#define VM_QUEUE_NUM		0x038
#define VM_QUEUE_READY		0x044
#define VM_QUEUE_NOTIFY		0x050
#define VM_INTERRUPT_STATUS	0x060
#define VM_INTERRUPT_ACK	0x064
#define VM_STATUS		0x070
#define VM_QUEUE_DESC		0x080
#define VM_QUEUE_DRIVER		0x090
#define VM_QUEUE_DEVICE		0x0a0

#define VDESC_F_NEXT		1
#define VDESC_F_WRITE		2

struct vdesc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

struct vavail {
	u16 flags, idx, ring[256], used_event;
};

struct vused {
	u16 flags, idx;
	struct { u32 id, len; } ring[256];
	u16 avail_event;
};

static inline void vdev_write(u64 base, u32 off, u32 v)
{
	writel(v, base + off);
}

static inline u32 vdev_read(u64 base, u32 off)
{
	return readl(base + off);
}

/* The window of the device with id @id, or 0. */
static inline u64 vdev_find(u32 id)
{
	for (u64 b = VIRTIO_MMIO_BASE; b < VIRTIO_MMIO_BASE + 8 * VIRTIO_MMIO_STRIDE;
	     b += VIRTIO_MMIO_STRIDE)
		if (vdev_read(b, VM_MAGIC) == 0x74726976 && vdev_read(b, VM_DEVICE_ID) == id)
			return b;
	return 0;
}

/* Reset, negotiate VERSION_1 only, and set FEATURES_OK. */
static inline void vdev_begin(u64 base)
{
	vdev_write(base, VM_STATUS, 0);
	vdev_write(base, VM_STATUS, 1 | 2);		/* ACKNOWLEDGE | DRIVER */
	vdev_write(base, VM_DRIVER_FEATURES_SEL, 1);
	vdev_write(base, VM_DRIVER_FEATURES, 1);	/* VIRTIO_F_VERSION_1 */
	vdev_write(base, VM_DRIVER_FEATURES_SEL, 0);
	vdev_write(base, VM_DRIVER_FEATURES, 0);
	vdev_write(base, VM_STATUS, 1 | 2 | 8);		/* | FEATURES_OK */
}

static inline void vdev_queue(u64 base, u32 q, u32 num, const void *desc, const void *avail,
			      const void *used)
{
	u64 d = (u64)(uintptr_t)desc, a = (u64)(uintptr_t)avail, u = (u64)(uintptr_t)used;

	vdev_write(base, VM_QUEUE_SEL, q);
	vdev_write(base, VM_QUEUE_NUM, num);
	vdev_write(base, VM_QUEUE_DESC, (u32)d);
	vdev_write(base, VM_QUEUE_DESC + 4, (u32)(d >> 32));
	vdev_write(base, VM_QUEUE_DRIVER, (u32)a);
	vdev_write(base, VM_QUEUE_DRIVER + 4, (u32)(a >> 32));
	vdev_write(base, VM_QUEUE_DEVICE, (u32)u);
	vdev_write(base, VM_QUEUE_DEVICE + 4, (u32)(u >> 32));
	dsb(sy);
	vdev_write(base, VM_QUEUE_READY, 1);
}

static inline void vdev_driver_ok(u64 base)
{
	vdev_write(base, VM_STATUS, 1 | 2 | 8 | 4);
}

#endif
