// SPDX-License-Identifier: GPL-2.0
/*
 * SYSTEM_SUSPEND while another vCPU is on answers DENIED (-3) and returns to
 * the caller: right after CPU_ON (the target may not have run yet), while it
 * spins, and while it idles in WFE.  Once it has called CPU_OFF and
 * AFFINITY_INFO says OFF, the same call suspends and resumes at the entry.
 *
 * lkvm-args: -c 2 -m 64 --loglevel info --stats
 * expect-exit: 0
 * expect-output: SYSTEM_SUSPEND from vCPU 0 refused \(-3\)
 * expect-output: stats: suspends 1 resumes 1
 */
#include "psci-suspend.h"

#define CONTEXT 0x5a5a0001ULL

static volatile u32 mode;	/* 0 spin, 1 WFE, 2 return (CPU_OFF) */
static volatile u32 alive;
static u64 cval;

static void secondary(void *arg)
{
	alive = 1;
	dsb(sy);
	while (mode == 0)
		cpu_relax();
	while (mode == 1)
		__asm__ volatile("wfe" : : : "memory");
}

static s32 wait_affinity(u64 mpidr, s32 want)
{
	u64 end = deadline_us(5000000);
	s32 st;

	while ((st = psci_affinity_info(mpidr, 0)) != want && !past(end))
		cpu_relax();
	return st;
}

static void resumed(void)
{
	s32 st;

	ok(resume_regs.count == 1 && resume_regs.x0 == CONTEXT,
	   "with cpu1 off: resumed at the entry once, x0 = context id (%#lx)",
	   (unsigned long)resume_regs.x0);
	ok(resume_regs.cntvct >= cval, "CNTVCT_EL0 at the entry >= CNTV_CVAL_EL0: not woken early");
	vtimer_off();
	st = psci_affinity_info(cpu_mpidr(1), 0);
	ok(st == 1, "AFFINITY_INFO(cpu1) = OFF after the resume (%d)", st);
	alive = 0;
	mode = 2;
	ok(cpu_on(cpu_mpidr(1), secondary, NULL, NULL) == PSCI_RET_SUCCESS,
	   "CPU_ON(cpu1) works after the resume");
	st = wait_affinity(cpu_mpidr(1), 1);
	ok(alive == 1 && st == 1,
	   "cpu1 ran and switched itself off again (alive %u, AFFINITY_INFO %d)", alive, st);
}

void test_main(void)
{
	u64 cpu1 = cpu_mpidr(1);
	s64 r;
	s32 st;
	u64 end;

	plan(11);
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	suspend_prepare(resumed);

	r = cpu_on(cpu1, secondary, NULL, NULL);
	ok(r == PSCI_RET_SUCCESS, "CPU_ON(cpu1) = SUCCESS (%ld)", (long)r);
	r = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	ok(r == PSCI_RET_DENIED, "SYSTEM_SUSPEND right after CPU_ON: x0 = DENIED (%ld)", (long)r);

	end = deadline_us(5000000);
	while (!alive && !past(end))
		cpu_relax();
	r = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	ok(alive && r == PSCI_RET_DENIED, "SYSTEM_SUSPEND while cpu1 spins: x0 = DENIED (%ld)",
	   (long)r);
	r = suspend_call(PSCI_SYSTEM_SUSPEND, entry_addr(), CONTEXT);
	ok(r == PSCI_RET_DENIED, "SMC32 SYSTEM_SUSPEND while cpu1 spins: x0 = DENIED (%ld)",
	   (long)r);

	mode = 1;
	dsb(sy);
	udelay(20000);
	r = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	ok(r == PSCI_RET_DENIED, "SYSTEM_SUSPEND while cpu1 idles in WFE: x0 = DENIED (%ld)",
	   (long)r);

	mode = 2;
	dsb(sy);
	__asm__ volatile("sev" : : : "memory");
	st = wait_affinity(cpu1, 1);
	ok(st == 1, "AFFINITY_INFO(cpu1) = OFF after its CPU_OFF (%d)", st);

	cval = vtimer_arm_us(20000);
	r = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	vtimer_off();
	bail("SYSTEM_SUSPEND with cpu1 off returned %ld instead of resuming", (long)r);
}
