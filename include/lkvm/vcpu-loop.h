/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VCPU_LOOP_H
#define LKVM_VCPU_LOOP_H

struct vm;

/*
 * Start every vCPU's thread on the run loop: requests at the safe point,
 * KVM_RUN, and one switch over the exit reasons that hands each exit to its
 * handler (MMIO bus, PSCI system events, SMCCC router).
 */
int vcpu_loop_start(struct vm *vm);

#endif
