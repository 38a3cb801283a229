// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI glue.  Until the dispatcher is wired in (issue: SDEI 1.1), lkvm installs
 * no SMCCC filter, so KVM itself answers the SDEI range with NOT_SUPPORTED and
 * none of these run for a guest call.
 */
#include "lkvm/cpu.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"

int sdei_kvm_setup(struct vm *vm)
{
	vm->sdei = NULL;
	return 0;
}

void sdei_kvm_hypercall(struct vcpu *v)
{
	vcpu_set_reg(v, REG_X(0), (u64)-1);	/* SMCCC NOT_SUPPORTED */
}

void sdei_kvm_deliver(struct vcpu *v)
{
}

void sdei_kvm_reset(struct vm *vm)
{
}
