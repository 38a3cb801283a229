// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest's devices: it hands lkvm's devices rings built to make them
 * work without end, or floods an output nobody reads, then spins.
 * tests/linux/hostile-virtio.sh runs it once
 * per attack ("lkvm.attack=NAME" on the command line), sends SIGTERM while
 * the attack goes on, and checks that lkvm stops at once, as it would for a
 * well-behaved guest.
 *
 *   console-rx  virtio-console's receive queue gets only chains with no
 *               device-writable byte (each 256 descriptors long, so the
 *               device spends long enough on a batch for the payload to
 *               refill it), and the payload keeps the queue full as the
 *               device consumes; the host then types a line.
 *   blk-alias   virtio-blk gets 256 requests naming one chain whose 254 data
 *               buffers all alias one 16 MiB buffer: about 1 TiB of reads
 *               from one QUEUE_NOTIFY.
 *   console-tx  virtio-console gets one transmit chain of 254 x 16 MiB (the
 *               same buffer again and again), and lkvm's stdout is a pipe
 *               nobody reads.
 *   uart-flood  the UART prints for ever into that pipe.
 *   hammer      MMIO to holes and to the devices, of every width, and SMCCC
 *               calls with random function ids and arguments, in and out of
 *               the SDEI range, without end; each answer must be one the
 *               specs allow (it prints "BAD ..." and stops if not).
 *
 * run-by: tests/linux/hostile-virtio.sh
 */
#include "virtio-guest.h"

#define QSIZE		256
#define BIG_BUF		(RAM_BASE + 0x2000000UL)	/* 16 MiB at RAM + 32 MiB */
#define BIG_LEN		0x1000000U

static struct vdesc desc[QSIZE] __attribute__((aligned(16)));
static struct vavail avail __attribute__((aligned(2)));
static volatile struct vused used __attribute__((aligned(4)));
static u8 small[64];
static u8 hdr[16], status;

static bool attack_is(const char *name)
{
	u32 len, n = (u32)strlen(name);
	const char *args = fdt_getprop("/chosen", "bootargs", &len);

	for (u32 i = 0; args && i + 12 + n <= len; i++)
		if (!strncmp(args + i, "lkvm.attack=", 12) && !strncmp(args + i + 12, name, n))
			return true;
	return false;
}

static __noreturn void console_rx(void)
{
	u64 base = vdev_find(3);

	if (!base)
		bail("no virtio-console (run with --console virtio)");
	for (u32 i = 0; i < QSIZE; i++) {
		/* Device-readable only: the device has nowhere to put input. */
		desc[i] = (struct vdesc){ .addr = (u64)(uintptr_t)small, .len = sizeof(small),
					  .flags = i + 1 < QSIZE ? VDESC_F_NEXT : 0,
					  .next = (u16)(i + 1) };
		avail.ring[i] = 0;
	}
	avail.idx = QSIZE;
	vdev_begin(base);
	vdev_queue(base, 0, QSIZE, desc, &avail, (const void *)&used);
	vdev_driver_ok(base);
	vdev_write(base, VM_QUEUE_NOTIFY, 0);
	printf("ATTACKING console-rx\n");
	/* Give back every chain the device consumes, at once, for ever. */
	for (u32 consumed = 0, last = 0;;) {
		u16 u = __atomic_load_n(&used.idx, __ATOMIC_ACQUIRE);

		if ((u16)(avail.idx - u) < QSIZE) {
			consumed += (u16)(u - last);
			last = u;
			__atomic_store_n(&avail.idx, (u16)(u + QSIZE), __ATOMIC_RELEASE);
			if (consumed >= 1024) {
				printf("CONSUMED 1024 more\n");
				consumed -= 1024;
			}
		}
	}
}

static __noreturn void blk_alias(void)
{
	u64 base = vdev_find(2);

	if (!base)
		bail("no virtio-blk (run with -d a disk of 4 GiB or more)");
	hdr[0] = 0;	/* VIRTIO_BLK_T_IN, sector 0 */
	desc[0] = (struct vdesc){ .addr = (u64)(uintptr_t)hdr, .len = sizeof(hdr),
				  .flags = VDESC_F_NEXT, .next = 1 };
	for (u16 i = 1; i < QSIZE - 1; i++)
		desc[i] = (struct vdesc){ .addr = BIG_BUF, .len = BIG_LEN,
					  .flags = VDESC_F_WRITE | VDESC_F_NEXT, .next = i + 1 };
	desc[QSIZE - 1] = (struct vdesc){ .addr = (u64)(uintptr_t)&status, .len = 1,
					  .flags = VDESC_F_WRITE };
	for (u32 i = 0; i < QSIZE; i++)
		avail.ring[i] = 0;
	avail.idx = QSIZE;
	vdev_begin(base);
	vdev_queue(base, 0, QSIZE, desc, &avail, (const void *)&used);
	vdev_driver_ok(base);
	printf("ATTACKING blk-alias\n");
	vdev_write(base, VM_QUEUE_NOTIFY, 0);
	printf("KICKED\n");
	for (;;)
		wfi();
}

static __noreturn void console_tx(void)
{
	u64 base = vdev_find(3);

	if (!base)
		bail("no virtio-console (run with --console virtio)");
	for (u16 i = 0; i < QSIZE - 2; i++)
		desc[i] = (struct vdesc){ .addr = BIG_BUF, .len = BIG_LEN,
					  .flags = i + 1 < QSIZE - 2 ? VDESC_F_NEXT : 0,
					  .next = i + 1 };
	avail.ring[0] = 0;
	avail.idx = 1;
	vdev_begin(base);
	vdev_queue(base, 1, QSIZE, desc, &avail, (const void *)&used);
	vdev_driver_ok(base);
	printf("ATTACKING console-tx\n");
	vdev_write(base, VM_QUEUE_NOTIFY, 1);
	for (;;)
		wfi();
}

static __noreturn void uart_flood(void)
{
	printf("ATTACKING uart-flood\n");
	for (;;)
		printf("flood flood flood flood flood flood flood flood flood flood\n");
}

static u64 rnd = 0x9e3779b97f4a7c15ULL;

static u64 next(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

/* What SMCCC allows back: a standard error, or what the function returns. */
static bool answer_ok(u32 fid, s64 x0)
{
	if ((fid >> 24 & 0x3f) == 0x04 && (fid & 0xffff) >= 0x20 && (fid & 0xffff) < 0x40)
		/* SDEI: its error codes, or a value (an event number, a version...) >= 0. */
		return x0 >= 0 || x0 == -1 || x0 == -2 || x0 == -3 || x0 == -5 || x0 == -10;
	return true;	/* KVM answers the rest: whatever it says, lkvm stays out */
}

static __noreturn void hammer(void)
{
	static const u64 holes[] = { 0x02800000, 0x01020000, 0x50001000, 0x03000000 + 0x1f0,
				     UART_BASE + 8 };

	printf("ATTACKING hammer\n");
	for (u64 n = 0;; n++) {
		u64 r = next(), a = holes[r % ARRAY_SIZE(holes)] + (r >> 8 & 0xf8);
		u32 fid;
		struct smccc_res res;

		switch (r >> 16 & 3) {
		case 0: readl(a); break;
		case 1: writeq(next(), a); break;
		case 2: writeb((u8)r, a); break;
		default: readq(a); break;
		}
		/* Half the calls in the SDEI range, the rest anywhere but PSCI's power calls. */
		fid = r >> 20 & 1 ? 0xc4000020u + (u32)(r >> 24 & 0x1f) : (u32)next();
		if ((fid & 0x3f000000u) == 0x04000000u && (fid & 0xffff) < 0x20)
			continue;	/* PSCI: CPU_OFF, SYSTEM_OFF... would end the attack */
		res = hvc(fid, next(), next() & 0xff, next(), 0, 0, 0, 0);
		if (!answer_ok(fid, (s64)res.a0)) {
			printf("BAD answer %ld to %#x\n", (long)res.a0, fid);
			for (;;)
				wfi();
		}
		if (!(n % 2000))
			printf("HAMMERED %lu\n", (unsigned long)n);
	}
}

void test_main(void)
{
	if (attack_is("console-rx"))
		console_rx();
	if (attack_is("blk-alias"))
		blk_alias();
	if (attack_is("console-tx"))
		console_tx();
	if (attack_is("uart-flood"))
		uart_flood();
	if (attack_is("hammer"))
		hammer();
	skip_all("no lkvm.attack=NAME: tests/linux/hostile-virtio.sh runs it");
}
