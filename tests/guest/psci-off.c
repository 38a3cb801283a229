// SPDX-License-Identifier: GPL-2.0
/*
 * Plain SYSTEM_OFF from a secondary while the boot vCPU spins: the whole VM
 * stops and lkvm exits 0 saying the guest powered off (not hibernated).  With
 * --psci-version 1.2 SYSTEM_OFF2 does not exist: NOT_SUPPORTED, no power-off.
 *
 * lkvm-args: -c 2 -m 64 --psci-version 1.2 --loglevel info
 * expect-exit: 0
 * expect-output: ^lkvm: guest powered off$
 */
#include "libtest.h"

static volatile u32 go;

static void secondary(void *arg)
{
	while (!go)
		cpu_relax();
	hvc0(PSCI_SYSTEM_OFF);
	bail("SYSTEM_OFF returned on cpu1");
}

void test_main(void)
{
	s64 r;
	u64 end;

	plan(4);
	ok(psci_features(PSCI_64(PSCI_SYSTEM_OFF2)) == PSCI_RET_NOT_SUPPORTED,
	   "PSCI 1.2: PSCI_FEATURES(SYSTEM_OFF2) = NOT_SUPPORTED (%d)",
	   psci_features(PSCI_64(PSCI_SYSTEM_OFF2)));
	r = (s64)hvc2(PSCI_64(PSCI_SYSTEM_OFF2), 1, 0).a0;
	ok(r == PSCI_RET_NOT_SUPPORTED, "PSCI 1.2: SYSTEM_OFF2(1, 0) returns NOT_SUPPORTED (%ld)",
	   (long)r);
	ok(psci_features(PSCI_SYSTEM_OFF) == 0, "PSCI_FEATURES(SYSTEM_OFF) = 0 (%d)",
	   psci_features(PSCI_SYSTEM_OFF));
	ok(cpu_on(cpu_mpidr(1), secondary, NULL, NULL) == PSCI_RET_SUCCESS,
	   "CPU_ON(cpu1), which calls SYSTEM_OFF");
	go = 1;
	dsb(sy);
	end = deadline_us(20000000);
	while (!past(end))
		cpu_relax();
	bail("SYSTEM_OFF on cpu1 did not stop cpu0 within 20 s");
}
