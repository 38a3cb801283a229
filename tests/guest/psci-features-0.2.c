// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI pinned to 0.2: the 1.x calls (FEATURES, SYSTEM_SUSPEND, RESET2, OFF2)
 * are NOT_SUPPORTED (see psci-features.h).
 *
 * lkvm-args: -c 1 -m 64 --psci-version 0.2
 * expect-exit: 0
 */
#define PIN_MINOR -1
#define SUSPEND_ON 1
#include "psci-features.h"
