// SPDX-License-Identifier: GPL-2.0
/* The PL031 RTC as Linux's rtc-pl031 and AMBA bus drive it, on a fake and a real clock. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>

#include "lkvm/layout.h"
#include "lkvm/pl031.h"
#include "tap.h"

#define RTCDR		0x000
#define RTCMR		0x004
#define RTCLR		0x008
#define RTCCR		0x00c
#define RTCIMSC		0x010
#define RTCRIS		0x014
#define RTCMIS		0x018
#define RTCICR		0x01c

#define NSEC		1000000000ULL
#define T0		1700000000ULL	/* the fake clock's start, in seconds */

struct fake_pin {
	atomic_bool level;
	atomic_int changes;
	u32 spi;
};

static void fake_set(void *ctx, u32 spi, bool level)
{
	struct fake_pin *p = ctx;

	p->spi = spi;
	if (level != atomic_load(&p->level))
		atomic_fetch_add(&p->changes, 1);
	atomic_store(&p->level, level);
}

static _Atomic u64 fake_now;

static u64 fake_now_ns(void *ctx)
{
	return atomic_load(&fake_now);
}

static void wr(struct device *d, u64 off, u32 v)
{
	u8 b[4];

	le_put(b, 4, v);
	d->mmio(d, off, b, 4, true);
}

static u32 rd(struct device *d, u64 off)
{
	u8 b[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	d->mmio(d, off, b, 4, false);
	return (u32)le_get(b, 4);
}

/* Advance the fake clock and look at the alarm, as the timer thread would on waking. */
static void advance(struct device *d, u64 ns)
{
	atomic_fetch_add(&fake_now, ns);
	pl031_check_alarm(d);
}

/* What amba_read_periphid() does: the low byte of four words each. */
static u32 amba_id(struct device *d, u64 off)
{
	u32 id = 0;

	for (int i = 0; i < 4; i++)
		id |= (rd(d, off + 4 * i) & 0xff) << (8 * i);
	return id;
}

static void test_fdt(struct device *d)
{
	static char fdt[4096];
	const fdt32_t *p;
	const char *s;
	int len, node;
	bool ok;

	ok = !fdt_create(fdt, sizeof(fdt)) && !fdt_finish_reservemap(fdt) &&
	     !fdt_begin_node(fdt, "") && !fdt_property_u32(fdt, "#address-cells", 2) &&
	     !fdt_property_u32(fdt, "#size-cells", 2) && !d->fdt_node(d, fdt, LKVM_PHANDLE_GIC) &&
	     !fdt_end_node(fdt) && !fdt_finish(fdt);
	tap_ok(ok, "fdt: node written with the sequential-write API");
	node = fdt_path_offset(fdt, "/rtc@1010000");
	tap_ok(node >= 0, "fdt: node is named rtc@1010000");
	s = fdt_getprop(fdt, node, "compatible", &len);
	tap_ok(s && len == sizeof("arm,pl031\0arm,primecell") &&
	       !memcmp(s, "arm,pl031\0arm,primecell", len),
	       "fdt: compatible = \"arm,pl031\", \"arm,primecell\"");
	p = fdt_getprop(fdt, node, "reg", &len);
	tap_ok(p && len == 16 && fdt32_to_cpu(p[0]) == 0 && fdt32_to_cpu(p[1]) == 0x1010000 &&
	       fdt32_to_cpu(p[2]) == 0 && fdt32_to_cpu(p[3]) == 0x1000,
	       "fdt: reg = <0 0x1010000 0 0x1000>");
	p = fdt_getprop(fdt, node, "interrupts", &len);
	tap_ok(p && len == 12 && fdt32_to_cpu(p[0]) == 0 && fdt32_to_cpu(p[1]) == LKVM_SPI_RTC &&
	       fdt32_to_cpu(p[2]) == 4, "fdt: interrupts = <GIC_SPI 4 IRQ_TYPE_LEVEL_HIGH>");
	p = fdt_getprop(fdt, node, "clocks", &len);
	tap_ok(p && len == 4 && fdt32_to_cpu(p[0]) == LKVM_PHANDLE_APB_PCLK,
	       "fdt: clocks = <LKVM_PHANDLE_APB_PCLK>");
	s = fdt_getprop(fdt, node, "clock-names", &len);
	tap_ok(s && len == sizeof("apb_pclk") && !strcmp(s, "apb_pclk"),
	       "fdt: clock-names = \"apb_pclk\"");
	p = fdt_getprop(fdt, node, "interrupt-parent", &len);
	tap_ok(p && len == 4 && fdt32_to_cpu(p[0]) == LKVM_PHANDLE_GIC,
	       "fdt: interrupt-parent = the GIC");
}

static void test_fake_clock(void)
{
	static struct fake_pin pin;
	struct pl031_clock clk = { fake_now_ns, NULL };
	struct device *d;
	u8 b[8];
	u32 now;

	atomic_store(&fake_now, T0 * NSEC + NSEC / 2);
	d = pl031_create_with_clock(LKVM_RTC_BASE, (struct irq_pin){ fake_set, &pin, LKVM_SPI_RTC, false },
				    &clk);
	tap_ok(d && d->base == LKVM_RTC_BASE && d->size == LKVM_RTC_SIZE,
	       "window 0x1010000, 4 KiB");
	tap_ok(amba_id(d, 0xfe0) == 0x00041031, "periph id = 0x00041031");
	tap_ok(amba_id(d, 0xff0) == 0xb105f00d, "cell id = 0xb105f00d");

	/* Linux's probe: start the clock, read it. */
	tap_ok(rd(d, RTCCR) == 1, "RTCCR: the clock is running from power-on");
	wr(d, RTCCR, 1);
	wr(d, RTCCR, 0);
	tap_ok(rd(d, RTCCR) == 1, "RTCCR: start stays set");
	tap_ok(rd(d, RTCDR) == T0, "RTCDR = host seconds (%u)", rd(d, RTCDR));
	advance(d, 3 * NSEC);
	tap_ok(rd(d, RTCDR) == T0 + 3, "RTCDR follows the clock");
	wr(d, RTCDR, 5);
	tap_ok(rd(d, RTCDR) == T0 + 3, "RTCDR is read-only");

	/* set_time: RTCLR. */
	wr(d, RTCLR, 1000);
	tap_ok(rd(d, RTCDR) == 1000 && rd(d, RTCLR) == 1000, "RTCLR loads the counter");
	advance(d, 5 * NSEC);
	tap_ok(rd(d, RTCDR) == 1005, "loaded counter keeps counting");
	tap_ok(rd(d, RTCIMSC) == 0 && rd(d, RTCRIS) == 0 && rd(d, RTCMIS) == 0 && !pin.level,
	       "no alarm yet, line low");

	/* set_alarm: RTCMR, then unmask. */
	wr(d, RTCMR, 1015);
	wr(d, RTCIMSC, 1);
	tap_ok(rd(d, RTCMR) == 1015 && rd(d, RTCIMSC) == 1, "RTCMR and RTCIMSC read back");
	advance(d, 9 * NSEC);
	tap_ok(rd(d, RTCDR) == 1014 && rd(d, RTCRIS) == 0 && !pin.level,
	       "half a second before the match: nothing");
	advance(d, NSEC * 4 / 10);
	tap_ok(rd(d, RTCRIS) == 0 && !pin.level, "a tenth of a second before: nothing");
	advance(d, NSEC / 10);
	tap_ok(pin.level && pl031_irq_pending(d) && pin.spi == LKVM_SPI_RTC,
	       "counter reaches RTCMR: line high on SPI 4");
	tap_ok(rd(d, RTCRIS) == 1 && rd(d, RTCMIS) == 1, "RTCRIS = RTCMIS = 1");
	advance(d, 10 * NSEC);
	tap_ok(pin.level, "level: stays high until cleared");
	wr(d, RTCICR, 1);
	tap_ok(!pin.level && rd(d, RTCRIS) == 0 && rd(d, RTCMIS) == 0, "RTCICR clears it");
	advance(d, 100 * NSEC);
	tap_ok(!pin.level && rd(d, RTCRIS) == 0, "a match fires once");

	/* Masked: raw status only; unmasking raises the line. */
	wr(d, RTCIMSC, 0);
	now = rd(d, RTCDR);
	wr(d, RTCMR, now + 2);
	advance(d, 2 * NSEC);
	tap_ok(rd(d, RTCRIS) == 1 && rd(d, RTCMIS) == 0 && !pin.level,
	       "masked match: RTCRIS = 1, RTCMIS = 0, line low");
	wr(d, RTCIMSC, 1);
	tap_ok(pin.level && rd(d, RTCMIS) == 1, "unmasking a pending match raises the line");
	wr(d, RTCIMSC, 0);
	tap_ok(!pin.level, "masking lowers it");
	wr(d, RTCICR, 1);
	wr(d, RTCIMSC, 1);

	/* Matches equal to now fire at once; ones in the past do not. */
	wr(d, RTCMR, rd(d, RTCDR));
	tap_ok(pin.level, "RTCMR = RTCDR fires at once");
	wr(d, RTCICR, 1);
	wr(d, RTCMR, rd(d, RTCDR) - 1);
	advance(d, 1000 * NSEC);
	tap_ok(!pin.level && rd(d, RTCRIS) == 0, "RTCMR in the past does not fire");
	/* Loading the counter just below a pending match brings it near. */
	wr(d, RTCMR, 50000);
	wr(d, RTCLR, 49999);
	advance(d, NSEC);
	tap_ok(pin.level, "RTCLR moves the match: fires one second later");
	wr(d, RTCICR, 1);

	/* Sub-word and unaligned accesses. */
	b[0] = 0xaa;
	d->mmio(d, 0xfe0, b, 1, false);
	tap_ok(b[0] == 0x31, "byte read of periph id 0 = 0x31");
	memset(b, 0xaa, sizeof(b));
	d->mmio(d, RTCCR + 1, b, 1, false);
	tap_ok(b[0] == 0, "unaligned read = 0");

	/* Reset: registers back to power-on, the time kept. */
	wr(d, RTCMR, rd(d, RTCDR) + 5);
	wr(d, RTCMR, rd(d, RTCDR));
	tap_ok(pin.level, "alarm pending before reset");
	now = rd(d, RTCDR);
	d->reset(d);
	tap_ok(!pin.level && rd(d, RTCIMSC) == 0 && rd(d, RTCRIS) == 0 && rd(d, RTCMR) == 0 &&
	       rd(d, RTCLR) == 0, "reset: mask, status, match, load cleared; line low");
	tap_ok(rd(d, RTCDR) == now && rd(d, RTCCR) == 1, "reset: the clock keeps its time");
	advance(d, 10 * NSEC);
	tap_ok(!pin.level && rd(d, RTCRIS) == 0, "reset: no alarm left armed");

	test_fdt(d);
	tap_ok(!pin.level && pin.changes % 2 == 0, "every raise was followed by a lower (%d)",
	       pin.changes);
	d->exit(d);
	free(d);
}

/* The timer thread raises the line on time with no MMIO access at all. */
static void test_real_clock(void)
{
	static struct fake_pin pin;
	struct device *d;
	u32 host, now;
	int waited;

	host = (u32)time(NULL);
	d = pl031_create(LKVM_RTC_BASE, (struct irq_pin){ fake_set, &pin, LKVM_SPI_RTC, false });
	now = rd(d, RTCDR);
	tap_ok(now >= host && now <= (u32)time(NULL), "real clock: RTCDR = time() (%u)", now);
	wr(d, RTCIMSC, 1);
	wr(d, RTCMR, now + 2);
	for (waited = 0; waited < 5000 && !atomic_load(&pin.level); waited += 10)
		usleep(10 * 1000);
	tap_ok(atomic_load(&pin.level), "real clock: a 2 s alarm fired with no vCPU access");
	tap_ok(rd(d, RTCDR) >= now + 2, "real clock: it fired at or after the match");
	tap_ok(rd(d, RTCRIS) == 1, "real clock: RTCRIS = 1");
	wr(d, RTCICR, 1);
	tap_ok(!atomic_load(&pin.level), "real clock: RTCICR lowers the line");

	/* A far alarm must not keep exit() from returning. */
	wr(d, RTCMR, rd(d, RTCDR) + 3600);
	d->exit(d);
	tap_ok(true, "exit() returns with an alarm an hour away");
	free(d);
}

int main(void)
{
	tap_plan(46);
	test_fake_clock();
	test_real_clock();
	return tap_done();
}
