/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CPU_H
#define LKVM_CPU_H

#include <pthread.h>
#include <stdatomic.h>

#include "lkvm/kvm.h"
#include "lkvm/util.h"

struct kvm_run;

/* Requests other threads post to a vCPU; handled by its own thread (cpu.c). */
enum vcpu_request {
	VCPU_REQ_PAUSE = 1u << 0,	/* park outside KVM_RUN until resumed */
	VCPU_REQ_SDEI = 1u << 1,	/* an SDEI event may be deliverable here */
	VCPU_REQ_STOP = 1u << 2,	/* leave the run loop for good */
};

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	u64 mpidr;

	atomic_uint requests;
	/* Under vm->pause_lock: */
	bool paused;		/* parked at its safe point */
	bool thread_started, thread_done;
	bool exit_pending;	/* KVM finishes the last exit on the next KVM_RUN */

	/* PSCI SYSTEM_SUSPEND: where to resume, kept across signals until WAKEUP. */
	bool suspended;
	bool resume_be;
	bool sdei_off;		/* seen powered off by SDEI delivery (CPU_OFF is in KVM) */		/* the caller ran big-endian (SCTLR_EL1.EE) */
	u64 resume_entry, resume_context;
};

/*
 * Register access: the only way lkvm reads or writes guest registers.  Each is
 * one ONE_REG ioctl; the hypercall paths touch only what a call needs.
 */
int vcpu_get_reg(struct vcpu *v, u64 id, u64 *val);
int vcpu_set_reg(struct vcpu *v, u64 id, u64 val);
int vcpu_get_mp_state(struct vcpu *v, u32 *state);
int vcpu_set_mp_state(struct vcpu *v, u32 state);

/* Post a request and get the vCPU out of KVM_RUN so it sees it. */
void vcpu_request(struct vcpu *v, unsigned int req);

/*
 * The one pause-all mechanism.  vm_pause_all(vm, self) returns once every vCPU
 * other than @self (NULL from the main thread) is parked outside KVM_RUN; until
 * vm_resume_all() the caller may touch their registers, MP_STATE or re-init
 * them.  Two callers never hold it at once; a vCPU waiting for it counts as
 * parked, so two vCPUs asking at the same time do not deadlock.
 */
void vm_pause_all(struct vm *vm, struct vcpu *self);
void vm_resume_all(struct vm *vm, struct vcpu *self);

/* Create, initialise and finalise the vCPUs; start / stop their threads. */
int vcpus_create(struct vm *vm);
int vcpus_start(struct vm *vm);
void vcpus_stop(struct vm *vm);

/*
 * KVM_ARM_VCPU_INIT (again) with the VM's features; @powered_off for the
 * secondaries at boot and reboot.  Never finalises twice.
 */
int vcpu_arch_init(struct vcpu *v, bool powered_off);
/* PSCI reset state: PC = @entry, x0 = @context, EL1h DAIF masked, MMU off. */
int vcpu_arch_reset_to(struct vcpu *v, u64 entry, u64 context);

#endif
