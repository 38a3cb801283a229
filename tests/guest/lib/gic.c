// SPDX-License-Identifier: GPL-2.0
/* Minimal GICv3 driver: Group 1 non-secure interrupts, affinity routing, one
 * priority.  KVM's vGICv3 has a single security state (GICD_CTLR.DS = 1). */
#include "libtest.h"

#define GICD_CTLR		0x0000
#define GICD_CTLR_RWP		BIT(31)
#define GICD_CTLR_ARE		BIT(4)
#define GICD_CTLR_ENGRP1	BIT(1)
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_IPRIORITYR		0x0400
#define GICD_ICFGR		0x0c00
#define GICD_IROUTER		0x6000

#define GICR_TYPER		0x0008
#define GICR_TYPER_LAST		BIT(4)
#define GICR_WAKER		0x0014
#define GICR_WAKER_PS		BIT(1)
#define GICR_WAKER_CA		BIT(2)
#define GICR_PIDR2		0xffe8
#define GICR_SGI		0x10000	/* SGI_base frame */

#define IRQ_PRIO		0xa0

#define ICC_PMR_EL1		S3_0_C4_C6_0
#define ICC_IAR1_EL1		S3_0_C12_C12_0
#define ICC_EOIR1_EL1		S3_0_C12_C12_1
#define ICC_BPR1_EL1		S3_0_C12_C12_3
#define ICC_SRE_EL1		S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1		S3_0_C12_C12_7
#define __rd(r)			read_sysreg(r)
#define __wr(v, r)		write_sysreg(v, r)
#define rd_icc(r)		__rd(r)
#define wr_icc(v, r)		__wr(v, r)

static void dist_wait_rwp(void)
{
	u64 end = deadline_us(100000);

	while ((readl(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP) && !past(end))
		cpu_relax();
}

static bool frame_is_gicv3(u64 rd)
{
	u32 arch = (readl(rd + GICR_PIDR2) >> 4) & 0xf;

	return arch == 3 || arch == 4;
}

/*
 * Redistributor frames sit directly below the distributor, one 128 KiB frame
 * per vCPU, the highest frame for the last vCPU.  Walk down from there until
 * our affinity shows up; a non-GICv3 frame means we ran off the bottom.
 */
u64 gic_redist_base_of(u64 mpidr)
{
	u32 aff = (u32)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));

	for (u64 rd = GICD_BASE - GICR_FRAME_SIZE; rd >= GICD_BASE - 512 * GICR_FRAME_SIZE;
	     rd -= GICR_FRAME_SIZE) {
		if (!frame_is_gicv3(rd))
			return 0;
		if ((u32)(readq(rd + GICR_TYPER) >> 32) == aff)
			return rd;
	}
	return 0;
}

u64 gic_redist_base(void)
{
	return gic_redist_base_of(read_mpidr());
}

void gic_init(void)
{
	/* Distributor: affinity routing, Group 1 on (idempotent across CPUs). */
	writel(GICD_CTLR_ARE, GICD_BASE + GICD_CTLR);
	dist_wait_rwp();
	writel(GICD_CTLR_ARE | GICD_CTLR_ENGRP1, GICD_BASE + GICD_CTLR);
	dist_wait_rwp();
	gic_init_percpu();
}

static void set_prio(u64 base, u32 intid)
{
	u64 reg = base + GICD_IPRIORITYR + (intid & ~3u);
	unsigned int shift = (intid & 3) * 8;
	u32 v = readl(reg);

	v &= ~(0xffu << shift);
	v |= (u32)IRQ_PRIO << shift;
	writel(v, reg);
}

void gic_enable_irq(u32 intid)
{
	if (intid < 32) {
		u64 rd = gic_redist_base();

		if (!rd)
			bail("no redistributor");
		set_prio(rd + GICR_SGI, intid);
		writel(BIT(intid), rd + GICR_SGI + GICD_ISENABLER);
	} else {
		u64 me = read_mpidr();

		writel(readl(GICD_BASE + GICD_IGROUPR + 4 * (intid / 32)) | (u32)BIT(intid % 32),
		       GICD_BASE + GICD_IGROUPR + 4 * (intid / 32));
		set_prio(GICD_BASE, intid);
		writeq(mpidr_aff(me), GICD_BASE + GICD_IROUTER + 8 * intid);
		writel((u32)BIT(intid % 32), GICD_BASE + GICD_ISENABLER + 4 * (intid / 32));
		dist_wait_rwp();
	}
	dsb(sy);
}

void gic_set_edge(u32 intid)
{
	u64 reg = GICD_BASE + GICD_ICFGR + 4 * (intid / 16);

	/* Two bits an interrupt; the upper one set means edge-triggered. */
	writel(readl(reg) | (u32)BIT(2 * (intid % 16) + 1), reg);
}

void gic_disable_irq(u32 intid)
{
	if (intid < 32) {
		u64 rd = gic_redist_base();

		if (rd)
			writel(BIT(intid), rd + GICR_SGI + GICD_ICENABLER);
	} else {
		writel((u32)BIT(intid % 32), GICD_BASE + GICD_ICENABLER + 4 * (intid / 32));
		dist_wait_rwp();
	}
}

u32 gic_ack(void)
{
	u32 intid = (u32)rd_icc(ICC_IAR1_EL1) & 0xffffff;

	dsb(sy);
	return intid;
}

void gic_eoi(u32 intid)
{
	wr_icc(intid, ICC_EOIR1_EL1);
	isb();
}

/*
 * gic_init() for a secondary: only this CPU's redistributor and CPU
 * interface, leaving the distributor (shared, set up by the boot CPU) alone,
 * so that interrupts already flowing to other CPUs are not disturbed.
 */
void gic_init_percpu(void)
{
	u64 rd = gic_redist_base(), end;

	if (!rd)
		bail("no GICv3 redistributor for MPIDR %#lx", (unsigned long)read_mpidr());
	/* Redistributor: wake it up; all SGIs/PPIs Group 1. */
	writel(readl(rd + GICR_WAKER) & ~(u32)GICR_WAKER_PS, rd + GICR_WAKER);
	end = deadline_us(100000);
	while ((readl(rd + GICR_WAKER) & GICR_WAKER_CA) && !past(end))
		cpu_relax();
	writel(0xffffffff, rd + GICR_SGI + GICD_IGROUPR);
	/* CPU interface: system registers, everything unmasked. */
	wr_icc(rd_icc(ICC_SRE_EL1) | 1, ICC_SRE_EL1);
	isb();
	wr_icc(0xff, ICC_PMR_EL1);
	wr_icc(0, ICC_BPR1_EL1);
	wr_icc(1, ICC_IGRPEN1_EL1);
	isb();
}

#define ICC_SGI1R_EL1		S3_0_C12_C11_5
#define SGI1R_TARGETS(l)	((u64)(l) & 0xffff)
#define SGI1R_AFF1(a)		(((u64)(a) & 0xff) << 16)
#define SGI1R_INTID(i)		(((u64)(i) & 0xf) << 24)
#define SGI1R_AFF2(a)		(((u64)(a) & 0xff) << 32)
#define SGI1R_IRM		BIT(40)
#define SGI1R_AFF3(a)		(((u64)(a) & 0xff) << 48)

void gic_send_sgi(u32 intid, u64 mpidr)
{
	dsb(sy);	/* what the receiver will look at goes out first */
	wr_icc(SGI1R_INTID(intid) | SGI1R_TARGETS(BIT(mpidr & 0xf)) |
	       SGI1R_AFF1(mpidr >> 8) | SGI1R_AFF2(mpidr >> 16) | SGI1R_AFF3(mpidr >> 32),
	       ICC_SGI1R_EL1);
	isb();
}

void gic_send_sgi_others(u32 intid)
{
	dsb(sy);
	wr_icc(SGI1R_INTID(intid) | SGI1R_IRM, ICC_SGI1R_EL1);
	isb();
}
