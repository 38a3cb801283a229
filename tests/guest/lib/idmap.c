// SPDX-License-Identifier: GPL-2.0
/*
 * Identity-mapped stage 1 tables (idmap.h).  4 KiB granule, T0SZ = 25 (39-bit
 * VA, the walk starts at level 1): a level 1 entry covers 1 GiB and is a
 * block where the whole GiB is one kind (device or RAM), else a level 2 table
 * of 2 MiB blocks.
 */
#include "idmap.h"

#define SZ_2M		(2ULL << 20)
#define SZ_1G		(1ULL << 30)
#define NR_L2		2	/* only the GiBs where RAM starts and ends are mixed */

#define PTE_BLOCK	1ULL
#define PTE_TABLE	3ULL
#define PTE_ATTRIDX(i)	((u64)(i) << 2)
#define PTE_SH_INNER	(3ULL << 8)
#define PTE_AF		BIT(10)
#define PTE_PXN		BIT(53)
#define PTE_UXN		BIT(54)

#define SCTLR_M		BIT(0)
#define SCTLR_A		BIT(1)
#define SCTLR_C		BIT(2)
#define SCTLR_SA	BIT(3)
#define SCTLR_I		BIT(12)
#define SCTLR_WXN	BIT(19)

#define TCR_T0SZ(x)	((u64)(x) & 0x3f)
#define TCR_IRGN0_WBWA	(1ULL << 8)
#define TCR_ORGN0_WBWA	(1ULL << 10)
#define TCR_SH0_INNER	(3ULL << 12)
#define TCR_TG0_4K	(0ULL << 14)
#define TCR_EPD1	BIT(23)
#define TCR_TG1_4K	(2ULL << 30)
#define TCR_IPS_SHIFT	32

static u64 l1_table[512] __attribute__((aligned(4096)));
static u64 l2_tables[NR_L2][512] __attribute__((aligned(4096)));
static bool tables_built, tables_tagged;
static u64 ram_start, ram_end;

extern char _start[], __stacks_end[];

static void ram_range(void)
{
	u32 len = 0;
	const u8 *p = fdt_getprop("/memory", "reg", &len);
	u64 size = SZ_1G;

	ram_start = RAM_BASE;
	if (p && len >= 16) {
		ram_start = fdt64(p);
		size = fdt64(p + 8);
	}
	ram_end = ram_start + size;
	if (ram_end > (1ULL << IDMAP_VA_BITS) || ram_end < ram_start)
		ram_end = 1ULL << IDMAP_VA_BITS;
}

u64 idmap_ram_end(void)
{
	return ram_end;
}

static u64 ram_desc(bool tagged)
{
	return PTE_AF | PTE_SH_INNER | PTE_UXN |
	       PTE_ATTRIDX(tagged ? IDMAP_NORMAL_TAGGED : IDMAP_NORMAL);
}

static u64 dev_desc(void)
{
	return PTE_AF | PTE_PXN | PTE_UXN | PTE_ATTRIDX(IDMAP_DEVICE_nGnRE);
}

/* Descriptor of the 2 MiB block at @a: device below RAM, RAM if RAM covers
 * any of it, 0 (unmapped) past RAM. */
static u64 block_desc(u64 a, u64 size, bool tagged)
{
	if (a + size <= ram_start)
		return dev_desc();
	if (a < ram_end)
		return ram_desc(tagged);
	return 0;
}

static void build_tables(bool tagged)
{
	unsigned int nl2 = 0;
	u64 top = (ram_end + SZ_1G - 1) & ~(SZ_1G - 1);

	memset(l1_table, 0, sizeof(l1_table));
	memset(l2_tables, 0, sizeof(l2_tables));
	for (u64 gb = 0; gb < top; gb += SZ_1G) {
		bool whole_dev = gb + SZ_1G <= ram_start;
		bool whole_ram = gb >= ram_start && gb + SZ_1G <= ram_end;
		u64 *l2;

		if (whole_dev || whole_ram) {
			l1_table[gb >> 30] = gb | block_desc(gb, SZ_1G, tagged) | PTE_BLOCK;
			continue;
		}
		if (nl2 == NR_L2)
			bail("idmap: RAM %#lx-%#lx needs more than %d level 2 tables",
			     (unsigned long)ram_start, (unsigned long)ram_end, NR_L2);
		l2 = l2_tables[nl2++];
		for (unsigned int i = 0; i < 512; i++) {
			u64 a = gb + i * SZ_2M, d = block_desc(a, SZ_2M, tagged);

			if (d)
				l2[i] = a | d | PTE_BLOCK;
		}
		l1_table[gb >> 30] = (u64)(uintptr_t)l2 | PTE_TABLE;
	}
	tables_built = true;
	tables_tagged = tagged;
}

/*
 * With the MMU off, the tables, the stack and the data went to memory past
 * the caches: drop any (clean, stale) lines for them before the tables are
 * walked and the data is read through the caches.
 */
static void clean_inval_image(void)
{
	u64 line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	u64 a = (u64)(uintptr_t)_start & ~(line - 1);
	u64 end = (u64)(uintptr_t)__stacks_end;

	for (; a < end; a += line)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	dsb(sy);
}

void idmap_tlb_flush(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi vmalle1is" : : : "memory");
	dsb(ish);
	isb();
}

bool idmap_enable(bool tagged_ram)
{
	bool mte2 = cpu_mte_level() >= 2;
	u64 parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	u64 mair, tcr, sctlr;

	if (tagged_ram && !mte2)
		return false;
	if (idmap_mmu_on()) {
		if (tables_built && tables_tagged == tagged_ram &&
		    read_sysreg(ttbr0_el1) == (u64)(uintptr_t)l1_table)
			return true;
		bail("idmap_enable(%d): the MMU is already on with other tables", tagged_ram);
	}
	if (!tables_built || tables_tagged != tagged_ram) {
		ram_range();
		build_tables(tagged_ram);
	}
	clean_inval_image();

	mair = IDMAP_MAIR_DEVICE_nGnRE << (8 * IDMAP_DEVICE_nGnRE) |
	       IDMAP_MAIR_NORMAL << (8 * IDMAP_NORMAL) |
	       /* 0xf0 is reserved without MTE2: plain write-back there. */
	       (mte2 ? IDMAP_MAIR_NORMAL_TAGGED : IDMAP_MAIR_NORMAL) << (8 * IDMAP_NORMAL_TAGGED) |
	       IDMAP_MAIR_DEVICE_nGnRnE << (8 * IDMAP_DEVICE_nGnRnE) |
	       IDMAP_MAIR_NORMAL_NC << (8 * IDMAP_NORMAL_NC);
	tcr = TCR_T0SZ(64 - IDMAP_VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |
	      TCR_TG0_4K | TCR_EPD1 | TCR_TG1_4K |
	      (u64)(parange > 5 ? 5 : parange) << TCR_IPS_SHIFT;
	if (tagged_ram)
		tcr |= IDMAP_TCR_TBI0;	/* and TCMA0 clear */

	write_sysreg(mair, mair_el1);
	write_sysreg(tcr, tcr_el1);
	write_sysreg((u64)(uintptr_t)l1_table, ttbr0_el1);
	isb();
	__asm__ volatile("ic iallu\n\ttlbi vmalle1" : : : "memory");
	dsb(nsh);
	isb();

	sctlr = read_sysreg(sctlr_el1);
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA;
	sctlr &= ~(SCTLR_A | SCTLR_WXN);
	write_sysreg(sctlr, sctlr_el1);
	isb();
	return true;
}

u64 idmap_translate(u64 va, bool write)
{
	if (write)
		__asm__ volatile("at s1e1w, %0" : : "r"(va) : "memory");
	else
		__asm__ volatile("at s1e1r, %0" : : "r"(va) : "memory");
	isb();
	return read_sysreg(par_el1);
}
