// SPDX-License-Identifier: GPL-2.0
/*
 * The SMCCC router: the function-id ranges userspace answers, the KVM SMCCC
 * filter built from them, and the dispatch of KVM_EXIT_HYPERCALL.
 *
 * KVM forwards a filtered call with nothing filled in but the function id:
 * each handler reads only the argument registers its call uses and writes
 * only its results, one ONE_REG ioctl each.  Both conduits arrive alike: KVM
 * has already stepped the PC past the instruction, for an HVC by taking the
 * exception and for an SMC (a trap, which would return to the SMC itself)
 * by advancing it before the exit, so no handler ever moves the PC.
 */
#include <errno.h>
#include <string.h>

#include "lkvm/kvm-compat.h"
#include "lkvm/regs.h"
#include "lkvm/smccc-kvm.h"
#include "lkvm/smccc.h"
#include "lkvm/vcpu.h"

struct smccc_kvm {
	struct smccc_table table;
	struct {
		smccc_kvm_handler *fn;
		void *ctx;
	} handlers[SMCCC_MAX_RANGES];
};

static int install_filter(struct vm *vm, u32 base, u32 nr)
{
	struct lkvm_smccc_filter f = {
		.base = base, .nr_functions = nr, .action = LKVM_SMCCC_FILTER_FWD_TO_USER,
	};

	if (vm_device_attr(vm, vm->vm_fd, KVM_HAS_DEVICE_ATTR, KVM_ARM_VM_SMCCC_CTRL,
			   KVM_ARM_VM_SMCCC_FILTER, &f) < 0)
		return -1;
	return vm_device_attr(vm, vm->vm_fd, KVM_SET_DEVICE_ATTR, KVM_ARM_VM_SMCCC_CTRL,
			      KVM_ARM_VM_SMCCC_FILTER, &f);
}

int smccc_kvm_claim(struct vm *vm, u32 base, u32 nr, smccc_kvm_handler *fn, void *ctx)
{
	struct smccc_kvm *s = vm->smccc;
	int slot;

	if (!s)
		s = vm->smccc = xzalloc(sizeof(*s));
	slot = s->table.nr;
	if (smccc_table_add(&s->table, base, nr, slot) < 0)
		return -1;
	/*
	 * Only claimed ranges get a filter: once any exists, KVM consults it
	 * on every hypercall, even the ones it answers itself.
	 */
	if (install_filter(vm, base, nr) < 0) {
		s->table.nr--;
		return -1;
	}
	s->handlers[slot].fn = fn;
	s->handlers[slot].ctx = ctx;
	return 0;
}

int smccc_kvm_get_args(struct vcpu *v, u32 fid, u64 *args, int n)
{
	for (int i = 0; i < n; i++)
		if (vcpu_get_reg(v, REG_X(i + 1), &args[i]) < 0) {
			vcpu_fatal(v, "reading x%d of SMCCC call 0x%x: %s", i + 1, fid,
				   strerror(errno));
			return -1;
		}
	smccc_narrow_args(fid, args, n);
	return 0;
}

int smccc_kvm_set_regs(struct vcpu *v, const u64 *regs, int n)
{
	for (int i = 0; i < n; i++)
		if (vcpu_set_reg(v, REG_X(i), regs[i]) < 0) {
			vcpu_fatal(v, "writing x%d of an SMCCC result: %s", i, strerror(errno));
			return -1;
		}
	return 0;
}

void smccc_kvm_hypercall(struct vcpu *v)
{
	struct smccc_kvm *s = v->vm->smccc;
	u32 fid = (u32)v->run->hypercall.nr;
	const struct smccc_range *r = s ? smccc_table_find(&s->table, fid) : NULL;
	u64 ret = (u64)(s64)SMCCC_RET_NOT_SUPPORTED;

	/* KVM forwards only what was claimed; anything else is absent. */
	if (!r || !s->handlers[r->owner].fn(v, fid, s->handlers[r->owner].ctx))
		smccc_kvm_set_regs(v, &ret, 1);
}
