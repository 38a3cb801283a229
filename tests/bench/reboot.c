// SPDX-License-Identifier: GPL-2.0
/*
 * Reboot-in-place payload, for tests/bench/run.sh:
 *
 *   lkvm run -k reboot.bin -c 1 -m 256 -p "bench.boots=N"
 *
 * Boots N times in one lkvm run (N - 1 SYSTEM_RESETs), then powers off; with
 * N = 1 it is a cold start and an immediate power-off.  The boot count lives
 * in the PL031, which keeps its time across a reset (see psci-suspend.h).
 */
#include "psci-suspend.h"
#include "bench.h"

void test_main(void)
{
	unsigned int boot = boot_number(), boots = (unsigned int)bench_arg("bench.boots", 1);

	printf("# bench: boot %u of %u\n", boot, boots);
	if (boots < 1 || boots >= BOOT_MAX)
		bail("bench.boots must be 1..%u", BOOT_MAX - 1);
	if (boot >= boots) {
		plan(0);
		done();
	}
	boot_mark(boot);
	psci_system_reset();
	bail("SYSTEM_RESET returned");
}
