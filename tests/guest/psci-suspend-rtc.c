// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-up by the PL031 RTC alarm (SPI 4, INTID 36), the virtual timer off:
 * the vCPU stays suspended until the RTC counter reaches the match register,
 * then resumes at the entry with the alarm interrupt pending in the GIC,
 * delivered once the resumed guest sets up its GIC CPU interface and unmasks.
 *
 * lkvm-args: -c 1 -m 64 --loglevel info --stats
 * expect-exit: 0
 * expect-output: stats: suspends 1 resumes 1
 * timeout: 60
 */
#include "psci-suspend.h"

#define CONTEXT 0x0badc0deULL

static u32 match;
static volatile u32 delivered = 1023;

static bool irq_handler(struct pt_regs *regs, u64 esr)
{
	u32 intid = gic_ack();

	delivered = intid;
	if (intid == RTC_INTID)
		rtc_write(RTCICR, 1);
	if (intid < 1020)
		gic_eoi(intid);
	return true;
}

static void resumed(void)
{
	u32 now = rtc_read(RTCDR);
	u64 end;

	ok(resume_regs.count == 1 && resume_regs.x0 == CONTEXT,
	   "resumed at the entry once, x0 = context id (%#lx)", (unsigned long)resume_regs.x0);
	ok(now >= match, "RTCDR %u >= RTCMR %u: not woken before the alarm", now, match);
	ok(rtc_read(RTCRIS) & 1, "RTCRIS = 1: the alarm fired");
	ok(rtc_read(RTCMIS) & 1, "RTCMIS = 1: and is unmasked");
	ok(gic_spi_pending(RTC_INTID), "GICD_ISPENDR: INTID %u (RTC) pending", RTC_INTID);
	ok(gic_hppir1() == RTC_INTID, "ICC_HPPIR1_EL1 = %u at the entry (got %u)", RTC_INTID,
	   gic_hppir1());
	gic_cpu_if_init();
	install_irq_handler(irq_handler);
	local_irq_enable();
	end = deadline_us(1000000);
	while (delivered == 1023 && !past(end))
		cpu_relax();
	local_irq_disable();
	ok(delivered == RTC_INTID,
	   "ICC_IAR1_EL1 = %u once unmasked: the RTC is the wake-up source (got %u)", RTC_INTID,
	   delivered);
	rtc_write(RTCIMSC, 0);
}

void test_main(void)
{
	s64 r;

	plan(8);
	vtimer_off();
	gic_init();
	gic_enable_irq(RTC_INTID);
	suspend_prepare(resumed);
	rtc_write(RTCIMSC, 0);
	rtc_write(RTCICR, 1);
	match = rtc_read(RTCDR) + 2;
	rtc_write(RTCMR, match);
	rtc_write(RTCIMSC, 1);
	ok(!(rtc_read(RTCRIS) & 1) && read_cntv_ctl() == 0,
	   "before the call: RTCRIS = 0, CNTV_CTL_EL0 = 0 (alarm at %u)", match);
	r = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), CONTEXT);
	bail("SYSTEM_SUSPEND returned %ld", (long)r);
}
