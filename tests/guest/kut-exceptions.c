// SPDX-License-Identifier: GPL-2.0
/*
 * Synchronous exceptions at EL1 and the state they save, as kvm-unit-tests'
 * arm64 selftest/exception tests check them:
 *  - SVC #imm: EC 0x15 with the immediate, ELR at the next instruction,
 *    SPSR_EL1 with EL1h, the flags and the DAIF mask of the caller; a
 *    register the handler changes comes back changed;
 *  - UDF: EC 0x00 at the instruction, resuming past it;
 *  - with the MMU on (lib/idmap.c, Normal RAM) an unaligned load works with
 *    SCTLR_EL1.A clear and is an alignment fault (EC 0x25, DFSC 0x21) with A
 *    set, for a load (WnR 0) and a store (WnR 1, memory untouched), FAR the
 *    address, and an aligned load still works (the MMU-off, Device memory
 *    case is only reported: see test_alignment());
 *  - a load from an unmapped VA is a level 1 translation fault (DFSC 0x05);
 *  - FP/SIMD with CPACR_EL1.FPEN = 0 is EC 0x07 at the instruction, which
 *    runs when the handler sets FPEN and returns; FPEN = 0b01 traps EL0 only.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "idmap.h"

#define EC_UNKNOWN	0x00
#define EC_FP		0x07
#define EC_SVC64	0x15
#define EC_DABT_CUR	0x25
#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define ESR_IL		BIT(25)
#define ESR_ISS(esr)	((esr) & 0x1ffffff)
#define ESR_WNR		BIT(6)
#define DFSC(esr)	((esr) & 0x3f)
#define DFSC_ALIGN	0x21
#define DFSC_XLAT_L1	0x05

#define SPSR_M_EL1H	0x5
#define SPSR_NZCV(s)	(((s) >> 28) & 0xf)
#define SPSR_DAIF(s)	((s) & 0x3c0)

#define CPACR_FPEN_SHIFT 20
#define CPACR_FPEN_MASK	(3ULL << CPACR_FPEN_SHIFT)

enum fix { FIX_SKIP, FIX_SVC, FIX_FPEN };

static volatile enum fix fix;
static volatile u32 hits;
static volatile u64 hit_esr, hit_elr, hit_spsr, hit_far;

static bool sync(struct pt_regs *regs, u64 esr)
{
	hits++;
	hit_esr = esr;
	hit_elr = regs->elr;
	hit_spsr = regs->spsr;
	hit_far = read_sysreg(far_el1);
	switch (fix) {
	case FIX_SKIP:
		regs->elr += 4;
		break;
	case FIX_SVC:
		regs->x[0] = 0xfeed;	/* ELR is already past the SVC */
		break;
	case FIX_FPEN:
		/* Allow FP and return to the instruction, which now runs. */
		write_sysreg(read_sysreg(cpacr_el1) | CPACR_FPEN_MASK, cpacr_el1);
		isb();
		break;
	}
	return true;
}

static void expect(enum fix f)
{
	fix = f;
	hits = 0;
	hit_esr = hit_elr = hit_spsr = hit_far = 0;
}

static void test_svc(void)
{
	u64 next, got, daif = read_daif();

	expect(FIX_SVC);
	/* x0 is only x0 at the asm: calls in between may clobber it. */
	register u64 x0 __asm__("x0") = 7;
	__asm__ volatile("adr	%[next], 1f\n\t"
			 "cmp	xzr, xzr\n\t"	/* NZCV = 0b0110 */
			 "svc	#0x1234\n"
			 "1:"
			 : "+r"(x0), [next] "=&r"(next)
			 :
			 : "cc", "memory");
	got = x0;
	ok(hits == 1 && ESR_EC(hit_esr) == EC_SVC64 && (hit_esr & ESR_IL) &&
	   ESR_ISS(hit_esr) == 0x1234, "SVC #0x1234: EC 0x15, IL 1, ISS = the immediate (%#lx)",
	   (unsigned long)hit_esr);
	ok(hit_elr == next, "SVC: ELR_EL1 %#lx = the next instruction %#lx",
	   (unsigned long)hit_elr, (unsigned long)next);
	ok((hit_spsr & 0xf) == SPSR_M_EL1H && SPSR_NZCV(hit_spsr) == 0x6 &&
	   SPSR_DAIF(hit_spsr) == daif,
	   "SVC: SPSR_EL1 %#lx: EL1h, NZCV 0b0110 from the CMP, DAIF %#lx as the caller's",
	   (unsigned long)hit_spsr, (unsigned long)daif);
	ok(got == 0xfeed, "SVC: returns past it with the handler's x0 (%#lx)", (unsigned long)got);
}

static void test_udf(void)
{
	u64 at;

	expect(FIX_SKIP);
	__asm__ volatile("adr	%0, 1f\n"
			 "1:\tudf	#0x42"
			 : "=r"(at) : : "memory");
	ok(hits == 1 && ESR_EC(hit_esr) == EC_UNKNOWN && (hit_esr & ESR_IL) && hit_elr == at,
	   "UDF: EC 0x00, IL 1, ELR at it (ESR %#lx ELR %#lx), resumes past it",
	   (unsigned long)hit_esr, (unsigned long)hit_elr);
}

/* The fault's address checks need the load/store address: one asm each. */
static u64 load64(u64 addr, u64 *at)
{
	u64 v = 0xdead;

	__asm__ volatile("adr	%1, 1f\n"
			 "1:\tldr	%0, [%2]"
			 : "+&r"(v), "=&r"(*at) : "r"(addr) : "memory");
	return v;
}

static void store64(u64 addr, u64 v, u64 *at)
{
	__asm__ volatile("adr	%0, 1f\n"
			 "1:\tstr	%1, [%2]"
			 : "=&r"(*at) : "r"(v), "r"(addr) : "memory");
}

static bool dabt(u32 dfsc, u64 far, u64 elr, bool wnr)
{
	return hits == 1 && ESR_EC(hit_esr) == EC_DABT_CUR && DFSC(hit_esr) == dfsc &&
	       hit_far == far && hit_elr == elr && !!(hit_esr & ESR_WNR) == wnr;
}

static u8 buf[32] __attribute__((aligned(16)));

static void test_alignment(void)
{
	u64 addr = (u64)(uintptr_t)buf + 1, at, v, want = 0;
	u64 sctlr, unmapped;

	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(0x10 + i);
	for (int i = 7; i >= 0; i--)
		want = want << 8 | buf[1 + i];

	/*
	 * MMU off: Device-nGnRnE, where the architecture makes unaligned
	 * accesses fault whatever SCTLR_EL1.A says.  Not asserted: that is the
	 * CPU's business, not KVM's, and QEMU 7.2's TCG (the emulated host)
	 * does not enforce it when stage 2 is on.  Reported for information.
	 */
	expect(FIX_SKIP);
	load64(addr, &at);
	diag("MMU off, A clear: unaligned load from Device memory: %s (ESR %#lx FAR %#lx)",
	     dabt(DFSC_ALIGN, addr, at, false) ? "alignment fault" :
	     hits ? "another exception" : "no fault", (unsigned long)hit_esr,
	     (unsigned long)hit_far);

	if (!idmap_enable(false))
		bail("idmap_enable failed");
	sctlr = read_sysreg(sctlr_el1);
	expect(FIX_SKIP);
	v = load64(addr, &at);
	ok(hits == 0 && v == want, "MMU on, A clear: unaligned load from Normal RAM reads %#lx",
	   (unsigned long)v);

	write_sysreg(sctlr | BIT(1), sctlr_el1);
	isb();
	expect(FIX_SKIP);
	v = load64(addr, &at);
	ok(dabt(DFSC_ALIGN, addr, at, false) && v == 0xdead,
	   "A set: unaligned load: EC 0x25, DFSC 0x21, WnR 0, FAR the address, ELR at the load "
	   "(ESR %#lx FAR %#lx)", (unsigned long)hit_esr, (unsigned long)hit_far);
	expect(FIX_SKIP);
	store64(addr + 8, 0, &at);
	ok(dabt(DFSC_ALIGN, addr + 8, at, true) && buf[9] == 0x19,
	   "A set: unaligned store: DFSC 0x21, WnR 1, FAR the address, memory untouched "
	   "(ESR %#lx)", (unsigned long)hit_esr);
	expect(FIX_SKIP);
	v = load64(addr - 1, &at);
	ok(hits == 0 && v == (want << 8 | 0x10), "A set: an aligned load still works (%#lx)",
	   (unsigned long)v);
	write_sysreg(sctlr, sctlr_el1);
	isb();

	unmapped = (idmap_ram_end() + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	/* The first GiB past RAM has no level 1 entry at all. */
	expect(FIX_SKIP);
	load64(unmapped, &at);
	ok(dabt(DFSC_XLAT_L1, unmapped, at, false),
	   "load from unmapped %#lx: level 1 translation fault (ESR %#lx FAR %#lx)",
	   (unsigned long)unmapped, (unsigned long)hit_esr, (unsigned long)hit_far);
}

/* d0 = @v, back through d0: FP instructions, the payload is built without. */
static u64 fp_roundtrip(u64 v, u64 *at)
{
	u64 out;

	__asm__ volatile(".arch_extension fp\n\t"
			 "adr	%1, 1f\n"
			 "1:\tfmov	d0, %2\n\t"
			 "fmov	%0, d0"
			 : "=&r"(out), "=&r"(*at) : "r"(v) : "v0", "memory");
	return out;
}

static void test_fp(void)
{
	u64 cpacr = read_sysreg(cpacr_el1), at, v;

	write_sysreg(cpacr & ~CPACR_FPEN_MASK, cpacr_el1);
	isb();
	expect(FIX_FPEN);
	v = fp_roundtrip(0x0123456789abcdefULL, &at);
	ok(hits == 1 && ESR_EC(hit_esr) == EC_FP && hit_elr == at,
	   "CPACR_EL1.FPEN = 0: FMOV traps, EC 0x07 at it (ESR %#lx ELR %#lx)",
	   (unsigned long)hit_esr, (unsigned long)hit_elr);
	ok(v == 0x0123456789abcdefULL,
	   "FPEN set by the handler: the FMOV ran on return, d0 round trip %#lx",
	   (unsigned long)v);

	write_sysreg((cpacr & ~CPACR_FPEN_MASK) | 1ULL << CPACR_FPEN_SHIFT, cpacr_el1);
	isb();
	expect(FIX_FPEN);
	v = fp_roundtrip(42, &at);
	ok(hits == 0 && v == 42, "CPACR_EL1.FPEN = 0b01 traps EL0 only: no trap at EL1 (%u)",
	   hits);
	write_sysreg(cpacr, cpacr_el1);
	isb();
}

void test_main(void)
{
	plan(4 + 1 + 5 + 3);
	install_sync_handler(sync);
	test_svc();
	test_udf();
	test_alignment();
	test_fp();
}
