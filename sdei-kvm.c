// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI glue between the SMCCC router and the dispatcher in sdei.c.
 *
 * SDEI claims its function range from the router (smccc-kvm.c), so KVM
 * forwards those calls to lkvm.  Each call reads only the argument registers
 * it uses and writes only its results.  Delivery runs on the target vCPU's
 * own thread (VCPU_REQ_SDEI), never on another's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/psci.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/sdei.h"
#include "lkvm/smccc-kvm.h"
#include "lkvm/snapshot.h"
#include "lkvm/vcpu.h"

struct sdei_kvm {
	struct sdei *d;		/* the dispatcher: called from every vCPU */
	pthread_mutex_t lock;	/* serialises every use of @d */
	int *kick;		/* nr_vcpus PEs to kick; under @lock */
};

static bool sdei_kvm_call(struct vcpu *v, u32 fid, void *ctx);

int sdei_kvm_setup(struct vm *vm)
{
	struct sdei_kvm *s;
	u64 *mpidrs;

	vm->sdei = NULL;
	if (vm->opts->no_sdei)
		return 0;
	s = xzalloc(sizeof(*s));
	if (smccc_kvm_claim(vm, SDEI_FN_RANGE_BASE, SDEI_FN_RANGE_NR, sdei_kvm_call, s) < 0) {
		free(s);
		pr_warn("SDEI unavailable: this host's KVM cannot forward SDEI calls "
			"(SMCCC filter, Linux 6.4+); the guest gets no SDEI");
		return 0;
	}
	mpidrs = xzalloc(sizeof(*mpidrs) * (size_t)vm->nr_vcpus);
	for (int i = 0; i < vm->nr_vcpus; i++)
		mpidrs[i] = vm->vcpus[i]->mpidr;
	s->d = sdei_create(vm->nr_vcpus, mpidrs);
	free(mpidrs);
	if (!s->d) {
		pr_err("cannot set up the SDEI dispatcher");
		return -1;
	}
	/* Each PE is listed at most once, so one slot per vCPU is always enough. */
	s->kick = xzalloc(sizeof(*s->kick) * (size_t)vm->nr_vcpus);
	pthread_mutex_init(&s->lock, NULL);
	vm->sdei = s;
	return 0;
}

/*
 * With s->lock held: get every PE that may now dispatch out of KVM_RUN,
 * except @self, which takes its event before it re-enters.
 */
static void kick_pes(struct vm *vm, struct vcpu *self)
{
	struct sdei_kvm *s = vm->sdei;
	int *pes = s->kick;
	int n = sdei_pes_to_kick(s->d, pes, vm->nr_vcpus);

	for (int i = 0; i < n; i++)
		if (pes[i] >= 0 && pes[i] < vm->nr_vcpus && vm->vcpus[pes[i]] != self)
			vcpu_request(vm->vcpus[pes[i]], VCPU_REQ_SDEI);
}

/* -1 once the vCPU has been failed (reported). */
static int apply_result(struct vcpu *v, const struct sdei_result *res)
{
	int r = 0;

	switch (res->action) {
	case SDEI_ACT_RETURN:
		return smccc_kvm_set_regs(v, res->regs, res->nr_regs);
	case SDEI_ACT_COMPLETE:
		if (smccc_kvm_set_regs(v, res->ctx.x, SDEI_SAVED_GPRS) < 0)
			return -1;
		r = vcpu_set_reg(v, REG_PC, res->ctx.pc);
		r = r ?: vcpu_set_reg(v, REG_PSTATE, res->ctx.pstate);
		break;
	case SDEI_ACT_RESUME:
		/* As if an IRQ had been taken at the interrupted instruction. */
		if (smccc_kvm_set_regs(v, res->ctx.x, SDEI_SAVED_GPRS) < 0)
			return -1;
		r = vcpu_set_reg(v, REG_ELR_EL1, res->elr_el1);
		r = r ?: vcpu_set_reg(v, REG_SPSR_EL1, res->spsr_el1);
		r = r ?: vcpu_set_reg(v, REG_PC, res->resume_pc);
		r = r ?: vcpu_set_reg(v, REG_PSTATE, res->resume_pstate);
		break;
	}
	if (r < 0)
		vcpu_fatal(v, "writing SDEI results: %s", strerror(errno));
	return r;
}

#define CTX_PC		BIT(SDEI_SAVED_GPRS)
#define CTX_PSTATE	BIT(SDEI_SAVED_GPRS + 1)
#define CTX_SCTLR	BIT(SDEI_SAVED_GPRS + 2)
#define CTX_ALL		(CTX_SCTLR | CTX_PSTATE | CTX_PC | (BIT(SDEI_SAVED_GPRS) - 1))

static bool deliver(struct vcpu *v, const struct sdei_ctx *known, u64 known_mask);

/* The router's handler for the SDEI range (SMC64 ids only, so no narrowing). */
static bool sdei_kvm_call(struct vcpu *v, u32 fid, void *ctx)
{
	struct sdei_kvm *s = ctx;
	struct vm *vm = v->vm;
	struct sdei_result res;
	u64 args[6] = { 0 };
	int nargs;

	if (!sdei_is_call(fid))
		return false;
	atomic_fetch_add_explicit(&vm->stats.sdei_calls, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&vm->stats.sdei_fn[fid - SDEI_FN_RANGE_BASE], 1,
				  memory_order_relaxed);
	nargs = sdei_call_nr_args(fid);
	if (smccc_kvm_get_args(v, fid, args, nargs) < 0)
		return true;

	pthread_mutex_lock(&s->lock);
	/* Only a running PE can make a call: it is back from any CPU_OFF. */
	if (v->sdei_off) {
		sdei_pe_set_power(s->d, v->id, SDEI_PE_ON);
		v->sdei_off = false;
	}
	sdei_call(s->d, v->id, fid, args, &res);
	if (res.kick)
		kick_pes(vm, v);
	pthread_mutex_unlock(&s->lock);

	/*
	 * The next pending event for this PE, if any, goes in before the guest
	 * runs; after a COMPLETE the registers just written are its context.
	 * A call's result is written only if no handler is entered: a handler's
	 * entry overwrites x0-x3, and the result lives on in the context it
	 * saved, which EVENT_COMPLETE puts back.
	 */
	if (res.kick && res.action == SDEI_ACT_RETURN) {
		struct sdei_ctx now = { .x[0] = res.regs[0] };

		/* x0 is the result, x1.. the arguments just read. */
		for (int i = 0; i < nargs; i++)
			now.x[i + 1] = args[i];
		if (deliver(v, &now, BIT(nargs + 1) - 1))
			return true;
	}
	if (apply_result(v, &res) < 0)
		return true;
	if (res.kick && res.action != SDEI_ACT_RETURN) {
		struct sdei_ctx now = res.ctx;

		if (res.action == SDEI_ACT_RESUME) {
			now.pc = res.resume_pc;
			now.pstate = res.resume_pstate;
		}
		deliver(v, &now, CTX_ALL);
	}
	return true;
}

/*
 * On @v's own thread (only it may ask KVM while it could be in KVM_RUN):
 * has the guest switched it off?  KVM handles CPU_OFF and CPU_ON without
 * telling lkvm, so this is how the dispatcher learns.  An off PE loses its
 * private events and running handlers, and what was to be delivered to it
 * goes to another PE (RM_ANY).  True: @v can take an event now; not when it
 * is off (or unreadable), nor in SYSTEM_SUSPEND (its wake-up re-checks).
 */
static bool power_check(struct vcpu *v)
{
	struct sdei_kvm *s = v->vm->sdei;
	u32 mp;

	if (vcpu_get_mp_state(v, &mp) == 0 && mp != MP_STATE_STOPPED)
		return mp != MP_STATE_SUSPENDED;
	pthread_mutex_lock(&s->lock);
	if (!v->sdei_off) {
		sdei_pe_set_power(s->d, v->id, SDEI_PE_OFF);
		v->sdei_off = true;
		kick_pes(v->vm, v);
	}
	pthread_mutex_unlock(&s->lock);
	return false;
}

/*
 * Enter every handler that should run on @v now.  @known holds the parts of
 * @v's current context (@known_mask) the caller just read or wrote, after a
 * call of @v's own, so they need not be read back; after entering a handler
 * its whole context is known, which is what a critical event nesting on it
 * interrupts.  A call of @v's own also proves it is running.  True if a
 * handler was entered, or writing its entry failed (the vCPU is then failed):
 * either way the caller writes no call result over it.
 */
static bool deliver(struct vcpu *v, const struct sdei_ctx *known, u64 known_mask)
{
	struct vm *vm = v->vm;
	struct sdei_kvm *s = vm->sdei;
	struct sdei_dispatch d;
	struct sdei_ctx ctx;
	bool checked_power = known != NULL, entered = false;
	int r = 0;

	if (known)
		ctx = *known;
	/* Asked to look whether the vCPU went off (sdei_kvm_watch_power()), event or not. */
	if (!known && atomic_exchange(&v->sdei_power_check, false)) {
		if (!power_check(v))
			return false;
		checked_power = true;
	}
	for (int nest = 0; nest < 2; nest++) {
		bool go;

		pthread_mutex_lock(&s->lock);
		go = sdei_next_dispatch(s->d, v->id, &d);
		pthread_mutex_unlock(&s->lock);
		if (!go)
			return entered;

		if (!checked_power) {
			if (!power_check(v))
				return entered;
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
			if (!r && !(known_mask & CTX_SCTLR))
				r = vcpu_get_reg(v, REG_SCTLR_EL1, &ctx.sctlr);
			if (r < 0) {
				vcpu_fatal(v, "reading the context for SDEI: %s", strerror(errno));
				return entered;
			}
		}
		pthread_mutex_lock(&s->lock);
		go = sdei_dispatch_commit(s->d, v->id, &d, &ctx);
		pthread_mutex_unlock(&s->lock);
		if (!go)
			return entered;
		if (smccc_kvm_set_regs(v, d.x, 4) < 0)
			return true;	/* failed (reported): nothing more is written */
		r = vcpu_set_reg(v, REG_PC, d.pc);
		r = r ?: vcpu_set_reg(v, REG_PSTATE, d.pstate);
		if (r < 0) {
			vcpu_fatal(v, "entering the SDEI handler: %s", strerror(errno));
			return true;
		}
		entered = true;
		atomic_fetch_add_explicit(&vm->stats.sdei_deliveries, 1, memory_order_relaxed);
		vm_note(vm, CTL_EV_SDEI_DELIVER, v->id, d.event);
		pr_debug("vCPU %d: SDEI event %u delivered", v->id, d.event);
		/* What a nested (critical) dispatch would interrupt: the handler's entry. */
		memcpy(ctx.x, d.x, sizeof(d.x));
		ctx.pc = d.pc;
		ctx.pstate = d.pstate;
		known_mask = CTX_ALL;
	}
	return entered;
}

void sdei_kvm_deliver(struct vcpu *v)
{
	if (v->vm->sdei)
		deliver(v, NULL, 0);
}

int sdei_kvm_raise(struct vm *vm, u32 event, int target_pe)
{
	struct sdei_kvm *s = vm->sdei;
	enum sdei_raise_result r;

	if (!s)
		return -1;
	pthread_mutex_lock(&s->lock);
	r = sdei_raise(s->d, event, target_pe);
	/* No vCPU is skipped: even a raising one takes it through its own request. */
	if (r == SDEI_RAISE_PENDING)
		kick_pes(vm, NULL);
	pthread_mutex_unlock(&s->lock);
	if (r == SDEI_RAISE_PENDING)
		vm_note(vm, CTL_EV_SDEI_RAISE, sdei_event_is_shared(event) ? -1 : target_pe, event);
	return r == SDEI_RAISE_INVALID ? -1 : (int)r;
}

const char *sdei_kvm_pending_reason(struct vm *vm, u32 event, int pe)
{
	struct sdei_kvm *s = vm->sdei;
	const char *why;

	if (!s)
		return NULL;
	pthread_mutex_lock(&s->lock);
	why = sdei_pending_reason(s->d, pe, event);
	pthread_mutex_unlock(&s->lock);
	return why;
}

int sdei_kvm_pe_info(struct vm *vm, int pe, struct sdei_kvm_pe_info *info)
{
	static const u32 events[] = {
		SDEI_EVENT_SW_SIGNALED, SDEI_EVENT_PRIV_NORMAL, SDEI_EVENT_PRIV_CRITICAL,
		SDEI_EVENT_SHARED_NORMAL, SDEI_EVENT_SHARED_CRITICAL,
	};
	static const char *const power[] = {
		[SDEI_PE_ON] = "on", [SDEI_PE_SUSPENDED] = "suspended", [SDEI_PE_OFF] = "off",
	};
	struct sdei_kvm *s = vm->sdei;

	memset(info, 0, sizeof(*info));
	if (!s)
		return -1;
	pthread_mutex_lock(&s->lock);
	info->masked = sdei_pe_masked(s->d, pe);
	info->power = power[sdei_pe_power_state(s->d, pe)];
	info->depth = sdei_pe_depth(s->d, pe);
	for (int i = 0; i < info->depth; i++)
		info->running[i] = sdei_pe_running_event(s->d, pe, i);
	for (size_t i = 0; i < ARRAY_SIZE(events); i++) {
		int st = sdei_event_status(s->d, pe, events[i]);

		if (st > 0 && (st & SDEI_STATUS_REGISTERED))
			info->registered[info->nr_registered++] = events[i];
		if (st > 0 && (st & SDEI_STATUS_ENABLED))
			info->enabled[info->nr_enabled++] = events[i];
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void sdei_kvm_watch_power(struct vm *vm)
{
	struct sdei_kvm *s = vm->sdei;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (sdei_pe_has_private_state(s->d, i)) {
			atomic_store(&vm->vcpus[i]->sdei_power_check, true);
			vcpu_request(vm->vcpus[i], VCPU_REQ_SDEI);
		}
	pthread_mutex_unlock(&s->lock);
}

void sdei_kvm_set_power(struct vcpu *v, bool on)
{
	struct sdei_kvm *s = v->vm->sdei;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	sdei_pe_set_power(s->d, v->id, on ? SDEI_PE_ON : SDEI_PE_SUSPENDED);
	/*
	 * It runs (it suspends itself, or wakes): back from any CPU_OFF even
	 * if it made no SDEI call since, so a later CPU_OFF is noticed again.
	 */
	v->sdei_off = false;
	pthread_mutex_unlock(&s->lock);
}

void sdei_kvm_save(struct vm *vm, struct snap_w *w)
{
	struct sdei_kvm *s = vm->sdei;

	pthread_mutex_lock(&s->lock);
	sdei_save(s->d, w);
	pthread_mutex_unlock(&s->lock);
}

int sdei_kvm_load(struct vm *vm, struct snap_r *r, const char **why)
{
	struct sdei_kvm *s = vm->sdei;
	struct sdei_dispatch d;
	int ret;

	pthread_mutex_lock(&s->lock);
	ret = sdei_load(s->d, r, why);
	if (!ret && !snapshot_r_ok(r)) {
		/* Not what this lkvm writes: start from nothing rather than half of it. */
		sdei_reset(s->d);
		*why = "trailing bytes after the SDEI state";
		ret = -1;
	}
	for (int i = 0; i < vm->nr_vcpus && !ret; i++) {
		struct vcpu *v = vm->vcpus[i];

		/* power_check() alone turns a PE off, setting this; every way back on clears it. */
		v->sdei_off = sdei_pe_power_state(s->d, i) == SDEI_PE_OFF;
		/*
		 * The kicks posted before the save died with that process.
		 * Asked of every PE that can take an event (not through
		 * sdei_pes_to_kick(), which would move the round robin on).
		 */
		if (sdei_next_dispatch(s->d, i, &d))
			vcpu_request(v, VCPU_REQ_SDEI);
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void sdei_kvm_reset(struct vm *vm)
{
	struct sdei_kvm *s = vm->sdei;

	for (int i = 0; i < vm->nr_vcpus; i++)
		vcpu_cancel_request(vm->vcpus[i], VCPU_REQ_SDEI);
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	sdei_reset(s->d);
	pthread_mutex_unlock(&s->lock);
	for (int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->sdei_off = false;
}
