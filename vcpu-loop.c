// SPDX-License-Identifier: GPL-2.0
/*
 * The exit dispatcher: what each vCPU thread runs.  Everything a vCPU does
 * after KVM_RUN returns is chosen here, in one switch; the handlers below it
 * never call back up.
 */
#include <errno.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/psci-kvm.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/smccc-kvm.h"
#include "lkvm/vcpu-loop.h"
#include "lkvm/vcpu.h"

/*
 * A device access KVM could not decode: a guest bug (or a hostile guest), so
 * the guest gets what real hardware gives it, an external abort, and lkvm
 * goes on.  Rate-limited: a guest retrying for ever must not flood the log.
 */
static bool not_decodable(struct vcpu *v)
{
	u64 addr = v->run->arm_nisv.fault_ipa, pc = 0;

	if (log_level >= LOG_WARN)
		vcpu_get_reg(v, REG_PC, &pc);
	pr_warn_ratelimited(&v->rl_nisv, "vCPU %d: guest access to 0x%llx at PC 0x%llx: "
			    "instruction not decodable by KVM (no ISV, e.g. a load/store pair); "
			    "the guest gets an external abort", v->id, (unsigned long long)addr,
			    (unsigned long long)pc);
	if (arch_vcpu_inject_dabt(v) < 0) {
		vcpu_fatal(v, "injecting an external abort for the access to 0x%llx: %s",
			   (unsigned long long)addr, strerror(errno));
		return false;
	}
	return true;
}

/*
 * --debug-single-step: KVM stops after every guest instruction; say where.
 * The user asked for a line per instruction, so no limiter here.
 */
static bool single_step(struct vcpu *v)
{
	u64 pc = 0;

	if (vcpu_get_reg(v, REG_PC, &pc) < 0) {
		vcpu_fatal(v, "reading PC after a step: %s", strerror(errno));
		return false;
	}
	pr_debug("vCPU %d: step: PC 0x%llx ESR 0x%x", v->id, (unsigned long long)pc,
		 v->run->debug.arch.hsr);
	return true;
}

static bool start_single_step(struct vcpu *v)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};

	if (vm_ioctl(v->vm, v->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0) {
		vcpu_fatal(v, "--debug-single-step: KVM_SET_GUEST_DEBUG: %s", strerror(errno));
		return false;
	}
	return true;
}

/* False: this vCPU's thread stops (a fatal error was reported). */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vcpu_counters *c = &v->count;

	vm_count(&c->exits);
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		vm_count(&c->mmio_exits);
		device_bus_access(&v->vm->bus, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
				  run->mmio.is_write);
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		vm_count(&c->system_events);
		return psci_kvm_system_event(v);
	case KVM_EXIT_HYPERCALL:
		vm_count(&c->hypercall_exits);
		smccc_kvm_hypercall(v);
		return true;
	case KVM_EXIT_ARM_NISV:
		vm_count(&c->mmio_exits);
		return not_decodable(v);
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fatal(v, "KVM_RUN failed to enter the guest (reason 0x%llx)",
			   (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_DEBUG:
		return single_step(v);
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_fatal(v, "KVM internal error (suberror %u)", run->internal.suberror);
		return false;
	default:
		vcpu_fatal(v, "unexpected exit reason %u", run->exit_reason);
		return false;
	}
}

static void vcpu_loop(struct vcpu *v)
{
	if (v->vm->opts->single_step && !start_single_step(v))
		return;
	for (;;) {
		unsigned int req = vcpu_safe_point(v);
		int r;

		if (req & VCPU_REQ_STOP)
			return;
		if (req & VCPU_REQ_WAKE)
			psci_kvm_wake(v);
		if (req & VCPU_REQ_SDEI)
			sdei_kvm_deliver(v);
		r = vcpu_run(v);
		if (r < 0) {
			vcpu_fatal(v, "KVM_RUN: %s", strerror(errno));
			return;
		}
		if (!r)
			continue;
		pr_debug("vCPU %d: exit %u", v->id, v->run->exit_reason);
		if (!handle_exit(v))
			return;
	}
}

int vcpu_loop_start(struct vm *vm)
{
	return vcpu_start_all(vm, vcpu_loop);
}
