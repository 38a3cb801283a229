// SPDX-License-Identifier: GPL-2.0
/*
 * GICv3 SGIs and CPU-interface state as kvm-unit-tests' arm/gic.c checks
 * them, on three vCPUs: every CPU sends an SGI (ICC_SGI1R_EL1) to each of the
 * others by target list, then one to all the others at once (IRM = 1); each
 * arrives exactly once, with the sender's INTID, and never at the sender.
 * Inside the handler, between acknowledge and EOI, the SGI is active in
 * GICR_ISACTIVER0 and the running priority is its priority; after EOI it is
 * neither.  An SGI held back by the priority mask (ICC_PMR_EL1 at the
 * interrupt's priority), by PSTATE.I, by its enable bit or by the group enable
 * (ICC_IGRPEN1_EL1) stays pending and is taken once when the mask goes; and
 * ICC_IAR1_EL1 reads 1023 with nothing pending.
 *
 * lkvm-args: -c 3 -m 64
 * expect-exit: 0
 * timeout: 90
 */
#include "libtest.h"

#define NCPU		3
#define SGI_TARGETED	1	/* + sender: 1..3 */
#define SGI_BCAST	8	/* + sender: 8..10 */
#define SGI_GRPEN	11	/* the self-SGIs of the masking tests */
#define SGI_DISABLED	12
#define SGI_PSTATE	13
#define SGI_PMR		14
#define IRQ_PRIO	0xa0	/* what gic_enable_irq() programs */

#define GICR_ISENABLER0	0x10100
#define GICR_ICENABLER0	0x10180
#define GICR_ISPENDR0	0x10200
#define GICR_ISACTIVER0	0x10300

#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_HPPIR1_EL1	S3_0_C12_C12_2
#define ICC_RPR_EL1	S3_0_C12_C11_3
#define ICC_IGRPEN1_EL1	S3_0_C12_C12_7

enum { PHASE_NONE, PHASE_READY, PHASE_TARGETED, PHASE_BCAST, PHASE_EXIT };

/*
 * Each CPU writes only its own slots: with the MMU off all of this is Device
 * memory, where exclusives (and so atomics) are not to be relied on.
 */
static volatile u32 recv[NCPU][16];		/* SGIs taken, by receiver and INTID */
static volatile u32 active_in[NCPU][16];	/* ... seen active before EOI */
static volatile u32 prio_in[NCPU][16];		/* ... with ICC_RPR_EL1 = its priority */
static volatile u32 idle_after[NCPU][16];	/* ... neither active nor running after EOI */
static volatile u32 unexpected[NCPU];		/* non-SGI or spurious acknowledges */
static volatile u64 rd_base[NCPU];
static volatile u32 acked[NCPU];
static volatile u32 phase;

static unsigned int me(void)
{
	return read_mpidr() & 0xf;
}

static bool irq(struct pt_regs *regs, u64 esr)
{
	unsigned int c = me();
	u32 intid = gic_ack();
	u64 rd = rd_base[c];

	if (intid >= 16) {
		unexpected[c]++;
		if (intid < 1020)
			gic_eoi(intid);
		return true;
	}
	if (readl(rd + GICR_ISACTIVER0) & BIT(intid))
		active_in[c][intid]++;
	if ((read_sysreg(ICC_RPR_EL1) & 0xff) == IRQ_PRIO)
		prio_in[c][intid]++;
	recv[c][intid]++;
	gic_eoi(intid);
	if (!(readl(rd + GICR_ISACTIVER0) & BIT(intid)) &&
	    (read_sysreg(ICC_RPR_EL1) & 0xff) == 0xff)
		idle_after[c][intid]++;
	return true;
}

static void cpu_gic_setup(void)
{
	unsigned int c = me();

	rd_base[c] = gic_redist_base();
	for (u32 sgi = 0; sgi < 16; sgi++)
		gic_enable_irq(sgi);
	local_irq_enable();
}

static void do_phase(u32 p)
{
	unsigned int c = me();

	if (p == PHASE_TARGETED) {
		for (unsigned int t = 0; t < NCPU; t++)
			if (t != c)
				gic_send_sgi(SGI_TARGETED + c, cpu_mpidr(t));
	} else if (p == PHASE_BCAST) {
		gic_send_sgi_others(SGI_BCAST + c);
	}
}

static void secondary(void *arg)
{
	unsigned int c = me();
	u64 end = deadline_us(30000000);

	gic_init_percpu();
	cpu_gic_setup();
	acked[c] = PHASE_READY;
	while (!past(end)) {
		u32 p = phase;

		if (p == acked[c]) {
			cpu_relax();
			continue;
		}
		if (p == PHASE_EXIT)
			break;
		do_phase(p);
		dsb(sy);
		acked[c] = p;
	}
	local_irq_disable();
}

static bool all_acked(u32 p, u64 us)
{
	u64 end = deadline_us(us);
	bool all;

	do {
		all = true;
		for (unsigned int c = 1; c < NCPU; c++)
			all &= acked[c] == p;
	} while (!all && !past(end));
	return all;
}

/* Wait for every CPU to have taken one of @base + sender from each other sender. */
static void wait_round(u32 base)
{
	u64 end = deadline_us(3000000);
	bool all;

	do {
		all = true;
		for (unsigned int r = 0; r < NCPU; r++)
			for (unsigned int s = 0; s < NCPU; s++)
				if (r != s)
					all &= recv[r][base + s] >= 1;
	} while (!all && !past(end));
	udelay(20000);	/* room for a duplicate to show up */
}

static void check_round(u32 base, const char *how)
{
	for (unsigned int r = 0; r < NCPU; r++) {
		bool good = true;

		for (unsigned int s = 0; s < NCPU; s++) {
			u32 want = r != s;

			if (recv[r][base + s] != want) {
				good = false;
				diag("cpu%u took SGI %u (from cpu%u) %u times, want %u", r,
				     base + s, s, recv[r][base + s], want);
			}
		}
		ok(good, "%s: cpu%u took SGI %u..%u once from each other CPU, none from itself",
		   how, r, base, base + NCPU - 1);
	}
}

static bool pending(u32 intid)
{
	return readl(rd_base[0] + GICR_ISPENDR0) & BIT(intid);
}

/* Wait until the boot CPU took @intid @n times; then make sure no more come. */
static u32 taken(u32 intid, u32 n)
{
	u64 end = deadline_us(2000000);

	while (recv[0][intid] < n && !past(end))
		cpu_relax();
	udelay(10000);
	return recv[0][intid];
}

static void masking_tests(void)
{
	u64 self = cpu_mpidr(0), hppir;
	u32 n;

	/* Priority mask: an interrupt needs a priority strictly below PMR. */
	write_sysreg(IRQ_PRIO, ICC_PMR_EL1);
	isb();
	gic_send_sgi(SGI_PMR, self);
	udelay(10000);
	ok(recv[0][SGI_PMR] == 0 && pending(SGI_PMR),
	   "ICC_PMR_EL1 = priority: SGI %u not taken, pending in GICR_ISPENDR0 (%u)", SGI_PMR,
	   recv[0][SGI_PMR]);
	write_sysreg(IRQ_PRIO + 8, ICC_PMR_EL1);
	isb();
	n = taken(SGI_PMR, 1);
	ok(n == 1 && !pending(SGI_PMR), "ICC_PMR_EL1 above the priority: taken once (%u)", n);
	write_sysreg(0xff, ICC_PMR_EL1);
	isb();

	/* PSTATE.I: the CPU interface still has it as the highest pending. */
	local_irq_disable();
	gic_send_sgi(SGI_PSTATE, self);
	udelay(10000);
	hppir = read_sysreg(ICC_HPPIR1_EL1) & 0xffffff;
	ok(recv[0][SGI_PSTATE] == 0 && hppir == SGI_PSTATE,
	   "PSTATE.I set: SGI %u not taken, ICC_HPPIR1_EL1 = %lu", SGI_PSTATE,
	   (unsigned long)hppir);
	local_irq_enable();
	n = taken(SGI_PSTATE, 1);
	ok(n == 1, "PSTATE.I cleared: taken once (%u)", n);

	/* Disabled at the redistributor: pending, not forwarded. */
	writel(BIT(SGI_DISABLED), rd_base[0] + GICR_ICENABLER0);
	dsb(sy);
	gic_send_sgi(SGI_DISABLED, self);
	udelay(10000);
	ok(recv[0][SGI_DISABLED] == 0 && pending(SGI_DISABLED),
	   "disabled (GICR_ICENABLER0): SGI %u not taken, pending (%u)", SGI_DISABLED,
	   recv[0][SGI_DISABLED]);
	writel(BIT(SGI_DISABLED), rd_base[0] + GICR_ISENABLER0);
	dsb(sy);
	n = taken(SGI_DISABLED, 1);
	ok(n == 1 && !pending(SGI_DISABLED), "enabled again: taken once (%u)", n);

	/* Group 1 disabled at the CPU interface. */
	write_sysreg(0, ICC_IGRPEN1_EL1);
	isb();
	gic_send_sgi(SGI_GRPEN, self);
	udelay(10000);
	ok(recv[0][SGI_GRPEN] == 0 && pending(SGI_GRPEN),
	   "ICC_IGRPEN1_EL1 = 0: SGI %u not taken, pending (%u)", SGI_GRPEN,
	   recv[0][SGI_GRPEN]);
	write_sysreg(1, ICC_IGRPEN1_EL1);
	isb();
	n = taken(SGI_GRPEN, 1);
	ok(n == 1, "ICC_IGRPEN1_EL1 = 1: taken once (%u)", n);

	/* Nothing pending: the acknowledge is the spurious INTID. */
	local_irq_disable();
	n = (u32)read_sysreg(ICC_IAR1_EL1) & 0xffffff;
	ok(n == 1023, "ICC_IAR1_EL1 with nothing pending = %u (1023)", n);
	local_irq_enable();
}

void test_main(void)
{
	bool up = true, act = true, prio = true, idle = true;
	u32 bad = 0, total = 0;

	plan(20);
	if (nr_cpus() != NCPU)
		bail("want %d CPUs, the DT has %d", NCPU, nr_cpus());
	install_irq_handler(irq);
	gic_init();
	cpu_gic_setup();
	phase = PHASE_READY;
	for (unsigned int c = 1; c < NCPU; c++)
		up &= cpu_on(cpu_mpidr(c), secondary, NULL, NULL) == PSCI_RET_SUCCESS;
	ok(up && all_acked(PHASE_READY, 10000000), "cpu1..%d up with their GIC set up",
	   NCPU - 1);

	phase = PHASE_TARGETED;
	dsb(sy);
	do_phase(PHASE_TARGETED);
	all_acked(PHASE_TARGETED, 5000000);
	wait_round(SGI_TARGETED);
	check_round(SGI_TARGETED, "targeted");

	phase = PHASE_BCAST;
	dsb(sy);
	do_phase(PHASE_BCAST);
	all_acked(PHASE_BCAST, 5000000);
	wait_round(SGI_BCAST);
	check_round(SGI_BCAST, "IRM=1 broadcast");

	phase = PHASE_EXIT;
	dsb(sy);

	for (unsigned int c = 0; c < NCPU; c++) {
		for (unsigned int i = 0; i < 16; i++) {
			act &= active_in[c][i] == recv[c][i];
			prio &= prio_in[c][i] == recv[c][i];
			idle &= idle_after[c][i] == recv[c][i];
			total += recv[c][i];
		}
	}
	ok(total && act, "between ack and EOI each of the %u SGIs was active in GICR_ISACTIVER0",
	   total);
	ok(total && prio, "between ack and EOI ICC_RPR_EL1 was the SGI's priority %#x", IRQ_PRIO);
	ok(total && idle, "after EOI it was neither active nor running (ICC_RPR_EL1 = 0xff)");

	masking_tests();
	for (unsigned int c = 0; c < NCPU; c++)
		bad += unexpected[c];
	ok(bad == 0, "no spurious or non-SGI acknowledge on any CPU (%u)", bad);
}
