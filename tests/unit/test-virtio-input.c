// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-input, the wake-up button: what its config space says for each
 * select, its device-tree node, presses queued until the driver has buffers,
 * the bound on them, hostile buffers and resets.
 */
#include <libfdt.h>

#include "tap.h"
#include "virtio-driver.h"

#define EVQ	0
#define STSQ	1

#define KEY_WAKEUP	VIRTIO_INPUT_KEY_WAKEUP

/* Config space offsets and selects (virtio 1.2, 5.8.4). */
#define C_SELECT	0
#define C_SUBSEL	1
#define C_SIZE		2
#define C_UNION		8
#define SEL_NAME	0x01
#define SEL_SERIAL	0x02
#define SEL_DEVIDS	0x03
#define SEL_PROP_BITS	0x10
#define SEL_EV_BITS	0x11
#define SEL_ABS_INFO	0x12

static void cfg_read(struct tdrv *d, u32 off, void *buf, u32 len)
{
	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + off, buf, len, false);
}

static u8 cfg8(struct tdrv *d, u32 off)
{
	u8 v;

	cfg_read(d, off, &v, 1);
	return v;
}

/* As Linux does: one byte for select, one for subsel, then size. */
static u8 cfg_select(struct tdrv *d, u8 sel, u8 subsel)
{
	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + C_SELECT, &sel, 1, true);
	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + C_SUBSEL, &subsel, 1, true);
	return cfg8(d, C_SIZE);
}

static bool union_zero_from(struct tdrv *d, u32 from)
{
	for (u32 i = from; i < 128; i++)
		if (cfg8(d, C_UNION + i))
			return false;
	return true;
}

static void test_config(struct tdrv *d)
{
	u32 gen = rd(d, VIRTIO_MMIO_CONFIG_GENERATION);
	char s[129] = { 0 };
	u8 ids[8], bits[128], two[2] = { SEL_EV_BITS, 1 }, junk = 0x55;
	u8 size;
	bool only_143 = true;

	tap_ok(cfg8(d, C_SELECT) == 0 && cfg8(d, C_SIZE) == 0, "power-on: select UNSET, size 0");

	size = cfg_select(d, SEL_NAME, 0);
	cfg_read(d, C_UNION, s, 8);
	cfg_read(d, C_UNION + 8, s + 8, 8);
	tap_ok(size == 16 && !strcmp(s, "lkvm wake button") && union_zero_from(d, 16),
	       "ID_NAME: \"%s\", size %u", s, size);

	memset(s, 0, sizeof(s));
	size = cfg_select(d, SEL_SERIAL, 0);
	cfg_read(d, C_UNION, s, 8);
	cfg_read(d, C_UNION + 8, s + 8, 2);
	tap_ok(size == 10 && !strcmp(s, "lkvm-wake0") && union_zero_from(d, 10),
	       "ID_SERIAL: \"%s\", size %u (the name's tail is gone)", s, size);

	size = cfg_select(d, SEL_DEVIDS, 0);
	cfg_read(d, C_UNION, ids, 8);
	tap_ok(size == 8 && le16_get(ids) == 0x06 && le16_get(ids + 2) == 0x4c4b &&
	       le16_get(ids + 4) == 1 && le16_get(ids + 6) == 1,
	       "ID_DEVIDS: BUS_VIRTUAL, vendor 0x4c4b, product 1, version 1");

	tap_ok(cfg_select(d, SEL_PROP_BITS, 0) == 0 && union_zero_from(d, 0),
	       "PROP_BITS: none");

	size = cfg_select(d, SEL_EV_BITS, 1);
	for (u32 i = 0; i < 128; i++) {
		bits[i] = cfg8(d, C_UNION + i);
		if (bits[i] != (i == 17 ? 0x80 : 0))
			only_143 = false;
	}
	tap_ok(size == 18 && only_143, "EV_BITS(EV_KEY): bit 143 (KEY_WAKEUP) and nothing else, "
	       "size %u", size);
	tap_ok(cfg_select(d, SEL_EV_BITS, 0) == 0 && cfg_select(d, SEL_EV_BITS, 2) == 0 &&
	       cfg_select(d, SEL_EV_BITS, 3) == 0 && cfg_select(d, SEL_EV_BITS, 0x11) == 0 &&
	       cfg_select(d, SEL_EV_BITS, 0x14) == 0 && union_zero_from(d, 0),
	       "EV_BITS for EV_SYN, EV_REL, EV_ABS, EV_LED, EV_REP: size 0 (no autorepeat)");
	tap_ok(cfg_select(d, SEL_ABS_INFO, 0) == 0 && cfg_select(d, 0x7f, 0) == 0 &&
	       cfg_select(d, 0, 0) == 0 && union_zero_from(d, 0),
	       "ABS_INFO, an unknown select and UNSET: size 0, union zero");

	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + C_SELECT, two, 2, true);
	tap_ok(cfg8(d, C_SELECT) == SEL_EV_BITS && cfg8(d, C_SIZE) == 18,
	       "one 2-byte write sets select and subsel");
	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + C_SIZE, &junk, 1, true);
	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + C_UNION, &junk, 1, true);
	tap_ok(cfg8(d, C_SIZE) == 18 && cfg8(d, C_UNION) == 0,
	       "size and the union are read-only to the driver");
	tap_ok(rd(d, VIRTIO_MMIO_CONFIG_GENERATION) == gen,
	       "the driver's selects leave the config generation alone");
}

static void test_fdt(struct tdrv *d)
{
	char buf[1024];
	int len, node = tdrv_fdt_node(d, buf, sizeof(buf), "/virtio@3000000");

	tap_ok(node >= 0 && !fdt_node_check_compatible(buf, node, "virtio,mmio") &&
	       fdt_getprop(buf, node, "wakeup-source", &len) && len == 0,
	       "FDT node: virtio,mmio with an empty wakeup-source property");
}

/* Post @n event buffers of @len bytes, heads and buffers @first.., and kick. */
static void post_ev(struct tdrv *d, int first, int n, u32 len)
{
	for (int i = first; i < first + n; i++) {
		memset(gpa(d, T_BUF(i)), 0xee, 16);
		set_desc(d, EVQ, i % T_QNUM, T_BUF(i), len, VIRTQ_DESC_F_WRITE, 0);
		add_avail(d, EVQ, (u16)(i % T_QNUM));
	}
	kick(d, EVQ);
}

/* Used entry @k of the event queue holds one event (type, code, value) in a buffer. */
static bool event_is(struct tdrv *d, u16 k, u16 type, u16 code, u32 value)
{
	u32 id = used_id(d, EVQ, k);
	const u8 *e;

	if (id >= T_QNUM || used_len(d, EVQ, k) != 8)
		return false;
	/* Heads are posted as buffer index % T_QNUM; the buffer is found by the descriptor. */
	e = gpa(d, *(u64 *)gpa(d, T_DESC(EVQ) + 16 * (u64)id));
	return le16_get(e) == type && le16_get(e + 2) == code && le32_get(e + 4) == value;
}

/* The four events of a press at used entries @k..@k+3. */
static bool press_at(struct tdrv *d, u16 k)
{
	return event_is(d, k, 1, KEY_WAKEUP, 1) && event_is(d, k + 1, 0, 0, 0) &&
	       event_is(d, k + 2, 1, KEY_WAKEUP, 0) && event_is(d, k + 3, 0, 0, 0);
}

static void test_presses(struct tdrv *d)
{
	int refused = 0, ok = 0;
	bool order = true;

	tap_ok(!virtio_input_driver_ready(d->dev), "no driver yet: not ready");
	tap_ok(virtio_input_press(d->dev, KEY_WAKEUP) == 0, "a press before the driver is queued");
	tap_ok(tdrv_setup(d, T_FEATURES, 2) == 0xf && virtio_input_driver_ready(d->dev),
	       "driver setup with two queues: ready");
	tap_ok(used_idx(d, EVQ) == 0, "no event buffers yet: the press waits");
	post_ev(d, 0, 8, 8);
	tap_ok(used_idx(d, EVQ) == 4 && press_at(d, 0) && d->irq.level,
	       "buffers posted: exactly KEY_WAKEUP 1, SYN, KEY_WAKEUP 0, SYN, interrupt raised");
	tap_ok(*(u8 *)gpa(d, T_BUF(4)) == 0xee, "the other buffers are left alone");
	ack_irq(d);

	tap_ok(virtio_input_press(d->dev, KEY_WAKEUP) == 0 && used_idx(d, EVQ) == 8 &&
	       press_at(d, 4) && d->irq.level, "a press with buffers waiting goes straight in");
	ack_irq(d);
	tap_ok(virtio_input_press(d->dev, 116) == -1 && used_idx(d, EVQ) == 8,
	       "a key the device does not advertise (KEY_POWER) is refused");

	/* No buffers left: 16 presses fit, more are refused. */
	for (int i = 0; i < 20; i++) {
		if (virtio_input_press(d->dev, KEY_WAKEUP) == 0)
			ok++;
		else
			refused++;
	}
	tap_ok(ok == 16 && refused == 4 && used_idx(d, EVQ) == 8,
	       "16 presses wait, the next 4 are refused (%d, %d)", ok, refused);
	for (int round = 0; round < 4; round++) {
		u16 before = used_idx(d, EVQ);

		post_ev(d, 8 + 16 * round, 16, 8);
		order = order && used_idx(d, EVQ) == (u16)(before + 16);
		for (u16 k = before; k < before + 16; k += 4)
			order = order && press_at(d, k);
	}
	tap_ok(order && used_idx(d, EVQ) == 72, "the 16 arrive whole and in order");
	post_ev(d, 72, 4, 8);
	tap_ok(used_idx(d, EVQ) == 72, "buffers with nothing pending stay with the device");
	tap_ok(virtio_input_press(d->dev, KEY_WAKEUP) == 0 && used_idx(d, EVQ) == 76 &&
	       press_at(d, 72), "once drained, presses are taken again");
	ack_irq(d);
}

static void test_hostile(struct tdrv *d)
{
	u16 k;

	/* An event split over two writable buffers, after a readable one. */
	tdrv_setup(d, T_FEATURES, 2);
	set_desc(d, EVQ, 0, T_BUF(20), 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(d, EVQ, 1, T_BUF(21), 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	set_desc(d, EVQ, 2, T_BUF(22), 4, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, EVQ, 0);
	post_ev(d, 3, 3, 8);
	virtio_input_press(d->dev, KEY_WAKEUP);
	tap_ok(used_idx(d, EVQ) == 4 && used_id(d, EVQ, 0) == 0 && used_len(d, EVQ, 0) == 8 &&
	       le16_get(gpa(d, T_BUF(21))) == 1 && le16_get(gpa(d, T_BUF(21)) + 2) == KEY_WAKEUP &&
	       le32_get(gpa(d, T_BUF(22))) == 1 &&
	       event_is(d, 1, 0, 0, 0) && event_is(d, 2, 1, KEY_WAKEUP, 0),
	       "an event split over two writable buffers, a readable one skipped");
	ack_irq(d);

	/* A read-only buffer: the driver broke a MUST; the device asks for a reset. */
	tdrv_setup(d, T_FEATURES, 2);
	set_desc(d, EVQ, 0, T_BUF(0), 8, 0, 0);
	add_avail(d, EVQ, 0);
	kick(d, EVQ);
	virtio_input_press(d->dev, KEY_WAKEUP);
	tap_ok(needs_reset(d) && used_idx(d, EVQ) == 0 && !virtio_input_driver_ready(d->dev),
	       "a read-only event buffer: NEEDS_RESET, not ready");
	tap_ok(virtio_input_press(d->dev, KEY_WAKEUP) == 0, "presses still queue meanwhile");

	/* The driver resets: what was pending survives it. */
	tdrv_setup(d, T_FEATURES, 2);
	post_ev(d, 0, 8, 8);
	tap_ok(used_idx(d, EVQ) == 8 && press_at(d, 0) && press_at(d, 4),
	       "after the driver's reset both pending presses arrive");
	ack_irq(d);

	/* Too short: 4 writable bytes cannot hold an event. */
	tdrv_setup(d, T_FEATURES, 2);
	post_ev(d, 0, 1, 4);
	virtio_input_press(d->dev, KEY_WAKEUP);
	tap_ok(needs_reset(d) && used_idx(d, EVQ) == 0, "a 4-byte event buffer: NEEDS_RESET");

	/* A buffer outside RAM. */
	tdrv_setup(d, T_FEATURES, 2);
	set_desc(d, EVQ, 0, T_RAM_BASE + T_RAM_SIZE - 4, 8, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, EVQ, 0);
	kick(d, EVQ);
	tap_ok(needs_reset(d) && used_idx(d, EVQ) == 0, "an event buffer past RAM: NEEDS_RESET");

	/* A reboot in place drops what is pending. */
	cfg_select(d, SEL_NAME, 0);
	d->dev->reset(d->dev);
	tap_ok(cfg8(d, C_SELECT) == 0 && cfg8(d, C_SIZE) == 0 && union_zero_from(d, 0),
	       "a reset puts select back to UNSET");
	tdrv_setup(d, T_FEATURES, 2);
	post_ev(d, 0, 8, 8);
	k = used_idx(d, EVQ);
	tap_ok(k == 0, "a reboot in place drops pending presses");
	tap_ok(virtio_input_press(d->dev, KEY_WAKEUP) == 0 && used_idx(d, EVQ) == 4 &&
	       press_at(d, 0), "and the next press is delivered");
	ack_irq(d);
}

static void test_statusq(struct tdrv *d)
{
	bool lens = true;

	tdrv_setup(d, T_FEATURES, 2);
	for (int i = 0; i < 3; i++) {
		u8 *p = gpa(d, T_BUF(30 + i));

		le16_put(p, 0x11);	/* EV_LED */
		le16_put(p + 2, (u16)i);
		le32_put(p + 4, 1);
		set_desc(d, STSQ, i, T_BUF(30 + i), 8, 0, 0);
		add_avail(d, STSQ, (u16)i);
	}
	/* A writable status buffer is odd but harmless: it is returned too. */
	set_desc(d, STSQ, 3, T_BUF(33), 8, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, STSQ, 3);
	kick(d, STSQ);
	for (u16 k = 0; k < 4; k++)
		lens = lens && used_len(d, STSQ, k) == 0;
	tap_ok(used_idx(d, STSQ) == 4 && lens && d->irq.level && !needs_reset(d),
	       "status events are consumed and dropped (len 0), interrupt raised");
	ack_irq(d);

	/* More than a round's worth: all consumed, a round at a time. */
	for (int i = 0; i < 40; i++) {
		set_desc(d, STSQ, i % T_QNUM, T_BUF(30), 8, 0, 0);
		add_avail(d, STSQ, (u16)(i % T_QNUM));
		if (i % T_QNUM == T_QNUM - 1)
			kick(d, STSQ);
	}
	kick(d, STSQ);
	tap_ok(used_idx(d, STSQ) == 44, "a steady stream of status events is consumed");
	ack_irq(d);
}

int main(void)
{
	struct tdrv d;

	tap_plan(36);
	tdrv_init_ram(&d);
	d.dev = virtio_input_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d));
	tap_ok(rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_INPUT && !strcmp(d.dev->name,
	       "virtio-input"), "DeviceID is 18 (input), named virtio-input");
	test_config(&d);
	test_fdt(&d);
	test_presses(&d);
	test_hostile(&d);
	test_statusq(&d);
	tdrv_free(&d);
	return tap_done();
}
