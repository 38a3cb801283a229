// SPDX-License-Identifier: GPL-2.0
/*
 * Both SYSTEM_SUSPEND function ids: SMC32 (0x8400000E) takes the low 32 bits
 * of x1 (entry) and x2 (context) and ignores the upper halves; SMC64
 * (0xC400000E) passes the full 64-bit context id through to x0.
 *
 * lkvm-args: -c 1 -m 64 --loglevel info --stats
 * expect-exit: 0
 * expect-output: stats: suspends 2 resumes 2
 */
#include "psci-suspend.h"

#define JUNK		0xdeadbeef00000000ULL
#define CTX32		0x89abcdefULL
#define CTX64		0xfedcba9876543210ULL

static u64 cval;

static void after_smc64(void)
{
	ok(resume_regs.count == 2, "SMC64: entered the entry point (entries so far: %lu)",
	   (unsigned long)resume_regs.count);
	ok(resume_regs.x0 == CTX64, "SMC64: x0 = full 64-bit context id %#llx (got %#lx)", CTX64,
	   (unsigned long)resume_regs.x0);
	ok(resume_regs.cntvct >= cval, "SMC64: CNTVCT_EL0 at the entry >= CNTV_CVAL_EL0");
	vtimer_off();
}

static void after_smc32(void)
{
	s64 r;

	ok(resume_regs.count == 1, "SMC32: x1 upper half ignored, entered the entry point (%lu)",
	   (unsigned long)resume_regs.count);
	ok(resume_regs.x0 == CTX32, "SMC32: x0 = low 32 bits of x2 %#llx (got %#lx)", CTX32,
	   (unsigned long)resume_regs.x0);
	ok(resume_regs.cntvct >= cval, "SMC32: CNTVCT_EL0 at the entry >= CNTV_CVAL_EL0");

	/* Second cycle: the 64-bit id, from the resumed context. */
	suspend_prepare(after_smc64);
	cval = vtimer_arm_us(10000);
	r = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CTX64);
	vtimer_off();
	bail("SMC64 SYSTEM_SUSPEND returned %ld", (long)r);
}

void test_main(void)
{
	s64 r;

	plan(7);
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	suspend_prepare(after_smc32);

	r = suspend_call(PSCI_SYSTEM_SUSPEND, 0xffffffff00001000ULL, CTX32);
	ok(r == PSCI_RET_INVALID_ADDRESS,
	   "SMC32 with x1 = 0xffffffff00001000: low half 0x1000 is not RAM, INVALID_ADDRESS (%ld)",
	   (long)r);
	cval = vtimer_arm_us(10000);
	r = suspend_call(PSCI_SYSTEM_SUSPEND, JUNK | entry_addr(), JUNK | CTX32);
	vtimer_off();
	bail("SMC32 SYSTEM_SUSPEND returned %ld", (long)r);
}
