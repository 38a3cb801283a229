// SPDX-License-Identifier: GPL-2.0
/* The SMCCC router's table (who answers a forwarded id) and SMC32 narrowing. */
#include <errno.h>

#include "lkvm/sdei.h"
#include "lkvm/smccc.h"
#include "tap.h"

int main(void)
{
	struct smccc_table t = { 0 };
	u64 a32[3] = { 0xdead0000c0ffee01ULL, 0xffffffff00000002ULL, 3 };
	u64 a64[2] = { 0xdead0000c0ffee01ULL, 0xffffffff00000002ULL };

	tap_plan(16);
	tap_ok(smccc_table_find(&t, SDEI_FN_VERSION) == NULL, "an empty table claims nothing");
	tap_ok(smccc_table_add(&t, SDEI_FN_RANGE_BASE, SDEI_FN_RANGE_NR, 7) == 0,
	       "SDEI claims its range");
	tap_ok(smccc_table_find(&t, SDEI_FN_VERSION) && smccc_table_find(&t, SDEI_FN_VERSION)->owner == 7,
	       "the first SDEI id goes to its owner");
	tap_ok(smccc_table_find(&t, SDEI_FN_RANGE_BASE + SDEI_FN_RANGE_NR - 1) != NULL,
	       "the range's last id is claimed");
	tap_ok(smccc_table_find(&t, SDEI_FN_RANGE_BASE + SDEI_FN_RANGE_NR) == NULL,
	       "one past the range is nobody's");
	tap_ok(smccc_table_find(&t, SDEI_FN_RANGE_BASE - 1) == NULL, "one below the range is nobody's");
	tap_ok(smccc_table_find(&t, SDEI_FN_VERSION & ~SMCCC_64) == NULL,
	       "the SMC32 twin of an SMC64 range is not claimed with it");
	tap_ok(smccc_table_add(&t, SDEI_FN_RANGE_BASE + 4, 1, 8) == -EEXIST,
	       "a range inside a claimed one is refused");
	tap_ok(smccc_table_add(&t, SDEI_FN_RANGE_BASE - 1, 2, 8) == -EEXIST,
	       "a range overlapping the start of a claimed one is refused");
	tap_ok(smccc_table_add(&t, 0xc2000000, 0, 8) == -EINVAL, "an empty range is refused");
	tap_ok(smccc_table_add(&t, 0xffffffff, 2, 8) == -EINVAL, "a range that wraps is refused");
	tap_ok(smccc_table_add(&t, SDEI_FN_RANGE_BASE + SDEI_FN_RANGE_NR, 1, 9) == 0 &&
		       smccc_table_find(&t, SDEI_FN_RANGE_BASE + SDEI_FN_RANGE_NR)->owner == 9,
	       "an adjacent range is accepted and routed to its own owner");
	for (u32 i = 0; t.nr < SMCCC_MAX_RANGES; i++)
		smccc_table_add(&t, 0x86000000 + i, 1, 10);
	tap_ok(smccc_table_add(&t, 0x87000000, 1, 11) == -ENOSPC, "a full table says so");

	smccc_narrow_args(0x84000001, a32, 3);
	tap_ok(a32[0] == 0xc0ffee01ULL && a32[1] == 2 && a32[2] == 3,
	       "SMC32 id: every argument loses its upper half");
	smccc_narrow_args(SDEI_FN_EVENT_REGISTER, a64, 2);
	tap_ok(a64[0] == 0xdead0000c0ffee01ULL && a64[1] == 0xffffffff00000002ULL,
	       "SMC64 id: arguments kept whole");
	smccc_narrow_args(0x84000001, a64, 0);
	tap_ok(a64[0] == 0xdead0000c0ffee01ULL, "no argument: nothing touched");
	return tap_done();
}
