// SPDX-License-Identifier: GPL-2.0
/*
 * ARM PrimeCell PL031 real-time clock (ARM DDI 0224).  The counter is the host
 * wall clock in seconds plus an offset the guest sets through RTCLR.  The match
 * interrupt is the guest's wake-up source from suspend, when no vCPU will touch
 * the device, so a timer thread of the device's own raises it on time.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libfdt.h>

#include "lkvm/layout.h"
#include "lkvm/pl031.h"
#include "lkvm/snapshot.h"

#define RTCDR		0x000	/* data: the counter */
#define RTCMR		0x004	/* match */
#define RTCLR		0x008	/* load */
#define RTCCR		0x00c	/* control */
#define RTCIMSC		0x010	/* interrupt mask set/clear */
#define RTCRIS		0x014	/* raw interrupt status */
#define RTCMIS		0x018	/* masked interrupt status */
#define RTCICR		0x01c	/* interrupt clear */
#define RTC_PERIPH_ID0	0xfe0	/* four registers, then four cell id registers */
#define RTC_CELL_ID0	0xff0

#define RTCCR_START	0x1
#define RTC_INT		0x1

#define PL031_PERIPH_ID	0x00041031u	/* designer 0x41 (ARM), part 0x031, rev 0 */
#define PRIMECELL_ID	0xb105f00du

#define NSEC_PER_SEC	1000000000ULL


struct pl031 {
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* the timer thread sleeps on it (CLOCK_REALTIME) */
	pthread_t thread;
	bool stop;

	struct pl031_clock clock;
	u32 offset;		/* counter = host seconds + offset, modulo 2^32 */

	u32 mr, lr, imsc, ris;
	bool armed;		/* the counter has yet to reach MR */
	u64 match_ns;		/* when it will, on the clock */
	bool irq_level;
};

static struct pl031 *to_rtc(struct device *dev)
{
	return dev->priv;
}

static u64 realtime_ns(void *ctx)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
}

static u64 rtc_now(const struct pl031 *r)
{
	return r->clock.now_ns(r->clock.ctx);
}

static u32 rtc_count(const struct pl031 *r, u64 now)
{
	return (u32)(now / NSEC_PER_SEC) + r->offset;
}

static void rtc_update_irq(struct device *dev)
{
	struct pl031 *r = to_rtc(dev);
	bool level = r->ris & r->imsc & RTC_INT;

	if (level != r->irq_level) {
		r->irq_level = level;
		irq_pin_set(&dev->irq, level);
	}
}

/*
 * The counter just jumped (MR or LR written): find when it next equals MR.
 * A match in the past is 2^32 seconds away, as on the hardware; one equal to
 * the counter right now fires at once.
 */
static void rtc_arm(struct pl031 *r, u64 now)
{
	u32 ticks = r->mr - rtc_count(r, now);

	if (!ticks) {
		r->ris |= RTC_INT;
		r->armed = false;
	} else {
		r->match_ns = (now / NSEC_PER_SEC + ticks) * NSEC_PER_SEC;
		r->armed = true;
	}
	pthread_cond_signal(&r->wake);
}

static void rtc_check(struct device *dev, u64 now)
{
	struct pl031 *r = to_rtc(dev);

	if (r->armed && now >= r->match_ns) {
		r->ris |= RTC_INT;
		r->armed = false;
	}
	rtc_update_irq(dev);
}

void pl031_check_alarm(struct device *dev)
{
	struct pl031 *r = to_rtc(dev);

	pthread_mutex_lock(&r->lock);
	rtc_check(dev, rtc_now(r));
	pthread_mutex_unlock(&r->lock);
}

bool pl031_irq_pending(struct device *dev)
{
	struct pl031 *r = to_rtc(dev);
	bool level;

	pthread_mutex_lock(&r->lock);
	level = r->irq_level;
	pthread_mutex_unlock(&r->lock);
	return level;
}

static void *rtc_thread(void *arg)
{
	struct device *dev = arg;
	struct pl031 *r = to_rtc(dev);

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		u64 now = rtc_now(r), deadline;
		struct timespec ts;

		rtc_check(dev, now);
		if (!r->armed) {
			pthread_cond_wait(&r->wake, &r->lock);
			continue;
		}
		/*
		 * The condition variable waits on CLOCK_REALTIME, so with the
		 * real clock a host time change moves the wake-up with it.
		 */
		deadline = realtime_ns(NULL) + (r->match_ns - now);
		ts.tv_sec = (time_t)(deadline / NSEC_PER_SEC);
		ts.tv_nsec = (long)(deadline % NSEC_PER_SEC);
		pthread_cond_timedwait(&r->wake, &r->lock, &ts);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static u32 rtc_read(struct pl031 *r, u64 offset, u64 now)
{
	if (offset >= RTC_PERIPH_ID0 && offset < RTC_CELL_ID0)
		return (PL031_PERIPH_ID >> (8 * ((offset - RTC_PERIPH_ID0) / 4))) & 0xff;
	if (offset >= RTC_CELL_ID0 && offset < LKVM_RTC_SIZE)
		return (PRIMECELL_ID >> (8 * ((offset - RTC_CELL_ID0) / 4))) & 0xff;

	switch (offset) {
	case RTCDR:
		return rtc_count(r, now);
	case RTCMR:
		return r->mr;
	case RTCLR:
		return r->lr;
	case RTCCR:
		/*
		 * A battery-backed clock: it was running before the guest
		 * came and keeps running across resets.
		 */
		return RTCCR_START;
	case RTCIMSC:
		return r->imsc;
	case RTCRIS:
		return r->ris;
	case RTCMIS:
		return r->ris & r->imsc;
	default:
		return 0;
	}
}

static void rtc_write(struct pl031 *r, u64 offset, u32 val, u64 now)
{
	switch (offset) {
	case RTCMR:
		r->mr = val;
		rtc_arm(r, now);
		break;
	case RTCLR:
		r->lr = val;
		r->offset = val - (u32)(now / NSEC_PER_SEC);
		rtc_arm(r, now);
		break;
	case RTCIMSC:
		r->imsc = val & RTC_INT;
		break;
	case RTCICR:
		r->ris &= ~(val & RTC_INT);
		break;
	default:
		/* RTCDR, RTCCR (start stays set), the status and ID registers. */
		break;
	}
}

static void rtc_mmio(struct device *dev, u64 offset, u8 *data, u32 len, bool is_write)
{
	struct pl031 *r = to_rtc(dev);
	u64 now;

	pthread_mutex_lock(&r->lock);
	now = rtc_now(r);
	/* Bring RIS up to date in case the timer thread has not run yet. */
	rtc_check(dev, now);
	if (offset & 3) {
		/* Registers are word-aligned: the rest reads as zero, writes are ignored. */
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		rtc_write(r, offset, (u32)le_get(data, len), now);
	} else {
		le_put(data, len, rtc_read(r, offset, now));
	}
	rtc_update_irq(dev);
	pthread_mutex_unlock(&r->lock);
}

/* Power-on state; the counter's offset is kept, as on a battery-backed clock. */
static void rtc_reset(struct device *dev)
{
	struct pl031 *r = to_rtc(dev);

	pthread_mutex_lock(&r->lock);
	r->mr = 0;
	r->lr = 0;
	r->imsc = 0;
	r->ris = 0;
	r->armed = false;
	pthread_cond_signal(&r->wake);
	rtc_update_irq(dev);
	pthread_mutex_unlock(&r->lock);
}

/*
 * Snapshot: u8 version (1), u32 offset (counter minus the host's wall-clock
 * seconds), u32 LR, MR, IMSC, RIS, u8 alarm armed, u64 when (ns on the
 * host's wall clock).  The offset, not the counter, is what is kept: the
 * restored RTC reads wall-clock time plus the guest's offset, as a
 * battery-backed clock would have gone on counting, and an alarm that fell
 * due meanwhile fires as soon as the device is loaded.
 */
static int rtc_save(struct device *dev, struct snap_w *w, const char **why)
{
	struct pl031 *r = to_rtc(dev);

	pthread_mutex_lock(&r->lock);
	snapshot_put_u8(w, 1);
	snapshot_put_u32(w, r->offset);
	snapshot_put_u32(w, r->lr);
	snapshot_put_u32(w, r->mr);
	snapshot_put_u32(w, r->imsc);
	snapshot_put_u32(w, r->ris);
	snapshot_put_u8(w, r->armed);
	snapshot_put_u64(w, r->armed ? r->match_ns : 0);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static int rtc_load(struct device *dev, struct snap_r *sr, const char **why)
{
	struct pl031 *r = to_rtc(dev);
	u8 version = snapshot_get_u8(sr);
	u32 offset = snapshot_get_u32(sr), lr = snapshot_get_u32(sr), mr = snapshot_get_u32(sr);
	u32 imsc = snapshot_get_u32(sr), ris = snapshot_get_u32(sr);
	bool armed = snapshot_get_bool(sr);
	u64 match_ns = snapshot_get_u64(sr), now;
	bool level;

	if (!snapshot_r_ok(sr) || version != 1) {
		*why = !sr->bad && version != 1 ? "its state is of an unknown version"
						: "its state is cut short or malformed";
		return -1;
	}
	if ((imsc | ris) & ~RTC_INT) {
		*why = "its interrupt registers have bits the RTC does not have";
		return -1;
	}
	/* rtc_arm() sets the alarm for a whole second at which the counter equals MR. */
	if (armed ? match_ns % NSEC_PER_SEC || (u32)(match_ns / NSEC_PER_SEC) + offset != mr
		  : match_ns != 0) {
		*why = "its alarm disagrees with the match register";
		return -1;
	}

	pthread_mutex_lock(&r->lock);
	now = rtc_now(r);
	r->offset = offset;
	r->lr = lr;
	r->mr = mr;
	r->imsc = imsc;
	r->ris = ris;
	r->armed = false;
	if (armed && now >= match_ns)
		r->ris |= RTC_INT;
	else if (armed)
		rtc_arm(r, now);	/* when the counter next equals MR, from here */
	/* The line is level: drive it to what the registers say, whatever it was. */
	level = r->ris & r->imsc & RTC_INT;
	r->irq_level = level;
	irq_pin_set(&dev->irq, level);
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static int rtc_fdt_node(struct device *dev, void *fdt, u32 gic_phandle)
{
	static const char compat[] = "arm,pl031\0arm,primecell";
	int r = device_fdt_begin(dev, fdt, "rtc", gic_phandle);

	if (!r)
		r = fdt_property(fdt, "compatible", compat, sizeof(compat));
	/* The AMBA bus will not probe a PrimeCell without its bus clock. */
	if (!r)
		r = fdt_property_u32(fdt, "clocks", LKVM_PHANDLE_APB_PCLK);
	if (!r)
		r = fdt_property_string(fdt, "clock-names", "apb_pclk");
	return r ?: fdt_end_node(fdt);
}

static void rtc_exit(struct device *dev)
{
	struct pl031 *r = to_rtc(dev);

	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);

	/* The bus still walks its list after this: @dev itself stays. */
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
	dev->priv = NULL;
	dev->mmio = NULL;
}

struct device *pl031_create_with_clock(u64 base, struct irq_pin irq,
				       const struct pl031_clock *clock)
{
	struct device *dev = xzalloc(sizeof(*dev));
	struct pl031 *r = xzalloc(sizeof(*r));
	sigset_t all, old;
	int err;

	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	r->clock = *clock;

	dev->name = "pl031";
	dev->base = base;
	dev->size = LKVM_RTC_SIZE;
	dev->irq = irq;
	dev->priv = r;
	dev->mmio = rtc_mmio;
	dev->fdt_node = rtc_fdt_node;
	dev->reset = rtc_reset;
	dev->exit = rtc_exit;
	dev->save = rtc_save;
	dev->load = rtc_load;

	/* Signals are for the main and vCPU threads, never the timer. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = util_thread_start(&r->thread, rtc_thread, dev, "lkvm-rtc");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pr_err("pl031: cannot start its timer thread: %s", strerror(err));
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		free(r);
		free(dev);
		return NULL;
	}
	return dev;
}

struct device *pl031_create(u64 base, struct irq_pin irq)
{
	static const struct pl031_clock host = { .now_ns = realtime_ns };

	return pl031_create_with_clock(base, irq, &host);
}
