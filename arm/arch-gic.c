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
#include <stdlib.h>
#include <string.h>

#include "lkvm/arch.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/layout.h"
#include "lkvm/vcpu.h"

#define NR_GIC_IRQS 128		/* 32 private + 96 SPIs, plenty for our devices */

/* The programmable distributor / redistributor registers (32-bit each). */
#define GICD_CTLR		0x0000
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

/* Registers of a frame covering interrupts [first, last). */
static void add_frame(struct gic_state *st, u32 group, u64 base, u32 frame, u32 first, u32 last)
{
	for (u32 w = first / 32; w < last / 32; w++) {
		add(st, group, base | (frame + GICD_IGROUPR + 4 * w), 0);
		add(st, group, base | (frame + GICD_ISENABLER + 4 * w), frame + GICD_ICENABLER + 4 * w);
		add(st, group, base | (frame + GICD_ISPENDR + 4 * w), frame + GICD_ICPENDR + 4 * w);
		add(st, group, base | (frame + GICD_ISACTIVER + 4 * w), frame + GICD_ICACTIVER + 4 * w);
	}
	for (u32 w = first / 4; w < last / 4; w++)
		add(st, group, base | (frame + GICD_IPRIORITYR + 4 * w), 0);
	for (u32 w = first / 16; w < last / 16; w++)
		add(st, group, base | (frame + GICD_ICFGR + 4 * w), 0);
}

int arch_gic_snapshot(struct vm *vm)
{
	const u32 nr_irqs = NR_GIC_IRQS;
	struct gic_state *st = xzalloc(sizeof(*st));

	add(st, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR, 0);
	add_frame(st, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0, 0, 32, nr_irqs);
	for (u32 irq = 32; irq < nr_irqs; irq++) {
		add(st, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_IROUTER + 8 * irq, 0);
		add(st, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_IROUTER + 8 * irq + 4, 0);
	}
	for (int i = 0; i < vm->nr_vcpus; i++) {
		u64 who = mpidr_attr(vm->vcpus[i]->mpidr);

		/*
		 * LPIs off first: KVM takes new property and pending tables only
		 * while they are, and the old ones lie in the old guest's RAM.
		 */
		if (vm->gic_its_fd >= 0) {
			add(st, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, who | GICR_CTLR, 0);
			/* Both 64-bit table registers, as 32-bit halves. */
			for (u32 off = GICR_PROPBASER; off < GICR_PENDBASER + 8; off += 4)
				add(st, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, who | off, 0);
		}
		add_frame(st, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, who, GICR_SGI, 0, 32);
		for (size_t r = 0; r < ARRAY_SIZE(icc_regs); r++)
			add(st, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, who | icc_regs[r], 0);
	}
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
			pr_err("reading the GIC's power-on state (group %u, 0x%llx): %s", r->group,
			       (unsigned long long)r->attr, strerror(errno));
			return -1;
		}
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
