/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VM_H
#define LKVM_VM_H

#include <pthread.h>
#include <stdatomic.h>

#include "lkvm/ctl-proto.h"
#include "lkvm/device.h"
#include "lkvm/guest-mem.h"
#include "lkvm/irq.h"
#include "lkvm/options.h"
#include "lkvm/util.h"

struct vcpu;
struct gic_state;
struct smccc_kvm;
struct sdei_kvm;
struct virtio_kvm;

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

/*
 * A vCPU's own counters: only its thread writes them (plain loads and
 * stores, nothing shared on the exit path); others read them.
 */
struct vcpu_counters {
	_Atomic u64 exits, mmio_exits, hypercall_exits, system_events, ioctls;
};

/* Counters shown by --stats and read by the benchmarks (with each vCPU's). */
struct vm_stats {
	atomic_ulong suspends, resumes, reboots;
	atomic_ulong sdei_calls, sdei_deliveries;
	atomic_ulong sdei_fn[32];	/* per SDEI function, indexed by fid - SDEI_FN_RANGE_BASE */
	atomic_ulong ioctls;		/* KVM ioctls from threads that are not vCPUs */
	u64 start_ns;			/* CLOCK_MONOTONIC at `lkvm run`'s start */
	_Atomic u64 first_run_ns;	/* ... and at the first KVM_RUN */
};

/* Where the VM is in its life, for the control socket's "state". */
enum vm_lifecycle {
	VM_LIFE_RUNNING,
	VM_LIFE_REBOOTING,
	VM_LIFE_SHUTTING_DOWN,
};

/*
 * One thing that happened, for the control socket's event streams: a ring
 * of the last VM_NOTES, read by the main thread, written by any thread.
 */
struct vm_note {
	u64 seq;
	u64 t_ns;		/* since lkvm started */
	u8 event;		/* enum ctl_event */
	u8 state;		/* enum ctl_state just after it */
	s16 cpu;		/* -1: none */
	u32 arg;		/* the SDEI event number */
};
#define VM_NOTES	64

/*
 * One VM.  The layers above keep their own state behind the opaque pointers
 * (SMCCC router, SDEI, the vGIC's power-on state); this file never looks
 * inside them.
 */
struct vm {
	int sys_fd, vm_fd;
	struct run_opts *opts;
	struct guest_mem mem;

	int nr_vcpus;
	struct vcpu **vcpus;
	size_t run_size;	/* mmap size of struct kvm_run */

	struct device_bus bus;
	int gic_fd;
	u32 next_spi;
	u64 next_virtio_base;

	/* arm64 (arm/): what the host offers, and the vCPUs' init. */
	bool has_system_suspend;
	int gic_its_fd;		/* -1: no ITS */
	u32 vcpu_target;
	u32 vcpu_features[7];
	struct gic_state *gic_state;	/* power-on vGIC registers, for reboot */
	bool mte;			/* KVM_CAP_ARM_MTE is on */
	/* Restoring: the snapshot's SVE vector lengths, and the host's cap in bits (0: none). */
	const u64 *restore_vls;
	u32 restore_vl_cap;
	u8 *pvtime;			/* the PV stolen-time area; NULL: none */

	struct smccc_kvm *smccc;	/* hypercalls forwarded to lkvm; NULL: none */
	struct sdei_kvm *sdei;		/* NULL when SDEI is off */
	struct virtio_kvm *virtio;	/* the virtio devices' workers */

	/* vCPU -> main thread events: one slot, first writer wins, eventfd wakes main. */
	int event_fd;
	_Atomic int event;
	u64 reset_type;		/* RESET2 type, for the log; ~0 for SYSTEM_RESET */
	_Atomic u32 boot_gen;	/* bumped by every reboot in place, with every vCPU paused */

	/* For the control socket's "state" (vm_state()). */
	_Atomic int lifecycle;		/* enum vm_lifecycle */
	atomic_bool paused;		/* held by the control socket's pause */
	atomic_int nr_suspended;	/* vCPUs in SYSTEM_SUSPEND */
	struct device *wake_dev;	/* the wake-up button; NULL: none */

	/*
	 * Notes for event streams (vm_note()): recorded only while someone
	 * listens, so that nobody pays for them otherwise.
	 */
	atomic_int note_listeners;
	pthread_mutex_t note_lock;
	struct vm_note notes[VM_NOTES];
	u64 note_seq;		/* the next note's; under note_lock */
	int note_fd;		/* eventfd: a note was added */

	/* Pause-all (vcpu.c). */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	bool pause_active;

	struct vm_stats stats;
};

/*
 * Open /dev/kvm, create the VM and map its RAM; -1 after one error line.
 * @ram_fd >= 0: RAM is that file's first mem_size bytes (a snapshot's),
 * mapped copy-on-write, or with @ram_copy read into anonymous memory (an
 * MTE guest's memory must be anonymous or shmem).
 */
int vm_create(struct vm *vm, struct run_opts *o, int ram_fd, bool ram_copy);
/* KVM_CHECK_EXTENSION on the VM (0 when absent). */
int vm_check_cap(struct vm *vm, long cap);
/* A reboot in place: guest RAM reads as zero again, as after power-on. */
int vm_clear_ram(struct vm *vm);
/*
 * Which host pages of guest RAM may hold data: bit i (of word i / 64) for
 * page i, set unless the page is known to read as zeros with zero MTE tags.
 * NULL when that cannot be known (every page may hold data).  Free it.
 */
u64 *vm_ram_in_use(const struct vm *vm);
/* May any byte of guest RAM [@off, @off + @len) hold data, by such a map? */
bool vm_ram_range_in_use(const u64 *in_use, u64 off, u64 len);
/*
 * Memory the guest sees besides its RAM (a firmware-owned area: the PV time
 * records), zeroed, in memory slot @slot; NULL after one error line.
 */
void *vm_map_region(struct vm *vm, u32 slot, u64 gpa, u64 size, const char *what);

/*
 * The one way lkvm issues a KVM ioctl: counted for --stats, and retried on
 * EINTR except for KVM_RUN, whose EINTR is how a vCPU is kicked out.  A vCPU
 * thread counts its own (vm_ioctl_count_here()), so the exit path touches no
 * shared counter.
 */
int vm_ioctl_ptr(struct vm *vm, int fd, unsigned long req, void *arg);
/* From now on, ioctls this thread issues are counted in @c. */
void vm_ioctl_count_here(_Atomic u64 *c);
/* One more in a counter only this thread writes: no atomic read-modify-write. */
static inline void vm_count(_Atomic u64 *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}
#define vm_ioctl(vm, fd, req, arg) vm_ioctl_ptr((vm), (fd), (req), (void *)(uintptr_t)(arg))

/*
 * KVM_HAS_DEVICE_ATTR, KVM_GET_DEVICE_ATTR or KVM_SET_DEVICE_ATTR (@req) on a
 * device, VM or vCPU fd: the one device-attribute helper (vGIC, PMU, SMCCC
 * filter).  @val may be NULL for attributes that carry none.
 */
int vm_device_attr(struct vm *vm, int fd, unsigned long req, u32 group, u64 attr, void *val);

/* Tell the main thread something happened (first event wins; VM_EV_FATAL always does). */
void vm_post_event(struct vm *vm, enum vm_event ev);

/* lkvm's start to the first KVM_RUN, in µs (0 before it): --stats' startup-us. */
static inline u64 vm_startup_us(struct vm *vm)
{
	u64 first = atomic_load(&vm->stats.first_run_ns);

	return first ? (first - vm->stats.start_ns) / 1000 : 0;
}

/* The state a client of the control socket sees now. */
static inline enum ctl_state vm_state(struct vm *vm)
{
	switch (atomic_load(&vm->lifecycle)) {
	case VM_LIFE_SHUTTING_DOWN:
		return CTL_STATE_SHUTTING_DOWN;
	case VM_LIFE_REBOOTING:
		return CTL_STATE_REBOOTING;
	default:
		break;
	}
	if (atomic_load(&vm->paused))
		return CTL_STATE_PAUSED;
	return atomic_load(&vm->nr_suspended) > 0 ? CTL_STATE_SUSPENDED : CTL_STATE_RUNNING;
}
/* Record @ev (on vCPU @cpu, -1: none; @arg: an SDEI event) for the listeners, if any. */
void vm_note(struct vm *vm, enum ctl_event ev, int cpu, u32 arg);
/*
 * Copy the notes from sequence number *@next on into @out (at most @max),
 * and advance *@next.  Notes already overwritten are counted in *@lost.
 */
int vm_notes_read(struct vm *vm, u64 *next, struct vm_note *out, int max, u64 *lost);
/* The sequence number the next note will get. */
u64 vm_notes_next(struct vm *vm);

/* Raise / lower a GIC SPI (INTID - 32). */
void vm_set_spi(void *vm, u32 spi, bool level);
/*
 * An edge irq_pin on the next free SPI, for a virtio device: pulsed with
 * KVM_IRQ_LINE until an irqfd takes it over (virtio-kvm.c).
 */
struct irq_pin vm_alloc_irq(struct vm *vm);
/* Route eventfd @fd to SPI @spi (KVM_IRQFD): a write is one edge.  Once the vGIC is ready. */
int vm_irqfd(struct vm *vm, u32 spi, int fd);
/* A guest write of @datamatch to @addr (@len bytes) signals @fd, with no exit (KVM_IOEVENTFD). */
int vm_ioeventfd(struct vm *vm, u64 addr, u32 len, u64 datamatch, int fd);
u64 vm_alloc_virtio_window(struct vm *vm);

#endif
