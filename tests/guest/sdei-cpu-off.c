// SPDX-License-Identifier: GPL-2.0
/*
 * A powered-off PE takes no SDEI event.  vCPU 1 registers, enables and
 * unmasks private event 1000, then calls CPU_OFF.  vCPU 0 has the VMM raise
 * 1000 on vCPU 1: nothing runs there.  CPU_OFF loses the PE's private event
 * state, so when vCPU 1 is switched on again the event is no longer
 * registered and the raise did not survive: no handler ever runs.
 *
 * lkvm-args: -c 2 -m 64 --test-device
 * expect-exit: 0
 * timeout: 60
 */
#include "sdei.h"

static volatile u64 handled, registered, status_after;
static volatile int step;

u64 sdei_handler(struct sdei_frame *f)
{
	handled++;
	return 0;
}

static void cpu1_first(void *arg)
{
	registered = sdei_register(EV_PRIV_NORMAL, (u64)(uintptr_t)sdei_entry, 0, SDEI_RM_ANY, 0)
		     == SDEI_SUCCESS && sdei_enable(EV_PRIV_NORMAL) == SDEI_SUCCESS &&
		     sdei_pe_unmask() == SDEI_SUCCESS;
	dsb(sy);
	/* Returning powers this CPU off (CPU_OFF). */
}

static void cpu1_second(void *arg)
{
	status_after = (u64)sdei_status(EV_PRIV_NORMAL);
	sdei_pe_unmask();
	udelay(20000);	/* time for anything still pending to arrive */
	dsb(sy);
	step = 2;
}

void test_main(void)
{
	u64 m1 = cpu_mpidr(1);
	u64 deadline;
	s64 res;

	plan(6);
	ok(cpu_on(m1, cpu1_first, NULL, NULL) == PSCI_RET_SUCCESS, "vCPU 1 on");
	deadline = deadline_us(2000000);
	while (psci_affinity_info(m1, 0) != 1 && !past(deadline))	/* 1 = OFF */
		cpu_relax();
	ok(registered && psci_affinity_info(m1, 0) == 1,
	   "vCPU 1 registered, enabled and unmasked event 1000, then went off");

	res = testdev_raise(EV_PRIV_NORMAL, 1);
	/* vCPU 1's thread sees its PE off and drops the event; give it the time. */
	udelay(100000);
	ok(handled == 0, "raising 1000 on the powered-off vCPU 1 (RESULT %ld) runs no handler",
	   (long)res);

	ok(cpu_on(m1, cpu1_second, NULL, NULL) == PSCI_RET_SUCCESS, "vCPU 1 on again");
	deadline = deadline_us(2000000);
	while (step != 2 && !past(deadline))
		cpu_relax();
	ok(status_after == 0, "after CPU_OFF/CPU_ON event 1000 is no longer registered on "
	   "vCPU 1 (EVENT_STATUS %ld)", (long)status_after);
	ok(handled == 0, "and the event raised while it was off never ran (%lu)",
	   (unsigned long)handled);
}
