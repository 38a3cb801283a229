/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_KVM_H
#define LKVM_KVM_H

#include <pthread.h>
#include <stdatomic.h>

#include "lkvm/device.h"
#include "lkvm/guest-mem.h"
#include "lkvm/options.h"
#include "lkvm/util.h"

struct vcpu;
struct sdei;
struct boot_payload;
struct gic_state;

/*
 * Things a vCPU thread (or a signal) asks the main thread to do.  vCPU threads
 * never tear the VM down themselves: they post one of these and the main loop
 * acts, with every vCPU paused.
 */
enum vm_event {
	VM_EV_NONE,
	VM_EV_POWEROFF,		/* PSCI SYSTEM_OFF */
	VM_EV_HIBERNATE,	/* PSCI SYSTEM_OFF2 */
	VM_EV_RESET,		/* PSCI SYSTEM_RESET / RESET2 */
	VM_EV_SIGNAL,		/* SIGINT / SIGTERM / SIGHUP */
	VM_EV_FATAL,		/* a vCPU hit an error it cannot recover from */
};

/* Counters shown by --stats and read by the benchmarks. */
struct vm_stats {
	atomic_ulong exits, mmio_exits, hypercall_exits, system_events;
	atomic_ulong suspends, resumes, reboots;
	atomic_ulong sdei_calls, sdei_deliveries;
	atomic_ulong sdei_fn[32];	/* per SDEI function, indexed by fid - 0xC4000020 */
	atomic_ulong ioctls;
};

struct vm {
	int sys_fd, vm_fd;
	struct run_opts *opts;
	struct guest_mem mem;

	int nr_vcpus;
	struct vcpu **vcpus;
	size_t run_size;	/* mmap size of struct kvm_run */

	struct device_bus bus;
	int gic_fd;
	struct gic_state *gic_state;	/* power-on vGIC registers, for reboot */
	u32 next_spi;
	u64 next_virtio_base;

	struct boot_payload *boot;	/* kept so a reboot in place can reload it */

	/* Host capabilities found at start-up. */
	bool has_system_suspend;
	u32 vcpu_target;
	u32 vcpu_features[7];

	struct sdei *sdei;	/* NULL when SDEI is off */
	pthread_mutex_t sdei_lock;	/* the dispatcher is called from every vCPU */
	int *sdei_kick;			/* nr_vcpus PEs to kick; under sdei_lock */

	/* vCPU -> main thread events: one slot, first writer wins, eventfd wakes main. */
	int event_fd;
	_Atomic int event;
	u64 reset_type;		/* RESET2 type, for the log */

	/* Pause-all (kvm-cpu.c). */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	bool pause_active;

	struct vm_stats stats;
};

/* Open /dev/kvm, create the VM and map its RAM; -1 after one error line. */
int vm_create(struct vm *vm, struct run_opts *o);
/* KVM_CHECK_EXTENSION on the VM (0 when absent). */
int vm_check_cap(struct vm *vm, long cap);

/* Count one ioctl in stats and issue it. */
int vm_ioctl(struct vm *vm, int fd, unsigned long req, void *arg);
#define kvm_ioctl(vm, fd, req, arg) vm_ioctl((vm), (fd), (req), (void *)(uintptr_t)(arg))

/* Tell the main thread something happened (first event wins). */
void vm_post_event(struct vm *vm, enum vm_event ev);

/* Raise / lower a GIC SPI (INTID - 32). */
void vm_set_spi(void *vm, u32 spi, bool level);
/* An irq_pin wired to the next free SPI. */
struct irq_pin vm_alloc_irq(struct vm *vm);
u64 vm_alloc_virtio_window(struct vm *vm);

#endif
