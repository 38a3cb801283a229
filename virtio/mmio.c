// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport, version 2 (virtio 1.2, 4.2).  Device types plug in
 * through struct virtio_dev_ops; this file owns the register file, feature
 * negotiation, queue setup, the status state machine and the interrupt line.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/layout.h"
#include "lkvm/snapshot.h"
#include "lkvm/virtio.h"

#define TRANSPORT_FEATURES \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC) | BIT(VIRTIO_RING_F_EVENT_IDX))

struct virtio_dev *virtio_mmio_dev(struct device *dev)
{
	return container_of(dev, struct virtio_dev, dev);
}

static u64 device_features(const struct virtio_dev *vd)
{
	return vd->host_features | (TRANSPORT_FEATURES & ~vd->withheld_features);
}

/* Level-triggered: the line follows InterruptStatus. */
static void update_irq(struct virtio_dev *vd)
{
	bool level = vd->isr != 0;

	if (level != vd->irq_level) {
		vd->irq_level = level;
		irq_pin_set(&vd->dev.irq, level);
	}
}

bool virtio_mmio_queue_live(struct virtio_dev *vd, unsigned int q)
{
	return q < vd->ops->nr_queues && vd->vqs[q].ready && !vd->vqs[q].broken &&
	       (vd->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(vd->status & VIRTIO_STATUS_NEEDS_RESET);
}

void virtio_mmio_signal(struct virtio_dev *vd, unsigned int q)
{
	if (q < vd->ops->nr_queues && virtq_should_notify(&vd->vqs[q])) {
		vd->isr |= VIRTIO_MMIO_INT_VRING;
		update_irq(vd);
	}
}

void virtio_mmio_config_changed(struct virtio_dev *vd)
{
	vd->config_generation++;
	vd->isr |= VIRTIO_MMIO_INT_CONFIG;
	update_irq(vd);
}

void virtio_mmio_interrupt(struct virtio_dev *vd)
{
	vd->isr |= VIRTIO_MMIO_INT_VRING;
	update_irq(vd);
}

void virtio_mmio_fail(struct virtio_dev *vd)
{
	if (vd->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	vd->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* The spec wants a configuration-change interrupt with NEEDS_RESET. */
	vd->isr |= VIRTIO_MMIO_INT_CONFIG;
	update_irq(vd);
}

/* @q: the queue the driver notified, or -1 for work of the device's own. */
static void kick(struct virtio_dev *vd, int q)
{
	if (vd->kick) {
		vd->kick(vd, q);
		return;
	}
	/* No worker: serve every live queue to the end, here. */
	for (unsigned int i = 0; i < vd->ops->nr_queues && !vd->offloaded; i++)
		while (virtio_mmio_queue_live(vd, i) && vd->ops->process(vd, i))
			;
}

void virtio_mmio_kick(struct virtio_dev *vd)
{
	kick(vd, -1);
}

bool virtio_mmio_work(struct virtio_dev *vd)
{
	bool more = false;

	pthread_mutex_lock(&vd->lock);
	for (unsigned int q = 0; q < vd->ops->nr_queues && !vd->offloaded; q++)
		if (!atomic_load(&vd->stopping) && virtio_mmio_queue_live(vd, q) &&
		    vd->ops->process(vd, q))
			more = true;
	pthread_mutex_unlock(&vd->lock);
	return more;
}

u32 virtio_mmio_io_begin(struct virtio_dev *vd)
{
	vd->io_inflight++;
	return atomic_load(&vd->reset_gen);
}

bool virtio_mmio_io_cancelled(struct virtio_dev *vd, u32 gen)
{
	return atomic_load(&vd->reset_gen) != gen || atomic_load(&vd->stopping);
}

bool virtio_mmio_io_end(struct virtio_dev *vd, u32 gen)
{
	if (!--vd->io_inflight)
		pthread_cond_broadcast(&vd->io_idle);
	return !virtio_mmio_io_cancelled(vd, gen);
}

void virtio_mmio_stop(struct virtio_dev *vd)
{
	atomic_store(&vd->stopping, true);
}

/* A back end outside lkvm gives the queues back before they are forgotten. */
static void stop_backend(struct virtio_dev *vd)
{
	if (!vd->started)
		return;
	vd->started = false;
	if (vd->ops->stop)
		vd->ops->stop(vd);
	vd->offloaded = false;
}

/* DRIVER_OK: the device's back end starts; the worker then looks again at what it waits on. */
static void start_backend(struct virtio_dev *vd)
{
	int r;

	if (!vd->ops->start)
		return;
	r = vd->ops->start(vd);
	if (r < 0) {
		virtio_mmio_fail(vd);
		return;
	}
	vd->started = true;
	vd->offloaded = r > 0;
}

/* Back to power-on state, keeping what the device itself owns (files, buffers). */
static void do_reset(struct virtio_dev *vd)
{
	/* I/O begun before the reset is void, and must be over before the driver reuses its buffers. */
	atomic_fetch_add(&vd->reset_gen, 1);
	while (vd->io_inflight)
		pthread_cond_wait(&vd->io_idle, &vd->lock);
	stop_backend(vd);
	vd->status = 0;
	vd->driver_features = 0;
	vd->device_features_sel = 0;
	vd->driver_features_sel = 0;
	vd->queue_sel = 0;
	vd->isr = 0;
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		virtq_reset(&vd->vqs[q]);
	if (vd->ops->reset)
		vd->ops->reset(vd);
	update_irq(vd);
}

static void write_status(struct virtio_dev *vd, u32 v)
{
	u32 old = vd->status;

	/* The status is one byte: what lies above it is not written (virtio 1.2, 4.2.2). */
	v &= 0xff;
	if (!v) {
		do_reset(vd);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		u64 f = vd->driver_features;

		/* A modern-only device: refuse drivers that did not take VERSION_1. */
		if ((f & ~device_features(vd)) || !(f & BIT(VIRTIO_F_VERSION_1))) {
			pr_debug("%s: refusing driver features 0x%llx", vd->dev.name,
				 (unsigned long long)f);
			v &= ~VIRTIO_STATUS_FEATURES_OK;
		}
	}
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK)) {
		pr_debug("%s: DRIVER_OK without FEATURES_OK ignored", vd->dev.name);
		v &= ~VIRTIO_STATUS_DRIVER_OK;
	}
	vd->status = v | (old & VIRTIO_STATUS_NEEDS_RESET);
	/* Kicks sent before DRIVER_OK were ignored; catch up on them now. */
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK)) {
		start_backend(vd);
		virtio_mmio_kick(vd);
	}
}

static struct virtq *cur_queue(struct virtio_dev *vd)
{
	return vd->queue_sel < vd->ops->nr_queues ? &vd->vqs[vd->queue_sel] : NULL;
}

static void set_lo(u64 *r, u32 v)
{
	*r = (*r & ~0xffffffffULL) | v;
}

static void set_hi(u64 *r, u32 v)
{
	*r = (*r & 0xffffffffULL) | ((u64)v << 32);
}

static void queue_write(struct virtio_dev *vd, u64 off, u32 v)
{
	struct virtq *vq = cur_queue(vd);
	u64 f = vd->driver_features;

	if (!vq)
		return;
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		if (!v) {
			vq->ready = false;
			return;
		}
		if (vq->ready)
			return;
		if (virtq_enable(vq, vd->mem, f & BIT(VIRTIO_RING_F_EVENT_IDX),
				 f & BIT(VIRTIO_RING_F_INDIRECT_DESC)) < 0)
			virtio_mmio_fail(vd);
		return;
	}
	/* The layout of a live queue is fixed. */
	if (vq->ready) {
		pr_debug("%s: queue %u register 0x%llx written while ready", vd->dev.name,
			 vd->queue_sel, (unsigned long long)off);
		return;
	}
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		/* 0 for out-of-range sizes, refused by virtq_enable(). */
		vq->num = v > VIRTQ_MAX_SIZE ? 0 : (u16)v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: set_lo(&vq->desc_gpa, v); break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_hi(&vq->desc_gpa, v); break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW: set_lo(&vq->avail_gpa, v); break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: set_hi(&vq->avail_gpa, v); break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW: set_lo(&vq->used_gpa, v); break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: set_hi(&vq->used_gpa, v); break;
	}
}

static void reg_write(struct virtio_dev *vd, u64 off, u32 v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vd->device_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vd->driver_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Frozen once accepted. */
		if (vd->status & VIRTIO_STATUS_FEATURES_OK)
			break;
		if (vd->driver_features_sel == 0)
			set_lo(&vd->driver_features, v);
		else if (vd->driver_features_sel == 1)
			set_hi(&vd->driver_features, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vd->queue_sel = v;
		break;
	case VIRTIO_MMIO_SHM_SEL:
		/* No device of lkvm's has a shared memory region: every one reads as absent. */
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		queue_write(vd, off, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/*
		 * Only a wake-up: the work is the worker's.  With KVM's
		 * ioeventfd this write does not even exit.
		 */
		if (virtio_mmio_queue_live(vd, v))
			kick(vd, (int)v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		vd->isr &= ~v;
		update_irq(vd);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(vd, v);
		break;
	default:
		pr_debug("%s: write to read-only or unknown register 0x%llx", vd->dev.name,
			 (unsigned long long)off);
	}
}

static u32 reg_read(struct virtio_dev *vd, u64 off)
{
	struct virtq *vq = cur_queue(vd);
	u64 f = device_features(vd);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION: return 2;
	case VIRTIO_MMIO_DEVICE_ID: return vd->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_MMIO_VENDOR_LKVM;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (vd->device_features_sel > 1)
			return 0;
		return (u32)(f >> (32 * vd->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return vq ? VIRTQ_MAX_SIZE : 0;
	case VIRTIO_MMIO_QUEUE_READY: return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return vd->isr;
	case VIRTIO_MMIO_STATUS: return vd->status;
	case VIRTIO_MMIO_CONFIG_GENERATION: return vd->config_generation;
	/* A region that does not exist has length and base -1 (virtio 1.2, 4.2.2). */
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return ~0U;
	}
	pr_debug("%s: read of write-only or unknown register 0x%llx", vd->dev.name,
		 (unsigned long long)off);
	return 0;
}

static void virtio_mmio_access(struct device *dev, u64 off, u8 *data, u32 len, bool is_write)
{
	struct virtio_dev *vd = virtio_mmio_dev(dev);

	pthread_mutex_lock(&vd->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		u64 c = off - VIRTIO_MMIO_CONFIG;
		bool inside = c < vd->config_size && len <= vd->config_size - c;

		if (!is_write) {
			memset(data, 0, len);
			if (inside)
				memcpy(data, vd->config + c, len);
		} else if (inside && vd->ops->config_write) {
			vd->ops->config_write(vd, (u32)c, data, len);
		}
	} else if (len != 4 || (off & 3)) {
		/* The register file is 32-bit only (4.2.2.2). */
		pr_debug("%s: %u-byte access to register 0x%llx ignored", dev->name, len,
			 (unsigned long long)off);
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		reg_write(vd, off, (u32)le_get(data, 4));
	} else {
		le_put(data, 4, reg_read(vd, off));
	}
	pthread_mutex_unlock(&vd->lock);
}

static int virtio_mmio_fdt_node(struct device *dev, void *fdt, u32 gic_phandle)
{
	int r = device_fdt_begin(dev, fdt, "virtio", gic_phandle);

	if (!r)
		r = fdt_property_string(fdt, "compatible", "virtio,mmio");
	if (!r)
		r = fdt_property(fdt, "dma-coherent", NULL, 0);
	/* Linux's virtio-mmio then arms the interrupt for wake-up while its driver holds it. */
	if (!r && virtio_mmio_dev(dev)->ops->wakeup_source)
		r = fdt_property(fdt, "wakeup-source", NULL, 0);
	return r ?: fdt_end_node(fdt);
}

static void virtio_mmio_reset(struct device *dev)
{
	struct virtio_dev *vd = virtio_mmio_dev(dev);

	pthread_mutex_lock(&vd->lock);
	do_reset(vd);
	pthread_mutex_unlock(&vd->lock);
}

static void virtio_mmio_exit(struct device *dev)
{
	struct virtio_dev *vd = virtio_mmio_dev(dev);

	pthread_mutex_lock(&vd->lock);
	if (!vd->exited)
		stop_backend(vd);
	if (!vd->exited && vd->ops->exit)
		vd->ops->exit(vd);
	vd->exited = true;
	pthread_mutex_unlock(&vd->lock);
}

/* ---- snapshot --------------------------------------------------------------- */

#define SNAP_VERSION	1
#define STATUS_BITS \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK | \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)

/*
 * A virtio device's state, the transport's part first (little-endian):
 *	u8 version (1), u32 device id, u8 number of queues,
 *	u32 status, u64 driver features, u32 DeviceFeaturesSel,
 *	u32 DriverFeaturesSel, u32 QueueSel, u32 InterruptStatus,
 *	u8 interrupt line, u32 config generation,
 *	each queue as virtq_save() writes it,
 *	u32 length, then that many bytes: the device type's part (ops->save).
 * The length lets the transport check that the type read all of its part.
 */
static int virtio_mmio_save(struct device *dev, struct snap_w *w, const char **why)
{
	struct virtio_dev *vd = virtio_mmio_dev(dev);
	size_t start = w->len, len_at;
	int r = 0;

	pthread_mutex_lock(&vd->lock);
	snapshot_put_u8(w, SNAP_VERSION);
	snapshot_put_u32(w, vd->ops->device_id);
	snapshot_put_u8(w, (u8)vd->ops->nr_queues);
	snapshot_put_u32(w, vd->status);
	snapshot_put_u64(w, vd->driver_features);
	snapshot_put_u32(w, vd->device_features_sel);
	snapshot_put_u32(w, vd->driver_features_sel);
	snapshot_put_u32(w, vd->queue_sel);
	snapshot_put_u32(w, vd->isr);
	snapshot_put_u8(w, vd->irq_level);
	snapshot_put_u32(w, vd->config_generation);
	for (unsigned int q = 0; q < vd->ops->nr_queues; q++)
		virtq_save(&vd->vqs[q], w);
	len_at = w->len;
	snapshot_put_u32(w, 0);
	/* The worker is parked between rounds: I/O in flight means it is not. */
	if (vd->io_inflight) {
		*why = "host I/O is in flight";
		r = -1;
	} else if (vd->ops->save) {
		r = vd->ops->save(vd, w, why);
	}
	if (!r && (vd->started || vd->offloaded)) {
		*why = "a back end outside lkvm serves its queues";
		r = -1;
	}
	if (!r)
		le32_put(w->buf + len_at, (u32)(w->len - len_at - 4));
	else
		w->len = start;		/* no half-written part */
	pthread_mutex_unlock(&vd->lock);
	return r;
}

/* The transport's part into @vd (just reset); @part: the device type's bytes. */
static int load_transport(struct virtio_dev *vd, struct snap_r *r, struct snap_r *part,
			  const char **why)
{
	u8 version = snapshot_get_u8(r);
	u32 id = snapshot_get_u32(r);
	u8 nr_queues = snapshot_get_u8(r);
	u32 status = snapshot_get_u32(r);
	u64 features = snapshot_get_u64(r);
	u32 dev_sel = snapshot_get_u32(r);
	u32 drv_sel = snapshot_get_u32(r);
	u32 queue_sel = snapshot_get_u32(r);
	u32 isr = snapshot_get_u32(r);
	bool level = snapshot_get_bool(r);
	u32 generation = snapshot_get_u32(r);
	const u8 *p;
	u32 len;

	if (r->bad) {
		*why = "its state is cut short or malformed";
		return -1;
	}
	if (version != SNAP_VERSION) {
		*why = "its state is of an unknown version";
		return -1;
	}
	if (id != vd->ops->device_id || nr_queues != vd->ops->nr_queues) {
		*why = "the snapshot holds a device of another type here";
		return -1;
	}
	if (status & ~STATUS_BITS) {
		*why = "its status has unknown bits";
		return -1;
	}
	/* What write_status() lets through, and nothing else. */
	if ((status & VIRTIO_STATUS_DRIVER_OK) && !(status & VIRTIO_STATUS_FEATURES_OK)) {
		*why = "its status has DRIVER_OK without FEATURES_OK";
		return -1;
	}
	/* Before FEATURES_OK the driver may have written anything: it is checked then. */
	if ((status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((features & ~device_features(vd)) || !(features & BIT(VIRTIO_F_VERSION_1)))) {
		*why = "the driver's features are not ones the device offers";
		return -1;
	}
	if (isr & ~(u32)(VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG)) {
		*why = "its interrupt status has unknown bits";
		return -1;
	}
	if (level != (isr != 0)) {
		*why = "its interrupt line disagrees with its interrupt status";
		return -1;
	}
	for (unsigned int q = 0; q < vd->ops->nr_queues; q++)
		if (virtq_load(&vd->vqs[q], vd->mem, r, why) < 0)
			return -1;
	len = snapshot_get_u32(r);
	p = snapshot_get_ptr(r, len);
	if (!snapshot_r_ok(r)) {
		*why = "its state is cut short or malformed";
		return -1;
	}
	snapshot_r_init(part, p, len);
	/*
	 * The selectors are taken as they are: a driver may write any value
	 * and every use of them checks the range.
	 */
	vd->status = status;
	vd->driver_features = features;
	vd->device_features_sel = dev_sel;
	vd->driver_features_sel = drv_sel;
	vd->queue_sel = queue_sel;
	vd->isr = isr;
	vd->config_generation = generation;
	return 0;
}

static int load_type(struct virtio_dev *vd, struct snap_r *part, const char **why)
{
	if (!vd->ops->load) {
		if (part->len) {
			*why = "the snapshot holds state its device type does not have";
			return -1;
		}
		/* Such a type holds no chain between rounds. */
		for (unsigned int q = 0; q < vd->ops->nr_queues; q++)
			if (virtq_in_flight(&vd->vqs[q])) {
				*why = "a queue has chains in flight the device does not hold";
				return -1;
			}
		return 0;
	}
	if (vd->ops->load(vd, part, why) < 0)
		return -1;
	if (!snapshot_r_ok(part)) {
		*why = "its device state is cut short or has trailing bytes";
		return -1;
	}
	return 0;
}

/*
 * On failure the device goes back to its power-on state (the restore stops
 * anyway; nothing half-loaded is left behind).
 */
static int virtio_mmio_load(struct device *dev, struct snap_r *r, const char **why)
{
	struct virtio_dev *vd = virtio_mmio_dev(dev);
	struct snap_r part;
	int ret;

	pthread_mutex_lock(&vd->lock);
	do_reset(vd);
	ret = load_transport(vd, r, &part, why);
	if (!ret)
		ret = load_type(vd, &part, why);
	if (ret) {
		do_reset(vd);
	} else {
		update_irq(vd);
		/*
		 * The driver may have published buffers the old lkvm had not
		 * looked at yet, or the device holds input for them: look once.
		 */
		if (vd->status & VIRTIO_STATUS_DRIVER_OK)
			virtio_mmio_kick(vd);
	}
	pthread_mutex_unlock(&vd->lock);
	return ret;
}

void virtio_mmio_init(struct virtio_dev *vd, const char *name, const struct guest_mem *mem,
		      u64 base, struct irq_pin irq)
{
	vd->dev.name = name;
	vd->dev.base = base;
	vd->dev.size = LKVM_VIRTIO_MMIO_SIZE;
	vd->dev.irq = irq;
	vd->dev.priv = vd;
	vd->dev.mmio = virtio_mmio_access;
	vd->dev.fdt_node = virtio_mmio_fdt_node;
	vd->dev.reset = virtio_mmio_reset;
	/* exit only releases host resources: device_bus_exit() walks on after it. */
	vd->dev.exit = virtio_mmio_exit;
	vd->dev.save = virtio_mmio_save;
	vd->dev.load = virtio_mmio_load;
	vd->mem = mem;
	pthread_mutex_init(&vd->lock, NULL);
	pthread_cond_init(&vd->io_idle, NULL);
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		virtq_reset(&vd->vqs[q]);
}

void virtio_mmio_destroy(struct device *dev)
{
	struct virtio_dev *vd;

	if (!dev)
		return;
	vd = virtio_mmio_dev(dev);
	virtio_mmio_exit(dev);
	pthread_mutex_destroy(&vd->lock);
	pthread_cond_destroy(&vd->io_idle);
	free(vd);
}
