// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot of a guest in SYSTEM_SUSPEND: vCPU 1 runs and switches itself
 * off (SYSTEM_SUSPEND wants every other vCPU off), vCPU 0 writes a marker
 * to RAM and suspends with context id 0x5a5a1234cafe and no wake-up source.
 * The host snapshots it there, ends it, restores the snapshot in a new
 * lkvm and presses the wake-up button (lkvm wake).  vCPU 0 must come back
 * at the entry point, once, in the PSCI reset state (EL1h, MMU off) with
 * the context id in x0 and the marker in RAM; vCPU 1 can be switched on
 * again.
 *
 * lkvm-args: -c 2 -m 64 --loglevel info
 * run-by: tests/linux/snapshot-bare.sh
 */
#include "psci-suspend.h"

#define CONTEXT		0x5a5a1234cafeULL
#define MARKER		0x6d61726b65723031ULL	/* "marker01" */

static volatile u64 marker;
static volatile u32 sec_runs;

static void secondary(void *arg)
{
	sec_runs++;
	dmb(sy);
}

/* Until vCPU 1 is OFF (AFFINITY_INFO 1), at most @us. */
static bool wait_off(u64 us)
{
	u64 end = deadline_us(us);

	while (psci_affinity_info(cpu_mpidr(1), 0) != 1 && !past(end))
		cpu_relax();
	return psci_affinity_info(cpu_mpidr(1), 0) == 1;
}

static void resumed(void)
{
	const volatile struct resume_regs *r = &resume_regs;
	u64 end;

	ok(r->count == 1, "entered the resume entry point once (%lu)", (unsigned long)r->count);
	ok(r->x0 == CONTEXT, "x0 = context id %#llx (got %#lx)", CONTEXT, (unsigned long)r->x0);
	ok(r->current_el == 1 << 2 && r->spsel == 1, "EL1h (CurrentEL %#lx, SPSel %lu)",
	   (unsigned long)r->current_el, (unsigned long)r->spsel);
	ok(!(r->sctlr & SCTLR_M), "MMU off (SCTLR_EL1 %#lx)", (unsigned long)r->sctlr);
	ok(marker == MARKER, "the marker written before suspending is in RAM (%#lx)",
	   (unsigned long)marker);
	if (cpu_on(cpu_mpidr(1), secondary, NULL, NULL) != PSCI_RET_SUCCESS)
		bail("CPU_ON of vCPU 1 after the wake-up failed");
	end = deadline_us(5000000);
	while (sec_runs < 2 && !past(end))
		cpu_relax();
	ok(sec_runs == 2 && wait_off(5000000), "vCPU 1 ran again and went off (%u runs)",
	   sec_runs);
}

void test_main(void)
{
	s64 ret;

	plan(7);
	if (cpu_on(cpu_mpidr(1), secondary, NULL, NULL) != PSCI_RET_SUCCESS)
		bail("CPU_ON of vCPU 1 failed");
	ok(wait_off(5000000) && sec_runs == 1, "vCPU 1 ran and is off (%u runs)", sec_runs);
	marker = MARKER;
	suspend_prepare(resumed);
	printf("suspending\n");
	ret = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	bail("SYSTEM_SUSPEND returned %ld to the caller instead of resuming at the entry point",
	     (long)ret);
}
