// SPDX-License-Identifier: GPL-2.0
/*
 * --pmu gives the guest a PMUv3 (ID_AA64DFR0_EL1.PMUVer, and PMCR_EL0 counts
 * cycles); --disable-sve takes SVE away (ID_AA64PFR0_EL1.SVE = 0).
 *
 * lkvm-args: -c 1 -m 64 --pmu --disable-sve
 * expect-exit: 0
 */
#include "libtest.h"

void test_main(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1);
	u64 pmuver = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;
	u64 before, after;

	plan(3);
	ok(((pfr0 >> 32) & 0xf) == 0, "--disable-sve: ID_AA64PFR0_EL1.SVE = 0 (%#lx)",
	   (unsigned long)pfr0);
	ok(pmuver != 0 && pmuver != 0xf, "--pmu: ID_AA64DFR0_EL1.PMUVer = %#lx (PMUv3)",
	   (unsigned long)pmuver);
	/* Enable the cycle counter and see it move. */
	write_sysreg(BIT(31), pmcntenset_el0);
	write_sysreg(read_sysreg(pmcr_el0) | 1, pmcr_el0);
	isb();
	before = read_sysreg(pmccntr_el0);
	udelay(1000);
	after = read_sysreg(pmccntr_el0);
	ok(after > before, "PMCCNTR_EL0 counts: %lu -> %lu", (unsigned long)before,
	   (unsigned long)after);
}
