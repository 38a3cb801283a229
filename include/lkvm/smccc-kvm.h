/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SMCCC_KVM_H
#define LKVM_SMCCC_KVM_H

#include "lkvm/util.h"

struct vcpu;
struct vm;

/*
 * A userspace SMCCC service.  @fid is the function id (x0); the call's
 * arguments are read with smccc_kvm_get_args() and its results written with
 * smccc_kvm_set_regs(), only as many as the call uses.  False: the service
 * defines no such function, and the router answers NOT_SUPPORTED.
 */
typedef bool smccc_kvm_handler(struct vcpu *v, u32 fid, void *ctx);

/*
 * Have KVM forward [base, base + nr) to @fn, on both conduits, through
 * KVM's SMCCC filter (before the first KVM_RUN).  -1 when this host cannot
 * forward it (no SMCCC filter: Linux < 6.4) or the range is taken; nothing
 * is printed, the caller says what it means.
 */
int smccc_kvm_claim(struct vm *vm, u32 base, u32 nr, smccc_kvm_handler *fn, void *ctx);

/*
 * KVM_EXIT_HYPERCALL on @v's thread: the PC is already past the HVC or SMC.
 * Calls the range's handler; NOT_SUPPORTED for an id nobody claimed or its
 * handler does not define.
 */
void smccc_kvm_hypercall(struct vcpu *v);

/* x1..x@n of the call, narrowed to 32 bits for an SMC32/HVC32 id. */
int smccc_kvm_get_args(struct vcpu *v, u32 fid, u64 *args, int n);
/* Write x0..x(@n - 1) (results, or a saved context); a refusal fails the vCPU. */
int smccc_kvm_set_regs(struct vcpu *v, const u64 *regs, int n);

#endif
