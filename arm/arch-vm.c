// SPDX-License-Identifier: GPL-2.0
/* arm64 VM setup: host capabilities, vCPU features, PMU, PSCI version, SYSTEM_SUSPEND. */
#include <errno.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/layout.h"
#include "lkvm/regs.h"
#include "lkvm/vcpu.h"

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

	if (vm_check_cap(vm, KVM_CAP_ARM_SVE) && !o->sve_off)
		vm->vcpu_features[0] |= 1u << KVM_ARM_VCPU_SVE;
	else if (o->sve_max_vl)
		pr_warn("--sve-max-vl: this host has no SVE; the guest gets none");

	if (vm_check_cap(vm, KVM_CAP_ARM_PTRAUTH_ADDRESS) &&
	    vm_check_cap(vm, KVM_CAP_ARM_PTRAUTH_GENERIC))
		vm->vcpu_features[0] |= (1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS) |
					(1u << KVM_ARM_VCPU_PTRAUTH_GENERIC);

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

int arch_vm_late_init(struct vm *vm)
{
	if (arch_gic_init(vm) < 0)
		return -1;
	if (vm->opts->pmu && pmu_init(vm) < 0)
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
