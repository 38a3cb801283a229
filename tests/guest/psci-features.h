/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PSCI_VERSION and PSCI_FEATURES under a pinned version, shared by the
 * psci-features-*.c payloads.  Before including, define:
 *   PIN_MINOR   the pinned 1.x minor, or -1 for 0.2
 *   SUSPEND_ON  1 if SYSTEM_SUSPEND is offered (no --no-system-suspend)
 * Expected (KVM's table): SYSTEM_SUSPEND from 1.0 when enabled, RESET2 from
 * 1.1, SYSTEM_OFF2 from 1.3 answering 1 (bit 0: HIBERNATE_OFF); the calls
 * themselves answer NOT_SUPPORTED where FEATURES says so.  Where
 * SYSTEM_SUSPEND is offered, one real suspend/resume cycle runs.
 */
#include "psci-suspend.h"

#define IS_0_2		(PIN_MINOR < 0)
#define HAS_SUSPEND	(!IS_0_2 && SUSPEND_ON)
#define HAS_RESET2	(PIN_MINOR >= 1)
#define HAS_OFF2	(PIN_MINOR >= 3)

static u64 cval;

static void resumed(void)
{
	ok(resume_regs.count == 1 && resume_regs.x0 == 0x600d,
	   "SYSTEM_SUSPEND works: resumed at the entry, x0 = context id (%#lx)",
	   (unsigned long)resume_regs.x0);
	ok(resume_regs.cntvct >= cval, "CNTVCT_EL0 at the entry >= CNTV_CVAL_EL0");
	vtimer_off();
}

static void check(s64 got, s64 want, const char *what)
{
	ok(got == want, "%s = %ld (want %ld)", what, (long)got, (long)want);
}

void test_main(void)
{
	u32 v = psci_version();
	u32 want_major = IS_0_2 ? 0 : 1, want_minor = IS_0_2 ? 2 : (u32)PIN_MINOR;
	s64 r;

	plan(IS_0_2 ? 5 : (HAS_SUSPEND ? 11 : 10));
	ok(PSCI_VER_MAJOR(v) == want_major && PSCI_VER_MINOR(v) == want_minor,
	   "PSCI_VERSION = %u.%u (got %u.%u)", want_major, want_minor, PSCI_VER_MAJOR(v),
	   PSCI_VER_MINOR(v));
	if (IS_0_2) {
		check(psci_features(PSCI_SYSTEM_RESET), PSCI_RET_NOT_SUPPORTED,
		      "0.2: PSCI_FEATURES itself (a 1.0 call)");
		check(suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), 0),
		      PSCI_RET_NOT_SUPPORTED, "0.2: SYSTEM_SUSPEND call x0");
		check((s64)hvc2(PSCI_64(PSCI_SYSTEM_RESET2), 0, 0).a0, PSCI_RET_NOT_SUPPORTED,
		      "0.2: SYSTEM_RESET2 call x0");
		check((s64)hvc2(PSCI_64(PSCI_SYSTEM_OFF2), 1, 0).a0, PSCI_RET_NOT_SUPPORTED,
		      "0.2: SYSTEM_OFF2 call x0");
		return;
	}
	check(psci_features(PSCI_SYSTEM_SUSPEND), HAS_SUSPEND ? 0 : PSCI_RET_NOT_SUPPORTED,
	      "PSCI_FEATURES(SYSTEM_SUSPEND, SMC32 0x8400000e)");
	check(psci_features(PSCI_64(PSCI_SYSTEM_SUSPEND)), HAS_SUSPEND ? 0 : PSCI_RET_NOT_SUPPORTED,
	      "PSCI_FEATURES(SYSTEM_SUSPEND, SMC64 0xc400000e)");
	check(psci_features(PSCI_SYSTEM_RESET2), HAS_RESET2 ? 0 : PSCI_RET_NOT_SUPPORTED,
	      "PSCI_FEATURES(SYSTEM_RESET2, SMC32 0x84000012)");
	check(psci_features(PSCI_64(PSCI_SYSTEM_RESET2)), HAS_RESET2 ? 0 : PSCI_RET_NOT_SUPPORTED,
	      "PSCI_FEATURES(SYSTEM_RESET2, SMC64 0xc4000012)");
	check(psci_features(PSCI_SYSTEM_OFF2), HAS_OFF2 ? 1 : PSCI_RET_NOT_SUPPORTED,
	      "PSCI_FEATURES(SYSTEM_OFF2, SMC32 0x84000015)");
	check(psci_features(PSCI_64(PSCI_SYSTEM_OFF2)), HAS_OFF2 ? 1 : PSCI_RET_NOT_SUPPORTED,
	      "PSCI_FEATURES(SYSTEM_OFF2, SMC64 0xc4000015)");
	/* Calls that must not do anything where they are not offered. */
	r = HAS_RESET2 ? (s64)hvc2(PSCI_64(PSCI_SYSTEM_RESET2), 1, 0).a0
		       : (s64)hvc2(PSCI_64(PSCI_SYSTEM_RESET2), 0, 0).a0;
	check(r, HAS_RESET2 ? PSCI_RET_INVALID_PARAMS : PSCI_RET_NOT_SUPPORTED,
	      HAS_RESET2 ? "SYSTEM_RESET2(type 1) call x0" : "SYSTEM_RESET2(warm) call x0");
	r = HAS_OFF2 ? (s64)hvc2(PSCI_64(PSCI_SYSTEM_OFF2), 1, 1).a0
		     : (s64)hvc2(PSCI_64(PSCI_SYSTEM_OFF2), 1, 0).a0;
	check(r, HAS_OFF2 ? PSCI_RET_INVALID_PARAMS : PSCI_RET_NOT_SUPPORTED,
	      HAS_OFF2 ? "SYSTEM_OFF2(1, cookie 1) call x0" : "SYSTEM_OFF2(1, 0) call x0");
	if (!HAS_SUSPEND) {
		check(suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), 0x600d),
		      PSCI_RET_NOT_SUPPORTED, "SYSTEM_SUSPEND call x0");
		return;
	}
	gic_init();
	gic_enable_irq(TIMER_VIRT_INTID);
	suspend_prepare(resumed);
	cval = vtimer_arm_us(10000);
	r = suspend_call(PSCI_64(PSCI_SYSTEM_SUSPEND), entry_addr(), 0x600d);
	vtimer_off();
	bail("SYSTEM_SUSPEND returned %ld", (long)r);
}
