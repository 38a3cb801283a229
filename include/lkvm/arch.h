/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARCH_H
#define LKVM_ARCH_H

#include "lkvm/kvm.h"

struct vcpu;

/* Host capabilities, vCPU target and features, the GIC (before the vCPUs). */
int arch_vm_setup(struct vm *vm);
/* After every vCPU exists: GIC init, PSCI version, SMCCC filter, SYSTEM_SUSPEND. */
int arch_vm_late_init(struct vm *vm);
/* Once per vCPU after its first init: SVE vector lengths, then finalize. */
int vcpu_arch_finalize(struct vcpu *v);
/* Install the SMCCC filter range that forwards SDEI calls to lkvm. */
int arch_sdei_filter_install(struct vm *vm);
/* Record the vGIC's power-on state (before the first run); put it back (reboot). */
int arch_gic_snapshot(struct vm *vm, u32 nr_irqs);
int arch_gic_restore(struct vm *vm);
/* Guest-physical base of the GIC redistributors (below the distributor). */
u64 arch_gic_redist_base(const struct vm *vm);

#endif
