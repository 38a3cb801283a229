// SPDX-License-Identifier: GPL-2.0
/*
 * SYSTEM_OFF2 type 0 with cookie 0 (what Linux passes) through the SMC32 id:
 * a hibernation power-off too, lkvm exits 3.  Made from the second vCPU
 * while the first spins, so the whole VM must stop.
 *
 * lkvm-args: -c 2 -m 64 --psci-version 1.3 --loglevel info
 * expect-exit: 3
 * expect-output: lkvm: guest hibernated \(PSCI SYSTEM_OFF2\)
 */
#include "libtest.h"

static volatile u32 go;

static void secondary(void *arg)
{
	while (!go)
		cpu_relax();
	hvc2(PSCI_SYSTEM_OFF2, 0, 0);
	bail("SYSTEM_OFF2(0, 0) returned on cpu1");
}

void test_main(void)
{
	u64 end;

	plan(2);
	ok(psci_features(PSCI_SYSTEM_OFF2) == 1, "PSCI_FEATURES(SYSTEM_OFF2, SMC32) = 1 (%d)",
	   psci_features(PSCI_SYSTEM_OFF2));
	ok(cpu_on(cpu_mpidr(1), secondary, NULL, NULL) == PSCI_RET_SUCCESS,
	   "CPU_ON(cpu1), which calls SYSTEM_OFF2(0, 0)");
	go = 1;
	dsb(sy);
	end = deadline_us(20000000);
	while (!past(end))
		cpu_relax();
	bail("SYSTEM_OFF2 on cpu1 did not stop cpu0 within 20 s");
}
