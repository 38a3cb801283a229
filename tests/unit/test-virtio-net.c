// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net over a fake in-memory back end, driven as a guest driver would:
 * transmit with and without the header, receive into one chain and across
 * several (MRG_RXBUF), a ring too small that waits for a kick, bad chains,
 * the link going down, the features each kind of back end gets.
 */
#include <errno.h>
#include <poll.h>

#include "tap.h"
#include "virtio-driver.h"

#define RX		0
#define TX		1
#define HDR		12
#define NF(b)		BIT(VIRTIO_NET_F_##b)
#define TAP_OFFLOADS	(NF(CSUM) | NF(GUEST_CSUM) | NF(HOST_TSO4) | NF(HOST_TSO6) | \
			 NF(GUEST_TSO4) | NF(GUEST_TSO6))
#define MAX_FRAME	70000

static const u8 mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* A back end holding frames for the guest and recording what it sent. */
struct fake {
	bool vnet_hdr, peek;
	u8 in[4][MAX_FRAME];
	size_t in_len[4];
	unsigned int in_head, in_nr;
	u8 out[MAX_FRAME];
	size_t out_len;
	unsigned int sends, drops, recvs;
	int send_ret;		/* what send answers (0, -EAGAIN, -EPIPE) */
	int recv_err;		/* when set, recv and peek answer this */
	u64 offloads_set;
	int set_calls;
	bool exited;
};

static struct fake fk;

static void fake_frame(const u8 *p, size_t len)
{
	unsigned int i = (fk.in_head + fk.in_nr++) % 4;

	memcpy(fk.in[i], p, len);
	fk.in_len[i] = len;
}

static int fake_send(void *ctx, const struct iovec *iov, unsigned int n)
{
	fk.sends++;
	if (fk.send_ret)
		return fk.send_ret;
	fk.out_len = 0;
	for (unsigned int i = 0; i < n; i++) {
		memcpy(fk.out + fk.out_len, iov[i].iov_base, iov[i].iov_len);
		fk.out_len += iov[i].iov_len;
	}
	return 0;
}

static ssize_t fake_peek(void *ctx)
{
	if (fk.recv_err)
		return fk.recv_err;
	return fk.in_nr ? (ssize_t)fk.in_len[fk.in_head] : -EAGAIN;
}

static ssize_t fake_recv(void *ctx, const struct iovec *iov, unsigned int n)
{
	size_t len, room = 0;

	fk.recvs++;
	if (fk.recv_err)
		return fk.recv_err;
	if (!fk.in_nr)
		return -EAGAIN;
	len = fk.in_len[fk.in_head];
	for (unsigned int i = 0; i < n; i++)
		room += iov[i].iov_len;
	fk.in_head = (fk.in_head + 1) % 4;
	fk.in_nr--;
	/* As a tap: a frame longer than the buffers is dropped. */
	if (!n || len > room) {
		fk.drops++;
		return n ? -EMSGSIZE : (ssize_t)len;
	}
	virtq_buf_to_iov(iov, n, 0, fk.in[(fk.in_head + 3) % 4], len);
	return (ssize_t)len;
}

static void fake_set_offloads(void *ctx, u64 f)
{
	fk.offloads_set = f;
	fk.set_calls++;
}

static void fake_exit(void *ctx)
{
	fk.exited = true;
}

static struct device *make(struct tdrv *d, bool vnet_hdr, bool peek)
{
	struct virtio_net_backend be = {
		.fd = 42,
		.vnet_hdr = vnet_hdr,
		.offloads = vnet_hdr ? TAP_OFFLOADS : 0,
		.send = fake_send,
		.peek = peek ? fake_peek : NULL,
		.recv = fake_recv,
		.set_offloads = vnet_hdr ? fake_set_offloads : NULL,
		.exit = fake_exit,
	};

	memset(&fk, 0, sizeof(fk));
	fk.vnet_hdr = vnet_hdr;
	fk.peek = peek;
	virtio_mmio_destroy(d->dev);
	d->dev = virtio_net_create(&d->mem, T_MMIO_BASE, tdrv_pin(d), "net0", mac, &be);
	return d->dev;
}

static u64 dev_features(struct tdrv *d)
{
	u64 f;

	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (u64)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static u64 cfg(struct tdrv *d, u32 off, u32 len)
{
	u8 b[8] = { 0 };

	d->dev->mmio(d->dev, VIRTIO_MMIO_CONFIG + off, b, len, false);
	return le_get(b, len);
}

static void pattern(u8 *p, size_t len, u8 seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (u8)(seed + i * 13 + (i >> 8));
}

static struct virtio_dev *vd_of(struct tdrv *d)
{
	return virtio_mmio_dev(d->dev);
}

/* Post receive chain @head: one writable buffer of @len at T_BUF(@page). */
static void post_rx(struct tdrv *d, u16 head, unsigned int page, u32 len)
{
	set_desc(d, RX, head, T_BUF(page), len, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, RX, head);
}

static u16 hdr_num_buffers(struct tdrv *d, unsigned int page)
{
	return *(u16 *)((u8 *)gpa(d, T_BUF(page)) + 10);
}

static void test_features(struct tdrv *d)
{
	u64 f;

	make(d, true, false);
	f = dev_features(d);
	tap_ok(rd(d, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_NET, "DeviceID is 1 (network)");
	tap_ok((f & (NF(MAC) | NF(STATUS) | NF(MRG_RXBUF) | TAP_OFFLOADS |
		     BIT(VIRTIO_F_VERSION_1))) == (NF(MAC) | NF(STATUS) | NF(MRG_RXBUF) |
						   TAP_OFFLOADS | BIT(VIRTIO_F_VERSION_1)) &&
	       !(f & BIT(22)), "a tap: MAC, STATUS, MRG_RXBUF, checksums, TSO; no MQ (0x%llx)",
	       (unsigned long long)f);
	tap_ok(cfg(d, 0, 4) == 0x12005452 && cfg(d, 4, 2) == 0x5634 && cfg(d, 6, 2) == 1,
	       "config: the MAC, status LINK_UP");
	make(d, false, true);
	f = dev_features(d);
	tap_ok((f & (NF(MAC) | NF(STATUS) | NF(MRG_RXBUF))) ==
	       (NF(MAC) | NF(STATUS) | NF(MRG_RXBUF)) && !(f & TAP_OFFLOADS),
	       "a raw back end: MAC, STATUS, MRG_RXBUF, no offloads (0x%llx)",
	       (unsigned long long)f);
	make(d, true, false);
	tap_ok(tdrv_setup(d, T_FEATURES | NF(MAC) | NF(GUEST_CSUM) | NF(GUEST_TSO4), 2) == 0xf &&
	       fk.set_calls == 2 && fk.offloads_set == (T_FEATURES | NF(MAC) | NF(GUEST_CSUM) |
							NF(GUEST_TSO4)),
	       "DRIVER_OK hands the driver's features to the back end's offloads");
	wr(d, VIRTIO_MMIO_STATUS, 0);
	tap_ok(fk.set_calls == 3 && fk.offloads_set == 0, "a reset turns the offloads off");
}

static void test_tx(struct tdrv *d)
{
	u8 *h = gpa(d, T_BUF(0)), *f = gpa(d, T_BUF(1));
	short ev = 0;
	int fd;

	make(d, true, false);
	tdrv_setup(d, T_FEATURES | NF(MAC), 2);
	pattern(h, HDR, 1);
	pattern(f, 60, 2);
	set_desc(d, TX, 0, T_BUF(0), HDR, VIRTQ_DESC_F_NEXT, 1);
	set_desc(d, TX, 1, T_BUF(1), 60, 0, 0);
	add_avail(d, TX, 0);
	kick(d, TX);
	tap_ok(fk.sends == 1 && fk.out_len == 72 && !memcmp(fk.out, h, HDR) &&
	       !memcmp(fk.out + HDR, f, 60), "TX: the header and the frame reach a tap as they are");
	tap_ok(used_idx(d, TX) == 1 && used_id(d, TX, 0) == 0 && used_len(d, TX, 0) == 0 &&
	       d->irq.level, "TX: the chain comes back with length 0, with an interrupt");
	ack_irq(d);

	make(d, false, true);
	tdrv_setup(d, T_FEATURES | NF(MAC), 2);
	pattern(h, HDR + 60, 3);
	set_desc(d, TX, 0, T_BUF(0), HDR + 60, 0, 0);
	add_avail(d, TX, 0);
	kick(d, TX);
	tap_ok(fk.sends == 1 && fk.out_len == 60 && !memcmp(fk.out, h + HDR, 60),
	       "TX: a raw back end gets the frame without the header (one buffer for both)");

	/* The back end is full: the chain waits for POLLOUT, then goes. */
	fk.send_ret = -EAGAIN;
	add_avail(d, TX, 0);
	kick(d, TX);
	fd = vd_of(d)->ops->poll_fd(vd_of(d), &ev);
	tap_ok(used_idx(d, TX) == 1 && fd == 42 && (ev & POLLOUT),
	       "TX: -EAGAIN keeps the chain and asks for POLLOUT");
	kick(d, TX);
	tap_ok(fk.sends == 2, "TX: no retry before POLLOUT");
	fk.send_ret = 0;
	pthread_mutex_lock(&vd_of(d)->lock);
	vd_of(d)->ops->ready(vd_of(d), POLLOUT);
	pthread_mutex_unlock(&vd_of(d)->lock);
	virtio_mmio_work(vd_of(d));
	ev = 0;
	vd_of(d)->ops->poll_fd(vd_of(d), &ev);
	tap_ok(fk.sends == 3 && used_idx(d, TX) == 2 && !(ev & POLLOUT),
	       "TX: after POLLOUT the held chain is sent and returned");
}

static void test_rx_one(struct tdrv *d)
{
	u8 frame[1514], *b = gpa(d, T_BUF(0)), zero[HDR - 2] = { 0 };
	short ev = 0;

	/* Raw back end with lengths: header zero-filled. */
	make(d, false, true);
	tdrv_setup(d, T_FEATURES | NF(MAC), 2);
	pattern(frame, 100, 9);
	fake_frame(frame, 100);
	memset(b, 0xee, 2048);
	post_rx(d, 0, 0, 1530);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 1 && used_len(d, RX, 0) == HDR + 100 &&
	       !memcmp(b, zero, HDR - 2) && hdr_num_buffers(d, 0) == 1 &&
	       !memcmp(b + HDR, frame, 100), "RX: a raw frame after a zero header, num_buffers 1");
	tap_ok(d->irq.level, "RX: interrupt");
	ack_irq(d);
	tap_ok(vd_of(d)->ops->poll_fd(vd_of(d), &ev) == 42 && (ev & POLLIN),
	       "RX: live queue with room: the worker polls for frames");

	/* A tap: the header comes from the back end; the frame goes in unseen. */
	make(d, true, false);
	tdrv_setup(d, T_FEATURES | NF(MAC), 2);
	pattern(frame, HDR + 200, 4);
	frame[10] = frame[11] = 0x77;
	fake_frame(frame, HDR + 200);
	post_rx(d, 0, 0, 1530);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 1 && used_len(d, RX, 0) == HDR + 200 &&
	       !memcmp(b, frame, 10) && hdr_num_buffers(d, 0) == 1 &&
	       !memcmp(b + HDR, frame + HDR, 200),
	       "RX: a tap's header kept, num_buffers set to 1");
	post_rx(d, 1, 1, 1530);
	kick(d, RX);
	tap_ok(fk.recvs == 2 && used_idx(d, RX) == 1,
	       "RX: no frame (-EAGAIN): the chain is given back unused (recvs %u)", fk.recvs);
	fake_frame(frame, HDR + 60);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 2 && used_id(d, RX, 1) == 1 && used_len(d, RX, 1) == HDR + 60,
	       "RX: the same chain takes the next frame");
}

static void test_rx_mrg(struct tdrv *d)
{
	static u8 frame[HDR + 65550];
	u8 *b0 = gpa(d, T_BUF(0)), *b1 = gpa(d, T_BUF(1));
	short ev = 0;

	make(d, false, true);
	tdrv_setup(d, T_FEATURES | NF(MAC) | NF(MRG_RXBUF), 2);
	pattern(frame, 1400, 5);
	fake_frame(frame, 1400);
	for (u16 i = 0; i < 5; i++)
		post_rx(d, i, i, 512);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 3 && used_id(d, RX, 0) == 0 && used_len(d, RX, 0) == 512 &&
	       used_id(d, RX, 1) == 1 && used_len(d, RX, 1) == 512 && used_id(d, RX, 2) == 2 &&
	       used_len(d, RX, 2) == HDR + 1400 - 1024,
	       "MRG_RXBUF: a 1400-byte frame spread over three 512-byte chains");
	tap_ok(hdr_num_buffers(d, 0) == 3 && !memcmp(b0 + HDR, frame, 512 - HDR) &&
	       !memcmp(b1, frame + 512 - HDR, 512), "num_buffers 3, data in order");
	fake_frame(frame, 100);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 4 && used_id(d, RX, 3) == 3,
	       "the chains not used were given back: the next frame takes chain 3");

	/* Mergeable buffers take a frame past 1518 bytes even without TSO (passt's 64 KiB MTU). */
	pattern(frame, 3000, 7);
	fake_frame(frame, 3000);
	for (u16 i = 5; i < 12; i++)
		post_rx(d, i, i, 1536);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 7 && used_len(d, RX, 4) == 512 && used_len(d, RX, 5) == 1536 &&
	       used_len(d, RX, 6) == HDR + 3000 - 2048 &&
	       !memcmp(gpa(d, T_BUF(6)), frame + 2048 - HDR, 100),
	       "MRG_RXBUF without TSO: a 3000-byte frame over the 512-byte chain left and two more");

	/* A tap with TSO: room for 65562 bytes is gathered before reading. */
	make(d, true, false);
	tdrv_setup(d, T_FEATURES | NF(MAC) | NF(MRG_RXBUF) | NF(GUEST_CSUM) | NF(GUEST_TSO4), 2);
	pattern(frame, HDR + 40000, 6);
	fake_frame(frame, HDR + 40000);
	for (u16 i = 0; i < 8; i++)
		post_rx(d, i, 4 * i, 4096);
	kick(d, RX);
	ev = 0;
	tap_ok(used_idx(d, RX) == 0 && fk.recvs == 0 &&
	       vd_of(d)->ops->poll_fd(vd_of(d), &ev) == 42 && !(ev & POLLIN),
	       "too little room for the largest frame: nothing read, no POLLIN, waits for a kick");
	for (u16 i = 8; i < T_QNUM; i++)
		post_rx(d, i, 4 * i, 4096);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 10 && hdr_num_buffers(d, 0) == 10 &&
	       used_len(d, RX, 9) == HDR + 40000 - 9 * 4096 &&
	       !memcmp(gpa(d, T_BUF(4)), frame + 4096, 4096),
	       "after the kick the whole ring (64 KiB) is taken: 40012 bytes over 10 chains");
	ev = 0;
	vd_of(d)->ops->poll_fd(vd_of(d), &ev);
	tap_ok(!(ev & POLLIN), "the 6 chains left (24 KiB) are too little again: no POLLIN");
	for (u16 i = 0; i < 10; i++)
		post_rx(d, i, 4 * i, 4096);
	kick(d, RX);
	ev = 0;
	vd_of(d)->ops->poll_fd(vd_of(d), &ev);
	tap_ok((ev & POLLIN) && fk.recvs == 2, "refilled: the worker polls for frames again");
}

static void test_bad(struct tdrv *d)
{
	static u8 frame[4000];

	make(d, false, true);
	tdrv_setup(d, T_FEATURES | NF(MAC), 2);
	/* TX: writable buffers, short header. */
	set_desc(d, TX, 0, T_BUF(0), 100, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, TX, 0);
	set_desc(d, TX, 1, T_BUF(0), 8, 0, 0);
	add_avail(d, TX, 1);
	set_desc(d, TX, 2, T_BUF(0), HDR + 70000, 0, 0);
	add_avail(d, TX, 2);
	kick(d, TX);
	tap_ok(fk.sends == 0 && used_idx(d, TX) == 3 && !needs_reset(d),
	       "TX: a write-only chain, a short header, a 70000-byte frame: dropped, returned");

	/* RX: a chain with a readable buffer, one too short for the header. */
	set_desc(d, RX, 0, T_BUF(0), 10, VIRTQ_DESC_F_NEXT, 1);
	set_desc(d, RX, 1, T_BUF(1), 1530, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, RX, 0);
	post_rx(d, 2, 2, 8);
	post_rx(d, 3, 3, 1530);
	fake_frame(frame, 60);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 3 && used_len(d, RX, 0) == 0 && used_len(d, RX, 1) == 0 &&
	       used_id(d, RX, 2) == 3 && used_len(d, RX, 2) == HDR + 60 && !needs_reset(d),
	       "RX: chains with a readable buffer or under 12 bytes returned unused");

	/* Too big for what the features allow (no TSO): dropped. */
	fake_frame(frame, 1600);
	fake_frame(frame, 70);
	post_rx(d, 4, 4, 4000);
	kick(d, RX);
	tap_ok(fk.drops == 1 && used_idx(d, RX) == 4 && used_len(d, RX, 3) == HDR + 70,
	       "RX: a 1600-byte frame without TSO dropped; the next one delivered");

	/* Without MRG_RXBUF one chain must hold the frame. */
	fake_frame(frame, 1000);
	post_rx(d, 5, 5, 600);
	post_rx(d, 6, 6, 1530);
	kick(d, RX);
	tap_ok(fk.drops == 2 && used_idx(d, RX) == 4,
	       "RX: without MRG_RXBUF a frame bigger than the chain is dropped, chain kept");
	fake_frame(frame, 100);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 5 && used_id(d, RX, 4) == 5, "RX: ... and used for the next frame");

	/* A receive chain the device cannot write at all: the driver is broken. */
	set_desc(d, RX, 7, T_BUF(7), 100, 0, 0);
	add_avail(d, RX, 7);
	post_rx(d, 8, 8, 1530);
	fake_frame(frame, 60);
	fake_frame(frame, 60);
	kick(d, RX);
	tap_ok(needs_reset(d), "RX: a read-only receive chain: NEEDS_RESET");

	/* A buffer past RAM. */
	tdrv_setup(d, T_FEATURES | NF(MAC), 2);
	set_desc(d, RX, 0, T_RAM_BASE + T_RAM_SIZE - 100, 1530, VIRTQ_DESC_F_WRITE, 0);
	add_avail(d, RX, 0);
	fake_frame(frame, 60);
	kick(d, RX);
	tap_ok(needs_reset(d), "RX: a buffer past guest RAM: NEEDS_RESET");
}

static void test_link(struct tdrv *d)
{
	u32 gen;
	short ev;

	make(d, false, true);
	tdrv_setup(d, T_FEATURES | NF(MAC) | NF(STATUS), 2);
	gen = rd(d, VIRTIO_MMIO_CONFIG_GENERATION);
	post_rx(d, 0, 0, 1530);
	fk.recv_err = -EPIPE;
	kick(d, RX);
	tap_ok(cfg(d, 6, 2) == 0 && rd(d, VIRTIO_MMIO_CONFIG_GENERATION) != gen &&
	       (rd(d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG) && d->irq.level &&
	       !(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET),
	       "a dead back end: link down, config-change interrupt, no NEEDS_RESET");
	ack_irq(d);
	set_desc(d, TX, 0, T_BUF(1), HDR + 60, 0, 0);
	add_avail(d, TX, 0);
	kick(d, TX);
	tap_ok(fk.sends == 0 && used_idx(d, TX) == 1, "then the guest's frames are dropped");
	ev = 0;
	tap_ok(vd_of(d)->ops->poll_fd(vd_of(d), &ev) == -1, "and its fd is not polled any more");
	tdrv_setup(d, T_FEATURES | NF(MAC) | NF(STATUS), 2);
	tap_ok(cfg(d, 6, 2) == 0, "the link stays down across a reset");

	/* A hang-up with frames left: they are still delivered. */
	make(d, false, true);
	tdrv_setup(d, T_FEATURES | NF(MAC) | NF(STATUS), 2);
	fake_frame((u8[60]){ 1 }, 60);
	pthread_mutex_lock(&vd_of(d)->lock);
	vd_of(d)->ops->ready(vd_of(d), POLLHUP);
	pthread_mutex_unlock(&vd_of(d)->lock);
	ev = 0;
	tap_ok(vd_of(d)->ops->poll_fd(vd_of(d), &ev) == -1 && cfg(d, 6, 2) == 1,
	       "POLLHUP with a frame left: link still up, fd no longer polled");
	post_rx(d, 0, 0, 1530);
	kick(d, RX);
	tap_ok(used_idx(d, RX) == 1 && used_len(d, RX, 0) == HDR + 60, "the frame left is delivered");
	tdrv_free(d);
	tap_ok(fk.exited, "exit reaches the back end");
}

int main(void)
{
	struct tdrv d;

	tap_plan(6 + 6 + 7 + 7 + 7 + 7);
	tdrv_init_ram(&d);
	test_features(&d);
	test_tx(&d);
	test_rx_one(&d);
	test_rx_mrg(&d);
	test_bad(&d);
	test_link(&d);
	return tap_done();
}
