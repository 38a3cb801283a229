/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VCPU_H
#define LKVM_VCPU_H

#include <pthread.h>
#include <stdatomic.h>

#include "lkvm/util.h"
#include "lkvm/vm.h"

struct kvm_run;

/*
 * Requests other threads post to a vCPU.  The core handles PAUSE and STOP at
 * the vCPU's safe point; the others are handed to the vCPU loop above it.
 */
enum vcpu_request {
	VCPU_REQ_PAUSE = 1u << 0,	/* park outside KVM_RUN until resumed */
	VCPU_REQ_SDEI = 1u << 1,	/* an SDEI event may be deliverable here */
	VCPU_REQ_STOP = 1u << 2,	/* leave the run loop for good */
	VCPU_REQ_WAKE = 1u << 3,	/* the platform wakes it from SYSTEM_SUSPEND */
};

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	void (*loop)(struct vcpu *v);	/* what the thread runs */
	u64 mpidr;

	atomic_uint requests;
	struct vcpu_counters count;
	/* Under vm->pause_lock: */
	bool paused;		/* parked at its safe point */
	bool thread_started, thread_done;
	/* Under kick_lock: the thread exists and may be signalled. */
	pthread_mutex_t kick_lock;
	bool thread_running;
	bool exit_pending;	/* KVM finishes the last exit on the next KVM_RUN */

	/*
	 * Per-vCPU state of the handlers above, only ever touched on this
	 * vCPU's thread or with it paused.
	 */
	bool suspended;		/* PSCI SYSTEM_SUSPEND: parked until WAKEUP */
	bool resume_be;		/* the caller ran big-endian (SCTLR_EL1.EE) */
	u64 resume_entry, resume_context;
	bool sdei_off;		/* seen powered off by SDEI (CPU_OFF is in KVM); under its lock */
	atomic_bool sdei_power_check;	/* look at MP_STATE at the next SDEI request */
	struct ratelimit rl_nisv;	/* accesses KVM cannot decode */
	/* Set by the test device: fail instead of parking at the next pause. */
	atomic_bool test_fail_on_pause;
};

/*
 * The one register accessor: one ONE_REG ioctl of the register's own size
 * (@val points to that many bytes).  The hypercall paths touch only what a
 * call needs.  -1 with errno set on failure; the caller reports it.
 */
int vcpu_reg(struct vcpu *v, u64 id, void *val, bool write);

static inline int vcpu_get_reg(struct vcpu *v, u64 id, u64 *val)
{
	return vcpu_reg(v, id, val, false);
}

static inline int vcpu_set_reg(struct vcpu *v, u64 id, u64 val)
{
	return vcpu_reg(v, id, &val, true);
}

int vcpu_get_mp_state(struct vcpu *v, u32 *state);
int vcpu_set_mp_state(struct vcpu *v, u32 state);

/* Post a request and get the vCPU out of KVM_RUN so it sees it. */
void vcpu_request(struct vcpu *v, unsigned int req);
/* Withdraw requests not yet handled (a reboot drops pending SDEI kicks). */
void vcpu_cancel_request(struct vcpu *v, unsigned int req);

/*
 * The one pause-all mechanism.  vcpu_pause_all(vm, self) returns once every
 * vCPU other than @self (NULL from the main thread) is parked outside
 * KVM_RUN; until vcpu_resume_all() the caller may touch their registers,
 * MP_STATE or re-init them.  Two callers never hold it at once; a vCPU
 * waiting for it counts as parked, so two vCPUs asking at the same time do
 * not deadlock.
 */
void vcpu_pause_all(struct vm *vm, struct vcpu *self);
void vcpu_resume_all(struct vm *vm, struct vcpu *self);

/*
 * On the vCPU's own thread, before each KVM_RUN: finish a pending MMIO exit
 * if anyone asked for anything, park while paused, and return the requests
 * left for the loop above (VCPU_REQ_STOP, VCPU_REQ_SDEI, VCPU_REQ_WAKE), cleared.  Nothing
 * asked (the common case) costs one load.
 */
unsigned int vcpu_safe_point_slow(struct vcpu *v);
static inline unsigned int vcpu_safe_point(struct vcpu *v)
{
	/* A request posted after this load makes the next KVM_RUN return at once. */
	return atomic_load_explicit(&v->requests, memory_order_relaxed) ? vcpu_safe_point_slow(v)
									    : 0;
}
/*
 * KVM_RUN once.  1: an exit to handle in v->run; 0: interrupted by a kick
 * (nothing to handle); -1: KVM_RUN failed (errno set).
 */
int vcpu_run(struct vcpu *v);
/* Every vCPU's counters added up, with the other threads' ioctls: what --stats shows. */
struct vcpu_totals {
	u64 exits, mmio_exits, hypercall_exits, system_events, ioctls;
};
void vcpu_totals(struct vm *vm, struct vcpu_totals *t);
/* Has @v's thread left its loop (a fatal error, or a stop)? */
bool vcpu_thread_done(struct vcpu *v);
/* A vCPU thread cannot go on: say why on stderr, and ask main to exit. */
void vcpu_fatal(struct vcpu *v, const char *fmt, ...) __printf(2, 3);

/* Create every vCPU's fd and kvm_run (not yet initialised: see arch.h). */
int vcpu_create_all(struct vm *vm);
/* One thread per vCPU, each running @loop(vcpu) with only the kick unblocked. */
int vcpu_start_all(struct vm *vm, void (*loop)(struct vcpu *v));
/*
 * Ask every vCPU thread to leave its loop, and join them.  @held: the caller
 * holds vcpu_pause_all() (the control socket's pause), which this ends.
 */
void vcpu_stop_all(struct vm *vm, bool held);

#endif
