// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI state does not survive a reboot in place (PSCI SYSTEM_RESET): the
 * first boot registers and enables private and shared events, unmasks its PE
 * and leaves an event pending; the second boot finds every event
 * unregistered, its PE masked, and nothing delivered.  RAM is zeroed by the
 * reboot, so the first boot leaves its mark in the test device's RESULT
 * register (refused raise: -1), which only a fresh VMM has at 0.
 *
 * lkvm-args: -c 1 -m 64 --test-device --loglevel info
 * expect-exit: 0
 * expect-output: rebooting in place
 * timeout: 40
 */
#include "sdei.h"

static volatile u64 runs;

u64 sdei_handler(struct sdei_frame *f)
{
	runs++;
	return 0;
}

static void first_boot(void)
{
	u64 ep = (u64)(uintptr_t)sdei_entry;
	s64 r[6];

	r[0] = sdei_register(EV_SW, ep, 0, SDEI_RM_ANY, 0);
	r[1] = sdei_register(EV_PRIV_NORMAL, ep, 0, SDEI_RM_ANY, 0);
	r[2] = sdei_enable(EV_PRIV_NORMAL);
	r[3] = sdei_register(EV_SHARED_NORMAL, ep, 0, SDEI_RM_PE, read_mpidr());
	r[4] = sdei_enable(EV_SHARED_NORMAL);
	r[5] = testdev_raise(EV_SHARED_NORMAL, 0);	/* pending: the PE is masked */
	diag("boot 1: register/enable %ld %ld %ld %ld %ld, raise %ld, status %ld %ld",
	     (long)r[0], (long)r[1], (long)r[2], (long)r[3], (long)r[4], (long)r[5],
	     (long)sdei_status(EV_PRIV_NORMAL), (long)sdei_status(EV_SHARED_NORMAL));
	if (r[0] || r[1] || r[2] || r[3] || r[4] || r[5] != TESTDEV_PENDING)
		bail("first boot could not set up SDEI state");
	if (testdev_raise(7, 0) != TESTDEV_REFUSED)
		bail("test device did not refuse event 7");
	diag("boot 1: SYSTEM_RESET");
	psci_system_reset();
	bail("SYSTEM_RESET returned");
}

void test_main(void)
{
	s64 st[3], r;

	if ((s64)readq(TESTDEV_BASE + 8) == 0)
		first_boot();
	plan(4);
	diag("boot 2");
	st[0] = sdei_status(EV_SW);
	st[1] = sdei_status(EV_PRIV_NORMAL);
	st[2] = sdei_status(EV_SHARED_NORMAL);
	ok(!st[0] && !st[1] && !st[2], "after reboot STATUS(0, 1000, 2000) = 0 (%ld, %ld, %ld)",
	   (long)st[0], (long)st[1], (long)st[2]);
	r = sdei_pe_mask();
	ok(r == 0, "after reboot the PE is masked (PE_MASK = %ld)", (long)r);
	sdei_pe_unmask();
	udelay(20000);
	ok(runs == 0, "nothing pending from before the reboot was delivered (%lu)",
	   (unsigned long)runs);
	r = testdev_raise(EV_PRIV_NORMAL, 0);
	ok(r == TESTDEV_DROPPED, "raising 1000 now drops it: not registered (%ld)", (long)r);
}
