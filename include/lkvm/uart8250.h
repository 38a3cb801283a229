/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_UART8250_H
#define LKVM_UART8250_H

#include "lkvm/device.h"
#include "lkvm/irq.h"
#include "lkvm/util.h"

/* Bytes of host input held for the guest; more is dropped (and reported as an overrun). */
#define UART8250_RX_BUF_SIZE	0x10000u

/*
 * A 16550A UART with byte-wide registers (reg-shift 0) at @base.  Guest output
 * is written to @out_fd by a thread of the device's own (@out_fd < 0 discards
 * it).  NULL after one error line.
 */
struct device *uart8250_create(u64 base, struct irq_pin irq, int out_fd);

/* Host input for the guest; safe to call from any thread. */
void uart8250_receive(struct device *dev, const u8 *buf, size_t len);

/*
 * Wait until the guest's output so far is written to the host (at most
 * @timeout_ms): 0, or -1 if some is still waiting.
 */
int uart8250_flush(struct device *dev, int timeout_ms);

/* True while the device's interrupt output is asserted. */
bool uart8250_irq_pending(struct device *dev);

#endif
