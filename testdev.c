// SPDX-License-Identifier: GPL-2.0
/*
 * The test device (--test-device): lets a test guest ask the VMM to do what
 * a host operator would, at a moment the test chooses — today, raise an SDEI
 * event.  Off unless asked for; it has no place in a production guest.
 *
 *   0x00 W  SDEI_RAISE   bits [31:0] event, [47:32] target vCPU (private events)
 *   0x08 R  RESULT       of the last SDEI_RAISE: 0 pending, 1 dropped, -1 refused
 *   0x10 W  SDEI_RAISE_LATER  as SDEI_RAISE, bits [63:48] a delay in milliseconds:
 *                        the VMM raises it from a host thread while the guest
 *                        does something else (sleeps in SYSTEM_SUSPEND, say).
 *                        At most TESTDEV_LATER_MAX wait at once; more are
 *                        refused (RESULT -1).
 *   0x18 W  FAIL_ON_PAUSE  bits [15:0] a vCPU: it fails (a fatal error, as
 *                        if KVM_RUN had) the next time lkvm pauses it, e.g.
 *                        for a reboot in place.
 */
#include <errno.h>
#include <libfdt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lkvm/layout.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/snapshot.h"
#include "lkvm/testdev.h"
#include "lkvm/vcpu.h"
#include "lkvm/vm.h"

#define TESTDEV_LATER_MAX	16
/* The longest wait a guest can ask for: 16 bits of milliseconds, +1 ns (raise_later()). */
#define TESTDEV_LATER_MAX_NS	(0xffffULL * 1000000ULL + 1)

struct later {
	u64 due;		/* CLOCK_MONOTONIC ns; 0: free slot */
	u32 event;
	int vcpu;
};

struct testdev {
	struct device dev;
	struct vm *vm;
	_Atomic s64 result;

	/* One timer thread raises the delayed events, in the order they fall due. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool started, stopping;
	struct later later[TESTDEV_LATER_MAX];
};

static void *timer_thread(void *arg)
{
	struct testdev *t = arg;

	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		struct later *next = NULL;
		struct timespec ts;

		for (int i = 0; i < TESTDEV_LATER_MAX; i++)
			if (t->later[i].due && (!next || t->later[i].due < next->due))
				next = &t->later[i];
		if (!next) {
			pthread_cond_wait(&t->wake, &t->lock);
			continue;
		}
		if (next->due > util_now_ns()) {
			ts.tv_sec = (time_t)(next->due / 1000000000ULL);
			ts.tv_nsec = (long)(next->due % 1000000000ULL);
			pthread_cond_timedwait(&t->wake, &t->lock, &ts);
			continue;
		}
		next->due = 0;
		t->result = sdei_kvm_raise(t->vm, next->event, next->vcpu);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static s64 raise_later(struct testdev *t, u64 v)
{
	s64 r = -1;

	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < TESTDEV_LATER_MAX && r; i++)
		if (!t->later[i].due && t->started && !t->stopping) {
			/* +1 so that a zero delay still marks the slot busy. */
			t->later[i] = (struct later){ .due = util_now_ns() + (v >> 48) * 1000000ULL + 1,
						      .event = (u32)v, .vcpu = (int)((v >> 32) & 0xffff) };
			pthread_cond_signal(&t->wake);
			r = 0;
		}
	pthread_mutex_unlock(&t->lock);
	return r;
}

static void testdev_mmio(struct device *dev, u64 off, u8 *data, u32 len, bool is_write)
{
	struct testdev *t = container_of(dev, struct testdev, dev);
	u64 v = is_write ? le_get(data, len) : 0;

	if (is_write && off == 0x00) {
		t->result = sdei_kvm_raise(t->vm, (u32)v, (int)((v >> 32) & 0xffff));
	} else if (is_write && off == 0x10 && len == 8) {
		if (raise_later(t, v) < 0)
			t->result = -1;
	} else if (is_write && off == 0x18) {
		if ((v & 0xffff) < (u64)t->vm->nr_vcpus)
			atomic_store(&t->vm->vcpus[v & 0xffff]->test_fail_on_pause, true);
	} else if (!is_write) {
		le_put(data, len, off == 0x08 ? (u64)t->result : 0);
	}
}

static int testdev_fdt(struct device *dev, void *fdt, u32 gic)
{
	int r = device_fdt_begin(dev, fdt, "test", gic);

	if (!r)
		r = fdt_property_string(fdt, "compatible", "lkvm,test-device");
	return r ?: fdt_end_node(fdt);
}

/* A reboot in place forgets the raises still waiting: they were for the old boot. */
static void testdev_reset(struct device *dev)
{
	struct testdev *t = container_of(dev, struct testdev, dev);

	pthread_mutex_lock(&t->lock);
	memset(t->later, 0, sizeof(t->later));
	pthread_mutex_unlock(&t->lock);
}

/*
 * Snapshot: the result register and the raises still waiting, each with
 * the time it has left, which it gets again from the load on (the time
 * the VM spent saved does not count).
 *
 *	u64 result (s64: -1, 0, 1), u32 count,
 *	count times: u64 nanoseconds left, u32 event, u16 vCPU
 *
 * The timer thread does not stop for a snapshot.  Saved before the SDEI
 * state, a raise falling due in between is in both, and raised again at
 * the restore finds it pending still (a latch) unless the guest took it;
 * saved after, it would be lost.  Loaded after the SDEI state, a raise
 * falling due at once goes to the restored dispatcher, not a fresh one.
 */
static int testdev_save(struct device *dev, struct snap_w *w, const char **why)
{
	struct testdev *t = container_of(dev, struct testdev, dev);
	u64 now = util_now_ns();
	u32 n = 0;

	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < TESTDEV_LATER_MAX; i++)
		n += t->later[i].due != 0;
	snapshot_put_u64(w, (u64)t->result);
	snapshot_put_u32(w, n);
	for (int i = 0; i < TESTDEV_LATER_MAX; i++) {
		const struct later *l = &t->later[i];

		if (!l->due)
			continue;
		/* Overdue (the thread is about to raise it): at once after the restore. */
		snapshot_put_u64(w, l->due > now ? l->due - now : 0);
		snapshot_put_u32(w, l->event);
		snapshot_put_u16(w, (u16)l->vcpu);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static int testdev_load(struct device *dev, struct snap_r *r, const char **why)
{
	struct testdev *t = container_of(dev, struct testdev, dev);
	struct later later[TESTDEV_LATER_MAX] = { 0 };
	s64 result = (s64)snapshot_get_u64(r);
	u32 n = snapshot_get_u32(r);
	u64 now = util_now_ns();

	if (r->bad || n > TESTDEV_LATER_MAX) {
		*why = r->bad ? "cut short" : "more delayed raises than the device holds";
		return -1;
	}
	for (u32 i = 0; i < n; i++) {
		u64 left = snapshot_get_u64(r);
		u32 event = snapshot_get_u32(r);
		u16 vcpu = snapshot_get_u16(r);

		/* A monotonic clock's now is not 0: a zero delay still marks the slot busy. */
		later[i] = (struct later){ .due = now + left, .event = event, .vcpu = vcpu };
		if (left > TESTDEV_LATER_MAX_NS) {
			*why = "a delayed raise waits longer than a guest can ask";
			return -1;
		}
	}
	if (!snapshot_r_ok(r)) {
		*why = "cut short, or trailing bytes";
		return -1;
	}
	if (result < -1 || result > 1) {
		*why = "its RESULT register is not -1, 0 or 1";
		return -1;
	}
	pthread_mutex_lock(&t->lock);
	t->result = result;
	memcpy(t->later, later, sizeof(later));
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* At exit: the timer thread ends with the device (a vCPU request to an ended thread is dropped). */
static void testdev_exit(struct device *dev)
{
	struct testdev *t = container_of(dev, struct testdev, dev);

	pthread_mutex_lock(&t->lock);
	t->stopping = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	if (t->started)
		pthread_join(t->thread, NULL);
	t->started = false;
}

struct device *testdev_create(struct vm *vm)
{
	struct testdev *t = xzalloc(sizeof(*t));
	pthread_condattr_t ca;
	int r;

	t->vm = vm;
	t->dev = (struct device){
		.name = "test-device", .base = LKVM_TESTDEV_BASE, .size = 0x1000,
		.mmio = testdev_mmio, .fdt_node = testdev_fdt, .reset = testdev_reset,
		.exit = testdev_exit, .save = testdev_save, .load = testdev_load,
	};
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &ca);
	pthread_condattr_destroy(&ca);
	r = util_thread_start(&t->thread, timer_thread, t, "lkvm-testdev");
	if (r) {
		pr_err("test device: cannot start its timer thread: %s", strerror(r));
		free(t);
		return NULL;
	}
	t->started = true;
	return &t->dev;
}
