// SPDX-License-Identifier: GPL-2.0
/*
 * SYSTEM_SUSPEND round trip, for tests/bench/run.sh (deterministic timing in
 * the emulated host):
 *
 *   lkvm run -k suspend.bin -c 1 -m 64 -p "bench.iters=N bench.delay_us=D"
 *
 * N suspend/resume cycles, each woken by the virtual timer D us after the
 * call.  t0 = CNTVCT just before the HVC, t1 = CNTVCT at the first
 * instruction of the entry point.  With D = 0 the deadline has passed before
 * the call, so the timer is pending when lkvm parks the vCPU: t1 - t0 is the
 * whole mechanism (SUSPEND exit, checks, MP_STATE SUSPENDED, KVM_RUN, the
 * immediate WAKEUP exit, the reset to the entry) with nothing waited for.
 * With D > 0, t1 - CVAL is what the wake-up costs beyond the requested sleep.
 * Prints the median (and min) of each, in CNTVCT ticks and ns.
 */
#include "psci-suspend.h"
#include "bench.h"

#define MAX_ITERS 256

static u64 iters, delay_us, done_iters, t0, cval;
static u64 rt[MAX_ITERS], late[MAX_ITERS];

static void cycle(void);

static void report(void)
{
	u64 freq = read_cntfrq(), m, lo;

	printf("# bench: %lu cycles, delay %lu us, CNTFRQ %lu Hz\n", (unsigned long)iters,
	       (unsigned long)delay_us, (unsigned long)freq);
	lo = rt[0];
	for (u64 i = 1; i < iters; i++)
		lo = rt[i] < lo ? rt[i] : lo;
	m = median(rt, (unsigned int)iters);
	bench_line(delay_us ? "suspend-call-to-entry-ticks" : "suspend-roundtrip-ticks", m,
		   "ticks");
	bench_line(delay_us ? "suspend-call-to-entry-ns" : "suspend-roundtrip-ns",
		   m * 1000000000ULL / freq, "ns");
	bench_line(delay_us ? "suspend-call-to-entry-min-ns" : "suspend-roundtrip-min-ns",
		   lo * 1000000000ULL / freq, "ns");
	if (delay_us) {
		m = median(late, (unsigned int)iters);
		bench_line("suspend-wake-after-deadline-ticks", m, "ticks");
		bench_line("suspend-wake-after-deadline-ns", m * 1000000000ULL / freq, "ns");
	}
}

static void resumed(void)
{
	u64 t1 = resume_regs.cntvct;

	vtimer_off();
	if (resume_regs.x0 != done_iters)
		bail("cycle %lu resumed with x0 = %#lx", (unsigned long)done_iters,
		     (unsigned long)resume_regs.x0);
	rt[done_iters] = t1 - t0;
	late[done_iters] = t1 >= cval ? t1 - cval : 0;
	if (++done_iters < iters)
		cycle();
	report();
	done();
}

static void cycle(void)
{
	u64 d = us_to_ticks(delay_us);

	suspend_prepare(resumed);
	write_cntv_ctl(0);
	t0 = read_cntvct();
	cval = t0 + d;
	write_cntv_cval(cval);
	write_cntv_ctl(CNTV_CTL_ENABLE);
	suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), done_iters);
	bail("SYSTEM_SUSPEND returned");
}

void test_main(void)
{
	iters = bench_arg("bench.iters", 16);
	delay_us = bench_arg("bench.delay_us", 0);
	if (!iters || iters > MAX_ITERS)
		bail("bench.iters must be 1..%d", MAX_ITERS);
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	plan(0);
	cycle();
}
