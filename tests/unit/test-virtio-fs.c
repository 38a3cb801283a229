// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-fs with a fake back end, driven as a guest driver would: the queues
 * are handed over at DRIVER_OK and taken back at reset, and once the back end
 * dies lkvm answers every request with EIO.
 */
#include <poll.h>

#include "tap.h"
#include "virtio-driver.h"

#define REQ		1
#define HIPRIO		0
#define IN_HDR		T_BUF(0)	/* the guest's fuse_in_header (+ body) */
#define OUT_HDR		T_BUF(1)	/* room for the fuse_out_header */
#define FEAT_PROTO	30

struct fake_be {
	int starts, stops, whys, exits;
	int fail_start, fail_stop;	/* fail the next call */
	int ready_rc;
	bool queues_ready_at_start;
	u64 features_at_start;
};

static struct fake_be fb;
static int log_lines;

static int fb_start(void *ctx, struct virtio_dev *vd)
{
	struct fake_be *f = ctx;

	f->starts++;
	f->queues_ready_at_start = vd->vqs[0].ready && vd->vqs[1].ready;
	f->features_at_start = vd->driver_features;
	if (f->fail_start) {
		f->fail_start = 0;
		return -1;
	}
	return 0;
}

static int fb_stop(void *ctx, struct virtio_dev *vd)
{
	struct fake_be *f = ctx;

	f->stops++;
	if (f->fail_stop) {
		f->fail_stop = 0;
		return -1;
	}
	return 0;
}

static int fb_poll_fd(void *ctx, short *events)
{
	*events = POLLIN;
	return 42;
}

static int fb_ready(void *ctx, short revents)
{
	return ((struct fake_be *)ctx)->ready_rc;
}

static void fb_why(void *ctx, char *buf, size_t len)
{
	((struct fake_be *)ctx)->whys++;
	snprintf(buf, len, "virtiofsd exited (killed by signal 9)");
}

static void fb_exit(void *ctx)
{
	((struct fake_be *)ctx)->exits++;
}

static void count_line(void)
{
	log_lines++;
}

static struct virtio_fs_backend backend(u64 features)
{
	return (struct virtio_fs_backend){
		.ctx = &fb, .features = features, .start = fb_start, .stop = fb_stop,
		.poll_fd = fb_poll_fd, .ready = fb_ready, .why = fb_why, .exit = fb_exit,
	};
}

static bool create(struct tdrv *d, const char *tag, u64 features)
{
	struct virtio_fs_backend be = backend(features);

	memset(&fb, 0, sizeof(fb));
	d->dev = virtio_fs_create(&d->mem, T_MMIO_BASE, tdrv_pin(d), tag, &be);
	return d->dev != NULL;
}

static u64 dev_features(struct tdrv *d)
{
	u64 f;

	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (u64)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void cfg(struct tdrv *d, u32 off, u8 *buf, u32 len)
{
	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + off, buf, len, false);
}

/* A FUSE request with @unique at descriptor @i (and @i + 1 for the reply): its head. */
static u16 put_request(struct tdrv *d, unsigned int i, u64 unique, u32 out_room)
{
	u8 *h = gpa(d, IN_HDR + 64 * (u64)i);
	u32 len = 40, op = 1;	/* LOOKUP */

	memset(h, 0, 64);
	memcpy(h, &len, 4);
	memcpy(h + 4, &op, 4);
	memcpy(h + 8, &unique, 8);
	memset(gpa(d, OUT_HDR + 64 * (u64)i), 0xee, 64);
	set_desc(d, REQ, i, IN_HDR + 64 * (u64)i, 40, out_room ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	if (out_room)
		set_desc(d, REQ, i + 1, OUT_HDR + 64 * (u64)i, out_room, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, REQ, i);
	return i;
}

/* The fuse_out_header the device wrote for the request at @i: error and unique match? */
static bool eio_answer(struct tdrv *d, unsigned int i, u64 unique)
{
	u8 *o = gpa(d, OUT_HDR + 64 * (u64)i);
	u32 len, err;
	u64 u;

	memcpy(&len, o, 4);
	memcpy(&err, o + 4, 4);
	memcpy(&u, o + 8, 8);
	return len == 16 && (int)err == -5 && u == unique && o[16] == 0xee;
}

static void lock_call_ready(struct tdrv *d)
{
	struct virtio_dev *vd = virtio_mmio_dev(d->dev);

	pthread_mutex_lock(&vd->lock);
	vd->ops->ready(vd, POLLIN);
	pthread_mutex_unlock(&vd->lock);
}

static void test_config(void)
{
	struct tdrv d;
	u8 tag[40];
	u64 f;

	tdrv_init_ram(&d);
	tap_ok(create(&d, "share", BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_EVENT_IDX) |
				    BIT(FEAT_PROTO)), "created with tag 'share'");
	tap_ok(rd(&d, VIRTIO_MMIO_DEVICE_ID) == 26, "DeviceID 26 (file system)");
	cfg(&d, 0, tag, 8);
	cfg(&d, 8, tag + 8, 8);
	cfg(&d, 16, tag + 16, 8);
	cfg(&d, 24, tag + 24, 8);
	cfg(&d, 32, tag + 32, 4);
	cfg(&d, 36, tag + 36, 4);
	tap_ok(!memcmp(tag, "share", 6) && !memcmp(tag + 6, (u8[30]){ 0 }, 30),
	       "config tag: 'share', NUL-padded to 36 bytes");
	tap_ok(le_get(tag + 36, 4) == 1, "num_request_queues = 1");
	f = dev_features(&d);
	tap_ok(f == (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_EVENT_IDX)),
	       "features: VERSION_1 and EVENT_IDX; INDIRECT_DESC withheld, no bit 30 (0x%llx)",
	       (unsigned long long)f);
	tdrv_free(&d);
	tap_ok(fb.exits == 1, "the back end is released at exit");

	tdrv_init_ram(&d);
	tap_ok(create(&d, "abcdefghijklmnopqrstuvwxyz0123456789", BIT(VIRTIO_F_VERSION_1) |
		      BIT(VIRTIO_RING_F_INDIRECT_DESC)), "a 36-byte tag is taken");
	cfg(&d, 32, tag, 8);
	tap_ok(!memcmp(tag, "6789", 4) && le_get(tag + 4, 4) == 1,
	       "a 36-byte tag fills the field, no NUL");
	f = dev_features(&d);
	tap_ok(f == (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC)),
	       "features follow the back end: INDIRECT_DESC yes, EVENT_IDX no");
	tdrv_free(&d);

	tdrv_init_ram(&d);
	tap_ok(!create(&d, "abcdefghijklmnopqrstuvwxyz0123456789x", BIT(VIRTIO_F_VERSION_1)) &&
	       !create(&d, "", BIT(VIRTIO_F_VERSION_1)), "37-byte and empty tags refused");
	tap_ok(!create(&d, "x", BIT(VIRTIO_RING_F_INDIRECT_DESC)),
	       "a back end without VERSION_1 refused");
	tdrv_free(&d);
}

static void test_offload(void)
{
	struct tdrv d;
	struct virtio_dev *vd;
	short ev = 0;

	tdrv_init_ram(&d);
	create(&d, "t", BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC));
	vd = virtio_mmio_dev(d.dev);
	tap_ok(tdrv_setup(&d, T_FEATURES, 2) == 0xf && fb.starts == 1 && fb.stops == 0,
	       "DRIVER_OK starts the back end once");
	tap_ok(fb.queues_ready_at_start && fb.features_at_start == T_FEATURES,
	       "both queues are enabled by then, the driver's features are known");
	tap_ok(vd->offloaded, "the device is offloaded");
	put_request(&d, 0, 7, 64);
	kick(&d, REQ);
	tap_ok(used_idx(&d, REQ) == 0, "a request is left to the back end");
	pthread_mutex_lock(&vd->lock);
	tap_ok(vd->ops->poll_fd(vd, &ev) == 42 && ev == POLLIN, "the worker waits on its fd");
	pthread_mutex_unlock(&vd->lock);
	fb.ready_rc = 0;
	lock_call_ready(&d);
	tap_ok(vd->offloaded && used_idx(&d, REQ) == 0, "a wake-up that is no death changes nothing");

	wr(&d, VIRTIO_MMIO_STATUS, 0);
	tap_ok(fb.stops == 1 && !vd->offloaded, "reset stops the back end");
	tap_ok(tdrv_setup(&d, T_FEATURES, 2) == 0xf && fb.starts == 2 && vd->offloaded,
	       "a new driver starts it again");
	wr(&d, VIRTIO_MMIO_STATUS, 0);
	wr(&d, VIRTIO_MMIO_STATUS, 0);
	tap_ok(fb.stops == 2, "a second reset in a row does not stop it twice");
	tdrv_free(&d);
	tap_ok(fb.stops == 2 && fb.exits == 1, "exit after reset: no stop, one exit");

	tdrv_init_ram(&d);
	create(&d, "t", BIT(VIRTIO_F_VERSION_1));
	tdrv_setup(&d, BIT(VIRTIO_F_VERSION_1), 2);
	tdrv_free(&d);
	tap_ok(fb.stops == 1 && fb.exits == 1, "exit while started: stop, then exit");
}

static void test_dead(void)
{
	struct tdrv d;
	struct virtio_dev *vd;

	tdrv_init_ram(&d);
	create(&d, "t", BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC));
	vd = virtio_mmio_dev(d.dev);
	tdrv_setup(&d, T_FEATURES, 2);

	/* The back end answered the first request before dying; two more wait. */
	put_request(&d, 0, 0x1111, 64);
	put_request(&d, 2, 0x2222, 64);
	put_request(&d, 4, 0x3333, 64);
	*(u32 *)gpa(&d, T_USED(REQ) + 4) = 0;
	*(u32 *)gpa(&d, T_USED(REQ) + 8) = 16;
	*(u16 *)gpa(&d, T_USED(REQ) + 2) = 1;
	set_desc(&d, HIPRIO, 0, T_BUF(8), 48, 0, 0);
	add_avail(&d, HIPRIO, 0);
	kick(&d, REQ);
	kick(&d, HIPRIO);

	log_lines = 0;
	util_set_log_flush(count_line);
	fb.ready_rc = -1;
	lock_call_ready(&d);
	tap_ok(log_lines == 1 && fb.whys == 1, "the death is said once, with the back end's why");
	tap_ok(!vd->offloaded, "lkvm takes the queues back");
	tap_ok(used_idx(&d, REQ) == 3 && used_id(&d, REQ, 1) == 2 && used_id(&d, REQ, 2) == 4,
	       "the two waiting requests are answered, after the one the back end did");
	tap_ok(eio_answer(&d, 2, 0x2222) && eio_answer(&d, 4, 0x3333) &&
	       used_len(&d, REQ, 1) == 16 && used_len(&d, REQ, 2) == 16,
	       "each gets a 16-byte fuse_out_header: EIO, its own unique");
	tap_ok(*(u8 *)gpa(&d, OUT_HDR) == 0xee, "the answered one is not answered again");
	tap_ok(used_idx(&d, HIPRIO) == 1 && used_len(&d, HIPRIO, 0) == 0,
	       "the waiting FORGET is returned with no reply");
	tap_ok(d.irq.level, "the guest is interrupted");

	fb.ready_rc = -1;
	lock_call_ready(&d);
	put_request(&d, 6, 0xfeedfacecafebeefULL, 64);
	kick(&d, REQ);
	tap_ok(used_idx(&d, REQ) == 4 && eio_answer(&d, 6, 0xfeedfacecafebeefULL),
	       "a new request: EIO, 64-bit unique kept");
	tap_ok(log_lines == 1 && fb.whys == 1, "nothing more is said");

	/* Reboot: the dead back end is not asked again; requests still fail. */
	wr(&d, VIRTIO_MMIO_STATUS, 0);
	tap_ok(fb.stops == 0, "a reset does not talk to a dead back end");
	tap_ok(tdrv_setup(&d, T_FEATURES, 2) == 0xf && fb.starts == 1 && !vd->offloaded,
	       "a new driver gets a live device served by lkvm");
	put_request(&d, 0, 99, 64);
	kick(&d, REQ);
	tap_ok(used_idx(&d, REQ) == 1 && eio_answer(&d, 0, 99), "its requests fail with EIO");
	util_set_log_flush(NULL);
	tdrv_free(&d);
	tap_ok(fb.stops == 0 && fb.exits == 1, "exit: the dead back end is released only");
}

static void test_dead_start_stop(void)
{
	struct tdrv d;
	struct virtio_dev *vd;

	tdrv_init_ram(&d);
	create(&d, "t", BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC));
	vd = virtio_mmio_dev(d.dev);
	log_lines = 0;
	util_set_log_flush(count_line);
	fb.fail_start = 1;
	tap_ok(tdrv_setup(&d, T_FEATURES, 2) == 0xf && !vd->offloaded,
	       "start fails: the device still works, served by lkvm");
	tap_ok(log_lines == 1, "the failure is said once");
	put_request(&d, 0, 5, 64);
	kick(&d, REQ);
	tap_ok(used_idx(&d, REQ) == 1 && eio_answer(&d, 0, 5), "and answers EIO");
	tdrv_free(&d);

	tdrv_init_ram(&d);
	create(&d, "t", BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC));
	vd = virtio_mmio_dev(d.dev);
	log_lines = 0;
	tdrv_setup(&d, T_FEATURES, 2);
	put_request(&d, 0, 5, 64);
	kick(&d, REQ);
	fb.fail_stop = 1;
	wr(&d, VIRTIO_MMIO_STATUS, 0);
	tap_ok(log_lines == 1 && used_idx(&d, REQ) == 0,
	       "stop fails at reset: said once, nothing written to the reset rings");
	tap_ok(tdrv_setup(&d, T_FEATURES, 2) == 0xf && fb.starts == 1 && !vd->offloaded,
	       "the next driver is served by lkvm");
	util_set_log_flush(NULL);
	tdrv_free(&d);
}

static void test_bad_chains(void)
{
	struct tdrv d;

	tdrv_init_ram(&d);
	create(&d, "t", BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC));
	fb.fail_start = 1;
	tdrv_setup(&d, T_FEATURES, 2);

	put_request(&d, 0, 1, 8);
	kick(&d, REQ);
	tap_ok(used_idx(&d, REQ) == 1 && used_len(&d, REQ, 0) == 0 &&
	       *(u8 *)gpa(&d, OUT_HDR) == 0xee, "a reply buffer under 16 bytes: returned unwritten");
	put_request(&d, 2, 2, 0);
	kick(&d, REQ);
	tap_ok(used_idx(&d, REQ) == 2 && used_len(&d, REQ, 1) == 0,
	       "a request with no reply buffer: returned empty");
	set_desc(&d, REQ, 4, IN_HDR, 20, VIRTQ_DESC_F_NEXT, 5);
	set_desc(&d, REQ, 5, OUT_HDR, 64, VIRTQ_DESC_F_WRITE, 0);
	memset(gpa(&d, OUT_HDR), 0xee, 64);
	add_avail(&d, REQ, 4);
	kick(&d, REQ);
	tap_ok(used_idx(&d, REQ) == 3 && used_len(&d, REQ, 2) == 0 &&
	       *(u8 *)gpa(&d, OUT_HDR) == 0xee, "a header under 40 bytes: returned unwritten");
	/* Header split over two descriptors, reply over two. */
	put_request(&d, 6, 0xabc, 64);
	set_desc(&d, REQ, 6, IN_HDR + 6 * 64, 12, VIRTQ_DESC_F_NEXT, 8);
	set_desc(&d, REQ, 8, IN_HDR + 6 * 64 + 12, 28, VIRTQ_DESC_F_NEXT, 9);
	set_desc(&d, REQ, 9, OUT_HDR + 6 * 64, 10, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 7);
	set_desc(&d, REQ, 7, OUT_HDR + 6 * 64 + 10, 54, VIRTQ_DESC_F_WRITE, 0);
	kick(&d, REQ);
	tap_ok(used_idx(&d, REQ) == 4 && eio_answer(&d, 6, 0xabc),
	       "header and reply split across descriptors: EIO with its unique");
	for (int i = 0; i < 40; i++) {
		put_request(&d, 0, 1, 8);
		kick(&d, REQ);
	}
	tap_ok(used_idx(&d, REQ) == 44, "40 bad requests are all returned");
	set_desc(&d, REQ, 0, IN_HDR, 40, VIRTQ_DESC_F_NEXT, 200);
	add_avail(&d, REQ, 0);
	kick(&d, REQ);
	tap_ok(needs_reset(&d), "a chain pointing past the table: NEEDS_RESET");
	tdrv_free(&d);
}

int main(void)
{
	tap_plan(46);
	test_config();
	test_offload();
	test_dead();
	test_dead_start_stop();
	test_bad_chains();
	return tap_done();
}
