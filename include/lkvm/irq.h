/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_IRQ_H
#define LKVM_IRQ_H

#include "lkvm/util.h"

/*
 * An interrupt output of a device.  Devices raise and lower their line through
 * it and never talk to KVM directly, so the host-native tests can watch the
 * line with a fake.  @spi is the GIC SPI number (INTID - 32).
 */
struct irq_pin {
	void (*set)(void *ctx, u32 spi, bool level);
	void *ctx;
	u32 spi;
};

static inline void irq_pin_set(const struct irq_pin *p, bool level)
{
	if (p->set)
		p->set(p->ctx, p->spi, level);
}

#endif
