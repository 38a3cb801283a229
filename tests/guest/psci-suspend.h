/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the psci-*.c payloads that suspend: a resume entry point that
 * records the state the vCPU arrives in before touching anything, wake-up
 * sources (virtual timer, PL031 alarm), and the raw SYSTEM_SUSPEND call.
 *
 * Include from exactly one .c file per payload (it defines symbols).
 */
#ifndef PSCI_SUSPEND_H
#define PSCI_SUSPEND_H

#include "libtest.h"

#define SCTLR_M		BIT(0)
#define SCTLR_C		BIT(2)
#define SCTLR_I		BIT(12)
#define SCTLR_EE	BIT(25)
#define DAIF_ALL	0x3c0UL
#define CNTV_CTL_ENABLE	BIT(0)

/* PL031 at kvmtool's RTC address, SPI 4. */
#define RTC_BASE	0x01010000UL
#define RTCDR		0x00
#define RTCMR		0x04
#define RTCLR		0x08
#define RTCIMSC		0x10
#define RTCRIS		0x14
#define RTCMIS		0x18
#define RTCICR		0x1c
#define RTC_INTID	GIC_SPI(4)

/* What the vCPU looked like at the first instruction of resume_entry. */
struct resume_regs {
	u64 x0, x1;		/* +0, +8 */
	u64 current_el, spsel;	/* +16, +24 */
	u64 daif, sctlr;	/* +32, +40 */
	u64 cntvct, count;	/* +48, +56: count = times entered */
};

volatile struct resume_regs resume_regs;
u64 saved_vbar;
void resume_entry(void);
void resume_c(void);

/* Runs on the boot stack after every resume; must not return. */
static void (*resume_cont)(void);

/*
 * No stack and no VBAR are assumed: the PSCI reset state leaves both
 * unknown.  Record, then restore the runtime's vectors and boot stack.
 */
__asm__(".pushsection .text\n"
	".balign 4\n"
	".globl resume_entry\n"
	"resume_entry:\n"
	"	ldr	x9, =resume_regs\n"
	"	stp	x0, x1, [x9, #0]\n"
	"	mrs	x10, CurrentEL\n"
	"	mrs	x11, SPSel\n"
	"	stp	x10, x11, [x9, #16]\n"
	"	mrs	x10, DAIF\n"
	"	mrs	x11, sctlr_el1\n"
	"	stp	x10, x11, [x9, #32]\n"
	"	isb\n"
	"	mrs	x10, cntvct_el0\n"
	"	ldr	x11, [x9, #56]\n"
	"	add	x11, x11, #1\n"
	"	stp	x10, x11, [x9, #48]\n"
	"	ldr	x10, =saved_vbar\n"
	"	ldr	x10, [x10]\n"
	"	msr	vbar_el1, x10\n"
	"	ldr	x10, =__stack0_top\n"
	"	mov	sp, x10\n"
	"	isb\n"
	"	bl	resume_c\n"
	"1:	wfi\n"
	"	b	1b\n"
	".ltorg\n"
	".popsection\n");

void resume_c(void)
{
	if (!resume_cont)
		bail("resumed with no continuation set");
	resume_cont();
	done();
}

static inline u64 us_to_ticks(u64 us)
{
	return us * read_cntfrq() / 1000000;
}

static inline u64 ticks_to_us(u64 ticks)
{
	return ticks * 1000000 / read_cntfrq();
}

/* Arm the virtual timer @us from now (PPI 27 must be enabled); returns CVAL. */
static inline u64 vtimer_arm_us(u64 us)
{
	u64 cval;

	write_cntv_ctl(0);
	cval = read_cntvct() + us_to_ticks(us);
	write_cntv_cval(cval);
	write_cntv_ctl(CNTV_CTL_ENABLE);
	return cval;
}

static inline void vtimer_off(void)
{
	write_cntv_ctl(0);
}

/*
 * Interrupts the caller took between the call and the resume: only possible
 * if the call returned into it instead of resuming at the entry point.
 */
static volatile int irqs_taken;

/* The timer's interrupt, should it reach the caller: count it, stop the timer. */
static inline bool timer_irq_handler(struct pt_regs *regs, u64 esr)
{
	irqs_taken++;
	vtimer_off();
	gic_eoi(gic_ack());
	return true;
}

/* The raw call: x0 = @fid, x1 = @entry, x2 = @context; returns x0. */
static inline s64 suspend_call(u32 fid, u64 entry, u64 context)
{
	return (s64)hvc(fid, entry, context, 0, 0, 0, 0, 0).a0;
}

/* Prepare for suspend_call(): where to go on resume. */
static inline void suspend_prepare(void (*cont)(void))
{
	saved_vbar = read_sysreg(vbar_el1);
	resume_cont = cont;
	dsb(sy);
}

static inline u64 entry_addr(void)
{
	return (u64)(uintptr_t)resume_entry;
}

static inline u64 ram_size(void)
{
	u32 len;
	const void *p = fdt_getprop("/memory", "reg", &len);

	return p && len == 16 ? fdt64((const u8 *)p + 8) : 0;
}

static inline u32 rtc_read(u32 reg)
{
	return readl(RTC_BASE + reg);
}

static inline void rtc_write(u32 reg, u32 val)
{
	writel(val, RTC_BASE + reg);
}

/*
 * Counting boots across a reboot in place, where RAM starts zeroed: the PL031
 * keeps its time across a reset (battery-backed), so boot N loads the clock
 * with BOOT_MARK + N * BOOT_STEP seconds and boot N + 1 reads its number back.
 * A clock that was never loaded reads the host's time, far outside the band.
 */
#define BOOT_MARK	0x40000000u
#define BOOT_STEP	1000u
#define BOOT_MAX	100u

static inline unsigned int boot_number(void)
{
	u32 t = rtc_read(RTCDR);

	if (t < BOOT_MARK || t >= BOOT_MARK + BOOT_MAX * BOOT_STEP)
		return 1;
	return (t - BOOT_MARK) / BOOT_STEP + 1;
}

static inline void boot_mark(unsigned int this_boot)
{
	rtc_write(RTCLR, BOOT_MARK + this_boot * BOOT_STEP);
}

/*
 * What an OS redoes on resume: the GIC CPU interface (the distributor keeps
 * its state; re-enabling it while an SPI is pending is not what we test).
 */
static inline void gic_cpu_if_init(void)
{
	write_sysreg(read_sysreg(S3_0_C12_C12_5) | 1, S3_0_C12_C12_5);	/* ICC_SRE_EL1.SRE */
	isb();
	write_sysreg(0xff, S3_0_C4_C6_0);	/* ICC_PMR_EL1 */
	write_sysreg(0, S3_0_C12_C12_3);	/* ICC_BPR1_EL1 */
	write_sysreg(1, S3_0_C12_C12_7);	/* ICC_IGRPEN1_EL1 */
	isb();
}

static inline u32 gic_hppir1(void)
{
	return (u32)read_sysreg(S3_0_C12_C12_2) & 0xffffff;	/* ICC_HPPIR1_EL1 */
}

/* GICD_ISPENDR bit for an SPI. */
static inline bool gic_spi_pending(u32 intid)
{
	return readl(GICD_BASE + 0x200 + 4 * (intid / 32)) & BIT(intid % 32);
}

#endif
