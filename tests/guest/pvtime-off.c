// SPDX-License-Identifier: GPL-2.0
/*
 * --no-pvtime: the guest is not offered PV stolen time (SMCCC
 * ARCH_FEATURES(PV_TIME_FEATURES) and PV_TIME_FEATURES say NOT_SUPPORTED).
 *
 * lkvm-args: -c 1 -m 64 --no-pvtime
 * expect-exit: 0
 */
#include "libtest.h"

#define SMCCC_ARCH_FEATURES	0x80000001u
#define PV_TIME_FEATURES	0xc5000020u
#define PV_TIME_ST		0xc5000021u

void test_main(void)
{
	s64 r;

	plan(2);
	r = (s64)hvc1(SMCCC_ARCH_FEATURES, PV_TIME_FEATURES).a0;
	ok(r == -1, "SMCCC_ARCH_FEATURES(PV_TIME_FEATURES) = NOT_SUPPORTED (%ld)", (long)r);
	r = (s64)hvc1(PV_TIME_FEATURES, PV_TIME_ST).a0;
	ok(r == -1, "PV_TIME_FEATURES(PV_TIME_ST) = NOT_SUPPORTED (%ld)", (long)r);
}
