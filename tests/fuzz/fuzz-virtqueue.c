// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtio-mmio transport, the split virtqueue and the
 * blk / rng / console / input / net devices (net twice: over a fake tap, with
 * the header and no frame lengths, and over a fake passt, raw frames with
 * lengths).  The input is guest RAM contents
 * followed by a program of register accesses, RAM pokes and kicks, i.e.
 * everything a hostile guest controls.  The devices have a worker, as in
 * lkvm: a kick only wakes it (counted here), and an op runs one round of its
 * work.  Beyond the sanitizers (any access outside the RAM buffer is a heap
 * overflow) it checks that the interrupt line always matches
 * InterruptStatus, and that a round returns at most VIRTIO_ROUND_CHAINS
 * chains on a queue: a guest cannot make one round last.
 *
 * Input: u16 n, then n bytes copied to the start of RAM, then 12-byte ops:
 *   u8 op, u8 dev, u16 arg, u32 val, u32 val2
 * Besides raw register and RAM writes, ops act as a driver would (probe, write
 * a descriptor, publish a head) so the fuzzer reaches the chain walker quickly;
 * every field they write still comes from the input.  Op 10 is a worker round.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/virtio.h"

#define RAM_BASE	0x80000000ULL
#define NR_DEVS		6
#define RAM_SIZE	(0x4000 * NR_DEVS + 0x1000ULL)

/* Where setup() puts queue q of device d. */
#define RING(d, q)	(RAM_BASE + 0x4000 * (u64)(d) + 0x2000 * (u64)(q))
#define AVAIL_OFF	0x1000
#define USED_OFF	0x1200
#define INDIRECT	(RAM_BASE + 0x4000 * NR_DEVS)

static struct guest_mem mem;
static u16 qnum[NR_DEVS], avail_idx[NR_DEVS][2];
static struct device *devs[NR_DEVS];
static bool levels[NR_DEVS];

static unsigned long kicks;

static void irq_set(void *ctx, u32 spi, bool level)
{
	levels[spi] = level;
}

static void count_kick(struct virtio_dev *vd, int q)
{
	kicks++;
}

/* The fake network back ends: frames of fuzzer-chosen lengths, answers chosen too. */
struct fake_net {
	size_t frames[8];
	unsigned int head, nr;
	int send_ret, recv_ret;
};

static struct fake_net nets[2];
static u8 frame_src[70000];

static int fnet_send(void *ctx, const struct iovec *iov, unsigned int n)
{
	struct fake_net *f = ctx;
	size_t len = 0;

	for (unsigned int i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (len > 65550 + 12)
		abort();	/* the device let through more than a frame */
	return f->send_ret;
}

static ssize_t fnet_peek(void *ctx)
{
	struct fake_net *f = ctx;

	if (f->recv_ret)
		return f->recv_ret;
	return f->nr ? (ssize_t)f->frames[f->head] : -EAGAIN;
}

static ssize_t fnet_recv(void *ctx, const struct iovec *iov, unsigned int n)
{
	struct fake_net *f = ctx;
	size_t len, room = 0;

	if (f->recv_ret)
		return f->recv_ret;
	if (!f->nr)
		return -EAGAIN;
	len = f->frames[f->head];
	f->head = (f->head + 1) % 8;
	f->nr--;
	for (unsigned int i = 0; i < n; i++)
		room += iov[i].iov_len;
	if (n && len > room)
		return -EMSGSIZE;
	/* Writes every byte handed out: ASan sees any iovec outside RAM. */
	virtq_buf_to_iov(iov, n, 0, frame_src, len);
	return (ssize_t)len;
}

/*
 * One round of the device's worker: bounded whatever the rings say.  Counted
 * by the device's own used index (the rings in RAM may be anywhere, even on
 * top of each other).
 */
static void work_round(int di)
{
	struct virtio_dev *vd = virtio_mmio_dev(devs[di]);
	u16 before[2] = { vd->vqs[0].used_idx, vd->vqs[1].used_idx };

	virtio_mmio_work(vd);
	for (unsigned int q = 0; q < 2; q++)
		if ((u16)(vd->vqs[q].used_idx - before[q]) > VIRTIO_ROUND_CHAINS)
			abort();
}

static void net_op(int di, u16 arg, u32 val)
{
	struct fake_net *f = &nets[di - 4];
	struct virtio_dev *vd = virtio_mmio_dev(devs[di]);
	short ev;

	switch (arg & 3) {
	case 0:
		if (f->nr < 8) {
			f->frames[(f->head + f->nr) % 8] = val % sizeof(frame_src);
			f->nr++;
		}
		break;
	case 1:
		f->send_ret = (val & 3) == 1 ? -EAGAIN : (val & 3) == 2 ? -EPIPE : 0;
		f->recv_ret = (val & 0x30) == 0x10 ? -EPIPE : (val & 0x30) == 0x20 ? -EMSGSIZE : 0;
		break;
	case 2:
		pthread_mutex_lock(&vd->lock);
		if (vd->ops->poll_fd(vd, &ev) >= 0)
			vd->ops->ready(vd, (short)((val & (u32)ev) | (val >> 16 & POLLHUP)));
		pthread_mutex_unlock(&vd->lock);
		break;
	case 3:
		work_round(di);
		break;
	}
}

static void init(void)
{
	char path[] = "/tmp/lkvm-fuzz-blk-XXXXXX";
	int fd = mkstemp(path);
	int null = open("/dev/null", O_WRONLY);

	if (fd < 0 || ftruncate(fd, 64 * 512) < 0 || null < 0)
		abort();
	close(fd);
	log_level = -1;		/* hostile input is the point: keep the logs quiet */
	mem.start = RAM_BASE;
	mem.size = RAM_SIZE;
	mem.host = aligned_alloc(4096, RAM_SIZE);
	devs[0] = virtio_blk_create(&mem, 0x3000000, (struct irq_pin){ irq_set, NULL, 0, false }, path,
				    false);
	devs[1] = virtio_rng_create(&mem, 0x3000200, (struct irq_pin){ irq_set, NULL, 1, false });
	devs[2] = virtio_console_create(&mem, 0x3000400, (struct irq_pin){ irq_set, NULL, 2, false },
					null);
	devs[3] = virtio_input_create(&mem, 0x3000600, (struct irq_pin){ irq_set, NULL, 3, false });
	for (int i = 0; i < 2; i++) {
		struct virtio_net_backend be = {
			.ctx = &nets[i], .fd = 100 + i, .vnet_hdr = !i, .send = fnet_send,
			.peek = i ? fnet_peek : NULL, .recv = fnet_recv,
			.offloads = i ? 0 : BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) |
				    BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO4),
		};

		devs[4 + i] = virtio_net_create(&mem, 0x3000800 + 0x200 * i,
						(struct irq_pin){ irq_set, NULL, 4 + i, false },
						i ? "net1" : "net0", (u8[6]){ 2, 0, 0, 0, 0, 1 }, &be);
	}
	unlink(path);
	for (int i = 0; i < NR_DEVS; i++)
		if (!devs[i])
			abort();
	for (int i = 0; i < NR_DEVS; i++)
		virtio_mmio_dev(devs[i])->kick = count_kick;
}

static u32 rd(struct device *d, u64 off)
{
	u8 b[4];

	d->mmio(d, off, b, 4, false);
	return (u32)le_get(b, 4);
}

static void wr(struct device *d, u64 off, u32 v)
{
	u8 b[4];

	le_put(b, 4, v);
	d->mmio(d, off, b, 4, true);
}

/* The usual probe, so the fuzzer reaches the rings without guessing it. */
static void setup(int di, u16 arg, u32 val)
{
	struct device *d = devs[di];
	u32 dev_bits;

	wr(d, VIRTIO_MMIO_STATUS, 0);
	wr(d, VIRTIO_MMIO_STATUS, 3);
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	/* Device-specific bits (net's MRG_RXBUF, offloads...) as the input says, if offered. */
	dev_bits = rd(d, VIRTIO_MMIO_DEVICE_FEATURES) & (val >> 12) & 0xfffffff;
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (arg & 1 ? BIT(VIRTIO_RING_F_INDIRECT_DESC) : 0) |
						   (arg & 2 ? BIT(VIRTIO_RING_F_EVENT_IDX) : 0) |
						   dev_bits);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(d, VIRTIO_MMIO_STATUS, 0xb);
	qnum[di] = (u16)(1u << ((arg >> 2) % 9));
	avail_idx[di][0] = avail_idx[di][1] = 0;
	for (u32 q = 0; q < 2; q++) {
		/* Mostly aligned, sometimes not. */
		u64 base = RING(di, q) + (val & 0x100 ? val & 0xf : 0);

		wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
		wr(d, VIRTIO_MMIO_QUEUE_NUM, qnum[di]);
		wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)base);
		wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
		wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)base + AVAIL_OFF);
		wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
		wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)base + USED_OFF);
		wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
		wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr(d, VIRTIO_MMIO_STATUS, 0xf);
}

/* A descriptor in a ring setup() placed, or in the indirect area. */
static void put_desc(int di, u16 arg, u32 val, u32 val2)
{
	u64 table = arg & 0x4000 ? INDIRECT : RING(di, (arg >> 8) & 1);
	u64 addr = arg & 0x8000 ? ((u64)(val2 & 0xff) << 32 | val) : RAM_BASE + val % RAM_SIZE;
	u32 len = arg & 0x2000 ? val2 : (val2 >> 8) & 0xffff;
	u16 flags = (arg >> 9) & 7, next = (u16)(val2 >> 24 | (arg & 0x1000) >> 4);
	u8 *p = mem.host + (table - RAM_BASE) + 16 * (arg & 0xff);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

/* Publish @head on queue @q (no bounds: that is the device's job) and maybe kick. */
static void push_avail(int di, u16 head, u32 val)
{
	unsigned int q = val & 1;
	u64 avail = RING(di, q) + AVAIL_OFF - RAM_BASE;
	u16 idx = avail_idx[di][q];

	memcpy(mem.host + avail + 4 + 2 * (idx % (qnum[di] ? qnum[di] : 1)), &head, 2);
	idx += val & 4 ? (u16)(val >> 16) : 1;	/* sometimes jump */
	avail_idx[di][q] = idx;
	memcpy(mem.host + avail + 2, &idx, 2);
	if (val & 2)
		wr(devs[di], VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	size_t n;

	if (!mem.host)
		init();
	for (int i = 0; i < NR_DEVS; i++)
		devs[i]->reset(devs[i]);
	memset(nets, 0, sizeof(nets));
	memset(mem.host, 0, RAM_SIZE);
	if (size < 2)
		return 0;
	n = min_t(size_t, (size_t)(data[0] | data[1] << 8), size - 2);
	n = min_t(size_t, n, RAM_SIZE);
	memcpy(mem.host, data + 2, n);
	data += 2 + n;
	size -= 2 + n;

	memset(avail_idx, 0, sizeof(avail_idx));
	memset(qnum, 0, sizeof(qnum));
	for (; size >= 12; data += 12, size -= 12) {
		int di = data[1] % NR_DEVS;
		struct device *d = devs[di];
		u16 arg = (u16)(data[2] | data[3] << 8);
		u32 val, val2;
		u8 buf[8];

		memcpy(&val, data + 4, 4);
		memcpy(&val2, data + 8, 4);
		switch (data[0] % 11) {
		case 0:
			wr(d, arg & 0x1fc, val);
			break;
		case 1:
			rd(d, arg & 0x1fc);
			break;
		case 2:	/* any width, any offset, either direction */
			le_put(buf, 8, val);
			d->mmio(d, arg % 0x200, buf, 1 + (arg >> 9) % 8, arg & 0x8000);
			break;
		case 3:
			mem.host[(arg | (u32)(val & 0xff) << 16) % RAM_SIZE] = (u8)(val >> 8);
			break;
		case 4:	/* a 16-bit RAM store, e.g. an avail idx */
			memcpy(mem.host + (arg & ~1u) % RAM_SIZE, &val, 2);
			break;
		case 5:
			wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, arg % 3);
			break;
		case 6:
			setup(di, arg, val);
			break;
		case 7:
			if (di == 2)
				virtio_console_receive(d, data + 2, 10);
			else if (di == 3)
				virtio_input_press(d, arg & 1 ? VIRTIO_INPUT_KEY_WAKEUP : arg);
			else if (di >= 4)
				net_op(di, arg, val);
			else if (arg == 0xdead)
				d->reset(d);
			break;
		case 8:
			put_desc(di, arg, val, val2);
			break;
		case 9:
			push_avail(di, arg, val);
			break;
		case 10:
			work_round(di);
			break;
		}
		for (int i = 0; i < NR_DEVS; i++)
			if ((rd(devs[i], VIRTIO_MMIO_INTERRUPT_STATUS) != 0) != levels[i])
				abort();
	}
	return 0;
}
