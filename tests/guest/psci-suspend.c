// SPDX-License-Identifier: GPL-2.0
/*
 * SYSTEM_SUSPEND (SMC64 id) on the only vCPU, woken by the virtual timer: the
 * call does not return; the vCPU comes back at the entry point in the PSCI
 * reset state (EL1h, DAIF masked, MMU and caches off) with the context id in
 * x0, and not before the timer's deadline.  Interrupts are unmasked and the
 * caches enabled at the call so the reset state is visible.
 *
 * lkvm-args: -c 1 -m 64 --loglevel info --stats
 * expect-exit: 0
 * expect-output: guest suspended \(SYSTEM_SUSPEND on vCPU 0, resume at 0x[0-9a-f]+\)
 * expect-output: guest resumed \(vCPU 0 at 0x[0-9a-f]+\)
 * expect-output: stats: suspends 1 resumes 1 reboots 0
 */
#include "psci-suspend.h"

#define CONTEXT		0x0123456789abcdefULL
#define DELAY_US	50000

static u64 cval;

static void resumed(void)
{
	const volatile struct resume_regs *r = &resume_regs;

	ok(r->count == 1, "entered the resume entry point once (%lu)", (unsigned long)r->count);
	ok(r->x0 == CONTEXT, "x0 = context id %#llx (got %#lx)", CONTEXT, (unsigned long)r->x0);
	ok(r->current_el == 1 << 2, "CurrentEL = EL1 (%#lx)", (unsigned long)r->current_el);
	ok(r->spsel == 1, "SPSel = 1: EL1h (%lu)", (unsigned long)r->spsel);
	ok(r->daif == DAIF_ALL, "DAIF = %#lx: D, A, I, F masked (all clear at the call)",
	   (unsigned long)r->daif);
	ok(!(r->sctlr & SCTLR_M), "SCTLR_EL1.M = 0: MMU off (SCTLR_EL1 %#lx)",
	   (unsigned long)r->sctlr);
	ok(!(r->sctlr & (SCTLR_C | SCTLR_I)),
	   "SCTLR_EL1.C = SCTLR_EL1.I = 0: caches off (both set at the call)");
	ok(!(r->sctlr & SCTLR_EE), "SCTLR_EL1.EE = 0: the caller's (little) endianness");
	ok(r->cntvct >= cval, "CNTVCT_EL0 at the entry %lu >= CNTV_CVAL_EL0 %lu: not woken early",
	   (unsigned long)r->cntvct, (unsigned long)cval);
	diag("woke %lu us after the deadline", (unsigned long)ticks_to_us(r->cntvct - cval));
	ok(irqs_taken == 0, "no interrupt taken between the call and the resume (%d)",
	   irqs_taken);
	vtimer_off();
}

void test_main(void)
{
	s64 ret;

	plan(10);
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	install_irq_handler(timer_irq_handler);
	suspend_prepare(resumed);

	write_sysreg(read_sysreg(sctlr_el1) | SCTLR_C | SCTLR_I, sctlr_el1);
	isb();
	cval = vtimer_arm_us(DELAY_US);
	__asm__ volatile("msr daifclr, #0xf" : : : "memory");
	ret = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	__asm__ volatile("msr daifset, #0xf" : : : "memory");
	vtimer_off();
	bail("SYSTEM_SUSPEND returned %ld to the caller instead of resuming at the entry point",
	     (long)ret);
}
