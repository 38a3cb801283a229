// SPDX-License-Identifier: GPL-2.0
/*
 * A secondary vCPU can suspend the system: vCPU 0 switches vCPU 1 on and
 * itself off, vCPU 1 calls SYSTEM_SUSPEND, and its virtual timer wakes it at
 * the entry point with the context id, as CPU_ON would start it.  lkvm
 * re-initialises the vCPU with the features of its first INIT (powered off,
 * for a secondary), which kernels that compare them need.
 *
 * lkvm-args: -c 2 -m 64 --loglevel info --stats
 * expect-exit: 0
 * expect-output: guest suspended \(SYSTEM_SUSPEND on vCPU 1
 * expect-output: stats: suspends 1 resumes 1
 */
#include "psci-suspend.h"

#define CONTEXT 0x5a5a0002ULL

static u64 cval;

static void resumed(void)
{
	const volatile struct resume_regs *r = &resume_regs;

	vtimer_off();
	ok(r->count == 1 && (read_mpidr() & 0xffffff) == 1,
	   "resumed once, on vCPU 1 (MPIDR %#lx)", (unsigned long)read_mpidr());
	ok(r->x0 == CONTEXT && r->current_el == 1 << 2 && r->daif == DAIF_ALL &&
	   !(r->sctlr & SCTLR_M), "at the entry: x0 = context, EL1, DAIF masked, MMU off");
	ok(r->cntvct >= cval, "not before its timer");
	done();
}

static void secondary(void *arg)
{
	u64 end = deadline_us(5000000);
	s64 ret;

	while (psci_affinity_info(cpu_mpidr(0), 0) != 1 && !past(end))
		cpu_relax();
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	install_irq_handler(timer_irq_handler);
	suspend_prepare(resumed);
	cval = vtimer_arm_us(100000);
	ret = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	bail("SYSTEM_SUSPEND on vCPU 1 returned %ld", (long)ret);
}

void test_main(void)
{
	plan(4);
	ok(cpu_on(cpu_mpidr(1), secondary, NULL, NULL) == PSCI_RET_SUCCESS, "vCPU 1 on");
	psci_cpu_off();
	bail("CPU_OFF returned");
}
