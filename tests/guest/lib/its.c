// SPDX-License-Identifier: GPL-2.0
/* GICv3 LPIs and ITS for bare test payloads (see its.h). */
#include "its.h"

#define ITS_WAIT_US	1000000		/* a command batch; KVM runs them in the CWRITER write */
#define RWP_WAIT_US	100000
#define CACHE_LINE	64		/* the smallest line we clean by: safe if lines are larger too */

void its_dt_read(struct its_dt *dt)
{
	const void *p;
	u32 len;

	memset(dt, 0, sizeof(*dt));
	dt->msi_cells = -1;
	p = fdt_getprop("/intc/msic", "compatible", &len);
	dt->found = p && len >= sizeof("arm,gic-v3-its") &&
		    !memcmp(p, "arm,gic-v3-its", sizeof("arm,gic-v3-its"));
	p = fdt_getprop("/intc/msic", "reg", &len);
	if (p) {
		dt->reg_len = len;
		if (len == 16) {
			dt->base = fdt64(p);
			dt->size = fdt64((const u8 *)p + 8);
		}
	}
	dt->msi_controller = fdt_getprop("/intc/msic", "msi-controller", &len) && len == 0;
	p = fdt_getprop("/intc/msic", "#msi-cells", &len);
	if (p && len == 4)
		dt->msi_cells = fdt32(p);
	p = fdt_getprop("/intc/msic", "phandle", &len);
	if (p && len == 4)
		dt->phandle = fdt32(p);
}

void its_zero(u64 pa, u64 len)
{
	for (u64 a = pa; a < pa + len; a += 8)
		writeq(0, a);
	its_flush(pa, len);
}

void its_flush(u64 pa, u64 len)
{
	dsb(sy);
	for (u64 a = pa & ~(u64)(CACHE_LINE - 1); a < pa + len; a += CACHE_LINE)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	dsb(sy);
}

void lpi_prop_set(u64 prop, u32 intid, u8 prio, bool enable)
{
	u64 a = prop + intid - LPI_BASE;

	writeb((u8)((prio & 0xfc) | LPI_PROP_RES1 | (enable ? LPI_PROP_ENABLE : 0)), a);
	its_flush(a, 1);
}

bool gicr_set_lpi_tables(u64 rd, u64 prop, u32 idbits, u64 pend)
{
	u64 pb, pe;

	writeq(prop | GICR_BASER_ATTRS | ((idbits - 1) & 0x1f), rd + GICR_PROPBASER);
	writeq(pend | GICR_BASER_ATTRS, rd + GICR_PENDBASER);
	dsb(sy);
	pb = readq(rd + GICR_PROPBASER);
	pe = readq(rd + GICR_PENDBASER);
	return GICR_PROPBASER_PA(pb) == prop && GICR_PROPBASER_IDBITS(pb) == idbits - 1 &&
	       GICR_PENDBASER_PA(pe) == pend;
}

bool gicr_enable_lpis(u64 rd)
{
	u64 end = deadline_us(RWP_WAIT_US);

	writel(readl(rd + GICR_CTLR) | GICR_CTLR_ENABLE_LPIS, rd + GICR_CTLR);
	dsb(sy);
	while ((readl(rd + GICR_CTLR) & GICR_CTLR_RWP) && !past(end))
		cpu_relax();
	return readl(rd + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS;
}

int its_baser_find(u64 base, u32 type)
{
	for (int n = 0; n < GITS_NR_BASER; n++)
		if (GITS_BASER_TYPE(readq(base + GITS_BASER(n))) == type)
			return n;
	return -1;
}

u64 its_baser_setup(u64 base, int n, u64 pa, u32 pages)
{
	u64 v = readq(base + GITS_BASER(n));

	its_zero(pa, (u64)pages << 16);
	/* Keep Type and Entry_Size (read-only); flat, 64 KiB pages. */
	v &= (7ULL << 56) | (0x1fULL << 48);
	v |= GITS_BASER_VALID | GITS_BASER_ATTRS | (GITS_BASER_PSZ_64K << 8) | pa |
	     ((pages - 1) & 0xff);
	writeq(v, base + GITS_BASER(n));
	dsb(sy);
	return readq(base + GITS_BASER(n));
}

u64 its_cmdq_setup(struct its *its, u64 base, u64 pa, u32 pages)
{
	memset(its, 0, sizeof(*its));
	its->base = base;
	its->typer = readq(base + GITS_TYPER);
	its->cmdq = pa;
	its->cmdq_size = pages << 12;
	its_zero(pa, its->cmdq_size);
	writeq(GITS_BASER_VALID | GITS_BASER_ATTRS | pa | ((pages - 1) & 0xff), base + GITS_CBASER);
	dsb(sy);
	/* CWRITER is UNKNOWN after reset: start where the ITS reads. */
	its->wr = (u32)GITS_CMD_OFFSET(readq(base + GITS_CREADR));
	writeq(its->wr, base + GITS_CWRITER);
	dsb(sy);
	return readq(base + GITS_CBASER);
}

u64 its_rdbase(const struct its *its, u64 rd)
{
	if (its->typer & GITS_TYPER_PTA)
		return rd >> 16;
	return GICR_TYPER_PROCNUM(readq(rd + GICR_TYPER));
}

void its_queue(struct its *its, u64 dw0, u64 dw1, u64 dw2, u64 dw3)
{
	u64 slot;

	/* Never fill the ring: hand over what is queued when one slot is left. */
	if ((its->queued + 2) * ITS_CMD_SIZE > its->cmdq_size)
		its_kick(its);
	slot = its->cmdq + its->wr;
	writeq(dw0, slot);
	writeq(dw1, slot + 8);
	writeq(dw2, slot + 16);
	writeq(dw3, slot + 24);
	its_flush(slot, ITS_CMD_SIZE);
	its->wr = (its->wr + ITS_CMD_SIZE) % its->cmdq_size;
	its->queued++;
}

bool its_kick(struct its *its)
{
	u64 end = deadline_us(ITS_WAIT_US), rd;

	dsb(sy);
	writeq(its->wr, its->base + GITS_CWRITER);
	its->queued = 0;
	do {
		rd = readq(its->base + GITS_CREADR);
		if (rd & GITS_CREADR_STALLED) {
			its->stalled = true;
			return false;
		}
		if (GITS_CMD_OFFSET(rd) == its->wr)
			return true;
		cpu_relax();
	} while (!past(end));
	its->timed_out = true;
	return false;
}

#define DW0(cmd, dev)	((u64)(cmd) | (u64)(dev) << 32)

void its_mapd(struct its *its, u32 dev, u64 itt, u32 eventid_bits, bool valid)
{
	its_queue(its, DW0(ITS_CMD_MAPD, dev), (eventid_bits - 1) & 0x1f,
		  (itt & 0x000fffffffffff00ULL) | (valid ? BIT(63) : 0), 0);
}

void its_mapc(struct its *its, u16 icid, u64 rdbase, bool valid)
{
	its_queue(its, ITS_CMD_MAPC, 0,
		  icid | ((rdbase << 16) & 0x000fffffffff0000ULL) | (valid ? BIT(63) : 0), 0);
}

void its_mapti(struct its *its, u32 dev, u32 event, u32 intid, u16 icid)
{
	its_queue(its, DW0(ITS_CMD_MAPTI, dev), event | (u64)intid << 32, icid, 0);
}

void its_mapi(struct its *its, u32 dev, u32 event, u16 icid)
{
	its_queue(its, DW0(ITS_CMD_MAPI, dev), event, icid, 0);
}

void its_movi(struct its *its, u32 dev, u32 event, u16 icid)
{
	its_queue(its, DW0(ITS_CMD_MOVI, dev), event, icid, 0);
}

void its_int(struct its *its, u32 dev, u32 event)
{
	its_queue(its, DW0(ITS_CMD_INT, dev), event, 0, 0);
}

void its_clear(struct its *its, u32 dev, u32 event)
{
	its_queue(its, DW0(ITS_CMD_CLEAR, dev), event, 0, 0);
}

void its_inv(struct its *its, u32 dev, u32 event)
{
	its_queue(its, DW0(ITS_CMD_INV, dev), event, 0, 0);
}

void its_invall(struct its *its, u16 icid)
{
	its_queue(its, ITS_CMD_INVALL, 0, icid, 0);
}

void its_discard(struct its *its, u32 dev, u32 event)
{
	its_queue(its, DW0(ITS_CMD_DISCARD, dev), event, 0, 0);
}

void its_sync(struct its *its, u64 rdbase)
{
	its_queue(its, ITS_CMD_SYNC, 0, (rdbase << 16) & 0x000fffffffff0000ULL, 0);
}

void its_movall(struct its *its, u64 rdbase1, u64 rdbase2)
{
	its_queue(its, ITS_CMD_MOVALL, 0, (rdbase1 << 16) & 0x000fffffffff0000ULL,
		  (rdbase2 << 16) & 0x000fffffffff0000ULL);
}
