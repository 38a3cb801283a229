// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel GICv3 ITS that --irqchip gicv3-its gives the guest, after
 * kvm-unit-tests' its-introspection and its-trigger: where the device tree
 * says it is (and that is right below the redistributors), what its ID
 * registers and GITS_BASER<n> offer, then LPIs end to end: property and
 * pending tables, device/collection tables, the command queue, and MAPC,
 * MAPD, MAPTI, MAPI, INT, INV, INVALL, MOVI, CLEAR, DISCARD and SYNC, with
 * LPIs arriving on the CPU their collection names, or not arriving.
 *
 * lkvm-args: -c 2 -m 64 --irqchip gicv3-its
 * expect-exit: 0
 * timeout: 120
 */
#include "its.h"

#define NCPUS		2
#define TABLES		(RAM_BASE + 0x01000000UL)	/* 16 MiB in: past the image, below the DTB */
#define PROP_TABLE	(TABLES + 0x00000)		/* 2^16 IDs: 56 KiB of LPI bytes */
#define PEND_TABLE(c)	(TABLES + 0x10000 + 0x10000 * (c))
#define DEV_TABLE	(TABLES + 0x30000)
#define COLL_TABLE	(TABLES + 0x40000)
#define CMD_QUEUE	(TABLES + 0x50000)		/* one 4 KiB page: 128 slots */
#define ITT(n)		(TABLES + 0x60000 + 0x1000 * (n))	/* 2^EV_BITS events each */
#define ITT_MAPI	(TABLES + 0x80000)		/* 2^14 events */
#define TABLES_END	(TABLES + 0xa0000)
#define LPI_IDBITS	16

#define PRIO_DEFAULT	0xa0
#define PRIO_HIGH	0x80

/* Devices and events.  DEV_A's events go to CPU 0 first, DEV_B's to CPU 1. */
#define DEV_A		2
#define DEV_B		7
#define EV_BITS		5
#define LPI_A0		(LPI_BASE + 8)		/* 8200: DEV_A event 0 */
#define LPI_A1		(LPI_BASE + 9)		/* 8201: DEV_A event 1 */
#define LPI_A2		(LPI_BASE + 31)		/* DEV_A event 31, by MAPTI */
#define LPI_MAPI	(LPI_BASE + 3)		/* dev 9 event 8195, by MAPI */
#define LPI_B		(LPI_BASE + 100)	/* DEV_B event 20 */
#define EV_B		20

#define POS_WAIT_US	3000000		/* an expected LPI */
#define SETTLE_US	100000		/* after it: no second one */
#define NEG_WAIT_US	500000		/* an LPI that must not come */

extern char __stacks_end[];

struct seen {
	volatile u32 count;	/* LPIs taken */
	volatile u32 last;	/* INTID of the last one */
	volatile u64 rpr;	/* ICC_RPR_EL1 while handling it */
	volatile u32 others;	/* non-LPI interrupts taken */
};
static struct seen seen[NCPUS];
static volatile u32 cpu1_ready, cpu1_stop;

static struct its its;
static u64 rd[NCPUS], rdbase[NCPUS];

static unsigned int cpu_idx(void)
{
	return (unsigned int)(read_mpidr() & 0xf);
}

static bool irq(struct pt_regs *regs, u64 esr)
{
	unsigned int me = cpu_idx();
	u32 intid = gic_ack();
	u64 rpr;

	if (intid == 1023)
		return true;
	rpr = read_sysreg(ICC_RPR_EL1);
	if (me < NCPUS && intid >= LPI_BASE) {
		seen[me].last = intid;
		seen[me].rpr = rpr;
		dmb(sy);
		seen[me].count++;
	} else if (me < NCPUS) {
		seen[me].others++;
	}
	gic_eoi(intid);
	return true;
}

static void secondary(void *arg)
{
	u64 end = deadline_us(300000000);

	gic_init();
	local_irq_enable();
	dsb(sy);
	cpu1_ready = 1;
	while (!cpu1_stop && !past(end))
		cpu_relax();
	local_irq_disable();
}

/* ---- checking deliveries ------------------------------------------------ */
struct snap {
	u32 n[NCPUS];
};

static struct snap snap(void)
{
	struct snap s;

	dsb(sy);
	for (int c = 0; c < NCPUS; c++)
		s.n[c] = seen[c].count;
	return s;
}

/* Exactly one LPI, @intid, arrives on @cpu, and none on the other CPU. */
static bool expect_lpi(struct snap s, int cpu, u32 intid, const char *what)
{
	u64 end = deadline_us(POS_WAIT_US);
	u32 got[NCPUS];

	while (seen[cpu].count == s.n[cpu] && !past(end))
		cpu_relax();
	udelay(SETTLE_US);
	for (int c = 0; c < NCPUS; c++)
		got[c] = seen[c].count - s.n[c];
	return ok(got[cpu] == 1 && got[!cpu] == 0 && seen[cpu].last == intid,
		  "%s: LPI %u arrives once, on CPU %d (new: CPU0 %u, CPU1 %u; last on CPU%d %u)",
		  what, intid, cpu, got[0], got[1], cpu, seen[cpu].last);
}

/* No LPI arrives anywhere. */
static bool expect_none(struct snap s, const char *what)
{
	u32 got[NCPUS];

	udelay(NEG_WAIT_US);
	for (int c = 0; c < NCPUS; c++)
		got[c] = seen[c].count - s.n[c];
	return ok(!got[0] && !got[1], "%s: no LPI arrives (new: CPU0 %u, CPU1 %u, last %u/%u)",
		  what, got[0], got[1], seen[0].last, seen[1].last);
}

/* A batch of commands is consumed: CREADR reaches CWRITER, not Stalled. */
static bool cmds_done(const char *what)
{
	bool done = its_kick(&its);
	u64 creadr = readq(its.base + GITS_CREADR);

	return ok(done && !(creadr & GITS_CREADR_STALLED),
		  "%s: GITS_CREADR caught up with GITS_CWRITER (%#lx / %#lx)%s", what,
		  (unsigned long)creadr, (unsigned long)readq(its.base + GITS_CWRITER),
		  creadr & GITS_CREADR_STALLED ? ", Stalled" : "");
}

/* Send what is queued plus a SYNC to each redistributor; report nothing. */
static bool sync_all(void)
{
	for (int c = 0; c < NCPUS; c++)
		its_sync(&its, rdbase[c]);
	return its_kick(&its);
}

/* ---- the device tree ---------------------------------------------------- */
static u64 check_dt(void)
{
	struct its_dt dt;
	u64 want = its_expected_base(NCPUS);
	const void *p;
	u32 len, gic_ph = 0;
	u64 redist = 0, redist_size = 0;

	its_dt_read(&dt);
	ok(dt.found, "DT: /intc/msic node with compatible \"arm,gic-v3-its\"");
	ok(dt.msi_controller && dt.msi_cells == 1,
	   "DT: msi-controller (empty) and #msi-cells = <1> (%s, %ld)",
	   dt.msi_controller ? "present" : "absent", (long)dt.msi_cells);
	p = fdt_getprop("/intc", "phandle", &len);
	if (p && len == 4)
		gic_ph = fdt32(p);
	ok(dt.phandle && dt.phandle != gic_ph, "DT: msic has its own phandle (%u; the GIC's %u)",
	   dt.phandle, gic_ph);
	ok(dt.reg_len == 16 && dt.base == want && dt.size == ITS_FRAME_SIZE,
	   "DT: msic reg = <%#lx %#lx> (%u bytes), want <%#lx 0x20000> below %d redistributors",
	   (unsigned long)dt.base, (unsigned long)dt.size, dt.reg_len, (unsigned long)want, NCPUS);
	/* A child's reg means something to the CPU only through ranges. */
	{
		const void *ac = fdt_getprop("/intc", "#address-cells", &len);
		bool ac2 = ac && len == 4 && fdt32(ac) == 2;
		const void *sc = fdt_getprop("/intc", "#size-cells", &len);
		bool sc2 = sc && len == 4 && fdt32(sc) == 2;
		bool ranges = fdt_getprop("/intc", "ranges", &len) && len == 0;

		ok(ac2 && sc2 && ranges,
		   "DT: GIC node has #address-cells = #size-cells = <2> and an empty ranges "
		   "(%d %d %d)", ac2, sc2, ranges);
	}
	p = fdt_getprop("/intc", "reg", &len);
	if (p && len >= 32) {
		redist = fdt64((const u8 *)p + 16);
		redist_size = fdt64((const u8 *)p + 24);
	}
	ok(dt.base + dt.size == redist && redist + redist_size == GICD_BASE &&
	   fdt_count_children("/intc", "") == 1,
	   "DT: the ITS frame ends where the redistributors (%#lx + %#lx) begin; the GIC's "
	   "only child", (unsigned long)redist, (unsigned long)redist_size);
	return dt.found && dt.base ? dt.base : want;
}

/* ---- introspection ------------------------------------------------------ */
static int baser_dev = -1, baser_coll = -1;

static void check_ids(u64 base)
{
	u64 typer = readq(base + GITS_TYPER), gicd_typer = readl(GICD_BASE + GICD_TYPER);
	u32 iidr = readl(base + GITS_IIDR), pidr2 = readl(base + GITS_PIDR2);
	u32 esz = GITS_TYPER_ITT_ESZ(typer), idb = GITS_TYPER_IDBITS(typer);
	u32 devb = GITS_TYPER_DEVBITS(typer);
	bool sane_tables = true, plpis = true;

	ok(GITS_PIDR2_ARCH(pidr2) == 3 || GITS_PIDR2_ARCH(pidr2) == 4,
	   "GITS_PIDR2.ArchRev = %u: a GICv3 ITS frame at %#lx", GITS_PIDR2_ARCH(pidr2),
	   (unsigned long)base);
	ok((gicd_typer & GICD_TYPER_LPIS) && GICD_TYPER_IDBITS(gicd_typer) >= 14,
	   "GICD_TYPER.LPIS = 1, IDbits = %u >= 14 (%#lx)", (u32)GICD_TYPER_IDBITS(gicd_typer),
	   (unsigned long)gicd_typer);
	for (int c = 0; c < NCPUS; c++)
		plpis &= rd[c] && (readq(rd[c] + GICR_TYPER) & GICR_TYPER_PLPIS);
	ok(plpis, "GICR_TYPER.PLPIS = 1 on both redistributors (%#lx, %#lx)",
	   (unsigned long)readq(rd[0] + GICR_TYPER), (unsigned long)readq(rd[1] + GICR_TYPER));
	diag("GITS_TYPER %#lx: ITT entry %u bytes, EventID %u bits, DeviceID %u bits, PTA %d, "
	     "HCC %u, CIL %d (CIDbits %u)", (unsigned long)typer, esz, idb, devb,
	     !!(typer & GITS_TYPER_PTA), (u32)GITS_TYPER_HCC(typer), !!(typer & GITS_TYPER_CIL),
	     (u32)GITS_TYPER_CIDBITS(typer));
	ok(typer & GITS_TYPER_PHYSICAL, "GITS_TYPER.Physical = 1");
	ok(esz >= 1 && esz <= 16 && idb >= EV_BITS && idb <= 32 && devb >= 4 && devb <= 32,
	   "GITS_TYPER: ITT_entry_size %u, EventID bits %u, DeviceID bits %u are sane", esz, idb,
	   devb);
	ok(GITS_IIDR_IMPLEMENTER(iidr) == 0x43b,
	   "GITS_IIDR = %#x: implementer Arm (0x43b), product %#x, revision %u", iidr,
	   (u32)GITS_IIDR_PRODUCT(iidr), (u32)GITS_IIDR_REVISION(iidr));
	for (int n = 0; n < GITS_NR_BASER; n++) {
		u64 b = readq(base + GITS_BASER(n));
		u32 type = GITS_BASER_TYPE(b);

		if (type == GITS_BASER_TYPE_NONE)
			continue;
		diag("GITS_BASER%d = %#lx: type %u, entry %u bytes, page size code %u", n,
		     (unsigned long)b, type, (u32)GITS_BASER_ESZ(b), (u32)GITS_BASER_PAGE_SIZE(b));
		if (type == GITS_BASER_TYPE_DEVICE && baser_dev < 0)
			baser_dev = n;
		else if (type == GITS_BASER_TYPE_COLL && baser_coll < 0)
			baser_coll = n;
		if (b & GITS_BASER_VALID)
			sane_tables = false;
	}
	ok(baser_dev >= 0 && baser_coll >= 0, "GITS_BASER: a device table (BASER%d) and a "
	   "collection table (BASER%d)", baser_dev, baser_coll);
	if (baser_dev >= 0 && baser_coll >= 0) {
		u64 d = readq(base + GITS_BASER(baser_dev)), c = readq(base + GITS_BASER(baser_coll));

		sane_tables &= GITS_BASER_ESZ(d) >= 1 && GITS_BASER_ESZ(d) <= 32 &&
			       GITS_BASER_ESZ(c) >= 1 && GITS_BASER_ESZ(c) <= 32;
	} else {
		sane_tables = false;
	}
	ok(sane_tables, "GITS_BASER: sane entry sizes, none Valid at reset");
	ok(!(readl(base + GITS_CTLR) & GITS_CTLR_ENABLED) &&
	   !(readq(base + GITS_CBASER) & GITS_BASER_VALID) &&
	   !(readl(rd[0] + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS) &&
	   !(readl(rd[1] + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS),
	   "reset state: GITS_CTLR %#x (Enabled 0), GITS_CBASER %#lx (not Valid), GICR_CTLR %#x/%#x "
	   "(EnableLPIs 0)", readl(base + GITS_CTLR), (unsigned long)readq(base + GITS_CBASER),
	   readl(rd[0] + GICR_CTLR), readl(rd[1] + GICR_CTLR));
}

/* ---- setting up --------------------------------------------------------- */
static void setup(u64 base)
{
	bool good = true;
	u64 v;

	/* Property table: every LPI disabled at the default priority. */
	for (u64 a = PROP_TABLE; a < PROP_TABLE + (1UL << LPI_IDBITS) - LPI_BASE; a += 8)
		writeq(0x0101010101010101ULL * (PRIO_DEFAULT | LPI_PROP_RES1), a);
	its_flush(PROP_TABLE, (1UL << LPI_IDBITS) - LPI_BASE);
	lpi_prop_set(PROP_TABLE, LPI_A0, PRIO_DEFAULT, true);
	lpi_prop_set(PROP_TABLE, LPI_A1, PRIO_HIGH, true);
	lpi_prop_set(PROP_TABLE, LPI_A2, PRIO_DEFAULT, true);
	lpi_prop_set(PROP_TABLE, LPI_B, PRIO_DEFAULT, true);
	lpi_prop_set(PROP_TABLE, LPI_MAPI, PRIO_DEFAULT, true);
	its_zero(ITT(0), TABLES_END - ITT(0));
	for (int c = 0; c < NCPUS; c++) {
		its_zero(PEND_TABLE(c), 0x10000);
		good &= gicr_set_lpi_tables(rd[c], PROP_TABLE, LPI_IDBITS, PEND_TABLE(c));
	}
	ok(good, "GICR_PROPBASER (%#lx) and GICR_PENDBASER (%#lx, %#lx) read back their tables",
	   (unsigned long)readq(rd[0] + GICR_PROPBASER), (unsigned long)readq(rd[0] + GICR_PENDBASER),
	   (unsigned long)readq(rd[1] + GICR_PENDBASER));
	good = true;
	for (int c = 0; c < NCPUS; c++)
		good &= gicr_enable_lpis(rd[c]);
	ok(good, "GICR_CTLR.EnableLPIs = 1 on both redistributors (%#x, %#x)",
	   readl(rd[0] + GICR_CTLR), readl(rd[1] + GICR_CTLR));

	v = its_baser_setup(base, baser_dev, DEV_TABLE, 1);
	good = (v & GITS_BASER_VALID) && GITS_BASER_PA_64K(v) == DEV_TABLE &&
	       GITS_BASER_TYPE(v) == GITS_BASER_TYPE_DEVICE && GITS_BASER_PAGES(v) == 1 &&
	       GITS_BASER_PAGE_SIZE(v) == GITS_BASER_PSZ_64K;
	v = its_baser_setup(base, baser_coll, COLL_TABLE, 1);
	good &= (v & GITS_BASER_VALID) && GITS_BASER_PA_64K(v) == COLL_TABLE &&
		GITS_BASER_TYPE(v) == GITS_BASER_TYPE_COLL && GITS_BASER_PAGES(v) == 1 &&
		GITS_BASER_PAGE_SIZE(v) == GITS_BASER_PSZ_64K;
	ok(good, "GITS_BASER: flat device and collection tables, one 64 KiB page each, Valid "
	   "(%#lx, %#lx)", (unsigned long)readq(base + GITS_BASER(baser_dev)),
	   (unsigned long)readq(base + GITS_BASER(baser_coll)));
	v = its_cmdq_setup(&its, base, CMD_QUEUE, 1);
	ok((v & GITS_BASER_VALID) && GITS_CBASER_PA(v) == CMD_QUEUE &&
	   GITS_CMD_OFFSET(readq(base + GITS_CREADR)) == its.wr &&
	   GITS_CMD_OFFSET(readq(base + GITS_CWRITER)) == its.wr,
	   "GITS_CBASER = %#lx: a 4 KiB queue, Valid; CREADR = CWRITER = %#x",
	   (unsigned long)v, its.wr);
	writel(GITS_CTLR_ENABLED, base + GITS_CTLR);
	dsb(sy);
	ok(readl(base + GITS_CTLR) & GITS_CTLR_ENABLED, "GITS_CTLR.Enabled = 1 (%#x)",
	   readl(base + GITS_CTLR));
	for (int c = 0; c < NCPUS; c++)
		rdbase[c] = its_rdbase(&its, rd[c]);
	diag("RDbase: CPU0 %#lx, CPU1 %#lx (%s)", (unsigned long)rdbase[0],
	     (unsigned long)rdbase[1], its.typer & GITS_TYPER_PTA ? "addresses" : "processor numbers");
}

/* ---- commands ----------------------------------------------------------- */
static void trigger(void)
{
	struct snap s;

	/* Collections 0 and 1 on CPUs 0 and 1; two devices with their ITTs. */
	its_mapc(&its, 0, rdbase[0], true);
	its_mapc(&its, 1, rdbase[1], true);
	its_mapd(&its, DEV_A, ITT(0), EV_BITS, true);
	its_mapd(&its, DEV_B, ITT(1), EV_BITS, true);
	its_mapti(&its, DEV_A, 0, LPI_A0, 0);
	its_mapti(&its, DEV_A, 1, LPI_A1, 0);
	its_mapti(&its, DEV_A, 31, LPI_A2, 0);
	its_mapti(&its, DEV_B, EV_B, LPI_B, 1);
	for (int c = 0; c < NCPUS; c++)
		its_sync(&its, rdbase[c]);
	cmds_done("MAPC x2, MAPD x2, MAPTI x4, SYNC x2");

	s = snap();
	its_int(&its, DEV_A, 0);
	its_sync(&its, rdbase[0]);
	its_kick(&its);
	expect_lpi(s, 0, LPI_A0, "INT dev 2 event 0 (collection 0)");
	s = snap();
	its_int(&its, DEV_B, EV_B);
	its_sync(&its, rdbase[1]);
	its_kick(&its);
	expect_lpi(s, 1, LPI_B, "INT dev 7 event 20 (collection 1)");
	s = snap();
	its_int(&its, DEV_A, 31);
	its_kick(&its);
	expect_lpi(s, 0, LPI_A2, "INT dev 2 event 31 (the device's last event)");

	/* Priority comes from the property table. */
	s = snap();
	its_int(&its, DEV_A, 1);
	its_kick(&its);
	if (expect_lpi(s, 0, LPI_A1, "INT dev 2 event 1"))
		ok((seen[0].rpr & 0xff) == PRIO_HIGH,
		   "its handler ran at the property table's priority %#x (ICC_RPR_EL1 %#lx)",
		   PRIO_HIGH, (unsigned long)seen[0].rpr);
	else
		ok(false, "its handler ran at the property table's priority (no LPI)");

	/* An event that was never mapped, and a device that was never mapped. */
	s = snap();
	its_int(&its, DEV_A, 5);
	its_int(&its, 3, 0);
	its_kick(&its);
	expect_none(s, "INT of an unmapped event and of an unmapped device");
	cmds_done("after commands that fail, the queue goes on");

	/* MAPI: the EventID is the LPI. */
	its_mapd(&its, 9, ITT_MAPI, 14, true);
	its_mapi(&its, 9, LPI_MAPI, 1);
	sync_all();
	s = snap();
	its_int(&its, 9, LPI_MAPI);
	its_kick(&its);
	expect_lpi(s, 1, LPI_MAPI, "MAPI dev 9 event 8195 (collection 1), INT");

	/* Disabled in the property table + INV: pending but not delivered. */
	lpi_prop_set(PROP_TABLE, LPI_A0, PRIO_DEFAULT, false);
	its_inv(&its, DEV_A, 0);
	sync_all();
	s = snap();
	its_int(&its, DEV_A, 0);
	its_kick(&its);
	expect_none(s, "LPI 8200 disabled in the property table + INV, INT");
	lpi_prop_set(PROP_TABLE, LPI_A0, PRIO_DEFAULT, true);
	its_inv(&its, DEV_A, 0);
	its_kick(&its);
	expect_lpi(s, 0, LPI_A0, "re-enabled + INV: the pending LPI");

	/* The same through INVALL of the collection. */
	lpi_prop_set(PROP_TABLE, LPI_A1, PRIO_HIGH, false);
	its_invall(&its, 0);
	sync_all();
	s = snap();
	its_int(&its, DEV_A, 1);
	its_kick(&its);
	expect_none(s, "LPI 8201 disabled + INVALL collection 0, INT");
	lpi_prop_set(PROP_TABLE, LPI_A1, PRIO_HIGH, true);
	its_invall(&its, 0);
	its_kick(&its);
	expect_lpi(s, 0, LPI_A1, "re-enabled + INVALL: the pending LPI");

	/* CLEAR takes the pending state away while the LPI is disabled. */
	lpi_prop_set(PROP_TABLE, LPI_A1, PRIO_HIGH, false);
	its_inv(&its, DEV_A, 1);
	sync_all();
	s = snap();
	its_int(&its, DEV_A, 1);
	its_clear(&its, DEV_A, 1);
	sync_all();
	lpi_prop_set(PROP_TABLE, LPI_A1, PRIO_HIGH, true);
	its_inv(&its, DEV_A, 1);
	its_kick(&its);
	expect_none(s, "INT, CLEAR while disabled, then re-enabled + INV");

	/* MOVI: event 0 of DEV_A moves to collection 1, so to CPU 1. */
	its_movi(&its, DEV_A, 0, 1);
	sync_all();
	s = snap();
	its_int(&its, DEV_A, 0);
	its_kick(&its);
	expect_lpi(s, 1, LPI_A0, "MOVI dev 2 event 0 to collection 1, INT");

	/* MAPC again: collection 1 now targets CPU 0, and its LPIs follow. */
	its_mapc(&its, 1, rdbase[0], true);
	sync_all();
	s = snap();
	its_int(&its, DEV_B, EV_B);
	its_kick(&its);
	expect_lpi(s, 0, LPI_B, "collection 1 remapped to CPU 0 (MAPC), INT dev 7 event 20");
	its_mapc(&its, 1, rdbase[1], true);
	sync_all();

	/* DISCARD: the event has no translation any more. */
	its_discard(&its, DEV_A, 0);
	sync_all();
	s = snap();
	its_int(&its, DEV_A, 0);
	its_kick(&its);
	expect_none(s, "DISCARD dev 2 event 0, INT");
	s = snap();
	its_int(&its, DEV_A, 1);
	its_kick(&its);
	expect_lpi(s, 0, LPI_A1, "DISCARD left the device's other events: INT dev 2 event 1");

	/* MAPD V=0 unmaps the whole device; MAPC V=0 a collection. */
	its_mapd(&its, DEV_B, 0, 1, false);
	sync_all();
	s = snap();
	its_int(&its, DEV_B, EV_B);
	its_kick(&its);
	expect_none(s, "MAPD V=0 dev 7, INT");
	its_mapc(&its, 0, rdbase[0], false);
	sync_all();
	s = snap();
	its_int(&its, DEV_A, 1);
	its_kick(&its);
	expect_none(s, "MAPC V=0 collection 0, INT dev 2 event 1");
	cmds_done("after all commands");
}

/* The queue wraps: SYNCs through more than a queue's worth of slots. */
static void wrap(void)
{
	u32 start = its.wr, n = its.cmdq_size / ITS_CMD_SIZE + 5;
	bool good = true;

	for (u32 i = 0; i < n && good; i++) {
		its_sync(&its, rdbase[0]);
		good = its_kick(&its);
	}
	ok(good && its.wr == (start + n * ITS_CMD_SIZE) % its.cmdq_size &&
	   GITS_CMD_OFFSET(readq(its.base + GITS_CREADR)) == its.wr,
	   "%u SYNCs one at a time: CREADR follows CWRITER round the 4 KiB queue (%#lx)", n,
	   (unsigned long)readq(its.base + GITS_CREADR));
	ok(readl(its.base + GITS_CTLR) & GITS_CTLR_QUIESCENT, "GITS_CTLR.Quiescent with the "
	   "queue empty (%#x)", readl(its.base + GITS_CTLR));
}

void test_main(void)
{
	u64 base, end;

	plan(6 + 9 + 5 + 21 + 2 + 1);
	if (nr_cpus() != NCPUS)
		bail("this test wants %d CPUs, the DT has %d", NCPUS, nr_cpus());
	if ((u64)(uintptr_t)__stacks_end > TABLES || TABLES_END > RAM_BASE + 0x02000000UL)
		bail("the tables at %#lx overlap the image or the DTB", TABLES);
	for (int c = 0; c < NCPUS; c++)
		rd[c] = gic_redist_base_of(cpu_mpidr(c));
	if (!rd[0] || !rd[1])
		bail("no redistributor for some CPU (%#lx, %#lx)", (unsigned long)rd[0],
		     (unsigned long)rd[1]);

	base = check_dt();
	check_ids(base);
	if (baser_dev < 0 || baser_coll < 0 || !(readq(base + GITS_TYPER) & GITS_TYPER_PHYSICAL))
		bail("no usable ITS at %#lx", (unsigned long)base);

	install_irq_handler(irq);
	gic_init();
	if (cpu_on(cpu_mpidr(1), secondary, NULL, NULL) != PSCI_RET_SUCCESS)
		bail("CPU_ON(1) failed");
	end = deadline_us(5000000);
	while (!cpu1_ready && !past(end))
		cpu_relax();
	if (!cpu1_ready)
		bail("CPU 1 did not come up");
	local_irq_enable();

	setup(base);
	trigger();
	wrap();
	ok(!seen[0].others && !seen[1].others && !its.timed_out && !its.stalled,
	   "no other interrupts (CPU0 %u, CPU1 %u); no command batch timed out or stalled",
	   seen[0].others, seen[1].others);
	cpu1_stop = 1;
	dsb(sy);
}
