// SPDX-License-Identifier: GPL-2.0
/* The SDEI dispatcher, driven the way the KVM glue and a guest client drive it. */
#include <string.h>

#include "lkvm/regs.h"
#include "lkvm/sdei.h"
#include "tap.h"

#define EP	0x40001000ULL
#define EP2	0x40002000ULL
#define ARG	0xa5a5ULL

#define E0	SDEI_EVENT_SW_SIGNALED
#define PN	SDEI_EVENT_PRIV_NORMAL
#define PC	SDEI_EVENT_PRIV_CRITICAL
#define SN	SDEI_EVENT_SHARED_NORMAL
#define SC	SDEI_EVENT_SHARED_CRITICAL

#define INVAL	SDEI_RET_INVALID_PARAMETERS
#define DENIED	SDEI_RET_DENIED

/* MPIDR_EL1 as read: bit 31 RES1; PE 2 in another Aff2/Aff1 cluster. */
static const u64 mpidrs[3] = { 0x80000000, 0x80000001, 0x80010100 };
static struct sdei *s;
static struct sdei_result res;

static s64 call(int pe, u32 fid, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	u64 a[5] = { a1, a2, a3, a4, a5 };

	sdei_call(s, pe, fid, a, &res);
	return (s64)res.regs[0];
}

#define C0(pe, fid)		call(pe, fid, 0, 0, 0, 0, 0)
#define C1(pe, fid, a)		call(pe, fid, a, 0, 0, 0, 0)
#define C2(pe, fid, a, b)	call(pe, fid, a, b, 0, 0, 0)

static s64 reg(int pe, u32 ev, u64 flags, u64 aff)
{
	return call(pe, SDEI_FN_EVENT_REGISTER, ev, EP + ev * 16, ARG + ev, flags, aff);
}

/* register + enable (+ unmask), the usual client sequence */
static void setup(int pe, u32 ev)
{
	reg(pe, ev, SDEI_REGF_RM_ANY, 0);
	C1(pe, SDEI_FN_EVENT_ENABLE, ev);
}

static s64 status(int pe, u32 ev)
{
	return C1(pe, SDEI_FN_EVENT_STATUS, ev);
}

static void fresh(void)
{
	sdei_reset(s);
}

static struct sdei_ctx mkctx(u64 seed)
{
	struct sdei_ctx c;
	int i;

	for (i = 0; i < SDEI_SAVED_GPRS; i++)
		c.x[i] = seed * 0x100 + (u64)i;
	c.pc = 0xffff800010000000ULL + seed * 4;
	c.pstate = 0x60000005 | (seed & 1 ? 0x80 : 0);
	c.sctlr = 0;
	return c;
}

/* Next dispatch on @pe committed with @ctx: the event, or -1 if none. */
static s64 dispatch(int pe, const struct sdei_ctx *ctx, struct sdei_dispatch *out)
{
	struct sdei_dispatch d;

	if (!sdei_next_dispatch(s, pe, &d) || !sdei_dispatch_commit(s, pe, &d, ctx))
		return -1;
	if (out)
		*out = d;
	return d.event;
}

static bool kicks(const int *want, int nwant)
{
	int got[8], n = sdei_pes_to_kick(s, got, 8), i;

	if (n != nwant)
		return false;
	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			return false;
	return true;
}

static void test_create_and_table(void)
{
	static const u64 dup[2] = { 0x80000001, 0x1 };

	tap_ok(!sdei_create(0, mpidrs) && !sdei_create(2, NULL), "create: no PE or no MPIDR: NULL");
	tap_ok(!sdei_create(2, dup), "create: two PEs with the same affinity: NULL");
	tap_ok(sdei_call_nr_args(SDEI_FN_VERSION) == 0 &&
	       sdei_call_nr_args(SDEI_FN_EVENT_REGISTER) == 5 &&
	       sdei_call_nr_args(SDEI_FN_EVENT_ENABLE) == 1 &&
	       sdei_call_nr_args(SDEI_FN_EVENT_CONTEXT) == 1 &&
	       sdei_call_nr_args(SDEI_FN_EVENT_COMPLETE_AND_RESUME) == 1 &&
	       sdei_call_nr_args(SDEI_FN_EVENT_GET_INFO) == 2 &&
	       sdei_call_nr_args(SDEI_FN_EVENT_ROUTING_SET) == 3 &&
	       sdei_call_nr_args(SDEI_FN_PE_MASK) == 0 &&
	       sdei_call_nr_args(SDEI_FN_EVENT_SIGNAL) == 2 &&
	       sdei_call_nr_args(SDEI_FN_SHARED_RESET) == 0 &&
	       sdei_call_nr_args(0xc4000033) == 0,
	       "nr_args: the glue reads x1..x5 for REGISTER, x1 for ENABLE, none for PE_MASK");
	tap_ok(sdei_event_is_shared(SN) && sdei_event_is_shared(SC) && !sdei_event_is_shared(PN) &&
	       !sdei_event_is_shared(E0) && sdei_event_is_critical(PC) &&
	       sdei_event_is_critical(SC) && !sdei_event_is_critical(E0),
	       "event table: 0/1000 private normal, 1001 private critical, 2000/2001 shared");
}

static void test_simple_calls(void)
{
	fresh();
	tap_ok(C0(0, SDEI_FN_VERSION) == (s64)((1ULL << 48) | (1ULL << 32) | 0x6c6b766dULL) &&
	       res.action == SDEI_ACT_RETURN && res.nr_regs == 1,
	       "VERSION: 1.1, vendor 'lkvm', one result register");
	tap_ok(C0(0, 0xc4000033) == SDEI_RET_NOT_SUPPORTED &&
	       C0(0, 0x84000020) == SDEI_RET_NOT_SUPPORTED,
	       "unknown function and SMC32 VERSION: NOT_SUPPORTED");
	tap_ok(C1(0, SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS) == 0 &&
	       C1(0, SDEI_FN_FEATURES, SDEI_FEATURE_RELATIVE_MODE) == 0,
	       "FEATURES: no bind slot, no relative mode");
	tap_ok(C1(0, SDEI_FN_FEATURES, 2) == INVAL, "FEATURES 2: INVALID_PARAMETERS");
	tap_ok(C1(0, SDEI_FN_INTERRUPT_BIND, 5) == INVAL, "INTERRUPT_BIND of an SGI: INVALID");
	tap_ok(C1(0, SDEI_FN_INTERRUPT_BIND, 40) == SDEI_RET_OUT_OF_RESOURCE,
	       "INTERRUPT_BIND of an SPI: OUT_OF_RESOURCE (zero slots advertised)");
	tap_ok(C1(0, SDEI_FN_INTERRUPT_RELEASE, PN) == INVAL &&
	       C1(0, SDEI_FN_INTERRUPT_RELEASE, 12345) == INVAL,
	       "INTERRUPT_RELEASE: INVALID (no event is bound)");
	tap_ok(C0(0, SDEI_FN_PE_MASK) == 0, "PE_MASK on a masked PE (power-on state): 0");
	tap_ok(C0(0, SDEI_FN_PE_UNMASK) == 0 && res.kick, "PE_UNMASK: SUCCESS, kick");
	tap_ok(C0(0, SDEI_FN_PE_MASK) == 1 && sdei_pe_masked(s, 0),
	       "PE_MASK on an unmasked PE: 1");
}

static void test_register(void)
{
	fresh();
	tap_ok(reg(0, PN, SDEI_REGF_RM_ANY, 0) == 0 && status(0, PN) == 1,
	       "REGISTER: SUCCESS, STATUS registered");
	tap_ok(reg(0, PN, SDEI_REGF_RM_ANY, 0) == DENIED, "REGISTER twice: DENIED");
	tap_ok(reg(0, 7, 0, 0) == INVAL && reg(0, 0x80000000u | PN, 0, 0) == INVAL,
	       "REGISTER unknown event (and bit 31 set): INVALID");
	tap_ok(call(0, SDEI_FN_EVENT_REGISTER, PC, 0, 0, 0, 0) == INVAL &&
	       call(0, SDEI_FN_EVENT_REGISTER, PC, EP + 2, 0, 0, 0) == INVAL && status(0, PC) == 0,
	       "REGISTER with entry 0 or misaligned: INVALID");
	tap_ok(reg(0, PC, 4, 0) == INVAL && reg(0, PC, SDEI_REGF_RELATIVE, 0) == INVAL,
	       "REGISTER with reserved flag bits or relative mode: INVALID");
	tap_ok(reg(0, SN, SDEI_REGF_RM_PE, 0x80000002) == INVAL && status(0, SN) == 0,
	       "REGISTER shared RM_PE to an unknown MPIDR: INVALID");
	tap_ok(reg(0, PC, SDEI_REGF_RM_PE, 0xdead) == 0,
	       "REGISTER private event: routing and affinity ignored");
	tap_ok(call(1, SDEI_FN_EVENT_REGISTER, (1ULL << 32) | PN, EP, 0, 0, 0) == 0 &&
	       status(1, PN) == 1,
	       "REGISTER: the upper half of x1 (uint32 event) is ignored");
	tap_ok(status(2, PN) == 0 && status(0, SN) == 0, "private registration is per PE");
	tap_ok(reg(2, SN, SDEI_REGF_RM_PE, mpidrs[2]) == 0 &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, SN, SDEI_INFO_EV_ROUTING_MODE) == 1 &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, SN, SDEI_INFO_EV_ROUTING_AFF) == 0x10100,
	       "REGISTER shared RM_PE: GET_INFO from another PE sees mode and affinity fields");
}

static void test_enable_disable_unregister(void)
{
	fresh();
	tap_ok(C1(0, SDEI_FN_EVENT_ENABLE, PN) == DENIED, "ENABLE unregistered: DENIED");
	tap_ok(C1(0, SDEI_FN_EVENT_ENABLE, 9) == INVAL, "ENABLE unknown event: INVALID");
	reg(0, PN, 0, 0);
	tap_ok(C1(0, SDEI_FN_EVENT_DISABLE, PN) == 0 && status(0, PN) == 1,
	       "DISABLE of a disabled event: SUCCESS, no change");
	tap_ok(C1(0, SDEI_FN_EVENT_ENABLE, PN) == 0 && res.kick && status(0, PN) == 3,
	       "ENABLE: SUCCESS, registered+enabled, kick");
	tap_ok(C1(0, SDEI_FN_EVENT_ENABLE, PN) == 0 && status(0, PN) == 3,
	       "ENABLE twice: SUCCESS, no change");
	tap_ok(C1(0, SDEI_FN_EVENT_DISABLE, PN) == 0 && status(0, PN) == 1, "DISABLE: SUCCESS");
	tap_ok(C1(0, SDEI_FN_EVENT_DISABLE, SN) == DENIED &&
	       C1(0, SDEI_FN_EVENT_DISABLE, 9) == INVAL,
	       "DISABLE unregistered: DENIED; unknown: INVALID");
	C1(0, SDEI_FN_EVENT_ENABLE, PN);
	tap_ok(C1(0, SDEI_FN_EVENT_UNREGISTER, PN) == 0 && status(0, PN) == 0,
	       "UNREGISTER of an enabled event: SUCCESS, unregistered and disabled");
	tap_ok(C1(0, SDEI_FN_EVENT_UNREGISTER, PN) == DENIED, "UNREGISTER unregistered: DENIED");
	tap_ok(C1(0, SDEI_FN_EVENT_UNREGISTER, 9) == INVAL && status(0, 9) == INVAL,
	       "UNREGISTER / STATUS unknown event: INVALID");
}

static void test_get_info_routing(void)
{
	fresh();
	tap_ok(C2(0, SDEI_FN_EVENT_GET_INFO, E0, SDEI_INFO_EV_TYPE) == 0 &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, E0, SDEI_INFO_EV_SIGNALED) == 1 &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, E0, SDEI_INFO_EV_PRIORITY) == 0,
	       "GET_INFO event 0: private, signalable, normal");
	tap_ok(C2(0, SDEI_FN_EVENT_GET_INFO, SC, SDEI_INFO_EV_TYPE) == 1 &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, SC, SDEI_INFO_EV_SIGNALED) == 0 &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, SC, SDEI_INFO_EV_PRIORITY) == 1,
	       "GET_INFO 2001: shared, not signalable, critical");
	tap_ok(C2(0, SDEI_FN_EVENT_GET_INFO, PN, 5) == INVAL &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, 9, 0) == INVAL,
	       "GET_INFO bad info type or unknown event: INVALID");
	tap_ok(C2(0, SDEI_FN_EVENT_GET_INFO, PN, SDEI_INFO_EV_ROUTING_MODE) == INVAL &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, PN, SDEI_INFO_EV_ROUTING_AFF) == INVAL,
	       "GET_INFO routing of a private event: INVALID");
	tap_ok(C2(0, SDEI_FN_EVENT_GET_INFO, SN, SDEI_INFO_EV_ROUTING_MODE) == DENIED,
	       "GET_INFO routing of an unregistered shared event: DENIED");
	reg(0, SN, SDEI_REGF_RM_ANY, 0);
	tap_ok(C2(0, SDEI_FN_EVENT_GET_INFO, SN, SDEI_INFO_EV_ROUTING_MODE) == 0 &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, SN, SDEI_INFO_EV_ROUTING_AFF) == INVAL,
	       "GET_INFO RM_ANY: mode 0, affinity INVALID");

	tap_ok(call(0, SDEI_FN_EVENT_ROUTING_SET, PN, 0, 0, 0, 0) == INVAL,
	       "ROUTING_SET on a private event: INVALID");
	tap_ok(call(0, SDEI_FN_EVENT_ROUTING_SET, SC, 0, 0, 0, 0) == DENIED,
	       "ROUTING_SET on an unregistered shared event: DENIED");
	tap_ok(call(0, SDEI_FN_EVENT_ROUTING_SET, SN, 2, 0, 0, 0) == INVAL &&
	       call(0, SDEI_FN_EVENT_ROUTING_SET, SN, SDEI_REGF_RM_PE, 0x42, 0, 0) == INVAL,
	       "ROUTING_SET reserved mode bits or unknown MPIDR: INVALID");
	tap_ok(call(1, SDEI_FN_EVENT_ROUTING_SET, SN, SDEI_REGF_RM_PE, 0x80000001, 0, 0) == 0 &&
	       C2(0, SDEI_FN_EVENT_GET_INFO, SN, SDEI_INFO_EV_ROUTING_AFF) == 1,
	       "ROUTING_SET registered+disabled: SUCCESS, affinity updated");
	C1(0, SDEI_FN_EVENT_ENABLE, SN);
	tap_ok(call(0, SDEI_FN_EVENT_ROUTING_SET, SN, 0, 0, 0, 0) == DENIED,
	       "ROUTING_SET on an enabled event: DENIED");
}

static void test_dispatch_context_complete(void)
{
	struct sdei_ctx c = mkctx(3), c2;
	struct sdei_dispatch d;
	int i;
	bool ok;

	fresh();
	tap_ok(C1(0, SDEI_FN_EVENT_CONTEXT, 0) == DENIED, "CONTEXT outside a handler: DENIED");
	tap_ok(C1(0, SDEI_FN_EVENT_COMPLETE, 0) == DENIED &&
	       C1(0, SDEI_FN_EVENT_COMPLETE_AND_RESUME, EP) == DENIED &&
	       res.action == SDEI_ACT_RETURN,
	       "COMPLETE / COMPLETE_AND_RESUME with nothing running: DENIED");
	setup(0, PN);
	tap_ok(sdei_raise(s, PN, 0) == SDEI_RAISE_PENDING && dispatch(0, &c, NULL) == -1,
	       "raised on a masked PE: nothing dispatched");
	C0(0, SDEI_FN_PE_UNMASK);
	tap_ok(dispatch(0, &c, &d) == PN && d.x[0] == PN && d.x[1] == ARG + PN &&
	       d.x[2] == c.pc && d.x[3] == c.pstate && d.pc == EP + PN * 16 &&
	       d.pstate == (0x60000000 | PSTATE_PAN | PSTATE_EL1H_DAIF),
	       "dispatch: x0 event, x1 arg, x2/x3 interrupted PC/PSTATE, PC entry, "
	       "PSTATE EL1h DAIF, flags kept, PAN (SPAN clear)");
	tap_ok(status(0, PN) == 7 && sdei_pe_depth(s, 0) == 1, "STATUS while running: 7");
	tap_ok(C1(0, SDEI_FN_EVENT_CONTEXT, 18) == INVAL, "CONTEXT index 18: INVALID");
	ok = true;
	for (i = 0; i < 18; i++)
		ok &= C1(0, SDEI_FN_EVENT_CONTEXT, (u64)i) == (s64)c.x[i];
	tap_ok(ok && C1(0, SDEI_FN_EVENT_CONTEXT, (1ULL << 32) | 5) == (s64)c.x[5],
	       "CONTEXT 0..17: the interrupted x0..x17");
	tap_ok(sdei_raise(s, PN, 0) == SDEI_RAISE_PENDING && dispatch(0, &c, NULL) == -1,
	       "raised again while running: not re-entered");
	tap_ok(C1(0, SDEI_FN_EVENT_COMPLETE, SDEI_EV_HANDLED) == 0 &&
	       res.action == SDEI_ACT_COMPLETE && !memcmp(&res.ctx, &c, sizeof(c)) &&
	       res.event == PN && res.kick && sdei_event_status(s, 0, PN) == 3,
	       "COMPLETE: restore x0..x17, PC, PSTATE as saved; back to registered+enabled");
	c2 = mkctx(4);
	tap_ok(dispatch(0, &c2, NULL) == PN, "raised while running: delivered after COMPLETE");
	tap_ok(C1(0, SDEI_FN_EVENT_COMPLETE_AND_RESUME, EP2 + 2) == DENIED &&
	       sdei_pe_depth(s, 0) == 1, "COMPLETE_AND_RESUME misaligned: DENIED, still running");
	tap_ok(C1(0, SDEI_FN_EVENT_COMPLETE_AND_RESUME, EP2) == 0 &&
	       res.action == SDEI_ACT_RESUME && !memcmp(&res.ctx, &c2, sizeof(c2)) &&
	       res.elr_el1 == c2.pc && res.spsr_el1 == c2.pstate && res.resume_pc == EP2 &&
	       res.resume_pstate == (0x60000000 | PSTATE_PAN | PSTATE_EL1H_DAIF) &&
	       sdei_pe_depth(s, 0) == 0,
	       "COMPLETE_AND_RESUME: x0..x17 restored, ELR/SPSR = interrupted, PC = addr, "
	       "PSTATE as an exception entry");
	tap_ok(dispatch(0, &c, NULL) == -1, "nothing left pending");

	sdei_raise(s, PN, 0);
	tap_ok(sdei_next_dispatch(s, 0, &d) && C1(0, SDEI_FN_EVENT_DISABLE, PN) == 0 &&
	       !sdei_dispatch_commit(s, 0, &d, &c),
	       "commit after the event was disabled in between: refused");
	C1(0, SDEI_FN_EVENT_ENABLE, PN);
	dispatch(0, &c, NULL);
	C1(0, SDEI_FN_EVENT_COMPLETE, SDEI_EV_FAILED);
	tap_ok(res.action == SDEI_ACT_COMPLETE && res.failed, "COMPLETE FAILED: reported");
}

static void test_running_transitions(void)
{
	struct sdei_ctx c = mkctx(1);

	fresh();
	C0(0, SDEI_FN_PE_UNMASK);
	setup(0, PN);
	sdei_raise(s, PN, 0);
	dispatch(0, &c, NULL);
	tap_ok(C1(0, SDEI_FN_EVENT_DISABLE, PN) == 0 && status(0, PN) == 5,
	       "DISABLE while running: registered+running");
	tap_ok(C1(0, SDEI_FN_EVENT_ENABLE, PN) == 0 && status(0, PN) == 7,
	       "ENABLE while running: registered+enabled+running");
	tap_ok(C1(0, SDEI_FN_EVENT_UNREGISTER, PN) == SDEI_RET_PENDING && status(0, PN) == 4,
	       "UNREGISTER while running: PENDING, status running only");
	tap_ok(C1(0, SDEI_FN_EVENT_UNREGISTER, PN) == SDEI_RET_PENDING,
	       "UNREGISTER again while the unregistration is pending: PENDING");
	tap_ok(reg(0, PN, 0, 0) == DENIED && C1(0, SDEI_FN_EVENT_ENABLE, PN) == DENIED,
	       "REGISTER / ENABLE while unregistration is pending: DENIED");
	tap_ok(C1(0, SDEI_FN_EVENT_CONTEXT, 2) == (s64)c.x[2],
	       "CONTEXT still works in a handler being unregistered");
	C1(0, SDEI_FN_EVENT_COMPLETE, 0);
	tap_ok(res.action == SDEI_ACT_COMPLETE && status(0, PN) == 0,
	       "COMPLETE finishes the unregistration");
	tap_ok(reg(0, PN, 0, 0) == 0, "REGISTER again afterwards: SUCCESS");
}

static void test_priorities(void)
{
	struct sdei_ctx c = mkctx(5), inner = mkctx(6);
	struct sdei_dispatch d;

	fresh();
	C0(0, SDEI_FN_PE_UNMASK);
	setup(0, PN);
	setup(0, PC);
	setup(0, E0);
	sdei_raise(s, PN, 0);
	sdei_raise(s, PC, 0);
	tap_ok(dispatch(0, &c, &d) == PC && d.critical, "both pending: critical first");
	tap_ok(dispatch(0, &inner, NULL) == -1, "critical running: normal does not preempt");
	C1(0, SDEI_FN_EVENT_COMPLETE, 0);
	tap_ok(dispatch(0, &c, NULL) == PN, "after the critical one: the normal one");
	sdei_raise(s, PC, 0);
	tap_ok(dispatch(0, &inner, NULL) == PC && sdei_pe_depth(s, 0) == 2 &&
	       sdei_pe_running_event(s, 0, 0) == PN && sdei_pe_running_event(s, 0, 1) == PC,
	       "normal running: critical preempts (depth 2)");
	tap_ok(C1(0, SDEI_FN_EVENT_CONTEXT, 7) == (s64)inner.x[7],
	       "CONTEXT in the nested handler: the normal handler's registers");
	sdei_raise(s, PC, 0);
	tap_ok(dispatch(0, &c, NULL) == -1, "critical running: another critical waits");
	tap_ok(C1(0, SDEI_FN_EVENT_COMPLETE, 0) == 0 && !memcmp(&res.ctx, &inner, sizeof(inner)) &&
	       res.event == PC, "COMPLETE of the nested one: back into the normal handler");
	tap_ok(dispatch(0, &inner, NULL) == PC && sdei_pe_depth(s, 0) == 2,
	       "the waiting critical one preempts the normal handler again");
	C1(0, SDEI_FN_EVENT_COMPLETE, 0);
	C2(0, SDEI_FN_EVENT_SIGNAL, E0, mpidrs[0]);
	tap_ok(dispatch(0, &c, NULL) == -1, "normal running: another normal (event 0) waits");
	C1(0, SDEI_FN_EVENT_COMPLETE, 0);
	tap_ok(!memcmp(&res.ctx, &c, sizeof(c)) && dispatch(0, &c, NULL) == E0,
	       "outer COMPLETE restores the first context; then event 0 runs");
}

static void test_signal(void)
{
	struct sdei_ctx c = mkctx(7);

	fresh();
	tap_ok(C2(0, SDEI_FN_EVENT_SIGNAL, PN, mpidrs[1]) == INVAL,
	       "SIGNAL of an event other than 0: INVALID");
	tap_ok(C2(0, SDEI_FN_EVENT_SIGNAL, E0, 0x80000003) == INVAL,
	       "SIGNAL to an unknown MPIDR: INVALID");
	tap_ok(C2(0, SDEI_FN_EVENT_SIGNAL, E0, mpidrs[1]) == 0 && dispatch(1, &c, NULL) == -1,
	       "SIGNAL to a PE without event 0 registered: SUCCESS, nothing runs");
	setup(1, E0);
	tap_ok(C2(0, SDEI_FN_EVENT_SIGNAL, E0, mpidrs[1]) == 0 && !sdei_pe_has_pending(s, 1),
	       "SIGNAL to a masked PE: SUCCESS, lost");
	C0(1, SDEI_FN_PE_UNMASK);
	tap_ok(dispatch(1, &c, NULL) == -1, "...and not delivered on unmask");
	C1(1, SDEI_FN_EVENT_DISABLE, E0);
	C2(0, SDEI_FN_EVENT_SIGNAL, E0, mpidrs[1]);
	tap_ok(dispatch(1, &c, NULL) == -1, "SIGNAL to a disabled event 0: held");
	C1(1, SDEI_FN_EVENT_ENABLE, E0);
	tap_ok(kicks((int[]){ 1 }, 1) && dispatch(1, &c, NULL) == E0,
	       "...delivered once enabled (the target is the PE to kick)");
	C1(1, SDEI_FN_EVENT_COMPLETE, 0);
	tap_ok(C2(1, SDEI_FN_EVENT_SIGNAL, (1ULL << 32) | E0, mpidrs[1] | (1ULL << 31)) == 0 &&
	       res.kick && dispatch(1, &c, NULL) == E0,
	       "SIGNAL to self (upper bits ignored): delivered on return");
}

static void test_routing_and_masking(void)
{
	struct sdei_ctx c = mkctx(8);

	fresh();
	C0(0, SDEI_FN_PE_UNMASK);
	C0(1, SDEI_FN_PE_UNMASK);
	reg(0, SN, SDEI_REGF_RM_PE, mpidrs[1]);
	C1(0, SDEI_FN_EVENT_ENABLE, SN);
	sdei_raise(s, SN, -1);
	tap_ok(kicks((int[]){ 1 }, 1) && dispatch(0, &c, NULL) == -1 && dispatch(1, &c, NULL) == SN,
	       "shared RM_PE: only the target PE is kicked and takes it");
	C1(1, SDEI_FN_EVENT_COMPLETE, 0);
	C0(1, SDEI_FN_PE_MASK);
	sdei_raise(s, SN, -1);
	tap_ok(kicks(NULL, 0) && dispatch(0, &c, NULL) == -1 && sdei_pe_has_pending(s, 1),
	       "RM_PE target masked: stays pending, goes nowhere else");
	C0(1, SDEI_FN_PE_UNMASK);
	tap_ok(res.kick && dispatch(1, &c, NULL) == SN, "...delivered when the target unmasks");
	C1(1, SDEI_FN_EVENT_COMPLETE, 0);

	C1(0, SDEI_FN_EVENT_DISABLE, SN);
	call(0, SDEI_FN_EVENT_ROUTING_SET, SN, SDEI_REGF_RM_ANY, 0, 0, 0);
	C1(0, SDEI_FN_EVENT_ENABLE, SN);
	sdei_raise(s, SN, -1);
	{
		int got[4], n = sdei_pes_to_kick(s, got, 4);

		tap_ok(n == 1 && (got[0] == 0 || got[0] == 1),
		       "shared RM_ANY: exactly one unmasked PE is kicked");
	}
	tap_ok(dispatch(2, &c, NULL) == -1, "RM_ANY: a masked PE does not take it");
	tap_ok(dispatch(1, &c, NULL) == SN && dispatch(0, &c, NULL) == -1 &&
	       C1(0, SDEI_FN_EVENT_STATUS, SN) == 7,
	       "RM_ANY: one PE takes it; while it runs no other PE can");
	sdei_raise(s, SN, -1);
	tap_ok(C1(0, SDEI_FN_EVENT_COMPLETE, 0) == DENIED,
	       "COMPLETE of a shared event from a PE that is not running it: DENIED");
	C1(1, SDEI_FN_EVENT_COMPLETE, 0);
	sdei_pe_set_power(s, 1, SDEI_PE_OFF);
	tap_ok(kicks((int[]){ 0 }, 1) && dispatch(0, &c, NULL) == SN,
	       "RM_ANY with a PE powered off: another PE takes it");
	tap_ok(C0(0, SDEI_FN_SHARED_RESET) == DENIED && status(0, SN) == 4,
	       "SHARED_RESET while a shared event runs: DENIED (unregistration pending)");
	C1(0, SDEI_FN_EVENT_COMPLETE, 0);
	reg(0, SC, 0, 0);
	tap_ok(C0(2, SDEI_FN_SHARED_RESET) == 0 && status(0, SC) == 0 && status(0, SN) == 0,
	       "SHARED_RESET from any PE: every shared event unregistered");
}

static void test_raise_and_pending(void)
{
	struct sdei_ctx c = mkctx(9);

	fresh();
	tap_ok(sdei_raise(s, 9, 0) == SDEI_RAISE_INVALID &&
	       sdei_raise(s, PN, 3) == SDEI_RAISE_INVALID &&
	       sdei_raise(s, PN, -1) == SDEI_RAISE_INVALID,
	       "raise: unknown event or bad target PE: INVALID");
	tap_ok(sdei_raise(s, PN, 0) == SDEI_RAISE_DROPPED &&
	       sdei_raise(s, SC, -1) == SDEI_RAISE_DROPPED,
	       "raise of an unregistered event: dropped");
	C0(0, SDEI_FN_PE_UNMASK);
	reg(0, PN, 0, 0);
	tap_ok(sdei_raise(s, PN, 0) == SDEI_RAISE_PENDING && dispatch(0, &c, NULL) == -1,
	       "raise of a registered, disabled event: pending, not delivered");
	C1(0, SDEI_FN_EVENT_UNREGISTER, PN);
	setup(0, PN);
	tap_ok(dispatch(0, &c, NULL) == -1, "UNREGISTER forgets what was pending");
	C0(0, SDEI_FN_PE_MASK);
	sdei_raise(s, PN, 0);
	tap_ok(dispatch(0, &c, NULL) == -1 && sdei_pe_has_pending(s, 0),
	       "private event raised on a masked PE: pending");
	C0(0, SDEI_FN_PE_UNMASK);
	tap_ok(kicks((int[]){ 0 }, 1) && dispatch(0, &c, NULL) == PN,
	       "...delivered after PE_UNMASK");
}

static void test_resets_and_power(void)
{
	struct sdei_ctx c = mkctx(10);

	fresh();
	C0(0, SDEI_FN_PE_UNMASK);
	setup(0, PN);
	setup(0, E0);
	setup(1, PN);
	tap_ok(C0(0, SDEI_FN_PRIVATE_RESET) == 0 && status(0, PN) == 0 && status(0, E0) == 0 &&
	       status(1, PN) == 3, "PRIVATE_RESET: the caller's private events only");
	setup(0, PN);
	sdei_raise(s, PN, 0);
	dispatch(0, &c, NULL);
	tap_ok(C0(0, SDEI_FN_PRIVATE_RESET) == DENIED && status(0, PN) == 4,
	       "PRIVATE_RESET while a private event runs: DENIED, unregistration pending");
	C1(0, SDEI_FN_EVENT_COMPLETE, 0);

	setup(0, PN);
	sdei_raise(s, PN, 0);
	dispatch(0, &c, NULL);
	sdei_pe_set_power(s, 0, SDEI_PE_OFF);
	tap_ok(sdei_pe_depth(s, 0) == 0 && status(0, PN) == 0 && sdei_pe_masked(s, 0),
	       "power off: handler dropped, private events reset, PE masked");
	sdei_pe_set_power(s, 0, SDEI_PE_ON);
	C0(0, SDEI_FN_PE_UNMASK);
	setup(0, PN);
	sdei_pe_set_power(s, 0, SDEI_PE_SUSPENDED);
	sdei_raise(s, PN, 0);
	tap_ok(dispatch(0, &c, NULL) == -1 && kicks(NULL, 0) && sdei_pe_has_pending(s, 0),
	       "suspended PE: takes nothing, but has a pending event to wake for");
	sdei_pe_set_power(s, 0, SDEI_PE_ON);
	tap_ok(sdei_pe_masked(s, 0) && status(0, PN) == 3 && dispatch(0, &c, NULL) == -1,
	       "resume from suspend: registrations kept, PE masked");
	C0(0, SDEI_FN_PE_UNMASK);
	tap_ok(dispatch(0, &c, NULL) == PN, "...pending event delivered after unmask");

	reg(1, SN, 0, 0);
	sdei_reset(s);
	tap_ok(sdei_pe_depth(s, 0) == 0 && status(0, PN) == 0 && status(1, PN) == 0 &&
	       status(0, SN) == 0 && sdei_pe_masked(s, 0) && sdei_pe_masked(s, 1) &&
	       !sdei_pe_has_pending(s, 0) && C0(0, SDEI_FN_PE_MASK) == 0,
	       "sdei_reset: all unregistered, nothing running or pending, all PEs masked");
}

/* Exception entry to EL1h, as the Arm ARM's AArch64.TakeException and TF-A's SDEI build it. */
static void test_entry_pstate(void)
{
	u64 el0_all = 0xf0000000ULL | PSTATE_DIT | PSTATE_PAN | PSTATE_SSBS | PSTATE_TCO |
		      (3ULL << 10) | (1ULL << 21) | (1ULL << 20) | (1ULL << 23);

	tap_ok(sdei_entry_pstate(0, 0) == (PSTATE_EL1H_DAIF | PSTATE_PAN),
	       "SPAN clear: PAN set on entry");
	tap_ok(sdei_entry_pstate(0x5, SCTLR_EL1_SPAN) == PSTATE_EL1H_DAIF &&
	       sdei_entry_pstate(0x5 | PSTATE_PAN, SCTLR_EL1_SPAN) ==
		       (PSTATE_EL1H_DAIF | PSTATE_PAN),
	       "SPAN set: PAN as it was");
	tap_ok(sdei_entry_pstate(0x5, SCTLR_EL1_SPAN | SCTLR_EL1_DSSBS) ==
		       (PSTATE_EL1H_DAIF | PSTATE_SSBS) &&
	       sdei_entry_pstate(0x5 | PSTATE_SSBS, SCTLR_EL1_SPAN) == PSTATE_EL1H_DAIF,
	       "SSBS = SCTLR_EL1.DSSBS, whatever it was");
	tap_ok(sdei_entry_pstate(el0_all, SCTLR_EL1_SPAN) ==
		       (0xf0000000ULL | PSTATE_DIT | PSTATE_PAN | PSTATE_EL1H_DAIF),
	       "from EL0 with everything set: NZCV, DIT, PAN kept; BTYPE, SS, IL, UAO, TCO, "
	       "SSBS cleared");
}

int main(void)
{
	tap_plan(114);
	s = sdei_create(3, mpidrs);
	tap_ok(s && sdei_nr_pes(s) == 3 && sdei_pe_masked(s, 0),
	       "create: 3 PEs, masked at power-on");
	test_create_and_table();
	test_simple_calls();
	test_register();
	test_enable_disable_unregister();
	test_get_info_routing();
	test_dispatch_context_complete();
	test_running_transitions();
	test_priorities();
	test_signal();
	test_routing_and_masking();
	test_raise_and_pending();
	test_resets_and_power();
	test_entry_pstate();
	sdei_destroy(s);
	return tap_done();
}
