// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU features lkvm asks KVM for reach the guest's ID registers: SVE
 * (the emulated host has it), pointer authentication (address and generic),
 * and no PMU unless --pmu.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "libtest.h"

void test_main(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1);
	u64 isar1 = read_sysreg(id_aa64isar1_el1);
	u64 isar2 = read_sysreg(s3_0_c0_c6_2);	/* ID_AA64ISAR2_EL1 */
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1);
	/* APA/API (isar1 [7:4]/[11:8]) or APA3 (isar2 [15:12]): address auth. */
	bool addr_auth = ((isar1 >> 4) & 0xf) || ((isar1 >> 8) & 0xf) || ((isar2 >> 12) & 0xf);
	/* GPA/GPI (isar1 [27:24]/[31:28]) or GPA3 (isar2 [11:8]): generic auth. */
	bool gen_auth = ((isar1 >> 24) & 0xf) || ((isar1 >> 28) & 0xf) || ((isar2 >> 8) & 0xf);
	u64 pmuver = (dfr0 >> 8) & 0xf;

	plan(3);
	ok(((pfr0 >> 32) & 0xf) == 1, "ID_AA64PFR0_EL1.SVE = 1 (%#lx)", (unsigned long)pfr0);
	ok(addr_auth && gen_auth, "pointer authentication, address and generic "
	   "(ID_AA64ISAR1_EL1 %#lx, ISAR2 %#lx)", (unsigned long)isar1, (unsigned long)isar2);
	ok(pmuver == 0 || pmuver == 0xf, "no PMU without --pmu: ID_AA64DFR0_EL1.PMUVer = %#lx",
	   (unsigned long)pmuver);
}
