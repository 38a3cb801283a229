// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI CPU_ON starts a secondary running C code on its own stack; it sees its
 * own MPIDR, AFFINITY_INFO tracks it on and off, and a second CPU_ON of a
 * running CPU answers ALREADY_ON.
 *
 * lkvm-args: -c 2 -m 64
 * expect-exit: 0
 */
#include "libtest.h"

static volatile u64 seen_mpidr = ~0ULL;
static volatile u64 seen_el = ~0ULL;
static volatile u64 seen_arg;
static volatile u32 release;

static void secondary(void *arg)
{
	seen_el = current_el();
	seen_arg = (u64)(uintptr_t)arg;
	dmb(sy);
	seen_mpidr = read_mpidr();
	dsb(sy);
	/* Stay on until the boot CPU has looked at us, then return (CPU_OFF). */
	while (!release)
		cpu_relax();
}

static bool wait_for(volatile u64 *p, u64 not_val, u64 us)
{
	u64 end = deadline_us(us);

	while (*p == not_val && !past(end))
		cpu_relax();
	return *p != not_val;
}

void test_main(void)
{
	u64 target = cpu_mpidr(1);
	s64 r;
	s32 st = -1;
	u64 end;

	plan(8);
	ok(nr_cpus() == 2, "DT has 2 CPUs (%d)", nr_cpus());
	ok(psci_affinity_info(target, 0) == 1, "AFFINITY_INFO(cpu1) = OFF before CPU_ON (%d)",
	   psci_affinity_info(target, 0));
	r = cpu_on(target, secondary, (void *)0x1234, NULL);
	ok(r == PSCI_RET_SUCCESS, "CPU_ON(cpu1) = SUCCESS (%ld)", (long)r);
	ok(wait_for(&seen_mpidr, ~0ULL, 5000000) && mpidr_aff(seen_mpidr) == target,
	   "secondary ran C code and read MPIDR %#lx (want %#lx)",
	   (unsigned long)mpidr_aff(seen_mpidr), (unsigned long)target);
	ok(seen_el == 1 && seen_arg == 0x1234, "secondary at EL%lu got its argument %#lx",
	   (unsigned long)seen_el, (unsigned long)seen_arg);
	r = cpu_on(target, secondary, NULL, NULL);
	ok(r == PSCI_RET_ALREADY_ON, "CPU_ON of a running CPU = ALREADY_ON (%ld)", (long)r);
	ok(psci_affinity_info(target, 0) == 0, "AFFINITY_INFO(cpu1) = ON (%d)",
	   psci_affinity_info(target, 0));
	release = 1;
	dsb(sy);
	end = deadline_us(5000000);
	while (!past(end) && (st = psci_affinity_info(target, 0)) != 1)
		cpu_relax();
	ok(st == 1, "AFFINITY_INFO(cpu1) = OFF after it called CPU_OFF (%d)", st);
}
