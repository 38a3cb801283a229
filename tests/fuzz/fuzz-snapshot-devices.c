// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the devices' snapshot loads: a snapshot file is input
 * from outside, and whatever a device's part holds must end in a refusal
 * with a reason or in a device that works, never in a crash or an access
 * outside guest RAM (the sanitizers watch).  Each input goes to a device made
 * fresh for it, over guest RAM the input also fills (a restored device looks
 * at the rings there at once).  Beyond that it checks:
 *   - a refusal always says why; virtio-net and virtio-fs always refuse;
 *   - a virtio device's line follows its InterruptStatus after a load;
 *   - what a loaded device saves, after being used a little, loads again
 *     into another fresh device: lkvm reads what it writes.
 *
 * Input: u8 device (uart, rtc, blk, console, rng, input, net, fs), u16 n,
 * n bytes copied to the start of guest RAM, then the device's part.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/pl031.h"
#include "lkvm/snapshot.h"
#include "lkvm/uart8250.h"
#include "lkvm/virtio.h"

#define RAM_BASE	0x80000000ULL
#define RAM_SIZE	0x10000ULL
#define NR_KINDS	8

enum kind { UART, RTC, BLK, CONSOLE, RNG, INPUT, NET, FS };

static struct guest_mem mem;
static char disk[64];
static int null_fd;
static bool level;

static void irq_set(void *ctx, u32 spi, bool l)
{
	level = l;
}

static u64 fake_now(void *ctx)
{
	return 1700000000ULL * 1000000000ULL + 250000000ULL;
}

static int net_send(void *ctx, const struct iovec *iov, unsigned int n)
{
	return 0;
}

static ssize_t net_recv(void *ctx, const struct iovec *iov, unsigned int n)
{
	return -EAGAIN;
}

static int fs_start(void *ctx, struct virtio_dev *vd)
{
	return 0;
}

static int fs_stop(void *ctx, struct virtio_dev *vd)
{
	return 0;
}

static struct device *make(enum kind k)
{
	static const struct pl031_clock clk = { fake_now, NULL };
	static const struct virtio_net_backend nb = { .fd = -1, .send = net_send,
						       .recv = net_recv };
	static const struct virtio_fs_backend fb = {
		.features = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_EVENT_IDX),
		.start = fs_start, .stop = fs_stop,
	};
	struct irq_pin pin = { irq_set, NULL, 0, false };
	struct device *d = NULL;

	level = false;
	switch (k) {
	case UART: d = uart8250_create(0x1000000, pin, null_fd); break;
	case RTC: d = pl031_create_with_clock(0x1010000, pin, &clk); break;
	case BLK: d = virtio_blk_create(&mem, 0x3000000, pin, disk, false); break;
	case CONSOLE: d = virtio_console_create(&mem, 0x3000000, pin, null_fd); break;
	case RNG: d = virtio_rng_create(&mem, 0x3000000, pin); break;
	case INPUT: d = virtio_input_create(&mem, 0x3000000, pin); break;
	case NET:
		d = virtio_net_create(&mem, 0x3000000, pin, "net0", (u8[6]){ 2, 0, 0, 0, 0, 1 },
				      &nb);
		break;
	case FS: d = virtio_fs_create(&mem, 0x3000000, pin, "share", &fb); break;
	}
	if (!d)
		abort();
	return d;
}

static void destroy(enum kind k, struct device *d)
{
	if (k == UART || k == RTC) {
		d->exit(d);
		free(d);
	} else {
		virtio_mmio_destroy(d);
	}
}

/* A little of what a guest does: read every register (reads have effects too). */
static void use(enum kind k, struct device *d)
{
	u8 b[4];

	if (k == UART) {
		for (u64 off = 0; off < 8; off++)
			d->mmio(d, off, b, 1, false);
	} else if (k == RTC) {
		for (u64 off = 0; off < 0x20; off += 4)
			d->mmio(d, off, b, 4, false);
	} else {
		struct virtio_dev *vd = virtio_mmio_dev(d);

		for (u64 off = 0; off < 0x100; off += 4)
			d->mmio(d, off, b, 4, false);
		virtio_mmio_work(vd);
		if ((vd->isr != 0) != level)
			abort();
	}
}

static int load(struct device *d, const u8 *p, size_t len)
{
	const char *why = NULL;
	struct snap_r r;
	int ret;

	snapshot_r_init(&r, p, len);
	ret = d->load(d, &r, &why);
	if (ret < 0 && !why)
		abort();	/* a refusal says why */
	return ret;
}

static void remove_disk(void)
{
	unlink(disk);
}

/* Each blk device opens the disk anew: it stays until the fuzzer exits. */
static void init(void)
{
	int fd;

	strcpy(disk, "/tmp/lkvm-fuzz-snap-XXXXXX");
	fd = mkstemp(disk);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 64 * 512) < 0 || null_fd < 0)
		abort();
	close(fd);
	log_level = -1;		/* hostile input is the point: keep the logs quiet */
	mem.start = RAM_BASE;
	mem.size = RAM_SIZE;
	mem.host = aligned_alloc(4096, RAM_SIZE);
	atexit(remove_disk);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct device *d, *again;
	const char *why = NULL;
	struct snap_w w;
	enum kind k;
	size_t n;

	if (!mem.host)
		init();
	if (size < 3)
		return 0;
	k = (enum kind)(data[0] % NR_KINDS);
	n = min_t(size_t, (size_t)(data[1] | data[2] << 8), size - 3);
	n = min_t(size_t, n, RAM_SIZE);
	memset(mem.host, 0, RAM_SIZE);
	memcpy(mem.host, data + 3, n);
	data += 3 + n;
	size -= 3 + n;

	d = make(k);
	if (load(d, data, size) < 0) {
		destroy(k, d);
		return 0;
	}
	if (k == NET || k == FS)
		abort();	/* no snapshot of them is ever taken */
	if (k != UART && k != RTC &&
	    (virtio_mmio_dev(d)->isr != 0) != level)
		abort();
	use(k, d);
	snapshot_w_init(&w);
	if (d->save(d, &w, &why) < 0)
		abort();
	/* The old lkvm goes before the new one starts (the disk's lock). */
	destroy(k, d);
	again = make(k);
	if (load(again, w.buf, w.len) < 0)
		abort();	/* lkvm refuses what it wrote itself */
	destroy(k, again);
	snapshot_w_free(&w);
	return 0;
}
