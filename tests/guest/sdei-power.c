// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI follows CPU_OFF and CPU_ON, which KVM handles without telling lkvm:
 *  - a PE that registered a private event and went off comes back with it
 *    unregistered (lkvm looks at the vCPUs holding private SDEI state every
 *    100 ms), so a raise for it is dropped, not sent to a stale handler;
 *  - a shared RM_ANY event whose turn falls on a PE that went off unnoticed
 *    is delivered to another PE instead of staying pending.
 *
 * lkvm-args: -c 2 -m 64 --test-device
 * expect-exit: 0
 * timeout: 60
 */
#include "sdei.h"

static volatile u64 handled, last_mpidr;
static volatile s64 status_after, raise_after;
static volatile u32 step;

u64 sdei_handler(struct sdei_frame *f)
{
	last_mpidr = read_mpidr() & 0xffffff;
	handled++;
	return 0;
}

static void register_private(void *arg)
{
	sdei_register(EV_PRIV_NORMAL, (u64)sdei_entry, 0, SDEI_RM_ANY, 0);
	sdei_enable(EV_PRIV_NORMAL);
	sdei_pe_unmask();
	step = 1;
}

static void after_power_on(void *arg)
{
	status_after = sdei_status(EV_PRIV_NORMAL);
	raise_after = testdev_raise(EV_PRIV_NORMAL, 1);
	step = 2;
}

static void unmask_and_wait(void *arg)
{
	sdei_pe_unmask();
	step = 3;
	while (step != 4)
		cpu_relax();
}

static bool wait_off(void)
{
	u64 end = deadline_us(5000000);

	while (psci_affinity_info(cpu_mpidr(1), 0) != 1 && !past(end))
		cpu_relax();
	return psci_affinity_info(cpu_mpidr(1), 0) == 1;
}

static bool wait_for(volatile u32 *v, u32 want)
{
	u64 end = deadline_us(5000000);

	while (*v != want && !past(end))
		cpu_relax();
	return *v == want;
}

static bool raise_and_wait(void)
{
	u64 before = handled, end = deadline_us(3000000);

	testdev_raise(EV_SHARED_NORMAL, 0);
	while (handled == before && !past(end))
		cpu_relax();
	return handled != before;
}

void test_main(void)
{
	int i;

	plan(6);
	ok(cpu_on(cpu_mpidr(1), register_private, NULL, NULL) == PSCI_RET_SUCCESS &&
	   wait_for(&step, 1) && wait_off(),
	   "vCPU 1 registered private event 1000, unmasked, and switched itself off");
	udelay(1000000);	/* several of lkvm's 100 ms looks */
	ok(cpu_on(cpu_mpidr(1), after_power_on, NULL, NULL) == PSCI_RET_SUCCESS &&
	   wait_for(&step, 2) && wait_off(), "vCPU 1 switched on again, and off");
	ok(status_after == 0, "after CPU_ON its private event is unregistered (status %ld)",
	   (long)status_after);
	ok(raise_after == TESTDEV_DROPPED, "and a raise for it is dropped (%ld)",
	   (long)raise_after);

	ok(sdei_register(EV_SHARED_NORMAL, (u64)sdei_entry, 0, SDEI_RM_ANY, 0) == 0 &&
	   sdei_enable(EV_SHARED_NORMAL) == 0 && sdei_pe_unmask() == 0 &&
	   cpu_on(cpu_mpidr(1), unmask_and_wait, NULL, NULL) == PSCI_RET_SUCCESS &&
	   wait_for(&step, 3), "shared event 2000 (RM_ANY) registered, both PEs unmasked");
	/* Until vCPU 0 took the last one: the next RM_ANY turn is vCPU 1's. */
	for (i = 0; i < 4; i++)
		if (raise_and_wait() && last_mpidr == 0)
			break;
	step = 4;
	wait_off();
	ok(raise_and_wait() && last_mpidr == 0,
	   "with vCPU 1 switched off, the next RM_ANY event is handled on vCPU 0 (%lu handled)",
	   (unsigned long)handled);
}
