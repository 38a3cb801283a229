/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICE_H
#define LKVM_DEVICE_H

#include "lkvm/irq.h"
#include "lkvm/le.h"
#include "lkvm/util.h"

struct snap_w;
struct snap_r;

/*
 * A memory-mapped device.  A device owns one MMIO window, describes its own
 * device-tree node, and knows how to go back to its power-on state (reboot in
 * place).  The bus and the FDT builder know nothing about individual devices.
 *
 * mmio() runs on a vCPU thread; devices that are also touched from other
 * threads (console input, ...) lock themselves.  Accesses are at most 8 bytes;
 * @data is little-endian, as the guest sees it.
 */
struct device {
	const char *name;
	u64 base, size;
	struct irq_pin irq;	/* .set == NULL when the device has no interrupt */
	void *priv;

	void (*mmio)(struct device *dev, u64 offset, u8 *data, u32 len, bool is_write);
	/* Add this device's node(s) under the root node of @fdt.  May be NULL. */
	int (*fdt_node)(struct device *dev, void *fdt, u32 gic_phandle);
	/* Back to power-on state; called with every vCPU paused.  May be NULL. */
	void (*reset)(struct device *dev);
	/*
	 * Flush and release host resources; called once at exit.  May be NULL.
	 * The bus still walks the list afterwards: do not free the struct device.
	 */
	void (*exit)(struct device *dev);
	/*
	 * Snapshot (docs/snapshot.md), with every vCPU paused and the
	 * device's worker parked: save() appends the device's state to @w,
	 * or returns -1 with *@why when it cannot be saved (a back end
	 * outside lkvm).  load() takes it back in a new lkvm, the device as
	 * created with the same configuration and no vCPU run yet; -1 with
	 * *@why when the data is not valid (the device is then unusable:
	 * the restore stops).  Both NULL: nothing to save.
	 */
	int (*save)(struct device *dev, struct snap_w *w, const char **why);
	int (*load)(struct device *dev, struct snap_r *r, const char **why);

	struct device *next;
};

struct device_bus {
	struct device *head;
	bool trace;	/* --debug: log accesses nobody claims */
};

/* Adds @dev; refuses (-EEXIST) a window overlapping another device's. */
int device_bus_add(struct device_bus *bus, struct device *dev);
struct device *device_bus_find(struct device_bus *bus, u64 addr, u32 len);
/*
 * Route one access.  Unclaimed reads return zero and unclaimed writes are
 * dropped (traced with --debug): a guest poking at holes never stops the VM.
 * Returns false when nobody claimed the access.
 */
bool device_bus_access(struct device_bus *bus, u64 addr, u8 *data, u32 len, bool is_write);
void device_bus_reset(struct device_bus *bus);
void device_bus_exit(struct device_bus *bus);

/*
 * Open @dev's device-tree node "@prefix@<base>" with its reg and, when it has
 * an interrupt line, its level-high SPI.  The caller adds what is its own
 * (compatible first) and closes the node with fdt_end_node().
 */
int device_fdt_begin(struct device *dev, void *fdt, const char *prefix, u32 gic_phandle);

#endif
