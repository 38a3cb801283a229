// SPDX-License-Identifier: GPL-2.0
/* virtio-blk on a temporary image file, driven as a guest driver would. */
#include <fcntl.h>
#include <unistd.h>

#include "tap.h"
#include "virtio-driver.h"

#define SECTORS		64
#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define T_GET_ID	8
#define HDR		T_BUF(0)
#define DATA		T_BUF(1)	/* up to 8 pages */
#define STATUS		T_BUF(12)

static char path[64];

static u8 pattern(u64 off)
{
	return (u8)(off * 7 + (off >> 9));
}

static void make_image(void)
{
	u8 buf[SECTORS * 512];
	int fd;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i);
	strcpy(path, "/tmp/lkvm-test-blk-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || util_write_all(fd, buf, sizeof(buf)) < 0)
		abort();
	close(fd);
}

static bool file_matches(u64 off, const u8 *want, size_t len)
{
	u8 got[8192];
	int fd = open(path, O_RDONLY);
	bool ok = fd >= 0 && len <= sizeof(got) && pread(fd, got, len, (off_t)off) == (ssize_t)len &&
		  !memcmp(got, want, len);

	if (fd >= 0)
		close(fd);
	return ok;
}

static void put_hdr(struct tdrv *d, u32 type, u64 sector)
{
	u8 *h = gpa(d, HDR);

	memcpy(h, &type, 4);
	memset(h + 4, 0, 4);
	memcpy(h + 8, &sector, 8);
}

/*
 * header, optional data buffer, status byte; returns the status byte (-1 when
 * the request was not returned) and the used length in *@ulen.
 */
static int blk_req(struct tdrv *d, u32 type, u64 sector, u32 data_len, bool data_write,
		   u32 *ulen)
{
	u16 before = used_idx(d, 0);
	unsigned int i = 0;

	put_hdr(d, type, sector);
	*(u8 *)gpa(d, STATUS) = 0xee;
	set_desc(d, 0, i, HDR, 16, VIRTQ_DESC_F_NEXT, i + 1);
	i++;
	if (data_len) {
		set_desc(d, 0, i, DATA, data_len,
			 VIRTQ_DESC_F_NEXT | (data_write ? VIRTQ_DESC_F_WRITE : 0), i + 1);
		i++;
	}
	set_desc(d, 0, i, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, 0, 0);
	kick(d, 0);
	if (used_idx(d, 0) != (u16)(before + 1) || used_id(d, 0, before) != 0)
		return -1;
	if (ulen)
		*ulen = used_len(d, 0, before);
	return *(u8 *)gpa(d, STATUS);
}

static u64 cfg_read(struct tdrv *d, u32 off, u32 len)
{
	u8 b[8] = { 0 };

	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + off, b, len, false);
	return le_get(b, len);
}

static u32 dev_features_lo(struct tdrv *d)
{
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void test_rw(struct tdrv *d)
{
	u8 want[1024], *data = gpa(d, DATA);
	u32 ulen = 0;
	int st;

	tap_ok(rd(d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK, "DeviceID is 2 (block)");
	tap_ok(cfg_read(d, 0, 8) == SECTORS && cfg_read(d, 0, 4) == SECTORS &&
	       cfg_read(d, 4, 4) == 0, "capacity = 64 sectors (64-bit and 32-bit reads)");
	tap_ok(cfg_read(d, 20, 4) == 512 && cfg_read(d, 12, 4) == VIRTQ_MAX_SEGS - 2,
	       "blk_size 512, seg_max 254");
	tap_ok((dev_features_lo(d) & (BIT(2) | BIT(5) | BIT(6) | BIT(9))) ==
	       (BIT(2) | BIT(6) | BIT(9)), "features: SEG_MAX, BLK_SIZE, FLUSH, not RO");
	tap_ok(tdrv_setup(d, T_FEATURES | BIT(9), 1) == 0xf, "driver setup with FLUSH");

	memset(data, 0, 1024);
	st = blk_req(d, T_IN, 3, 1024, true, &ulen);
	for (int i = 0; i < 1024; i++)
		want[i] = pattern(3 * 512 + (u64)i);
	tap_ok(st == 0 && ulen == 1025 && !memcmp(data, want, 1024),
	       "IN sectors 3-4: file data, status OK, used len 1025 (st %d len %u)", st, ulen);
	tap_ok(d->irq.level, "completion raises the interrupt");
	ack_irq(d);

	for (int i = 0; i < 1024; i++)
		data[i] = (u8)(0xa5 ^ i);
	st = blk_req(d, T_OUT, 5, 1024, false, &ulen);
	tap_ok(st == 0 && ulen == 1 && file_matches(5 * 512, data, 1024),
	       "OUT sectors 5-6 reach the file, status OK, used len 1");

	/* Header split 8 + 8, data in three pieces, status alone. */
	put_hdr(d, T_IN, 10);
	memset(data, 0, 1024);
	set_desc(d, 0, 9, HDR, 8, VIRTQ_DESC_F_NEXT, 2);
	set_desc(d, 0, 2, HDR + 8, 8, VIRTQ_DESC_F_NEXT, 4);
	set_desc(d, 0, 4, DATA, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
	set_desc(d, 0, 5, DATA + 100, 0, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 6);
	set_desc(d, 0, 6, DATA + 100, 412, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 7);
	set_desc(d, 0, 7, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	*(u8 *)gpa(d, STATUS) = 0xee;
	add_avail(d, 0, 9);
	kick(d, 0);
	for (int i = 0; i < 512; i++)
		want[i] = pattern(10 * 512 + (u64)i);
	tap_ok(used_id(d, 0, (u16)(used_idx(d, 0) - 1)) == 9 && *(u8 *)gpa(d, STATUS) == 0 &&
	       !memcmp(data, want, 512), "IN with a split header and scattered data");

	/* Indirect: header, data, status in a table. */
	put_hdr(d, T_OUT, 20);
	memset(data, 0x3c, 512);
	set_desc_at(d, T_BUF(10), 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(d, T_BUF(10), 1, DATA, 512, VIRTQ_DESC_F_NEXT, 2);
	set_desc_at(d, T_BUF(10), 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(d, 0, 1, T_BUF(10), 48, VIRTQ_DESC_F_INDIRECT, 0);
	*(u8 *)gpa(d, STATUS) = 0xee;
	add_avail(d, 0, 1);
	kick(d, 0);
	tap_ok(*(u8 *)gpa(d, STATUS) == 0 && file_matches(20 * 512, data, 512),
	       "OUT through an indirect table");

	st = blk_req(d, T_FLUSH, 0, 0, false, &ulen);
	tap_ok(st == 0 && ulen == 1, "FLUSH: status OK");

	memset(data, 0xff, 32);
	st = blk_req(d, T_GET_ID, 0, 20, true, &ulen);
	tap_ok(st == 0 && ulen == 21 && !strncmp((char *)data, strrchr(path, '/') + 1, 20),
	       "GET_ID: the image's name, used len 21");

	st = blk_req(d, 99, 0, 0, false, &ulen);
	tap_ok(st == 2 && ulen == 1, "unknown request type: UNSUPP");
}

static void test_errors(struct tdrv *d)
{
	u8 before[1024], *data = gpa(d, DATA);
	u32 ulen;
	int st;
	u16 n;

	for (int i = 0; i < 1024; i++)
		before[i] = pattern(62 * 512 + (u64)i);
	memset(data, 0x11, 1024);
	st = blk_req(d, T_OUT, 63, 1024, false, &ulen);
	tap_ok(st == 1 && file_matches(62 * 512, before, 1024),
	       "OUT past the last sector: IOERR, file unchanged");
	st = blk_req(d, T_IN, 64, 512, true, NULL);
	tap_ok(st == 1, "IN at sector == capacity: IOERR");
	st = blk_req(d, T_IN, ~0ULL, 512, true, NULL);
	tap_ok(st == 1, "IN at sector 2^64-1: IOERR");
	st = blk_req(d, T_OUT, (~0ULL >> 9) + 1, 512, false, NULL);
	tap_ok(st == 1, "OUT at a sector whose byte offset overflows: IOERR");
	st = blk_req(d, T_IN, 0, 100, true, NULL);
	tap_ok(st == 1, "IN of a partial sector: IOERR");
	st = blk_req(d, T_IN, 0, 0, false, &ulen);
	tap_ok(st == 0 && ulen == 1, "IN of no data: OK");

	/* A header shorter than 16 bytes. */
	set_desc(d, 0, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(d, 0, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	*(u8 *)gpa(d, STATUS) = 0xee;
	add_avail(d, 0, 0);
	kick(d, 0);
	tap_ok(*(u8 *)gpa(d, STATUS) == 1, "8-byte header: IOERR");

	/* Nothing writable: no status byte, the request comes back empty. */
	n = used_idx(d, 0);
	set_desc(d, 0, 0, HDR, 16, 0, 0);
	add_avail(d, 0, 0);
	kick(d, 0);
	tap_ok(used_idx(d, 0) == n + 1 && used_len(d, 0, n) == 0 &&
	       rd(d, VIRTIO_MMIO_STATUS) == 0xf, "request without a status byte: used len 0");

	/* Three requests, one kick, one interrupt. */
	ack_irq(d);
	d->irq.changes = 0;
	n = used_idx(d, 0);
	for (u16 i = 0; i < 3; i++) {
		set_desc(d, 0, 3 * i, HDR, 16, VIRTQ_DESC_F_NEXT, 3 * i + 1);
		set_desc(d, 0, 3 * i + 1, DATA + 512 * i, 512,
			 VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3 * i + 2);
		set_desc(d, 0, 3 * i + 2, STATUS + i, 1, VIRTQ_DESC_F_WRITE, 0);
		add_avail(d, 0, 3 * i);
	}
	put_hdr(d, T_IN, 1);
	kick(d, 0);
	tap_ok(used_idx(d, 0) == n + 3 && used_id(d, 0, n + 2) == 6 && d->irq.changes == 1,
	       "three requests in one kick: three used, one interrupt");
}

static void test_reset_keeps_file(struct tdrv *d)
{
	int st;

	d->dev->reset(d->dev);
	tap_ok(rd(d, VIRTIO_MMIO_STATUS) == 0, "reset: status 0");
	tdrv_setup(d, T_FEATURES, 1);
	st = blk_req(d, T_IN, 0, 512, true, NULL);
	tap_ok(st == 0 && *(u8 *)gpa(d, DATA + 1) == pattern(1),
	       "after reset the disk still reads (file kept open)");
}

static void test_readonly(void)
{
	struct tdrv d;
	u8 before[512];
	int st;

	tdrv_init_ram(&d);
	d.dev = virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), path, true);
	tap_ok(d.dev != NULL, "read-only open");
	if (!d.dev) {
		free(d.mem.host);
		return;
	}
	tap_ok(dev_features_lo(&d) & BIT(5), "read-only disk offers VIRTIO_BLK_F_RO");
	tdrv_setup(&d, T_FEATURES | BIT(5), 1);
	for (int i = 0; i < 512; i++)
		before[i] = pattern(30 * 512 + (u64)i);
	memset(gpa(&d, DATA), 0x77, 512);
	st = blk_req(&d, T_OUT, 30, 512, false, NULL);
	tap_ok(st == 1 && file_matches(30 * 512, before, 512),
	       "OUT to a read-only disk: IOERR, file unchanged");
	st = blk_req(&d, T_IN, 30, 512, true, NULL);
	tap_ok(st == 0 && !memcmp(gpa(&d, DATA), before, 512), "IN from a read-only disk works");
	tap_ok(virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), path, false) == NULL,
	       "read-write open refused while a reader holds the disk");
	tdrv_free(&d);
}

int main(void)
{
	struct tdrv d;
	struct device *other;

	tap_plan(13 + 9 + 2 + 4 + 5);
	make_image();
	tdrv_init_ram(&d);

	tap_ok(virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), "/nonexistent/disk.img",
				 false) == NULL, "missing image: NULL");
	d.dev = virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), path, false);
	if (!d.dev) {
		tap_diag("cannot create virtio-blk on %s", path);
		return 1;
	}
	test_rw(&d);
	test_errors(&d);
	test_reset_keeps_file(&d);

	tap_ok(virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), path, false) == NULL,
	       "second read-write open of the same image refused (flock)");
	tap_ok(virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), path, true) == NULL,
	       "read-only open refused while a writer holds the image");
	d.dev->exit(d.dev);
	other = virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), path, false);
	tap_ok(other != NULL, "exit releases the image: it opens again");
	virtio_mmio_destroy(other);
	tdrv_free(&d);

	test_readonly();
	unlink(path);
	return tap_done();
}
