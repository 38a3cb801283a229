// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-input (virtio 1.2, 5.8): the guest's wake-up button for `lkvm wake`
 * (docs/control.md, "The wake-up device").  It can send one key, KEY_WAKEUP,
 * and its virtio-mmio node says "wakeup-source".
 *
 * What the guest sees:
 *   name "lkvm wake button", serial "lkvm-wake0",
 *   ids bustype BUS_VIRTUAL (0x06), vendor 0x4c4b ("LK"), product 0x0001 (the
 *   wake button), version 0x0001;
 *   no properties, event types EV_KEY with KEY_WAKEUP only (Linux adds EV_SYN
 *   to every input device itself, and no EV_REP: a wake button must not
 *   auto-repeat), no absolute axes.
 */
#include <stddef.h>
#include <string.h>

#include "lkvm/snapshot.h"
#include "lkvm/virtio.h"

#define EVENTQ		0	/* device -> driver: one event per buffer */
#define STATUSQ		1	/* driver -> device: LEDs and such, read and dropped */

/* Config space: select, subsel, size, 5 reserved bytes, then a 128-byte union. */
#define CFG_SELECT		0
#define CFG_SUBSEL		1
#define CFG_SIZE		2
#define CFG_UNION		8
#define CFG_UNION_SIZE		128
#define CFG_TOTAL		(CFG_UNION + CFG_UNION_SIZE)

/* Values of select (virtio 1.2, 5.8.4). */
#define CFG_UNSET		0x00
#define CFG_ID_NAME		0x01
#define CFG_ID_SERIAL		0x02
#define CFG_ID_DEVIDS		0x03
#define CFG_PROP_BITS		0x10
#define CFG_EV_BITS		0x11
#define CFG_ABS_INFO		0x12

/* Linux's input event codes, which the virtio-input events carry as they are. */
#define EV_SYN			0x00
#define EV_KEY			0x01
#define SYN_REPORT		0
#define BUS_VIRTUAL		0x06

#define INPUT_NAME		"lkvm wake button"
#define INPUT_SERIAL		"lkvm-wake0"
#define INPUT_VENDOR		0x4c4b
#define INPUT_PRODUCT		0x0001
#define INPUT_VERSION		0x0001

/* struct virtio_input_event: le16 type, le16 code, le32 value. */
#define EVENT_SIZE		8

/*
 * Events waiting for eventq buffers: 16 presses.  Bounded, so that a guest
 * that never reads (no driver, or one that stopped) costs nothing.
 */
#define PENDING_MAX		64

struct pending_event {
	u16 type, code;
	u32 value;
};

struct virtio_input {
	struct virtio_dev vdev;		/* first: the whole struct is freed as one */
	/* What the driver reads; it writes select and subsel, the rest follows. */
	u8 config[CFG_TOTAL];
	struct pending_event pending[PENDING_MAX];	/* a ring: @head, @count */
	unsigned int head, count;
	bool overflowed;		/* presses are being refused: said once */
	struct virtq_req req;
	struct ratelimit rl;
	void (*transport_reset)(struct device *dev);
};

static struct virtio_input *to_input(struct virtio_dev *vd)
{
	return container_of(vd, struct virtio_input, vdev);
}

static void cfg_string(u8 *cfg, const char *s)
{
	size_t len = strlen(s);

	/* No terminating NUL: size says where the string ends. */
	memcpy(cfg + CFG_UNION, s, len);
	cfg[CFG_SIZE] = (u8)len;
}

/* Fill size and the union for the select and subsel the driver wrote. */
static void cfg_update(struct virtio_input *in)
{
	u8 *cfg = in->config;

	cfg[CFG_SIZE] = 0;
	memset(cfg + CFG_UNION, 0, CFG_UNION_SIZE);
	switch (cfg[CFG_SELECT]) {
	case CFG_ID_NAME:
		cfg_string(cfg, INPUT_NAME);
		break;
	case CFG_ID_SERIAL:
		cfg_string(cfg, INPUT_SERIAL);
		break;
	case CFG_ID_DEVIDS:
		le16_put(cfg + CFG_UNION + 0, BUS_VIRTUAL);
		le16_put(cfg + CFG_UNION + 2, INPUT_VENDOR);
		le16_put(cfg + CFG_UNION + 4, INPUT_PRODUCT);
		le16_put(cfg + CFG_UNION + 6, INPUT_VERSION);
		cfg[CFG_SIZE] = 8;
		break;
	case CFG_EV_BITS:
		/* Byte n carries codes 8n..8n+7; size covers the last byte with a bit set. */
		if (cfg[CFG_SUBSEL] == EV_KEY) {
			cfg[CFG_UNION + VIRTIO_INPUT_KEY_WAKEUP / 8] |=
				(u8)(1u << (VIRTIO_INPUT_KEY_WAKEUP % 8));
			cfg[CFG_SIZE] = VIRTIO_INPUT_KEY_WAKEUP / 8 + 1;
		}
		break;
	default:
		/* CFG_UNSET, CFG_PROP_BITS (none), CFG_ABS_INFO (no axes), unknown: size 0. */
		break;
	}
}

/*
 * Only select and subsel are the driver's to write (virtio 1.2, 5.8.4); a
 * write wider than a byte is taken byte by byte.  The change is the driver's
 * own doing, so the config generation stays as it is.
 */
static void input_config_write(struct virtio_dev *vd, u32 offset, const u8 *data, u32 len)
{
	struct virtio_input *in = to_input(vd);
	bool changed = false;

	for (u32 i = 0; i < len; i++)
		if (offset + i == CFG_SELECT || offset + i == CFG_SUBSEL) {
			in->config[offset + i] = data[i];
			changed = true;
		}
	if (changed)
		cfg_update(in);
}

/* Hand pending events to the driver, one per eventq buffer: one round. */
static bool event_round(struct virtio_input *in)
{
	struct virtio_dev *vd = &in->vdev;
	struct virtq *vq = &vd->vqs[EVENTQ];
	struct virtq_req *req = &in->req;
	bool pushed = false;
	int r = 0;

	for (unsigned int n = 0; n < VIRTIO_ROUND_CHAINS && in->count; n++) {
		const struct pending_event *ev = &in->pending[in->head];
		u8 buf[EVENT_SIZE];

		r = virtq_pop(vq, req);
		if (r <= 0)
			break;
		if (req->in_len < EVENT_SIZE) {
			/*
			 * The driver MUST give writable buffers of a whole event
			 * (5.8.6.1): half an event would be read as a whole one.
			 */
			pr_warn_ratelimited(&in->rl, "virtio-input: event chain %u has %llu "
					    "writable bytes, not %u", req->head,
					    (unsigned long long)req->in_len, EVENT_SIZE);
			r = -1;
			break;
		}
		le16_put(buf, ev->type);
		le16_put(buf + 2, ev->code);
		le32_put(buf + 4, ev->value);
		virtq_buf_to_iov(req->iov + req->nr_out, req->nr_in, 0, buf, EVENT_SIZE);
		virtq_push(vq, req->head, EVENT_SIZE);
		pushed = true;
		in->head = (in->head + 1) % PENDING_MAX;
		in->count--;
	}
	if (r < 0)
		virtio_mmio_fail(vd);
	if (pushed)
		virtio_mmio_signal(vd, EVENTQ);
	return r > 0 && in->count;
}

/* The driver's status events (LEDs, sounds) mean nothing to a wake button. */
static bool status_round(struct virtio_input *in)
{
	struct virtio_dev *vd = &in->vdev;
	struct virtq *vq = &vd->vqs[STATUSQ];
	struct virtq_req *req = &in->req;
	bool pushed = false;
	int r = 0;

	for (unsigned int n = 0; n < VIRTIO_ROUND_CHAINS && (r = virtq_pop(vq, req)) > 0; n++) {
		virtq_push(vq, req->head, 0);
		pushed = true;
	}
	if (r < 0)
		virtio_mmio_fail(vd);
	if (pushed)
		virtio_mmio_signal(vd, STATUSQ);
	return r > 0;
}

static bool input_process(struct virtio_dev *vd, unsigned int q)
{
	struct virtio_input *in = to_input(vd);

	return q == EVENTQ ? event_round(in) : status_round(in);
}

/*
 * A reset by the driver keeps pending events: Linux resets the device when it
 * probes it and again on every system suspend and resume (virtio_input's
 * freeze and restore), which is exactly when a wake-up press is made.  The
 * select the driver wrote goes back to power-on (UNSET).
 */
static void input_reset(struct virtio_dev *vd)
{
	struct virtio_input *in = to_input(vd);

	in->config[CFG_SELECT] = CFG_UNSET;
	in->config[CFG_SUBSEL] = 0;
	cfg_update(in);
}

/* A reboot in place drops pending presses: they were meant for the guest that reset. */
static void input_power_on_reset(struct device *dev)
{
	struct virtio_input *in = to_input(virtio_mmio_dev(dev));

	in->transport_reset(dev);
	pthread_mutex_lock(&in->vdev.lock);
	in->head = 0;
	in->count = 0;
	in->overflowed = false;
	pthread_mutex_unlock(&in->vdev.lock);
}

/* An event virtio_input_press() queues: the wake key down or up, or its SYN_REPORT. */
static bool event_ok(const struct pending_event *ev)
{
	if (ev->type == EV_KEY)
		return ev->code == VIRTIO_INPUT_KEY_WAKEUP && ev->value <= 1;
	return ev->type == EV_SYN && ev->code == SYN_REPORT && !ev->value;
}

/*
 * Snapshot: u8 version (1), u8 select, u8 subsel (the rest of the config
 * space follows from them), u32 count, then the pending events oldest
 * first, each u16 type, u16 code, u32 value.  An event is handed over
 * within a round, so between rounds the device holds no chain.
 */
static int input_save(struct virtio_dev *vd, struct snap_w *w, const char **why)
{
	struct virtio_input *in = to_input(vd);

	snapshot_put_u8(w, 1);
	snapshot_put_u8(w, in->config[CFG_SELECT]);
	snapshot_put_u8(w, in->config[CFG_SUBSEL]);
	snapshot_put_u32(w, in->count);
	for (unsigned int i = 0; i < in->count; i++) {
		const struct pending_event *ev = &in->pending[(in->head + i) % PENDING_MAX];

		snapshot_put_u16(w, ev->type);
		snapshot_put_u16(w, ev->code);
		snapshot_put_u32(w, ev->value);
	}
	return 0;
}

static int input_load(struct virtio_dev *vd, struct snap_r *r, const char **why)
{
	struct virtio_input *in = to_input(vd);
	struct pending_event ev[PENDING_MAX];
	u8 version = snapshot_get_u8(r);
	u8 select = snapshot_get_u8(r);
	u8 subsel = snapshot_get_u8(r);
	u32 count = snapshot_get_u32(r);

	if (r->bad || version != 1) {
		*why = !r->bad ? "its input state is of an unknown version"
			       : "its input state is cut short or malformed";
		return -1;
	}
	if (count > PENDING_MAX) {
		*why = "more events wait than the device holds";
		return -1;
	}
	for (u32 i = 0; i < count; i++) {
		ev[i].type = snapshot_get_u16(r);
		ev[i].code = snapshot_get_u16(r);
		ev[i].value = snapshot_get_u32(r);
		if (!r->bad && !event_ok(&ev[i])) {
			*why = "an event waits that the device cannot send";
			return -1;
		}
	}
	if (!snapshot_r_ok(r)) {
		*why = "its input state is cut short or malformed";
		return -1;
	}
	for (unsigned int q = 0; q < vd->ops->nr_queues; q++)
		if (virtq_in_flight(&vd->vqs[q])) {
			*why = "a queue has chains in flight the device does not hold";
			return -1;
		}
	memcpy(in->pending, ev, count * sizeof(ev[0]));
	in->head = 0;
	in->count = count;
	in->config[CFG_SELECT] = select;
	in->config[CFG_SUBSEL] = subsel;
	cfg_update(in);
	return 0;
}

int virtio_input_press(struct device *dev, u16 code)
{
	static const struct pending_event tmpl[] = {
		{ EV_KEY, 0, 1 }, { EV_SYN, SYN_REPORT, 0 },
		{ EV_KEY, 0, 0 }, { EV_SYN, SYN_REPORT, 0 },
	};
	struct virtio_input *in = to_input(virtio_mmio_dev(dev));
	int r = 0;

	/* The guest's input core drops codes the device did not advertise. */
	if (code != VIRTIO_INPUT_KEY_WAKEUP)
		return -1;
	pthread_mutex_lock(&in->vdev.lock);
	if (in->count + ARRAY_SIZE(tmpl) > PENDING_MAX) {
		if (!in->overflowed)
			pr_warn("virtio-input: the guest is not reading its wake button; "
				"presses dropped");
		in->overflowed = true;
		r = -1;
		goto out;
	}
	in->overflowed = false;
	for (size_t i = 0; i < ARRAY_SIZE(tmpl); i++) {
		struct pending_event *ev = &in->pending[(in->head + in->count) % PENDING_MAX];

		*ev = tmpl[i];
		if (ev->type == EV_KEY)
			ev->code = code;
		in->count++;
	}
	if (virtio_mmio_queue_live(&in->vdev, EVENTQ))
		virtio_mmio_kick(&in->vdev);
out:
	pthread_mutex_unlock(&in->vdev.lock);
	return r;
}

bool virtio_input_driver_ready(struct device *dev)
{
	struct virtio_dev *vd = virtio_mmio_dev(dev);
	bool ready;

	pthread_mutex_lock(&vd->lock);
	ready = virtio_mmio_queue_live(vd, EVENTQ);
	pthread_mutex_unlock(&vd->lock);
	return ready;
}

static const struct virtio_dev_ops input_ops = {
	.device_id = VIRTIO_ID_INPUT,
	.nr_queues = 2,
	.process = input_process,
	.config_write = input_config_write,
	.reset = input_reset,
	.save = input_save,
	.load = input_load,
	.wakeup_source = true,
};

struct device *virtio_input_create(const struct guest_mem *mem, u64 base, struct irq_pin irq)
{
	struct virtio_input *in = xzalloc(sizeof(*in));

	in->vdev.ops = &input_ops;
	virtio_mmio_init(&in->vdev, "virtio-input", mem, base, irq);
	in->vdev.config = in->config;
	in->vdev.config_size = sizeof(in->config);
	cfg_update(in);
	in->transport_reset = in->vdev.dev.reset;
	in->vdev.dev.reset = input_power_on_reset;
	return &in->vdev.dev;
}
