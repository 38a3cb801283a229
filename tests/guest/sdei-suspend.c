// SPDX-License-Identifier: GPL-2.0
/*
 * A PE in SYSTEM_SUSPEND takes no SDEI event: the VMM raises event 1000 from
 * a host thread (test device, 100 ms) while the only vCPU is suspended until
 * its timer fires at 400 ms.  The event neither runs nor wakes the PE; it
 * stays pending, and the PE comes back masked, so it is delivered at the
 * PE_UNMASK after the resume.
 *
 * lkvm-args: -c 1 -m 64 --test-device --loglevel info
 * expect-exit: 0
 * expect-output: guest suspended \(SYSTEM_SUSPEND on vCPU 0
 * expect-output: guest resumed \(vCPU 0 at
 * timeout: 60
 */
#include "psci-suspend.h"
#include "sdei.h"

#define RAISE_LATER_MS	100ULL
#define WAKE_US		400000

static u64 cval;
static volatile u64 handled, handled_event;

u64 sdei_handler(struct sdei_frame *f)
{
	handled++;
	handled_event = f->x[0];
	return 0;
}

static void resumed(void)
{
	const volatile struct resume_regs *r = &resume_regs;
	s64 ret;

	vtimer_off();
	ok(r->count == 1 && r->cntvct >= cval,
	   "resumed once, at CNTVCT %lu >= the timer's %lu: the event did not wake the PE",
	   (unsigned long)r->cntvct, (unsigned long)cval);
	ok(handled == 0, "no handler ran while the PE was suspended (%lu)",
	   (unsigned long)handled);
	ok((s64)readq(TESTDEV_BASE + 8) == TESTDEV_PENDING,
	   "the VMM raised event 1000 during the suspend: RESULT = 0, pending (%ld)",
	   (long)readq(TESTDEV_BASE + 8));
	ok(sdei_status(EV_PRIV_NORMAL) == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED),
	   "EVENT_STATUS(1000) = registered | enabled, not running (%ld)",
	   (long)sdei_status(EV_PRIV_NORMAL));
	ret = sdei_pe_unmask();
	ok(ret == SDEI_SUCCESS, "PE_UNMASK after the resume = SUCCESS (%ld)", (long)ret);
	ok(handled == 1 && handled_event == EV_PRIV_NORMAL,
	   "the event kept through the suspend runs at PE_UNMASK: %lu run(s), event %lu",
	   (unsigned long)handled, (unsigned long)handled_event);
}

void test_main(void)
{
	s64 ret;

	plan(8);
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	install_irq_handler(timer_irq_handler);

	ok(sdei_register(EV_PRIV_NORMAL, (u64)(uintptr_t)sdei_entry, 0x5a, SDEI_RM_ANY, 0) ==
		   SDEI_SUCCESS && sdei_enable(EV_PRIV_NORMAL) == SDEI_SUCCESS,
	   "event 1000 registered and enabled");
	ok(sdei_pe_unmask() == SDEI_SUCCESS, "PE unmasked before the suspend");

	suspend_prepare(resumed);
	writeq((u64)EV_PRIV_NORMAL | (RAISE_LATER_MS << 48), TESTDEV_BASE + 0x10);
	cval = vtimer_arm_us(WAKE_US);
	__asm__ volatile("msr daifclr, #0xf" : : : "memory");
	ret = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), 0);
	__asm__ volatile("msr daifset, #0xf" : : : "memory");
	vtimer_off();
	bail("SYSTEM_SUSPEND returned %ld", (long)ret);
}
