// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO to an unmapped hole of the guest physical map is not fatal: lkvm
 * reads it as zero and drops writes, and the guest carries on.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "libtest.h"

/* Between the CFI flash window and the first virtio-mmio device nothing lives. */
#define HOLE	0x02800000UL
/* PCI MMIO window with no PCI device behind it. */
#define HOLE2	0x50001000UL

void test_main(void)
{
	plan(5);
	ok(readl(HOLE) == 0, "32-bit read of hole %#lx = 0", HOLE);
	ok(readq(HOLE + 8) == 0, "64-bit read of hole %#lx = 0", HOLE + 8);
	ok(readb(HOLE + 3) == 0, "8-bit read of hole %#lx = 0", HOLE + 3);
	writel(0xdeadbeef, HOLE);
	ok(readl(HOLE) == 0, "a write to the hole is dropped");
	ok(readl(HOLE2) == 0, "read in the empty PCI MMIO window %#lx = 0", HOLE2);
}
