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
 *                        does something else (sleeps in SYSTEM_SUSPEND, say)
 */
#include <libfdt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lkvm/layout.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/testdev.h"
#include "lkvm/vm.h"

struct testdev {
	struct device dev;
	struct vm *vm;
	_Atomic s64 result;
};

struct later {
	struct testdev *t;
	u64 v;
};

static void *raise_later(void *arg)
{
	struct later *l = arg;
	u64 ms = l->v >> 48;
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0)
		;
	l->t->result = sdei_kvm_raise(l->t->vm, (u32)l->v, (int)((l->v >> 32) & 0xffff));
	free(l);
	return NULL;
}

static void testdev_mmio(struct device *dev, u64 off, u8 *data, u32 len, bool is_write)
{
	struct testdev *t = container_of(dev, struct testdev, dev);

	if (is_write && off == 0x00) {
		u64 v = le_get(data, len);

		t->result = sdei_kvm_raise(t->vm, (u32)v, (int)((v >> 32) & 0xffff));
	} else if (is_write && off == 0x10 && len == 8) {
		struct later *l = xzalloc(sizeof(*l));
		pthread_attr_t attr;
		pthread_t th;

		l->t = t;
		l->v = le_get(data, len);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&th, &attr, raise_later, l)) {
			free(l);
			t->result = -1;
		}
		pthread_attr_destroy(&attr);
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

struct device *testdev_create(struct vm *vm)
{
	struct testdev *t = xzalloc(sizeof(*t));

	t->vm = vm;
	t->dev = (struct device){
		.name = "test-device", .base = LKVM_TESTDEV_BASE, .size = 0x1000,
		.mmio = testdev_mmio, .fdt_node = testdev_fdt,
	};
	return &t->dev;
}
