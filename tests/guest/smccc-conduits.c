// SPDX-License-Identifier: GPL-2.0
/*
 * The SMCCC router takes both conduits: an SDEI call made with SMC is
 * forwarded and answered like one made with HVC, arguments and results
 * alike, and the guest resumes at the instruction after the SMC (KVM has
 * already stepped the PC; lkvm must not step it again).  An id in the
 * forwarded range that SDEI does not define is NOT_SUPPORTED on both.
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 */
#include "sdei.h"

u64 sdei_handler(struct sdei_frame *f)
{
	bail("SDEI event %lu delivered in a test that raises none", (unsigned long)f->x[0]);
}

/*
 * SDEI VERSION by SMC, then one instruction that counts: it runs once if
 * the guest resumes right after the SMC, never if lkvm stepped the PC twice.
 */
static u64 smc_version_then_count(u64 *count)
{
	register u64 x0 __asm__("x0") = SDEI_VERSION;
	register u64 x5 __asm__("x5") = 0;

	__asm__ volatile("smc #0\n\tadd x5, x5, #1"
			 : "+r"(x0), "+r"(x5)
			 :
			 : "x1", "x2", "x3", "memory");
	*count = x5;
	return x0;
}

void test_main(void)
{
	s64 by_hvc, by_smc;
	struct smccc_res r;
	u64 count = 0;

	plan(7);
	by_hvc = (s64)hvc(SDEI_VERSION, 0, 0, 0, 0, 0, 0, 0).a0;
	by_smc = (s64)smc(SDEI_VERSION, 0, 0, 0, 0, 0, 0, 0).a0;
	ok(by_hvc > 0 && by_smc == by_hvc, "VERSION by SMC = by HVC (%#lx)", (unsigned long)by_smc);
	ok(smc_version_then_count(&count) == (u64)by_hvc && count == 1,
	   "after the SMC the next instruction runs exactly once (%lu)", (unsigned long)count);

	r = smc(SDEI_EVENT_REGISTER, 0, (u64)(uintptr_t)sdei_entry, 0, SDEI_RM_ANY, 0, 0, 0);
	ok((s64)r.a0 == SDEI_SUCCESS, "EVENT_REGISTER(0) by SMC: arguments read (%ld)", (long)r.a0);
	r = hvc(SDEI_EVENT_STATUS, 0, 0, 0, 0, 0, 0, 0);
	ok((s64)r.a0 == SDEI_ST_REGISTERED, "and seen by HVC: STATUS = registered (%ld)",
	   (long)r.a0);
	r = smc(SDEI_EVENT_UNREGISTER, 0, 0, 0, 0, 0, 0, 0);
	ok((s64)r.a0 == SDEI_SUCCESS, "EVENT_UNREGISTER(0) by SMC (%ld)", (long)r.a0);

	r = smc(0xc400003fu, 0, 0, 0, 0, 0, 0, 0);
	ok((s64)r.a0 == SDEI_NOT_SUPPORTED, "an undefined id in the SDEI range by SMC: NOT_SUPPORTED");
	r = hvc(0xc400003fu, 0, 0, 0, 0, 0, 0, 0);
	ok((s64)r.a0 == SDEI_NOT_SUPPORTED, "the same by HVC: NOT_SUPPORTED");
}
