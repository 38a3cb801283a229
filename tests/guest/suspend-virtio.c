// SPDX-License-Identifier: GPL-2.0
/*
 * A virtio interrupt wakes a vCPU from SYSTEM_SUSPEND: the payload gives
 * virtio-console's receive queue a buffer, enables its SPI and suspends (a
 * 20 s timer is the fallback); the host types a line, the device fills the
 * buffer and raises its interrupt, and the vCPU resumes at its entry point
 * long before the timer.  tests/linux/suspend-virtio.sh runs it and types the
 * line ("lkvm.wake=virtio" on the command line); run alone, it skips.
 *
 * run-by: tests/linux/suspend-virtio.sh
 */
#include "psci-suspend.h"
#include "virtio-guest.h"

#define VIRTIO_BASE		VIRTIO_MMIO_BASE	/* the first window: the console */
#define VIRTIO_SPI		VIRTIO_FIRST_SPI
#define QSIZE			4

static struct vdesc desc[QSIZE] __attribute__((aligned(16)));
static struct vavail avail __attribute__((aligned(2)));
static volatile struct vused used __attribute__((aligned(4)));
static volatile char rxbuf[64];
static u64 cval;

static void vm_write(u32 off, u32 v)
{
	vdev_write(VIRTIO_BASE, off, v);
}

static u32 vm_read(u32 off)
{
	return vdev_read(VIRTIO_BASE, off);
}

static bool wake_requested(void)
{
	u32 len;
	const char *args = fdt_getprop("/chosen", "bootargs", &len);

	for (u32 i = 0; args && i + 16 <= len; i++)
		if (!strncmp(args + i, "lkvm.wake=virtio", 16))
			return true;
	return false;
}

static void resumed(void)
{
	const volatile struct resume_regs *r = &resume_regs;
	u32 isr = vm_read(VM_INTERRUPT_STATUS);

	vtimer_off();
	ok(r->count == 1 && r->cntvct < cval,
	   "resumed at CNTVCT %lu, before the 20 s fallback timer (%lu): woken by the virtio "
	   "interrupt", (unsigned long)r->cntvct, (unsigned long)cval);
	ok(isr & 1, "virtio InterruptStatus = %#x: used buffer notification", isr);
	dmb(sy);
	ok(used.idx == 1 && used.ring[0].id == 0 && used.ring[0].len >= 4 &&
		   !strncmp((const char *)rxbuf, "wake", 4),
	   "the typed line is in the receive buffer (used idx %u, len %u, '%c%c%c%c')", used.idx,
	   used.ring[0].len, rxbuf[0], rxbuf[1], rxbuf[2], rxbuf[3]);
	vm_write(VM_INTERRUPT_ACK, isr);
}

void test_main(void)
{
	s64 ret;

	if (!wake_requested())
		skip_all("needs the host to type a line: tests/linux/suspend-virtio.sh runs it");
	plan(5);
	ok(vm_read(VM_MAGIC) == 0x74726976 && vm_read(VM_VERSION) == 2 &&
		   vm_read(VM_DEVICE_ID) == 3,
	   "virtio-mmio v2 console at %#lx", VIRTIO_BASE);

	vdev_begin(VIRTIO_BASE);
	desc[0] = (struct vdesc){ .addr = (u64)(uintptr_t)rxbuf, .len = sizeof(rxbuf),
				  .flags = VDESC_F_WRITE };
	avail.ring[0] = 0;
	avail.idx = 1;
	vdev_queue(VIRTIO_BASE, 0, QSIZE, desc, &avail, (const void *)&used);	/* receiveq */
	vdev_driver_ok(VIRTIO_BASE);
	ok(vm_read(VM_STATUS) == 15 && vm_read(VM_QUEUE_NUM_MAX) >= QSIZE,
	   "driver ready with one receive buffer (status %u)", vm_read(VM_STATUS));
	vm_write(VM_QUEUE_NOTIFY, 0);

	gic_init();
	/* The DT describes virtio lines as edge-rising: each interrupt is one irqfd signal. */
	gic_set_edge(GIC_SPI(VIRTIO_SPI));
	gic_enable_irq(GIC_SPI(VIRTIO_SPI));
	gic_enable_irq(TIMER_VIRT_INTID);
	install_irq_handler(timer_irq_handler);
	suspend_prepare(resumed);
	cval = vtimer_arm_us(20000000);
	printf("SUSPENDING\n");
	ret = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), 0);
	vtimer_off();
	bail("SYSTEM_SUSPEND returned %ld", (long)ret);
}
