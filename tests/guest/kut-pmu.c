// SPDX-License-Identifier: GPL-2.0
/*
 * The vPMU that --pmu gives the guest, as kvm-unit-tests' arm/pmu.c checks
 * it: PMCR_EL0.N > 0 and PMCNTENSET implements exactly counters 0..N-1 and
 * the cycle counter; PMSELR_EL0 selects what PMXEVTYPER/PMXEVCNTR reach
 * (31: PMCCFILTR_EL0); SW_INCR counts PMSWINC_EL0 writes exactly, and not
 * with PMCR.E clear; PMCR.P zeroes the event counters but not PMCCNTR_EL0,
 * PMCR.C zeroes PMCCNTR_EL0; the cycle counter counts; a SW_INCR counter
 * wrapping sets PMOVSSET and raises the PMU interrupt (PPI 7, INTID 23) only
 * when PMINTENSET allows; the cycle counter overflowing (64-bit, PMCR.LC)
 * interrupts too.  Hardware events (CPU_CYCLES on an event counter,
 * INST_RETIRED over a known loop, a 32-bit CPU_CYCLES overflow) are checked
 * where PMCEID0_EL0 says the host PMU has them; under QEMU TCG without icount
 * INST_RETIRED is not offered and is skipped with a diagnostic.
 *
 * lkvm-args: -c 1 -m 64 --pmu
 * expect-exit: 0
 * timeout: 60
 */
#include "libtest.h"

#define PMCR_E		BIT(0)
#define PMCR_P		BIT(1)
#define PMCR_C		BIT(2)
#define PMCR_LC		BIT(6)
#define PMCR_N(v)	(((v) >> 11) & 0x1f)
#define CYCLE_IDX	31

#define EV_SW_INCR	0x00
#define EV_INST_RETIRED	0x08
#define EV_CPU_CYCLES	0x11
#define EVTYPER_U	BIT(30)		/* do not count at EL0 */

#define PMU_INTID	GIC_PPI(7)

static volatile u32 pmu_irqs, other_irqs;
static volatile u64 irq_ovs;		/* PMOVSSET_EL0 seen in the handler */

static bool irq(struct pt_regs *regs, u64 esr)
{
	u32 intid = gic_ack();

	if (intid >= 1020)
		return true;
	if (intid == PMU_INTID) {
		u64 ovs = read_sysreg(pmovsset_el0);

		irq_ovs |= ovs;
		/* The line is the overflow status: clear it or it fires again. */
		write_sysreg(ovs, pmovsclr_el0);
		isb();
		pmu_irqs++;
	} else {
		other_irqs++;
	}
	gic_eoi(intid);
	return true;
}

static void pmu_reset(void)
{
	write_sysreg(~0ULL, pmcntenclr_el0);
	write_sysreg(~0ULL, pmintenclr_el1);
	write_sysreg(~0ULL, pmovsclr_el0);
	write_sysreg(PMCR_LC | PMCR_P | PMCR_C, pmcr_el0);
	isb();
}

static void set_evtype(unsigned int idx, u64 type)
{
	write_sysreg(idx, pmselr_el0);
	isb();
	write_sysreg(type, pmxevtyper_el0);
	isb();
}

static void set_evcnt(unsigned int idx, u64 v)
{
	write_sysreg(idx, pmselr_el0);
	isb();
	write_sysreg(v, pmxevcntr_el0);
	isb();
}

static u64 get_evcnt(unsigned int idx)
{
	write_sysreg(idx, pmselr_el0);
	isb();
	return read_sysreg(pmxevcntr_el0);
}

static void swinc(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		write_sysreg(BIT(0), pmswinc_el0);
	isb();
}

/* Wait for the PMU interrupt count to reach @n, then a little more for extras. */
static u32 wait_pmu_irqs(u32 n, u64 us)
{
	u64 end = deadline_us(us);

	while (pmu_irqs < n && !past(end))
		cpu_relax();
	udelay(10000);
	return pmu_irqs;
}

/*
 * Count the events of counter @mask over 2 * @n instructions: the enable,
 * the loop and the disable are one asm block so nothing else is counted but
 * the ISB after the enable and perhaps the disabling MSR itself.
 */
static void count_loop(u64 mask, u64 n)
{
	__asm__ volatile("msr pmcntenset_el0, %[m]\n\t"
			 "isb\n"
			 "1:\tsubs %[n], %[n], #1\n\t"
			 "b.ne 1b\n\t"
			 "msr pmcntenclr_el0, %[m]\n\t"
			 "isb"
			 : [n] "+r"(n)
			 : [m] "r"(mask)
			 : "cc", "memory");
}

static void test_config(unsigned int n)
{
	u64 en, t;

	write_sysreg(~0ULL, pmcntenset_el0);
	isb();
	en = read_sysreg(pmcntenset_el0);
	write_sysreg(~0ULL, pmcntenclr_el0);
	isb();
	ok(en == ((BIT(n) - 1) | BIT(CYCLE_IDX)) && read_sysreg(pmcntenclr_el0) == 0,
	   "PMCNTENSET_EL0 implements counters 0..%u and C (%#lx), PMCNTENCLR clears them", n - 1,
	   (unsigned long)en);

	set_evtype(0, EV_CPU_CYCLES | EVTYPER_U);
	t = read_sysreg(pmevtyper0_el0);
	ok(t == (EV_CPU_CYCLES | EVTYPER_U),
	   "PMSELR_EL0 = 0: PMXEVTYPER_EL0 writes PMEVTYPER0_EL0 (%#lx)", (unsigned long)t);
	set_evtype(n - 1, EV_SW_INCR | EVTYPER_U);
	write_sysreg(n - 1, pmselr_el0);
	isb();
	t = read_sysreg(pmxevtyper_el0);
	ok(t == (EV_SW_INCR | EVTYPER_U) && (n == 1 || read_sysreg(pmevtyper0_el0) != t),
	   "PMSELR_EL0 = %u: PMXEVTYPER_EL0 reaches that counter's type alone (%#lx)", n - 1,
	   (unsigned long)t);
	write_sysreg(0, pmccfiltr_el0);
	set_evtype(CYCLE_IDX, EVTYPER_U);
	t = read_sysreg(pmccfiltr_el0);
	ok(t == EVTYPER_U, "PMSELR_EL0 = 31: PMXEVTYPER_EL0 is PMCCFILTR_EL0 (%#lx)",
	   (unsigned long)t);
	write_sysreg(0, pmccfiltr_el0);
	set_evtype(n - 1, 0);
	set_evtype(0, 0);
}

static void test_swinc(void)
{
	u64 c, d, cyc;

	pmu_reset();
	set_evtype(0, EV_SW_INCR);
	set_evcnt(0, 0);
	write_sysreg(BIT(0) | BIT(CYCLE_IDX), pmcntenset_el0);
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	isb();
	swinc(100);
	c = get_evcnt(0);
	d = read_sysreg(pmevcntr0_el0);
	ok(c == 100 && d == 100, "SW_INCR: 100 PMSWINC_EL0 writes count 100 (%lu, %lu)",
	   (unsigned long)c, (unsigned long)d);

	write_sysreg(PMCR_LC, pmcr_el0);
	isb();
	swinc(10);
	c = get_evcnt(0);
	ok(c == 100, "PMCR_EL0.E = 0: PMSWINC_EL0 counts nothing (%lu)", (unsigned long)c);

	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	isb();
	udelay(1000);
	cyc = read_sysreg(pmccntr_el0);
	write_sysreg(PMCR_LC | PMCR_E | PMCR_P, pmcr_el0);
	isb();
	c = get_evcnt(0);
	d = read_sysreg(pmccntr_el0);
	ok(c == 0 && cyc > 0 && d >= cyc,
	   "PMCR_EL0.P zeroes event counters (%lu), not PMCCNTR_EL0 (%lu -> %lu)",
	   (unsigned long)c, (unsigned long)cyc, (unsigned long)d);
	pmu_reset();
}

static void test_cycles(bool ev_cycles)
{
	u64 a, b, c;

	pmu_reset();
	write_sysreg(0, pmccfiltr_el0);
	write_sysreg(BIT(CYCLE_IDX), pmcntenset_el0);
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	isb();
	a = read_sysreg(pmccntr_el0);
	udelay(2000);
	b = read_sysreg(pmccntr_el0);
	ok(b > a, "PMCCNTR_EL0 counts CPU cycles: %lu -> %lu", (unsigned long)a,
	   (unsigned long)b);
	write_sysreg(BIT(CYCLE_IDX), pmcntenclr_el0);
	write_sysreg(PMCR_LC | PMCR_E | PMCR_C, pmcr_el0);
	isb();
	c = read_sysreg(pmccntr_el0);
	ok(c == 0, "PMCR_EL0.C zeroes the stopped PMCCNTR_EL0 (%lu)", (unsigned long)c);

	if (!ev_cycles) {
		diag("SKIP CPU_CYCLES on an event counter: PMCEID0_EL0 bit 17 clear");
		return;
	}
	set_evtype(0, EV_CPU_CYCLES);
	set_evcnt(0, 0);
	write_sysreg(BIT(0), pmcntenset_el0);
	isb();
	a = get_evcnt(0);
	udelay(2000);
	b = get_evcnt(0);
	ok(b > a, "event counter 0 counts CPU_CYCLES: %lu -> %lu", (unsigned long)a,
	   (unsigned long)b);
	pmu_reset();
}

static void test_inst_retired(bool have)
{
	const u64 loops = 10000, want = 2 * loops;
	u64 c;

	if (!have) {
		diag("SKIP INST_RETIRED: PMCEID0_EL0 bit 8 clear (the host PMU does not "
		     "count instructions; QEMU TCG offers it only with -icount)");
		return;
	}
	pmu_reset();
	set_evtype(0, EV_INST_RETIRED);
	set_evcnt(0, 0);
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	isb();
	count_loop(BIT(0), loops);
	c = get_evcnt(0);
	ok(c >= want && c <= want + want / 16 + 64,
	   "INST_RETIRED over a %lu-instruction loop: %lu", (unsigned long)want,
	   (unsigned long)c);
	pmu_reset();
}

static void test_overflow(bool ev_cycles, u64 pmuver)
{
	u64 ovs, c;
	u32 n;

	/* Interrupt disabled: the overflow only shows in PMOVSSET. */
	pmu_reset();
	pmu_irqs = 0;
	set_evtype(0, EV_SW_INCR);
	set_evcnt(0, 0xffffffffULL);
	write_sysreg(BIT(0), pmcntenset_el0);
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	isb();
	swinc(1);
	c = get_evcnt(0);
	ovs = read_sysreg(pmovsset_el0);
	n = wait_pmu_irqs(1, 20000);
	/*
	 * From PMUv3p5 the event counters are 64 bits wide: with PMCR.LP clear
	 * the overflow is that of bits [31:0], which wrap to 0, while the upper
	 * half counts on.  Before v3p5 the whole counter reads 0.
	 */
	ok((u32)c == 0 && (pmuver >= 6 || c == 0) && ovs == BIT(0) && n == 0,
	   "SW_INCR from 0xffffffff wraps bits [31:0] to 0 and sets PMOVSSET bit 0 (%#lx, %#lx), "
	   "no interrupt while PMINTENSET is clear (%u)", (unsigned long)c,
	   (unsigned long)ovs, n);
	write_sysreg(~0ULL, pmovsclr_el0);
	isb();

	/* Interrupt enabled. */
	irq_ovs = 0;
	set_evcnt(0, 0xffffffffULL);
	write_sysreg(BIT(0), pmintenset_el1);
	isb();
	swinc(1);
	n = wait_pmu_irqs(1, 2000000);
	ok(n == 1 && irq_ovs == BIT(0),
	   "SW_INCR overflow with PMINTENSET bit 0: INTID %u once (%u), PMOVSSET %#lx in it",
	   PMU_INTID, n, (unsigned long)irq_ovs);
	ok(read_sysreg(pmovsset_el0) == 0, "PMOVSCLR_EL0 in the handler cleared the status");

	/* The cycle counter, 64 bits wide with PMCR.LC: a host perf overflow. */
	pmu_reset();
	pmu_irqs = 0;
	irq_ovs = 0;
	write_sysreg(0, pmccfiltr_el0);
	write_sysreg(-100000LL, pmccntr_el0);
	write_sysreg(BIT(CYCLE_IDX), pmintenset_el1);
	write_sysreg(BIT(CYCLE_IDX), pmcntenset_el0);
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	isb();
	n = wait_pmu_irqs(1, 3000000);
	c = read_sysreg(pmccntr_el0);
	ok(n == 1 && irq_ovs == BIT(CYCLE_IDX) && c < 0x100000000ULL,
	   "PMCCNTR_EL0 from 2^64 - 100000 overflows: interrupt (%u), PMOVSSET bit 31 "
	   "(%#lx), counter wrapped (%#lx)", n, (unsigned long)irq_ovs, (unsigned long)c);

	if (!ev_cycles) {
		diag("SKIP CPU_CYCLES event counter overflow: PMCEID0_EL0 bit 17 clear");
		pmu_reset();
		return;
	}
	pmu_reset();
	pmu_irqs = 0;
	irq_ovs = 0;
	set_evtype(0, EV_CPU_CYCLES);
	set_evcnt(0, 0xffffffffULL - 100000);
	write_sysreg(BIT(0), pmintenset_el1);
	write_sysreg(BIT(0), pmcntenset_el0);
	write_sysreg(PMCR_LC | PMCR_E, pmcr_el0);
	isb();
	n = wait_pmu_irqs(1, 3000000);
	c = get_evcnt(0);
	ok(n == 1 && irq_ovs == BIT(0) && (u32)c < 0x80000000u,
	   "32-bit CPU_CYCLES counter from 2^32 - 100001 overflows: interrupt (%u), "
	   "PMOVSSET bit 0 (%#lx), counter wrapped (%#lx)", n, (unsigned long)irq_ovs,
	   (unsigned long)c);
	pmu_reset();
}

void test_main(void)
{
	u64 pmuver = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;
	u64 pmcr, ceid0;
	unsigned int n;
	bool ev_cycles, ev_inst;

	if (pmuver == 0 || pmuver == 0xf)
		skip_all("no PMUv3 (ID_AA64DFR0_EL1.PMUVer = %#lx)", (unsigned long)pmuver);
	pmcr = read_sysreg(pmcr_el0);
	ceid0 = read_sysreg(pmceid0_el0);
	n = PMCR_N(pmcr);
	ev_cycles = ceid0 & BIT(EV_CPU_CYCLES);
	ev_inst = ceid0 & BIT(EV_INST_RETIRED);
	diag("PMUVer %#lx PMCR_EL0 %#lx PMCEID0_EL0 %#lx PMCEID1_EL0 %#lx",
	     (unsigned long)pmuver, (unsigned long)pmcr, (unsigned long)ceid0,
	     (unsigned long)read_sysreg(pmceid1_el0));
	plan(1 + (n ? 4 : 0) + 3 + 2 + ev_cycles + ev_inst + 4 + ev_cycles);
	if (!ok(n > 0, "PMCR_EL0.N = %u event counters", n))
		bail("no event counters");

	local_irq_disable();
	install_irq_handler(irq);
	gic_init();
	gic_enable_irq(PMU_INTID);
	local_irq_enable();

	test_config(n);
	test_swinc();
	test_cycles(ev_cycles);
	test_inst_retired(ev_inst);
	test_overflow(ev_cycles, pmuver);
	if (other_irqs)
		diag("%u interrupts other than the PMU's", other_irqs);
}
