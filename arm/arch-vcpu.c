// SPDX-License-Identifier: GPL-2.0
/* arm64 vCPUs: KVM_ARM_VCPU_INIT, SVE vector lengths and finalization, PSCI reset state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/le.h"
#include "lkvm/reg-name.h"
#include "lkvm/regs.h"
#include "lkvm/snapshot.h"
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

/* The largest vector length in bits of a VLS bitmap; 0 for none. */
static u32 vls_max_bits(const u64 *vls)
{
	u32 max = 0;

	for (u32 vq = 1; vq <= 512; vq++)
		if (vls[(vq - 1) / 64] & (1ULL << ((vq - 1) % 64)))
			max = vq * 128;
	return max;
}

/*
 * A restore: exactly the snapshot's lengths, which this host (under the
 * restore's --sve-max-vl, if any) must have; KVM has the last word.
 */
static int sve_restore_lengths(struct vcpu *v)
{
	const u64 *want = v->vm->restore_vls;
	u32 cap = v->vm->restore_vl_cap;
	u64 host[8];
	bool subset = true;

	if (vcpu_reg(v, REG_SVE_VLS, host, false) < 0) {
		pr_err("vCPU %d: reading the SVE vector lengths: %s", v->id, strerror(errno));
		return -1;
	}
	for (u32 vq = 1; vq <= 512; vq++) {
		u64 bit = 1ULL << ((vq - 1) % 64);

		if (cap && vq * 128 > cap)
			host[(vq - 1) / 64] &= ~bit;
		if ((want[(vq - 1) / 64] & bit) && !(host[(vq - 1) / 64] & bit))
			subset = false;
	}
	if (!subset || vcpu_reg(v, REG_SVE_VLS, (void *)want, true) < 0) {
		pr_err("--restore '%s': SVE_VLS: the snapshot's vector lengths reach %u bits; "
		       "this host%s offers %u at most%s%s", v->vm->opts->restore,
		       vls_max_bits(want), cap ? " (--sve-max-vl)" : "",
		       vls_max_bits(host), subset ? ": " : "", subset ? strerror(errno) : "");
		return -1;
	}
	return 0;
}

static int vcpu_finalize(struct vcpu *v)
{
	int what = KVM_ARM_VCPU_SVE;

	if (!(v->vm->vcpu_features[0] & (1u << KVM_ARM_VCPU_SVE)))
		return 0;
	if ((v->vm->restore_vls ? sve_restore_lengths(v) : sve_set_lengths(v)) < 0)
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

/* ---- snapshot ------------------------------------------------------------------ */

/* What KVM lists for @v (GET_REG_LIST, called twice: the first says how many); NULL on error. */
static struct kvm_reg_list *reg_list(struct vcpu *v)
{
	struct kvm_reg_list probe = { .n = 0 }, *list;

	if (vm_ioctl(v->vm, v->fd, KVM_GET_REG_LIST, &probe) < 0 && errno != E2BIG)
		return NULL;
	list = xzalloc(sizeof(*list) + probe.n * sizeof(u64));
	list->n = probe.n;
	if (vm_ioctl(v->vm, v->fd, KVM_GET_REG_LIST, list) < 0) {
		free(list);
		return NULL;
	}
	return list;
}

int arch_vcpu_save(struct vcpu *v, struct snap_w *w, char *why, size_t len)
{
	struct kvm_vcpu_events ev = { 0 };
	struct kvm_reg_list *list = reg_list(v);
	u8 val[256];
	u32 mp;

	if (!list) {
		snprintf(why, len, "vCPU %d: KVM_GET_REG_LIST: %s", v->id, strerror(errno));
		return -1;
	}
	if (vcpu_get_mp_state(v, &mp) < 0 ||
	    (vm_check_cap(v->vm, KVM_CAP_VCPU_EVENTS) &&
	     vm_ioctl(v->vm, v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)) {
		snprintf(why, len, "vCPU %d: reading its MP state and events: %s", v->id,
			 strerror(errno));
		free(list);
		return -1;
	}
	snapshot_put_u32(w, mp);
	snapshot_put_u8(w, ev.exception.serror_pending);
	snapshot_put_u8(w, ev.exception.serror_has_esr);
	snapshot_put_u64(w, ev.exception.serror_esr);
	/* Every register KVM lists, as it gives them: nothing is interpreted here. */
	snapshot_put_u32(w, (u32)list->n);
	for (u64 i = 0; i < list->n; i++) {
		u64 id = list->reg[i];
		size_t n = reg_size(id);

		if (n > sizeof(val) || vcpu_reg(v, id, val, false) < 0) {
			char name[48];

			reg_name(id, name, sizeof(name));
			snprintf(why, len, "vCPU %d: reading %s: %s", v->id, name,
				 n > sizeof(val) ? "larger than any register lkvm knows" :
						   strerror(errno));
			free(list);
			return -1;
		}
		snapshot_put_u64(w, id);
		snapshot_put(w, val, n);
	}
	free(list);
	return 0;
}

static bool in_list(const struct kvm_reg_list *list, u64 id)
{
	for (u64 i = 0; i < list->n; i++)
		if (list->reg[i] == id)
			return true;
	return false;
}

/* Show a register's value: as a number up to 8 bytes, else its first 8 bytes and a size. */
static void show_val(const u8 *p, size_t n, char *buf, size_t len)
{
	u64 x = 0;

	for (size_t i = 0; i < n && i < 8; i++)
		x |= (u64)p[i] << (8 * i);
	if (n <= 8)
		snprintf(buf, len, "0x%llx", (unsigned long long)x);
	else
		snprintf(buf, len, "0x%llx... (%zu bytes)", (unsigned long long)x, n);
}

int arch_vcpu_load(struct vcpu *v, struct snap_r *r, u64 *counters, u32 *mp_state, char *why,
		   size_t len)
{
	struct kvm_vcpu_events ev = { 0 };
	struct kvm_reg_list *list = reg_list(v);
	u32 mp = snapshot_get_u32(r), nr;
	int ret = -1;

	ev.exception.serror_pending = snapshot_get_u8(r);
	ev.exception.serror_has_esr = snapshot_get_u8(r);
	ev.exception.serror_esr = snapshot_get_u64(r);
	nr = snapshot_get_u32(r);
	if (!list) {
		snprintf(why, len, "vCPU %d: KVM_GET_REG_LIST: %s", v->id, strerror(errno));
		return -1;
	}
	for (u32 i = 0; i < nr && !r->bad; i++) {
		u64 id = snapshot_get_u64(r);
		size_t n = reg_size(id);
		const u8 *val = snapshot_get_ptr(r, n);
		char name[48], a[48], b[48];
		u8 host[256];

		if (!val || n > sizeof(host))
			break;
		reg_name(id, name, sizeof(name));
		if (!in_list(list, id)) {
			show_val(val, n, a, sizeof(a));
			snprintf(why, len, "%s (id 0x%llx, %s in the snapshot): this host's KVM "
				 "does not have it", name, (unsigned long long)id, a);
			goto out;
		}
		/* Set before finalising; the counters last, just before the vCPUs run. */
		if (id == REG_SVE_VLS)
			continue;
		if (id == REG_TIMER_CNT || id == REG_PTIMER_CNT) {
			counters[id == REG_PTIMER_CNT] = le64_get(val);
			continue;
		}
		if (vcpu_reg(v, id, (void *)val, true) < 0) {
			int e = errno;

			show_val(val, n, a, sizeof(a));
			if (vcpu_reg(v, id, host, false) < 0)
				snprintf(b, sizeof(b), "unreadable");
			else
				show_val(host, n, b, sizeof(b));
			snprintf(why, len, "%s: this host refuses the snapshot's %s (its own: %s): %s",
				 name, a, b, strerror(e));
			goto out;
		}
	}
	if (r->bad || mp > KVM_MP_STATE_SUSPENDED || ev.exception.serror_pending > 1 ||
	    ev.exception.serror_has_esr > 1) {
		snprintf(why, len, "vCPU %d: its saved state is malformed", v->id);
		goto out;
	}
	if (ev.exception.serror_pending &&
	    vm_ioctl(v->vm, v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0) {
		snprintf(why, len, "vCPU %d: its pending SError: %s", v->id, strerror(errno));
		goto out;
	}
	if (vcpu_set_mp_state(v, mp) < 0) {
		snprintf(why, len, "vCPU %d: MP state %u: %s", v->id, mp, strerror(errno));
		goto out;
	}
	*mp_state = mp;
	ret = 0;
out:
	free(list);
	return ret;
}
