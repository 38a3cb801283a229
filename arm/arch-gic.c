// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel GICv3 (and, with --irqchip gicv3-its, its ITS): creation
 * and placement, and their power-on state for a reboot in place.
 *
 * KVM has no "reset the vGIC" call, and KVM_ARM_VCPU_INIT leaves it alone, so
 * after a guest reset the new kernel would find the old one's enabled,
 * pending and active interrupts, priorities, routing and CPU-interface state.
 * Before the first KVM_RUN lkvm reads the whole programmable state through
 * KVM's vGIC save/restore attributes; a reboot writes it back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/layout.h"
#include "lkvm/snapshot.h"
#include "lkvm/vcpu.h"

#define NR_GIC_IRQS 128		/* 32 private + 96 SPIs, plenty for our devices */

/* The programmable distributor / redistributor registers (32-bit each). */
#define GICD_CTLR		0x0000
#define GICD_IIDR		0x0008
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ISPENDR		0x0200
#define GICD_ICPENDR		0x0280
#define GICD_ISACTIVER		0x0300
#define GICD_ICACTIVER		0x0380
#define GICD_IPRIORITYR		0x0400
#define GICD_ICFGR		0x0c00
#define GICD_IROUTER		0x6000
#define GICR_SGI		0x10000	/* SGI_base frame: same layout, word 0 only */
/* RD_base frame: the LPI controls an ITS guest sets and a reset must clear. */
#define GICR_CTLR		0x0000
#define GICR_PROPBASER		0x0070
#define GICR_PENDBASER		0x0078

/* CPU interface registers: op0, op1, CRn, CRm, op2. */
#define ICC(op1, crn, crm, op2) ((3u << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
static const u32 icc_regs[] = {
	ICC(0, 4, 6, 0),	/* PMR */
	ICC(0, 12, 8, 3),	/* BPR0 */
	ICC(0, 12, 12, 3),	/* BPR1 */
	ICC(0, 12, 12, 4),	/* CTLR */
	ICC(0, 12, 8, 4),	/* AP0R0 */
	ICC(0, 12, 9, 0),	/* AP1R0 */
	ICC(0, 12, 12, 6),	/* IGRPEN0 */
	ICC(0, 12, 12, 7),	/* IGRPEN1 */
};
#define ICC_SRE			ICC(0, 12, 12, 5)

/* The ITS's registers a restore writes, in the order it must (arm-vgic-its.rst). */
#define GITS_CTLR		0x0000
#define GITS_IIDR		0x0004
#define GITS_CBASER		0x0080
#define GITS_CWRITER		0x0088
#define GITS_CREADR		0x0090
#define GITS_BASER(n)		(0x0100 + 8 * (n))
static const u32 its_regs[] = {
	GITS_IIDR, GITS_BASER(0), GITS_BASER(1), GITS_BASER(2), GITS_BASER(3), GITS_BASER(4),
	GITS_BASER(5), GITS_BASER(6), GITS_BASER(7), GITS_CBASER, GITS_CREADR, GITS_CWRITER,
};

/* One saved register: which group and attribute, and its power-on value. */
struct gic_reg {
	u32 group;
	u64 attr;
	u64 val;
	u32 clear_offset;	/* for set/clear pairs: the clear register, written all-ones first */
};

struct gic_state {
	struct gic_reg *regs;
	int nr, cap;
};

/* The vGIC's attributes: registers, addresses, controls. */
static int gic_attr(struct vm *vm, u32 group, u64 attr, void *val, bool write);

static void free_state(struct gic_state *st)
{
	free(st->regs);
	free(st);
}

static int gic_attr(struct vm *vm, u32 group, u64 attr, void *val, bool write)
{
	return vm_device_attr(vm, vm->gic_fd, write ? KVM_SET_DEVICE_ATTR : KVM_GET_DEVICE_ATTR,
			      group, attr, val);
}

u64 arch_gic_redist_base(const struct vm *vm)
{
	return LKVM_GIC_DIST_BASE - (u64)vm->opts->nr_cpus * LKVM_GIC_REDIST_SIZE;
}

u64 arch_gic_its_base(const struct vm *vm)
{
	return arch_gic_redist_base(vm) - LKVM_GIC_ITS_SIZE;
}

static int its_create(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_ITS };
	u64 base = arch_gic_its_base(vm);

	if (vm_ioctl(vm, vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		pr_err("--irqchip gicv3-its: this host's KVM cannot create an ITS: %s",
		       strerror(errno));
		return -1;
	}
	vm->gic_its_fd = (int)cd.fd;
	if (vm_device_attr(vm, vm->gic_its_fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			   KVM_VGIC_ITS_ADDR_TYPE, &base) < 0) {
		pr_err("cannot place the ITS at 0x%llx: %s", (unsigned long long)base,
		       strerror(errno));
		return -1;
	}
	return 0;
}

int arch_gic_create(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	u64 dist = LKVM_GIC_DIST_BASE, redist = arch_gic_redist_base(vm);

	if (redist - (vm->opts->its ? LKVM_GIC_ITS_SIZE : 0) < LKVM_VIRTIO_MMIO_BASE + SZ_1M) {
		pr_err("-c %d: too many vCPUs for the GIC redistributor space", vm->opts->nr_cpus);
		return -1;
	}
	if (vm_ioctl(vm, vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		pr_err("cannot create a GICv3: %s", strerror(errno));
		return -1;
	}
	vm->gic_fd = (int)cd.fd;
	if (gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist, true) < 0 ||
	    gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist, true) < 0) {
		pr_err("cannot place the GICv3: %s", strerror(errno));
		return -1;
	}
	return vm->opts->its ? its_create(vm) : 0;
}

int arch_gic_init(struct vm *vm)
{
	u32 nr_irqs = NR_GIC_IRQS;

	if (gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs, true) < 0 ||
	    gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, true) < 0) {
		pr_err("cannot initialise the GICv3: %s", strerror(errno));
		return -1;
	}
	if (vm->gic_its_fd >= 0 &&
	    vm_device_attr(vm, vm->gic_its_fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
			   KVM_DEV_ARM_VGIC_CTRL_INIT, NULL) < 0) {
		pr_err("cannot initialise the ITS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void add(struct gic_state *st, u32 group, u64 attr, u32 clear_offset)
{
	if (st->nr == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 256;
		st->regs = xrealloc(st->regs, sizeof(*st->regs) * (size_t)st->cap);
	}
	st->regs[st->nr++] = (struct gic_reg){ group, attr, 0, clear_offset };
}

/* The 32-bit Aff3.Aff2.Aff1.Aff0 form KVM wants in the attribute's top half. */
static u64 mpidr_attr(u64 mpidr)
{
	u64 aff = ((mpidr >> 8) & 0xff000000ULL) | (mpidr & 0xffffffULL);

	return aff << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT;
}

/*
 * Registers of a frame covering interrupts [first, last): configuration,
 * (with @levels, the input lines) and priorities before the enables and
 * the pending and active state, as a restore must write them.
 */
static void add_frame(struct gic_state *st, u32 group, u64 base, u32 frame, u32 first, u32 last,
		      bool levels)
{
	for (u32 w = first / 32; w < last / 32; w++)
		add(st, group, base | (frame + GICD_IGROUPR + 4 * w), 0);
	for (u32 w = first / 16; w < last / 16; w++)
		add(st, group, base | (frame + GICD_ICFGR + 4 * w), 0);
	for (u32 w = first / 32; levels && w < last / 32; w++)
		add(st, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
		    (base & KVM_DEV_ARM_VGIC_V3_MPIDR_MASK) |
			    ((u64)VGIC_LEVEL_INFO_LINE_LEVEL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT) |
			    (32 * w),
		    0);
	for (u32 w = first / 4; w < last / 4; w++)
		add(st, group, base | (frame + GICD_IPRIORITYR + 4 * w), 0);
	for (u32 w = first / 32; w < last / 32; w++) {
		add(st, group, base | (frame + GICD_ISENABLER + 4 * w), frame + GICD_ICENABLER + 4 * w);
		add(st, group, base | (frame + GICD_ISPENDR + 4 * w), frame + GICD_ICPENDR + 4 * w);
		add(st, group, base | (frame + GICD_ISACTIVER + 4 * w), frame + GICD_ICACTIVER + 4 * w);
	}
}

/*
 * The vGIC's programmable state.  @full (a snapshot) adds what a reboot
 * sets by other means or not at all: the implementation revision first,
 * the input line levels, the LPI tables before the LPI enable, ICC_SRE.
 */
static struct gic_state *gic_regs(struct vm *vm, bool full)
{
	const u32 nr_irqs = NR_GIC_IRQS;
	struct gic_state *st = xzalloc(sizeof(*st));
	const u32 dist = KVM_DEV_ARM_VGIC_GRP_DIST_REGS, redist = KVM_DEV_ARM_VGIC_GRP_REDIST_REGS;

	if (full)
		add(st, dist, GICD_IIDR, 0);
	add(st, dist, GICD_CTLR, 0);
	for (u32 irq = 32; irq < nr_irqs; irq++) {
		add(st, dist, GICD_IROUTER + 8 * irq, 0);
		add(st, dist, GICD_IROUTER + 8 * irq + 4, 0);
	}
	add_frame(st, dist, full ? mpidr_attr(vm->vcpus[0]->mpidr) : 0, 0, 32, nr_irqs, full);
	for (int i = 0; i < vm->nr_vcpus; i++) {
		u64 who = mpidr_attr(vm->vcpus[i]->mpidr);

		/*
		 * A reboot turns LPIs off first: KVM takes new property and
		 * pending tables only while they are, and the old ones lie in
		 * the old guest's RAM.  A restore writes the tables while they
		 * are still off, then the enable.
		 */
		if (vm->gic_its_fd >= 0) {
			if (!full)
				add(st, redist, who | GICR_CTLR, 0);
			/* Both 64-bit table registers, as 32-bit halves. */
			for (u32 off = GICR_PROPBASER; off < GICR_PENDBASER + 8; off += 4)
				add(st, redist, who | off, 0);
			if (full)
				add(st, redist, who | GICR_CTLR, 0);
		}
		add_frame(st, redist, who, GICR_SGI, 0, 32, full);
		if (full)
			add(st, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, who | ICC_SRE, 0);
		for (size_t r = 0; r < ARRAY_SIZE(icc_regs); r++)
			add(st, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, who | icc_regs[r], 0);
	}
	return st;
}

/* Every register of @st from KVM; -1 (errno set, *@bad the one) on failure. */
static int gic_read_all(struct vm *vm, struct gic_state *st, struct gic_reg **bad)
{
	for (int i = 0; i < st->nr; i++) {
		struct gic_reg *r = &st->regs[i];
		u32 v32 = 0;
		int ret;

		if (r->group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS) {
			ret = gic_attr(vm, r->group, r->attr, &r->val, false);
		} else {
			ret = gic_attr(vm, r->group, r->attr, &v32, false);
			r->val = v32;
		}
		if (ret < 0) {
			*bad = r;
			return -1;
		}
	}
	return 0;
}

int arch_gic_snapshot(struct vm *vm)
{
	struct gic_state *st = gic_regs(vm, false);
	struct gic_reg *bad;

	if (gic_read_all(vm, st, &bad) < 0) {
		pr_err("reading the GIC's power-on state (group %u, 0x%llx): %s", bad->group,
		       (unsigned long long)bad->attr, strerror(errno));
		return -1;
	}
	vm->gic_state = st;
	return 0;
}

int arch_gic_restore(struct vm *vm)
{
	struct gic_state *st = vm->gic_state;
	u32 ones = ~0u, zero = 0;

	if (!st)
		return 0;
	/*
	 * The ITS back to its reset state (disabled, no tables, empty caches)
	 * before the redistributors forget their LPI tables.
	 */
	if (vm->gic_its_fd >= 0 &&
	    vm_device_attr(vm, vm->gic_its_fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
			   KVM_DEV_ARM_ITS_CTRL_RESET, NULL) < 0)
		goto fail;
	/* Distributor off while it is rewritten, as a reset leaves it. */
	if (gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR, &zero, true) < 0)
		goto fail;
	for (int i = 0; i < st->nr; i++) {
		struct gic_reg *r = &st->regs[i];
		u64 who = r->attr & KVM_DEV_ARM_VGIC_V3_MPIDR_MASK;
		u32 v32 = (u32)r->val;
		int ret;

		if (r->clear_offset &&
		    gic_attr(vm, r->group, who | r->clear_offset, &ones, true) < 0)
			goto fail;
		if (r->group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS)
			ret = gic_attr(vm, r->group, r->attr, &r->val, true);
		else
			ret = gic_attr(vm, r->group, r->attr, &v32, true);
		if (ret < 0)
			goto fail;
	}
	return 0;
fail:
	pr_err("resetting the GIC: %s", strerror(errno));
	return -1;
}

/* ---- snapshot ------------------------------------------------------------------ */

static int its_ctrl(struct vm *vm, u64 what)
{
	return vm_device_attr(vm, vm->gic_its_fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
			      what, NULL);
}

static int its_reg(struct vm *vm, u32 off, u64 *val, bool write)
{
	return vm_device_attr(vm, vm->gic_its_fd, write ? KVM_SET_DEVICE_ATTR : KVM_GET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ITS_REGS, off, val);
}

int arch_gic_save_tables(struct vm *vm, char *why, size_t len)
{
	if (vm->gic_its_fd < 0)
		return 0;
	/* LPIs' pending bits and the ITS's tables go to guest RAM, which is saved after. */
	if (gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL,
		     true) < 0 || its_ctrl(vm, KVM_DEV_ARM_ITS_SAVE_TABLES) < 0) {
		snprintf(why, len, "saving the ITS's tables to guest RAM: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int arch_gic_save(struct vm *vm, struct snap_w *w, char *why, size_t len)
{
	struct gic_state *st = gic_regs(vm, true);
	struct gic_reg *bad;
	int r = gic_read_all(vm, st, &bad);

	if (r < 0) {
		snprintf(why, len, "reading the GIC (group %u, 0x%llx): %s", bad->group,
			 (unsigned long long)bad->attr, strerror(errno));
	} else {
		snapshot_put_u32(w, (u32)st->nr);
		for (int i = 0; i < st->nr; i++) {
			snapshot_put_u32(w, st->regs[i].group);
			snapshot_put_u64(w, st->regs[i].attr);
			snapshot_put_u64(w, st->regs[i].val);
		}
		snapshot_put_u8(w, vm->gic_its_fd >= 0);
		for (size_t i = 0; vm->gic_its_fd >= 0 && i < ARRAY_SIZE(its_regs) + 1; i++) {
			u32 off = i < ARRAY_SIZE(its_regs) ? its_regs[i] : GITS_CTLR;
			u64 val;

			if (its_reg(vm, off, &val, false) < 0) {
				snprintf(why, len, "reading ITS register 0x%x: %s", off,
					 strerror(errno));
				r = -1;
				break;
			}
			snapshot_put_u64(w, val);
		}
	}
	free_state(st);
	return r;
}

int arch_gic_load(struct vm *vm, struct snap_r *r, char *why, size_t len)
{
	struct gic_state *st = gic_regs(vm, true);
	u32 nr = snapshot_get_u32(r);
	int ret = -1;

	if (nr != (u32)st->nr) {
		snprintf(why, len, "GIC: the snapshot has %u registers, this VM %d", nr, st->nr);
		goto out;
	}
	for (int i = 0; i < st->nr; i++) {
		u32 group = snapshot_get_u32(r);
		u64 attr = snapshot_get_u64(r);

		st->regs[i].val = snapshot_get_u64(r);
		if (group != st->regs[i].group || attr != st->regs[i].attr) {
			snprintf(why, len, "GIC: the snapshot's registers are not this VM's");
			goto out;
		}
	}
	if (snapshot_get_bool(r) != (vm->gic_its_fd >= 0) || r->bad) {
		snprintf(why, len, "GIC: %s", r->bad ? "its saved state is malformed" :
			 "the snapshot's ITS is not this VM's");
		goto out;
	}
	/* In the list's order: the revision first, what shapes an interrupt before its state. */
	for (int i = 0; i < st->nr; i++) {
		struct gic_reg *g = &st->regs[i];
		u32 v32 = (u32)g->val;
		void *p = g->group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS ? (void *)&g->val : &v32;

		if (g->group != KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS && g->val > UINT32_MAX) {
			snprintf(why, len, "GIC: a 32-bit register holds 0x%llx",
				 (unsigned long long)g->val);
			goto out;
		}
		if (gic_attr(vm, g->group, g->attr, p, true) < 0) {
			snprintf(why, len, "GIC register (group %u, 0x%llx): this host refuses the "
				 "snapshot's 0x%llx: %s", g->group, (unsigned long long)g->attr,
				 (unsigned long long)g->val, strerror(errno));
			goto out;
		}
	}
	if (vm->gic_its_fd >= 0) {
		for (size_t i = 0; i < ARRAY_SIZE(its_regs); i++) {
			u64 val = snapshot_get_u64(r);

			if (its_reg(vm, its_regs[i], &val, true) < 0) {
				snprintf(why, len, "ITS register 0x%x: this host refuses the "
					 "snapshot's 0x%llx: %s", its_regs[i],
					 (unsigned long long)val, strerror(errno));
				goto out;
			}
		}
		/* The tables from guest RAM (already in place), then the ITS on. */
		u64 ctlr = snapshot_get_u64(r);

		if (r->bad || its_ctrl(vm, KVM_DEV_ARM_ITS_RESTORE_TABLES) < 0 ||
		    its_reg(vm, GITS_CTLR, &ctlr, true) < 0) {
			snprintf(why, len, "restoring the ITS's tables from guest RAM: %s",
				 r->bad ? "its saved state is malformed" : strerror(errno));
			goto out;
		}
	}
	ret = snapshot_r_ok(r) ? 0 : -1;
	if (ret)
		snprintf(why, len, "GIC: its saved state is malformed");
out:
	free_state(st);
	return ret;
}
