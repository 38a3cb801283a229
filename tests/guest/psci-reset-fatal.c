// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU that dies while lkvm handles a reset is not forgotten: the test
 * device makes vCPU 1 fail when the reboot pauses it, right after vCPU 0's
 * SYSTEM_RESET.  lkvm must say so and exit 128, not reboot with a dead vCPU
 * (which would leave the second boot waiting for vCPU 1 for ever).
 *
 * lkvm-args: -c 2 -m 64 --test-device --loglevel info
 * expect-exit: 128
 * expect-output: vCPU 1: failing at this pause, as the test device asked
 * expect-output: cannot reboot: vCPU 1 has stopped
 * timeout: 60
 */
#include "libtest.h"

#define TESTDEV_FAIL_ON_PAUSE	(0x01030000UL + 0x18)

static volatile u32 cpu1_up;

static void spinner(void *arg)
{
	cpu1_up = 1;
	for (;;)
		cpu_relax();
}

void test_main(void)
{
	u64 end = deadline_us(5000000);

	plan(2);
	ok(cpu_on(cpu_mpidr(1), spinner, NULL, NULL) == PSCI_RET_SUCCESS, "vCPU 1 switched on");
	while (!cpu1_up && !past(end))
		cpu_relax();
	/* A second boot gets here only if lkvm rebooted with vCPU 1 dead. */
	ok(cpu1_up, "vCPU 1 runs");
	writel(1, TESTDEV_FAIL_ON_PAUSE);
	psci_system_reset();
	bail("SYSTEM_RESET returned");
}
