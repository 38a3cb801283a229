// SPDX-License-Identifier: GPL-2.0
/*
 * virtio devices with a worker, as in lkvm: a kick only wakes the worker,
 * and each round of the worker's work is bounded whatever the guest put in
 * the rings.  Also the status register's width.
 */
#include <fcntl.h>
#include <unistd.h>

#include "tap.h"
#include "virtio-driver.h"

#define BIGQ		256
#define SEG		61440u		/* 120 sectors: 1 MiB pieces split segments */
#define NSEGS		60u
#define DISK_BYTES	((u64)SEG * NSEGS)

static int kicks;

static void count_kick(struct virtio_dev *vd, int q)
{
	kicks++;
}

static struct virtio_dev *vdev(struct tdrv *d)
{
	return virtio_mmio_dev(d->dev);
}

/* A queue of @num entries at queue 0's ring area, @n of them available. */
static void big_queue(struct tdrv *d, u16 num)
{
	memset(gpa(d, T_DESC(0)), 0, 0x4000);
	wr(d, VIRTIO_MMIO_STATUS, 0);
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(d, VIRTIO_MMIO_STATUS, 0xb);
	tdrv_queue(d, 0, num, T_DESC(0), T_AVAIL(0), T_USED(0));
}

static void big_avail(struct tdrv *d, u16 pos, u16 head)
{
	((u16 *)gpa(d, T_AVAIL(0) + 4))[pos % BIGQ] = head;
}

static void test_status_width(void)
{
	struct tdrv d;

	tdrv_init_ram(&d);
	d.dev = virtio_rng_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d));
	tdrv_setup(&d, T_FEATURES, 1);
	wr(&d, VIRTIO_MMIO_STATUS, 0x10f);
	wr(&d, VIRTIO_MMIO_QUEUE_SEL, 0);
	tap_ok(rd(&d, VIRTIO_MMIO_STATUS) == 0xf && rd(&d, VIRTIO_MMIO_QUEUE_READY) == 1,
	       "status 0x10f: only the low byte counts, the device stays live");
	wr(&d, VIRTIO_MMIO_STATUS, 0x100);
	tap_ok(rd(&d, VIRTIO_MMIO_STATUS) == 0 && rd(&d, VIRTIO_MMIO_QUEUE_READY) == 0,
	       "status 0x100 is a write of 0: a whole reset, queues disabled too");
	tdrv_free(&d);
}

static void test_rng_rounds(void)
{
	struct tdrv d;
	bool more[4];

	tdrv_init_ram(&d);
	d.dev = virtio_rng_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d));
	vdev(&d)->kick = count_kick;
	big_queue(&d, BIGQ);
	for (u16 i = 0; i < BIGQ; i++) {
		set_desc(&d, 0, i, T_BUF(0), 16, VIRTQ_DESC_F_WRITE, 0);
		big_avail(&d, i, i);
	}
	*(u16 *)gpa(&d, T_AVAIL(0) + 2) = 200;
	kicks = 0;
	wr(&d, VIRTIO_MMIO_STATUS, 0xf);
	wr(&d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	tap_ok(kicks == 2 && used_idx(&d, 0) == 0,
	       "DRIVER_OK and QueueNotify only wake the worker (%d kicks, used idx %u)", kicks,
	       used_idx(&d, 0));
	for (int i = 0; i < 4; i++)
		more[i] = virtio_mmio_work(vdev(&d));
	tap_ok(more[0] && more[1] && more[2] && !more[3] && used_idx(&d, 0) == 200,
	       "200 requests take four rounds of at most %d (more: %d %d %d %d)",
	       VIRTIO_ROUND_CHAINS, more[0], more[1], more[2], more[3]);
	virtio_mmio_stop(vdev(&d));
	*(u16 *)gpa(&d, T_AVAIL(0) + 2) = 210;
	tap_ok(!virtio_mmio_work(vdev(&d)) && used_idx(&d, 0) == 200,
	       "once lkvm is stopping, a round does nothing");
	tdrv_free(&d);
}

static void test_console(void)
{
	struct tdrv d;
	int pfd[2];
	u8 *out = xzalloc(3 * 4096 + 100), *got = xzalloc(3 * 4096 + 100);
	ssize_t n = 0, r;
	int rounds = 0;

	if (pipe(pfd) < 0)
		abort();
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	tdrv_init_ram(&d);
	d.dev = virtio_console_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), pfd[1]);
	vdev(&d)->kick = count_kick;
	tap_ok(tdrv_setup(&d, T_FEATURES, 2) == 0xf, "console set up with a worker");

	/* One transmit chain of 12388 bytes goes out a piece per round. */
	for (size_t i = 0; i < 3 * 4096 + 100; i++)
		out[i] = (u8)(i * 13 + 1);
	memcpy(gpa(&d, T_BUF(0)), out, 3 * 4096 + 100);
	set_desc(&d, 1, 0, T_BUF(0), 3 * 4096 + 100, 0, 0);
	add_avail(&d, 1, 0);
	kick(&d, 1);
	while (virtio_mmio_work(vdev(&d)) && rounds < 100) {
		rounds++;
		while ((r = read(pfd[0], got + n, 3 * 4096 + 100 - (size_t)n)) > 0)
			n += r;
	}
	while ((r = read(pfd[0], got + n, 3 * 4096 + 100 - (size_t)n)) > 0)
		n += r;
	tap_ok(n == 3 * 4096 + 100 && !memcmp(got, out, (size_t)n) && used_idx(&d, 1) == 1,
	       "a 12388-byte chain is written whole and in order, then returned (%zd bytes)", n);

	/* A receive buffer the device cannot write into is a broken driver, not a loop. */
	set_desc(&d, 0, 0, T_BUF(4), 64, 0, 0);
	add_avail(&d, 0, 0);
	kick(&d, 0);
	virtio_console_receive(d.dev, (const u8 *)"x", 1);
	virtio_mmio_work(vdev(&d));
	tap_ok(needs_reset(&d), "a receive chain with no writable byte sets NEEDS_RESET");
	tap_ok(!virtio_mmio_work(vdev(&d)), "and the device stops working on it");
	tdrv_free(&d);
	close(pfd[0]);
	close(pfd[1]);
	free(out);
	free(got);
}

/* A 3.5 MiB read into 60 aliased segments: done in 1 MiB pieces that split segments. */
static void test_blk_pieces(void)
{
	char path[] = "/tmp/lkvm-test-worker-XXXXXX";
	u8 *img = xzalloc(DISK_BYTES), hdr[16] = { 0 };
	int fd = mkstemp(path);
	struct tdrv d;
	u16 i;

	for (u64 k = 0; k < DISK_BYTES; k++)
		img[k] = (u8)(k * 31 + (k >> 12));
	if (fd < 0 || util_write_all(fd, img, DISK_BYTES) < 0)
		abort();
	close(fd);
	tdrv_init_ram(&d);
	d.dev = virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), path, false);
	vdev(&d)->kick = count_kick;
	tdrv_setup(&d, T_FEATURES, 1);
	memcpy(gpa(&d, T_BUF(0)), hdr, sizeof(hdr));	/* T_IN, sector 0 */
	/* The header, then an indirect table: 60 data segments and the status byte. */
	set_desc(&d, 0, 0, T_BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(&d, 0, 1, T_BUF(2), 16 * (NSEGS + 1), VIRTQ_DESC_F_INDIRECT, 0);
	for (i = 0; i < NSEGS; i++)
		set_desc_at(&d, T_BUF(2), i, T_BUF(16), SEG, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
			    i + 1);
	set_desc_at(&d, T_BUF(2), NSEGS, T_BUF(1), 1, VIRTQ_DESC_F_WRITE, 0);
	*(u8 *)gpa(&d, T_BUF(1)) = 0xee;
	add_avail(&d, 0, 0);
	kick(&d, 0);
	tap_ok(used_idx(&d, 0) == 0, "a kick does no disk I/O on the kicking thread");
	while (virtio_mmio_work(vdev(&d)))
		;
	tap_ok(used_idx(&d, 0) == 1 && used_len(&d, 0, 0) == DISK_BYTES + 1 &&
	       *(u8 *)gpa(&d, T_BUF(1)) == 0 &&
	       !memcmp(gpa(&d, T_BUF(16)), img + (NSEGS - 1) * (u64)SEG, SEG),
	       "a 3.5 MiB read over 60 aliased segments completes in pieces, last segment on top");
	tdrv_free(&d);
	unlink(path);
	free(img);
}

int main(void)
{
	tap_plan(11);
	test_status_width();
	test_rng_rounds();
	test_console();
	test_blk_pieces();
	return tap_done();
}
