/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_H
#define LKVM_VIRTIO_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/uio.h>

#include "lkvm/device.h"
#include "lkvm/guest-mem.h"
#include "lkvm/irq.h"
#include "lkvm/util.h"

/*
 * virtio 1.x over MMIO (transport version 2), split virtqueues only.  Guest and
 * host are both little-endian on every host lkvm supports, but the ring code
 * still converts explicitly so the layout is never in doubt.
 */

/* Device status bits (virtio 1.2, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Transport feature bits lkvm offers on every device. */
#define VIRTIO_RING_F_INDIRECT_DESC	28
#define VIRTIO_RING_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32

/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING		0x1
#define VIRTIO_MMIO_INT_CONFIG		0x2

/* The virtio-mmio register file (virtio 1.2, 4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_MAGIC		0x74726976u	/* "virt" */
#define VIRTIO_MMIO_VENDOR_LKVM		0x4c4b564du	/* "LKVM" */

/* Device ids. */
#define VIRTIO_ID_NET			1
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_CONSOLE		3
#define VIRTIO_ID_RNG			4
#define VIRTIO_ID_INPUT			18
#define VIRTIO_ID_FS			26

/* Split ring layout (virtio 1.2, 2.7). */
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2
#define VIRTQ_DESC_F_INDIRECT		4
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_DESC_SIZE			16

/*
 * Largest queue lkvm offers, and the most buffers one request may have (direct
 * and indirect together): the spec caps a chain at the queue size.
 */
#define VIRTQ_MAX_SIZE			256
#define VIRTQ_MAX_SEGS			VIRTQ_MAX_SIZE
#define VIRTIO_MAX_QUEUES		2

/*
 * The budget of one round of a device's work on one queue: at most this many
 * chains.  The guest writes the rings, so without it a driver that refills
 * as fast as the device consumes keeps the device busy for ever.
 */
#define VIRTIO_ROUND_CHAINS		64

/* ---- split virtqueue (virtio/virtq.c) ------------------------------------ */

struct virtq {
	/* Set up by the driver through the transport. */
	u16 num;
	bool ready;
	u64 desc_gpa, avail_gpa, used_gpa;
	bool event_idx, indirect;	/* negotiated features, fixed at enable time */

	/* Host views of the rings, all from gmem_ptr() at enable time. */
	const struct guest_mem *mem;
	u8 *desc, *avail, *used;

	u16 last_avail;		/* next avail entry the device will look at */
	u16 used_idx;		/* the device's copy of used->idx */
	u16 signalled_used;	/* used_idx when we last decided whether to interrupt */
	bool pushed;		/* used entries added since that decision */
	bool broken;		/* the driver handed us garbage: stays broken until reset */
	struct ratelimit rl;	/* for what the driver did wrong; kept across resets */
};

/*
 * One descriptor chain, turned into host iovecs: the first @nr_out are
 * device-readable, the next @nr_in device-writable.
 */
struct virtq_req {
	u16 head;
	unsigned int nr_out, nr_in;
	u64 out_len, in_len;
	struct iovec iov[VIRTQ_MAX_SEGS];
};

/* Forget everything the driver told us about this queue (reset). */
void virtq_reset(struct virtq *vq);
/*
 * Map the rings the driver configured and start using the queue.  -1 (queue
 * left disabled) when the size is not a power of two up to VIRTQ_MAX_SIZE or a
 * ring is misaligned or not wholly in RAM.
 */
int virtq_enable(struct virtq *vq, const struct guest_mem *mem, bool event_idx, bool indirect);
/*
 * Take the next available chain.  1: @req filled; 0: nothing available; -1:
 * the driver broke the ring rules (logged), the queue is now broken and the
 * device must ask for a reset.
 */
int virtq_pop(struct virtq *vq, struct virtq_req *req);
/*
 * Take over a ring a back end outside lkvm served until now (it died): go on
 * from the used index it left in guest memory.
 */
void virtq_resume(struct virtq *vq);
/*
 * Give back the last @n chains virtq_pop() returned, unused: the next pops
 * return them again.  For a device that takes several chains for one request
 * and finds it cannot use them all (virtio-net's receive side).
 */
void virtq_unpop(struct virtq *vq, u16 n);
/* Return a chain with @len bytes written into its device-writable buffers. */
void virtq_push(struct virtq *vq, u16 head, u32 len);
/* After one or more pushes: does the driver want a used-buffer interrupt now? */
bool virtq_should_notify(struct virtq *vq);

/*
 * Snapshot: a queue's layout, negotiated flags and indices.  virtq_load()
 * reads them into @vq (reset) and maps the rings of a ready queue: -1 with
 * *@why when they are not what a driver could have set up (a size over
 * VIRTQ_MAX_SIZE, or for a ready queue not a power of two, rings misaligned
 * or not wholly in RAM, more chains in flight than the queue holds).
 */
void virtq_save(const struct virtq *vq, struct snap_w *w);
int virtq_load(struct virtq *vq, const struct guest_mem *mem, struct snap_r *r, const char **why);
/* Chains popped and not yet pushed (0 for a queue not ready). */
u16 virtq_in_flight(const struct virtq *vq);

/* Copy between a flat buffer and @n iovecs starting @off bytes in; returns bytes copied. */
size_t virtq_iov_to_buf(const struct iovec *iov, unsigned int n, size_t off, void *buf, size_t len);
size_t virtq_buf_to_iov(const struct iovec *iov, unsigned int n, size_t off, const void *buf,
			size_t len);
/*
 * The iovecs covering bytes [off, off + len) of @iov into @out (room for @n);
 * returns how many, and sets *@got to the bytes they cover (less than @len when
 * @iov is shorter).
 */
unsigned int virtq_iov_slice(const struct iovec *iov, unsigned int n, size_t off, size_t len,
			     struct iovec *out, size_t *got);

/* ---- virtio-mmio transport (virtio/mmio.c) -------------------------------- */

struct virtio_dev;

/* What a device type supplies; the transport does everything else. */
struct virtio_dev_ops {
	u32 device_id;
	unsigned int nr_queues;
	/*
	 * One round of work on live queue @q, with vdev->lock held: at most a
	 * budget's worth (VIRTIO_ROUND_CHAINS, and for host I/O a bounded
	 * amount of bytes), so that a round always ends soon.  True when
	 * the queue may have more.  The device may drop the lock around host
	 * I/O, bracketed by virtio_mmio_io_begin() and virtio_mmio_io_end().
	 */
	bool (*process)(struct virtio_dev *vdev, unsigned int q);
	/* Optional, with the lock held: a config-space write (offset from 0x100). */
	void (*config_write)(struct virtio_dev *vdev, u32 offset, const u8 *data, u32 len);
	/* Optional, with the lock held: device-specific part of a reset. */
	void (*reset)(struct virtio_dev *vdev);
	/* Optional: release host resources at exit. */
	void (*exit)(struct virtio_dev *vdev);
	/*
	 * Optional, with the lock held.  start() runs when the driver sets
	 * DRIVER_OK: 1 when a back end outside lkvm (vhost-net, vhost-user)
	 * took the queues (the device is then "offloaded": the worker no
	 * longer calls process() and turns the back end's call eventfds into
	 * interrupts), 0 when lkvm serves them, -1 when the device cannot
	 * work (NEEDS_RESET).  stop() runs at a reset or at exit after a
	 * start(), before the transport forgets the queues: the back end must
	 * give them back.  The queues' eventfds: virtio_kvm_queue_fds().
	 */
	int (*start)(struct virtio_dev *vdev);
	void (*stop)(struct virtio_dev *vdev);
	/*
	 * Optional, with the lock held, asked by the worker before it sleeps:
	 * one more fd to wait on (a tap, a back end's socket) and for what
	 * (*events); -1 for none.  When it is ready the worker calls ready()
	 * (if given, lock held) and then serves the queues as after a kick.
	 */
	int (*poll_fd)(struct virtio_dev *vdev, short *events);
	void (*ready)(struct virtio_dev *vdev, short revents);
	/*
	 * Optional, with the lock held: the device type's own state for a
	 * snapshot, after the transport's (struct device's save/load say
	 * when they run).  A type without save() has none beyond the
	 * transport's; one that cannot be saved returns -1 with *@why.
	 */
	int (*save)(struct virtio_dev *vdev, struct snap_w *w, const char **why);
	int (*load)(struct virtio_dev *vdev, struct snap_r *r, const char **why);
	/* Its device-tree node says "wakeup-source": the guest may arm its interrupt to wake. */
	bool wakeup_source;
};

struct virtio_dev {
	struct device dev;
	const struct virtio_dev_ops *ops;
	const struct guest_mem *mem;

	/* Taken by the MMIO handler and by anything feeding the device from another thread. */
	pthread_mutex_t lock;

	u64 host_features;	/* device-specific bits; the transport adds its own */
	u64 withheld_features;	/* transport bits not to offer (a back end lacks them) */
	const u8 *config;	/* device config space, read-only to the driver */
	u32 config_size;
	u32 config_generation;

	u32 status;
	u64 driver_features;
	u32 device_features_sel, driver_features_sel;
	u32 queue_sel;
	u32 isr;
	bool irq_level;
	struct virtq vqs[VIRTIO_MAX_QUEUES];
	bool exited;
	bool started;		/* ops->start() ran and ops->stop() has not yet */
	bool offloaded;		/* a back end outside lkvm serves the queues */

	/*
	 * The device's worker thread, woken by kick(vdev, -1) (in lkvm an
	 * eventfd); kick(vdev, q) is a notification of queue q (an eventfd
	 * KVM also signals on a QueueNotify write: ioeventfd).  The worker
	 * calls virtio_mmio_work() until that says there is nothing left.
	 * NULL: no worker, and a kick is served on the spot (the unit tests,
	 * fuzzers).
	 */
	void (*kick)(struct virtio_dev *vdev, int q);
	void *worker;
	/* Host I/O in flight with the lock dropped; a reset waits for it. */
	unsigned int io_inflight;
	pthread_cond_t io_idle;
	_Atomic u32 reset_gen;	/* bumped by every reset: I/O begun before it is void */
	_Atomic bool stopping;	/* lkvm is exiting: abandon I/O in flight */
};

/*
 * Set up @vdev as a struct device named @name at @base.  Device types embed
 * struct virtio_dev first in their own allocation (freed as one) and fill in
 * ops, host_features and config.
 */
void virtio_mmio_init(struct virtio_dev *vdev, const char *name, const struct guest_mem *mem,
		      u64 base, struct irq_pin irq);
/* With the lock held: status has DRIVER_OK and not NEEDS_RESET, and queue @q is enabled. */
bool virtio_mmio_queue_live(struct virtio_dev *vdev, unsigned int q);
/* With the lock held: interrupt the driver if it wants to hear about used buffers on @q. */
void virtio_mmio_signal(struct virtio_dev *vdev, unsigned int q);
/* With the lock held: the driver broke the rules; set NEEDS_RESET and tell it. */
void virtio_mmio_fail(struct virtio_dev *vdev);
/* With the lock held: the device changed its config space; tell the driver. */
void virtio_mmio_config_changed(struct virtio_dev *vdev);
/* With the lock held: a used-buffer interrupt, whatever the ring says (a back end decided). */
void virtio_mmio_interrupt(struct virtio_dev *vdev);
/* With the lock held: there is work for the device (a kick, host input). */
void virtio_mmio_kick(struct virtio_dev *vdev);
/*
 * The worker's round: every live queue's process() once, lock taken here.
 * True when a queue may have more (call again before sleeping).
 */
bool virtio_mmio_work(struct virtio_dev *vdev);
/*
 * Host I/O with the lock dropped.  io_begin (lock held) returns the reset
 * generation; during the I/O, io_cancelled() says the device was reset or
 * lkvm is exiting (stop early); io_end (lock held again) says whether the
 * result may still be pushed.  A reset waits until no I/O is in flight, so
 * nothing writes into buffers a driver already took back.
 */
u32 virtio_mmio_io_begin(struct virtio_dev *vdev);
bool virtio_mmio_io_cancelled(struct virtio_dev *vdev, u32 gen);
bool virtio_mmio_io_end(struct virtio_dev *vdev, u32 gen);
/* lkvm is exiting: I/O in flight stops at its next check, and no round starts. */
void virtio_mmio_stop(struct virtio_dev *vdev);
/* Recover the virtio_dev behind a struct device from a create function. */
struct virtio_dev *virtio_mmio_dev(struct device *dev);
/* Run exit (once) and free; for tests and for callers that never add the device to a bus. */
void virtio_mmio_destroy(struct device *dev);

/* ---- devices --------------------------------------------------------------- */

struct virtio_net_backend;

/* All return a device ready for device_bus_add(), or NULL after one pr_err(). */
struct device *virtio_blk_create(const struct guest_mem *mem, u64 base, struct irq_pin irq,
				 const char *path, bool readonly);
struct device *virtio_console_create(const struct guest_mem *mem, u64 base, struct irq_pin irq,
				     int out_fd);
struct device *virtio_rng_create(const struct guest_mem *mem, u64 base, struct irq_pin irq);
struct device *virtio_input_create(const struct guest_mem *mem, u64 base, struct irq_pin irq);
struct device *virtio_net_create(const struct guest_mem *mem, u64 base, struct irq_pin irq,
				 const char *name, const u8 mac[6],
				 const struct virtio_net_backend *be);

/* virtio-net feature bits (virtio 1.2, 5.1.3) lkvm knows. */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
/* struct virtio_net_hdr_v1: what precedes every frame in the rings. */
#define VIRTIO_NET_HDR_SIZE		12

/*
 * Where a virtio-net device's frames go: a table the glue fills (net-tap.c,
 * net-passt.c).  Every call comes from the device's worker with the device
 * lock dropped, except set_offloads/start/stop (lock held, vCPU thread) and
 * exit.  A negative errno other than -EAGAIN (and -EMSGSIZE from recv) means
 * the back end is dead: the device says nothing more to it, its link goes
 * down, and what the guest sends is dropped.
 */
struct virtio_net_backend {
	void *ctx;
	int fd;			/* polled: frames to read, room to write; -1: none */
	bool vnet_hdr;		/* frames carry the 12-byte header; else raw Ethernet */
	u64 offloads;		/* BIT(VIRTIO_NET_F_*) offloads it takes */
	u64 withheld_features;	/* transport bits it cannot serve (vhost-net) */
	/* One whole frame: 0 sent (or dropped); -EAGAIN not taken, wait for POLLOUT. */
	int (*send)(void *ctx, const struct iovec *iov, unsigned int n);
	/* Optional: output it still holds; 0 all out, -EAGAIN some left (wait for POLLOUT). */
	int (*flush)(void *ctx);
	/* Optional: the next frame's length; 0 unknown; -EAGAIN no frame yet. */
	ssize_t (*peek)(void *ctx);
	/*
	 * One frame into @iov: its length (more than @iov holds: the frame
	 * did not fit and was dropped); -EAGAIN none; -EMSGSIZE one frame
	 * too big for @iov was dropped.  @n == 0: drop the next frame.
	 */
	ssize_t (*recv)(void *ctx, const struct iovec *iov, unsigned int n);
	/* Optional: the driver's features (0 at reset): what it may be sent. */
	void (*set_offloads)(void *ctx, u64 features);
	/*
	 * Optional: at DRIVER_OK, hand the queues to an in-kernel data path:
	 * 1 it took them, 0 lkvm serves them, -1 the device fails.
	 */
	int (*start)(void *ctx, struct virtio_dev *vdev);
	void (*stop)(void *ctx, struct virtio_dev *vdev);
	void (*exit)(void *ctx);
};

/*
 * virtio-fs: the requests are served by a back end outside lkvm (virtiofsd).
 * Every hook runs with the device lock held; start,
 * stop and ready return -1 when the back end is dead, after which lkvm answers
 * the guest's requests itself, with EIO.
 */
#define VIRTIO_FS_TAG_MAX		36
struct virtio_fs_backend {
	void *ctx;
	u64 features;		/* what the back end offers (GET_FEATURES) */
	/* DRIVER_OK: hand the enabled queues over (vdev->vqs, driver_features). */
	int (*start)(void *ctx, struct virtio_dev *vdev);
	/* Reset: take them back. */
	int (*stop)(void *ctx, struct virtio_dev *vdev);
	/* Optional: an fd telling of the back end's death, and its events (-1: none). */
	int (*poll_fd)(void *ctx, short *events);
	int (*ready)(void *ctx, short revents);
	/* Optional: why it died, for the one line that says so. */
	void (*why)(void *ctx, char *buf, size_t len);
	/* Optional: release it (at lkvm's exit). */
	void (*exit)(void *ctx);
};
struct device *virtio_fs_create(const struct guest_mem *mem, u64 base, struct irq_pin irq,
				const char *tag, const struct virtio_fs_backend *be);
/* A tag the guest can mount: 1 to VIRTIO_FS_TAG_MAX bytes. */
bool virtio_fs_tag_ok(const char *tag);

/* Host input for the console (any thread); what the guest cannot take yet is buffered. */
void virtio_console_receive(struct device *dev, const u8 *buf, size_t len);
/* How much host input the console holds before dropping more. */
#define VIRTIO_CONSOLE_INBUF		(64 * 1024)

/* The wake-up button (virtio-input): the one key it sends, Linux's KEY_WAKEUP. */
#define VIRTIO_INPUT_KEY_WAKEUP		143
/*
 * Any thread: queue a press and release of @code (KEY_WAKEUP only), each with
 * its SYN_REPORT, for the driver to take as soon as it has buffers.  0 when
 * queued; -1 when another key or when 16 presses already wait (said once
 * until a press is queued again).
 */
int virtio_input_press(struct device *dev, u16 code);
/* Any thread: the driver has set DRIVER_OK and its event queue is live. */
bool virtio_input_driver_ready(struct device *dev);

#endif
