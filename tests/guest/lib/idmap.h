/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stage 1 identity map with a choice of RAM memory type (lib/idmap.c), for
 * payloads that need the MMU on (payloads start with it off): 4 KiB granule,
 * 39-bit VA, TTBR0 only.  Everything below RAM is Device-nGnRE (never
 * executable); RAM, as /memory in the DTB says (else 1 GiB from RAM_BASE), is
 * Normal write-back, or Normal Tagged (MAIR 0xf0) for MTE tests; nothing past
 * RAM is mapped.
 */
#ifndef IDMAP_H
#define IDMAP_H

#include "libtest.h"

/* MAIR_EL1 attribute indices the tables use, and the values put there. */
#define IDMAP_DEVICE_nGnRE	0
#define IDMAP_NORMAL		1
#define IDMAP_NORMAL_TAGGED	2
#define IDMAP_DEVICE_nGnRnE	3
#define IDMAP_NORMAL_NC		4

#define IDMAP_MAIR_DEVICE_nGnRE		0x04ULL
#define IDMAP_MAIR_NORMAL		0xffULL	/* inner/outer WB, RW-allocate */
#define IDMAP_MAIR_NORMAL_TAGGED	0xf0ULL	/* the same with Allocation Tags (MTE2) */
#define IDMAP_MAIR_DEVICE_nGnRnE	0x00ULL
#define IDMAP_MAIR_NORMAL_NC		0x44ULL

#define IDMAP_VA_BITS		39
#define IDMAP_TCR_TBI0		BIT(37)
#define IDMAP_TCR_TCMA0		BIT(57)

/* ID_AA64PFR1_EL1.MTE: 0 none, 1 instructions only, 2 MTE2 (tags), 3 MTE3 */
static inline unsigned int cpu_mte_level(void)
{
	return (read_sysreg(id_aa64pfr1_el1) >> 8) & 0xf;
}

/*
 * Build the tables (first call, or when @tagged_ram changes) and turn the MMU
 * and caches on for this CPU: SCTLR_EL1.M, C, I set, A and WXN clear.
 * @tagged_ram maps RAM with IDMAP_NORMAL_TAGGED and sets TCR_EL1.TBI0 (TCMA0
 * clear: tag 0 pointers are checked too); it needs MTE2 (without it nothing
 * changes and false comes back).  Allocation Tag access (SCTLR_EL1.ATA) and
 * the tag check mode are the caller's.  Call it with the MMU off; a secondary
 * calls it again with the same @tagged_ram to use the same tables.
 */
bool idmap_enable(bool tagged_ram);
static inline bool idmap_mmu_on(void) { return read_sysreg(sctlr_el1) & 1; }
u64 idmap_ram_end(void);		/* first byte past the mapped RAM */

/* AT S1E1R (or S1E1W): PAR_EL1 for @va; bit 0 set = no translation. */
u64 idmap_translate(u64 va, bool write);
static inline u64 par_pa(u64 par) { return par & 0x0000fffffffff000ULL; }
static inline u64 par_attr(u64 par) { return par >> 56; }

void idmap_tlb_flush(void);		/* TLBI VMALLE1IS, with the barriers */

#endif
