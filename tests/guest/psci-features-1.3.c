// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI pinned to 1.3: SYSTEM_SUSPEND, RESET2, and OFF2 answering 1
 * (HIBERNATE_OFF) (see psci-features.h).
 *
 * lkvm-args: -c 1 -m 64 --psci-version 1.3
 * expect-exit: 0
 */
#define PIN_MINOR 3
#define SUSPEND_ON 1
#include "psci-features.h"
