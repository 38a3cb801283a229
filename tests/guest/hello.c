// SPDX-License-Identifier: GPL-2.0
/*
 * Sanity of the payload environment: the UART prints, we run at EL1 with
 * interrupts masked, and x0 at entry is a 2 MiB-aligned DTB inside RAM.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "libtest.h"

void test_main(void)
{
	u64 dtb = boot_dtb;
	u32 len;
	const void *p;

	plan(6);
	ok(true, "UART output reaches the console");
	ok(current_el() == 1, "CurrentEL is EL1 (got EL%u)", current_el());
	ok((read_daif() & 0x3c0) == 0x3c0, "DAIF all masked at entry (%#lx)",
	   (unsigned long)read_daif());
	ok(dtb >= RAM_BASE && dtb < RAM_BASE + (64UL << 20) && !(dtb & 0x1fffff),
	   "x0 = %#lx is a 2 MiB-aligned address in RAM", (unsigned long)dtb);
	ok(fdt_valid(dtb), "FDT magic %#x at x0",
	   dtb >= RAM_BASE ? fdt32((const void *)(uintptr_t)dtb) : 0);
	p = fdt_getprop("/memory", "reg", &len);
	ok(p && len == 16 && fdt64((const u8 *)p + 8) == (64UL << 20),
	   "/memory reg says 64 MiB (%#lx)",
	   p && len == 16 ? (unsigned long)fdt64((const u8 *)p + 8) : 0UL);
}
