/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_FDT_H
#define LKVM_FDT_H

#include "lkvm/device.h"
#include "lkvm/util.h"

/* Everything the device tree says, gathered by the VM; the builder is pure. */
struct fdt_desc {
	u64 ram_base, ram_size;
	int nr_cpus;
	const u64 *mpidrs;
	const char *bootargs;
	u64 initrd_start, initrd_size;	/* size 0: no initrd */
	u64 gic_dist_base, gic_dist_size, gic_redist_base, gic_redist_size;
	u64 gic_its_base;		/* 0: no ITS */
	u32 psci_version;		/* (major << 16) | minor; picks the compatible list */
	bool pmu;
	bool sdei;
	bool serial_console;		/* stdout-path = serial0 */
	const u8 *rng_seed;		/* 32 bytes, or NULL */
	bool has_kaslr_seed;
	u64 kaslr_seed;
	struct device_bus *bus;		/* each device adds its own node */
};

/* Build the DTB into @buf.  Returns 0, or a negative libfdt error. */
int fdt_build(const struct fdt_desc *d, void *buf, size_t size);

#endif
