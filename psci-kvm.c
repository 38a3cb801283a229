// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI system events from KVM: power-off, hibernation (SYSTEM_OFF2), reset
 * (reboot in place) and SYSTEM_SUSPEND with WFI-style suspend via MP_STATE.
 * Decisions come from psci.c; this file reads registers and applies them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/psci-kvm.h"
#include "lkvm/snapshot.h"
#include "lkvm/psci.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/smccc-kvm.h"
#include "lkvm/vcpu.h"

/* A PSCI call's return code, in x0 like any SMCCC result. */
static void set_x0(struct vcpu *v, s64 ret)
{
	u64 x0 = (u64)ret;

	smccc_kvm_set_regs(v, &x0, 1);
}

/*
 * SYSTEM_SUSPEND: KVM has done nothing yet; x0..x2 hold the call.  Either
 * answer with an error in x0, or park the caller in MP_STATE SUSPENDED so KVM
 * waits for a wake-up inside KVM_RUN exactly like WFI.
 */
static void system_suspend(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct psci_suspend_req req;
	u64 fid, x1, x2, sctlr;
	u32 *states, boot = atomic_load(&vm->boot_gen);
	int n = 0, ret;

	if (vcpu_get_reg(v, REG_X(0), &fid) < 0 || vcpu_get_reg(v, REG_X(1), &x1) < 0 ||
	    vcpu_get_reg(v, REG_X(2), &x2) < 0) {
		pr_err("vCPU %d: reading SYSTEM_SUSPEND's arguments: %s", v->id, strerror(errno));
		set_x0(v, PSCI_E_INTERNAL_FAILURE);
		return;
	}
	req = psci_suspend_decode(fid, x1, x2);
	ret = psci_suspend_check_entry(&vm->mem, req.entry);
	if (ret) {
		pr_info("SYSTEM_SUSPEND from vCPU %d refused: entry 0x%llx is not in RAM", v->id,
			(unsigned long long)req.entry);
		set_x0(v, ret);
		return;
	}

	/* Nobody runs while we decide, so no vCPU can be switched on meanwhile. */
	vcpu_pause_all(vm, v);
	/*
	 * While we waited for the pause (counted as parked), a reboot in place
	 * may have run and re-initialised this vCPU: the call belongs to the
	 * old boot, and its registers to the new one.  Leave them alone.
	 */
	if (atomic_load(&vm->boot_gen) != boot) {
		vcpu_resume_all(vm, v);
		pr_info("SYSTEM_SUSPEND from vCPU %d dropped: the guest rebooted meanwhile", v->id);
		return;
	}
	states = xzalloc(sizeof(*states) * (size_t)vm->nr_vcpus);
	for (int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i] == v)
			continue;
		if (vcpu_get_mp_state(vm->vcpus[i], &states[n++]) < 0)
			states[n - 1] = MP_STATE_RUNNABLE;
	}
	ret = psci_suspend_check_others(states, n);
	free(states);
	if (!ret && vcpu_get_reg(v, REG_SCTLR_EL1, &sctlr) < 0)
		ret = PSCI_E_INTERNAL_FAILURE;
	if (!ret && vcpu_set_mp_state(v, MP_STATE_SUSPENDED) < 0)
		ret = PSCI_E_INTERNAL_FAILURE;
	if (!ret) {
		v->suspended = true;
		atomic_fetch_add(&vm->nr_suspended, 1);
		v->resume_entry = req.entry;
		v->resume_context = req.context;
		v->resume_be = sctlr & SCTLR_EL1_EE;
	}
	vcpu_resume_all(vm, v);

	if (ret) {
		pr_info("SYSTEM_SUSPEND from vCPU %d refused (%d): %s", v->id, ret,
			ret == PSCI_E_DENIED ? "another vCPU is on" : "lkvm could not suspend it");
		set_x0(v, ret);
		return;
	}
	sdei_kvm_set_power(v, false);
	atomic_fetch_add(&vm->stats.suspends, 1);
	vm_note(vm, CTL_EV_SUSPEND, v->id, 0);
	pr_info("guest suspended (SYSTEM_SUSPEND on vCPU %d, resume at 0x%llx)", v->id,
		(unsigned long long)req.entry);
}

/* A wake-up for a suspended vCPU: it resumes at its entry point, as after CPU_ON. */
static void wakeup(struct vcpu *v)
{
	u64 sctlr;

	if (!v->suspended) {
		pr_warn("vCPU %d: wake-up without a suspend", v->id);
		if (vcpu_set_mp_state(v, MP_STATE_RUNNABLE) < 0)
			vcpu_fatal(v, "making it runnable: %s", strerror(errno));
		return;
	}
	if (arch_vcpu_reset_to(v, v->resume_entry, v->resume_context) < 0) {
		vcpu_fatal(v, "resuming from SYSTEM_SUSPEND: %s", strerror(errno));
		return;
	}
	if (v->resume_be && (vcpu_get_reg(v, REG_SCTLR_EL1, &sctlr) < 0 ||
			     vcpu_set_reg(v, REG_SCTLR_EL1, sctlr | SCTLR_EL1_EE) < 0)) {
		vcpu_fatal(v, "restoring big-endian data accesses: %s", strerror(errno));
		return;
	}
	v->suspended = false;
	atomic_fetch_sub(&v->vm->nr_suspended, 1);
	sdei_kvm_set_power(v, true);
	atomic_fetch_add(&v->vm->stats.resumes, 1);
	vm_note(v->vm, CTL_EV_WAKEUP, v->id, 0);
	pr_info("guest resumed (vCPU %d at 0x%llx)", v->id, (unsigned long long)v->resume_entry);
}

void psci_kvm_wake(struct vcpu *v)
{
	if (!v->suspended)
		return;
	pr_info("vCPU %d: woken from SYSTEM_SUSPEND by the host (lkvm wake)", v->id);
	wakeup(v);
}

bool psci_kvm_system_event(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	u32 ndata = run->system_event.ndata;
	const u64 *data = (const u64 *)run->system_event.data;

	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		/* KVM has already stopped every vCPU. */
		vm_post_event(v->vm, psci_shutdown_is_hibernate(ndata, data) ? VM_EV_HIBERNATE
									      : VM_EV_POWEROFF);
		return true;
	case KVM_SYSTEM_EVENT_RESET:
		v->vm->reset_type = ~0ULL;
		if (psci_reset_is_reset2(ndata, data) &&
		    vcpu_get_reg(v, REG_X(1), &v->vm->reset_type) < 0)
			v->vm->reset_type = 0;
		vm_post_event(v->vm, VM_EV_RESET);
		return true;
	case KVM_SYSTEM_EVENT_SUSPEND:
		system_suspend(v);
		return true;
	case KVM_SYSTEM_EVENT_WAKEUP:
		wakeup(v);
		return true;
	default:
		vcpu_fatal(v, "unknown system event %u", run->system_event.type);
		return false;
	}
}

void psci_kvm_reset(struct vm *vm)
{
	for (int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->suspended = false;
	atomic_store(&vm->nr_suspended, 0);
}

void psci_kvm_save(struct vcpu *v, struct snap_w *w)
{
	snapshot_put_u8(w, v->suspended);
	snapshot_put_u8(w, v->resume_be);
	snapshot_put_u64(w, v->resume_entry);
	snapshot_put_u64(w, v->resume_context);
}

int psci_kvm_load(struct vcpu *v, struct snap_r *r, u32 mp_state)
{
	bool suspended = snapshot_get_bool(r);

	v->resume_be = snapshot_get_bool(r);
	v->resume_entry = snapshot_get_u64(r);
	v->resume_context = snapshot_get_u64(r);
	/* KVM holds a suspended vCPU in MP_STATE SUSPENDED: the two go together. */
	if (r->bad || suspended != (mp_state == MP_STATE_SUSPENDED) ||
	    (suspended && !gmem_contains(&v->vm->mem, v->resume_entry, 4)))
		return -1;
	if (suspended && !v->suspended)
		atomic_fetch_add(&v->vm->nr_suspended, 1);
	v->suspended = suspended;
	return 0;
}
