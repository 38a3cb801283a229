// SPDX-License-Identifier: GPL-2.0
/*
 * With --no-reboot a SYSTEM_RESET ends lkvm with its reset status, 2, even
 * while another vCPU keeps running.
 *
 * lkvm-args: -c 2 -m 64 --no-reboot --loglevel info
 * expect-exit: 2
 * expect-output: lkvm: guest reset \(SYSTEM_RESET\); --no-reboot: exiting
 */
#include "libtest.h"

static void spinner(void *arg)
{
	for (;;)
		cpu_relax();
}

void test_main(void)
{
	s64 r;

	plan(2);
	ok(psci_features(PSCI_SYSTEM_RESET) == 0, "PSCI_FEATURES(SYSTEM_RESET) = 0 (%d)",
	   psci_features(PSCI_SYSTEM_RESET));
	ok(cpu_on(cpu_mpidr(1), spinner, NULL, NULL) == PSCI_RET_SUCCESS,
	   "CPU_ON(cpu1), which spins through the reset");
	r = psci_system_reset();
	bail("SYSTEM_RESET returned %ld", (long)r);
}
