/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_IRQ_H
#define LKVM_IRQ_H

#include "lkvm/util.h"

/*
 * An interrupt output of a device.  Devices raise and lower their line through
 * it and never talk to KVM directly, so the host-native tests can watch the
 * line with a fake.  @spi is the GIC SPI number (INTID - 32).
 *
 * An @edge pin is an event line: only the rising edge means anything (lkvm
 * turns it into one irqfd signal) and the device tree says edge-rising.  A
 * device drives both kinds alike, up when it wants attention and down once
 * the guest acknowledged.
 */
struct irq_pin {
	void (*set)(void *ctx, u32 spi, bool level);
	void *ctx;
	u32 spi;
	bool edge;
};

static inline void irq_pin_set(const struct irq_pin *p, bool level)
{
	if (p->set)
		p->set(p->ctx, p->spi, level);
}

#endif
