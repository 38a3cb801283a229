// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot and restore of the pure devices: each is set up through its
 * registers (and for virtio its rings, by the fake driver), saved, and loaded
 * into a fresh device made with the same configuration over the same guest
 * RAM; the new device must then behave as the old one would have.  And every
 * part a snapshot could hold wrong, cut short or tampered with, is refused
 * with a reason, leaving nothing half-loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

#include "lkvm/layout.h"
#include "lkvm/pl031.h"
#include "lkvm/snapshot.h"
#include "lkvm/uart8250.h"
#include "tap.h"
#include "virtio-driver.h"

/* ---- helpers ----------------------------------------------------------------- */

/* @dev's state into @w (freshly initialised); the save's return value. */
static int save(struct device *dev, struct snap_w *w, const char **why)
{
	*why = NULL;
	snapshot_w_init(w);
	return dev->save(dev, w, why);
}

static int load(struct device *dev, const u8 *p, size_t len, const char **why)
{
	struct snap_r r;

	*why = NULL;
	snapshot_r_init(&r, p, len);
	return dev->load(dev, &r, why);
}

/* Every proper prefix of @w refused, each with a reason. */
static bool prefixes_refused(struct device *dev, const struct snap_w *w)
{
	const char *why;

	for (size_t n = 0; n < w->len; n++)
		if (load(dev, w->buf, n, &why) == 0 || !why) {
			tap_diag("a state cut to %zu of %zu bytes was taken", n, w->len);
			return false;
		}
	return true;
}

/* @w with one more byte at the end refused. */
static bool trailing_refused(struct device *dev, const struct snap_w *w)
{
	u8 *p = malloc(w->len + 1);
	const char *why;
	bool ok;

	memcpy(p, w->buf, w->len);
	p[w->len] = 0;
	ok = load(dev, p, w->len + 1, &why) < 0 && why;
	free(p);
	return ok;
}

/* @w with @n bytes at @off replaced by @v (little-endian): refused, with *@why. */
static bool patched_refused(struct device *dev, const struct snap_w *w, size_t off, u32 n, u64 v,
			    const char **why)
{
	u8 *p = malloc(w->len);
	bool ok;

	memcpy(p, w->buf, w->len);
	le_put(p + off, n, v);
	ok = load(dev, p, w->len, why) < 0 && *why;
	if (*why)
		tap_diag("refused: %s", *why);
	free(p);
	return ok;
}

static bool same_bytes(const struct snap_w *a, const struct snap_w *b)
{
	return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

/* ---- virtio: where the transport's fields lie (virtio/mmio.c) ------------------ */

#define V_VERSION	0
#define V_ID		1
#define V_STATUS	6
#define V_FEATURES	10
#define V_ISR		30
#define V_LEVEL		34
#define V_QUEUES	39
#define V_QSIZE		37
#define Q_NUM		0
#define Q_READY		2
#define Q_DESC		3
#define Q_AVAIL		11
#define Q_USED		19
#define Q_LAST_AVAIL	29
#define Q_USED_IDX	31
/* The device type's part: its u32 length, then its bytes. */
#define V_PART(nq)	(V_QUEUES + V_QSIZE * (nq))

/*
 * The old lkvm is gone: its device goes (and with it the disk's lock), the
 * line is low again; the RAM (the snapshot's) stays for the new device.
 */
static void drop_dev(struct tdrv *d)
{
	virtio_mmio_destroy(d->dev);
	d->dev = NULL;
	d->irq.level = false;
}

/* ---- virtio-blk ------------------------------------------------------------------ */

#define SECTORS		64
#define HDR		T_BUF(0)
#define DATA		T_BUF(1)
#define STATUS_BYTE	T_BUF(12)

static char disk[64], disk2[64];

static void make_image(char *path, size_t sectors)
{
	u8 buf[512];
	int fd;

	strcpy(path, "/tmp/lkvm-test-snap-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	for (size_t s = 0; s < sectors; s++) {
		memset(buf, (int)s, sizeof(buf));
		if (util_write_all(fd, buf, sizeof(buf)) < 0)
			abort();
	}
	close(fd);
}

/* Read @sector into DATA; the used index the request got, or -1. */
static int blk_read(struct tdrv *d, u64 sector)
{
	u16 before = used_idx(d, 0);
	u8 *h = gpa(d, HDR);

	memset(h, 0, 16);
	memcpy(h + 8, &sector, 8);
	*(u8 *)gpa(d, STATUS_BYTE) = 0xee;
	memset(gpa(d, DATA), 0xaa, 512);
	set_desc(d, 0, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(d, 0, 1, DATA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	set_desc(d, 0, 2, STATUS_BYTE, 1, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, 0, 0);
	kick(d, 0);
	if (used_idx(d, 0) != (u16)(before + 1) || *(u8 *)gpa(d, STATUS_BYTE) != 0 ||
	    *(u8 *)gpa(d, DATA) != (u8)sector || *(u8 *)gpa(d, DATA + 511) != (u8)sector)
		return -1;
	return used_idx(d, 0);
}

static void test_blk(void)
{
	struct snap_w w, w2;
	struct tdrv d;
	const char *why;
	struct device *other;
	size_t q0 = V_QUEUES;
	bool ok;
	int r;

	tdrv_init_ram(&d);
	make_image(disk, SECTORS);
	make_image(disk2, SECTORS + 8);
	d.dev = virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), disk, false);
	ok = tdrv_setup(&d, T_FEATURES, 1) == 0xf && blk_read(&d, 3) == 1 && blk_read(&d, 5) == 2;
	tap_ok(ok && d.irq.level, "blk: two requests served, interrupt left pending");
	wr(&d, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);

	r = save(d.dev, &w, &why);
	tap_ok(r == 0 && w.len > V_PART(1) + 4, "blk: saved (%zu bytes)", w.len);

	drop_dev(&d);
	d.dev = virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), disk, false);
	tap_ok(prefixes_refused(d.dev, &w), "blk: every cut-short state refused");
	tap_ok(rd(&d, VIRTIO_MMIO_STATUS) == 0 && !d.irq.level,
	       "blk: after a refused load the device is at power-on");
	tap_ok(trailing_refused(d.dev, &w), "blk: a trailing byte refused");
	tap_ok(patched_refused(d.dev, &w, V_VERSION, 1, 2, &why),
	       "blk: an unknown version refused");
	tap_ok(patched_refused(d.dev, &w, V_ID, 4, VIRTIO_ID_CONSOLE, &why),
	       "blk: another device type's state refused");
	tap_ok(patched_refused(d.dev, &w, V_STATUS, 4, 0x1f, &why),
	       "blk: unknown status bits refused");
	tap_ok(patched_refused(d.dev, &w, V_STATUS, 4, 0x07, &why),
	       "blk: DRIVER_OK without FEATURES_OK refused");
	tap_ok(patched_refused(d.dev, &w, V_FEATURES, 8, T_FEATURES | BIT(40), &why),
	       "blk: driver features the device does not offer refused");
	tap_ok(patched_refused(d.dev, &w, V_FEATURES, 8, BIT(VIRTIO_RING_F_INDIRECT_DESC), &why),
	       "blk: accepted features without VERSION_1 refused");
	tap_ok(patched_refused(d.dev, &w, V_ISR, 4, 0x5, &why),
	       "blk: unknown interrupt status bits refused");
	tap_ok(patched_refused(d.dev, &w, V_LEVEL, 1, 0, &why),
	       "blk: a line level that disagrees with InterruptStatus refused");
	tap_ok(patched_refused(d.dev, &w, V_LEVEL, 1, 2, &why), "blk: a bool of 2 refused");
	tap_ok(patched_refused(d.dev, &w, q0 + Q_NUM, 2, 3, &why),
	       "blk: a live queue of size 3 refused");
	tap_ok(patched_refused(d.dev, &w, q0 + Q_NUM, 2, 512, &why),
	       "blk: a queue larger than the maximum refused");
	tap_ok(patched_refused(d.dev, &w, q0 + Q_DESC, 8, T_RAM_BASE + T_RAM_SIZE - 16, &why),
	       "blk: a descriptor table running out of RAM refused");
	tap_ok(patched_refused(d.dev, &w, q0 + Q_USED, 8, 0x1000, &why),
	       "blk: a used ring below RAM refused");
	tap_ok(patched_refused(d.dev, &w, q0 + Q_AVAIL, 8, T_AVAIL(0) + 1, &why),
	       "blk: a misaligned avail ring refused");
	tap_ok(patched_refused(d.dev, &w, q0 + Q_LAST_AVAIL, 2, 3, &why),
	       "blk: a chain in flight (blk holds none between rounds) refused");
	tap_ok(patched_refused(d.dev, &w, q0 + Q_LAST_AVAIL, 2, 40, &why),
	       "blk: more chains in flight than the queue holds refused");
	tap_ok(patched_refused(d.dev, &w, V_PART(1) + 4, 1, 7, &why),
	       "blk: its own part of an unknown version refused");
	tap_ok(rd(&d, VIRTIO_MMIO_STATUS) == 0, "blk: still at power-on after all that");

	r = load(d.dev, w.buf, w.len, &why);
	tap_ok(r == 0, "blk: loaded into a fresh device%s%s", why ? ": " : "", why ? why : "");
	tap_ok(rd(&d, VIRTIO_MMIO_STATUS) == 0xf && rd(&d, VIRTIO_MMIO_QUEUE_READY) == 1 &&
	       rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING &&
	       rd(&d, VIRTIO_MMIO_DEVICE_FEATURES) == 1, "blk: registers read as before");
	tap_ok(d.irq.level, "blk: the restored device raised its line (InterruptStatus set)");
	tap_ok(save(d.dev, &w2, &why) == 0 && same_bytes(&w, &w2),
	       "blk: saved again at once, the same bytes");
	snapshot_w_free(&w2);
	ack_irq(&d);
	tap_ok(!d.irq.level && blk_read(&d, 7) == 3 && d.irq.level,
	       "blk: a request served on the restored queue, used index 3, interrupt");

	/* The disk under the restored lkvm is not the one the guest knew. */
	drop_dev(&d);
	other = virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), disk2, false);
	r = load(other, w.buf, w.len, &why);
	tap_ok(r < 0 && why &&
	       !strcmp(why, "the disk's size changed: 64 sectors in the snapshot, 72 now"),
	       "blk: a disk of another size refused: %s", why ? why : "(none)");
	virtio_mmio_destroy(other);
	other = virtio_blk_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), disk, true);
	r = load(other, w.buf, w.len, &why);
	tap_ok(r < 0 && why, "blk: now read-only refused: %s", why ? why : "(none)");
	virtio_mmio_destroy(other);
	other = virtio_console_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), -1);
	r = load(other, w.buf, w.len, &why);
	tap_ok(r < 0 && why, "blk: its state refused by a console: %s", why ? why : "(none)");
	virtio_mmio_destroy(other);

	snapshot_w_free(&w);
	tdrv_free(&d);
	unlink(disk);
	unlink(disk2);
}

/* ---- virtio-console ---------------------------------------------------------------- */

#define RXQ		0
#define TXQ		1
#define TX_LEN		(300 * 1024)	/* more than one round writes (64 pieces of 4 KiB) */
#define TX_BUF		(T_RAM_BASE + 0x30000)

static void no_kick(struct virtio_dev *vd, int q)
{
}

static u8 tx_data[TX_LEN];

static bool file_is(int fd, const u8 *want, size_t len)
{
	static u8 got[TX_LEN + 1];
	ssize_t n = pread(fd, got, sizeof(got), 0);

	return n == (ssize_t)len && !memcmp(got, want, len);
}

static void test_console(void)
{
	char path[] = "/tmp/lkvm-test-snap-out-XXXXXX";
	int out = mkstemp(path);
	struct virtio_dev *vd;
	struct snap_w w, w2;
	struct tdrv d;
	const char *why;
	size_t part;
	bool ok;
	int r;

	unlink(path);
	tdrv_init_ram(&d);
	d.dev = virtio_console_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), out);
	vd = virtio_mmio_dev(d.dev);
	ok = tdrv_setup(&d, T_FEATURES, 2) == 0xf;
	/* The guest posts no receive buffer yet: the input waits in the device. */
	virtio_console_receive(d.dev, (const u8 *)"hello", 5);
	for (size_t i = 0; i < TX_LEN; i++)
		tx_data[i] = (u8)(i * 13 + (i >> 12));
	memcpy(gpa(&d, TX_BUF), tx_data, TX_LEN);
	set_desc(&d, TXQ, 0, TX_BUF, TX_LEN, 0, 0);
	add_avail(&d, TXQ, 0);
	/* A worker's round, as in lkvm, not a kick served to the end. */
	vd->kick = no_kick;
	kick(&d, TXQ);
	ok = ok && virtio_mmio_work(vd) && used_idx(&d, TXQ) == 0 &&
	     lseek(out, 0, SEEK_END) == 64 * 4096;
	tap_ok(ok, "console: input waiting, output part written when the worker parks");

	tap_ok(save(d.dev, &w, &why) == 0, "console: saved with a transmit chain in flight");
	part = V_PART(2) + 4;

	drop_dev(&d);
	d.dev = virtio_console_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), out);
	tap_ok(prefixes_refused(d.dev, &w), "console: every cut-short state refused");
	tap_ok(trailing_refused(d.dev, &w), "console: a trailing byte refused");
	tap_ok(patched_refused(d.dev, &w, part + 1, 4, VIRTIO_CONSOLE_INBUF + 1, &why),
	       "console: more input than it keeps refused");
	tap_ok(patched_refused(d.dev, &w, part + 5 + 5 + 1 + 2, 8, 4096 + 1, &why),
	       "console: output written to the middle of a piece refused");
	tap_ok(patched_refused(d.dev, &w, part + 5 + 5 + 1, 2, 3, &why),
	       "console: a chain in flight that is not the ring's refused");
	tap_ok(patched_refused(d.dev, &w, V_QUEUES + V_QSIZE + Q_LAST_AVAIL, 2, 0, &why),
	       "console: a transmit chain the queue does not count refused");

	/* Typed into the new lkvm before the load: after the snapshot's input. */
	virtio_console_receive(d.dev, (const u8 *)"XY", 2);
	r = load(d.dev, w.buf, w.len, &why);
	tap_ok(r == 0, "console: loaded%s%s", why ? ": " : "", why ? why : "");
	tap_ok(used_idx(&d, TXQ) == 1 && file_is(out, tx_data, TX_LEN),
	       "console: the rest of the chain went out, each byte once, chain returned");
	memset(gpa(&d, T_BUF(0)), 0, 64);
	set_desc(&d, RXQ, 0, T_BUF(0), 64, VIRTQ_DESC_F_WRITE, 0);
	add_avail(&d, RXQ, 0);
	kick(&d, RXQ);
	tap_ok(used_idx(&d, RXQ) == 1 && used_len(&d, RXQ, 0) == 7 &&
	       !memcmp(gpa(&d, T_BUF(0)), "helloXY", 7),
	       "console: the input it held reaches the guest, then this lkvm's");
	tap_ok(save(d.dev, &w2, &why) == 0 && w2.len == part + 1 + 4 + 1,
	       "console: saved again: nothing held");
	snapshot_w_free(&w2);

	snapshot_w_free(&w);
	tdrv_free(&d);
	close(out);
}

/* ---- virtio-input ------------------------------------------------------------------ */

#define EVENTQ		0
#define CFG_SELECT	0
#define CFG_SIZE	2

static u8 cfg8(struct tdrv *d, u32 off)
{
	u8 v = 0xee;

	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + off, &v, 1, false);
	return v;
}

static void test_input(void)
{
	struct snap_w w;
	struct tdrv d;
	const char *why;
	size_t part = V_PART(2) + 4;
	u8 v = 1;	/* ID_NAME */
	bool ok;

	tdrv_init_ram(&d);
	d.dev = virtio_input_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d));
	ok = tdrv_setup(&d, T_FEATURES, 2) == 0xf;
	d.dev->mmio(d.dev, VIRTIO_MMIO_CONFIG + CFG_SELECT, &v, 1, true);
	ok = ok && !virtio_input_press(d.dev, VIRTIO_INPUT_KEY_WAKEUP);
	tap_ok(ok && used_idx(&d, EVENTQ) == 0, "input: a press waits for event buffers");
	tap_ok(save(d.dev, &w, &why) == 0 && w.len == part + 3 + 4 + 4 * 8, "input: saved");

	drop_dev(&d);
	d.dev = virtio_input_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d));
	tap_ok(prefixes_refused(d.dev, &w), "input: every cut-short state refused");
	tap_ok(trailing_refused(d.dev, &w), "input: a trailing byte refused");
	tap_ok(patched_refused(d.dev, &w, part + 3, 4, 65, &why),
	       "input: more events than it holds refused");
	tap_ok(patched_refused(d.dev, &w, part + 7 + 2, 2, 30, &why),
	       "input: an event of a key it does not have refused");
	tap_ok(load(d.dev, w.buf, w.len, &why) == 0 && cfg8(&d, CFG_SELECT) == 1 &&
	       cfg8(&d, CFG_SIZE) == strlen("lkvm wake button"),
	       "input: loaded; the config select and what it shows are back");
	for (int i = 0; i < 4; i++) {
		set_desc(&d, EVENTQ, i, T_BUF(i), 8, VIRTQ_DESC_F_WRITE, 0);
		add_avail(&d, EVENTQ, (u16)i);
	}
	kick(&d, EVENTQ);
	ok = used_idx(&d, EVENTQ) == 4;
	for (int i = 0; i < 4 && ok; i++) {
		const u8 *e = gpa(&d, T_BUF(i));

		ok = le16_get(e) == (i % 2 ? 0 : 1) &&
		     le16_get(e + 2) == (i % 2 ? 0 : VIRTIO_INPUT_KEY_WAKEUP) &&
		     le32_get(e + 4) == (i == 0);
	}
	tap_ok(ok && d.irq.level, "input: the press reaches the guest: down, SYN, up, SYN");
	snapshot_w_free(&w);
	tdrv_free(&d);
}

/* ---- virtio-rng ---------------------------------------------------------------------- */

static void test_rng(void)
{
	struct snap_w w;
	struct tdrv d;
	const char *why;

	tdrv_init_ram(&d);
	d.dev = virtio_rng_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d));
	tdrv_setup(&d, T_FEATURES, 1);
	set_desc(&d, 0, 0, T_BUF(0), 32, VIRTQ_DESC_F_WRITE, 0);
	add_avail(&d, 0, 0);
	kick(&d, 0);
	ack_irq(&d);
	tap_ok(save(d.dev, &w, &why) == 0 && w.len == V_PART(1) + 4,
	       "rng: saved, the transport's part only");
	drop_dev(&d);
	d.dev = virtio_rng_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d));
	tap_ok(prefixes_refused(d.dev, &w), "rng: every cut-short state refused");
	tap_ok(patched_refused(d.dev, &w, V_QUEUES + Q_USED_IDX, 2, 0, &why),
	       "rng: a chain in flight refused");
	tap_ok(load(d.dev, w.buf, w.len, &why) == 0 && !d.irq.level, "rng: loaded, line low");
	add_avail(&d, 0, 0);
	kick(&d, 0);
	tap_ok(used_idx(&d, 0) == 2 && used_len(&d, 0, 1) == 32 && d.irq.level,
	       "rng: the next request served, used index 2");
	snapshot_w_free(&w);
	tdrv_free(&d);
}

/* ---- virtio-net and virtio-fs: refused ---------------------------------------------- */

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

static void test_refused(void)
{
	static const char net_why[] = "virtio-net cannot be saved "
				      "(its tap or passt connection lies outside the snapshot)";
	static const char fs_why[] = "virtio-fs cannot be saved "
				     "(virtiofsd's open files and FUSE session live outside lkvm)";
	struct virtio_net_backend nb = { .fd = -1, .send = net_send, .recv = net_recv };
	struct virtio_fs_backend fb = {
		.features = BIT(VIRTIO_F_VERSION_1), .start = fs_start, .stop = fs_stop,
	};
	struct snap_w w;
	struct tdrv d;
	const char *why;
	int r;

	tdrv_init_ram(&d);
	d.dev = virtio_net_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), "net0",
				  (u8[6]){ 2, 0, 0, 0, 0, 1 }, &nb);
	r = save(d.dev, &w, &why);
	tap_ok(r < 0 && why && !strcmp(why, net_why) && !w.len,
	       "net: save refused, nothing written: %s", why ? why : "(none)");
	snapshot_w_free(&w);
	drop_dev(&d);
	d.dev = virtio_fs_create(&d.mem, T_MMIO_BASE, tdrv_pin(&d), "share", &fb);
	tdrv_setup(&d, T_FEATURES, 2);
	r = save(d.dev, &w, &why);
	tap_ok(r < 0 && why && !strcmp(why, fs_why) && !w.len,
	       "fs: save refused while the back end serves, nothing written: %s",
	       why ? why : "(none)");
	snapshot_w_free(&w);
	tdrv_free(&d);
}

/* ---- the 16550A UART ---------------------------------------------------------------- */

#define UART_RX		0
#define UART_TX		0
#define UART_DLL	0
#define UART_IER	1
#define UART_DLM	1
#define UART_IIR	2
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

struct line {
	atomic_bool level;
};

static void line_set(void *ctx, u32 spi, bool level)
{
	atomic_store(&((struct line *)ctx)->level, level);
}

static void u_wr(struct device *d, u64 off, u8 v)
{
	d->mmio(d, off, &v, 1, true);
}

static u8 u_rd(struct device *d, u64 off)
{
	u8 v = 0xee;

	d->mmio(d, off, &v, 1, false);
	return v;
}

/* What arrives on @fd within about a second, up to @len bytes. */
static size_t read_some(int fd, char *buf, size_t len, size_t want)
{
	size_t got = 0;

	for (int i = 0; i < 100 && got < want; i++) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n > 0)
			got += (size_t)n;
		else
			usleep(10000);
	}
	return got;
}

static void uart_free(struct device *d)
{
	d->exit(d);
	free(d);
}

#define U_RX_LEN	13	/* after the version and 12 registers and flags: the FIFO */

static void test_uart(void)
{
	static u8 filler[65536];
	struct line line = { 0 }, line2 = { 0 };
	struct irq_pin pin = { line_set, &line, 0, false };
	struct irq_pin pin2 = { line_set, &line2, 0, false };
	int p1[2], p2[2];
	struct device *u, *n;
	struct snap_w w;
	const char *why;
	char out[64];
	bool ok;

	if (pipe(p1) < 0 || pipe(p2) < 0)
		abort();
	fcntl(p1[0], F_SETFL, O_NONBLOCK);
	fcntl(p1[1], F_SETFL, O_NONBLOCK);
	fcntl(p2[0], F_SETFL, O_NONBLOCK);
	u = uart8250_create(LKVM_UART_BASE, pin, p1[1]);
	/* 115200 8N1, FIFO on with trigger 8, DTR RTS OUT2, receive and THRE interrupts. */
	u_wr(u, UART_LCR, 0x83);
	u_wr(u, UART_DLL, 1);
	u_wr(u, UART_DLM, 0);
	u_wr(u, UART_LCR, 0x03);
	u_wr(u, UART_FCR, 0x81);
	u_wr(u, UART_MCR, 0x0b);
	u_wr(u, UART_SCR, 0x5a);
	u_wr(u, UART_IER, 0x03);
	uart8250_receive(u, (const u8 *)"abc", 3);
	ok = u_rd(u, UART_RX) == 'a';
	/* Nobody reads the host side: the writer is stuck, the output waits in the UART. */
	while (write(p1[1], filler, sizeof(filler)) > 0)
		;
	for (const char *s = "HELLO"; *s; s++)
		u_wr(u, UART_TX, (u8)*s);
	usleep(20000);
	tap_ok(ok && atomic_load(&line.level), "uart: set up, two bytes in the FIFO, output stuck");
	tap_ok(save(u, &w, &why) == 0, "uart: saved");

	n = uart8250_create(LKVM_UART_BASE, pin2, p2[1]);
	tap_ok(prefixes_refused(n, &w), "uart: every cut-short state refused");
	tap_ok(trailing_refused(n, &w), "uart: a trailing byte refused");
	tap_ok(patched_refused(n, &w, 1, 1, 0x13, &why), "uart: unknown IER bits refused");
	tap_ok(patched_refused(n, &w, 2, 1, 0x80, &why), "uart: FCR trigger without FIFO refused");
	tap_ok(patched_refused(n, &w, 5, 1, 0x00, &why),
	       "uart: LSR without DR over a full FIFO refused");
	tap_ok(patched_refused(n, &w, 6, 1, 0x10, &why), "uart: MSR lines unlike MCR's refused");
	tap_ok(patched_refused(n, &w, U_RX_LEN, 4, UART8250_RX_BUF_SIZE + 1, &why),
	       "uart: a FIFO longer than the UART's refused");
	tap_ok(!atomic_load(&line2.level) && u_rd(n, UART_LCR) == 0,
	       "uart: refused loads left the new UART as it was");

	tap_ok(load(n, w.buf, w.len, &why) == 0, "uart: loaded");
	tap_ok(atomic_load(&line2.level), "uart: the line is driven up (data ready, RDI on)");
	ok = u_rd(n, UART_LCR) == 0x03 && u_rd(n, UART_MCR) == 0x0b && u_rd(n, UART_SCR) == 0x5a &&
	     u_rd(n, UART_IER) == 0x03 && (u_rd(n, UART_MSR) & 0xf0) == 0xb0;
	u_wr(n, UART_LCR, 0x83);
	ok = ok && u_rd(n, UART_DLL) == 1 && u_rd(n, UART_DLM) == 0;
	u_wr(n, UART_LCR, 0x03);
	tap_ok(ok, "uart: LCR, MCR, SCR, IER, MSR and the divisor read as before");
	tap_ok((u_rd(n, UART_IIR) & 0xcf) == 0xcc, "uart: IIR: FIFO on, receive timeout");
	tap_ok((u_rd(n, UART_LSR) & 0x61) == 0x61 && u_rd(n, UART_RX) == 'b' &&
	       u_rd(n, UART_RX) == 'c' && !(u_rd(n, UART_LSR) & 1),
	       "uart: the FIFO's two bytes read back, then empty");
	tap_ok(read_some(p2[0], out, sizeof(out), 5) == 5 && !memcmp(out, "HELLO", 5),
	       "uart: the output the old writer held comes out of the new one");
	/* The FIFO is empty; the THRE interrupt still pending is taken by reading IIR. */
	(void)u_rd(n, UART_IIR);
	tap_ok(!atomic_load(&line2.level), "uart: the line follows the registers down");

	/* Let the old writer go, so its exit does not wait. */
	while (read(p1[0], filler, sizeof(filler)) > 0)
		;
	uart_free(u);
	uart_free(n);
	snapshot_w_free(&w);

	/* Input before the guest listens: held, across the restore, then this lkvm's. */
	u = uart8250_create(LKVM_UART_BASE, pin, -1);
	uart8250_receive(u, (const u8 *)"early", 5);
	save(u, &w, &why);
	n = uart8250_create(LKVM_UART_BASE, pin2, -1);
	uart8250_receive(n, (const u8 *)"late", 4);
	ok = load(n, w.buf, w.len, &why) == 0 && !(u_rd(n, UART_LSR) & 1);
	u_wr(n, UART_IER, 0x01);
	for (const char *s = "earlylate"; *s && ok; s++)
		ok = u_rd(n, UART_RX) == (u8)*s;
	tap_ok(ok, "uart: input held until the guest listens keeps its place, before later input");
	uart_free(u);
	uart_free(n);
	snapshot_w_free(&w);

	/*
	 * Output a live host side drains goes out once, from the lkvm that
	 * took the snapshot: the save waits for the writer, so a restore
	 * (or a clone) does not send it again.
	 */
	while (read(p1[0], out, sizeof(out)) > 0)	/* the first UART's HELLO */
		;
	u = uart8250_create(LKVM_UART_BASE, pin, p1[1]);
	for (int round = 0; round < 20; round++) {
		for (const char *s = "LIVE"; *s; s++)
			u_wr(u, UART_TX, (u8)*s);
		ok = save(u, &w, &why) == 0;
		n = uart8250_create(LKVM_UART_BASE, pin2, p2[1]);
		ok = ok && load(n, w.buf, w.len, &why) == 0;
		uart_free(n);
		snapshot_w_free(&w);
		/* uart_free() let n's writer send all it had: anything is in p2 now. */
		if (!ok || read(p2[0], out, sizeof(out)) > 0 ||
		    read_some(p1[0], out, sizeof(out), 4) != 4 || memcmp(out, "LIVE", 4)) {
			ok = false;
			break;
		}
	}
	tap_ok(ok, "uart: output on its way to a live host side is sent before the save, "
		   "not by the restored UART (20 rounds)");
	uart_free(u);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
}

/* ---- the PL031 RTC ------------------------------------------------------------------ */

#define RTCDR		0x000
#define RTCMR		0x004
#define RTCLR		0x008
#define RTCIMSC		0x010
#define RTCRIS		0x014
#define RTCICR		0x01c
#define NSEC		1000000000ULL
#define T0		1700000000ULL

static _Atomic u64 now_ns;

static u64 fake_now(void *ctx)
{
	return atomic_load(&now_ns);
}

static void r_wr(struct device *d, u64 off, u32 v)
{
	u8 b[4];

	le_put(b, 4, v);
	d->mmio(d, off, b, 4, true);
}

static u32 r_rd(struct device *d, u64 off)
{
	u8 b[4];

	d->mmio(d, off, b, 4, false);
	return (u32)le_get(b, 4);
}

static void pass(struct device *d, u64 secs)
{
	atomic_fetch_add(&now_ns, secs * NSEC);
	pl031_check_alarm(d);
}

static void test_pl031(void)
{
	const struct pl031_clock clk = { fake_now, NULL };
	struct line line = { 0 }, line2 = { 0 };
	struct irq_pin pin = { line_set, &line, LKVM_SPI_RTC, false };
	struct irq_pin pin2 = { line_set, &line2, LKVM_SPI_RTC, false };
	struct device *r, *n;
	struct snap_w w, w2;
	const char *why;

	atomic_store(&now_ns, T0 * NSEC + NSEC / 4);
	r = pl031_create_with_clock(LKVM_RTC_BASE, pin, &clk);
	r_wr(r, RTCLR, 1000);
	pass(r, 10);
	r_wr(r, RTCMR, 1100);
	r_wr(r, RTCIMSC, 1);
	tap_ok(r_rd(r, RTCDR) == 1010 && !atomic_load(&line.level),
	       "rtc: the guest's clock at 1010, alarm set for 1100");
	tap_ok(save(r, &w, &why) == 0 && w.len == 30, "rtc: saved");

	/* 50 s pass before the restore: the RTC went on counting, as wall-clock time did. */
	pass(r, 50);
	n = pl031_create_with_clock(LKVM_RTC_BASE, pin2, &clk);
	tap_ok(prefixes_refused(n, &w), "rtc: every cut-short state refused");
	tap_ok(trailing_refused(n, &w), "rtc: a trailing byte refused");
	tap_ok(patched_refused(n, &w, 13, 4, 2, &why), "rtc: an IMSC bit it does not have refused");
	tap_ok(patched_refused(n, &w, 9, 4, 1101, &why),
	       "rtc: an alarm at another time than MR's refused");
	tap_ok(patched_refused(n, &w, 22, 8, (T0 + 100) * NSEC + 1, &why),
	       "rtc: an alarm between seconds refused");
	tap_ok(load(n, w.buf, w.len, &why) == 0, "rtc: loaded");
	tap_ok(r_rd(n, RTCDR) == 1060 && r_rd(n, RTCLR) == 1000 && r_rd(n, RTCMR) == 1100 &&
	       r_rd(n, RTCIMSC) == 1 && r_rd(n, RTCRIS) == 0 && !atomic_load(&line2.level),
	       "rtc: reads wall-clock time plus the guest's offset; MR, LR, IMSC back");
	pass(n, 39);
	tap_ok(r_rd(n, RTCRIS) == 0 && !atomic_load(&line2.level), "rtc: no alarm at 1099");
	pass(n, 1);
	tap_ok(r_rd(n, RTCRIS) == 1 && atomic_load(&line2.level), "rtc: the alarm fires at 1100");
	tap_ok(save(n, &w2, &why) == 0, "rtc: saved with the alarm pending");
	n->exit(n);
	free(n);

	/* A long gap: the alarm fell due while no lkvm ran, and fires at the load. */
	pass(r, 3600);
	atomic_store(&line2.level, false);
	n = pl031_create_with_clock(LKVM_RTC_BASE, pin2, &clk);
	tap_ok(load(n, w.buf, w.len, &why) == 0 && r_rd(n, RTCRIS) == 1 &&
	       atomic_load(&line2.level) && r_rd(n, RTCDR) == 1000 + 10 + 50 + 40 + 3600,
	       "rtc: an alarm that fell due during the gap fires at once");
	r_wr(n, RTCICR, 1);
	tap_ok(!atomic_load(&line2.level), "rtc: and clears as before");
	n->exit(n);
	free(n);

	/* Fired but not cleared: the restored line is up from the start. */
	atomic_store(&line2.level, false);
	n = pl031_create_with_clock(LKVM_RTC_BASE, pin2, &clk);
	tap_ok(load(n, w2.buf, w2.len, &why) == 0 && r_rd(n, RTCRIS) == 1 &&
	       atomic_load(&line2.level), "rtc: a pending alarm's line is up after the load");
	n->exit(n);
	free(n);
	r->exit(r);
	free(r);
	snapshot_w_free(&w);
	snapshot_w_free(&w2);
}

int main(void)
{
	log_level = -1;		/* the refusals are the point: keep virtq's warnings quiet */
	tap_plan(31 + 12 + 8 + 5 + 2 + 19 + 15);
	test_blk();
	test_console();
	test_input();
	test_rng();
	test_refused();
	test_uart();
	test_pl031();
	return tap_done();
}
