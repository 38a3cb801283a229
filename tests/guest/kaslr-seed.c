// SPDX-License-Identifier: GPL-2.0
/*
 * Prints /chosen/kaslr-seed as "KASLR-SEED=hex" (or "KASLR-SEED=none") for
 * tests/linux/kvmtool-opts.sh, which runs it with and without --kaslr-seed.
 *
 * run-by: tests/linux/kvmtool-opts.sh
 */
#include "libtest.h"

void test_main(void)
{
	u32 len = 0;
	const void *p = fdt_getprop("/chosen", "kaslr-seed", &len);

	plan(1);
	ok(p && len == 8, "/chosen/kaslr-seed is a 64-bit value (%u bytes)", p ? len : 0);
	if (p && len == 8)
		printf("KASLR-SEED=%016lx\n", (unsigned long)fdt64(p));
	else
		printf("KASLR-SEED=none\n");
}
