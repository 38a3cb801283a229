// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI pinned to 1.2: as 1.1; OFF2 still hidden (see psci-features.h).
 *
 * lkvm-args: -c 1 -m 64 --psci-version 1.2
 * expect-exit: 0
 */
#define PIN_MINOR 2
#define SUSPEND_ON 1
#include "psci-features.h"
