// SPDX-License-Identifier: GPL-2.0
/* arm64 vCPUs: KVM_ARM_VCPU_INIT, SVE vector lengths and finalization, PSCI reset state. */
#include <errno.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/regs.h"
#include "lkvm/vcpu.h"

/* KVM_ARM_VCPU_INIT; -1 with errno set, nothing printed. */
static int vcpu_init(struct vcpu *v, bool powered_off)
{
	struct kvm_vcpu_init init = { .target = v->vm->vcpu_target };

	memcpy(init.features, v->vm->vcpu_features, sizeof(init.features));
	if (powered_off)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	return vm_ioctl(v->vm, v->fd, KVM_ARM_VCPU_INIT, &init);
}

int arch_vcpu_init(struct vcpu *v, bool powered_off)
{
	if (vcpu_init(v, powered_off) < 0) {
		pr_err("vCPU %d: KVM_ARM_VCPU_INIT: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The host's vector lengths up to the cap.  KVM wants exactly the host's set
 * below some maximum (no holes), so capping is the only choice to make.
 */
static int sve_set_lengths(struct vcpu *v)
{
	u64 vls[8];
	u32 max_vq = v->vm->opts->sve_max_vl / 128;
	bool any = false;

	if (!max_vq)
		return 0;
	if (vcpu_reg(v, REG_SVE_VLS, vls, false) < 0) {
		pr_err("vCPU %d: reading the SVE vector lengths: %s", v->id, strerror(errno));
		return -1;
	}
	for (u32 vq = 1; vq <= 512; vq++) {
		u64 bit = 1ULL << ((vq - 1) % 64);

		if (vq > max_vq)
			vls[(vq - 1) / 64] &= ~bit;
		else if (vls[(vq - 1) / 64] & bit)
			any = true;
	}
	if (!any) {
		pr_err("--sve-max-vl %u: the host has no SVE vector length that short",
		       v->vm->opts->sve_max_vl);
		return -1;
	}
	if (vcpu_reg(v, REG_SVE_VLS, vls, true) < 0) {
		pr_err("vCPU %d: setting the SVE vector lengths: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

static int vcpu_finalize(struct vcpu *v)
{
	int what = KVM_ARM_VCPU_SVE;

	if (!(v->vm->vcpu_features[0] & (1u << KVM_ARM_VCPU_SVE)))
		return 0;
	if (sve_set_lengths(v) < 0)
		return -1;
	if (vm_ioctl(v->vm, v->fd, KVM_ARM_VCPU_FINALIZE, &what) < 0) {
		pr_err("vCPU %d: KVM_ARM_VCPU_FINALIZE(SVE): %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

int arch_vcpu_init_all(struct vm *vm)
{
	/* Every vCPU exists before any is initialised (the GIC sizes itself then). */
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (arch_vcpu_init(v, i != 0) < 0 || vcpu_finalize(v) < 0)
			return -1;
		if (vcpu_get_reg(v, REG_MPIDR_EL1, &v->mpidr) < 0) {
			pr_err("vCPU %d: reading MPIDR_EL1: %s", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int arch_vcpu_inject_dabt(struct vcpu *v)
{
	struct kvm_vcpu_events ev = { .exception.ext_dabt_pending = 1 };

	return vm_ioctl(v->vm, v->fd, KVM_SET_VCPU_EVENTS, &ev);
}

int arch_vcpu_reset_to(struct vcpu *v, u64 entry, u64 context)
{
	/*
	 * INIT gives the architectural reset state: EL1h, DAIF masked, MMU and
	 * caches off.  With exactly the features of the vCPU's first INIT:
	 * kernels that compare the POWER_OFF bit on a second INIT refuse a
	 * secondary's without it, so the secondary comes back off and is made
	 * runnable by hand.
	 */
	if (vcpu_init(v, v->id != 0) < 0 || vcpu_set_reg(v, REG_PC, entry) < 0 ||
	    vcpu_set_reg(v, REG_X(0), context) < 0)
		return -1;
	return v->id != 0 ? vcpu_set_mp_state(v, KVM_MP_STATE_RUNNABLE) : 0;
}
