/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_REGS_H
#define LKVM_REGS_H

/*
 * KVM ONE_REG ids of the arm64 core registers lkvm touches.  Spelled out here
 * (they are ABI) so that the pure logic and its native tests need no arm64
 * kernel headers.
 */
#define REG_CORE(off32)		(0x6030000000100000ULL | (unsigned long long)(off32))
#define REG_X(n)		REG_CORE(2 * (n))	/* x0..x30 */
#define REG_SP			REG_CORE(0x3e)		/* SP_EL0 */
#define REG_PC			REG_CORE(0x40)
#define REG_PSTATE		REG_CORE(0x42)
#define REG_SP_EL1		REG_CORE(0x44)
#define REG_ELR_EL1		REG_CORE(0x46)
#define REG_SPSR_EL1		REG_CORE(0x48)

/* System registers: KVM_REG_ARM64 | SIZE_U64 | SYSREG | op0:op1:CRn:CRm:op2. */
#define REG_SYS(op0, op1, crn, crm, op2)                                          \
	(0x6030000000130000ULL | ((unsigned long long)(op0) << 14) |              \
	 ((unsigned long long)(op1) << 11) | ((unsigned long long)(crn) << 7) |   \
	 ((unsigned long long)(crm) << 3) | (unsigned long long)(op2))
#define REG_MPIDR_EL1		REG_SYS(3, 0, 0, 0, 5)
#define REG_SCTLR_EL1		REG_SYS(3, 0, 1, 0, 0)
/*
 * The guest's virtual counter.  KVM's ids for CNTVCT and CNTV_CVAL are swapped
 * against their encodings (fixed ABI).  Writing it moves the VM-wide offset.
 */
#define REG_TIMER_CNT		REG_SYS(3, 3, 14, 3, 2)
/* The physical counter (6.4+): writing it moves the VM-wide physical offset. */
#define REG_PTIMER_CNT		REG_SYS(3, 3, 14, 0, 1)

/* KVM's firmware pseudo-registers. */
#define REG_PSCI_VERSION	0x6030000000140000ULL
#define REG_SVE_VLS		0x606000000015ffffULL
/* Which KVM-specific hypercalls the guest is offered; bit 0: PV_TIME. */
#define REG_STD_HYP_BMAP	0x6030000000160001ULL
#define STD_HYP_BIT_PV_TIME	0

/* PSTATE values. */
#define PSTATE_MODE_EL1H	0x5ULL
#define PSTATE_F		(1ULL << 6)
#define PSTATE_I		(1ULL << 7)
#define PSTATE_A		(1ULL << 8)
#define PSTATE_D		(1ULL << 9)
#define PSTATE_DAIF		(PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F)
/* EL1h, D/A/I/F masked: where PSCI CPU_ON, resume and SDEI handlers start. */
#define PSTATE_EL1H_DAIF	(PSTATE_MODE_EL1H | PSTATE_DAIF)	/* 0x3c5 */

/* What an exception entry to EL1 takes from, or sets in, PSTATE. */
#define PSTATE_NZCV		(0xfULL << 28)
#define PSTATE_TCO		(1ULL << 25)
#define PSTATE_DIT		(1ULL << 24)
#define PSTATE_PAN		(1ULL << 22)
#define PSTATE_SSBS		(1ULL << 12)

#define SCTLR_EL1_EE		(1ULL << 25)
#define SCTLR_EL1_SPAN		(1ULL << 23)
#define SCTLR_EL1_DSSBS		(1ULL << 44)

/* MPIDR_EL1's affinity fields (Aff3, Aff2, Aff1, Aff0): what names a PE. */
#define MPIDR_AFF_MASK		0xff00ffffffULL

#endif
