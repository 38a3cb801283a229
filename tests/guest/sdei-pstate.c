// SPDX-License-Identifier: GPL-2.0
/*
 * An SDEI handler starts with the PSTATE an exception entry to EL1h would
 * give it (as TF-A builds it), not a fixed 0x3c5: PAN is set when
 * SCTLR_EL1.SPAN is clear and kept when it is set; SSBS follows
 * SCTLR_EL1.DSSBS; BTYPE is clear.
 *
 * lkvm-args: -c 1 -m 64 --test-device
 * expect-exit: 0
 */
#include "sdei.h"

#define SCTLR_SPAN	(1ULL << 23)
#define SCTLR_DSSBS	(1ULL << 44)
#define PSR_PAN		(1ULL << 22)
#define PSR_SSBS	(1ULL << 12)

static volatile u64 seen_pan, seen_ssbs, seen_daif, handled;

/* By encoding: the assembler need not know ARMv8.1 or 8.5 names. */
static u64 read_pan(void) { return read_sysreg(s3_0_c4_c2_3); }
static u64 read_ssbs(void) { return read_sysreg(s3_3_c4_c2_6); }
static void set_pan(bool on) { write_sysreg(on ? PSR_PAN : 0, s3_0_c4_c2_3); isb(); }
static void set_ssbs(bool on) { write_sysreg(on ? PSR_SSBS : 0, s3_3_c4_c2_6); isb(); }

u64 sdei_handler(struct sdei_frame *f)
{
	seen_pan = read_pan();
	seen_ssbs = read_ssbs();
	seen_daif = read_daif();
	handled++;
	return 0;
}

static void raise_once(void)
{
	u64 before = handled;

	testdev_raise(EV_PRIV_NORMAL, 0);
	while (handled == before)
		cpu_relax();
}

void test_main(void)
{
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
	u64 sctlr = read_sysreg(sctlr_el1);

	if (!((mmfr1 >> 20) & 0xf) || !((pfr1 >> 4) & 0xf))
		skip_all("the vCPU has no PAN or no SSBS");
	plan(5);
	ok(sdei_register(EV_PRIV_NORMAL, (u64)sdei_entry, 0, SDEI_RM_ANY, 0) == SDEI_SUCCESS &&
	   sdei_enable(EV_PRIV_NORMAL) == SDEI_SUCCESS && sdei_pe_unmask() == SDEI_SUCCESS,
	   "event 1000 registered, enabled, PE unmasked");

	/* SPAN clear, DSSBS set, interrupted with PAN and SSBS clear. */
	write_sysreg((sctlr & ~SCTLR_SPAN) | SCTLR_DSSBS, sctlr_el1);
	isb();
	set_pan(false);
	set_ssbs(false);
	raise_once();
	ok(seen_pan == PSR_PAN, "SPAN clear: the handler runs with PAN set (%#lx)",
	   (unsigned long)seen_pan);
	ok(seen_ssbs == PSR_SSBS && seen_daif == 0x3c0,
	   "DSSBS set: SSBS set, and D, A, I, F masked (SSBS %#lx, DAIF %#lx)",
	   (unsigned long)seen_ssbs, (unsigned long)seen_daif);

	/* SPAN set, DSSBS clear, interrupted with PAN clear and SSBS set. */
	write_sysreg((sctlr | SCTLR_SPAN) & ~SCTLR_DSSBS, sctlr_el1);
	isb();
	set_pan(false);
	set_ssbs(true);
	raise_once();
	ok(seen_pan == 0, "SPAN set: PAN kept clear (%#lx)", (unsigned long)seen_pan);
	ok(seen_ssbs == 0, "DSSBS clear: SSBS clear though it was set (%#lx)",
	   (unsigned long)seen_ssbs);
	set_pan(false);
	write_sysreg(sctlr, sctlr_el1);
	isb();
}
