// SPDX-License-Identifier: GPL-2.0
/*
 * A KVM ONE_REG id as a person reads it ("x5", "SCTLR_EL1", "z3[0]",
 * "S3_0_C0_C7_2"), for the one line that says which register a restore
 * stumbled on.  Pure: ids are ABI (Documentation/virt/kvm/api.rst, 4.68).
 */
#include <stdio.h>

#include "lkvm/reg-name.h"

#define CLASS(id)	(((id) >> 16) & 0xffff)
#define C_CORE		0x0010
#define C_SYS		0x0013
#define C_FW		0x0014
#define C_SVE		0x0015
#define C_FW_BMAP	0x0016

struct named {
	u32 enc;	/* op0:op1:CRn:CRm:op2, as in the id */
	const char *name;
};

#define ENC(op0, op1, crn, crm, op2) \
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))

/* The ones a person meets most; any other is shown by its encoding. */
static const struct named sysregs[] = {
	{ ENC(3, 0, 0, 0, 5), "MPIDR_EL1" },
	{ ENC(3, 0, 1, 0, 0), "SCTLR_EL1" },
	{ ENC(3, 0, 1, 0, 2), "CPACR_EL1" },
	{ ENC(3, 0, 2, 0, 0), "TTBR0_EL1" },
	{ ENC(3, 0, 2, 0, 1), "TTBR1_EL1" },
	{ ENC(3, 0, 2, 0, 2), "TCR_EL1" },
	{ ENC(3, 0, 10, 2, 0), "MAIR_EL1" },
	{ ENC(3, 0, 12, 0, 0), "VBAR_EL1" },
	{ ENC(3, 0, 13, 0, 1), "CONTEXTIDR_EL1" },
	{ ENC(3, 0, 13, 0, 4), "TPIDR_EL1" },
	{ ENC(3, 3, 13, 0, 2), "TPIDR_EL0" },
	{ ENC(3, 3, 13, 0, 3), "TPIDRRO_EL0" },
	{ ENC(3, 0, 0, 4, 0), "ID_AA64PFR0_EL1" },
	{ ENC(3, 0, 0, 4, 1), "ID_AA64PFR1_EL1" },
	{ ENC(3, 0, 0, 4, 4), "ID_AA64ZFR0_EL1" },
	{ ENC(3, 0, 0, 6, 0), "ID_AA64ISAR0_EL1" },
	{ ENC(3, 0, 0, 6, 1), "ID_AA64ISAR1_EL1" },
	{ ENC(3, 0, 0, 6, 2), "ID_AA64ISAR2_EL1" },
	{ ENC(3, 0, 0, 7, 0), "ID_AA64MMFR0_EL1" },
	{ ENC(3, 0, 0, 7, 1), "ID_AA64MMFR1_EL1" },
	{ ENC(3, 0, 0, 7, 2), "ID_AA64MMFR2_EL1" },
	{ ENC(3, 0, 0, 5, 0), "ID_AA64DFR0_EL1" },
	{ ENC(3, 3, 0, 0, 1), "CTR_EL0" },
	{ ENC(3, 3, 9, 12, 0), "PMCR_EL0" },
	/* KVM's timer ids: CNT and CVAL swapped against their encodings (ABI). */
	{ ENC(3, 3, 14, 3, 1), "TIMER_CTL (CNTV_CTL_EL0)" },
	{ ENC(3, 3, 14, 3, 2), "TIMER_CNT (CNTVCT_EL0)" },
	{ ENC(3, 3, 14, 0, 2), "TIMER_CVAL (CNTV_CVAL_EL0)" },
	{ ENC(3, 3, 14, 2, 1), "PTIMER_CTL (CNTP_CTL_EL0)" },
	{ ENC(3, 3, 14, 0, 1), "PTIMER_CNT (CNTPCT_EL0)" },
	{ ENC(3, 3, 14, 2, 2), "PTIMER_CVAL (CNTP_CVAL_EL0)" },
};

static const char *const fw_regs[] = {
	"PSCI_VERSION", "SMCCC_ARCH_WORKAROUND_1", "SMCCC_ARCH_WORKAROUND_2",
	"SMCCC_ARCH_WORKAROUND_3",
};
static const char *const fw_bmaps[] = {
	"STD_BMAP", "STD_HYP_BMAP", "VENDOR_HYP_BMAP", "VENDOR_HYP_BMAP_2",
};
static const char *const core_names[] = {
	[0x3e] = "sp", [0x40] = "pc", [0x42] = "pstate", [0x44] = "sp_el1",
	[0x46] = "elr_el1", [0x48] = "spsr_el1", [0x4a] = "spsr_abt", [0x4c] = "spsr_und",
	[0x4e] = "spsr_irq", [0x50] = "spsr_fiq", [0xd4] = "fpsr", [0xd5] = "fpcr",
};

void reg_name(u64 id, char *buf, size_t len)
{
	u32 low = (u32)(id & 0xffff);

	switch (CLASS(id)) {
	case C_CORE:
		if (low < 62 && !(low % 2))
			snprintf(buf, len, "x%u", low / 2);
		else if (low >= 0x54 && low < 0xd4 && !(low % 4))
			snprintf(buf, len, "v%u", (low - 0x54) / 4);
		else if (low < ARRAY_SIZE(core_names) && core_names[low])
			snprintf(buf, len, "%s", core_names[low]);
		else
			snprintf(buf, len, "core register 0x%x", low);
		return;
	case C_SYS:
		for (size_t i = 0; i < ARRAY_SIZE(sysregs); i++)
			if (sysregs[i].enc == low) {
				snprintf(buf, len, "%s", sysregs[i].name);
				return;
			}
		snprintf(buf, len, "S%u_%u_C%u_C%u_%u", low >> 14, (low >> 11) & 7, (low >> 7) & 15,
			 (low >> 3) & 15, low & 7);
		return;
	case C_FW:
		if (low < ARRAY_SIZE(fw_regs))
			snprintf(buf, len, "%s", fw_regs[low]);
		else
			snprintf(buf, len, "firmware register %u", low);
		return;
	case C_FW_BMAP:
		if (low < ARRAY_SIZE(fw_bmaps))
			snprintf(buf, len, "%s", fw_bmaps[low]);
		else
			snprintf(buf, len, "firmware bitmap %u", low);
		return;
	case C_SVE:
		if (low == 0xffff)
			snprintf(buf, len, "SVE_VLS");
		else if (low < 0x400)
			snprintf(buf, len, "z%u[%u]", (low >> 5) & 31, low & 31);
		else if (low < 0x600)
			snprintf(buf, len, "p%u[%u]", (low >> 5) & 15, low & 31);
		else
			snprintf(buf, len, "ffr[%u]", low & 31);
		return;
	default:
		snprintf(buf, len, "register 0x%llx", (unsigned long long)id);
	}
}
