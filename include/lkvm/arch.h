/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARCH_H
#define LKVM_ARCH_H

#include "lkvm/util.h"

struct snap_r;
struct snap_w;
struct vcpu;
struct vm;

/*
 * The arm64 hooks (arm/arch-*.c), called from above: the lifecycle and the
 * handlers.  Each reports its own failure once and returns -1, except
 * arch_vcpu_reset_to(), which runs on a vCPU thread whose caller reports.
 */

/* arch-vm.c: host capabilities, vCPU target and features, the GIC (before the vCPUs). */
int arch_vm_setup(struct vm *vm);
/* arch-vm.c: after every vCPU is initialised: GIC init, PMU, PSCI version, SYSTEM_SUSPEND. */
int arch_vm_late_init(struct vm *vm);

/*
 * arch-vm.c, snapshots: the vCPU features, SVE lengths, MTE, ITS and PV
 * time of the VM (load checks they match this VM's, naming the first
 * that does not, and puts the stolen-time records back); the MTE tags of
 * guest RAM (load: after RAM is in place).  Each fills @why on failure.
 * load_vls() reads only the SVE lengths and MTE, before the VM exists.
 */
int arch_vm_save(struct vm *vm, struct snap_w *w, char *why, size_t len);
int arch_vm_load_vls(struct snap_r *r, u64 vls[8], bool *mte);
int arch_vm_load(struct vm *vm, struct snap_r *r, char *why, size_t len);
int arch_vm_save_tags(struct vm *vm, const u64 *in_use, struct snap_w *w, char *why, size_t len);
int arch_vm_load_tags(struct vm *vm, struct snap_r *r, char *why, size_t len);

/* arch-vcpu.c: every vCPU's first init (secondaries powered off), finalize, MPIDR. */
int arch_vcpu_init_all(struct vm *vm);
/* arch-vcpu.c: KVM_ARM_VCPU_INIT again with the VM's features; never finalises twice. */
int arch_vcpu_init(struct vcpu *v, bool powered_off);
/*
 * arch-vcpu.c: a synchronous external abort for the data access the vCPU
 * just exited on (KVM_EXIT_MMIO or KVM_EXIT_ARM_NISV); -1, errno set.
 */
int arch_vcpu_inject_dabt(struct vcpu *v);
/*
 * arch-vcpu.c, snapshots: every register KVM_GET_REG_LIST names, saved
 * without interpretation, with the vCPU's MP state and pending SError.
 * Load writes them back after INIT and finalisation, in the list's order,
 * except SVE_VLS (set before finalising, from vm->restore_vls) and the
 * counters, left in @counters ([0] virtual, [1] physical) for the very
 * end; *@mp_state is the MP state it set.  Both fill @why (one line: the register, the two values) on failure.
 */
int arch_vcpu_save(struct vcpu *v, struct snap_w *w, char *why, size_t len);
int arch_vcpu_load(struct vcpu *v, struct snap_r *r, u64 *counters, u32 *mp_state, char *why,
		   size_t len);
/* arch-vcpu.c: PSCI reset state: PC = @entry, x0 = @context, EL1h DAIF masked, MMU off. */
int arch_vcpu_reset_to(struct vcpu *v, u64 entry, u64 context);

/*
 * arch-gic.c: the in-kernel GICv3 and, with --irqchip gicv3-its, its ITS:
 * create and place them (before the vCPUs), initialise them.
 */
int arch_gic_create(struct vm *vm);
int arch_gic_init(struct vm *vm);
/* arch-gic.c: record the vGIC's power-on state (before the first run); put it back (reboot). */
int arch_gic_snapshot(struct vm *vm);
int arch_gic_restore(struct vm *vm);
/*
 * arch-gic.c, snapshots: save_tables() has KVM write the LPI pending bits
 * and the ITS tables to guest RAM (before RAM is saved); save() and load()
 * the distributor, redistributors, CPU interfaces, line levels and ITS, in
 * the order a restore must write them.  Load runs with guest RAM in place.
 */
int arch_gic_save_tables(struct vm *vm, char *why, size_t len);
int arch_gic_save(struct vm *vm, struct snap_w *w, char *why, size_t len);
int arch_gic_load(struct vm *vm, struct snap_r *r, char *why, size_t len);
/* arch-gic.c: guest-physical base of the GIC redistributors (below the distributor). */
u64 arch_gic_redist_base(const struct vm *vm);
/* arch-gic.c: guest-physical base of the ITS frame (below the redistributors). */
u64 arch_gic_its_base(const struct vm *vm);

#endif
