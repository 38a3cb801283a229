// SPDX-License-Identifier: GPL-2.0
/*
 * A long SYSTEM_SUSPEND (DELAY_MS on the virtual timer) that ends at the
 * right entry point, once, and no earlier than the timer.  On its own it is
 * one more suspend; tests/linux/suspend-signals.sh runs it while it sends lkvm
 * a storm of signals (vCPU kicks, terminal resizes, stop/continue), which must
 * neither lose the suspend nor wake the guest early.
 *
 * lkvm-args: -c 1 -m 64 --loglevel info --stats
 * expect-exit: 0
 * expect-output: stats: suspends 1 resumes 1
 * timeout: 60
 */
#include "psci-suspend.h"

#define CONTEXT		0x57024dULL
#define DELAY_MS	5000

static u64 cval, called;

static void resumed(void)
{
	const volatile struct resume_regs *r = &resume_regs;

	ok(r->count == 1, "entered the resume entry point exactly once (%lu)",
	   (unsigned long)r->count);
	ok(r->x0 == CONTEXT, "x0 = context id %#llx (got %#lx)", CONTEXT, (unsigned long)r->x0);
	ok(r->daif == DAIF_ALL && r->spsel == 1, "PSTATE at the entry: EL1h, DAIF masked (%#lx)",
	   (unsigned long)r->daif);
	ok(r->cntvct >= cval,
	   "CNTVCT_EL0 at the entry >= CNTV_CVAL_EL0: suspended %lu ms of %u, not woken early",
	   (unsigned long)(ticks_to_us(r->cntvct - called) / 1000), DELAY_MS);
	ok(irqs_taken == 0, "the call never returned to the caller (interrupts taken: %d)",
	   irqs_taken);
	vtimer_off();
}

void test_main(void)
{
	s64 ret;

	plan(5);
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	install_irq_handler(timer_irq_handler);
	suspend_prepare(resumed);
	printf("# suspending for %u ms\n", DELAY_MS);
	called = read_cntvct();
	cval = vtimer_arm_us(DELAY_MS * 1000ULL);
	/* Unmasked: a call that wrongly returned would take the timer IRQ. */
	__asm__ volatile("msr daifclr, #0xf" : : : "memory");
	ret = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	__asm__ volatile("msr daifset, #0xf" : : : "memory");
	vtimer_off();
	bail("SYSTEM_SUSPEND returned %ld", (long)ret);
}
