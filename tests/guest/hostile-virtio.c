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
	skip_all("no lkvm.attack=NAME: tests/linux/hostile-virtio.sh runs it");
}
