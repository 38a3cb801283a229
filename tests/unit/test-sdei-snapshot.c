// SPDX-License-Identifier: GPL-2.0
/*
 * The SDEI dispatcher in a snapshot (sdei_save/sdei_load): a dispatcher
 * loaded from another's snapshot answers every later call as the original
 * does, mid-handler included, and a snapshot that is cut or altered is
 * refused with a reason, never half loaded.
 */
#include <stdlib.h>
#include <string.h>

#include "lkvm/le.h"
#include "lkvm/regs.h"
#include "lkvm/sdei.h"
#include "lkvm/snapshot.h"
#include "tap.h"

#define NR	3
#define EP	0x40001000ULL
#define ARG	0xa5a5ULL

#define E0	SDEI_EVENT_SW_SIGNALED
#define PN	SDEI_EVENT_PRIV_NORMAL
#define PC	SDEI_EVENT_PRIV_CRITICAL
#define SN	SDEI_EVENT_SHARED_NORMAL
#define SC	SDEI_EVENT_SHARED_CRITICAL

/* MPIDR_EL1 as read: bit 31 RES1; PE 2 in another Aff2/Aff1 cluster. */
static const u64 mpidrs[NR] = { 0x80000000, 0x80000001, 0x80010100 };
static const u32 events[] = { E0, PN, PC, SN, SC, 7 };

/* The layout sdei.c documents: where to poke. */
#define OFF_NR_PES	0
#define OFF_RR		4
#define ENTRY		31	/* u32 event, u8 state, pending, rm_pe, u64 ep, arg, affinity */
#define E_STATE		4
#define E_PENDING	5
#define E_RM_PE		6
#define E_EP		7
#define E_ARG		15
#define E_AFF		23
#define OFF_SHARED	8
#define OFF_PE0		(OFF_SHARED + 2 * ENTRY)
#define PE_MASKED	8
#define PE_POWER	9
#define PE_DEPTH	10
#define PE_FRAMES	11
#define FRAME		(4 + 21 * 8)

static struct sdei *a, *b;
static struct sdei_result ra, rb;

/* ---- helpers ------------------------------------------------------------- */

static struct sdei_ctx mkctx(u64 seed)
{
	struct sdei_ctx c;

	for (int i = 0; i < SDEI_SAVED_GPRS; i++)
		c.x[i] = seed * 0x100 + (u64)i;
	c.pc = 0xffff800010000000ULL + seed * 4;
	c.pstate = 0x60000005 | (seed & 1 ? 0x80 : 0);
	c.sctlr = seed & 2 ? SCTLR_EL1_SPAN : 0;
	return c;
}

static s64 call(struct sdei *s, int pe, u32 fid, const u64 *args, struct sdei_result *res)
{
	sdei_call(s, pe, fid, args, res);
	return (s64)res->regs[0];
}

static s64 call1(struct sdei *s, int pe, u32 fid, u64 a1)
{
	u64 args[5] = { a1 };
	struct sdei_result res;

	return call(s, pe, fid, args, &res);
}

static void reg(struct sdei *s, int pe, u32 ev, u64 flags, u64 aff)
{
	u64 args[5] = { ev, EP + ev * 16, ARG + ev, flags, aff };
	struct sdei_result res;

	call(s, pe, SDEI_FN_EVENT_REGISTER, args, &res);
}

static void setup(struct sdei *s, int pe, u32 ev)
{
	reg(s, pe, ev, SDEI_REGF_RM_ANY, 0);
	call1(s, pe, SDEI_FN_EVENT_ENABLE, ev);
	call1(s, pe, SDEI_FN_PE_UNMASK, 0);
}

static s64 dispatch(struct sdei *s, int pe, const struct sdei_ctx *ctx, struct sdei_dispatch *d)
{
	if (!sdei_next_dispatch(s, pe, d) || !sdei_dispatch_commit(s, pe, d, ctx))
		return -1;
	return d->event;
}

static void save(const struct sdei *s, struct snap_w *w)
{
	snapshot_w_init(w);
	sdei_save(s, w);
}

static bool same_bytes(const struct snap_w *x, const struct snap_w *y)
{
	return x->len == y->len && !memcmp(x->buf, y->buf, x->len);
}

/*
 * A fresh dispatcher loaded from @src's snapshot, or NULL (said why) when
 * it is refused, leaves bytes unread, or does not save back the same bytes.
 */
static struct sdei *copy(const struct sdei *src)
{
	struct sdei *d = sdei_create(NR, mpidrs);
	struct snap_w w, w2;
	struct snap_r r;
	const char *why = NULL;
	bool ok;

	save(src, &w);
	snapshot_r_init(&r, w.buf, w.len);
	ok = sdei_load(d, &r, &why) == 0 && snapshot_r_ok(&r);
	if (!ok)
		tap_diag("load refused: %s", why ? why : "(bytes left)");
	save(d, &w2);
	if (ok && !same_bytes(&w, &w2)) {
		tap_diag("loaded, but saves back differently");
		ok = false;
	}
	snapshot_w_free(&w);
	snapshot_w_free(&w2);
	if (!ok) {
		sdei_destroy(d);
		return NULL;
	}
	return d;
}

static bool same_result(const struct sdei_result *x, const struct sdei_result *y)
{
	return x->action == y->action && x->nr_regs == y->nr_regs &&
	       !memcmp(x->regs, y->regs, sizeof(x->regs)) &&
	       !memcmp(&x->ctx, &y->ctx, sizeof(x->ctx)) && x->resume_pc == y->resume_pc &&
	       x->resume_pstate == y->resume_pstate && x->elr_el1 == y->elr_el1 &&
	       x->spsr_el1 == y->spsr_el1 && x->event == y->event && x->failed == y->failed &&
	       x->kick == y->kick;
}

static bool same_dispatch(const struct sdei_dispatch *x, const struct sdei_dispatch *y)
{
	return x->event == y->event && x->critical == y->critical &&
	       !memcmp(x->x, y->x, sizeof(x->x)) && x->pc == y->pc && x->pstate == y->pstate &&
	       x->slot == y->slot;
}

/* The same call on @a and @b: the same answer?  ra holds it. */
static bool both(int pe, u32 fid, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	u64 args[5] = { a1, a2, a3, a4, a5 };

	call(a, pe, fid, args, &ra);
	call(b, pe, fid, args, &rb);
	return same_result(&ra, &rb);
}

static bool same_str(const char *x, const char *y)
{
	return x == y || (x && y && !strcmp(x, y));
}

/*
 * Everything @a and @b can be asked without changing them (the round robin
 * aside, which both move alike): the same answers?  @what says where not.
 */
static bool same_view(const char **what)
{
	int ka[NR * 2], kb[NR * 2], na, nb;

	for (int pe = 0; pe < NR; pe++) {
		struct sdei_dispatch da, db;
		bool ga, gb;

		*what = "depth, running events, mask, power";
		if (sdei_pe_depth(a, pe) != sdei_pe_depth(b, pe) ||
		    sdei_pe_masked(a, pe) != sdei_pe_masked(b, pe) ||
		    sdei_pe_power_state(a, pe) != sdei_pe_power_state(b, pe) ||
		    sdei_pe_has_pending(a, pe) != sdei_pe_has_pending(b, pe) ||
		    sdei_pe_has_private_state(a, pe) != sdei_pe_has_private_state(b, pe))
			return false;
		for (int l = 0; l < 2; l++)
			if (sdei_pe_running_event(a, pe, l) != sdei_pe_running_event(b, pe, l))
				return false;
		*what = "next dispatch";
		ga = sdei_next_dispatch(a, pe, &da);
		gb = sdei_next_dispatch(b, pe, &db);
		if (ga != gb || !same_dispatch(&da, &db))
			return false;
		for (size_t i = 0; i < ARRAY_SIZE(events); i++) {
			u32 ev = events[i];

			*what = "status, pending reason, GET_INFO";
			if (sdei_event_status(a, pe, ev) != sdei_event_status(b, pe, ev) ||
			    !same_str(sdei_pending_reason(a, pe, ev),
				      sdei_pending_reason(b, pe, ev)) ||
			    !both(pe, SDEI_FN_EVENT_STATUS, ev, 0, 0, 0, 0))
				return false;
			for (u64 info = 0; info <= 5; info++)
				if (!both(pe, SDEI_FN_EVENT_GET_INFO, ev, info, 0, 0, 0))
					return false;
		}
		*what = "CONTEXT";
		for (u64 x = 0; x <= SDEI_SAVED_GPRS; x++)
			if (!both(pe, SDEI_FN_EVENT_CONTEXT, x, 0, 0, 0, 0))
				return false;
	}
	*what = "PEs to kick";
	na = sdei_pes_to_kick(a, ka, NR * 2);
	nb = sdei_pes_to_kick(b, kb, NR * 2);
	return na == nb && !memcmp(ka, kb, sizeof(ka[0]) * (size_t)na);
}

/* @b := a copy of @a, and they look alike. */
static bool recopy(void)
{
	const char *what = "";

	if (b)
		sdei_destroy(b);
	b = copy(a);
	if (!b)
		return false;
	if (!same_view(&what)) {
		tap_diag("the copy answers differently: %s", what);
		return false;
	}
	return true;
}

static void fresh(void)
{
	if (a)
		sdei_destroy(a);
	if (b)
		sdei_destroy(b);
	a = sdei_create(NR, mpidrs);
	b = NULL;
}

/* ---- scenarios ---------------------------------------------------------------- */

static void test_idle(void)
{
	fresh();
	tap_ok(recopy(), "fresh dispatcher: the copy answers alike and saves back the same bytes");
	setup(a, 0, PN);
	setup(a, 1, E0);
	reg(a, 2, SN, SDEI_REGF_RM_PE, mpidrs[2]);
	reg(a, 0, SC, SDEI_REGF_RM_ANY, 0);
	call1(a, 0, SDEI_FN_EVENT_ENABLE, SC);
	tap_ok(recopy(), "registrations (private, shared RM_PE, RM_ANY), enables, unmasks: alike");
	tap_ok(sdei_event_status(b, 0, PN) == (SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED) &&
	       !sdei_pe_masked(b, 0) && sdei_pe_masked(b, 2) &&
	       both(2, SDEI_FN_EVENT_GET_INFO, SN, SDEI_INFO_EV_ROUTING_AFF, 0, 0, 0) &&
	       ra.regs[0] == (mpidrs[2] & MPIDR_AFF_MASK),
	       "the copy: PN registered+enabled on PE 0, PE 2 masked, SN's affinity PE 2");
}

static void test_mid_handler(void)
{
	struct sdei_ctx c1 = mkctx(1), c2 = mkctx(2);
	struct sdei_dispatch d;
	bool ok;

	fresh();
	setup(a, 0, PN);
	sdei_raise(a, PN, 0);
	ok = dispatch(a, 0, &c1, &d) == PN;
	tap_ok(ok && recopy() && sdei_pe_depth(b, 0) == 1 && sdei_pe_running_event(b, 0, 0) == PN,
	       "saved in a handler: the copy runs PN on PE 0 too");
	ok = both(0, SDEI_FN_EVENT_CONTEXT, 5, 0, 0, 0, 0) && ra.regs[0] == c1.x[5];
	tap_ok(ok, "CONTEXT(5) in the copy: the interrupted x5");
	ok = both(0, SDEI_FN_EVENT_COMPLETE, SDEI_EV_HANDLED, 0, 0, 0, 0) &&
	     ra.action == SDEI_ACT_COMPLETE && !memcmp(&rb.ctx, &c1, sizeof(c1)) && rb.event == PN;
	tap_ok(ok, "COMPLETE on both: the same result, the interrupted context back");
	tap_ok(sdei_pe_depth(b, 0) == 0 && recopy(), "after COMPLETE: nothing runs, alike");

	/* Nested: a critical handler on a normal one, saved with both running. */
	fresh();
	setup(a, 0, PN);
	reg(a, 0, SC, SDEI_REGF_RM_PE, mpidrs[0]);
	call1(a, 0, SDEI_FN_EVENT_ENABLE, SC);
	sdei_raise(a, PN, 0);
	ok = dispatch(a, 0, &c1, &d) == PN;
	sdei_raise(a, SC, 0);
	ok = ok && dispatch(a, 0, &c2, &d) == SC;
	tap_ok(ok && recopy() && sdei_pe_depth(b, 0) == 2 && sdei_pe_running_event(b, 0, 1) == SC,
	       "saved two handlers deep: the copy runs SC on PN");
	ok = both(0, SDEI_FN_EVENT_COMPLETE_AND_RESUME, 0x40008000, 0, 0, 0, 0) &&
	     ra.action == SDEI_ACT_RESUME && !memcmp(&rb.ctx, &c2, sizeof(c2)) &&
	     rb.resume_pc == 0x40008000 && rb.elr_el1 == c2.pc && rb.spsr_el1 == c2.pstate;
	tap_ok(ok, "COMPLETE_AND_RESUME on both: the inner context, ELR/SPSR, resume PC alike");
	ok = both(0, SDEI_FN_EVENT_COMPLETE, SDEI_EV_FAILED, 0, 0, 0, 0) &&
	     ra.action == SDEI_ACT_COMPLETE && !memcmp(&rb.ctx, &c1, sizeof(c1)) && rb.failed;
	tap_ok(ok, "then COMPLETE(FAILED): the outer context on both");
	ok = both(0, SDEI_FN_EVENT_COMPLETE, 0, 0, 0, 0, 0) &&
	     (s64)ra.regs[0] == SDEI_RET_DENIED;
	tap_ok(ok, "a third COMPLETE: DENIED on both");

	/* A shared handler on PE 1, unregistered while it runs: COMPLETE finishes it. */
	fresh();
	reg(a, 1, SN, SDEI_REGF_RM_ANY, 0);
	call1(a, 1, SDEI_FN_EVENT_ENABLE, SN);
	call1(a, 1, SDEI_FN_PE_UNMASK, 0);
	sdei_raise(a, SN, 0);
	ok = dispatch(a, 1, &c1, &d) == SN &&
	     call1(a, 1, SDEI_FN_EVENT_UNREGISTER, SN) == SDEI_RET_PENDING;
	sdei_raise(a, SN, 0);
	tap_ok(ok && recopy() && sdei_event_status(b, 0, SN) == SDEI_STATUS_RUNNING,
	       "saved with an unregistration pending: the copy says running only");
	ok = both(1, SDEI_FN_EVENT_COMPLETE, 0, 0, 0, 0, 0) && ra.action == SDEI_ACT_COMPLETE &&
	     sdei_event_status(b, 1, SN) == 0 && recopy();
	tap_ok(ok, "COMPLETE: unregistered on both");
}

static void test_pending_and_power(void)
{
	struct sdei_dispatch da, db;
	struct sdei_ctx c1 = mkctx(3);
	bool ok;

	/* RM_PE to a masked PE: it waits there; unmasking delivers it on both. */
	fresh();
	reg(a, 0, SN, SDEI_REGF_RM_PE, mpidrs[2]);
	call1(a, 0, SDEI_FN_EVENT_ENABLE, SN);
	call1(a, 1, SDEI_FN_PE_UNMASK, 0);
	sdei_raise(a, SN, 0);
	ok = recopy() && !sdei_next_dispatch(b, 2, &db) &&
	     same_str(sdei_pending_reason(b, 2, SN), "the PE is masked");
	tap_ok(ok, "pending for a masked PE: the copy holds it, for the same reason");
	ok = both(2, SDEI_FN_PE_UNMASK, 0, 0, 0, 0, 0) && ra.kick &&
	     sdei_next_dispatch(a, 2, &da) && sdei_next_dispatch(b, 2, &db) &&
	     same_dispatch(&da, &db) && da.event == SN;
	tap_ok(ok, "PE_UNMASK on both: SN goes to PE 2 alike");

	/* A suspended PE keeps its events; an off PE has lost them. */
	fresh();
	setup(a, 0, PN);
	setup(a, 1, PC);
	sdei_raise(a, PN, 0);
	sdei_pe_set_power(a, 0, SDEI_PE_SUSPENDED);
	sdei_pe_set_power(a, 1, SDEI_PE_OFF);
	ok = recopy() && sdei_pe_power_state(b, 0) == SDEI_PE_SUSPENDED &&
	     sdei_pe_power_state(b, 1) == SDEI_PE_OFF && sdei_pe_has_pending(b, 0) &&
	     sdei_event_status(b, 1, PC) == 0;
	tap_ok(ok, "suspended PE with PN pending, off PE: alike");
	sdei_pe_set_power(a, 0, SDEI_PE_ON);
	sdei_pe_set_power(b, 0, SDEI_PE_ON);
	ok = sdei_pe_masked(b, 0) && both(0, SDEI_FN_PE_UNMASK, 0, 0, 0, 0, 0) &&
	     dispatch(a, 0, &c1, &da) == PN && dispatch(b, 0, &c1, &db) == PN &&
	     same_dispatch(&da, &db);
	tap_ok(ok, "woken, unmasked: PN delivered alike");

	/* Event 0 signalled to PE 1 by PE 0. */
	fresh();
	setup(a, 1, E0);
	call(a, 0, SDEI_FN_EVENT_SIGNAL, (u64[5]){ E0, mpidrs[1] }, &ra);
	ok = recopy() && sdei_next_dispatch(b, 1, &db) && db.event == E0 && db.x[1] == ARG + E0;
	tap_ok(ok, "event 0 signalled, not yet taken: the copy delivers it with its argument");

	/* The round robin of RM_ANY events comes along. */
	fresh();
	for (int pe = 0; pe < NR; pe++)
		call1(a, pe, SDEI_FN_PE_UNMASK, 0);
	reg(a, 0, SN, SDEI_REGF_RM_ANY, 0);
	call1(a, 0, SDEI_FN_EVENT_ENABLE, SN);
	sdei_raise(a, SN, 0);
	{
		int k[NR];

		sdei_pes_to_kick(a, k, NR);
		sdei_pes_to_kick(a, k, NR);
	}
	tap_ok(recopy(), "RM_ANY pending, round robin moved on twice: the copy kicks the same PEs");
}

/* ---- refusals ---------------------------------------------------------------- */

/*
 * A snapshot of a busy dispatcher: PE 0 two handlers deep (PN, then SC
 * routed to it), PE 1 with E0 registered and pending, PE 2 masked.
 */
static void busy(struct snap_w *w)
{
	struct sdei_ctx c1 = mkctx(5), c2 = mkctx(6);
	struct sdei_dispatch d;

	fresh();
	setup(a, 0, PN);
	reg(a, 0, SC, SDEI_REGF_RM_PE, mpidrs[0]);
	call1(a, 0, SDEI_FN_EVENT_ENABLE, SC);
	sdei_raise(a, PN, 0);
	dispatch(a, 0, &c1, &d);
	sdei_raise(a, SC, 0);
	dispatch(a, 0, &c2, &d);
	setup(a, 1, E0);
	call1(a, 1, SDEI_FN_PE_MASK, 0);
	sdei_raise(a, E0, 1);
	call1(a, 1, SDEI_FN_PE_UNMASK, 0);
	sdei_raise(a, E0, 1);
	reg(a, 1, SN, SDEI_REGF_RM_ANY, 0);
	save(a, w);
}

/* Load @len bytes of @p into a fresh dispatcher: NULL if taken whole, else why not. */
static const char *load(const u8 *p, size_t len)
{
	struct sdei *d = sdei_create(NR, mpidrs);
	struct snap_w before, after;
	struct snap_r r;
	const char *why = NULL;
	int ret;

	save(d, &before);
	snapshot_r_init(&r, p, len);
	ret = sdei_load(d, &r, &why);
	save(d, &after);
	/* Refused: left as it was. */
	if (ret < 0 && !same_bytes(&before, &after))
		why = "(refused, but changed)";
	if (ret == 0 && !snapshot_r_ok(&r))
		why = "(bytes left over)";
	if (ret < 0 && !why)
		why = "(refused without a reason)";
	snapshot_w_free(&before);
	snapshot_w_free(&after);
	sdei_destroy(d);
	return ret < 0 || why ? why : NULL;
}

/* @w with @n bytes at @off replaced by the little-endian @v: why a load refuses it. */
static const char *poke(const struct snap_w *w, size_t off, int n, u64 v)
{
	u8 *p = malloc(w->len);
	const char *why;

	memcpy(p, w->buf, w->len);
	le_put(p + off, (unsigned int)n, v);
	why = load(p, w->len);
	free(p);
	return why;
}

static bool why_is(const char *why, const char *want)
{
	if (same_str(why, want))
		return true;
	tap_diag("why: \"%s\", expected \"%s\"", why ? why : "(accepted)",
		 want ? want : "(accepted)");
	return false;
}

static void test_refusals(void)
{
	/* PE 0 has two frames, PE 1 none: their offsets. */
	const size_t pe0 = OFF_PE0, pe0_priv = pe0 + PE_FRAMES + 2 * FRAME;
	const size_t pe1 = pe0_priv + 3 * ENTRY, pe1_priv = pe1 + PE_FRAMES;
	const size_t sc = OFF_SHARED + ENTRY, sn = OFF_SHARED;
	const char *disagree = "a running event and the handlers running disagree";
	const char *noroute = "a shared event's route names no PE";
	struct snap_w w;
	struct snap_r r;
	struct sdei *d;
	const char *why = NULL;
	bool ok = true;
	int accepted = 0, refused = 0;

	busy(&w);
	tap_ok(why_is(load(w.buf, w.len), NULL) &&
	       w.len == pe1_priv + 3 * ENTRY + (NR - 2) * (PE_FRAMES + 3 * ENTRY),
	       "the busy snapshot loads, and is as long as the layout says (%zu bytes)", w.len);

	for (size_t n = 0; n < w.len && ok; n++) {
		why = load(w.buf, n);
		ok = why && why[0] != '(';
	}
	tap_ok(ok, "cut at every length from 0 to %zu: refused, with a reason, nothing changed",
	       w.len - 1);
	snapshot_put_u8(&w, 0);
	d = sdei_create(NR, mpidrs);
	snapshot_r_init(&r, w.buf, w.len);
	tap_ok(sdei_load(d, &r, &why) == 0 && r.off == w.len - 1 && !snapshot_r_ok(&r),
	       "a byte more: loaded, that byte left for the caller to notice");
	sdei_destroy(d);
	w.len--;

	d = sdei_create(2, mpidrs);
	snapshot_r_init(&r, w.buf, w.len);
	tap_ok(sdei_load(d, &r, &why) < 0 && why_is(why, "saved with another number of vCPUs"),
	       "into a dispatcher of 2 PEs: \"saved with another number of vCPUs\"");
	sdei_destroy(d);
	{
		static const u64 other[NR] = { 0x80000000, 0x80000001, 0x80000002 };

		d = sdei_create(NR, other);
		snapshot_r_init(&r, w.buf, w.len);
		tap_ok(sdei_load(d, &r, &why) < 0 && why_is(why, "a PE's MPIDR differs"),
		       "into PEs with other MPIDRs: \"a PE's MPIDR differs\"");
		sdei_destroy(d);
	}

	tap_ok(why_is(poke(&w, OFF_NR_PES, 4, 4), "saved with another number of vCPUs") &&
	       why_is(poke(&w, OFF_NR_PES, 4, 0), "saved with another number of vCPUs"),
	       "nr_pes 4 or 0: refused");
	tap_ok(why_is(poke(&w, OFF_RR, 4, NR), "its round-robin PE does not exist") &&
	       why_is(poke(&w, OFF_RR, 4, NR - 1), NULL), "round robin: PE 3 refused, PE 2 taken");
	tap_ok(why_is(poke(&w, sn, 4, SC), "an event number is unknown or out of place") &&
	       why_is(poke(&w, pe1_priv, 4, 7), "an event number is unknown or out of place"),
	       "an entry's event number swapped or unknown: refused");
	tap_ok(why_is(poke(&w, pe1_priv + E_STATE, 1, 8), "an event's state is impossible") &&
	       why_is(poke(&w, pe1_priv + ENTRY + E_STATE, 1, SDEI_STATUS_ENABLED),
		      "an event's state is impossible"),
	       "event state: bit 3, or enabled but not registered: refused");
	tap_ok(why_is(poke(&w, pe1_priv + E_PENDING, 1, 2),
		      "a flag is neither 0 nor 1") &&
	       why_is(poke(&w, pe0 + PE_MASKED, 1, 0x10),
		      "a flag is neither 0 nor 1"),
	       "pending 2, masked 0x10: refused");
	tap_ok(why_is(poke(&w, pe1_priv + ENTRY + E_ARG, 8, 1),
		      "an unregistered event keeps a registration") &&
	       why_is(poke(&w, pe1_priv + ENTRY + E_PENDING, 1, 1),
		      "an unregistered event keeps a registration"),
	       "an unregistered event with an argument, or pending: refused");
	tap_ok(why_is(poke(&w, pe1_priv + E_EP, 8, EP + 2),
		      "an event's entry point is not a code address") &&
	       why_is(poke(&w, pe1_priv + E_EP, 8, 0),
		      "an event's entry point is not a code address"),
	       "a registered event's entry point misaligned or 0: refused");
	tap_ok(why_is(poke(&w, pe1_priv + E_RM_PE, 1, 1), "a private event has a route") &&
	       why_is(poke(&w, pe1_priv + E_AFF, 8, 1), "a private event has a route"),
	       "a private event with RM_PE or an affinity: refused");
	tap_ok(why_is(poke(&w, sc + E_AFF, 8, 0x80000005), noroute) &&
	       why_is(poke(&w, sc + E_AFF, 8, 0x100000000ULL), noroute) &&
	       why_is(poke(&w, sc + E_AFF, 8, 0x1), NULL),
	       "SC routed to no PE, or with a bit outside Aff3..0: refused; to PE 1: taken");
	tap_ok(why_is(poke(&w, pe1 + 0, 8, 0x80000000), "a PE's MPIDR differs"),
	       "PE 1 saved with PE 0's MPIDR: refused");
	tap_ok(why_is(poke(&w, pe0 + PE_POWER, 1, 3), "a PE's power state is unknown"),
	       "power 3: refused");
	tap_ok(why_is(poke(&w, pe0 + PE_DEPTH, 1, 3), "more than two handlers are nested"),
	       "depth 3: refused");
	tap_ok(why_is(poke(&w, pe0 + PE_POWER, 1, SDEI_PE_OFF), "a PE that is off runs a handler"),
	       "PE 0 off with handlers: refused");
	tap_ok(why_is(poke(&w, pe0 + PE_FRAMES, 4, 3), "a running handler's event is unknown"),
	       "a frame's event 3: refused");
	tap_ok(why_is(poke(&w, pe0 + PE_FRAMES, 4, SC),
		      "nested handlers do not have the priorities nesting needs") &&
	       why_is(poke(&w, pe0 + PE_FRAMES + FRAME, 4, PN),
		      "nested handlers do not have the priorities nesting needs"),
	       "two critical, or two normal handlers nested: refused");
	/* Frame 0 says E0 instead of PN: both the E0 and the PN entries disagree. */
	tap_ok(why_is(poke(&w, pe0 + PE_FRAMES, 4, E0), disagree) &&
	       why_is(poke(&w, pe0_priv + ENTRY + E_STATE, 1,
			   SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED), disagree) &&
	       why_is(poke(&w, sc + E_STATE, 1, SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED),
		      disagree) &&
	       why_is(poke(&w, pe1_priv + E_STATE, 1, SDEI_STATUS_REGISTERED |
			   SDEI_STATUS_ENABLED | SDEI_STATUS_RUNNING), disagree) &&
	       why_is(poke(&w, sn + E_STATE, 1, SDEI_STATUS_REGISTERED | SDEI_STATUS_RUNNING),
		      disagree),
	       "running bits and handler frames that disagree (private, shared, either way)");
	/* Depth 1: the second frame's bytes are read as PE 0's private events. */
	why = poke(&w, pe0 + PE_DEPTH, 1, 1);
	tap_ok(why && why[0] != '(', "depth 2 said 1: refused (%s)", why);

	/* Every bit of every byte: refused with a reason and unchanged, or taken whole. */
	ok = true;
	for (size_t i = 0; i < w.len && ok; i++)
		for (int bit = 0; bit < 8 && ok; bit++) {
			u8 *p = malloc(w.len);

			memcpy(p, w.buf, w.len);
			p[i] ^= (u8)(1u << bit);
			why = load(p, w.len);
			ok = !why || why[0] != '(';
			if (why)
				refused++;
			else
				accepted++;
			free(p);
		}
	tap_ok(ok, "every one of %zu bits flipped: %d refused with a reason, %d taken whole",
	       w.len * 8, refused, accepted);
	snapshot_w_free(&w);
}

/* ---- a random walk: the copy answers like the original, step after step ------- */

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u64 arg(void)
{
	switch (rnd() % 6) {
	case 0:
		return events[rnd() % ARRAY_SIZE(events)];
	case 1:
		return mpidrs[rnd() % NR];
	case 2:
		return 0x1000 + 4 * (rnd() % 64);
	case 3:
		return rnd() % 20;
	default:
		return rnd();
	}
}

/* One step of a client, the VMM or the glue, the same on @a and @b: alike? */
static bool walk_step(void)
{
	static const u32 fids[] = {
		SDEI_FN_EVENT_REGISTER, SDEI_FN_EVENT_ENABLE, SDEI_FN_EVENT_DISABLE,
		SDEI_FN_EVENT_CONTEXT, SDEI_FN_EVENT_COMPLETE, SDEI_FN_EVENT_COMPLETE_AND_RESUME,
		SDEI_FN_EVENT_UNREGISTER, SDEI_FN_EVENT_ROUTING_SET, SDEI_FN_PE_MASK,
		SDEI_FN_PE_UNMASK, SDEI_FN_EVENT_SIGNAL, SDEI_FN_PRIVATE_RESET,
		SDEI_FN_SHARED_RESET,
	};
	int pe = (int)(rnd() % NR);
	struct sdei_dispatch da, db;
	struct sdei_ctx c;
	u64 x[5];
	u32 ev;
	bool ga, gb;

	switch (rnd() % 12) {
	case 0: case 1: case 2: case 3: {
		u32 fid = fids[rnd() % ARRAY_SIZE(fids)];

		for (int i = 0; i < 5; i++)
			x[i] = arg();
		/* Mostly well-formed, to get far: a known event, a routable PE. */
		if (rnd() % 4) {
			x[0] = fid == SDEI_FN_EVENT_SIGNAL ? E0 : events[rnd() % 5];
			x[1] = fid == SDEI_FN_EVENT_REGISTER ? 0x1000 + 4 * (rnd() % 8) :
			       fid == SDEI_FN_EVENT_SIGNAL ? mpidrs[rnd() % NR] : rnd() % 2;
			x[2] = fid == SDEI_FN_EVENT_ROUTING_SET ? mpidrs[rnd() % NR] : x[2];
			x[3] = rnd() % 2;
			x[4] = mpidrs[rnd() % NR];
			if (fid == SDEI_FN_EVENT_COMPLETE_AND_RESUME)
				x[0] = 0x2000 + 4 * (rnd() % 8);
		}
		return both(pe, fid, x[0], x[1], x[2], x[3], x[4]);
	}
	case 4:
		ev = events[rnd() % ARRAY_SIZE(events)];
		pe = (int)(rnd() % (NR + 1));
		return sdei_raise(a, ev, pe) == sdei_raise(b, ev, pe);
	case 5: case 6: case 7:
		c = mkctx(rnd());
		ga = sdei_next_dispatch(a, pe, &da) && sdei_dispatch_commit(a, pe, &da, &c);
		gb = sdei_next_dispatch(b, pe, &db) && sdei_dispatch_commit(b, pe, &db, &c);
		return ga == gb && same_dispatch(&da, &db);
	case 8: {
		enum sdei_pe_power p = (enum sdei_pe_power)(rnd() % 3);

		/* Off is rare in life, and undoes much: not too often. */
		if (p == SDEI_PE_OFF && rnd() % 4)
			p = SDEI_PE_ON;
		sdei_pe_set_power(a, pe, p);
		sdei_pe_set_power(b, pe, p);
		return true;
	}
	case 9:
		if (rnd() % 50 == 0) {
			sdei_reset(a);
			sdei_reset(b);
		}
		return true;
	default:
		ev = events[rnd() % 5];
		x[0] = rnd() % 2;
		x[1] = mpidrs[rnd() % NR];
		for (struct sdei *s = a; s; s = s == a ? b : NULL) {
			reg(s, pe, ev, x[0], x[1]);
			call1(s, pe, SDEI_FN_EVENT_ENABLE, ev);
			call1(s, pe, SDEI_FN_PE_UNMASK, 0);
		}
		return true;
	}
}

static void test_walk(void)
{
	int copies = 0, nested = 0, in_handler = 0, pending = 0, steps = 0;
	const char *what = "";
	bool ok = true;

	fresh();
	ok = recopy();
	for (steps = 0; steps < 20000 && ok; steps++) {
		if (!walk_step()) {
			tap_diag("step %d: the copy answered differently", steps);
			ok = false;
			break;
		}
		if (!same_view(&what)) {
			tap_diag("step %d: the copy looks different: %s", steps, what);
			ok = false;
			break;
		}
		/* Now and then, the copy is taken afresh from the original as it is. */
		if (rnd() % 3 == 0) {
			for (int pe = 0; pe < NR; pe++) {
				nested += sdei_pe_depth(a, pe) == 2;
				in_handler += sdei_pe_depth(a, pe) > 0;
				pending += sdei_pe_has_pending(a, pe);
			}
			copies++;
			if (!recopy()) {
				tap_diag("step %d: copying failed", steps);
				ok = false;
			}
		}
	}
	tap_ok(ok, "random walk, %d steps: original and copy answer alike at every step", steps);
	tap_ok(copies > 5000 && nested > 40 && in_handler > 1000 && pending > 500,
	       "the walk copied %d times: %d PEs two handlers deep, %d in a handler, "
	       "%d with an event pending", copies, nested, in_handler, pending);
	sdei_destroy(a);
	sdei_destroy(b);
	a = b = NULL;
}

int main(void)
{
	tap_plan(44);
	test_idle();
	test_mid_handler();
	test_pending_and_power();
	test_refusals();
	test_walk();
	return tap_done();
}
