// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport and the split virtqueue, driven through the
 * register file and the rings exactly as a guest driver would, with virtio-rng
 * as the simplest device behind them.
 */
#include <libfdt.h>

#include "tap.h"
#include "virtio-driver.h"

static bool not_all_zero(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return true;
	return false;
}

/* One 64-byte entropy request at head 0; returns the used length or -1 if not used. */
static long rng_request(struct tdrv *d, u64 buf, u32 len)
{
	u16 before = used_idx(d, 0);

	set_desc(d, 0, 0, buf, len, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, 0, 0);
	kick(d, 0);
	if (used_idx(d, 0) != (u16)(before + 1) || used_id(d, 0, before) != 0)
		return -1;
	return used_len(d, 0, before);
}

static void test_registers(struct tdrv *d)
{
	u32 f0, f1;

	tap_ok(rd(d, VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976, "MagicValue is \"virt\"");
	tap_ok(rd(d, VIRTIO_MMIO_VERSION) == 2, "Version is 2 (modern)");
	tap_ok(rd(d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_RNG, "DeviceID is 4 (rng)");
	tap_ok(rd(d, VIRTIO_MMIO_VENDOR_ID) == 0x4c4b564d, "VendorID is \"LKVM\"");
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f0 = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f1 = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	tap_ok(f1 == 1 && (f0 & BIT(28)) && (f0 & BIT(29)),
	       "DeviceFeatures: VERSION_1, INDIRECT_DESC, EVENT_IDX (0x%08x 0x%08x)", f1, f0);
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	tap_ok(rd(d, VIRTIO_MMIO_DEVICE_FEATURES) == 0, "DeviceFeatures word 2 reads 0");
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	tap_ok(rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX) == VIRTQ_MAX_SIZE, "QueueNumMax of queue 0 is 256");
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 1);
	tap_ok(rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX) == 0, "QueueNumMax of a missing queue is 0");
	tap_ok(rd(d, VIRTIO_MMIO_CONFIG_GENERATION) == 0, "ConfigGeneration is 0");
	/* Linux's virtio-fs takes a length of 0 for a region it must reserve, and fails. */
	for (u32 sel = 0; sel < 3; sel += 2) {
		wr(d, VIRTIO_MMIO_SHM_SEL, sel);
		tap_ok(rd(d, VIRTIO_MMIO_SHM_LEN_LOW) == ~0U && rd(d, VIRTIO_MMIO_SHM_LEN_HIGH) == ~0U &&
			       rd(d, VIRTIO_MMIO_SHM_BASE_LOW) == ~0U &&
			       rd(d, VIRTIO_MMIO_SHM_BASE_HIGH) == ~0U,
		       "shared memory region %u: none (length and base read as -1)", sel);
	}
	{
		u8 b[2] = { 0xaa, 0xaa };

		d->dev->mmio(d->dev, VIRTIO_MMIO_MAGIC_VALUE, b, 2, false);
		tap_ok(b[0] == 0 && b[1] == 0, "a 16-bit register read is refused (reads 0)");
		d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + 4, b, 2, false);
		tap_ok(b[0] == 0 && b[1] == 0, "config space beyond the device's reads 0");
	}
}

static void test_negotiation(struct tdrv *d)
{
	u32 st;

	st = tdrv_setup(d, BIT(VIRTIO_RING_F_INDIRECT_DESC), 1);
	tap_ok(!(st & VIRTIO_STATUS_FEATURES_OK), "FEATURES_OK refused without VERSION_1 (0x%x)",
	       st);
	st = tdrv_setup(d, T_FEATURES | BIT(5), 1);
	tap_ok(!(st & VIRTIO_STATUS_FEATURES_OK), "FEATURES_OK refused for an unoffered bit");
	wr(d, VIRTIO_MMIO_STATUS, 0);
	wr(d, VIRTIO_MMIO_STATUS, 0x7);
	tap_ok(!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK),
	       "DRIVER_OK refused before FEATURES_OK");
	st = tdrv_setup(d, T_FEATURES, 1);
	tap_ok(st == 0xf, "status 0xf after a good negotiation (0x%x)", st);
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	tap_ok(rd(d, VIRTIO_MMIO_QUEUE_READY) == 1, "QueueReady reads back 1");
}

static void test_requests(struct tdrv *d)
{
	long n;
	u8 *buf = gpa(d, T_BUF(0));

	tdrv_setup(d, T_FEATURES, 1);
	d->irq.level = false;
	memset(buf, 0, 64);
	n = rng_request(d, T_BUF(0), 64);
	tap_ok(n == 64 && not_all_zero(buf, 64), "rng fills a 64-byte buffer, used len 64 (%ld)",
	       n);
	tap_ok(d->irq.level && rd(d, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING,
	       "used buffer raises the line, InterruptStatus = 1 (%d, %u)", d->irq.level,
	       rd(d, VIRTIO_MMIO_INTERRUPT_STATUS));
	ack_irq(d);
	tap_ok(!d->irq.level && rd(d, VIRTIO_MMIO_INTERRUPT_STATUS) == 0,
	       "InterruptACK lowers the line");

	*avail_flags(d, 0) = VIRTQ_AVAIL_F_NO_INTERRUPT;
	n = rng_request(d, T_BUF(0), 16);
	tap_ok(n == 16 && !d->irq.level, "VIRTQ_AVAIL_F_NO_INTERRUPT suppresses the interrupt");
	*avail_flags(d, 0) = 0;

	/* A chain: readable descriptor (ignored by rng) then two writable ones. */
	memset(gpa(d, T_BUF(1)), 0, 2 * 4096);
	set_desc(d, 0, 3, T_BUF(0), 8, VIRTQ_DESC_F_NEXT, 7);
	set_desc(d, 0, 7, T_BUF(1), 32, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(d, 0, 1, T_BUF(2), 32, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, 0, 3);
	kick(d, 0);
	tap_ok(used_idx(d, 0) == 3 && used_id(d, 0, 2) == 3 && used_len(d, 0, 2) == 64 &&
	       not_all_zero(gpa(d, T_BUF(2)), 32),
	       "three-descriptor chain: head 3 used with len 64");

	/* Indirect table of two writable buffers. */
	memset(gpa(d, T_BUF(1)), 0, 2 * 4096);
	set_desc_at(d, T_BUF(5), 0, T_BUF(1), 100, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(d, T_BUF(5), 1, T_BUF(2), 28, VIRTQ_DESC_F_WRITE, 0);
	set_desc(d, 0, 4, T_BUF(5), 32, VIRTQ_DESC_F_INDIRECT, 0);
	add_avail(d, 0, 4);
	kick(d, 0);
	tap_ok(used_idx(d, 0) == 4 && used_id(d, 0, 3) == 4 && used_len(d, 0, 3) == 128 &&
	       not_all_zero(gpa(d, T_BUF(2)), 28),
	       "indirect table: head 4 used with len 128");

	/* A full ring in one kick: avail idx moves by exactly the queue size. */
	for (u16 i = 0; i < T_QNUM; i++) {
		set_desc(d, 0, i, T_BUF(i), 8, VIRTQ_DESC_F_WRITE, 0);
		add_avail(d, 0, i);
	}
	kick(d, 0);
	tap_ok(used_idx(d, 0) == 4 + T_QNUM && used_id(d, 0, 4 + T_QNUM - 1) == T_QNUM - 1,
	       "a whole ring's worth in one kick is served in order");

	/* Indices wrap at 65536. */
	{
		bool ok = true;

		for (u32 round = 0; round < 65536 / T_QNUM + 2 && ok; round++) {
			for (u16 i = 0; i < T_QNUM; i++) {
				set_desc(d, 0, i, T_BUF(i), 1, VIRTQ_DESC_F_WRITE, 0);
				add_avail(d, 0, i);
			}
			kick(d, 0);
			ok = used_idx(d, 0) == d->avail_idx[0] &&
			     !(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
		}
		tap_ok(ok && d->avail_idx[0] < 1000, "ring indices wrap past 65535 (now %u)",
		       d->avail_idx[0]);
	}

	tap_ok(rd(d, VIRTIO_MMIO_QUEUE_NOTIFY) == 0, "QueueNotify is write-only (reads 0)");
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 5);
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	tap_ok(rd(d, VIRTIO_MMIO_STATUS) == 0xf, "notify of a queue that does not exist is ignored");
}

static void test_event_idx(struct tdrv *d)
{
	u32 st = tdrv_setup(d, T_FEATURES | BIT(VIRTIO_RING_F_EVENT_IDX), 1);
	long n;

	tap_ok(st == 0xf, "EVENT_IDX negotiated");
	*used_event(d, 0) = 0;
	n = rng_request(d, T_BUF(0), 8);
	tap_ok(n == 8 && d->irq.level, "EVENT_IDX: first used buffer interrupts (used_event 0)");
	tap_ok(avail_event(d, 0) == 1, "EVENT_IDX: avail_event follows the avail ring (%u)",
	       avail_event(d, 0));
	ack_irq(d);
	/* The driver wants to hear only when used idx passes 3. */
	*used_event(d, 0) = 3;
	rng_request(d, T_BUF(0), 8);
	rng_request(d, T_BUF(0), 8);
	tap_ok(!d->irq.level, "EVENT_IDX: no interrupt before used_event is reached");
	rng_request(d, T_BUF(0), 8);
	rng_request(d, T_BUF(0), 8);
	tap_ok(d->irq.level && used_idx(d, 0) == 5,
	       "EVENT_IDX: interrupt once used idx passes used_event");
	ack_irq(d);
}

static void test_reset(struct tdrv *d)
{
	tdrv_setup(d, T_FEATURES, 1);
	rng_request(d, T_BUF(0), 8);
	tap_ok(d->irq.level, "line high before reset");
	wr(d, VIRTIO_MMIO_STATUS, 0);
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	tap_ok(rd(d, VIRTIO_MMIO_STATUS) == 0 && rd(d, VIRTIO_MMIO_QUEUE_READY) == 0 &&
	       rd(d, VIRTIO_MMIO_INTERRUPT_STATUS) == 0 && !d->irq.level,
	       "Status 0 resets: status, QueueReady, InterruptStatus and the line all 0");
	tdrv_setup(d, T_FEATURES, 1);
	rng_request(d, T_BUF(0), 8);
	d->dev->reset(d->dev);
	tap_ok(rd(d, VIRTIO_MMIO_STATUS) == 0 && rd(d, VIRTIO_MMIO_QUEUE_READY) == 0 &&
	       !d->irq.level, "device reset callback returns to power-on state");
	tdrv_setup(d, T_FEATURES, 1);
	tap_ok(rng_request(d, T_BUF(0), 8) == 8, "works again after reset");

	/* Buffers made available before DRIVER_OK are served when it is set. */
	wr(d, VIRTIO_MMIO_STATUS, 0);
	memset(gpa(d, T_DESC(0)), 0, 0x4000);
	memset(d->avail_idx, 0, sizeof(d->avail_idx));
	wr(d, VIRTIO_MMIO_STATUS, 3);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(d, VIRTIO_MMIO_STATUS, 0xb);
	tdrv_queue(d, 0, T_QNUM, T_DESC(0), T_AVAIL(0), T_USED(0));
	set_desc(d, 0, 0, T_BUF(0), 8, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, 0, 0);
	kick(d, 0);
	tap_ok(used_idx(d, 0) == 0, "no buffer is used before DRIVER_OK");
	wr(d, VIRTIO_MMIO_STATUS, 0xf);
	tap_ok(used_idx(d, 0) == 1, "setting DRIVER_OK serves what was kicked before");
}

enum hostile {
	H_HEAD_RANGE, H_NEXT_RANGE, H_LOOP, H_ADDR_OUTSIDE, H_ADDR_WRAP, H_CROSS_END,
	H_AVAIL_JUMP, H_NESTED_INDIRECT, H_INDIRECT_NEXT, H_INDIRECT_LEN, H_INDIRECT_ZERO,
	H_INDIRECT_OUTSIDE, H_INDIRECT_LOOP, H_INDIRECT_NEXT_RANGE, H_INDIRECT_UNNEGOTIATED,
	H_READ_AFTER_WRITE, H_BELOW_RAM, H_NR
};

static const char *const hostile_name[H_NR] = {
	[H_HEAD_RANGE] = "head index >= queue size",
	[H_NEXT_RANGE] = "next index >= queue size",
	[H_LOOP] = "descriptor chain that loops",
	[H_ADDR_OUTSIDE] = "buffer address outside RAM",
	[H_ADDR_WRAP] = "buffer address + length wraps 2^64",
	[H_CROSS_END] = "buffer crossing the end of RAM",
	[H_AVAIL_JUMP] = "avail idx jumps by more than the queue size",
	[H_NESTED_INDIRECT] = "nested indirect table",
	[H_INDIRECT_NEXT] = "indirect descriptor with NEXT",
	[H_INDIRECT_LEN] = "indirect table length not a multiple of 16",
	[H_INDIRECT_ZERO] = "indirect table of length 0",
	[H_INDIRECT_OUTSIDE] = "indirect table outside RAM",
	[H_INDIRECT_LOOP] = "indirect chain that loops",
	[H_INDIRECT_NEXT_RANGE] = "indirect next index beyond the table",
	[H_INDIRECT_UNNEGOTIATED] = "indirect descriptor without the feature",
	[H_READ_AFTER_WRITE] = "readable buffer after a writable one",
	[H_BELOW_RAM] = "buffer below RAM",
};

static void hostile_case(struct tdrv *d, enum hostile h)
{
	u64 ind = T_BUF(8), end = T_RAM_BASE + T_RAM_SIZE;
	const u16 W = VIRTQ_DESC_F_WRITE, N = VIRTQ_DESC_F_NEXT, I = VIRTQ_DESC_F_INDIRECT;
	bool ok;

	tdrv_setup(d, h == H_INDIRECT_UNNEGOTIATED ? BIT(VIRTIO_F_VERSION_1) : T_FEATURES, 1);
	ack_irq(d);
	set_desc(d, 0, 0, T_BUF(0), 16, W, 0);
	switch (h) {
	case H_HEAD_RANGE:
		add_avail(d, 0, T_QNUM);
		break;
	case H_NEXT_RANGE:
		set_desc(d, 0, 0, T_BUF(0), 16, W | N, T_QNUM + 3);
		add_avail(d, 0, 0);
		break;
	case H_LOOP:
		set_desc(d, 0, 0, T_BUF(0), 16, W | N, 1);
		set_desc(d, 0, 1, T_BUF(1), 16, W | N, 0);
		add_avail(d, 0, 0);
		break;
	case H_ADDR_OUTSIDE:
		set_desc(d, 0, 0, end + 0x1000, 16, W, 0);
		add_avail(d, 0, 0);
		break;
	case H_ADDR_WRAP:
		set_desc(d, 0, 0, ~0ULL - 8, 0x100, W, 0);
		add_avail(d, 0, 0);
		break;
	case H_CROSS_END:
		set_desc(d, 0, 0, end - 8, 16, W, 0);
		add_avail(d, 0, 0);
		break;
	case H_AVAIL_JUMP:
		set_avail_idx(d, 0, T_QNUM + 1);
		break;
	case H_NESTED_INDIRECT:
		set_desc_at(d, ind, 0, ind + 64, 16, I, 0);
		set_desc(d, 0, 0, ind, 16, I, 0);
		add_avail(d, 0, 0);
		break;
	case H_INDIRECT_NEXT:
		set_desc_at(d, ind, 0, T_BUF(0), 16, W, 0);
		set_desc(d, 0, 0, ind, 16, I | N, 1);
		add_avail(d, 0, 0);
		break;
	case H_INDIRECT_LEN:
		set_desc_at(d, ind, 0, T_BUF(0), 16, W, 0);
		set_desc(d, 0, 0, ind, 24, I, 0);
		add_avail(d, 0, 0);
		break;
	case H_INDIRECT_ZERO:
		set_desc(d, 0, 0, ind, 0, I, 0);
		add_avail(d, 0, 0);
		break;
	case H_INDIRECT_OUTSIDE:
		set_desc(d, 0, 0, end - 16, 32, I, 0);
		add_avail(d, 0, 0);
		break;
	case H_INDIRECT_LOOP:
		set_desc_at(d, ind, 0, T_BUF(0), 16, W | N, 1);
		set_desc_at(d, ind, 1, T_BUF(1), 16, W | N, 2);
		set_desc_at(d, ind, 2, T_BUF(2), 16, W | N, 0);
		set_desc(d, 0, 0, ind, 48, I, 0);
		add_avail(d, 0, 0);
		break;
	case H_INDIRECT_NEXT_RANGE:
		set_desc_at(d, ind, 0, T_BUF(0), 16, W | N, 2);
		set_desc_at(d, ind, 2, T_BUF(0), 16, W, 0);	/* outside the 2-entry table */
		set_desc(d, 0, 0, ind, 32, I, 0);
		add_avail(d, 0, 0);
		break;
	case H_INDIRECT_UNNEGOTIATED:
		set_desc_at(d, ind, 0, T_BUF(0), 16, W, 0);
		set_desc(d, 0, 0, ind, 16, I, 0);
		add_avail(d, 0, 0);
		break;
	case H_READ_AFTER_WRITE:
		set_desc(d, 0, 0, T_BUF(0), 16, W | N, 1);
		set_desc(d, 0, 1, T_BUF(1), 16, 0, 0);
		add_avail(d, 0, 0);
		break;
	case H_BELOW_RAM:
		set_desc(d, 0, 0, T_RAM_BASE - 16, 16, W, 0);
		add_avail(d, 0, 0);
		break;
	case H_NR:
		break;
	}
	kick(d, 0);
	ok = needs_reset(d) && used_idx(d, 0) == 0;
	/* Broken stays broken, quietly, until the driver resets. */
	set_desc(d, 0, 0, T_BUF(0), 16, W, 0);
	add_avail(d, 0, 0);
	kick(d, 0);
	ok = ok && used_idx(d, 0) == 0;
	tdrv_setup(d, T_FEATURES, 1);
	ok = ok && rng_request(d, T_BUF(0), 16) == 16;
	tap_ok(ok, "hostile: %s -> NEEDS_RESET + config interrupt, nothing used, fine after reset",
	       hostile_name[h]);
}

static void test_bad_rings(struct tdrv *d)
{
	static const struct {
		const char *what;
		u16 num;
		u64 desc, avail, used;
	} bad[] = {
		{ "descriptor table outside RAM", T_QNUM, T_RAM_BASE + T_RAM_SIZE - 64, T_AVAIL(0),
		  T_USED(0) },
		{ "used ring crossing the end of RAM", T_QNUM, T_DESC(0), T_AVAIL(0),
		  T_RAM_BASE + T_RAM_SIZE - 16 },
		{ "avail ring at address 0", T_QNUM, T_DESC(0), 0, T_USED(0) },
		{ "misaligned descriptor table", T_QNUM, T_DESC(0) + 8, T_AVAIL(0), T_USED(0) },
		{ "misaligned used ring", T_QNUM, T_DESC(0), T_AVAIL(0), T_USED(0) + 2 },
		{ "queue size not a power of two", 12, T_DESC(0), T_AVAIL(0), T_USED(0) },
		{ "queue size above QueueNumMax", 512, T_DESC(0), T_AVAIL(0), T_USED(0) },
		{ "queue size 0", 0, T_DESC(0), T_AVAIL(0), T_USED(0) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		bool ok;

		tdrv_setup(d, T_FEATURES, 0);
		tdrv_queue(d, 0, bad[i].num, bad[i].desc, bad[i].avail, bad[i].used);
		ok = rd(d, VIRTIO_MMIO_QUEUE_READY) == 0 && needs_reset(d);
		wr(d, VIRTIO_MMIO_STATUS, 0xf);
		kick(d, 0);
		ok = ok && rd(d, VIRTIO_MMIO_QUEUE_READY) == 0;
		tap_ok(ok, "QueueReady refused: %s", bad[i].what);
	}
	/* The high halves of the ring addresses count. */
	tdrv_setup(d, T_FEATURES, 0);
	tdrv_queue(d, 0, T_QNUM, T_DESC(0) + (1ULL << 32), T_AVAIL(0), T_USED(0));
	tap_ok(rd(d, VIRTIO_MMIO_QUEUE_READY) == 0, "QueueReady refused: QueueDescHigh set");
}

static void test_fdt(struct tdrv *d)
{
	char buf[1024];
	const fdt32_t *p;
	int len, node = tdrv_fdt_node(d, buf, sizeof(buf), "/virtio@3000000");

	tap_ok(node >= 0, "FDT node /virtio@3000000 (%d)", node);
	tap_ok(node >= 0 && !fdt_node_check_compatible(buf, node, "virtio,mmio"),
	       "compatible = \"virtio,mmio\"");
	p = fdt_getprop(buf, node, "reg", &len);
	tap_ok(p && len == 16 && fdt32_to_cpu(p[1]) == T_MMIO_BASE && fdt32_to_cpu(p[3]) == 0x200,
	       "reg = <0 0x3000000 0 0x200>");
	p = fdt_getprop(buf, node, "interrupts", &len);
	tap_ok(p && len == 12 && fdt32_to_cpu(p[0]) == 0 && fdt32_to_cpu(p[1]) == 7 &&
	       fdt32_to_cpu(p[2]) == 4, "interrupts = <GIC_SPI 7 IRQ_TYPE_LEVEL_HIGH>");
	tap_ok(fdt_getprop(buf, node, "dma-coherent", &len) && len == 0, "dma-coherent");
}

static void test_iov_helpers(void)
{
	u8 a[3] = { 1, 2, 3 }, b[5] = { 4, 5, 6, 7, 8 }, out[8] = { 0 };
	struct iovec iov[3] = { { a, 3 }, { NULL, 0 }, { b, 5 } }, sl[3];
	size_t got;
	unsigned int k;

	tap_ok(virtq_iov_to_buf(iov, 3, 2, out, 8) == 6 && out[0] == 3 && out[1] == 4 && out[5] == 8,
	       "virtq_iov_to_buf with an offset across segments");
	k = virtq_iov_slice(iov, 3, 1, 4, sl, &got);
	tap_ok(k == 2 && got == 4 && sl[0].iov_base == a + 1 && sl[0].iov_len == 2 &&
	       sl[1].iov_base == b && sl[1].iov_len == 2, "virtq_iov_slice skips empty segments");
	k = virtq_iov_slice(iov, 3, 6, 100, sl, &got);
	tap_ok(k == 1 && got == 2, "virtq_iov_slice past the end is short");
}

/* virtq_unpop(): the chains given back come again, in ring order. */
static void test_unpop(struct tdrv *d)
{
	struct virtq vq;
	struct virtq_req req;
	int r1, r2, r3;
	u16 h1, h2;

	memset(&vq, 0, sizeof(vq));
	virtq_reset(&vq);
	vq.num = T_QNUM;
	vq.desc_gpa = T_DESC(0);
	vq.avail_gpa = T_AVAIL(0);
	vq.used_gpa = T_USED(0);
	memset(gpa(d, T_DESC(0)), 0, 0x4000);
	d->avail_idx[0] = 0;
	tap_ok(virtq_enable(&vq, &d->mem, false, false) == 0, "a bare queue enables");
	for (u16 i = 0; i < 3; i++) {
		set_desc(d, 0, i, T_BUF(i), 64, VIRTQ_DESC_F_WRITE, 0);
		add_avail(d, 0, i);
	}
	r1 = virtq_pop(&vq, &req);
	h1 = req.head;
	r2 = virtq_pop(&vq, &req);
	h2 = req.head;
	virtq_unpop(&vq, 1);
	r3 = virtq_pop(&vq, &req);
	tap_ok(r1 == 1 && r2 == 1 && r3 == 1 && h1 == 0 && h2 == 1 && req.head == 1,
	       "a chain given back with virtq_unpop() is popped again");
	virtq_unpop(&vq, 2);
	r1 = virtq_pop(&vq, &req);
	h1 = req.head;
	r2 = virtq_pop(&vq, &req);
	h2 = req.head;
	r3 = virtq_pop(&vq, &req);
	tap_ok(r1 == 1 && h1 == 0 && r2 == 1 && h2 == 1 && r3 == 1 && req.head == 2 &&
	       virtq_pop(&vq, &req) == 0, "two given back: the same order, then the rest, then none");
}

int main(void)
{
	struct tdrv d;

	tap_plan(13 + 5 + 10 + 5 + 6 + H_NR + 9 + 5 + 3 + 3);
	tdrv_init_ram(&d);
	d.dev = virtio_rng_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d));
	test_registers(&d);
	test_negotiation(&d);
	test_requests(&d);
	test_event_idx(&d);
	test_reset(&d);
	for (int h = 0; h < H_NR; h++)
		hostile_case(&d, (enum hostile)h);
	test_bad_rings(&d);
	test_fdt(&d);
	test_iov_helpers();
	test_unpop(&d);
	tdrv_free(&d);
	return tap_done();
}
