// SPDX-License-Identifier: GPL-2.0
/*
 * A reboot in place resets the interrupt controller as a machine reset does:
 * what boot 1 configured in the GICv3 (distributor enabled, an SPI and a PPI
 * enabled, the SPI pending) is gone in boot 2, which finds the state boot 1
 * found at the cold start: groups disabled, nothing enabled or pending.
 *
 * lkvm-args: -c 1 -m 64 --loglevel info
 * expect-exit: 0
 * expect-output: rebooting in place
 * timeout: 60
 */
#include "psci-suspend.h"

#define GICD_CTLR_GRP1	BIT(1)
#define GICD_ISENABLER1	(GICD_BASE + 0x104)
#define GICD_ISPENDR1	(GICD_BASE + 0x204)
#define GICR_ISENABLER0	0x10100

static void check_cold(const char *boot)
{
	u64 rd = gic_redist_base();

	ok(!(readl(GICD_BASE) & GICD_CTLR_GRP1), "%s: GICD_CTLR.EnableGrp1 = 0 (%#x)", boot,
	   readl(GICD_BASE));
	ok(!(readl(GICD_ISENABLER1) & BIT(RTC_INTID - 32)),
	   "%s: GICD_ISENABLER1 bit 4 = 0: INTID 36 disabled (%#x)", boot,
	   readl(GICD_ISENABLER1));
	ok(!(readl(GICD_ISPENDR1) & BIT(RTC_INTID - 32)),
	   "%s: GICD_ISPENDR1 bit 4 = 0: INTID 36 not pending (%#x)", boot,
	   readl(GICD_ISPENDR1));
	ok(rd && !(readl(rd + GICR_ISENABLER0) & BIT(TIMER_VIRT_INTID)),
	   "%s: GICR_ISENABLER0 bit 27 = 0: the timer PPI disabled (%#x)", boot,
	   rd ? readl(rd + GICR_ISENABLER0) : 0);
}

void test_main(void)
{
	if (boot_number() == 2) {
		check_cold("boot 2 (reboot in place)");
		done();
	}
	plan(4 + 2 + 4);
	check_cold("boot 1 (cold start)");
	gic_init();
	gic_enable_irq(RTC_INTID);
	gic_enable_irq(TIMER_VIRT_INTID);
	/* Make the SPI pending by hand (GICD_ISPENDR), masked at the CPU. */
	writel(BIT(RTC_INTID - 32), GICD_ISPENDR1);
	ok((readl(GICD_ISENABLER1) & BIT(RTC_INTID - 32)) &&
	   (readl(gic_redist_base() + GICR_ISENABLER0) & BIT(TIMER_VIRT_INTID)),
	   "boot 1: INTID 36 and 27 enabled");
	ok(readl(GICD_ISPENDR1) & BIT(RTC_INTID - 32), "boot 1: INTID 36 pending");
	boot_mark(1);
	psci_system_reset();
	bail("SYSTEM_RESET returned");
}
