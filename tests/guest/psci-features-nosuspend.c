// SPDX-License-Identifier: GPL-2.0
/*
 * --no-system-suspend: PSCI_FEATURES(SYSTEM_SUSPEND) and the call itself
 * answer NOT_SUPPORTED (see psci-features.h).
 *
 * lkvm-args: -c 1 -m 64 --psci-version 1.3 --no-system-suspend
 * expect-exit: 0
 */
#define PIN_MINOR 3
#define SUSPEND_ON 0
#include "psci-features.h"
