// SPDX-License-Identifier: GPL-2.0
/* The device tree the guest gets: everything Linux needs, read back with libfdt. */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/fdt.h"
#include "lkvm/layout.h"
#include "tap.h"

static int dev_node(struct device *dev, void *fdt, u32 gic)
{
	fdt_begin_node(fdt, "uart@1000000");
	fdt_property_string(fdt, "compatible", "ns16550a");
	return fdt_end_node(fdt);
}

static u64 prop64(const void *fdt, const char *path, const char *name, int idx)
{
	int off = fdt_path_offset(fdt, path), len;
	const fdt64_t *p = off < 0 ? NULL : fdt_getprop(fdt, off, name, &len);

	return p && len >= (int)((idx + 1) * 8) ? fdt64_ld(&p[idx]) : ~0ULL;
}

static const char *propstr(const void *fdt, const char *path, const char *name)
{
	int off = fdt_path_offset(fdt, path);

	return off < 0 ? NULL : fdt_getprop(fdt, off, name, NULL);
}

int main(void)
{
	static u8 buf[0x10000];
	u64 mpidrs[4] = { 0x80000000, 0x80000001, 0x80000002, 0x80000003 };
	struct device uart = { .name = "uart", .base = LKVM_UART_BASE, .size = 8,
			       .fdt_node = dev_node };
	struct device_bus bus = { 0 };
	struct fdt_desc d = {
		.ram_base = 0x80000000, .ram_size = 256 * SZ_1M, .nr_cpus = 4, .mpidrs = mpidrs,
		.bootargs = "console=ttyS0", .initrd_start = 0x8f000000, .initrd_size = 0x1000,
		.gic_dist_base = LKVM_GIC_DIST_BASE, .gic_dist_size = LKVM_GIC_DIST_SIZE,
		.gic_redist_base = LKVM_GIC_DIST_BASE - 4 * LKVM_GIC_REDIST_SIZE,
		.gic_redist_size = 4 * LKVM_GIC_REDIST_SIZE, .serial_console = true, .bus = &bus,
	};
	const char *s;
	int len, off;

	tap_plan(22);
	device_bus_add(&bus, &uart);
	tap_ok(fdt_build(&d, buf, sizeof(buf)) == 0 && fdt_check_header(buf) == 0,
	       "builds a valid DTB");
	tap_ok(prop64(buf, "/memory@80000000", "reg", 0) == 0x80000000 &&
		       prop64(buf, "/memory@80000000", "reg", 1) == 256 * SZ_1M,
	       "memory node: base and size");
	tap_ok(!strcmp(propstr(buf, "/chosen", "bootargs"), "console=ttyS0"), "bootargs");
	tap_ok(!strcmp(propstr(buf, "/chosen", "stdout-path"), "serial0"), "stdout-path");
	tap_ok(!strcmp(propstr(buf, "/aliases", "serial0"), "/uart@1000000"),
	       "serial0 alias points at the first UART");
	tap_ok(prop64(buf, "/chosen", "linux,initrd-start", 0) == 0x8f000000 &&
		       prop64(buf, "/chosen", "linux,initrd-end", 0) == 0x8f001000,
	       "initrd start and end");
	off = fdt_path_offset(buf, "/cpus");
	len = 0;
	for (int n = fdt_first_subnode(buf, off); n >= 0; n = fdt_next_subnode(buf, n))
		len++;
	tap_ok(len == 4, "4 cpu nodes");
	tap_ok(prop64(buf, "/cpus/cpu@3", "reg", 0) == 3, "cpu reg is the MPIDR affinity");
	tap_ok(!strcmp(propstr(buf, "/cpus/cpu@0", "enable-method"), "psci"),
	       "cpus start through PSCI");
	tap_ok(!strcmp(propstr(buf, "/psci", "method"), "hvc"), "PSCI method hvc");
	s = propstr(buf, "/psci", "compatible");
	tap_ok(s && !strcmp(s, "arm,psci-1.0"), "PSCI 1.0 compatible by default");
	tap_ok(prop64(buf, "/intc@3fff0000", "reg", 2) == LKVM_GIC_DIST_BASE - 0x80000,
	       "GIC redistributors below the distributor");
	tap_ok(fdt_path_offset(buf, "/timer") >= 0 && fdt_path_offset(buf, "/apb-pclk") >= 0,
	       "timer and APB clock nodes");
	tap_ok(fdt_path_offset(buf, "/firmware/sdei") < 0 && fdt_path_offset(buf, "/pmu") < 0,
	       "no SDEI or PMU node unless asked");
	tap_ok(fdt_path_offset(buf, "/uart@1000000") >= 0, "devices add their own nodes");
	tap_ok(fdt_path_offset(buf, "/intc@3fff0000/msic@3ff50000") < 0 &&
		       !fdt_getprop(buf, fdt_path_offset(buf, "/chosen"), "kaslr-seed", NULL),
	       "no ITS, no KASLR seed unless asked");

	d.sdei = true;
	d.pmu = true;
	d.psci_version = 0x2;
	fdt_build(&d, buf, sizeof(buf));
	tap_ok(!strcmp(propstr(buf, "/firmware/sdei", "compatible"), "arm,sdei-1.0") &&
		       !strcmp(propstr(buf, "/firmware/sdei", "method"), "hvc") &&
		       fdt_path_offset(buf, "/pmu") >= 0,
	       "SDEI and PMU nodes when asked");
	s = propstr(buf, "/psci", "compatible");
	tap_ok(s && !strcmp(s, "arm,psci-0.2"), "PSCI pinned to 0.2: 0.2 compatible only");

	/* --irqchip gicv3-its: kvmtool's ITS node, below the 4 redistributors. */
	d.gic_its_base = d.gic_redist_base - LKVM_GIC_ITS_SIZE;
	d.has_kaslr_seed = true;
	d.kaslr_seed = 0x0123456789abcdefULL;
	tap_ok(fdt_build(&d, buf, sizeof(buf)) == 0 &&
		       !strcmp(propstr(buf, "/intc@3fff0000/msic@3ff50000", "compatible"),
			       "arm,gic-v3-its"),
	       "ITS node msic@3ff50000 under the GIC");
	off = fdt_path_offset(buf, "/intc@3fff0000/msic@3ff50000");
	tap_ok(prop64(buf, "/intc@3fff0000/msic@3ff50000", "reg", 0) == 0x3ff50000 &&
		       prop64(buf, "/intc@3fff0000/msic@3ff50000", "reg", 1) == LKVM_GIC_ITS_SIZE &&
		       fdt_getprop(buf, off, "msi-controller", NULL) &&
		       fdt_get_phandle(buf, off) == LKVM_PHANDLE_ITS,
	       "ITS: reg (base, 128 KiB), msi-controller, phandle");
	tap_ok(fdt_getprop(buf, fdt_path_offset(buf, "/intc@3fff0000"), "ranges", &len) &&
		       len == 0,
	       "the GIC node passes addresses through to the ITS (empty ranges)");
	tap_ok(prop64(buf, "/chosen", "kaslr-seed", 0) == 0x0123456789abcdefULL,
	       "/chosen/kaslr-seed");
	return tap_done();
}
