// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI glue between KVM's SMCCC filter and the dispatcher in sdei.c.
 *
 * KVM forwards 0xC4000020..0xC400003F to us as KVM_EXIT_HYPERCALL with the PC
 * already past the HVC/SMC and no arguments filled in: each call reads only
 * the argument registers it uses and writes only its results.  Delivery runs
 * on the target vCPU's own thread (VCPU_REQ_SDEI), never on another's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/cpu.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/psci.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/sdei.h"

int sdei_kvm_setup(struct vm *vm)
{
	u64 *mpidrs;

	vm->sdei = NULL;
	if (vm->opts->no_sdei)
		return 0;
	if (arch_sdei_filter_install(vm) < 0) {
		pr_warn("SDEI unavailable: this host's KVM cannot forward SDEI calls "
			"(SMCCC filter, Linux 6.4+); the guest gets no SDEI");
		return 0;
	}
	mpidrs = xzalloc(sizeof(*mpidrs) * (size_t)vm->nr_vcpus);
	for (int i = 0; i < vm->nr_vcpus; i++)
		mpidrs[i] = vm->vcpus[i]->mpidr;
	vm->sdei = sdei_create(vm->nr_vcpus, mpidrs);
	free(mpidrs);
	/* Each PE is listed at most once, so one slot per vCPU is always enough. */
	vm->sdei_kick = xzalloc(sizeof(*vm->sdei_kick) * (size_t)vm->nr_vcpus);
	pthread_mutex_init(&vm->sdei_lock, NULL);
	if (!vm->sdei) {
		pr_err("cannot set up the SDEI dispatcher");
		return -1;
	}
	return 0;
}

/*
 * With sdei_lock held: get every PE that may now dispatch out of KVM_RUN,
 * except @self, which takes its event before it re-enters.
 */
static void kick_pes(struct vm *vm, struct vcpu *self)
{
	int *pes = vm->sdei_kick;
	int n = sdei_pes_to_kick(vm->sdei, pes, vm->nr_vcpus);

	for (int i = 0; i < n; i++)
		if (pes[i] >= 0 && pes[i] < vm->nr_vcpus && vm->vcpus[pes[i]] != self)
			vcpu_request(vm->vcpus[pes[i]], VCPU_REQ_SDEI);
}

static int set_regs(struct vcpu *v, const u64 *x, int n)
{
	for (int i = 0; i < n; i++)
		if (vcpu_set_reg(v, REG_X(i), x[i]) < 0)
			return -1;
	return 0;
}

static void apply_result(struct vcpu *v, const struct sdei_result *res)
{
	int r = 0;

	switch (res->action) {
	case SDEI_ACT_RETURN:
		r = set_regs(v, res->regs, res->nr_regs);
		break;
	case SDEI_ACT_COMPLETE:
		r = set_regs(v, res->ctx.x, SDEI_SAVED_GPRS);
		r = r ?: vcpu_set_reg(v, REG_PC, res->ctx.pc);
		r = r ?: vcpu_set_reg(v, REG_PSTATE, res->ctx.pstate);
		break;
	case SDEI_ACT_RESUME:
		/* As if an IRQ had been taken at the interrupted instruction. */
		r = set_regs(v, res->ctx.x, SDEI_SAVED_GPRS);
		r = r ?: vcpu_set_reg(v, REG_ELR_EL1, res->elr_el1);
		r = r ?: vcpu_set_reg(v, REG_SPSR_EL1, res->spsr_el1);
		r = r ?: vcpu_set_reg(v, REG_PC, res->resume_pc);
		r = r ?: vcpu_set_reg(v, REG_PSTATE, res->resume_pstate);
		break;
	}
	if (r < 0) {
		pr_err("vCPU %d: writing SDEI results: %s", v->id, strerror(errno));
		vm_post_event(v->vm, VM_EV_FATAL);
	}
}

#define CTX_PC		BIT(SDEI_SAVED_GPRS)
#define CTX_PSTATE	BIT(SDEI_SAVED_GPRS + 1)
#define CTX_ALL		(CTX_PSTATE | CTX_PC | (BIT(SDEI_SAVED_GPRS) - 1))

static void deliver(struct vcpu *v, const struct sdei_ctx *known, u64 known_mask);

void sdei_kvm_hypercall(struct vcpu *v)
{
	struct vm *vm = v->vm;
	u32 fid = (u32)v->run->hypercall.nr;
	struct sdei_result res;
	u64 args[6] = { 0 };
	int nargs;

	if (!vm->sdei || !sdei_is_call(fid)) {
		vcpu_set_reg(v, REG_X(0), (u64)(s64)SDEI_RET_NOT_SUPPORTED);
		return;
	}
	atomic_fetch_add_explicit(&vm->stats.sdei_calls, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&vm->stats.sdei_fn[fid - SDEI_FN_RANGE_BASE], 1,
				  memory_order_relaxed);
	nargs = sdei_call_nr_args(fid);
	for (int i = 0; i < nargs; i++)
		if (vcpu_get_reg(v, REG_X(i + 1), &args[i]) < 0) {
			vcpu_set_reg(v, REG_X(0), (u64)(s64)SDEI_RET_INVALID_PARAMETERS);
			return;
		}

	pthread_mutex_lock(&vm->sdei_lock);
	/* Only a running PE can make a call: it is back from any CPU_OFF. */
	if (v->sdei_off) {
		sdei_pe_set_power(vm->sdei, v->id, SDEI_PE_ON);
		v->sdei_off = false;
	}
	sdei_call(vm->sdei, v->id, fid, args, &res);
	if (res.kick)
		kick_pes(vm, v);
	pthread_mutex_unlock(&vm->sdei_lock);

	apply_result(v, &res);
	/*
	 * The next pending event for this PE, if any, goes in before the guest
	 * runs; after a COMPLETE the registers just written are its context.
	 */
	if (res.kick) {
		struct sdei_ctx now = res.ctx;
		u64 known = CTX_ALL;

		if (res.action == SDEI_ACT_RESUME) {
			now.pc = res.resume_pc;
			now.pstate = res.resume_pstate;
		} else if (res.action == SDEI_ACT_RETURN) {
			/* x0 is the result just written, x1.. the arguments just read. */
			now.x[0] = res.regs[0];
			for (int i = 0; i < nargs; i++)
				now.x[i + 1] = args[i];
			known = BIT(nargs + 1) - 1;
		}
		deliver(v, &now, known);
	}
}

/*
 * Enter every handler that should run on @v now.  @known holds the parts of
 * @v's current context (@known_mask) the caller just read or wrote, after a
 * call of @v's own, so they need not be read back; after entering a handler
 * its whole context is known, which is what a critical event nesting on it
 * interrupts.  A call of @v's own also proves it is running.
 */
static void deliver(struct vcpu *v, const struct sdei_ctx *known, u64 known_mask)
{
	struct vm *vm = v->vm;
	struct sdei_dispatch d;
	struct sdei_ctx ctx;
	bool checked_power = known != NULL;
	u32 mp;
	int r = 0;

	if (known)
		ctx = *known;
	for (int nest = 0; nest < 2; nest++) {
		bool go;

		pthread_mutex_lock(&vm->sdei_lock);
		go = sdei_next_dispatch(vm->sdei, v->id, &d);
		pthread_mutex_unlock(&vm->sdei_lock);
		if (!go)
			return;

		/* CPU_OFF is handled inside KVM, so a powered-off PE is only seen here. */
		if (!checked_power) {
			if (vcpu_get_mp_state(v, &mp) < 0 || mp == MP_STATE_STOPPED) {
				pthread_mutex_lock(&vm->sdei_lock);
				sdei_pe_set_power(vm->sdei, v->id, SDEI_PE_OFF);
				pthread_mutex_unlock(&vm->sdei_lock);
				v->sdei_off = true;
				return;
			}
			if (mp == MP_STATE_SUSPENDED)
				return;
			checked_power = true;
		}
		if (known_mask != CTX_ALL) {
			for (int i = 0; i < SDEI_SAVED_GPRS && !r; i++)
				if (!(known_mask & BIT(i)))
					r = vcpu_get_reg(v, REG_X(i), &ctx.x[i]);
			if (!r && !(known_mask & CTX_PC))
				r = vcpu_get_reg(v, REG_PC, &ctx.pc);
			if (!r && !(known_mask & CTX_PSTATE))
				r = vcpu_get_reg(v, REG_PSTATE, &ctx.pstate);
			if (r < 0) {
				pr_err("vCPU %d: reading the context for SDEI: %s", v->id,
				       strerror(errno));
				return;
			}
		}
		pthread_mutex_lock(&vm->sdei_lock);
		go = sdei_dispatch_commit(vm->sdei, v->id, &d, &ctx);
		pthread_mutex_unlock(&vm->sdei_lock);
		if (!go)
			return;
		r = set_regs(v, d.x, 4);
		r = r ?: vcpu_set_reg(v, REG_PC, d.pc);
		r = r ?: vcpu_set_reg(v, REG_PSTATE, d.pstate);
		if (r < 0) {
			pr_err("vCPU %d: entering the SDEI handler: %s", v->id, strerror(errno));
			vm_post_event(vm, VM_EV_FATAL);
			return;
		}
		atomic_fetch_add_explicit(&vm->stats.sdei_deliveries, 1, memory_order_relaxed);
		pr_debug("vCPU %d: SDEI event %u delivered", v->id, d.event);
		/* What a nested (critical) dispatch would interrupt: the handler's entry. */
		memcpy(ctx.x, d.x, sizeof(d.x));
		ctx.pc = d.pc;
		ctx.pstate = d.pstate;
		known_mask = CTX_ALL;
	}
}

void sdei_kvm_deliver(struct vcpu *v)
{
	if (v->vm->sdei)
		deliver(v, NULL, 0);
}

int sdei_kvm_raise(struct vm *vm, u32 event, int target_pe)
{
	enum sdei_raise_result r;

	if (!vm->sdei)
		return -1;
	pthread_mutex_lock(&vm->sdei_lock);
	r = sdei_raise(vm->sdei, event, target_pe);
	/* No vCPU is skipped: even a raising one takes it through its own request. */
	if (r == SDEI_RAISE_PENDING)
		kick_pes(vm, NULL);
	pthread_mutex_unlock(&vm->sdei_lock);
	return r == SDEI_RAISE_INVALID ? -1 : (int)r;
}

void sdei_kvm_set_power(struct vcpu *v, bool on)
{
	if (!v->vm->sdei)
		return;
	pthread_mutex_lock(&v->vm->sdei_lock);
	sdei_pe_set_power(v->vm->sdei, v->id, on ? SDEI_PE_ON : SDEI_PE_SUSPENDED);
	pthread_mutex_unlock(&v->vm->sdei_lock);
}

void sdei_kvm_reset(struct vm *vm)
{
	if (!vm->sdei)
		return;
	pthread_mutex_lock(&vm->sdei_lock);
	sdei_reset(vm->sdei);
	pthread_mutex_unlock(&vm->sdei_lock);
	for (int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->sdei_off = false;
}
