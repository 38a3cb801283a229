// SPDX-License-Identifier: GPL-2.0
/* virtio-console: guest output to a pipe, host input buffered until the guest reads. */
#include <fcntl.h>
#include <unistd.h>

#include "tap.h"
#include "virtio-driver.h"

#define RXQ	0
#define TXQ	1

/* Post @n receive buffers of @len bytes at T_BUF(i), heads 0..n-1, and kick. */
static void post_rx(struct tdrv *d, int n, u32 len)
{
	for (int i = 0; i < n; i++) {
		memset(gpa(d, T_BUF(i)), 0, len);
		set_desc(d, RXQ, i, T_BUF(i), len, VIRTQ_DESC_F_WRITE, 0);
		add_avail(d, RXQ, (u16)i);
	}
	kick(d, RXQ);
}

static u8 big[VIRTIO_CONSOLE_INBUF + 4096];

int main(void)
{
	struct tdrv d;
	int pfd[2];
	char got[64] = { 0 };
	ssize_t r;
	u16 n;

	tap_plan(13);
	if (pipe(pfd) < 0)
		return 1;
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	tdrv_init_ram(&d);
	d.dev = virtio_console_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), pfd[1]);
	tap_ok(rd(&d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_CONSOLE, "DeviceID is 3 (console)");

	/* Typed before the driver exists, and across the reset it does at probe. */
	virtio_console_receive(d.dev, (const u8 *)"early", 5);
	tap_ok(tdrv_setup(&d, T_FEATURES, 2) == 0xf, "driver setup with two queues");
	tap_ok(used_idx(&d, RXQ) == 0, "no receive buffers yet: input stays buffered");
	post_rx(&d, 1, 64);
	tap_ok(used_idx(&d, RXQ) == 1 && used_len(&d, RXQ, 0) == 5 &&
	       !memcmp(gpa(&d, T_BUF(0)), "early", 5) && d.irq.level,
	       "buffered input delivered when the guest posts a buffer, interrupt raised");
	ack_irq(&d);

	post_rx(&d, 2, 4);
	virtio_console_receive(d.dev, (const u8 *)"abcdefg", 7);
	tap_ok(used_idx(&d, RXQ) == 3 && used_len(&d, RXQ, 1) == 4 && used_len(&d, RXQ, 2) == 3 &&
	       !memcmp(gpa(&d, T_BUF(0)), "abcd", 4) && !memcmp(gpa(&d, T_BUF(1)), "efg", 3),
	       "input spread over two small receive buffers");
	tap_ok(d.irq.level, "input raises the interrupt");
	ack_irq(&d);

	/* Guest output: two readable descriptors in one chain. */
	memcpy(gpa(&d, T_BUF(8)), "hello, ", 7);
	memcpy(gpa(&d, T_BUF(9)), "world", 5);
	set_desc(&d, TXQ, 0, T_BUF(8), 7, VIRTQ_DESC_F_NEXT, 1);
	set_desc(&d, TXQ, 1, T_BUF(9), 5, 0, 0);
	add_avail(&d, TXQ, 0);
	kick(&d, TXQ);
	r = read(pfd[0], got, sizeof(got) - 1);
	tap_ok(r == 12 && !strcmp(got, "hello, world"), "guest output reaches the host fd");
	tap_ok(used_idx(&d, TXQ) == 1 && used_len(&d, TXQ, 0) == 0 && d.irq.level,
	       "transmit buffer returned with len 0, interrupt raised");
	ack_irq(&d);

	/* More than the host-side buffer holds while the guest reads nothing. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (u8)i;
	virtio_console_receive(d.dev, big, sizeof(big));
	virtio_console_receive(d.dev, big, 10);
	n = used_idx(&d, RXQ);
	{
		size_t total = 0;
		bool order = true;

		for (int round = 0; round < 40; round++) {
			u16 before = used_idx(&d, RXQ);

			post_rx(&d, 1, 4096);
			if (used_idx(&d, RXQ) == before)
				break;
			for (u32 i = 0; i < used_len(&d, RXQ, before); i++)
				order = order && ((u8 *)gpa(&d, T_BUF(0)))[i] == (u8)(total + i);
			total += used_len(&d, RXQ, before);
		}
		tap_ok(n == 3 && total == VIRTIO_CONSOLE_INBUF && order,
		       "input beyond 64 KiB is dropped, the first 64 KiB arrive in order (%zu)",
		       total);
	}

	/* A broken receive ring asks for a reset instead of crashing. */
	set_desc(&d, RXQ, 0, T_RAM_BASE + T_RAM_SIZE, 16, VIRTQ_DESC_F_WRITE, 0);
	add_avail(&d, RXQ, 0);
	virtio_console_receive(d.dev, (const u8 *)"x", 1);
	tap_ok(needs_reset(&d), "receive buffer outside RAM: NEEDS_RESET");
	tap_ok(read(pfd[0], got, sizeof(got)) < 0, "nothing written to the host meanwhile");

	d.dev->reset(d.dev);
	tdrv_setup(&d, T_FEATURES, 2);
	post_rx(&d, 1, 16);
	tap_ok(used_idx(&d, RXQ) == 1 && used_len(&d, RXQ, 0) == 1 && *(u8 *)gpa(&d, T_BUF(0)) == 'x',
	       "after reset, input kept across it is delivered");
	virtio_console_receive(d.dev, NULL, 0);
	tap_ok(used_idx(&d, RXQ) == 1, "empty input uses no buffer");

	tdrv_free(&d);
	close(pfd[0]);
	close(pfd[1]);
	return tap_done();
}
