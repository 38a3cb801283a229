// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI pinned to 1.0: SYSTEM_SUSPEND offered and working; no RESET2, no OFF2
 * (see psci-features.h).
 *
 * lkvm-args: -c 1 -m 64 --psci-version 1.0
 * expect-exit: 0
 */
#define PIN_MINOR 0
#define SUSPEND_ON 1
#include "psci-features.h"
