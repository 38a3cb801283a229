// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI_VERSION honours --psci-version, and PSCI_FEATURES agrees with it:
 * mandatory functions present, SYSTEM_RESET2 from 1.1, SYSTEM_OFF2 hidden
 * below 1.3, unknown ids NOT_SUPPORTED.
 *
 * lkvm-args: -c 2 -m 64 --psci-version 1.1
 * expect-exit: 0
 */
#include "libtest.h"

void test_main(void)
{
	u32 v = psci_version();
	static const u32 required[] = {
		PSCI_VERSION, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_64(PSCI_CPU_ON),
		PSCI_AFFINITY_INFO, PSCI_64(PSCI_AFFINITY_INFO), PSCI_SYSTEM_OFF,
		PSCI_SYSTEM_RESET, PSCI_FEATURES,
	};

	plan(4 + ARRAY_SIZE(required));
	ok(PSCI_VER_MAJOR(v) == 1 && PSCI_VER_MINOR(v) == 1, "PSCI_VERSION = 1.1 (got %u.%u)",
	   PSCI_VER_MAJOR(v), PSCI_VER_MINOR(v));
	for (unsigned int i = 0; i < ARRAY_SIZE(required); i++) {
		s32 r = psci_features(required[i]);

		ok(r >= 0, "PSCI_FEATURES(%#x) supported (%d)", required[i], r);
	}
	ok(psci_features(PSCI_SYSTEM_RESET2) >= 0, "SYSTEM_RESET2 advertised at 1.1 (%d)",
	   psci_features(PSCI_SYSTEM_RESET2));
	ok(psci_features(PSCI_SYSTEM_OFF2) == PSCI_RET_NOT_SUPPORTED,
	   "SYSTEM_OFF2 not advertised below 1.3 (%d)", psci_features(PSCI_SYSTEM_OFF2));
	ok(psci_features(0x8400001f) == PSCI_RET_NOT_SUPPORTED,
	   "an unknown PSCI id is NOT_SUPPORTED (%d)", psci_features(0x8400001f));
}
