// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's device tree.  The builder knows the machine (memory, CPUs, GIC,
 * timer, PSCI, SDEI, chosen); every device on the bus describes itself.
 */
#include <libfdt.h>
#include <stdio.h>

#include "lkvm/fdt.h"
#include "lkvm/layout.h"
#include "lkvm/regs.h"

#define GIC_PPI			1
#define IRQ_TYPE_LEVEL_HIGH	4

#define TRY(x)                  \
	do {                    \
		int __r = (x);  \
		if (__r < 0)    \
			return __r; \
	} while (0)

static int prop_u64_pair(void *fdt, const char *name, u64 a, u64 b)
{
	fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };

	return fdt_property(fdt, name, v, sizeof(v));
}

static int add_cpus(void *fdt, const struct fdt_desc *d)
{
	char name[32];

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (int i = 0; i < d->nr_cpus; i++) {
		u64 reg = d->mpidrs[i] & MPIDR_AFF_MASK;

		snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)reg);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,arm-v8"));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_property_u64(fdt, "reg", reg));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int add_gic(void *fdt, const struct fdt_desc *d)
{
	fdt64_t reg[4] = {
		cpu_to_fdt64(d->gic_dist_base), cpu_to_fdt64(d->gic_dist_size),
		cpu_to_fdt64(d->gic_redist_base), cpu_to_fdt64(d->gic_redist_size),
	};
	char name[32];

	snprintf(name, sizeof(name), "intc@%llx", (unsigned long long)d->gic_dist_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
	TRY(fdt_property_u32(fdt, "phandle", LKVM_PHANDLE_GIC));
	if (d->gic_its_base) {
		/* kvmtool's node (a child of the GIC), with the binding's #msi-cells. */
		TRY(fdt_property(fdt, "ranges", NULL, 0));
		snprintf(name, sizeof(name), "msic@%llx", (unsigned long long)d->gic_its_base);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
		TRY(fdt_property(fdt, "msi-controller", NULL, 0));
		TRY(fdt_property_u32(fdt, "#msi-cells", 1));
		TRY(prop_u64_pair(fdt, "reg", d->gic_its_base, LKVM_GIC_ITS_SIZE));
		TRY(fdt_property_u32(fdt, "phandle", LKVM_PHANDLE_ITS));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int prop_ppis(void *fdt, const char *name, const u32 *ppis, int n)
{
	fdt32_t cells[12];

	for (int i = 0; i < n; i++) {
		cells[3 * i] = cpu_to_fdt32(GIC_PPI);
		cells[3 * i + 1] = cpu_to_fdt32(ppis[i]);
		cells[3 * i + 2] = cpu_to_fdt32(IRQ_TYPE_LEVEL_HIGH);
	}
	return fdt_property(fdt, name, cells, (int)(3 * n * sizeof(fdt32_t)));
}

static int add_timer_pmu(void *fdt, const struct fdt_desc *d)
{
	static const u32 timer_ppis[] = {
		LKVM_PPI_TIMER_SEC, LKVM_PPI_TIMER_PHYS, LKVM_PPI_TIMER_VIRT, LKVM_PPI_TIMER_HYP,
	};
	static const u32 pmu_ppi[] = { LKVM_PPI_PMU };

	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	TRY(prop_ppis(fdt, "interrupts", timer_ppis, 4));
	/* The virtual timer keeps counting in every guest idle state. */
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	TRY(fdt_end_node(fdt));
	if (!d->pmu)
		return 0;
	TRY(fdt_begin_node(fdt, "pmu"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-pmuv3"));
	TRY(prop_ppis(fdt, "interrupts", pmu_ppi, 1));
	return fdt_end_node(fdt);
}

static int add_firmware(void *fdt, const struct fdt_desc *d)
{
	/* The compatible list tells Linux which PSCI calls to expect. */
	static const char psci_1[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	static const char psci_02[] = "arm,psci-0.2\0arm,psci";
	bool v1 = d->psci_version == 0 || d->psci_version >= 0x10000;

	TRY(fdt_begin_node(fdt, "psci"));
	if (v1)
		TRY(fdt_property(fdt, "compatible", psci_1, sizeof(psci_1)));
	else
		TRY(fdt_property(fdt, "compatible", psci_02, sizeof(psci_02)));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));
	if (!d->sdei)
		return 0;
	TRY(fdt_begin_node(fdt, "firmware"));
	TRY(fdt_begin_node(fdt, "sdei"));
	TRY(fdt_property_string(fdt, "compatible", "arm,sdei-1.0"));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int add_chosen(void *fdt, const struct fdt_desc *d)
{
	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "bootargs", d->bootargs ? d->bootargs : ""));
	if (d->serial_console)
		TRY(fdt_property_string(fdt, "stdout-path", "serial0"));
	if (d->initrd_size) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", d->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", d->initrd_start + d->initrd_size));
	}
	/* Seeds the guest's CRNG at once instead of after seconds of jitter. */
	if (d->rng_seed)
		TRY(fdt_property(fdt, "rng-seed", d->rng_seed, 32));
	/* Read, and then wiped, by an arm64 kernel that randomises its placement. */
	if (d->has_kaslr_seed)
		TRY(fdt_property_u64(fdt, "kaslr-seed", d->kaslr_seed));
	return fdt_end_node(fdt);
}

static int add_clock(void *fdt)
{
	/* The AMBA bus insists on a clock for PrimeCell devices (the PL031). */
	TRY(fdt_begin_node(fdt, "apb-pclk"));
	TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
	TRY(fdt_property_u32(fdt, "#clock-cells", 0));
	TRY(fdt_property_u32(fdt, "clock-frequency", 24000000));
	TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	TRY(fdt_property_u32(fdt, "phandle", LKVM_PHANDLE_APB_PCLK));
	return fdt_end_node(fdt);
}

int fdt_build(const struct fdt_desc *d, void *buf, size_t size)
{
	char name[48];
	void *fdt = buf;

	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	TRY(fdt_property_string(fdt, "model", "lkvm"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_u32(fdt, "interrupt-parent", LKVM_PHANDLE_GIC));

	TRY(add_chosen(fdt, d));
	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)d->ram_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_u64_pair(fdt, "reg", d->ram_base, d->ram_size));
	TRY(fdt_end_node(fdt));
	TRY(add_cpus(fdt, d));
	TRY(add_gic(fdt, d));
	TRY(add_timer_pmu(fdt, d));
	TRY(add_firmware(fdt, d));
	TRY(add_clock(fdt));

	for (struct device *dev = d->bus ? d->bus->head : NULL; dev; dev = dev->next)
		if (dev->fdt_node)
			TRY(dev->fdt_node(dev, fdt, LKVM_PHANDLE_GIC));

	/* serial0 names the first UART, whatever the bus holds. */
	for (struct device *dev = d->bus ? d->bus->head : NULL; dev; dev = dev->next) {
		if (dev->base == LKVM_UART_BASE) {
			snprintf(name, sizeof(name), "/uart@%llx", (unsigned long long)dev->base);
			TRY(fdt_begin_node(fdt, "aliases"));
			TRY(fdt_property_string(fdt, "serial0", name));
			TRY(fdt_end_node(fdt));
			break;
		}
	}
	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}
