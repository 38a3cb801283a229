// SPDX-License-Identifier: GPL-2.0
/*
 * A reboot in place resets the ITS and the redistributors' LPI state as a
 * machine reset does.  Boot 1 finds the power-on state, then enables LPIs and
 * the ITS, maps a device, takes an LPI and leaves a second one pending behind
 * a disabled property byte.  Boot 2 must find the power-on state again (ITS
 * disabled, no Valid tables or queue, EnableLPIs clear, no table addresses),
 * boot 1's translation gone and no stale LPI, and a fresh setup working.
 *
 * lkvm-args: -c 1 -m 64 --irqchip gicv3-its --loglevel info
 * expect-exit: 0
 * expect-output: rebooting in place
 * timeout: 90
 */
#include "psci-suspend.h"
#include "its.h"

#define TABLES		(RAM_BASE + 0x01000000UL)
#define PROP_TABLE	(TABLES + 0x00000)
#define PEND_TABLE	(TABLES + 0x10000)
#define DEV_TABLE	(TABLES + 0x20000)
#define COLL_TABLE	(TABLES + 0x30000)
#define CMD_QUEUE	(TABLES + 0x40000)
#define ITT		(TABLES + 0x50000)
#define LPI_IDBITS	16
#define DEV		5
#define EV		3
#define LPI		(LPI_BASE + 42)
#define LPI2		(LPI_BASE + 43)
#define PRIO		0xa0

static struct its its;
static u64 its_base, rd, rdbase;
static volatile u32 lpis, last_lpi, others;

static bool irq(struct pt_regs *regs, u64 esr)
{
	u32 intid = gic_ack();

	if (intid == 1023)
		return true;
	if (intid >= LPI_BASE) {
		last_lpi = intid;
		lpis++;
	} else {
		others++;
	}
	gic_eoi(intid);
	return true;
}

static void check_cold(const char *boot)
{
	int dev = its_baser_find(its_base, GITS_BASER_TYPE_DEVICE);
	int coll = its_baser_find(its_base, GITS_BASER_TYPE_COLL);
	u64 dv = dev >= 0 ? readq(its_base + GITS_BASER(dev)) : 0;
	u64 cv = coll >= 0 ? readq(its_base + GITS_BASER(coll)) : 0;

	ok(!(readl(its_base + GITS_CTLR) & GITS_CTLR_ENABLED), "%s: GITS_CTLR.Enabled = 0 (%#x)",
	   boot, readl(its_base + GITS_CTLR));
	ok(!(readq(its_base + GITS_CBASER) & GITS_BASER_VALID) &&
	   readq(its_base + GITS_CWRITER) == 0 && readq(its_base + GITS_CREADR) == 0,
	   "%s: GITS_CBASER %#lx not Valid, GITS_CWRITER %#lx = GITS_CREADR %#lx = 0", boot,
	   (unsigned long)readq(its_base + GITS_CBASER),
	   (unsigned long)readq(its_base + GITS_CWRITER),
	   (unsigned long)readq(its_base + GITS_CREADR));
	ok(dev >= 0 && coll >= 0 && !(dv & GITS_BASER_VALID) && !(cv & GITS_BASER_VALID),
	   "%s: device and collection GITS_BASER not Valid (%#lx, %#lx)", boot,
	   (unsigned long)dv, (unsigned long)cv);
	ok(!(readl(rd + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS), "%s: GICR_CTLR.EnableLPIs = 0 (%#x)",
	   boot, readl(rd + GICR_CTLR));
	ok(!GICR_PROPBASER_PA(readq(rd + GICR_PROPBASER)) &&
	   !GICR_PENDBASER_PA(readq(rd + GICR_PENDBASER)),
	   "%s: GICR_PROPBASER %#lx and GICR_PENDBASER %#lx hold no table address", boot,
	   (unsigned long)readq(rd + GICR_PROPBASER), (unsigned long)readq(rd + GICR_PENDBASER));
}

/* LPIs and the ITS on, collection 0 on this CPU; true if all of it took. */
static bool setup(void)
{
	int dev = its_baser_find(its_base, GITS_BASER_TYPE_DEVICE);
	int coll = its_baser_find(its_base, GITS_BASER_TYPE_COLL);
	bool good = dev >= 0 && coll >= 0;

	for (u64 a = PROP_TABLE; a < PROP_TABLE + (1UL << LPI_IDBITS) - LPI_BASE; a += 8)
		writeq(0x0101010101010101ULL * (PRIO | LPI_PROP_RES1), a);
	its_flush(PROP_TABLE, (1UL << LPI_IDBITS) - LPI_BASE);
	lpi_prop_set(PROP_TABLE, LPI, PRIO, true);
	lpi_prop_set(PROP_TABLE, LPI2, PRIO, true);
	its_zero(PEND_TABLE, 0x10000);
	its_zero(ITT, 0x1000);
	good &= gicr_set_lpi_tables(rd, PROP_TABLE, LPI_IDBITS, PEND_TABLE);
	good &= gicr_enable_lpis(rd);
	if (!good)
		return false;
	good &= !!(its_baser_setup(its_base, dev, DEV_TABLE, 1) & GITS_BASER_VALID);
	good &= !!(its_baser_setup(its_base, coll, COLL_TABLE, 1) & GITS_BASER_VALID);
	good &= !!(its_cmdq_setup(&its, its_base, CMD_QUEUE, 1) & GITS_BASER_VALID);
	writel(GITS_CTLR_ENABLED, its_base + GITS_CTLR);
	dsb(sy);
	good &= !!(readl(its_base + GITS_CTLR) & GITS_CTLR_ENABLED);
	rdbase = its_rdbase(&its, rd);
	its_mapc(&its, 0, rdbase, true);
	its_sync(&its, rdbase);
	return good && its_kick(&its);
}

static void map(void)
{
	its_mapd(&its, DEV, ITT, 4, true);
	its_mapti(&its, DEV, EV, LPI, 0);
	its_mapti(&its, DEV, EV + 1, LPI2, 0);
	its_sync(&its, rdbase);
	its_kick(&its);
}

/* INT DEV/@ev; then how many LPIs came within @us. */
static u32 trigger(u32 ev, u64 us)
{
	u32 before = lpis;
	u64 end = deadline_us(us);

	its_int(&its, DEV, ev);
	its_sync(&its, rdbase);
	its_kick(&its);
	while (lpis == before && !past(end))
		cpu_relax();
	udelay(100000);
	return lpis - before;
}

void test_main(void)
{
	unsigned int boot = boot_number();
	u32 n;

	its_base = its_expected_base(1);
	rd = gic_redist_base();
	if (!rd)
		bail("no redistributor");
	if (boot == 2) {
		check_cold("boot 2 (reboot in place)");
		install_irq_handler(irq);
		gic_init();
		local_irq_enable();
		ok(setup(), "boot 2: LPIs, tables, command queue and ITS enabled again");
		n = trigger(EV, 500000);
		ok(n == 0, "boot 2: INT of boot 1's device/event before any MAPD: no LPI (%u, last %u)",
		   n, last_lpi);
		map();
		n = trigger(EV, 3000000);
		ok(n == 1 && last_lpi == LPI && !others,
		   "boot 2: mapped afresh, INT gives LPI %u once (%u, last %u, other IRQs %u)", LPI, n,
		   last_lpi, others);
		done();
	}
	if (boot != 1)
		bail("boot %u: this test reboots once", boot);
	plan(2 * 5 + 3 + 3);
	check_cold("boot 1 (cold start)");
	install_irq_handler(irq);
	gic_init();
	local_irq_enable();
	ok(setup(), "boot 1: LPIs, tables, command queue and ITS enabled");
	map();
	n = trigger(EV, 3000000);
	ok(n == 1 && last_lpi == LPI, "boot 1: INT gives LPI %u once (%u, last %u)", LPI, n,
	   last_lpi);
	/* Leave LPI2 pending behind a disabled property byte. */
	lpi_prop_set(PROP_TABLE, LPI2, PRIO, false);
	its_inv(&its, DEV, EV + 1);
	n = trigger(EV + 1, 500000);
	ok(n == 0 && !its.timed_out && !its.stalled,
	   "boot 1: LPI %u disabled + INV, INT: stays pending (%u taken)", LPI2, n);
	local_irq_disable();
	boot_mark(1);
	psci_system_reset();
	bail("SYSTEM_RESET returned");
}
