// SPDX-License-Identifier: GPL-2.0
/*
 * Self-modifying code, as kvm-unit-tests' arm/cache.c checks it: a function
 * written into a RAM buffer ("mov x0, #N; ret") runs and returns N once the
 * new instructions are made visible to instruction fetch -- DC CVAU to the
 * point of unification unless CTR_EL0.IDC says it is not needed, IC IVAU
 * unless CTR_EL0.DIC does, DSB ISH, ISB -- and, rewritten in place, runs the
 * new version: with the MMU off, then with the MMU and caches on (lib/idmap.c
 * maps RAM Normal write-back, executable at EL1), for one instruction and for
 * one in the middle of a longer function, many times over, and with IC IALLU
 * instead of IC IVAU.  KVM must also make the page executable at stage 2 the
 * first time the guest runs code there.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "idmap.h"

#define CTR_IDC		BIT(28)
#define CTR_DIC		BIT(29)

#define INSN_RET	0xd65f03c0u
static inline u32 insn_movz_x0(u16 imm) { return 0xd2800000u | (u32)imm << 5; }
static inline u32 insn_add_x0(u16 imm12) { return 0x91000000u | (u32)(imm12 & 0xfff) << 10; }

#define CODE_WORDS	1024
static u32 code[CODE_WORDS] __attribute__((aligned(4096)));

enum inval { BY_VA, ALL };

/* Make [p, p + n words) fetchable after it was written as data. */
static void sync_icache(u32 *p, unsigned int n, enum inval how)
{
	u64 ctr = read_sysreg(ctr_el0);
	u64 dline = 4ULL << ((ctr >> 16) & 0xf), iline = 4ULL << (ctr & 0xf);
	u64 start = (u64)(uintptr_t)p, end = start + 4ULL * n;

	if (!(ctr & CTR_IDC))
		for (u64 a = start & ~(dline - 1); a < end; a += dline)
			__asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
	dsb(ish);
	if (!(ctr & CTR_DIC)) {
		if (how == ALL)
			__asm__ volatile("ic iallu" : : : "memory");
		else
			for (u64 a = start & ~(iline - 1); a < end; a += iline)
				__asm__ volatile("ic ivau, %0" : : "r"(a) : "memory");
		dsb(ish);
	}
	isb();
}

static u64 call(u32 *p)
{
	u64 (*fn)(void) = (u64 (*)(void))(uintptr_t)p;

	return fn();
}

/* Write "mov x0, #v; ret" at @p, make it fetchable, run it. */
static u64 put_and_call(u32 *p, u16 v, enum inval how)
{
	p[0] = insn_movz_x0(v);
	p[1] = INSN_RET;
	sync_icache(p, 2, how);
	return call(p);
}

static void run_round(const char *mmu)
{
	u32 *p = &code[16];
	u64 a, b;
	unsigned int bad = 0;

	a = put_and_call(p, 0x1111, BY_VA);
	b = put_and_call(p, 0x2222, BY_VA);
	ok(a == 0x1111 && b == 0x2222,
	   "%s: mov x0, #N; ret written, cleaned, invalidated: returns 0x1111, rewritten "
	   "in place 0x2222 (%#lx, %#lx)", mmu, (unsigned long)a, (unsigned long)b);

	for (u16 i = 0; i < 200; i++) {
		u16 v = (u16)(i * 0x101 + 7);

		/* Walk across lines and pages too: every 64th word in the buffer. */
		u32 *q = &code[(i * 64) % (CODE_WORDS - 2)];

		if (put_and_call(q, v, BY_VA) != v)
			bad++;
	}
	ok(bad == 0, "%s: 200 rewrites at different places all run the new code (%u stale)",
	   mmu, bad);

	/* A longer function: x0 = 0, 32 x "add x0, x0, #1", ret; patch one add. */
	p = &code[128];
	p[0] = insn_movz_x0(0);
	for (unsigned int i = 1; i <= 32; i++)
		p[i] = insn_add_x0(1);
	p[33] = INSN_RET;
	sync_icache(p, 34, BY_VA);
	a = call(p);
	p[17] = insn_add_x0(100);
	sync_icache(&p[17], 1, BY_VA);
	b = call(p);
	ok(a == 32 && b == 131,
	   "%s: one instruction patched in the middle of a 34-word function: %lu then %lu "
	   "(32, 131)", mmu, (unsigned long)a, (unsigned long)b);

	a = put_and_call(&code[512], 0x3333, ALL);
	b = put_and_call(&code[512], 0x4444, ALL);
	ok(a == 0x3333 && b == 0x4444, "%s: with IC IALLU in place of IC IVAU (%#lx, %#lx)",
	   mmu, (unsigned long)a, (unsigned long)b);
}

void test_main(void)
{
	u64 ctr = read_sysreg(ctr_el0);

	plan(2 * 4);
	diag("CTR_EL0 %#lx: IDC %d (DC CVAU %s), DIC %d (IC IVAU %s), DminLine %lu, "
	     "IminLine %lu bytes", (unsigned long)ctr, !!(ctr & CTR_IDC),
	     ctr & CTR_IDC ? "skipped" : "done", !!(ctr & CTR_DIC),
	     ctr & CTR_DIC ? "skipped" : "done", 4UL << ((ctr >> 16) & 0xf),
	     4UL << (ctr & 0xf));
	run_round("MMU off");
	if (!idmap_enable(false))
		bail("idmap_enable failed");
	run_round("MMU and caches on");
}
