// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "lkvm/device.h"

int device_bus_add(struct device_bus *bus, struct device *dev)
{
	struct device **pp;

	if (!dev->size || dev->base + dev->size < dev->base)
		return -EINVAL;
	for (struct device *d = bus->head; d; d = d->next)
		if (dev->base < d->base + d->size && d->base < dev->base + dev->size)
			return -EEXIST;
	/* Sorted by address, so `--debug` traces and the DT come out in order. */
	for (pp = &bus->head; *pp && (*pp)->base < dev->base; pp = &(*pp)->next)
		;
	dev->next = *pp;
	*pp = dev;
	return 0;
}

struct device *device_bus_find(struct device_bus *bus, u64 addr, u32 len)
{
	/* Sorted by base: past @addr, nothing further on can hold it. */
	for (struct device *d = bus->head; d && d->base <= addr; d = d->next)
		if (addr - d->base < d->size && len <= d->size - (addr - d->base))
			return d;
	return NULL;
}

bool device_bus_access(struct device_bus *bus, u64 addr, u8 *data, u32 len, bool is_write)
{
	struct device *d;

	if (len == 0 || len > 8)
		goto unclaimed;
	d = device_bus_find(bus, addr, len);
	if (!d || !d->mmio)
		goto unclaimed;
	d->mmio(d, addr - d->base, data, len, is_write);
	return true;
unclaimed:
	if (!is_write)
		le_put(data, len > 8 ? 8 : len, 0);
	if (bus->trace)
		pr_debug("unhandled MMIO %s at 0x%llx, %u bytes%s", is_write ? "write" : "read",
			 (unsigned long long)addr, len, is_write ? "" : " (read as zero)");
	return false;
}

void device_bus_reset(struct device_bus *bus)
{
	for (struct device *d = bus->head; d; d = d->next)
		if (d->reset)
			d->reset(d);
}

void device_bus_exit(struct device_bus *bus)
{
	for (struct device *d = bus->head; d; d = d->next)
		if (d->exit)
			d->exit(d);
}

int device_fdt_begin(struct device *dev, void *fdt, const char *prefix, u32 gic_phandle)
{
	fdt64_t reg[2] = { cpu_to_fdt64(dev->base), cpu_to_fdt64(dev->size) };
	/* GIC_SPI, the SPI, IRQ_TYPE_EDGE_RISING (1) or IRQ_TYPE_LEVEL_HIGH (4). */
	fdt32_t irq[3] = { cpu_to_fdt32(0), cpu_to_fdt32(dev->irq.spi),
			   cpu_to_fdt32(dev->irq.edge ? 1 : 4) };
	char name[48];
	int r;

	snprintf(name, sizeof(name), "%s@%llx", prefix, (unsigned long long)dev->base);
	r = fdt_begin_node(fdt, name);
	if (!r)
		r = fdt_property(fdt, "reg", reg, sizeof(reg));
	if (!r && dev->irq.set) {
		r = fdt_property_u32(fdt, "interrupt-parent", gic_phandle);
		if (!r)
			r = fdt_property(fdt, "interrupts", irq, sizeof(irq));
	}
	return r;
}
