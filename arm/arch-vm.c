// SPDX-License-Identifier: GPL-2.0
/* arm64 specifics: vCPU features, init/finalize (SVE), the vGICv3, firmware registers. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lkvm/arch.h"
#include "lkvm/cpu.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/layout.h"
#include "lkvm/regs.h"

#define NR_GIC_IRQS 128		/* 32 private + 96 SPIs, plenty for our devices */

static int gic_attr(struct vm *vm, u32 group, u64 attr, void *addr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (u64)(uintptr_t)addr };

	return kvm_ioctl(vm, vm->gic_fd, KVM_SET_DEVICE_ATTR, &a);
}

u64 arch_gic_redist_base(const struct vm *vm)
{
	return LKVM_GIC_DIST_BASE - (u64)vm->opts->nr_cpus * LKVM_GIC_REDIST_SIZE;
}

static int gic_create(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	u64 dist = LKVM_GIC_DIST_BASE, redist = arch_gic_redist_base(vm);

	if (redist < LKVM_VIRTIO_MMIO_BASE + SZ_1M) {
		pr_err("-c %d: too many vCPUs for the GIC redistributor space", vm->opts->nr_cpus);
		return -1;
	}
	if (kvm_ioctl(vm, vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		pr_err("cannot create a GICv3: %s", strerror(errno));
		return -1;
	}
	vm->gic_fd = (int)cd.fd;
	if (gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) < 0 ||
	    gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) < 0) {
		pr_err("cannot place the GICv3: %s", strerror(errno));
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
	if (kvm_ioctl(vm, vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
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
	return gic_create(vm);
}

int vcpu_arch_init(struct vcpu *v, bool powered_off)
{
	struct kvm_vcpu_init init = { .target = v->vm->vcpu_target };

	memcpy(init.features, v->vm->vcpu_features, sizeof(init.features));
	if (powered_off)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (kvm_ioctl(v->vm, v->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
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
	struct kvm_one_reg reg = { .id = KVM_REG_ARM64_SVE_VLS, .addr = (u64)(uintptr_t)vls };
	u32 max_vq = v->vm->opts->sve_max_vl / 128;
	bool any = false;

	if (!max_vq)
		return 0;
	if (kvm_ioctl(v->vm, v->fd, KVM_GET_ONE_REG, &reg) < 0) {
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
	if (kvm_ioctl(v->vm, v->fd, KVM_SET_ONE_REG, &reg) < 0) {
		pr_err("vCPU %d: setting the SVE vector lengths: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

int vcpu_arch_finalize(struct vcpu *v)
{
	int what = KVM_ARM_VCPU_SVE;

	if (!(v->vm->vcpu_features[0] & (1u << KVM_ARM_VCPU_SVE)))
		return 0;
	if (sve_set_lengths(v) < 0)
		return -1;
	if (kvm_ioctl(v->vm, v->fd, KVM_ARM_VCPU_FINALIZE, &what) < 0) {
		pr_err("vCPU %d: KVM_ARM_VCPU_FINALIZE(SVE): %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

int vcpu_arch_reset_to(struct vcpu *v, u64 entry, u64 context)
{
	/* INIT gives the architectural reset state: EL1h, DAIF masked, MMU and caches off. */
	if (vcpu_arch_init(v, false) < 0 || vcpu_set_reg(v, REG_PC, entry) < 0 ||
	    vcpu_set_reg(v, REG_X(0), context) < 0)
		return -1;
	return 0;
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

int arch_sdei_filter_install(struct vm *vm)
{
	struct lkvm_smccc_filter f = {
		.base = 0xc4000020, .nr_functions = 0x20, .action = LKVM_SMCCC_FILTER_FWD_TO_USER,
	};
	struct kvm_device_attr a = {
		.group = KVM_ARM_VM_SMCCC_CTRL, .attr = KVM_ARM_VM_SMCCC_FILTER,
		.addr = (u64)(uintptr_t)&f,
	};

	if (ioctl(vm->vm_fd, KVM_HAS_DEVICE_ATTR, &a) < 0)
		return -1;
	if (kvm_ioctl(vm, vm->vm_fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		pr_warn("installing the SMCCC filter for SDEI: %s", strerror(errno));
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
		struct kvm_device_attr a = {
			.group = KVM_ARM_VCPU_PMU_V3_CTRL, .attr = KVM_ARM_VCPU_PMU_V3_IRQ,
			.addr = (u64)(uintptr_t)&irq,
		};
		int fd = vm->vcpus[i]->fd;

		if (kvm_ioctl(vm, fd, KVM_SET_DEVICE_ATTR, &a) < 0)
			goto fail;
		a = (struct kvm_device_attr){
			.group = KVM_ARM_VCPU_PMU_V3_CTRL, .attr = KVM_ARM_VCPU_PMU_V3_INIT,
		};
		if (kvm_ioctl(vm, fd, KVM_SET_DEVICE_ATTR, &a) < 0)
			goto fail;
	}
	return 0;
fail:
	pr_err("--pmu: setting up the vCPUs' PMU: %s", strerror(errno));
	return -1;
}

int arch_vm_late_init(struct vm *vm)
{
	u32 nr_irqs = NR_GIC_IRQS;

	if (gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs) < 0 ||
	    gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL) < 0) {
		pr_err("cannot initialise the GICv3: %s", strerror(errno));
		return -1;
	}
	if (vm->opts->pmu && pmu_init(vm) < 0)
		return -1;
	if (arch_gic_snapshot(vm, nr_irqs) < 0 || set_psci_version(vm) < 0)
		return -1;
	if (vm->has_system_suspend && !vm->opts->no_system_suspend) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_SYSTEM_SUSPEND };

		if (kvm_ioctl(vm, vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
			pr_err("enabling SYSTEM_SUSPEND: %s", strerror(errno));
			return -1;
		}
	} else {
		vm->has_system_suspend = false;
	}
	return 0;
}
