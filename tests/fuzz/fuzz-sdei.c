// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the SDEI dispatcher: random call sequences, raises,
 * dispatches, completions and power changes on three PEs, each PE with a
 * simulated register file, checking the invariants after every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/regs.h"
#include "lkvm/sdei.h"

#define NR_PES 3

static const u64 mpidrs[NR_PES] = { 0x80000000, 0x80000001, 0x80000100 };

static const u32 events[] = {
	SDEI_EVENT_SW_SIGNALED, SDEI_EVENT_PRIV_NORMAL, SDEI_EVENT_PRIV_CRITICAL,
	SDEI_EVENT_SHARED_NORMAL, SDEI_EVENT_SHARED_CRITICAL, 7, 0x80000000u,
};

struct in {
	const u8 *p;
	size_t n;
};

static u64 take(struct in *in, int bytes)
{
	u64 v = 0;

	while (bytes-- && in->n) {
		v = (v << 8) | *in->p++;
		in->n--;
	}
	return v;
}

/* A PE as the glue would see it: its registers and what it expects back. */
struct sim_pe {
	struct sdei_ctx regs;
	u64 elr, spsr;
	int depth;
	struct sdei_ctx saved[2];
	u32 event[2];
};

static struct sim_pe sim[NR_PES];

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "invariant failed: %s (line %d)\n",     \
				#cond, __LINE__);                               \
			abort();                                                \
		}                                                               \
	} while (0)

static u64 arg_value(struct in *in)
{
	switch (take(in, 1) % 8) {
	case 0:
		return events[take(in, 1) % ARRAY_SIZE(events)];
	case 1:
		return mpidrs[take(in, 1) % NR_PES];
	case 2:
		return 0x1000 + 4 * take(in, 1);	/* plausible code address */
	case 3:
		return take(in, 1) % 20;		/* small: indices, flags, info */
	default:
		return take(in, 8);
	}
}

/*
 * Mostly well-formed arguments for @fid, so that sequences reach registration,
 * delivery and nesting; one selector value in four falls back to noise.
 */
static void gen_args(struct in *in, u32 fid, u64 *a, int n)
{
	u64 sel = take(in, 1);
	int i;

	for (i = 0; i < n; i++)
		a[i] = arg_value(in);
	if (!(sel & 3))
		return;
	sel >>= 2;
	switch (fid) {
	case SDEI_FN_EVENT_REGISTER:
		a[1] = 0x1000 + 4 * (sel & 7);
		a[3] = sel >> 3 & 1;
		a[4] = mpidrs[(sel >> 4) % NR_PES];
		/* fall through */
	case SDEI_FN_EVENT_ENABLE:
	case SDEI_FN_EVENT_DISABLE:
	case SDEI_FN_EVENT_UNREGISTER:
	case SDEI_FN_EVENT_STATUS:
	case SDEI_FN_EVENT_GET_INFO:
	case SDEI_FN_EVENT_ROUTING_SET:
		a[0] = events[sel % 5];
		if (fid == SDEI_FN_EVENT_GET_INFO)
			a[1] = (sel >> 3) % 6;
		if (fid == SDEI_FN_EVENT_ROUTING_SET) {
			a[1] = sel >> 3 & 1;
			a[2] = mpidrs[(sel >> 4) % NR_PES];
		}
		break;
	case SDEI_FN_EVENT_SIGNAL:
		a[0] = 0;
		a[1] = mpidrs[sel % NR_PES];
		break;
	case SDEI_FN_EVENT_CONTEXT:
		a[0] = sel % 19;
		break;
	case SDEI_FN_EVENT_COMPLETE_AND_RESUME:
		a[0] = 0x2000 + 4 * sel;
		break;
	default:
		break;
	}
}

static void check_invariants(struct sdei *s)
{
	int pe, lvl, i, running_on[8];
	u32 ev;

	for (i = 0; i < (int)ARRAY_SIZE(events); i++)
		running_on[i] = 0;

	for (pe = 0; pe < NR_PES; pe++) {
		struct sdei_dispatch d;
		int depth = sdei_pe_depth(s, pe);

		CHECK(depth >= 0 && depth <= 2);
		CHECK(depth == sim[pe].depth);
		for (lvl = 0; lvl < depth; lvl++) {
			ev = sdei_pe_running_event(s, pe, lvl);
			CHECK(ev == sim[pe].event[lvl]);
			CHECK(sdei_event_status(s, pe, ev) & SDEI_STATUS_RUNNING);
			for (i = 0; i < (int)ARRAY_SIZE(events); i++)
				if (events[i] == ev)
					running_on[i]++;
		}
		if (depth == 2) {
			CHECK(!sdei_event_is_critical(sdei_pe_running_event(s, pe, 0)));
			CHECK(sdei_event_is_critical(sdei_pe_running_event(s, pe, 1)));
		}
		if (sdei_next_dispatch(s, pe, &d)) {
			CHECK(!sdei_pe_masked(s, pe));
			CHECK(depth < 2);
			/* A critical handler is never preempted; a normal one only by critical. */
			if (depth == 1) {
				CHECK(!sdei_event_is_critical(sdei_pe_running_event(s, pe, 0)));
				CHECK(d.critical);
			}
			CHECK(sdei_event_status(s, pe, d.event) ==
			      (SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED));
		}
		for (i = 0; i < (int)ARRAY_SIZE(events); i++) {
			int st = sdei_event_status(s, pe, events[i]);

			if (st < 0)
				continue;
			CHECK(st < 8 && st != SDEI_STATUS_ENABLED &&
			      st != (SDEI_STATUS_ENABLED | SDEI_STATUS_RUNNING));
			/* Private running state is this PE's stack. */
			if (!sdei_event_is_shared(events[i])) {
				bool on_stack = false;

				for (lvl = 0; lvl < depth; lvl++)
					on_stack |= sdei_pe_running_event(s, pe, lvl) == events[i];
				CHECK(!!(st & SDEI_STATUS_RUNNING) == on_stack);
			}
		}
	}
	/* A shared event runs on at most one PE, and says so. */
	for (i = 0; i < (int)ARRAY_SIZE(events); i++) {
		if (!sdei_event_is_shared(events[i]))
			continue;
		CHECK(running_on[i] <= 1);
		CHECK(!!(sdei_event_status(s, 0, events[i]) & SDEI_STATUS_RUNNING) ==
		      (running_on[i] == 1));
	}
}

static void do_dispatch(struct sdei *s, int pe)
{
	struct sdei_dispatch d;
	struct sim_pe *p = &sim[pe];

	if (!sdei_next_dispatch(s, pe, &d))
		return;
	CHECK(sdei_dispatch_commit(s, pe, &d, &p->regs));
	CHECK(p->depth < 2);
	p->saved[p->depth] = p->regs;
	p->event[p->depth++] = d.event;
	CHECK(d.x[0] == d.event && d.x[2] == p->regs.pc && d.x[3] == p->regs.pstate);
	/* Exception entry to EL1h: all of DAIF masked, no BTYPE, SS or IL. */
	CHECK((d.pstate & (PSTATE_DAIF | 0x1f)) == PSTATE_EL1H_DAIF);
	CHECK(!(d.pstate & (0xcULL << 8 | 3ULL << 20)));
	CHECK(d.pstate == sdei_entry_pstate(p->regs.pstate, p->regs.sctlr));
	memcpy(p->regs.x, d.x, sizeof(d.x));
	p->regs.pc = d.pc;
	p->regs.pstate = d.pstate;
}

static void do_call(struct sdei *s, struct in *in, int pe)
{
	static const u32 fids[] = {
		SDEI_FN_VERSION, SDEI_FN_EVENT_REGISTER, SDEI_FN_EVENT_ENABLE,
		SDEI_FN_EVENT_DISABLE, SDEI_FN_EVENT_CONTEXT, SDEI_FN_EVENT_COMPLETE,
		SDEI_FN_EVENT_COMPLETE_AND_RESUME, SDEI_FN_EVENT_UNREGISTER,
		SDEI_FN_EVENT_STATUS, SDEI_FN_EVENT_GET_INFO, SDEI_FN_EVENT_ROUTING_SET,
		SDEI_FN_PE_MASK, SDEI_FN_PE_UNMASK, SDEI_FN_INTERRUPT_BIND,
		SDEI_FN_INTERRUPT_RELEASE, SDEI_FN_EVENT_SIGNAL, SDEI_FN_FEATURES,
		SDEI_FN_PRIVATE_RESET, SDEI_FN_SHARED_RESET, 0xc4000033, 0x84000020,
	};
	struct sim_pe *p = &sim[pe];
	struct sdei_result res;
	u32 fid = fids[take(in, 1) % ARRAY_SIZE(fids)];
	int n = sdei_call_nr_args(fid);
	u64 args[5];

	CHECK(n >= 0 && n <= 5);
	gen_args(in, fid, args, n);
	sdei_call(s, pe, fid, args, &res);

	if (res.action == SDEI_ACT_RETURN) {
		s64 r = (s64)res.regs[0];

		CHECK(res.nr_regs == 1);
		if (fid == SDEI_FN_EVENT_CONTEXT && r >= 0 && p->depth) {
			/* Only meaningful for a valid index, which succeeded. */
			CHECK((u32)args[0] < 18 &&
			      res.regs[0] == p->saved[p->depth - 1].x[(u32)args[0]]);
		}
		if (fid == SDEI_FN_EVENT_CONTEXT && !p->depth)
			CHECK(r == SDEI_RET_DENIED || r == SDEI_RET_INVALID_PARAMETERS);
		if (fid == SDEI_FN_EVENT_COMPLETE || fid == SDEI_FN_EVENT_COMPLETE_AND_RESUME)
			CHECK(r == SDEI_RET_DENIED);
		p->regs.x[0] = res.regs[0];
		return;
	}

	/* COMPLETE / COMPLETE_AND_RESUME: restores exactly what dispatch saved. */
	CHECK(fid == SDEI_FN_EVENT_COMPLETE || fid == SDEI_FN_EVENT_COMPLETE_AND_RESUME);
	CHECK(p->depth > 0);
	p->depth--;
	CHECK(res.event == p->event[p->depth]);
	CHECK(!memcmp(&res.ctx, &p->saved[p->depth], sizeof(res.ctx)));
	p->regs = res.ctx;
	if (res.action == SDEI_ACT_RESUME) {
		CHECK(res.elr_el1 == res.ctx.pc && res.spsr_el1 == res.ctx.pstate);
		CHECK(res.resume_pc == args[0] &&
		      res.resume_pstate == sdei_entry_pstate(res.ctx.pstate, res.ctx.sctlr));
		p->elr = res.elr_el1;
		p->spsr = res.spsr_el1;
		p->regs.pc = res.resume_pc;
		p->regs.pstate = res.resume_pstate;
	}
}

/* A well-behaved client's REGISTER, ENABLE, PE_UNMASK in one step: reaches nesting. */
static void setup(struct sdei *s, struct in *in, int pe)
{
	u64 sel = take(in, 1);
	u64 a[5] = { events[sel % 5], 0x1000 + 4 * (sel >> 3), sel, SDEI_REGF_RM_ANY, 0 };
	struct sdei_result res;

	sdei_call(s, pe, SDEI_FN_EVENT_REGISTER, a, &res);
	sdei_call(s, pe, SDEI_FN_EVENT_ENABLE, a, &res);
	sdei_call(s, pe, SDEI_FN_PE_UNMASK, NULL, &res);
	sim[pe].regs.x[0] = res.regs[0];
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct in in = { data, size };
	struct sdei *s = sdei_create(NR_PES, mpidrs);
	int pe, kick[NR_PES * 2], n, i, steps = 0;

	CHECK(s);
	memset(sim, 0, sizeof(sim));
	for (pe = 0; pe < NR_PES; pe++)
		sim[pe].regs.pc = 0x40000000 + 0x100 * (u64)pe;

	while (in.n && steps++ < 4096) {
		u8 op = (u8)take(&in, 1);

		pe = (int)(take(&in, 1) % NR_PES);
		switch (op % 11) {
		case 0: case 1: case 2: case 3:
			do_call(s, &in, pe);
			break;
		case 4:
			sdei_raise(s, events[take(&in, 1) % ARRAY_SIZE(events)],
				   (int)(take(&in, 1) % (NR_PES + 2)) - 1);
			break;
		case 5: case 6:
			do_dispatch(s, pe);
			break;
		case 7:
			/* The handler (or the interrupted code) runs and clobbers registers. */
			for (i = 0; i < SDEI_SAVED_GPRS; i++)
				sim[pe].regs.x[i] ^= take(&in, 1) * 0x0101010101010101ULL;
			sim[pe].regs.pc += 4;
			break;
		case 8:
			n = sdei_pes_to_kick(s, kick, ARRAY_SIZE(kick));
			CHECK(n >= 0 && n <= NR_PES);
			for (i = 0; i < n; i++) {
				struct sdei_dispatch d;

				CHECK(kick[i] >= 0 && kick[i] < NR_PES);
				CHECK(sdei_next_dispatch(s, kick[i], &d));
			}
			break;
		case 10:
			setup(s, &in, pe);
			break;
		case 9:
			switch (take(&in, 1) % 4) {
			case 0:
				sdei_pe_set_power(s, pe, SDEI_PE_OFF);
				sim[pe].depth = 0;
				break;
			case 1:
				sdei_pe_set_power(s, pe, SDEI_PE_SUSPENDED);
				break;
			case 2:
				sdei_pe_set_power(s, pe, SDEI_PE_ON);
				break;
			default:
				sdei_reset(s);
				for (i = 0; i < NR_PES; i++)
					sim[i].depth = 0;
				for (i = 0; i < NR_PES; i++)
					CHECK(sdei_pe_masked(s, i) && !sdei_pe_has_pending(s, i));
				break;
			}
			break;
		}
		check_invariants(s);
	}
	sdei_destroy(s);
	return 0;
}
