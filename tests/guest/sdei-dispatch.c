// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI delivery on one PE: register -> enable -> signal -> handler ->
 * complete; the handler's entry registers and PSTATE; CONTEXT; what COMPLETE
 * and COMPLETE_AND_RESUME give back (registers, SP, PC, ELR_EL1, SPSR_EL1);
 * masking; disable while pending; unregister while running; priorities
 * (a critical event preempts a normal handler, never the reverse) with lkvm's
 * events 1000/1001 raised through the test device.
 *
 * lkvm-args: -c 1 -m 64 --test-device
 * expect-exit: 0
 */
#include "sdei.h"

enum mode { M_RECORD, M_CONTEXT, M_RESUME, M_RESUME_BAD, M_RESIGNAL, M_UNREG, M_RAISE };

static volatile enum mode mode;
static volatile u64 count;
static struct sdei_frame last;
static volatile u64 h_elr, h_spsr;
static volatile s64 ctx[19], st_in, r1, r2, r3, r4;
/* M_RAISE: what a handler raises on its first entry. */
static volatile u32 raise_in_normal = ~0u, raise_in_critical = ~0u;
static volatile s64 raise_res;
static char evlog[32];
static volatile unsigned int nlog;
static volatile u64 crit_x3;

static void logc(char c)
{
	if (nlog < sizeof(evlog) - 1)
		evlog[nlog++] = c;
	evlog[nlog] = 0;
}

static void log_reset(void)
{
	nlog = 0;
	evlog[0] = 0;
}

u64 sdei_handler(struct sdei_frame *f)
{
	u32 ev = (u32)f->x[0];
	bool crit = ev == EV_PRIV_CRITICAL;
	u64 ret = 0;
	u32 r;

	count++;
	memcpy(&last, f, sizeof(last));
	h_elr = read_elr_el1();
	h_spsr = read_spsr_el1();
	logc(crit ? 'C' : 'N');
	switch (mode) {
	case M_RECORD:
		break;
	case M_CONTEXT:
		for (int i = 0; i < 19; i++)
			ctx[i] = sdei_context(i);
		st_in = sdei_status(ev);
		break;
	case M_RESUME:
		ret = (u64)(uintptr_t)sdei_resume_entry;
		break;
	case M_RESUME_BAD:
		r1 = sdei_call(SDEI_EVENT_COMPLETE_AND_RESUME, 0, 0, 0, 0, 0);
		r2 = sdei_call(SDEI_EVENT_COMPLETE_AND_RESUME, (u64)(uintptr_t)sdei_resume_entry + 2,
			       0, 0, 0, 0);
		st_in = sdei_status(ev);
		break;
	case M_RESIGNAL:
		if (count == 1)
			r1 = sdei_signal(EV_SW, read_mpidr());
		break;
	case M_UNREG:
		r1 = sdei_unregister(ev);
		st_in = sdei_status(ev);
		r2 = sdei_unregister(ev);
		r3 = sdei_register(ev, (u64)(uintptr_t)sdei_entry, 0, SDEI_RM_ANY, 0);
		r4 = sdei_enable(ev);
		break;
	case M_RAISE:
		if (crit)
			crit_x3 = f->x[3];
		r = crit ? raise_in_critical : raise_in_normal;
		if (r != ~0u) {
			if (crit)
				raise_in_critical = ~0u;
			else
				raise_in_normal = ~0u;
			raise_res = testdev_raise(r, 0);
		}
		break;
	}
	logc(crit ? 'c' : 'n');
	return ret;
}

static const u64 pattern_base = 0x5d00000000000000ULL;

static void fill_in(u64 *in)
{
	for (int i = 0; i < 18; i++)
		in[i] = pattern_base | ((u64)i << 8) | (u64)i;
}

/* The x0..x17 the interrupted context had at sdei_signal_ret. */
static void expected_ctx(const u64 *in, u64 *want)
{
	for (int i = 0; i < 18; i++)
		want[i] = in[i];
	want[0] = SDEI_SUCCESS;	/* EVENT_SIGNAL's result */
	want[1] = EV_SW;
	want[2] = read_mpidr();
}

static int first_diff(const volatile u64 *a, const u64 *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

/* Wait up to 50 ms for count to exceed @old. */
static bool ran_since(u64 old)
{
	return sdei_wait_change(&count, old, 50000);
}

#define EP ((u64)(uintptr_t)sdei_entry)
#define RET_PC ((u64)(uintptr_t)sdei_signal_ret)

void test_main(void)
{
	u64 in[18], out[19], want[18];
	u64 c0, x3_want;
	s64 r;
	int d;

	plan(46);
	fill_in(in);
	expected_ctx(in, want);

	/* ---- register -> enable -> signal -> handler -> complete ---- */
	ok(sdei_register(EV_SW, EP, 0xa5a5f00d, SDEI_RM_ANY, 0) == SDEI_SUCCESS &&
	   sdei_enable(EV_SW) == SDEI_SUCCESS && sdei_pe_unmask() == SDEI_SUCCESS,
	   "REGISTER(0, arg 0xa5a5f00d), ENABLE, PE_UNMASK");
	mode = M_CONTEXT;
	write_elr_el1(0xe1e1e1e0);
	write_spsr_el1(0x3c4);
	local_irq_enable();
	c0 = count;
	sdei_signal_regs(in, out);
	local_irq_disable();
	x3_want = 0x345;	/* EL1h, D A F masked, I clear */
	ok(count == c0 + 1, "SIGNAL(0, self): the handler ran once before the caller went on (%lu)",
	   (unsigned long)(count - c0));
	ok(last.x[0] == EV_SW && last.x[1] == 0xa5a5f00d,
	   "entry x0 = event 0, x1 = handler argument (%#lx, %#lx)", (unsigned long)last.x[0],
	   (unsigned long)last.x[1]);
	ok(last.x[2] == RET_PC, "entry x2 = interrupted PC, just past the HVC (%#lx, want %#lx)",
	   (unsigned long)last.x[2], (unsigned long)RET_PC);
	ok((last.x[3] & 0x3ff) == x3_want && !(last.x[3] & ~0xf00003ffULL),
	   "entry x3 = interrupted PSTATE: EL1h, DAIF 0b1101 (%#lx)", (unsigned long)last.x[3]);
	d = first_diff(&last.x[4], &in[4], 14);
	ok(d < 0, "entry x4..x17 keep the interrupted values (first difference: x%d)", d < 0 ? -1 : d + 4);
	ok(last.current_el == 4 && last.spsel == 1, "handler runs at EL1h (CurrentEL %#lx, SPSel %lu)",
	   (unsigned long)last.current_el, (unsigned long)last.spsel);
	ok(last.daif == 0x3c0, "handler entered with D, A, I, F masked (DAIF %#lx)",
	   (unsigned long)last.daif);
	ok(last.sp == out[18], "handler SP = interrupted SP_EL1 (%#lx, want %#lx)",
	   (unsigned long)last.sp, (unsigned long)out[18]);
	ok(h_elr == 0xe1e1e1e0 && h_spsr == 0x3c4, "ELR_EL1 / SPSR_EL1 untouched by entry (%#lx, %#lx)",
	   (unsigned long)h_elr, (unsigned long)h_spsr);
	d = first_diff((volatile u64 *)ctx, want, 18);
	ok(d < 0, "CONTEXT(0..17) = the interrupted x0..x17 (first difference: x%d = %#lx)", d,
	   d < 0 ? 0UL : (unsigned long)ctx[d]);
	ok(ctx[18] == SDEI_INVALID_PARAMETERS, "CONTEXT(18) in a handler = INVALID_PARAMETERS (%ld)",
	   (long)ctx[18]);
	ok(st_in == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED | SDEI_ST_RUNNING),
	   "STATUS in the handler = registered|enabled|running (%ld)", (long)st_in);
	d = first_diff(out, want, 18);
	ok(d < 0, "after COMPLETE the interrupted x0..x17 are back (first difference: x%d = %#lx)", d,
	   d < 0 ? 0UL : (unsigned long)out[d]);
	ok(sdei_status(EV_SW) == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED),
	   "STATUS after COMPLETE = registered|enabled (%ld)", (long)sdei_status(EV_SW));

	/* ---- COMPLETE_AND_RESUME ---- */
	mode = M_RESUME;
	memset((void *)&sdei_resumed, 0, sizeof(sdei_resumed));
	c0 = count;
	sdei_signal_regs(in, out);
	ok(count == c0 + 1 && sdei_resumed.count == 1,
	   "COMPLETE_AND_RESUME: handler ran, then the resume address ran once (%lu, %lu)",
	   (unsigned long)(count - c0), (unsigned long)sdei_resumed.count);
	ok(sdei_resumed.elr == RET_PC, "at the resume address ELR_EL1 = interrupted PC (%#lx)",
	   (unsigned long)sdei_resumed.elr);
	ok(sdei_resumed.spsr == last.x[3], "SPSR_EL1 = interrupted PSTATE (%#lx, want %#lx)",
	   (unsigned long)sdei_resumed.spsr, (unsigned long)last.x[3]);
	ok(sdei_resumed.daif == 0x3c0 && sdei_resumed.current_el == 4 && sdei_resumed.spsel == 1,
	   "at the resume address: EL1h, DAIF masked (DAIF %#lx)", (unsigned long)sdei_resumed.daif);
	d = first_diff(sdei_resumed.x, want, 18);
	ok(d < 0, "at the resume address x0..x17 = interrupted values (first difference: x%d)", d);
	ok(sdei_resumed.sp == out[18], "at the resume address SP = interrupted SP (%#lx, want %#lx)",
	   (unsigned long)sdei_resumed.sp, (unsigned long)out[18]);
	d = first_diff(out, want, 18);
	ok(d < 0, "ERET from the resume address gets the interrupted code back intact (x%d)", d);

	mode = M_RESUME_BAD;
	c0 = count;
	sdei_signal_regs(in, out);
	ok(count == c0 + 1 && r1 == SDEI_DENIED && r2 == SDEI_DENIED,
	   "COMPLETE_AND_RESUME to 0 / a misaligned address = DENIED (%ld, %ld)", (long)r1, (long)r2);
	ok(st_in == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED | SDEI_ST_RUNNING) &&
	   first_diff(out, want, 18) < 0,
	   "... and the handler keeps running, then COMPLETEs normally (STATUS %ld)", (long)st_in);

	/* ---- signalled while running: delivered again after COMPLETE ---- */
	mode = M_RESIGNAL;
	count = 0;
	sdei_signal_regs(in, out);
	ok(r1 == SDEI_SUCCESS && count == 2 && last.x[2] == RET_PC,
	   "SIGNAL from inside the handler: runs again after COMPLETE (runs %lu, x2 %#lx)",
	   (unsigned long)count, (unsigned long)last.x[2]);

	/* ---- masking ---- */
	mode = M_RECORD;
	ok(sdei_pe_mask() == 1, "PE_MASK = 1");
	c0 = count;
	r = sdei_signal(EV_SW, read_mpidr());
	ok(r == SDEI_SUCCESS && !ran_since(c0), "SIGNAL to a masked PE: SUCCESS, no handler (%ld)",
	   (long)r);
	sdei_pe_unmask();
	ok(!ran_since(c0), "... and PE_UNMASK does not deliver it: the signal was lost");

	ok(sdei_register(EV_PRIV_NORMAL, EP, 1, SDEI_RM_ANY, 0) == SDEI_SUCCESS &&
	   sdei_enable(EV_PRIV_NORMAL) == SDEI_SUCCESS, "REGISTER + ENABLE 1000");
	sdei_pe_mask();
	c0 = count;
	r = testdev_raise(EV_PRIV_NORMAL, 0);
	ok(r == TESTDEV_PENDING && !ran_since(c0), "raise 1000 on a masked PE: pending, no handler (%ld)",
	   (long)r);
	sdei_pe_unmask();
	ok(ran_since(c0) && last.x[0] == EV_PRIV_NORMAL && last.x[1] == 1,
	   "PE_UNMASK delivers the pending 1000 (runs %lu, x0 %lu)", (unsigned long)(count - c0),
	   (unsigned long)last.x[0]);

	/* ---- disable while pending ---- */
	sdei_pe_mask();
	c0 = count;
	testdev_raise(EV_PRIV_NORMAL, 0);
	ok(sdei_disable(EV_PRIV_NORMAL) == SDEI_SUCCESS, "masked, raise 1000, DISABLE 1000");
	sdei_pe_unmask();
	ok(!ran_since(c0), "PE_UNMASK with 1000 disabled: no handler");
	sdei_enable(EV_PRIV_NORMAL);
	ok(ran_since(c0) && count == c0 + 1, "ENABLE delivers the event still pending (runs %lu)",
	   (unsigned long)(count - c0));

	/* ---- unregister while running ---- */
	mode = M_UNREG;
	c0 = count;
	r = testdev_raise(EV_PRIV_NORMAL, 0);
	ran_since(c0);
	ok(r == TESTDEV_PENDING && r1 == SDEI_PENDING,
	   "UNREGISTER of the running event = PENDING (%ld)", (long)r1);
	ok(st_in == SDEI_ST_RUNNING, "STATUS then = running only (%ld)", (long)st_in);
	ok(r2 == SDEI_PENDING && r3 == SDEI_DENIED && r4 == SDEI_DENIED,
	   "UNREGISTER again = PENDING, REGISTER / ENABLE = DENIED meanwhile (%ld, %ld, %ld)",
	   (long)r2, (long)r3, (long)r4);
	ok(sdei_status(EV_PRIV_NORMAL) == 0, "after COMPLETE the event is unregistered (STATUS %ld)",
	   (long)sdei_status(EV_PRIV_NORMAL));
	r = testdev_raise(EV_PRIV_NORMAL, 0);
	ok(r == TESTDEV_DROPPED && count == c0 + 1, "raising it now drops it (%ld)", (long)r);
	ok(testdev_raise(7, 0) == TESTDEV_REFUSED, "raising an unknown event is refused");

	/* ---- priorities ---- */
	mode = M_RAISE;
	ok(sdei_register(EV_PRIV_NORMAL, EP, 0, SDEI_RM_ANY, 0) == SDEI_SUCCESS &&
	   sdei_enable(EV_PRIV_NORMAL) == SDEI_SUCCESS &&
	   sdei_register(EV_PRIV_CRITICAL, EP, 0, SDEI_RM_ANY, 0) == SDEI_SUCCESS &&
	   sdei_enable(EV_PRIV_CRITICAL) == SDEI_SUCCESS, "REGISTER + ENABLE 1000 and 1001");
	log_reset();
	raise_in_normal = EV_PRIV_CRITICAL;
	raise_in_critical = EV_PRIV_NORMAL;
	crit_x3 = 0;
	testdev_raise(EV_PRIV_NORMAL, 0);
	udelay(20000);
	ok(!strcmp(evlog, "NCcnNn"),
	   "critical raised in a normal handler preempts it; normal raised in the critical one "
	   "waits for the normal to finish (order %s, want NCcnNn)", evlog);
	ok((crit_x3 & 0x3ff) == PSTATE_EL1H_DAIF,
	   "the preempting handler's x3 = the normal handler's PSTATE, EL1h DAIF masked (%#lx)",
	   (unsigned long)crit_x3);
	log_reset();
	raise_in_critical = EV_PRIV_NORMAL;
	testdev_raise(EV_PRIV_CRITICAL, 0);
	udelay(20000);
	ok(!strcmp(evlog, "CcNn"), "normal raised in a critical handler never preempts it (order %s)",
	   evlog);
	log_reset();
	raise_in_critical = EV_PRIV_CRITICAL;
	testdev_raise(EV_PRIV_CRITICAL, 0);
	udelay(20000);
	ok(!strcmp(evlog, "CcCc"), "critical raised in a critical handler waits for it (order %s)",
	   evlog);
	log_reset();
	sdei_pe_mask();
	testdev_raise(EV_PRIV_NORMAL, 0);
	testdev_raise(EV_PRIV_CRITICAL, 0);
	sdei_pe_unmask();
	udelay(20000);
	ok(!strcmp(evlog, "CcNn"), "both pending at PE_UNMASK: critical first (order %s)", evlog);
}
