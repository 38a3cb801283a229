// SPDX-License-Identifier: GPL-2.0
/*
 * --no-sdei: no /firmware/sdei node in the DT, and every SDEI call (KVM
 * answers them: lkvm installs no SMCCC filter) is NOT_SUPPORTED.
 *
 * lkvm-args: -c 1 -m 64 --no-sdei
 * expect-exit: 0
 */
#include "sdei.h"

u64 sdei_handler(struct sdei_frame *f)
{
	bail("SDEI handler entered with --no-sdei");
}

void test_main(void)
{
	u32 len = 0;
	s64 r;

	plan(5);
	ok(fdt_getprop("/psci", "method", &len) != NULL, "DT is readable (/psci/method present)");
	ok(!fdt_getprop("/firmware/sdei", "compatible", &len) &&
	   !fdt_getprop("/firmware/sdei", "method", &len), "DT has no /firmware/sdei");
	r = sdei_version();
	ok(r == SDEI_NOT_SUPPORTED, "VERSION = NOT_SUPPORTED (%ld)", (long)r);
	r = sdei_register(EV_SW, (u64)(uintptr_t)sdei_entry, 0, SDEI_RM_ANY, 0);
	ok(r == SDEI_NOT_SUPPORTED, "REGISTER = NOT_SUPPORTED (%ld)", (long)r);
	r = sdei_pe_unmask();
	ok(r == SDEI_NOT_SUPPORTED, "PE_UNMASK = NOT_SUPPORTED (%ld)", (long)r);
}
