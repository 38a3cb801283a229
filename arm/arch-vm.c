// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 VM setup: host capabilities, vCPU features (AArch32, SVE, pointer
 * auth), MTE, PMU, PV time, PSCI version, SYSTEM_SUSPEND.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/layout.h"
#include "lkvm/regs.h"
#include "lkvm/snapshot-tags.h"
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
	vm->mte = true;
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
	vm->pvtime = vm_map_region(vm, LKVM_SLOT_PVTIME, LKVM_PVTIME_BASE, LKVM_PVTIME_SIZE,
				   "PV stolen-time area");
	if (!vm->pvtime)
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

/* ---- snapshot ------------------------------------------------------------------ */

static const char *const feature_names[] = {
	[KVM_ARM_VCPU_EL1_32BIT] = "EL1_32BIT (AArch32)",
	[KVM_ARM_VCPU_PSCI_0_2] = "PSCI_0_2",
	[KVM_ARM_VCPU_PMU_V3] = "PMU_V3",
	[KVM_ARM_VCPU_SVE] = "SVE",
	[KVM_ARM_VCPU_PTRAUTH_ADDRESS] = "PTRAUTH_ADDRESS",
	[KVM_ARM_VCPU_PTRAUTH_GENERIC] = "PTRAUTH_GENERIC",
};

int arch_vm_save(struct vm *vm, struct snap_w *w, char *why, size_t len)
{
	u64 vls[8] = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(vm->vcpu_features); i++)
		snapshot_put_u32(w, vm->vcpu_features[i]);
	if ((vm->vcpu_features[0] & (1u << KVM_ARM_VCPU_SVE)) &&
	    vcpu_reg(vm->vcpus[0], REG_SVE_VLS, vls, false) < 0) {
		snprintf(why, len, "reading SVE_VLS: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < 8; i++)
		snapshot_put_u64(w, vls[i]);
	snapshot_put_u8(w, vm->mte);
	snapshot_put_u8(w, vm->gic_its_fd >= 0);
	/* The stolen-time records: KVM adds to what the guest last saw. */
	snapshot_put_u8(w, vm->pvtime != NULL);
	if (vm->pvtime)
		snapshot_put(w, vm->pvtime, LKVM_PVTIME_SIZE);
	return 0;
}

int arch_vm_load_vls(struct snap_r *r, u64 vls[8], bool *mte)
{
	for (int i = 0; i < 7; i++)
		snapshot_get_u32(r);
	for (int i = 0; i < 8; i++)
		vls[i] = snapshot_get_u64(r);
	*mte = snapshot_get_bool(r);
	return r->bad ? -1 : 0;
}

int arch_vm_load(struct vm *vm, struct snap_r *r, char *why, size_t len)
{
	bool mte, its, pvtime;

	for (size_t i = 0; i < ARRAY_SIZE(vm->vcpu_features); i++) {
		u32 saved = snapshot_get_u32(r), have = vm->vcpu_features[i], diff = saved ^ have;

		if (!diff || r->bad)
			continue;
		for (u32 b = 0; b < 32; b++) {
			u32 bit = (u32)i * 32 + b;
			const char *name = bit < ARRAY_SIZE(feature_names) && feature_names[bit] ?
						   feature_names[bit] : "?";

			if (diff & (1u << b)) {
				snprintf(why, len, "vCPU feature %u (%s): the snapshot's guest %s it, "
					 "this host and configuration %s", bit, name,
					 saved & (1u << b) ? "has" : "lacks",
					 have & (1u << b) ? "give it" : "cannot give it");
				return -1;
			}
		}
	}
	for (int i = 0; i < 8; i++)
		snapshot_get_u64(r);
	mte = snapshot_get_bool(r);
	its = snapshot_get_bool(r);
	pvtime = snapshot_get_bool(r);
	if (!r->bad && mte != vm->mte) {
		snprintf(why, len, "MTE: the snapshot's guest %s it, this host %s",
			 mte ? "has" : "lacks", vm->mte ? "gives it" : "does not offer it");
		return -1;
	}
	if (!r->bad && its != (vm->gic_its_fd >= 0)) {
		snprintf(why, len, "GIC type: the snapshot's guest has a GICv3%s, this one%s",
			 its ? " with an ITS" : "", its ? " none" : " has an ITS");
		return -1;
	}
	if (!r->bad && pvtime != (vm->pvtime != NULL)) {
		snprintf(why, len, "PV stolen time: the snapshot's guest %s it, this host %s",
			 pvtime ? "has" : "lacks", vm->pvtime ? "gives it" : "does not offer it");
		return -1;
	}
	if (pvtime)
		snapshot_get(r, vm->pvtime, LKVM_PVTIME_SIZE);
	if (!snapshot_r_ok(r)) {
		snprintf(why, len, "its VM state is malformed");
		return -1;
	}
	return 0;
}

/* KVM_ARM_MTE_COPY_TAGS over [@gpa, +@size): one tag byte per 16 bytes of RAM. */
static int copy_tags(struct vm *vm, u64 gpa, u64 size, u8 *tags, bool to_guest)
{
	while (size) {
		u64 chunk = size < SZ_1G ? size : SZ_1G;
		struct kvm_arm_copy_mte_tags c = {
			.guest_ipa = gpa, .length = chunk, .addr = tags,
			.flags = to_guest ? KVM_ARM_TAGS_TO_GUEST : KVM_ARM_TAGS_FROM_GUEST,
		};
		int r = vm_ioctl(vm, vm->vm_fd, KVM_ARM_MTE_COPY_TAGS, &c);

		if (r <= 0) {
			if (!r)
				errno = EFAULT;
			return -1;
		}
		/* It may stop short: go on from there. */
		gpa += (u64)r;
		size -= (u64)r;
		tags += r / 16;
	}
	return 0;
}

int arch_vm_save_tags(struct vm *vm, const u64 *in_use, struct snap_w *w, char *why, size_t len)
{
	struct snapshot_tags t;
	int r = 0;

	/*
	 * Only the blocks that may hold data: asking KVM for the others' zero
	 * tags would fault in every page of the guest's RAM.
	 */
	snapshot_tags_init(&t, vm->mem.size);
	for (u64 off = 0; off < vm->mem.size; off += SNAPSHOT_TAGS_BLOCK)
		if (vm_ram_range_in_use(in_use, off, SNAPSHOT_TAGS_BLOCK))
			snapshot_tags_add_run(&t, off, SNAPSHOT_TAGS_BLOCK);
	for (u32 i = 0; i < t.nr_runs && !r; i++)
		r = copy_tags(vm, vm->mem.start + t.runs[i].off, t.runs[i].len,
			      t.tags + t.runs[i].off / 16, false);
	if (r < 0)
		snprintf(why, len, "reading the MTE tags: %s", strerror(errno));
	else if ((r = snapshot_tags_put(w, &t)) < 0)
		snprintf(why, len, "compressing the MTE tags failed");
	snapshot_tags_free(&t);
	return r;
}

int arch_vm_load_tags(struct vm *vm, struct snap_r *r, char *why, size_t len)
{
	u64 page = (u64)sysconf(_SC_PAGESIZE);
	struct snapshot_tags t;
	const char *twhy;
	int ret = 0;

	if (snapshot_tags_get(r, vm->mem.size, &t, &twhy) < 0) {
		snprintf(why, len, "%s", twhy);
		snapshot_tags_free(&t);
		return -1;
	}
	/*
	 * Only pages with a tag set: a fresh page's tags are zero already, and
	 * writing them would make every page of the guest's RAM resident.
	 * Runs are 64 KiB aligned: whole pages of any arm64 host.
	 */
	for (u32 i = 0; i < t.nr_runs && !ret; i++) {
		u64 off = t.runs[i].off, run_end = off + t.runs[i].len;

		while (off < run_end && !ret) {
			u64 end;

			if (snapshot_page_is_zero(t.tags + off / 16, page / 16)) {
				off += page;
				continue;
			}
			for (end = off + page;
			     end < run_end && !snapshot_page_is_zero(t.tags + end / 16, page / 16);)
				end += page;
			ret = copy_tags(vm, vm->mem.start + off, end - off, t.tags + off / 16, true);
			off = end;
		}
	}
	if (ret < 0)
		snprintf(why, len, "writing the MTE tags: %s", strerror(errno));
	snapshot_tags_free(&t);
	return ret;
}
