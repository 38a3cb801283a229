/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GICv3 LPIs and ITS for bare test payloads: register layout, finding the
 * ITS in the device tree, the redistributors' LPI tables, the ITS tables and
 * its command queue.  Field layouts follow the GICv3 architecture
 * specification (IHI 0069); what KVM's emulation adds is said where used.
 *
 * The payloads run with the MMU off, so their stores are non-cacheable while
 * KVM reads the tables through the host's cacheable mapping: everything the
 * ITS or a redistributor reads from memory is cleaned and invalidated to the
 * point of coherency after it is written (its_flush), as Linux does for a
 * non-coherent ITS.  Every wait is bounded.
 */
#ifndef ITS_H
#define ITS_H

#include "libtest.h"

/* ---- distributor / redistributor bits the LPI code needs ---------------- */
#define GICD_TYPER		0x0004
#define GICD_TYPER_LPIS		BIT(17)
#define GICD_TYPER_IDBITS(v)	((((v) >> 19) & 0x1f) + 1)

#define GICR_CTLR		0x0000
#define GICR_CTLR_ENABLE_LPIS	BIT(0)
#define GICR_CTLR_RWP		BIT(3)
#define GICR_TYPER		0x0008
#define GICR_TYPER_PLPIS	BIT(0)
#define GICR_TYPER_LAST		BIT(4)
#define GICR_TYPER_PROCNUM(v)	(((v) >> 8) & 0xffff)
#define GICR_PROPBASER		0x0070
#define GICR_PENDBASER		0x0078
#define GICR_PROPBASER_IDBITS(v) ((v) & 0x1f)
#define GICR_PROPBASER_PA(v)	((v) & 0x000ffffffffff000ULL)	/* [51:12] */
#define GICR_PENDBASER_PA(v)	((v) & 0x000fffffffff0000ULL)	/* [51:16] */
#define GICR_PENDBASER_PTZ	BIT(62)
/* Inner-shareable, inner read-allocate write-back, as Linux programs them. */
#define GICR_BASER_ATTRS	((1ULL << 10) | (7ULL << 7))

/* ---- the ITS frame ------------------------------------------------------- */
#define ITS_FRAME_SIZE		0x20000UL	/* control frame + translation frame */

#define GITS_CTLR		0x0000
#define GITS_CTLR_ENABLED	BIT(0)
#define GITS_CTLR_QUIESCENT	BIT(31)
#define GITS_IIDR		0x0004
#define GITS_IIDR_IMPLEMENTER(v) ((v) & 0xfff)
#define GITS_IIDR_REVISION(v)	(((v) >> 12) & 0xf)
#define GITS_IIDR_VARIANT(v)	(((v) >> 16) & 0xf)
#define GITS_IIDR_PRODUCT(v)	(((v) >> 24) & 0xff)
#define GITS_TYPER		0x0008
#define GITS_TYPER_PHYSICAL	BIT(0)
#define GITS_TYPER_VIRTUAL	BIT(1)
#define GITS_TYPER_ITT_ESZ(v)	((((v) >> 4) & 0xf) + 1)
#define GITS_TYPER_IDBITS(v)	((((v) >> 8) & 0x1f) + 1)
#define GITS_TYPER_DEVBITS(v)	((((v) >> 13) & 0x1f) + 1)
#define GITS_TYPER_PTA		BIT(19)
#define GITS_TYPER_HCC(v)	(((v) >> 24) & 0xff)
#define GITS_TYPER_CIDBITS(v)	((((v) >> 32) & 0xf) + 1)
#define GITS_TYPER_CIL		BIT(36)
#define GITS_CBASER		0x0080
#define GITS_CWRITER		0x0088
#define GITS_CREADR		0x0090
#define GITS_CREADR_STALLED	BIT(0)
#define GITS_CMD_OFFSET(v)	((v) & 0xfffe0)			/* [19:5] */
#define GITS_BASER(n)		(0x0100 + 8 * (n))
#define GITS_NR_BASER		8
#define GITS_PIDR2		0xffe8
#define GITS_PIDR2_ARCH(v)	(((v) >> 4) & 0xf)
#define GITS_TRANSLATER		0x10040

/* GITS_BASER<n> and GITS_CBASER fields. */
#define GITS_BASER_VALID	BIT(63)
#define GITS_BASER_INDIRECT	BIT(62)
#define GITS_BASER_TYPE(v)	(((v) >> 56) & 7)
#define GITS_BASER_ESZ(v)	((((v) >> 48) & 0x1f) + 1)
#define GITS_BASER_PAGE_SIZE(v)	(((v) >> 8) & 3)		/* 0 4K, 1 16K, 2 64K */
#define GITS_BASER_PSZ_64K	2ULL
#define GITS_BASER_PAGES(v)	(((v) & 0xff) + 1)
#define GITS_BASER_PA_64K(v)	((v) & 0x0000ffffffff0000ULL)	/* [47:16], PA < 2^48 */
#define GITS_BASER_ATTRS	((1ULL << 10) | (7ULL << 59))	/* IS, RaWb */
#define GITS_CBASER_PA(v)	((v) & 0x000ffffffffff000ULL)	/* [51:12] */
#define GITS_BASER_TYPE_NONE	0
#define GITS_BASER_TYPE_DEVICE	1
#define GITS_BASER_TYPE_VPE	2
#define GITS_BASER_TYPE_COLL	4

/* Command opcodes (DW0 bits [7:0]). */
#define ITS_CMD_MOVI		0x01
#define ITS_CMD_INT		0x03
#define ITS_CMD_CLEAR		0x04
#define ITS_CMD_SYNC		0x05
#define ITS_CMD_MAPD		0x08
#define ITS_CMD_MAPC		0x09
#define ITS_CMD_MAPTI		0x0a
#define ITS_CMD_MAPI		0x0b
#define ITS_CMD_INV		0x0c
#define ITS_CMD_INVALL		0x0d
#define ITS_CMD_MOVALL		0x0e
#define ITS_CMD_DISCARD		0x0f
#define ITS_CMD_SIZE		32

/* LPIs and their configuration bytes. */
#define LPI_BASE		8192
#define LPI_PROP_ENABLE		BIT(0)
#define LPI_PROP_RES1		BIT(1)
#define ICC_RPR_EL1		S3_0_C12_C11_3

/* ---- the device tree ----------------------------------------------------- */
struct its_dt {
	bool found;		/* /intc/msic has compatible "arm,gic-v3-its" */
	u64 base, size;		/* reg, when it is <addr 2 cells, size 2 cells> */
	u32 reg_len;		/* bytes of reg, 0 = none */
	bool msi_controller;	/* the empty property is there */
	s64 msi_cells;		/* #msi-cells, -1 = absent or malformed */
	u32 phandle;		/* 0 = absent */
};
void its_dt_read(struct its_dt *dt);

/* Where lkvm says its ITS sits: right below the redistributors. */
static inline u64 its_expected_base(int ncpus)
{
	return GICD_BASE - (u64)ncpus * GICR_FRAME_SIZE - ITS_FRAME_SIZE;
}


/* ---- memory the GIC reads ------------------------------------------------ */
void its_zero(u64 pa, u64 len);		/* 8-byte stores; pa, len 8-aligned */
void its_flush(u64 pa, u64 len);	/* DC CIVAC over the range, DSB SY */

/* One LPI's configuration byte in the property table at @prop. */
void lpi_prop_set(u64 prop, u32 intid, u8 prio, bool enable);
static inline u8 lpi_prop_get(u64 prop, u32 intid) { return readb(prop + intid - LPI_BASE); }

/*
 * Point a redistributor at the (shared) property table, with @idbits
 * interrupt ID bits, and at its own pending table; the tables must be set up.
 * Returns false if the registers do not read back the addresses.
 */
bool gicr_set_lpi_tables(u64 rd, u64 prop, u32 idbits, u64 pend);
/* Set GICR_CTLR.EnableLPIs (bounded wait for RWP); true if it reads back 1. */
bool gicr_enable_lpis(u64 rd);

/* ---- the ITS ------------------------------------------------------------- */
struct its {
	u64 base;		/* control frame */
	u64 typer;
	u64 cmdq;		/* command queue PA, 64 KiB aligned */
	u32 cmdq_size;		/* bytes */
	u32 wr;			/* our next write offset */
	u32 queued;		/* commands written since the last its_kick */
	bool timed_out;		/* some its_kick() waited in vain */
	bool stalled;		/* some its_kick() saw GITS_CREADR.Stalled */
};

/* Index of the GITS_BASER<n> of @type, or -1. */
int its_baser_find(u64 base, u32 type);
/*
 * Program GITS_BASER<n> as a flat table of @pages 64 KiB pages at @pa
 * (zeroed here), Valid.  Returns the value it reads back.
 */
u64 its_baser_setup(u64 base, int n, u64 pa, u32 pages);
/* Program GITS_CBASER for a @pages * 4 KiB queue at @pa (zeroed), Valid. */
u64 its_cmdq_setup(struct its *its, u64 base, u64 pa, u32 pages);
/* RDbase for MAPC/SYNC/MOVALL: processor number or frame address (PTA). */
u64 its_rdbase(const struct its *its, u64 rd);

/* Queue one command (4 doublewords); its_kick() hands the queue over. */
void its_queue(struct its *its, u64 dw0, u64 dw1, u64 dw2, u64 dw3);
/*
 * Write GITS_CWRITER and wait (bounded) until GITS_CREADR has caught up.
 * True when it did, without Stalled.
 */
bool its_kick(struct its *its);

/* Builders: each queues one command; nothing is sent until its_kick(). */
void its_mapd(struct its *its, u32 dev, u64 itt, u32 eventid_bits, bool valid);
void its_mapc(struct its *its, u16 icid, u64 rdbase, bool valid);
void its_mapti(struct its *its, u32 dev, u32 event, u32 intid, u16 icid);
void its_mapi(struct its *its, u32 dev, u32 event, u16 icid);
void its_movi(struct its *its, u32 dev, u32 event, u16 icid);
void its_int(struct its *its, u32 dev, u32 event);
void its_clear(struct its *its, u32 dev, u32 event);
void its_inv(struct its *its, u32 dev, u32 event);
void its_invall(struct its *its, u16 icid);
void its_discard(struct its *its, u32 dev, u32 event);
void its_sync(struct its *its, u64 rdbase);
void its_movall(struct its *its, u64 rdbase1, u64 rdbase2);

#endif
