// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI 1.1 dispatcher: the state machine, the argument checks and the
 * delivery decision.  No KVM here: the glue moves registers (see sdei.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lkvm/regs.h"
#include "lkvm/sdei.h"
#include "lkvm/snapshot.h"

/* The event table: private events first, so a slot indexes pe->priv[]. */
struct sdei_event_desc {
	u32 num;
	bool shared;
	bool critical;
	bool signalable;
};

static const struct sdei_event_desc sdei_events[] = {
	{ SDEI_EVENT_SW_SIGNALED,	false,	false,	true },
	{ SDEI_EVENT_PRIV_NORMAL,	false,	false,	false },
	{ SDEI_EVENT_PRIV_CRITICAL,	false,	true,	false },
	{ SDEI_EVENT_SHARED_NORMAL,	true,	false,	false },
	{ SDEI_EVENT_SHARED_CRITICAL,	true,	true,	false },
};

#define NR_EVENTS	((int)ARRAY_SIZE(sdei_events))
#define NR_PRIVATE	3
#define NR_SHARED	(NR_EVENTS - NR_PRIVATE)
/* A normal handler, and a critical one on top of it: never deeper. */
#define MAX_NESTING	2

/* Per-event state bits, laid out as EVENT_STATUS returns them. */
#define ST_REG		((u8)SDEI_STATUS_REGISTERED)
#define ST_ENA		((u8)SDEI_STATUS_ENABLED)
#define ST_RUN		((u8)SDEI_STATUS_RUNNING)

enum sdei_act {
	ACT_REGISTER,
	ACT_ENABLE,
	ACT_DISABLE,
	ACT_UNREGISTER,
	ACT_ROUTING,
	ACT_CONTEXT,
	ACT_COMPLETE,		/* COMPLETE and COMPLETE_AND_RESUME */
	ACT_DISPATCH,		/* not a call: the dispatcher entering a handler */
	ACT_MAX,
};

#define NO	(-1)		/* forbidden */
#define SAME	(-2)		/* allowed, no change */

/*
 * Every call that depends on an event's state is checked here and nowhere
 * else (DEN0054C 6.1; the model is TF-A's table).  Rows: current state;
 * columns: action; value: next state.  Enabled-but-unregistered states are
 * unreachable, so their rows forbid everything.  Unregistering also disables;
 * a running handler outlives its unregistration until COMPLETE.
 */
#define G	ST_REG
#define E	ST_ENA
#define R	ST_RUN
static const int8_t sdei_table[8][ACT_MAX] = {
	/*             REGISTER ENABLE     DISABLE UNREG  ROUTING CONTEXT COMPLETE DISPATCH */
	[0]         = { G,      NO,        NO,     NO,    NO,     NO,     NO,      NO },
	[G]         = { NO,     G | E,     SAME,   0,     SAME,   NO,     NO,      NO },
	[G | E]     = { NO,     SAME,      G,      0,     NO,     NO,     NO,      G | E | R },
	[R]         = { NO,     NO,        NO,     NO,    NO,     SAME,   0,       NO },
	[G | R]     = { NO,     G | E | R, SAME,   R,     NO,     SAME,   G,       NO },
	[G | E | R] = { NO,     SAME,      G | R,  R,     NO,     SAME,   G | E,   NO },
	[E]         = { NO,     NO,        NO,     NO,    NO,     NO,     NO,      NO },
	[E | R]     = { NO,     NO,        NO,     NO,    NO,     NO,     NO,      NO },
};
#undef G
#undef E
#undef R

struct sdei_entry {
	u64 ep, arg;
	u64 affinity;		/* shared, RM_PE: target MPIDR affinity */
	bool rm_pe;		/* shared: routed to one PE */
	bool pending;
	u8 state;
};

struct sdei_frame {
	int slot;
	struct sdei_ctx ctx;
};

struct sdei_pe {
	u64 mpidr;
	bool masked;
	bool kick;		/* scratch for sdei_pes_to_kick() */
	enum sdei_pe_power power;
	int depth;
	struct sdei_frame stack[MAX_NESTING];
	struct sdei_entry priv[NR_PRIVATE];
};

struct sdei {
	int nr_pes;
	int rr;			/* next PE an RM_ANY event tries first */
	struct sdei_entry shared[NR_SHARED];
	struct sdei_pe pes[];
};

_Static_assert(ARRAY_SIZE(sdei_events) == NR_PRIVATE + NR_SHARED, "event table");

static int sdei_next_state(u8 state, enum sdei_act act)
{
	if (state >= ARRAY_SIZE(sdei_table))
		return NO;
	return sdei_table[state][act];
}

/* The one place event state changes: false if @act is not allowed now. */
static bool sdei_trans(struct sdei_entry *e, enum sdei_act act)
{
	int next = sdei_next_state(e->state, act);

	if (next == NO)
		return false;
	if (next != SAME)
		e->state = (u8)next;
	return true;
}

static int sdei_find_slot(u32 num)
{
	int i;

	for (i = 0; i < NR_EVENTS; i++)
		if (sdei_events[i].num == num)
			return i;
	return -1;
}

static struct sdei_entry *sdei_entry(struct sdei *s, int pe, int slot)
{
	if (slot >= NR_PRIVATE)
		return &s->shared[slot - NR_PRIVATE];
	return &s->pes[pe].priv[slot];
}

static const struct sdei_entry *sdei_entry_c(const struct sdei *s, int pe, int slot)
{
	return sdei_entry((struct sdei *)s, pe, slot);
}

static int sdei_pe_by_affinity(const struct sdei *s, u64 aff)
{
	int i;

	for (i = 0; i < s->nr_pes; i++)
		if ((s->pes[i].mpidr & MPIDR_AFF_MASK) == (aff & MPIDR_AFF_MASK))
			return i;
	return -1;
}

/*
 * Entry points and resume addresses are virtual addresses of A64 code: the
 * only thing knowable without walking the guest's page tables is alignment.
 */
static bool sdei_code_addr_ok(u64 addr)
{
	return addr && !(addr & 3);
}

static void sdei_clear_entry(struct sdei_entry *e)
{
	u8 state = e->state;

	memset(e, 0, sizeof(*e));
	e->state = state;
}

/* The running frame's event is the only one CONTEXT and COMPLETE can act on. */
static struct sdei_frame *sdei_top(struct sdei_pe *p)
{
	return p->depth ? &p->stack[p->depth - 1] : NULL;
}

/* ---- calls ---------------------------------------------------------------- */

static s64 sdei_register(struct sdei *s, int pe, const u64 *a)
{
	u64 ep = a[1], flags = a[3], aff = a[4];
	struct sdei_entry *e;
	bool rm_pe;
	int slot;

	if (!sdei_code_addr_ok(ep))
		return SDEI_RET_INVALID_PARAMETERS;
	/* Reserved bits, and relative mode which FEATURES says is absent. */
	if (flags & ~SDEI_REGF_RM_PE)
		return SDEI_RET_INVALID_PARAMETERS;
	slot = sdei_find_slot((u32)a[0]);
	if (slot < 0)
		return SDEI_RET_INVALID_PARAMETERS;
	/* Routing means nothing for a private event: its flags are not checked further. */
	rm_pe = sdei_events[slot].shared && flags == SDEI_REGF_RM_PE;
	if (rm_pe && sdei_pe_by_affinity(s, aff) < 0)
		return SDEI_RET_INVALID_PARAMETERS;

	e = sdei_entry(s, pe, slot);
	if (!sdei_trans(e, ACT_REGISTER))
		return SDEI_RET_DENIED;
	e->ep = ep;
	e->arg = a[2];
	e->rm_pe = rm_pe;
	e->affinity = rm_pe ? aff & MPIDR_AFF_MASK : 0;
	/* What was raised before this registration is not this client's business. */
	e->pending = false;
	return SDEI_RET_SUCCESS;
}

static s64 sdei_enable(struct sdei *s, int pe, u32 num, bool enable, bool *kick)
{
	int slot = sdei_find_slot(num);

	if (slot < 0)
		return SDEI_RET_INVALID_PARAMETERS;
	if (!sdei_trans(sdei_entry(s, pe, slot), enable ? ACT_ENABLE : ACT_DISABLE))
		return SDEI_RET_DENIED;
	*kick = enable;
	return SDEI_RET_SUCCESS;
}

static s64 sdei_unregister_entry(struct sdei_entry *e)
{
	bool running = e->state & ST_RUN;

	if (!sdei_trans(e, ACT_UNREGISTER))
		return running ? SDEI_RET_PENDING : SDEI_RET_DENIED;
	sdei_clear_entry(e);
	return running ? SDEI_RET_PENDING : SDEI_RET_SUCCESS;
}

static s64 sdei_unregister(struct sdei *s, int pe, u32 num)
{
	int slot = sdei_find_slot(num);

	if (slot < 0)
		return SDEI_RET_INVALID_PARAMETERS;
	return sdei_unregister_entry(sdei_entry(s, pe, slot));
}

static s64 sdei_status(struct sdei *s, int pe, u32 num)
{
	int slot = sdei_find_slot(num);

	if (slot < 0)
		return SDEI_RET_INVALID_PARAMETERS;
	return sdei_entry(s, pe, slot)->state;
}

static s64 sdei_get_info(struct sdei *s, int pe, u32 num, u32 info)
{
	const struct sdei_event_desc *ev;
	struct sdei_entry *e;
	int slot = sdei_find_slot(num);

	if (slot < 0)
		return SDEI_RET_INVALID_PARAMETERS;
	ev = &sdei_events[slot];
	e = sdei_entry(s, pe, slot);

	switch (info) {
	case SDEI_INFO_EV_TYPE:
		return ev->shared;
	case SDEI_INFO_EV_SIGNALED:
		return ev->signalable;
	case SDEI_INFO_EV_PRIORITY:
		return ev->critical;
	case SDEI_INFO_EV_ROUTING_MODE:
	case SDEI_INFO_EV_ROUTING_AFF:
		if (!ev->shared)
			return SDEI_RET_INVALID_PARAMETERS;
		if (!(e->state & ST_REG))
			return SDEI_RET_DENIED;
		if (info == SDEI_INFO_EV_ROUTING_MODE)
			return e->rm_pe;
		if (!e->rm_pe)
			return SDEI_RET_INVALID_PARAMETERS;
		return (s64)e->affinity;
	default:
		return SDEI_RET_INVALID_PARAMETERS;
	}
}

static s64 sdei_routing_set(struct sdei *s, int pe, const u64 *a)
{
	u64 mode = a[1], aff = a[2];
	struct sdei_entry *e;
	int slot;

	if (mode & ~SDEI_REGF_RM_PE)
		return SDEI_RET_INVALID_PARAMETERS;
	if (mode == SDEI_REGF_RM_PE && sdei_pe_by_affinity(s, aff) < 0)
		return SDEI_RET_INVALID_PARAMETERS;
	slot = sdei_find_slot((u32)a[0]);
	if (slot < 0 || !sdei_events[slot].shared)
		return SDEI_RET_INVALID_PARAMETERS;

	e = sdei_entry(s, pe, slot);
	if (!sdei_trans(e, ACT_ROUTING))
		return SDEI_RET_DENIED;
	e->rm_pe = mode == SDEI_REGF_RM_PE;
	e->affinity = e->rm_pe ? aff & MPIDR_AFF_MASK : 0;
	return SDEI_RET_SUCCESS;
}

static s64 sdei_context(struct sdei *s, int pe, u32 idx)
{
	struct sdei_frame *f;

	if (idx >= SDEI_SAVED_GPRS)
		return SDEI_RET_INVALID_PARAMETERS;
	f = sdei_top(&s->pes[pe]);
	if (!f || !sdei_trans(sdei_entry(s, pe, f->slot), ACT_CONTEXT))
		return SDEI_RET_DENIED;
	return (s64)f->ctx.x[idx];
}

/* Takes the PE's top handler off its stack; the event may now be unregistered. */
static void sdei_pop(struct sdei *s, int pe)
{
	struct sdei_pe *p = &s->pes[pe];
	struct sdei_frame *f = sdei_top(p);
	struct sdei_entry *e = sdei_entry(s, pe, f->slot);

	sdei_trans(e, ACT_COMPLETE);
	p->depth--;
}

static void sdei_complete(struct sdei *s, int pe, u64 arg, bool resume, struct sdei_result *res)
{
	struct sdei_frame *f = sdei_top(&s->pes[pe]);

	res->regs[0] = (u64)(s64)SDEI_RET_DENIED;
	if (!f)
		return;
	if (resume && !sdei_code_addr_ok(arg))
		return;
	if (sdei_next_state(sdei_entry(s, pe, f->slot)->state, ACT_COMPLETE) == NO)
		return;

	/* No result register: x0 comes back with the interrupted context. */
	res->action = resume ? SDEI_ACT_RESUME : SDEI_ACT_COMPLETE;
	res->nr_regs = 0;
	res->regs[0] = SDEI_RET_SUCCESS;
	res->ctx = f->ctx;
	res->event = sdei_events[f->slot].num;
	res->failed = !resume && arg == SDEI_EV_FAILED;
	if (resume) {
		/* As if an IRQ had been taken at the interrupted PC. */
		res->elr_el1 = f->ctx.pc;
		res->spsr_el1 = f->ctx.pstate;
		res->resume_pc = arg;
		res->resume_pstate = sdei_entry_pstate(f->ctx.pstate, f->ctx.sctlr);
	}
	res->kick = true;
	sdei_pop(s, pe);
}

static s64 sdei_pe_mask(struct sdei *s, int pe)
{
	struct sdei_pe *p = &s->pes[pe];
	bool was_masked = p->masked;

	p->masked = true;
	/* 1 when the call changed something, 0 when the PE was masked already. */
	return was_masked ? 0 : 1;
}

static s64 sdei_interrupt_bind(u32 intid)
{
	/* SGIs can never be bound; anything else finds no free slot (we have none). */
	if (intid < 16)
		return SDEI_RET_INVALID_PARAMETERS;
	return SDEI_RET_OUT_OF_RESOURCE;
}

static s64 sdei_interrupt_release(u32 num)
{
	/* No event is a bound dynamic one, so none can be released. */
	(void)num;
	return SDEI_RET_INVALID_PARAMETERS;
}

/*
 * Event 0 becomes pending only on a PE that could take it: registered there,
 * on and unmasked.  Otherwise the signal is lost, as a firmware's SGI would be.
 */
static bool sdei_signal_pe(struct sdei *s, int target)
{
	struct sdei_pe *p = &s->pes[target];
	struct sdei_entry *e = &p->priv[sdei_find_slot(SDEI_EVENT_SW_SIGNALED)];

	if (p->power != SDEI_PE_ON || p->masked || !(e->state & ST_REG))
		return false;
	e->pending = true;
	return true;
}

static s64 sdei_event_signal(struct sdei *s, u32 num, u64 target, bool *kick)
{
	int pe;

	if (num != SDEI_EVENT_SW_SIGNALED)
		return SDEI_RET_INVALID_PARAMETERS;
	pe = sdei_pe_by_affinity(s, target);
	if (pe < 0)
		return SDEI_RET_INVALID_PARAMETERS;
	*kick = sdei_signal_pe(s, pe);
	return SDEI_RET_SUCCESS;
}

static s64 sdei_features(u32 feature)
{
	switch (feature) {
	case SDEI_FEATURE_BIND_SLOTS:
		return 0;	/* no private, no shared slot */
	case SDEI_FEATURE_RELATIVE_MODE:
		return 0;	/* absolute entry points only */
	default:
		return SDEI_RET_INVALID_PARAMETERS;
	}
}

/* A running event cannot be unregistered yet: the reset as a whole is DENIED. */
static s64 sdei_reset_range(struct sdei *s, int pe, int first, int last)
{
	s64 ret = SDEI_RET_SUCCESS;
	int slot;

	for (slot = first; slot < last; slot++)
		if (sdei_unregister_entry(sdei_entry(s, pe, slot)) == SDEI_RET_PENDING)
			ret = SDEI_RET_DENIED;
	return ret;
}

/* ---- dispatch --------------------------------------------------------------- */

/* A critical handler may preempt a normal one; nothing preempts a critical one. */
static bool sdei_prio_allows(const struct sdei_pe *p, int slot)
{
	if (p->depth == 0)
		return true;
	if (p->depth == 1)
		return sdei_events[slot].critical && !sdei_events[p->stack[0].slot].critical;
	return false;
}

static bool sdei_routed_here(const struct sdei *s, int pe, int slot)
{
	const struct sdei_entry *e = sdei_entry_c(s, pe, slot);

	if (!sdei_events[slot].shared || !e->rm_pe)
		return true;
	return e->affinity == (s->pes[pe].mpidr & MPIDR_AFF_MASK);
}

static bool sdei_deliverable(const struct sdei *s, int pe, int slot)
{
	const struct sdei_pe *p = &s->pes[pe];
	const struct sdei_entry *e = sdei_entry_c(s, pe, slot);

	if (p->power != SDEI_PE_ON || p->masked || !e->pending)
		return false;
	if (sdei_next_state(e->state, ACT_DISPATCH) == NO)
		return false;
	return sdei_prio_allows(p, slot) && sdei_routed_here(s, pe, slot);
}

/* Why @slot, pending, does not go to @pe now (NULL: it would). */
static const char *sdei_held_why(const struct sdei *s, int pe, int slot)
{
	const struct sdei_pe *p = &s->pes[pe];
	const struct sdei_entry *e = sdei_entry_c(s, pe, slot);

	if (!(e->state & ST_REG))
		return "the event is not registered";
	if (!(e->state & ST_ENA))
		return "the event is disabled";
	if (p->power == SDEI_PE_SUSPENDED)
		return "the PE is suspended";
	if (p->power == SDEI_PE_OFF)
		return "the PE is off";
	if (p->masked)
		return "the PE is masked";
	if (sdei_next_state(e->state, ACT_DISPATCH) == NO)
		return "its handler is running";
	if (!sdei_prio_allows(p, slot))
		return "a handler of the same or higher priority is running";
	if (!sdei_routed_here(s, pe, slot))
		return "it is routed to another PE";
	return NULL;
}

const char *sdei_pending_reason(const struct sdei *s, int pe, u32 event)
{
	int slot = sdei_find_slot(event);
	const char *why = NULL;

	if (slot < 0 || pe < 0 || pe >= s->nr_pes || !sdei_entry_c(s, pe, slot)->pending)
		return NULL;
	if (!sdei_events[slot].shared)
		return sdei_held_why(s, pe, slot) ?: "about to be dispatched";
	/* A shared event goes to any PE that can take it: say why the first cannot. */
	for (int i = s->nr_pes - 1; i >= 0; i--) {
		const char *w = sdei_held_why(s, i, slot);

		if (!w)
			return "about to be dispatched";
		why = w;
	}
	return why;
}

enum sdei_pe_power sdei_pe_power_state(const struct sdei *s, int pe)
{
	return pe >= 0 && pe < s->nr_pes ? s->pes[pe].power : SDEI_PE_OFF;
}

/* Critical before normal; within a class, table order (private first). */
static int sdei_pick(const struct sdei *s, int pe)
{
	int pass, slot;

	for (pass = 0; pass < 2; pass++)
		for (slot = 0; slot < NR_EVENTS; slot++)
			if (sdei_events[slot].critical == !pass && sdei_deliverable(s, pe, slot))
				return slot;
	return -1;
}

bool sdei_next_dispatch(const struct sdei *s, int pe, struct sdei_dispatch *d)
{
	const struct sdei_entry *e;
	int slot;

	memset(d, 0, sizeof(*d));
	d->slot = -1;
	if (pe < 0 || pe >= s->nr_pes)
		return false;
	slot = sdei_pick(s, pe);
	if (slot < 0)
		return false;

	e = sdei_entry_c(s, pe, slot);
	d->slot = slot;
	d->event = sdei_events[slot].num;
	d->critical = sdei_events[slot].critical;
	d->x[0] = d->event;
	d->x[1] = e->arg;
	d->pc = e->ep;
	d->pstate = PSTATE_EL1H_DAIF;
	return true;
}

u64 sdei_entry_pstate(u64 interrupted, u64 sctlr)
{
	u64 p = PSTATE_EL1H_DAIF | (interrupted & (PSTATE_NZCV | PSTATE_DIT));

	if (!(sctlr & SCTLR_EL1_SPAN))
		p |= PSTATE_PAN;
	else
		p |= interrupted & PSTATE_PAN;
	if (sctlr & SCTLR_EL1_DSSBS)
		p |= PSTATE_SSBS;
	return p;
}

bool sdei_dispatch_commit(struct sdei *s, int pe, struct sdei_dispatch *d,
			  const struct sdei_ctx *interrupted)
{
	struct sdei_pe *p;
	struct sdei_entry *e;
	struct sdei_frame *f;

	if (pe < 0 || pe >= s->nr_pes || d->slot < 0 || d->slot >= NR_EVENTS ||
	    sdei_events[d->slot].num != d->event || !sdei_deliverable(s, pe, d->slot))
		return false;

	p = &s->pes[pe];
	e = sdei_entry(s, pe, d->slot);
	if (!sdei_trans(e, ACT_DISPATCH))
		return false;
	e->pending = false;
	f = &p->stack[p->depth++];
	f->slot = d->slot;
	f->ctx = *interrupted;

	d->x[0] = d->event;
	d->x[1] = e->arg;
	d->x[2] = interrupted->pc;
	d->x[3] = interrupted->pstate;
	d->pc = e->ep;
	d->pstate = sdei_entry_pstate(interrupted->pstate, interrupted->sctlr);
	return true;
}

static void sdei_mark_kick(struct sdei *s, int pe, int *pes, int max, int *n)
{
	if (s->pes[pe].kick || *n >= max)
		return;
	s->pes[pe].kick = true;
	pes[(*n)++] = pe;
}

int sdei_pes_to_kick(struct sdei *s, int *pes, int max)
{
	int pe, slot, i, n = 0;

	for (pe = 0; pe < s->nr_pes; pe++)
		s->pes[pe].kick = false;

	for (pe = 0; pe < s->nr_pes; pe++)
		for (slot = 0; slot < NR_EVENTS; slot++) {
			bool any = sdei_events[slot].shared && !sdei_entry(s, pe, slot)->rm_pe;

			if (!any && sdei_deliverable(s, pe, slot))
				sdei_mark_kick(s, pe, pes, max, &n);
		}

	/* One PE per RM_ANY event is enough; rotating spreads the work. */
	for (slot = NR_PRIVATE; slot < NR_EVENTS; slot++) {
		if (s->shared[slot - NR_PRIVATE].rm_pe)
			continue;
		for (i = 0; i < s->nr_pes; i++) {
			pe = (s->rr + i) % s->nr_pes;
			if (sdei_deliverable(s, pe, slot)) {
				sdei_mark_kick(s, pe, pes, max, &n);
				s->rr = (pe + 1) % s->nr_pes;
				break;
			}
		}
	}
	return n;
}

/* ---- host side -------------------------------------------------------------- */

enum sdei_raise_result sdei_raise(struct sdei *s, u32 event, int target_pe)
{
	int slot = sdei_find_slot(event);
	struct sdei_entry *e;

	if (slot < 0)
		return SDEI_RAISE_INVALID;
	if (event == SDEI_EVENT_SW_SIGNALED) {
		if (target_pe < 0 || target_pe >= s->nr_pes)
			return SDEI_RAISE_INVALID;
		return sdei_signal_pe(s, target_pe) ? SDEI_RAISE_PENDING : SDEI_RAISE_DROPPED;
	}
	if (!sdei_events[slot].shared && (target_pe < 0 || target_pe >= s->nr_pes))
		return SDEI_RAISE_INVALID;

	e = sdei_entry(s, sdei_events[slot].shared ? 0 : target_pe, slot);
	/*
	 * Like an interrupt that is not routed to the dispatcher: nobody asked
	 * for it.  A registered event keeps it pending through disable and mask.
	 */
	if (!(e->state & ST_REG))
		return SDEI_RAISE_DROPPED;
	e->pending = true;
	return SDEI_RAISE_PENDING;
}

void sdei_pe_set_power(struct sdei *s, int pe, enum sdei_pe_power power)
{
	struct sdei_pe *p;
	int slot;

	if (pe < 0 || pe >= s->nr_pes)
		return;
	p = &s->pes[pe];
	if (power == SDEI_PE_OFF) {
		/* The handlers this PE was running will never complete. */
		while (p->depth)
			sdei_pop(s, pe);
		/* A PE comes back from power-off with fresh private events, masked. */
		for (slot = 0; slot < NR_PRIVATE; slot++)
			memset(&p->priv[slot], 0, sizeof(p->priv[slot]));
		p->masked = true;
	} else if (power == SDEI_PE_ON && p->power == SDEI_PE_SUSPENDED) {
		/* Waking from a power-down suspend: the client unmasks again. */
		p->masked = true;
	}
	p->power = power;
}

bool sdei_pe_has_private_state(const struct sdei *s, int pe)
{
	const struct sdei_pe *p;

	if (pe < 0 || pe >= s->nr_pes)
		return false;
	p = &s->pes[pe];
	if (p->power != SDEI_PE_ON)
		return false;
	if (p->depth)
		return true;
	for (int slot = 0; slot < NR_PRIVATE; slot++)
		if (p->priv[slot].state & ST_REG)
			return true;
	return false;
}

bool sdei_pe_has_pending(const struct sdei *s, int pe)
{
	int slot;

	if (pe < 0 || pe >= s->nr_pes)
		return false;
	for (slot = 0; slot < NR_EVENTS; slot++) {
		const struct sdei_entry *e = sdei_entry_c(s, pe, slot);

		if (e->pending && (e->state & ST_ENA) && sdei_routed_here(s, pe, slot))
			return true;
	}
	return false;
}

/* ---- the call table ------------------------------------------------------- */

static const int8_t sdei_nr_args[] = {
	[SDEI_FN_VERSION - SDEI_FN_RANGE_BASE]			= 0,
	[SDEI_FN_EVENT_REGISTER - SDEI_FN_RANGE_BASE]		= 5,
	[SDEI_FN_EVENT_ENABLE - SDEI_FN_RANGE_BASE]		= 1,
	[SDEI_FN_EVENT_DISABLE - SDEI_FN_RANGE_BASE]		= 1,
	[SDEI_FN_EVENT_CONTEXT - SDEI_FN_RANGE_BASE]		= 1,
	[SDEI_FN_EVENT_COMPLETE - SDEI_FN_RANGE_BASE]		= 1,
	[SDEI_FN_EVENT_COMPLETE_AND_RESUME - SDEI_FN_RANGE_BASE] = 1,
	[SDEI_FN_EVENT_UNREGISTER - SDEI_FN_RANGE_BASE]		= 1,
	[SDEI_FN_EVENT_STATUS - SDEI_FN_RANGE_BASE]		= 1,
	[SDEI_FN_EVENT_GET_INFO - SDEI_FN_RANGE_BASE]		= 2,
	[SDEI_FN_EVENT_ROUTING_SET - SDEI_FN_RANGE_BASE]	= 3,
	[SDEI_FN_PE_MASK - SDEI_FN_RANGE_BASE]			= 0,
	[SDEI_FN_PE_UNMASK - SDEI_FN_RANGE_BASE]		= 0,
	[SDEI_FN_INTERRUPT_BIND - SDEI_FN_RANGE_BASE]		= 1,
	[SDEI_FN_INTERRUPT_RELEASE - SDEI_FN_RANGE_BASE]	= 1,
	[SDEI_FN_EVENT_SIGNAL - SDEI_FN_RANGE_BASE]		= 2,
	[SDEI_FN_FEATURES - SDEI_FN_RANGE_BASE]			= 1,
	[SDEI_FN_PRIVATE_RESET - SDEI_FN_RANGE_BASE]		= 0,
	[SDEI_FN_SHARED_RESET - SDEI_FN_RANGE_BASE]		= 0,
};

bool sdei_is_call(u32 fid)
{
	return fid >= SDEI_FN_RANGE_BASE &&
	       fid - SDEI_FN_RANGE_BASE < ARRAY_SIZE(sdei_nr_args);
}

int sdei_call_nr_args(u32 fid)
{
	return sdei_is_call(fid) ? sdei_nr_args[fid - SDEI_FN_RANGE_BASE] : 0;
}

void sdei_call(struct sdei *s, int pe, u32 fid, const u64 *args, struct sdei_result *res)
{
	u64 a[5] = { 0 };
	bool kick = false;
	s64 ret;

	memset(res, 0, sizeof(*res));
	res->action = SDEI_ACT_RETURN;
	res->nr_regs = 1;
	if (pe < 0 || pe >= s->nr_pes || !sdei_is_call(fid)) {
		res->regs[0] = (u64)(s64)SDEI_RET_NOT_SUPPORTED;
		return;
	}
	if (sdei_call_nr_args(fid))
		memcpy(a, args, sizeof(a[0]) * (size_t)sdei_call_nr_args(fid));

	/* uint32 parameters: the SMC64 caller's upper register half is ignored. */
	switch (fid) {
	case SDEI_FN_VERSION:
		ret = (s64)SDEI_VERSION_VALUE;
		break;
	case SDEI_FN_EVENT_REGISTER:
		ret = sdei_register(s, pe, a);
		break;
	case SDEI_FN_EVENT_ENABLE:
	case SDEI_FN_EVENT_DISABLE:
		ret = sdei_enable(s, pe, (u32)a[0], fid == SDEI_FN_EVENT_ENABLE, &kick);
		break;
	case SDEI_FN_EVENT_CONTEXT:
		ret = sdei_context(s, pe, (u32)a[0]);
		break;
	case SDEI_FN_EVENT_COMPLETE:
	case SDEI_FN_EVENT_COMPLETE_AND_RESUME:
		sdei_complete(s, pe, a[0], fid == SDEI_FN_EVENT_COMPLETE_AND_RESUME, res);
		return;
	case SDEI_FN_EVENT_UNREGISTER:
		ret = sdei_unregister(s, pe, (u32)a[0]);
		break;
	case SDEI_FN_EVENT_STATUS:
		ret = sdei_status(s, pe, (u32)a[0]);
		break;
	case SDEI_FN_EVENT_GET_INFO:
		ret = sdei_get_info(s, pe, (u32)a[0], (u32)a[1]);
		break;
	case SDEI_FN_EVENT_ROUTING_SET:
		ret = sdei_routing_set(s, pe, a);
		break;
	case SDEI_FN_PE_MASK:
		ret = sdei_pe_mask(s, pe);
		break;
	case SDEI_FN_PE_UNMASK:
		s->pes[pe].masked = false;
		kick = true;
		ret = SDEI_RET_SUCCESS;
		break;
	case SDEI_FN_INTERRUPT_BIND:
		ret = sdei_interrupt_bind((u32)a[0]);
		break;
	case SDEI_FN_INTERRUPT_RELEASE:
		ret = sdei_interrupt_release((u32)a[0]);
		break;
	case SDEI_FN_EVENT_SIGNAL:
		ret = sdei_event_signal(s, (u32)a[0], a[1], &kick);
		break;
	case SDEI_FN_FEATURES:
		ret = sdei_features((u32)a[0]);
		break;
	case SDEI_FN_PRIVATE_RESET:
		ret = sdei_reset_range(s, pe, 0, NR_PRIVATE);
		break;
	case SDEI_FN_SHARED_RESET:
		ret = sdei_reset_range(s, pe, NR_PRIVATE, NR_EVENTS);
		break;
	default:
		ret = SDEI_RET_NOT_SUPPORTED;
		break;
	}
	res->regs[0] = (u64)ret;
	res->kick = kick;
}

/* ---- life cycle and introspection -------------------------------------------- */

void sdei_reset(struct sdei *s)
{
	int i;

	memset(s->shared, 0, sizeof(s->shared));
	s->rr = 0;
	for (i = 0; i < s->nr_pes; i++) {
		struct sdei_pe *p = &s->pes[i];
		u64 mpidr = p->mpidr;

		memset(p, 0, sizeof(*p));
		p->mpidr = mpidr;
		p->masked = true;
		p->power = SDEI_PE_ON;
	}
}

struct sdei *sdei_create(int nr_pes, const u64 *mpidrs)
{
	struct sdei *s;
	int i;

	if (nr_pes <= 0 || nr_pes > 4096 || !mpidrs)
		return NULL;
	s = xzalloc(sizeof(*s) + (size_t)nr_pes * sizeof(s->pes[0]));
	/* Grows as PEs are added, so the duplicate check sees only those. */
	s->nr_pes = 0;
	for (i = 0; i < nr_pes; i++) {
		/* MPIDR is how the guest names a PE: two PEs must not share one. */
		if (sdei_pe_by_affinity(s, mpidrs[i]) >= 0) {
			sdei_destroy(s);
			return NULL;
		}
		s->pes[i].mpidr = mpidrs[i];
		s->nr_pes = i + 1;
	}
	sdei_reset(s);
	return s;
}

void sdei_destroy(struct sdei *s)
{
	free(s);
}

/* ---- snapshot ------------------------------------------------------------- */

/*
 * The dispatcher in a snapshot, little-endian:
 *
 *	u32 nr_pes, u32 rr
 *	the shared events, in table order: an entry each
 *	per PE: u64 mpidr, u8 masked, u8 power (0 on, 1 suspended, 2 off), u8 depth,
 *		depth frames, outermost first: u32 event, u64 x0..x17, pc, pstate, sctlr
 *		its private events, in table order: an entry each
 *	entry: u32 event, u8 state (EVENT_STATUS bits), u8 pending, u8 rm_pe,
 *	       u64 ep, arg, affinity
 *
 * Event numbers, not slots: a table that changed is noticed.  Nothing else
 * is kept (kick is scratch), and what a load accepts saves back byte for
 * byte (tests/fuzz/fuzz-snapshot.c checks it).
 */
_Static_assert(SDEI_PE_ON == 0 && SDEI_PE_SUSPENDED == 1 && SDEI_PE_OFF == 2, "power in snapshots");

static void sdei_save_entry(struct snap_w *w, int slot, const struct sdei_entry *e)
{
	snapshot_put_u32(w, sdei_events[slot].num);
	snapshot_put_u8(w, e->state);
	snapshot_put_u8(w, e->pending);
	snapshot_put_u8(w, e->rm_pe);
	snapshot_put_u64(w, e->ep);
	snapshot_put_u64(w, e->arg);
	snapshot_put_u64(w, e->affinity);
}

void sdei_save(const struct sdei *s, struct snap_w *w)
{
	snapshot_put_u32(w, (u32)s->nr_pes);
	snapshot_put_u32(w, (u32)s->rr);
	for (int slot = NR_PRIVATE; slot < NR_EVENTS; slot++)
		sdei_save_entry(w, slot, &s->shared[slot - NR_PRIVATE]);
	for (int pe = 0; pe < s->nr_pes; pe++) {
		const struct sdei_pe *p = &s->pes[pe];

		snapshot_put_u64(w, p->mpidr);
		snapshot_put_u8(w, p->masked);
		snapshot_put_u8(w, (u8)p->power);
		snapshot_put_u8(w, (u8)p->depth);
		for (int i = 0; i < p->depth; i++) {
			const struct sdei_ctx *c = &p->stack[i].ctx;

			snapshot_put_u32(w, sdei_events[p->stack[i].slot].num);
			for (int x = 0; x < SDEI_SAVED_GPRS; x++)
				snapshot_put_u64(w, c->x[x]);
			snapshot_put_u64(w, c->pc);
			snapshot_put_u64(w, c->pstate);
			snapshot_put_u64(w, c->sctlr);
		}
		for (int slot = 0; slot < NR_PRIVATE; slot++)
			sdei_save_entry(w, slot, &p->priv[slot]);
	}
}

/* One entry as sdei_save_entry() wrote it; NULL, or what is wrong with it. */
static const char *sdei_load_entry(const struct sdei *s, struct snap_r *r, int slot,
				   struct sdei_entry *e)
{
	u32 num = snapshot_get_u32(r);
	u8 pending, rm_pe;

	e->state = snapshot_get_u8(r);
	pending = snapshot_get_u8(r);
	rm_pe = snapshot_get_u8(r);
	e->ep = snapshot_get_u64(r);
	e->arg = snapshot_get_u64(r);
	e->affinity = snapshot_get_u64(r);
	if (r->bad)
		return "cut short";
	if (pending > 1 || rm_pe > 1)
		return "a flag is neither 0 nor 1";
	e->pending = pending;
	e->rm_pe = rm_pe;
	if (num != sdei_events[slot].num)
		return "an event number is unknown or out of place";
	/* Enabled but not registered is unreachable: its table row forbids everything. */
	if (e->state & ~(ST_REG | ST_ENA | ST_RUN) || (e->state & (ST_REG | ST_ENA)) == ST_ENA)
		return "an event's state is impossible";
	/* Unregistering clears an entry, and only a registered event can be raised or routed. */
	if (!(e->state & ST_REG)) {
		if (e->pending || e->rm_pe || e->ep || e->arg || e->affinity)
			return "an unregistered event keeps a registration";
		return NULL;
	}
	if (!sdei_code_addr_ok(e->ep))
		return "an event's entry point is not a code address";
	if (!sdei_events[slot].shared && (e->rm_pe || e->affinity))
		return "a private event has a route";
	if (e->rm_pe ? (e->affinity & ~MPIDR_AFF_MASK) || sdei_pe_by_affinity(s, e->affinity) < 0 :
		       e->affinity != 0)
		return "a shared event's route names no PE";
	return NULL;
}

/* A handler frame; its event must be running, which sdei_load_check() sees to. */
static const char *sdei_load_frame(struct snap_r *r, struct sdei_frame *f)
{
	u32 num = snapshot_get_u32(r);

	for (int x = 0; x < SDEI_SAVED_GPRS; x++)
		f->ctx.x[x] = snapshot_get_u64(r);
	f->ctx.pc = snapshot_get_u64(r);
	f->ctx.pstate = snapshot_get_u64(r);
	f->ctx.sctlr = snapshot_get_u64(r);
	if (r->bad)
		return "cut short";
	f->slot = sdei_find_slot(num);
	if (f->slot < 0)
		return "a running handler's event is unknown";
	return NULL;
}

static const char *sdei_load_pe(struct sdei *t, struct snap_r *r, int pe)
{
	struct sdei_pe *p = &t->pes[pe];
	u64 mpidr = snapshot_get_u64(r);
	u8 masked = snapshot_get_u8(r), power = snapshot_get_u8(r), depth = snapshot_get_u8(r);
	const char *why;

	if (r->bad)
		return "cut short";
	if (masked > 1)
		return "a flag is neither 0 nor 1";
	p->masked = masked;
	/* Routes name PEs by MPIDR: another machine's would send events elsewhere. */
	if (mpidr != p->mpidr)
		return "a PE's MPIDR differs";
	if (power > SDEI_PE_OFF)
		return "a PE's power state is unknown";
	p->power = (enum sdei_pe_power)power;
	if (depth > MAX_NESTING)
		return "more than two handlers are nested";
	/* Power-off drops the handlers, and an off PE takes no event. */
	if (depth && p->power == SDEI_PE_OFF)
		return "a PE that is off runs a handler";
	p->depth = depth;
	for (int i = 0; i < depth; i++)
		if ((why = sdei_load_frame(r, &p->stack[i])))
			return why;
	/* Only a critical handler nests, and only on a normal one. */
	if (depth == MAX_NESTING && (sdei_events[p->stack[0].slot].critical ||
				     !sdei_events[p->stack[1].slot].critical))
		return "nested handlers do not have the priorities nesting needs";
	for (int slot = 0; slot < NR_PRIVATE; slot++)
		if ((why = sdei_load_entry(t, r, slot, &p->priv[slot])))
			return why;
	return NULL;
}

/* An event is running exactly where a handler of it runs: once, on its own PE if private. */
static const char *sdei_load_check(const struct sdei *t)
{
	int shared_frames[NR_SHARED] = { 0 };

	for (int pe = 0; pe < t->nr_pes; pe++) {
		const struct sdei_pe *p = &t->pes[pe];
		int frames[NR_PRIVATE] = { 0 };

		for (int i = 0; i < p->depth; i++) {
			int slot = p->stack[i].slot;

			if (slot < NR_PRIVATE)
				frames[slot]++;
			else
				shared_frames[slot - NR_PRIVATE]++;
		}
		for (int slot = 0; slot < NR_PRIVATE; slot++)
			if (frames[slot] != !!(p->priv[slot].state & ST_RUN))
				return "a running event and the handlers running disagree";
	}
	for (int i = 0; i < NR_SHARED; i++)
		if (shared_frames[i] != !!(t->shared[i].state & ST_RUN))
			return "a running event and the handlers running disagree";
	return NULL;
}

static const char *sdei_load_into(struct sdei *t, struct snap_r *r)
{
	u32 nr_pes = snapshot_get_u32(r), rr = snapshot_get_u32(r);
	const char *why;

	if (r->bad)
		return "cut short";
	if (nr_pes != (u32)t->nr_pes)
		return "saved with another number of vCPUs";
	if (rr >= nr_pes)
		return "its round-robin PE does not exist";
	t->rr = (int)rr;
	for (int slot = NR_PRIVATE; slot < NR_EVENTS; slot++)
		if ((why = sdei_load_entry(t, r, slot, &t->shared[slot - NR_PRIVATE])))
			return why;
	for (int pe = 0; pe < t->nr_pes; pe++)
		if ((why = sdei_load_pe(t, r, pe)))
			return why;
	return sdei_load_check(t);
}

int sdei_load(struct sdei *s, struct snap_r *r, const char **why)
{
	size_t size = sizeof(*s) + (size_t)s->nr_pes * sizeof(s->pes[0]);
	struct sdei *t = xzalloc(size);

	/* Into a copy that starts with @s's PEs: a bad snapshot leaves @s as it was. */
	t->nr_pes = s->nr_pes;
	for (int pe = 0; pe < s->nr_pes; pe++)
		t->pes[pe].mpidr = s->pes[pe].mpidr;
	*why = sdei_load_into(t, r);
	if (!*why)
		memcpy(s, t, size);
	free(t);
	return *why ? -1 : 0;
}

int sdei_nr_pes(const struct sdei *s)
{
	return s->nr_pes;
}

int sdei_pe_depth(const struct sdei *s, int pe)
{
	return pe >= 0 && pe < s->nr_pes ? s->pes[pe].depth : 0;
}

u32 sdei_pe_running_event(const struct sdei *s, int pe, int level)
{
	if (level < 0 || level >= sdei_pe_depth(s, pe))
		return ~0u;
	return sdei_events[s->pes[pe].stack[level].slot].num;
}

bool sdei_pe_masked(const struct sdei *s, int pe)
{
	return pe >= 0 && pe < s->nr_pes && s->pes[pe].masked;
}

int sdei_event_status(const struct sdei *s, int pe, u32 event)
{
	int slot = sdei_find_slot(event);

	if (slot < 0 || pe < 0 || pe >= s->nr_pes)
		return -1;
	return sdei_entry_c(s, pe, slot)->state;
}

bool sdei_event_is_critical(u32 event)
{
	int slot = sdei_find_slot(event);

	return slot >= 0 && sdei_events[slot].critical;
}

bool sdei_event_is_shared(u32 event)
{
	int slot = sdei_find_slot(event);

	return slot >= 0 && sdei_events[slot].shared;
}

const char *sdei_fn_name(u32 fid)
{
	static const char *const names[] = {
		"VERSION", "EVENT_REGISTER", "EVENT_ENABLE", "EVENT_DISABLE", "EVENT_CONTEXT",
		"EVENT_COMPLETE", "EVENT_COMPLETE_AND_RESUME", "EVENT_UNREGISTER",
		"EVENT_STATUS", "EVENT_GET_INFO", "EVENT_ROUTING_SET", "PE_MASK", "PE_UNMASK",
		"INTERRUPT_BIND", "INTERRUPT_RELEASE", "EVENT_SIGNAL", "FEATURES",
		"PRIVATE_RESET", "SHARED_RESET",
	};

	if (fid < SDEI_FN_RANGE_BASE || fid - SDEI_FN_RANGE_BASE >= ARRAY_SIZE(names))
		return NULL;
	return names[fid - SDEI_FN_RANGE_BASE];
}
