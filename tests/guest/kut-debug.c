// SPDX-License-Identifier: GPL-2.0
/*
 * Self-hosted debug at EL1, as kvm-unit-tests' arm/debug.c checks it (the
 * guest owns the debug registers; KVM switches them in for it): the OS lock
 * (OSLAR_EL1/OSLSR_EL1) keeps a breakpoint from firing until released; with
 * it released, MDSCR_EL1.KDE/MDE set and PSTATE.D clear,
 *  - a hardware breakpoint (DBGBVR<n>/DBGBCR<n>, every one the CPU has) is a
 *    Breakpoint exception from the current EL (EC 0x31) at the breakpoint's
 *    address, and the instruction runs when the handler disarms it; none is
 *    taken with PSTATE.D set or MDSCR_EL1.MDE clear;
 *  - a watchpoint (DBGWVR<n>/DBGWCR<n>) on a load and on a store is a
 *    Watchpoint exception (EC 0x35) with FAR_EL1 = the address, ESR.WnR
 *    telling which, ELR at the access; a store-only watchpoint ignores loads;
 *  - software step (MDSCR_EL1.SS, SPSR_EL1.SS on the ERET) runs exactly one
 *    instruction and takes a Software Step exception (EC 0x33) at the next;
 *  - BRK #imm is EC 0x3c with the immediate in the ISS, ELR at the BRK,
 *    taken even with PSTATE.D set.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "libtest.h"

#define EC_SVC64	0x15
#define EC_BKPT_CUR	0x31
#define EC_SSTEP_CUR	0x33
#define EC_WATCH_CUR	0x35
#define EC_BRK64	0x3c
#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define ESR_ISS(esr)	((esr) & 0x1ffffff)
#define FSC_DEBUG	0x22		/* IFSC/DFSC of a debug exception */
#define ESR_WNR		BIT(6)
#define ESR_SS_ISV	BIT(24)
#define ESR_SS_EX	BIT(6)

#define MDSCR_SS	BIT(0)
#define MDSCR_KDE	BIT(13)
#define MDSCR_MDE	BIT(15)
#define SPSR_SS		BIT(21)
#define OSLSR_OSLK	BIT(1)

/* DBGBCR: enabled, PMC = 0b01 (EL1), BAS = 0xf (an A64 instruction). */
#define BCR_EL1		(BIT(0) | (1ULL << 1) | (0xfULL << 5))
/* DBGWCR: enabled, PAC = 0b01 (EL1), LSC (1 load, 2 store), BAS = 8 bytes. */
#define WCR_LOAD	1
#define WCR_STORE	2
#define WCR_EL1(lsc)	(BIT(0) | (1ULL << 1) | ((u64)(lsc) << 3) | (0xffULL << 5))

#define SS_SVC_IMM	0x55
#define SS_STEPS	3
#define BRK_IMM		0x1234

/* The code under test, where each instruction's address is known. */
u64 bp_func(u64 x);
u64 wp_load(volatile u64 *p);
void wp_store(volatile u64 *p, u64 v);
u64 ss_func(u64 x);
extern char bp_insn[], wp_load_insn[], wp_store_insn[], ss_first[];

__asm__(".text\n"
	".balign 4\n"
	"bp_func:\n"
	"	add	x0, x0, #1\n"
	"bp_insn:\n"
	"	add	x0, x0, #2\n"
	"	ret\n"
	"wp_load:\n"
	"wp_load_insn:\n"
	"	ldr	x0, [x0]\n"
	"	ret\n"
	"wp_store:\n"
	"wp_store_insn:\n"
	"	str	x1, [x0]\n"
	"	ret\n"
	/* The SVC's handler arms the step; the ERET back steps ss_first. */
	"ss_func:\n"
	"	svc	#0x55\n"
	"ss_first:\n"
	"	add	x0, x0, #1\n"
	"	add	x0, x0, #1\n"
	"	add	x0, x0, #1\n"
	"	add	x0, x0, #1\n"
	"	add	x0, x0, #1\n"
	"	ret\n");

/* The n in DBGBVR<n>_EL1 is part of the instruction: one case each. */
#define DBG_CASES(reg, v)						\
	switch (n) {							\
	case 0: write_sysreg(v, reg##0_el1); break;			\
	case 1: write_sysreg(v, reg##1_el1); break;			\
	case 2: write_sysreg(v, reg##2_el1); break;			\
	case 3: write_sysreg(v, reg##3_el1); break;			\
	case 4: write_sysreg(v, reg##4_el1); break;			\
	case 5: write_sysreg(v, reg##5_el1); break;			\
	case 6: write_sysreg(v, reg##6_el1); break;			\
	case 7: write_sysreg(v, reg##7_el1); break;			\
	case 8: write_sysreg(v, reg##8_el1); break;			\
	case 9: write_sysreg(v, reg##9_el1); break;			\
	case 10: write_sysreg(v, reg##10_el1); break;			\
	case 11: write_sysreg(v, reg##11_el1); break;			\
	case 12: write_sysreg(v, reg##12_el1); break;			\
	case 13: write_sysreg(v, reg##13_el1); break;			\
	case 14: write_sysreg(v, reg##14_el1); break;			\
	case 15: write_sysreg(v, reg##15_el1); break;			\
	}								\
	isb()

static void set_bp(unsigned int n, u64 addr, u64 ctrl)
{
	DBG_CASES(dbgbvr, addr);
	DBG_CASES(dbgbcr, ctrl);
}

static void set_wp(unsigned int n, u64 addr, u64 ctrl)
{
	DBG_CASES(dbgwvr, addr);
	DBG_CASES(dbgwcr, ctrl);
}

/* What the handler saw. */
static volatile unsigned int cur_bp, cur_wp;
static volatile u32 hits;
static volatile u64 hit_esr, hit_elr, hit_far;
static volatile u32 ss_count, ss_bad;
static volatile u64 ss_elr[SS_STEPS], ss_x0[SS_STEPS], ss_esr;

static bool sync(struct pt_regs *regs, u64 esr)
{
	u64 elr = regs->elr;

	switch (ESR_EC(esr)) {
	case EC_BKPT_CUR:
		set_bp(cur_bp, 0, 0);	/* disarm, so the instruction can run */
		break;
	case EC_WATCH_CUR:
		hit_far = read_sysreg(far_el1);
		set_wp(cur_wp, 0, 0);
		break;
	case EC_BRK64:
		regs->elr += 4;	/* ELR is the BRK itself */
		break;
	case EC_SVC64:
		if ((esr & 0xffff) != SS_SVC_IMM)
			return false;
		write_sysreg(read_sysreg(mdscr_el1) | MDSCR_SS, mdscr_el1);
		isb();
		regs->spsr |= SPSR_SS;
		return true;
	case EC_SSTEP_CUR:
		if (ss_count >= SS_STEPS) {
			ss_bad++;
		} else {
			ss_elr[ss_count] = regs->elr;
			ss_x0[ss_count] = regs->x[0];
		}
		ss_esr = esr;
		if (++ss_count < SS_STEPS) {
			regs->spsr |= SPSR_SS;	/* step the next one too */
		} else {
			write_sysreg(read_sysreg(mdscr_el1) & ~MDSCR_SS, mdscr_el1);
			isb();
			regs->spsr &= ~SPSR_SS;
		}
		return true;
	default:
		return false;
	}
	hits++;
	hit_esr = esr;
	hit_elr = elr;
	return true;
}

static void reset_hits(void)
{
	hits = 0;
	hit_esr = hit_elr = hit_far = 0;
}

static bool debug_hit(u32 ec, u64 elr)
{
	return hits == 1 && ESR_EC(hit_esr) == ec && (hit_esr & 0x3f) == FSC_DEBUG &&
	       hit_elr == elr;
}

static void test_breakpoints(unsigned int nbrp)
{
	u64 bp = (u64)(uintptr_t)bp_insn, r;
	unsigned int good = 0;

	reset_hits();
	cur_bp = 0;
	set_bp(0, bp, BCR_EL1);
	r = bp_func(10);
	ok(debug_hit(EC_BKPT_CUR, bp) && r == 13,
	   "breakpoint 0: EC 0x31 at its address (ESR %#lx ELR %#lx), the instruction runs "
	   "once disarmed (%lu)", (unsigned long)hit_esr, (unsigned long)hit_elr,
	   (unsigned long)r);

	for (unsigned int n = 0; n < nbrp; n++) {
		reset_hits();
		cur_bp = n;
		set_bp(n, bp, BCR_EL1);
		r = bp_func(10);
		set_bp(n, 0, 0);
		if (debug_hit(EC_BKPT_CUR, bp) && r == 13)
			good++;
		else
			diag("breakpoint %u: %u hits, ESR %#lx ELR %#lx", n, hits,
			     (unsigned long)hit_esr, (unsigned long)hit_elr);
	}
	ok(good == nbrp, "each of the %u breakpoints fires once at its address (%u)", nbrp, good);

	reset_hits();
	cur_bp = 0;
	set_bp(0, bp, BCR_EL1);
	__asm__ volatile("msr daifset, #8" : : : "memory");
	r = bp_func(10);
	__asm__ volatile("msr daifclr, #8" : : : "memory");
	set_bp(0, 0, 0);
	ok(hits == 0 && r == 13, "PSTATE.D set: the breakpoint is not taken (%u)", hits);

	reset_hits();
	write_sysreg(read_sysreg(mdscr_el1) & ~MDSCR_MDE, mdscr_el1);
	set_bp(0, bp, BCR_EL1);
	r = bp_func(10);
	set_bp(0, 0, 0);
	write_sysreg(read_sysreg(mdscr_el1) | MDSCR_MDE, mdscr_el1);
	isb();
	ok(hits == 0 && r == 13, "MDSCR_EL1.MDE clear: the breakpoint is not taken (%u)", hits);
}

static volatile u64 wp_var __attribute__((aligned(8))) = 0x1122334455667788ULL;

static void test_watchpoints(unsigned int nwrp)
{
	u64 addr = (u64)(uintptr_t)&wp_var, v;
	unsigned int good = 0;

	reset_hits();
	cur_wp = 0;
	set_wp(0, addr, WCR_EL1(WCR_LOAD));
	v = wp_load(&wp_var);
	ok(debug_hit(EC_WATCH_CUR, (u64)(uintptr_t)wp_load_insn) && !(hit_esr & ESR_WNR) &&
	   hit_far == addr && v == 0x1122334455667788ULL,
	   "load watchpoint: EC 0x35, WnR 0, FAR %#lx = the address, ELR at the load; "
	   "loads once disarmed", (unsigned long)hit_far);

	reset_hits();
	set_wp(0, addr, WCR_EL1(WCR_STORE));
	wp_store(&wp_var, 0xabcd);
	ok(debug_hit(EC_WATCH_CUR, (u64)(uintptr_t)wp_store_insn) && (hit_esr & ESR_WNR) &&
	   hit_far == addr && wp_var == 0xabcd,
	   "store watchpoint: EC 0x35, WnR 1, FAR %#lx = the address, ELR at the store; "
	   "stores once disarmed", (unsigned long)hit_far);

	reset_hits();
	set_wp(0, addr, WCR_EL1(WCR_STORE));
	v = wp_load(&wp_var);
	set_wp(0, 0, 0);
	ok(hits == 0 && v == 0xabcd, "a store-only watchpoint ignores a load (%u)", hits);

	for (unsigned int n = 0; n < nwrp; n++) {
		reset_hits();
		cur_wp = n;
		set_wp(n, addr, WCR_EL1(WCR_LOAD | WCR_STORE));
		v = wp_load(&wp_var);
		set_wp(n, 0, 0);
		if (debug_hit(EC_WATCH_CUR, (u64)(uintptr_t)wp_load_insn) && hit_far == addr &&
		    v == 0xabcd)
			good++;
		else
			diag("watchpoint %u: %u hits, ESR %#lx FAR %#lx", n, hits,
			     (unsigned long)hit_esr, (unsigned long)hit_far);
	}
	ok(good == nwrp, "each of the %u watchpoints fires once on the load (%u)", nwrp, good);
}

static void test_step(void)
{
	u64 first = (u64)(uintptr_t)ss_first, r;
	bool pcs = true, one = true;

	ss_count = ss_bad = 0;
	r = ss_func(100);
	for (unsigned int i = 0; i < SS_STEPS && i < ss_count; i++) {
		pcs &= ss_elr[i] == first + 4 * (i + 1);
		one &= ss_x0[i] == 100 + i + 1;
	}
	ok(ss_count == SS_STEPS && pcs,
	   "software step: %u EC 0x33 exceptions (want %u), ELR %#lx, %#lx, %#lx: the next "
	   "instruction each time", ss_count, SS_STEPS, (unsigned long)ss_elr[0],
	   (unsigned long)ss_elr[1], (unsigned long)ss_elr[2]);
	ok(ss_count == SS_STEPS && one,
	   "exactly one instruction ran per step (x0 %lu, %lu, %lu from 100)",
	   (unsigned long)ss_x0[0], (unsigned long)ss_x0[1], (unsigned long)ss_x0[2]);
	ok(ESR_EC(ss_esr) == EC_SSTEP_CUR && (ss_esr & ESR_SS_ISV) && !(ss_esr & ESR_SS_EX) &&
	   (ss_esr & 0x3f) == FSC_DEBUG,
	   "step ESR %#lx: ISV 1, EX 0 (not a load-exclusive), IFSC 0x22",
	   (unsigned long)ss_esr);
	ok(r == 105 && ss_bad == 0 && !(read_sysreg(mdscr_el1) & MDSCR_SS),
	   "with MDSCR_EL1.SS cleared the rest runs unstepped (%lu)", (unsigned long)r);
}

static void test_brk(void)
{
	u64 addr;

	reset_hits();
	__asm__ volatile("adr %0, 1f\n"
			 "1:\tbrk #0x1234"
			 : "=r"(addr) : : "memory");
	ok(hits == 1 && ESR_EC(hit_esr) == EC_BRK64 && (hit_esr & 0xffff) == BRK_IMM &&
	   hit_elr == addr, "BRK #0x1234: EC 0x3c, ISS %#lx, ELR at the BRK, resumes after it",
	   (unsigned long)ESR_ISS(hit_esr));

	reset_hits();
	__asm__ volatile("msr daifset, #8\n\t"
			 "adr %0, 1f\n"
			 "1:\tbrk #0x1234\n\t"
			 "msr daifclr, #8"
			 : "=r"(addr) : : "memory");
	ok(hits == 1 && hit_elr == addr, "BRK is taken with PSTATE.D set too (%u)", hits);
}

/*
 * The OS lock: set, it keeps breakpoints from firing although everything
 * else enables them; OSLAR_EL1 = 0 releases it.  (KVM traps OSLAR_EL1 and
 * emulates the lock for the guest.)
 */
static void test_os_lock(void)
{
	u64 bp = (u64)(uintptr_t)bp_insn, locked, unlocked, r;

	write_sysreg(1, oslar_el1);
	isb();
	locked = read_sysreg(oslsr_el1);
	reset_hits();
	cur_bp = 0;
	set_bp(0, bp, BCR_EL1);
	r = bp_func(10);
	set_bp(0, 0, 0);
	ok((locked & OSLSR_OSLK) && hits == 0 && r == 13,
	   "OSLAR_EL1 = 1 sets OSLSR_EL1.OSLK (%#lx); a breakpoint is not taken (%u)",
	   (unsigned long)locked, hits);

	write_sysreg(0, oslar_el1);
	isb();
	unlocked = read_sysreg(oslsr_el1);
	ok(!(unlocked & OSLSR_OSLK), "OSLAR_EL1 = 0 releases the OS lock (OSLSR_EL1 %#lx)",
	   (unsigned long)unlocked);
}

void test_main(void)
{
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1);
	unsigned int nbrp = ((dfr0 >> 12) & 0xf) + 1, nwrp = ((dfr0 >> 20) & 0xf) + 1;

	plan(16);
	diag("ID_AA64DFR0_EL1 %#lx: %u breakpoints, %u watchpoints; OSLSR_EL1 at reset %#lx",
	     (unsigned long)dfr0, nbrp, nwrp, (unsigned long)read_sysreg(oslsr_el1));
	install_sync_handler(sync);

	/* No double lock; every debug register off; enable debug at EL1. */
	write_sysreg(0, osdlr_el1);
	for (unsigned int n = 0; n < nbrp; n++)
		set_bp(n, 0, 0);
	for (unsigned int n = 0; n < nwrp; n++)
		set_wp(n, 0, 0);
	write_sysreg(MDSCR_KDE | MDSCR_MDE, mdscr_el1);
	isb();
	__asm__ volatile("msr daifclr, #8" : : : "memory");

	test_os_lock();
	test_breakpoints(nbrp);
	test_watchpoints(nwrp);
	test_step();
	test_brk();
}
