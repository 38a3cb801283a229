// SPDX-License-Identifier: GPL-2.0
/*
 * --disable-mte: the guest is not offered MTE, even where KVM has it.
 * ID_AA64PFR1_EL1.MTE reads 0 and the MTE system registers are UNDEFINED
 * (KVM hides them from a VM without MTE; a CPU without MTE has none).
 *
 * lkvm-args: -c 1 -m 64 --disable-mte
 * expect-exit: 0
 */
#include "libtest.h"

/* Reads of TFSR_EL1 and GCR_EL1 at known addresses; an UNDEF skips them. */
u64 mte_off_read_tfsr(void);
u64 mte_off_read_gcr(void);
__asm__(".pushsection .text.mte_off_probe, \"ax\"\n"
	".balign 4\n"
	".globl mte_off_read_tfsr\n"
	"mte_off_read_tfsr:\n"
	"	mov	x0, #0x5e\n"
	"	mrs	x0, s3_0_c5_c6_0\n"
	"	ret\n"
	".globl mte_off_read_gcr\n"
	"mte_off_read_gcr:\n"
	"	mov	x0, #0x5e\n"
	"	mrs	x0, s3_0_c1_c0_6\n"
	"	ret\n"
	".popsection\n");

static volatile unsigned int undefs;
static volatile u64 last_esr;

static bool probe_undef(struct pt_regs *regs, u64 esr)
{
	if (regs->elr != (u64)(uintptr_t)mte_off_read_tfsr + 4 &&
	    regs->elr != (u64)(uintptr_t)mte_off_read_gcr + 4)
		return false;
	undefs++;
	last_esr = esr;
	regs->elr += 4;
	return true;
}

void test_main(void)
{
	u64 pfr1 = read_sysreg(id_aa64pfr1_el1);
	u64 v;

	plan(3);
	ok(((pfr1 >> 8) & 0xf) == 0, "--disable-mte: ID_AA64PFR1_EL1.MTE = 0 (ID_AA64PFR1_EL1 %#lx)",
	   (unsigned long)pfr1);

	install_sync_handler(probe_undef);
	undefs = 0;
	last_esr = ~0ULL;
	v = mte_off_read_tfsr();
	ok(undefs == 1 && (last_esr >> 26) == 0 && v == 0x5e,
	   "MRS TFSR_EL1 is UNDEFINED (ESR %#lx)", (unsigned long)last_esr);
	undefs = 0;
	last_esr = ~0ULL;
	v = mte_off_read_gcr();
	ok(undefs == 1 && (last_esr >> 26) == 0 && v == 0x5e,
	   "MRS GCR_EL1 is UNDEFINED (ESR %#lx)", (unsigned long)last_esr);
	install_sync_handler(NULL);
}
