// SPDX-License-Identifier: GPL-2.0
/*
 * MTE is on by default where KVM has it: the guest sees MTE2 or better and
 * can use Allocation Tags on its RAM (a Normal Tagged identity map, lib/idmap.c),
 * with tag checks in each mode, as kvm-unit-tests' arm/mte.c checks them:
 * synchronous (SCTLR_EL1.TCF = 1: a mismatch is a data abort, DFSC 0x11),
 * asynchronous (2: no exception, TFSR_EL1.TF0 set for a TTBR0 address), and
 * with MTE3 asymmetric (3: loads synchronous, stores asynchronous).
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "libtest.h"
#include "idmap.h"
#include "mte.h"

#define SCTLR_M		BIT(0)
#define SCTLR_C		BIT(2)
#define SCTLR_I		BIT(12)
#define SCTLR_ITFSB	BIT(37)
#define SCTLR_TCF0_MASK	(3ULL << 38)
#define SCTLR_TCF_SHIFT	40
#define SCTLR_TCF_MASK	(3ULL << SCTLR_TCF_SHIFT)

#define TCF_NONE	0
#define TCF_SYNC	1
#define TCF_ASYNC	2
#define TCF_ASYMM	3	/* MTE3 */

#define TFSR_TF0	BIT(0)	/* async fault, EL1, VA bit 55 = 0 */
#define TFSR_TF1	BIT(1)	/* async fault, EL1, VA bit 55 = 1 */

#define read_tfsr()	read_sysreg(s3_0_c5_c6_0)
#define write_tfsr(v)	write_sysreg(v, s3_0_c5_c6_0)
#define write_tfsre0(v)	write_sysreg(v, s3_0_c5_c6_1)

/* FAR_EL1[63:60] are UNKNOWN for a tag check fault; [59:56] hold the tag. */
#define FAR_KNOWN	((1ULL << 60) - 1)

#define ESR_EC(esr)	((esr) >> 26)
#define EC_DABT_CUR	0x25
#define ESR_DFSC(esr)	((esr) & 0x3f)
#define DFSC_TAG_CHECK	0x11
#define ESR_WNR		BIT(6)
#define ESR_FNV		BIT(10)

#define SENTINEL	0x5e5e5e5e5e5e5e5eULL

static u8 probe_page[4096] __attribute__((aligned(4096)));
static u8 keep_pages[4 * 4096] __attribute__((aligned(4096)));
static u8 other_mem[64 * 1024] __attribute__((aligned(4096)));

static void set_tcf(unsigned int tcf)
{
	u64 sctlr = read_sysreg(sctlr_el1);

	sctlr &= ~SCTLR_TCF_MASK;
	sctlr |= (u64)tcf << SCTLR_TCF_SHIFT;
	write_sysreg(sctlr, sctlr_el1);
	isb();
}

/* TFSR_EL1 once every earlier access has been checked; then clear it. */
static u64 take_tfsr(void)
{
	u64 v;

	dsb(sy);
	isb();
	v = read_tfsr();
	write_tfsr(0);
	isb();
	return v;
}

/*
 * The accesses under test, at known addresses: a tag check fault must be taken
 * on these instructions and nowhere else.  The handler steps over the faulting
 * one, so a load that faulted returns @sentinel and a store writes nothing.
 */
u64 mte_probe_load(u64 addr, u64 sentinel);
void mte_probe_store(u64 addr, u64 val);
__asm__(".pushsection .text.mte_probe, \"ax\"\n"
	".balign 4\n"
	".globl mte_probe_load\n"
	"mte_probe_load:\n"
	"	ldr	x1, [x0]\n"
	"	mov	x0, x1\n"
	"	ret\n"
	".globl mte_probe_store\n"
	"mte_probe_store:\n"
	"	str	x1, [x0]\n"
	"	ret\n"
	".popsection\n");

#define LOAD_PC		((u64)(uintptr_t)mte_probe_load)
#define STORE_PC	((u64)(uintptr_t)mte_probe_store)

static volatile struct {
	unsigned int count;
	u64 esr, far, elr;
} flt;

static bool probe_fault(struct pt_regs *regs, u64 esr)
{
	if (regs->elr != LOAD_PC && regs->elr != STORE_PC)
		return false;
	flt.count++;
	flt.esr = esr;
	flt.far = read_sysreg(far_el1);
	flt.elr = regs->elr;
	regs->elr += 4;
	return true;
}

static void flt_reset(void)
{
	flt.count = 0;
	flt.esr = flt.far = flt.elr = 0;
}

/* One synchronous tag check fault, on the instruction at @pc, for @ptr. */
static bool sync_fault_ok(u64 ptr, u64 pc, bool write)
{
	u64 esr = flt.esr;

	return flt.count == 1 && flt.elr == pc && ESR_EC(esr) == EC_DABT_CUR &&
	       ESR_DFSC(esr) == DFSC_TAG_CHECK && !(esr & ESR_FNV) &&
	       !!(esr & ESR_WNR) == write && (flt.far & FAR_KNOWN) == (ptr & FAR_KNOWN);
}

static unsigned int bits_set(u64 v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/*
 * QEMU before 8.0 (TCG) keeps one tag byte per page: every granule's tag sits
 * at the page's first byte of tag storage, the nibble picked by VA bit 4, so
 * all even granules of a page share a tag and all odd ones another (QEMU
 * gitlab issue 1416, fixed by "target/arm: Fix physical address resolution
 * for MTE").  No VMM or KVM can cause that; where it shows, the checks that
 * need distinct tags within a page use a tag a page instead, and say so.
 */
static bool page_tag_alias;

static void detect_page_tag_alias(void)
{
	u64 g = (u64)(uintptr_t)other_mem;

	stg(tagged(g, 1));
	stg(tagged(g + 2 * GRANULE, 2));
	page_tag_alias = ptr_tag(ldg(g)) != 1;
	set_tags(g, 4 * GRANULE, 0);
	if (page_tag_alias)
		diag("granule tags alias within a page (STG to granule 2 changed granule 0): "
		     "the emulated CPU is QEMU < 8.0, gitlab issue 1416; tags a page at a time below");
}

static void test_irg_stg_ldg(void)
{
	u64 base = (u64)(uintptr_t)probe_page, g = base + 0x100, t, l, seen = 0;
	bool zero = false, addr_kept = true, all9 = true;
	unsigned int before, after, same_parity, cleared;

	for (int i = 0; i < 32; i++) {
		t = irg(base, 0);
		zero |= ptr_tag(t) == 0;
		addr_kept &= (t & ~TAG_MASK) == base;
		seen |= BIT(ptr_tag(t));
	}
	ok(!zero && addr_kept && bits_set(seen) >= 2,
	   "IRG with GCR_EL1.Exclude = {0}: 32 tags, none 0, %u distinct (seen %#lx), address kept",
	   bits_set(seen), (unsigned long)seen);

	write_gcr(GCR_EXCLUDE(0xffff & ~BIT(9)));
	isb();
	for (int i = 0; i < 16; i++)
		all9 &= ptr_tag(irg(base, 0)) == 9;
	write_gcr(GCR_EXCLUDE(0));
	isb();
	t = irg(base, 0xffff & ~BIT(11));
	write_gcr(GCR_EXCLUDE(BIT(0)));
	isb();
	ok(all9 && ptr_tag(t) == 11,
	   "IRG honours the exclusions: GCR_EL1 all but 9 -> 9 (16 times), Xm all but 11 -> %u",
	   ptr_tag(t));

	t = irg(g, 0);
	stg(t);
	l = ldg(g);
	before = ptr_tag(ldg(g - GRANULE));
	after = ptr_tag(ldg(g + GRANULE));
	same_parity = ptr_tag(ldg(g + 2 * GRANULE));
	stg(tagged(g, 0));
	cleared = ptr_tag(ldg(g));
	ok(ptr_tag(l) == ptr_tag(t) && (l & ~TAG_MASK) == g && before == 0 && after == 0 &&
	   (page_tag_alias || same_parity == 0) && cleared == 0,
	   "STG then LDG: granule %#lx reads back tag %u (STG'd %u), granules -1/+1/+2 %u/%u/%u%s, "
	   "%u after clearing", (unsigned long)g, ptr_tag(l), ptr_tag(t), before, after,
	   same_parity, page_tag_alias ? " (+2 not checked: aliasing)" : "", cleared);
}

#define KEEP_PAGES	(sizeof(keep_pages) / 4096)

/* The tag the survival check gives granule @i of keep page @pg. */
static unsigned int keep_tag(unsigned int pg, unsigned int i)
{
	return 1 + (page_tag_alias ? pg : pg + i) % 15;
}

static void test_tags_survive(void)
{
	u64 keep = (u64)(uintptr_t)keep_pages, other = (u64)(uintptr_t)other_mem;
	u64 sum = 0;
	unsigned int bad_tags = 0, bad_data = 0, first_bad = ~0u;

	for (unsigned int pg = 0; pg < KEEP_PAGES; pg++) {
		for (unsigned int i = 0; i < 4096 / GRANULE; i++) {
			u64 p = tagged(keep + pg * 4096 + i * GRANULE, keep_tag(pg, i));

			stg(p);
			poke(p, 0xa11ca7ed00000000ULL | pg << 16 | i);
		}
	}
	/* Other memory: data and tags written and read back, then its tags reset. */
	for (u64 a = 0; a < sizeof(other_mem); a += 8)
		poke(other + a, a * 0x9e3779b97f4a7c15ULL);
	set_tags(other, sizeof(other_mem), 7);
	for (u64 a = 0; a < sizeof(other_mem); a += 8)
		sum += peek(tagged(other + a, 7));
	set_tags(other, sizeof(other_mem), 0);
	diag("tags set on %u pages at %#lx; 64 KiB elsewhere written and tagged (sum %#lx); "
	     "20 ms and this output (exits to the VMM)", (unsigned int)KEEP_PAGES,
	     (unsigned long)keep, (unsigned long)sum);
	udelay(20000);

	for (unsigned int pg = 0; pg < KEEP_PAGES; pg++) {
		for (unsigned int i = 0; i < 4096 / GRANULE; i++) {
			u64 g = keep + pg * 4096 + i * GRANULE;

			if (ptr_tag(ldg(g)) != keep_tag(pg, i)) {
				bad_tags++;
				if (first_bad == ~0u)
					first_bad = pg * 256 + i;
			}
			if (peek(tagged(g, keep_tag(pg, i))) != (0xa11ca7ed00000000ULL | pg << 16 | i))
				bad_data++;
		}
	}
	if (bad_tags)
		diag("first wrong tag: granule %u of page %u reads %u, %u written",
		     first_bad % 256, first_bad / 256,
		     ptr_tag(ldg(keep + first_bad * GRANULE)), keep_tag(first_bad / 256, first_bad % 256));
	ok(bad_tags == 0 && bad_data == 0,
	   "tags survive: %u pages of tags (%s) read back after other memory and exits to the "
	   "VMM (%u wrong tags, %u wrong words)", (unsigned int)KEEP_PAGES,
	   page_tag_alias ? "one a page, 1..4" : "1..15 by granule", bad_tags, bad_data);
	set_tags(keep, sizeof(keep_pages), 0);
}

#define DATA0		0x0123456789abcdefULL

/* The probe page: every granule tag 3, word i = DATA0 + i. */
static void probe_page_reset(void)
{
	u64 page = (u64)(uintptr_t)probe_page;

	set_tcf(TCF_NONE);
	set_tags(page, 4096, 3);
	for (u64 i = 0; i < 4096 / 8; i++)
		poke(tagged(page + i * 8, 3), DATA0 + i);
	take_tfsr();
}

static u64 word(unsigned int i)
{
	return peek(tagged((u64)(uintptr_t)probe_page + i * 8, 3));
}

static void test_sync(void)
{
	u64 page = (u64)(uintptr_t)probe_page, p, v, tfsr;

	probe_page_reset();
	set_tcf(TCF_SYNC);

	flt_reset();
	v = mte_probe_load(tagged(page, 3), SENTINEL);
	mte_probe_store(tagged(page + 8, 3), 0xc0ffee);
	tfsr = take_tfsr();
	ok(flt.count == 0 && v == DATA0 && word(1) == 0xc0ffee && tfsr == 0,
	   "sync: load and store through the matching tag (3) work (no fault, %#lx read, "
	   "TFSR_EL1 %#lx)", (unsigned long)v, (unsigned long)tfsr);

	p = tagged(page + 0x40, 5);
	flt_reset();
	v = mte_probe_load(p, SENTINEL);
	tfsr = take_tfsr();
	ok(sync_fault_ok(p, LOAD_PC, false) && v == SENTINEL && tfsr == 0,
	   "sync: load through tag 5 from a tag 3 granule: data abort at the load, ESR %#lx "
	   "(DFSC 0x11 expected), FAR %#lx for %#lx, nothing loaded, TFSR_EL1 %#lx",
	   (unsigned long)flt.esr, (unsigned long)flt.far, (unsigned long)p, (unsigned long)tfsr);

	p = tagged(page + 0x80, 6);
	flt_reset();
	mte_probe_store(p, 0xbad);
	tfsr = take_tfsr();
	ok(sync_fault_ok(p, STORE_PC, true) && word(0x80 / 8) == DATA0 + 0x80 / 8 && tfsr == 0,
	   "sync: store through tag 6 to a tag 3 granule: data abort (WnR) at the store, ESR %#lx, "
	   "FAR %#lx, memory unchanged, TFSR_EL1 %#lx", (unsigned long)flt.esr,
	   (unsigned long)flt.far, (unsigned long)tfsr);

	p = page + 0xc0;
	flt_reset();
	v = mte_probe_load(p, SENTINEL);
	take_tfsr();
	ok(sync_fault_ok(p, LOAD_PC, false) && v == SENTINEL,
	   "sync: an untagged (tag 0) pointer into a tag 3 granule faults too (TCMA0 = 0), ESR %#lx",
	   (unsigned long)flt.esr);

	flt_reset();
	set_tco(true);
	v = mte_probe_load(tagged(page + 0x100, 7), SENTINEL);
	set_tco(false);
	tfsr = take_tfsr();
	ok(flt.count == 0 && v == DATA0 + 0x100 / 8 && tfsr == 0,
	   "sync: PSTATE.TCO = 1 turns the check off (mismatched load gives %#lx, no fault)",
	   (unsigned long)v);
}

static void test_async(void)
{
	u64 page = (u64)(uintptr_t)probe_page, v, tfsr, kept, after;

	probe_page_reset();
	set_tcf(TCF_ASYNC);

	flt_reset();
	v = mte_probe_load(tagged(page, 3), SENTINEL);
	mte_probe_store(tagged(page + 8, 3), 0xc0ffee);
	tfsr = take_tfsr();
	ok(flt.count == 0 && v == DATA0 && word(1) == 0xc0ffee && tfsr == 0,
	   "async: matching load and store leave TFSR_EL1 clear (%#lx)", (unsigned long)tfsr);

	flt_reset();
	v = mte_probe_load(tagged(page + 0x40, 9), SENTINEL);
	tfsr = take_tfsr();
	ok(flt.count == 0 && v == DATA0 + 0x40 / 8 && tfsr == TFSR_TF0,
	   "async: mismatched load (tag 9): no exception, data %#lx, TFSR_EL1 = %#lx (TF0 only)",
	   (unsigned long)v, (unsigned long)tfsr);

	flt_reset();
	mte_probe_store(tagged(page + 0x80, 10), 0x5707e);
	dsb(sy);
	isb();
	tfsr = read_tfsr();
	ok(flt.count == 0 && word(0x80 / 8) == 0x5707e && tfsr == TFSR_TF0,
	   "async: mismatched store (tag 10): no exception, memory written, TFSR_EL1 = %#lx",
	   (unsigned long)tfsr);

	/* The UART output is MMIO: every character is an exit to lkvm. */
	diag("async: TFSR_EL1 left at %#lx across this line of output", (unsigned long)tfsr);
	kept = read_tfsr();
	write_tfsr(0);
	isb();
	after = read_tfsr();
	ok(kept == TFSR_TF0 && after == 0,
	   "async: TFSR_EL1.TF0 kept across exits to the VMM (%#lx), cleared by writing 0 (%#lx)",
	   (unsigned long)kept, (unsigned long)after);
}

static void test_asymm(void)
{
	u64 page = (u64)(uintptr_t)probe_page, p, v, tfsr;

	probe_page_reset();
	set_tcf(TCF_ASYMM);

	p = tagged(page + 0x40, 12);
	flt_reset();
	v = mte_probe_load(p, SENTINEL);
	tfsr = take_tfsr();
	ok(sync_fault_ok(p, LOAD_PC, false) && v == SENTINEL && tfsr == 0,
	   "asymm: mismatched load (tag 12) is a synchronous fault, ESR %#lx, FAR %#lx, "
	   "TFSR_EL1 %#lx", (unsigned long)flt.esr, (unsigned long)flt.far, (unsigned long)tfsr);

	flt_reset();
	mte_probe_store(tagged(page + 0x80, 13), 0xa5e);
	tfsr = take_tfsr();
	ok(flt.count == 0 && word(0x80 / 8) == 0xa5e && tfsr == TFSR_TF0,
	   "asymm: mismatched store (tag 13): no exception, memory written, TFSR_EL1 = %#lx",
	   (unsigned long)tfsr);
}

void test_main(void)
{
	unsigned int mte = cpu_mte_level();
	u64 page = (u64)(uintptr_t)probe_page;
	u64 sctlr, tcr, par_ram, par_dev, gcr, rgsr, tfsr;
	bool on;

	plan(16 + (mte >= 3 ? 2 : 0));
	if (!ok(mte >= 2, "ID_AA64PFR1_EL1.MTE = %u without asking: MTE2 (tag checks) or better",
		mte))
		bail("the guest has no MTE2 (ID_AA64PFR1_EL1 = %#lx): is MTE on by default?",
		     (unsigned long)read_sysreg(id_aa64pfr1_el1));

	on = idmap_enable(true);
	sctlr = read_sysreg(sctlr_el1);
	par_ram = idmap_translate(page, false);
	par_dev = idmap_translate(UART_BASE, false);
	ok(on && (sctlr & (SCTLR_M | SCTLR_C | SCTLR_I)) == (SCTLR_M | SCTLR_C | SCTLR_I) &&
	   !(par_ram & 1) && par_pa(par_ram) == page && par_attr(par_ram) >= 0x40 &&
	   !(par_dev & 1) && par_attr(par_dev) == IDMAP_MAIR_DEVICE_nGnRE,
	   "MMU on (SCTLR_EL1 %#lx): %#lx -> PA %#lx attr %#lx (Normal, RAM mapped Tagged), "
	   "UART attr %#lx (Device-nGnRE)", (unsigned long)sctlr, (unsigned long)page,
	   (unsigned long)par_pa(par_ram), (unsigned long)par_attr(par_ram),
	   (unsigned long)par_attr(par_dev));

	/* Allocation Tag access at EL1, no checks yet; IRG never picks tag 0. */
	write_gcr(GCR_EXCLUDE(BIT(0)));
	write_rgsr(RGSR_SEED(0x1d5b) | 1);
	write_tfsr(0);
	write_tfsre0(0);
	sctlr = read_sysreg(sctlr_el1);
	sctlr &= ~(SCTLR_TCF_MASK | SCTLR_TCF0_MASK | SCTLR_ATA0 | SCTLR_ITFSB);
	sctlr |= SCTLR_ATA;
	write_sysreg(sctlr, sctlr_el1);
	isb();
	set_tco(false);
	sctlr = read_sysreg(sctlr_el1);
	tcr = read_sysreg(tcr_el1);
	gcr = read_gcr();
	rgsr = read_rgsr();
	tfsr = read_tfsr();
	ok((sctlr & SCTLR_ATA) && !(sctlr & SCTLR_TCF_MASK) && (tcr & IDMAP_TCR_TBI0) &&
	   !(tcr & IDMAP_TCR_TCMA0) && gcr == GCR_EXCLUDE(BIT(0)) &&
	   (rgsr >> 8 & 0xffff) == 0x1d5b && tfsr == 0 && read_tco() == 0,
	   "SCTLR_EL1.ATA = 1, TCF = 0 (%#lx); TCR_EL1.TBI0 = 1, TCMA0 = 0 (%#lx); GCR_EL1 %#lx, "
	   "RGSR_EL1 %#lx, TFSR_EL1 %#lx, PSTATE.TCO 0", (unsigned long)sctlr, (unsigned long)tcr,
	   (unsigned long)gcr, (unsigned long)rgsr, (unsigned long)tfsr);

	detect_page_tag_alias();
	test_irg_stg_ldg();
	test_tags_survive();

	install_sync_handler(probe_fault);
	test_sync();
	test_async();
	if (mte >= 3)
		test_asymm();
	else
		diag("ID_AA64PFR1_EL1.MTE = %u, no MTE3: asymmetric mode (TCF = 3) not tested", mte);

	set_tcf(TCF_NONE);
	set_tags(page, 4096, 0);
	take_tfsr();
	install_sync_handler(NULL);
}
