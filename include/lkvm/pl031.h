/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_PL031_H
#define LKVM_PL031_H

#include "lkvm/device.h"
#include "lkvm/irq.h"
#include "lkvm/util.h"

/*
 * Where the RTC takes its time from: nanoseconds on the host's wall clock
 * (CLOCK_REALTIME by default).  The tests pass a fake one.  now_ns() is called
 * from the vCPU thread and from the device's timer thread.
 */
struct pl031_clock {
	u64 (*now_ns)(void *ctx);
	void *ctx;
};

/*
 * An ARM PL031 RTC at @base (window LKVM_RTC_SIZE).  It reads the host clock
 * plus whatever offset the guest loads; its alarm interrupt fires in real time
 * from a timer thread of its own, whether or not a vCPU runs.  Returns NULL if
 * the thread cannot be started.
 */
struct device *pl031_create(u64 base, struct irq_pin irq);
struct device *pl031_create_with_clock(u64 base, struct irq_pin irq,
				       const struct pl031_clock *clock);

/* Check the alarm against the clock now (what the timer thread does when it wakes). */
void pl031_check_alarm(struct device *dev);

/* True while the device's interrupt output is asserted. */
bool pl031_irq_pending(struct device *dev);

#endif
