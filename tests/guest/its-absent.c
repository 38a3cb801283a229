// SPDX-License-Identifier: GPL-2.0
/*
 * Without --irqchip gicv3-its there is no ITS: no msic node under the GIC,
 * no LPIs in GICD_TYPER or GICR_TYPER, GICR_CTLR.EnableLPIs cannot be set,
 * and nothing answers where lkvm would put the ITS frame.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "its.h"

void test_main(void)
{
	u64 its = its_expected_base(1), rd = gic_redist_base();
	u32 gicd_typer = readl(GICD_BASE + GICD_TYPER);

	plan(6);
	ok(!fdt_getprop("/intc/msic", "compatible", NULL) && !fdt_getprop("/msic", "compatible", NULL),
	   "DT: no msic node");
	ok(fdt_count_children("/intc", "") == 0, "DT: the GIC node has no children (%d)",
	   fdt_count_children("/intc", ""));
	ok(!(gicd_typer & GICD_TYPER_LPIS), "GICD_TYPER.LPIS = 0 (%#x)", gicd_typer);
	ok(rd && !(readq(rd + GICR_TYPER) & GICR_TYPER_PLPIS), "GICR_TYPER.PLPIS = 0 (%#lx)",
	   rd ? (unsigned long)readq(rd + GICR_TYPER) : 0UL);
	if (rd)
		writel(GICR_CTLR_ENABLE_LPIS, rd + GICR_CTLR);
	ok(rd && !(readl(rd + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS),
	   "GICR_CTLR.EnableLPIs stays 0 when written (%#x)", rd ? readl(rd + GICR_CTLR) : 0);
	ok(readl(its + GITS_PIDR2) == 0 && readq(its + GITS_TYPER) == 0 &&
	   readl(its + GITS_CTLR) == 0,
	   "nothing at %#lx, where the ITS would be: GITS_PIDR2, GITS_TYPER, GITS_CTLR read 0",
	   (unsigned long)its);
}
