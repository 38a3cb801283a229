// SPDX-License-Identifier: GPL-2.0
/*
 * SYSTEM_RESET2 (PSCI 1.1): an undefined architectural type answers
 * INVALID_PARAMS; a warm reset (type 0, SMC32 id) and a vendor reset (type
 * 0x80000001, SMC64 id) each reboot in place, and lkvm logs the type.  Boot 3
 * powers off.
 *
 * lkvm-args: -c 1 -m 64 --psci-version 1.1 --loglevel info --stats
 * expect-exit: 0
 * expect-output: lkvm: guest reset \(SYSTEM_RESET2 warm\): rebooting in place
 * expect-output: lkvm: guest reset \(SYSTEM_RESET2 vendor 0x80000001\): rebooting in place
 * expect-output: stats: .*reboots 2
 * timeout: 60
 */
#include "psci-suspend.h"

void test_main(void)
{
	unsigned int boot = boot_number();
	s64 r;

	if (boot == 3) {
		ok(true, "boot 3: reached after the vendor reset");
		done();
	}
	if (boot == 2) {
		ok(true, "boot 2: reached after the warm reset");
		boot_mark(2);
		r = (s64)hvc2(PSCI_64(PSCI_SYSTEM_RESET2), 0x80000001, 0xc0ffee).a0;
		bail("SYSTEM_RESET2(vendor 0x80000001) returned %ld", (long)r);
	}
	plan(5 + 2);
	ok(psci_features(PSCI_SYSTEM_RESET2) == 0 &&
	   psci_features(PSCI_64(PSCI_SYSTEM_RESET2)) == 0,
	   "boot 1: PSCI_FEATURES(SYSTEM_RESET2) = 0 for both ids");
	r = (s64)hvc2(PSCI_64(PSCI_SYSTEM_RESET2), 1, 0).a0;
	ok(r == PSCI_RET_INVALID_PARAMS, "boot 1: RESET2 type 1: x0 = INVALID_PARAMS (%ld)",
	   (long)r);
	r = (s64)hvc2(PSCI_64(PSCI_SYSTEM_RESET2), 0x7fffffff, 0).a0;
	ok(r == PSCI_RET_INVALID_PARAMS,
	   "boot 1: RESET2 type 0x7fffffff: x0 = INVALID_PARAMS (%ld)", (long)r);
	r = (s64)hvc2(PSCI_SYSTEM_RESET2, 2, 0).a0;
	ok(r == PSCI_RET_INVALID_PARAMS, "boot 1: RESET2 (SMC32) type 2: x0 = INVALID_PARAMS (%ld)",
	   (long)r);
	boot_mark(1);
	ok(boot_number() == 2, "boot 1: the PL031 carries the boot count (RTCDR %u)",
	   rtc_read(RTCDR));
	r = (s64)hvc2(PSCI_SYSTEM_RESET2, 0, 0).a0;
	bail("SYSTEM_RESET2(warm) returned %ld", (long)r);
}
