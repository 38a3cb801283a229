// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 VM setup: host capabilities, vCPU features (AArch32, SVE, pointer
 * auth), MTE, PMU, PV time, PSCI version, SYSTEM_SUSPEND.
 */
#include <errno.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/layout.h"
#include "lkvm/regs.h"
#include "lkvm/vcpu.h"

/*
 * MTE, as kvmtool, whenever KVM offers it: only possible before any vCPU
 * exists, and then KVM keeps the tags of all guest memory (anonymous).
 */
static int enable_mte(struct vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_MTE };

	if (vm->opts->mte_off || !vm_check_cap(vm, KVM_CAP_ARM_MTE))
		return 0;
	if (vm_ioctl(vm, vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		pr_err("enabling MTE (KVM_CAP_ARM_MTE): %s (--disable-mte goes without)",
		       strerror(errno));
		return -1;
	}
	return 0;
}

int arch_vm_setup(struct vm *vm)
{
	struct kvm_vcpu_init init;
	struct run_opts *o = vm->opts;

	if (!vm_check_cap(vm, KVM_CAP_ARM_PSCI_0_2)) {
		pr_err("this host's KVM lacks PSCI 0.2, which lkvm needs");
		return -1;
	}
	if (vm_ioctl(vm, vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		pr_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -1;
	}
	vm->vcpu_target = init.target;
	memset(vm->vcpu_features, 0, sizeof(vm->vcpu_features));
	vm->vcpu_features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;

	if (o->aarch32) {
		/* SVE, pointer authentication and MTE are AArch64's; KVM refuses them here. */
		if (!vm_check_cap(vm, KVM_CAP_ARM_EL1_32BIT)) {
			pr_err("--aarch32: this host's CPUs cannot run a 32-bit EL1");
			return -1;
		}
		vm->vcpu_features[0] |= 1u << KVM_ARM_VCPU_EL1_32BIT;
	} else {
		if (vm_check_cap(vm, KVM_CAP_ARM_SVE) && !o->sve_off)
			vm->vcpu_features[0] |= 1u << KVM_ARM_VCPU_SVE;
		else if (o->sve_max_vl)
			pr_warn("--sve-max-vl: this host has no SVE; the guest gets none");

		if (vm_check_cap(vm, KVM_CAP_ARM_PTRAUTH_ADDRESS) &&
		    vm_check_cap(vm, KVM_CAP_ARM_PTRAUTH_GENERIC))
			vm->vcpu_features[0] |= (1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS) |
						(1u << KVM_ARM_VCPU_PTRAUTH_GENERIC);
		if (enable_mte(vm) < 0)
			return -1;
	}

	if (o->pmu) {
		if (!vm_check_cap(vm, KVM_CAP_ARM_PMU_V3)) {
			pr_err("--pmu: this host's KVM has no PMUv3 for guests");
			return -1;
		}
		vm->vcpu_features[0] |= 1u << KVM_ARM_VCPU_PMU_V3;
	}
	vm->has_system_suspend = vm_check_cap(vm, KVM_CAP_ARM_SYSTEM_SUSPEND);

	/*
	 * A device access KVM cannot decode (no ISV: a load/store pair, say)
	 * comes to lkvm as KVM_EXIT_ARM_NISV instead of failing KVM_RUN, and
	 * lkvm answers it as hardware would, with an external abort.
	 */
	if (vm_check_cap(vm, KVM_CAP_ARM_NISV_TO_USER) &&
	    vm_check_cap(vm, KVM_CAP_ARM_INJECT_EXT_DABT)) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };

		if (vm_ioctl(vm, vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
			pr_err("enabling KVM_CAP_ARM_NISV_TO_USER: %s", strerror(errno));
			return -1;
		}
	}
	return arch_gic_create(vm);
}

static int set_psci_version(struct vm *vm)
{
	u32 want = vm->opts->psci_version;
	u64 have;

	if (vcpu_get_reg(vm->vcpus[0], REG_PSCI_VERSION, &have) < 0) {
		pr_err("reading the PSCI version register: %s", strerror(errno));
		return -1;
	}
	if (!want)
		return 0;
	if (vcpu_set_reg(vm->vcpus[0], REG_PSCI_VERSION, want) < 0) {
		pr_err("--psci-version %u.%u: this host refuses it (it offers up to %llu.%llu): %s",
		       want >> 16, want & 0xffff, (unsigned long long)(have >> 16),
		       (unsigned long long)(have & 0xffff), strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A vCPU with PMUv3 will not run until its overflow interrupt is chosen and
 * the PMU initialised, which needs the vGIC in place first.
 */
static int pmu_init(struct vm *vm)
{
	int irq = 16 + LKVM_PPI_PMU;	/* the PPI's INTID, as the DT says */

	for (int i = 0; i < vm->nr_vcpus; i++) {
		int fd = vm->vcpus[i]->fd;

		if (vm_device_attr(vm, fd, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PMU_V3_CTRL,
				   KVM_ARM_VCPU_PMU_V3_IRQ, &irq) < 0 ||
		    vm_device_attr(vm, fd, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PMU_V3_CTRL,
				   KVM_ARM_VCPU_PMU_V3_INIT, NULL) < 0) {
			pr_err("--pmu: setting up the vCPUs' PMU: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Without PV time the guest is not offered its calls at all (SMCCC
 * ARCH_FEATURES says NOT_SUPPORTED), rather than offered calls that then
 * find no record.  A host too old for the bitmap register offers them anyway.
 */
static int pvtime_hide(struct vm *vm)
{
	u64 bmap;

	if (vcpu_get_reg(vm->vcpus[0], REG_STD_HYP_BMAP, &bmap) < 0)
		return 0;
	bmap &= ~(1ULL << STD_HYP_BIT_PV_TIME);
	if (vcpu_set_reg(vm->vcpus[0], REG_STD_HYP_BMAP, bmap) < 0) {
		pr_err("withdrawing the PV_TIME calls (STD_HYP_BMAP): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * PV stolen time, as kvmtool: a 64 KiB area of its own outside RAM, 64 bytes
 * a vCPU, which KVM keeps up to date and tells the guest of through the
 * SMCCC PV_TIME calls.  It stays across reboots in place: KVM's INIT does not
 * forget it, and it holds nothing of the guest's.
 */
static int pvtime_init(struct vm *vm)
{
	u64 ipa;

	if (vm->opts->pvtime_off || !vm_check_cap(vm, KVM_CAP_STEAL_TIME) ||
	    vm_device_attr(vm, vm->vcpus[0]->fd, KVM_HAS_DEVICE_ATTR, KVM_ARM_VCPU_PVTIME_CTRL,
			   KVM_ARM_VCPU_PVTIME_IPA, NULL) < 0)
		return pvtime_hide(vm);
	if ((u64)vm->nr_vcpus * LKVM_PVTIME_STRIDE > LKVM_PVTIME_SIZE) {
		pr_info("no PV stolen time: more vCPUs than its area has room for");
		return pvtime_hide(vm);
	}
	if (!vm_map_region(vm, LKVM_SLOT_PVTIME, LKVM_PVTIME_BASE, LKVM_PVTIME_SIZE,
			   "PV stolen-time area"))
		return -1;
	for (int i = 0; i < vm->nr_vcpus; i++) {
		ipa = LKVM_PVTIME_BASE + (u64)i * LKVM_PVTIME_STRIDE;
		if (vm_device_attr(vm, vm->vcpus[i]->fd, KVM_SET_DEVICE_ATTR,
				   KVM_ARM_VCPU_PVTIME_CTRL, KVM_ARM_VCPU_PVTIME_IPA, &ipa) < 0) {
			pr_err("vCPU %d: placing its PV stolen-time record: %s", i,
			       strerror(errno));
			return -1;
		}
	}
	return 0;
}

int arch_vm_late_init(struct vm *vm)
{
	if (arch_gic_init(vm) < 0)
		return -1;
	if (vm->opts->pmu && pmu_init(vm) < 0)
		return -1;
	if (pvtime_init(vm) < 0)
		return -1;
	if (arch_gic_snapshot(vm) < 0 || set_psci_version(vm) < 0)
		return -1;
	if (vm->has_system_suspend && !vm->opts->no_system_suspend) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_SYSTEM_SUSPEND };

		if (vm_ioctl(vm, vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
			pr_err("enabling SYSTEM_SUSPEND: %s", strerror(errno));
			return -1;
		}
	} else {
		vm->has_system_suspend = false;
	}
	return 0;
}
