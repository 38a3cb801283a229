// SPDX-License-Identifier: GPL-2.0
/*
 * SYSTEM_SUSPEND with an entry point outside guest RAM answers
 * INVALID_ADDRESS (-9) and returns to the caller, which keeps running with
 * its registers intact; a valid call afterwards still suspends and resumes.
 *
 * lkvm-args: -c 1 -m 64 --loglevel info --stats
 * expect-exit: 0
 * expect-output: SYSTEM_SUSPEND from vCPU 0 refused: entry 0x1000 is not in RAM
 * expect-output: stats: suspends 1 resumes 1
 */
#include "psci-suspend.h"

#define CONTEXT 0xc0ffeeULL

static u64 cval;

static void resumed(void)
{
	ok(resume_regs.count == 1 && resume_regs.x0 == CONTEXT,
	   "a valid entry afterwards: resumed there once with x0 = context id (%#lx)",
	   (unsigned long)resume_regs.x0);
	ok(resume_regs.cntvct >= cval, "CNTVCT_EL0 at the entry >= CNTV_CVAL_EL0");
	vtimer_off();
}

void test_main(void)
{
	u64 end = RAM_BASE + ram_size();
	const struct {
		u64 entry;
		const char *what;
	} bad[] = {
		{ 0x1000, "0x1000: below RAM" },
		{ 0x01000000, "0x1000000: the UART's MMIO" },
		{ 0x7ffffffc, "0x7ffffffc: last word below RAM" },
		{ end, "RAM base + size: first byte past RAM" },
		{ 0x100000000000ULL, "0x100000000000: no memory there" },
		{ (1ULL << 32) | entry_addr(), "entry + 2^32 (SMC64 id keeps the upper half)" },
		{ ~0ULL & ~3ULL, "0xfffffffffffffffc" },
	};

	plan(ARRAY_SIZE(bad) + 3);
	ok(ram_size() == 64ULL << 20, "/memory says 64 MiB (%#lx)", (unsigned long)ram_size());
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	suspend_prepare(resumed);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		s64 r = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), bad[i].entry, CONTEXT);

		ok(r == PSCI_RET_INVALID_ADDRESS, "entry %s: x0 = INVALID_ADDRESS (%ld)",
		   bad[i].what, (long)r);
	}
	cval = vtimer_arm_us(10000);
	suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	vtimer_off();
	bail("SYSTEM_SUSPEND with a valid entry returned");
}
