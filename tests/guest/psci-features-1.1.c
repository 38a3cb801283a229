// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI pinned to 1.1: SYSTEM_SUSPEND and RESET2 offered; no OFF2 (see psci-features.h).
 *
 * lkvm-args: -c 1 -m 64 --psci-version 1.1
 * expect-exit: 0
 */
#define PIN_MINOR 1
#define SUSPEND_ON 1
#include "psci-features.h"
