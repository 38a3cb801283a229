// SPDX-License-Identifier: GPL-2.0
/*
 * The test device's delayed raises are bounded: a guest writing the
 * SDEI_RAISE_LATER register in a loop gets 16 accepted and the rest refused
 * (RESULT -1), instead of a host thread each; and lkvm still exits at once
 * with raises pending for much later.
 *
 * lkvm-args: -c 1 -m 64 --test-device
 * expect-exit: 0
 * timeout: 30
 */
#include "libtest.h"

#define TESTDEV_BASE		0x01030000UL
#define TESTDEV_RAISE_LATER	(TESTDEV_BASE + 0x10)
#define TESTDEV_DROPPED		1
#define TESTDEV_REFUSED		(-1)

void test_main(void)
{
	int accepted = 0, refused = 0;

	plan(3);
	writeq(0, TESTDEV_BASE);
	ok((s64)readq(TESTDEV_BASE + 8) == TESTDEV_DROPPED, "an immediate raise of event 0 (unregistered): "
	   "dropped");
	for (int i = 0; i < 200; i++) {
		/* Event 0 on vCPU 0, 60 s from now: long after this payload ends. */
		writeq(60000ULL << 48, TESTDEV_RAISE_LATER);
		if ((s64)readq(TESTDEV_BASE + 8) == TESTDEV_REFUSED)
			refused++;
		else
			accepted++;
	}
	ok(accepted == 16, "16 delayed raises accepted (%d)", accepted);
	ok(refused == 184, "the other 184 refused (%d)", refused);
}
