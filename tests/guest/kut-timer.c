// SPDX-License-Identifier: GPL-2.0
/*
 * The generic timers as kvm-unit-tests' arm/timer.c checks them, for the
 * EL1 virtual timer (CNTV_*, INTID 27) and the EL1 physical timer (CNTP_*,
 * INTID 30): the interrupt arrives through the GIC once the counter passes
 * CVAL and not before, with CTL.ISTATUS set; with PSTATE.I masked the GIC
 * shows it pending (GICR_ISPENDR0) and the pending state goes away when the
 * timer is disabled; with CTL.IMASK set ISTATUS still rises but nothing is
 * signalled until IMASK is cleared; TVAL writes set CVAL = counter + TVAL and
 * reads count down through zero into negative values; a CVAL far in the
 * future does not fire; and WFI wakes up for the virtual timer (KVM blocks
 * the vCPU and must wake it from its background timer).
 *
 * lkvm-args: -c 1 -m 64
 * expect-exit: 0
 * timeout: 60
 */
#include "libtest.h"

#define CTL_ENABLE	BIT(0)
#define CTL_IMASK	BIT(1)
#define CTL_ISTATUS	BIT(2)

#define TIMER_PHYS_INTID 30
#define GICR_ISPENDR0	0x10200		/* SGI_base + GICR_ISPENDR0 */

struct timer {
	const char *name;
	u32 intid;
	u64 (*cnt)(void);
	u64 (*ctl)(void);
	void (*set_ctl)(u64 v);
	u64 (*cval)(void);
	void (*set_cval)(u64 v);
	s32 (*tval)(void);
	void (*set_tval)(s32 v);
};

/*
 * Accessors: the register names must be literal in the instruction, so each
 * timer gets its own small functions.  Writes are followed by an ISB so the
 * new setting is in force before the caller looks at the result.
 */
#define TIMER_ACCESSORS(t)							\
static u64 t##_cnt(void) { isb(); return read_sysreg(cnt##t##ct_el0); }	\
static u64 t##_ctl(void) { return read_sysreg(cnt##t##_ctl_el0); }		\
static void t##_set_ctl(u64 v) { write_sysreg(v, cnt##t##_ctl_el0); isb(); }	\
static u64 t##_cval(void) { return read_sysreg(cnt##t##_cval_el0); }		\
static void t##_set_cval(u64 v) { write_sysreg(v, cnt##t##_cval_el0); isb(); }	\
static s32 t##_tval(void) { return (s32)read_sysreg(cnt##t##_tval_el0); }	\
static void t##_set_tval(s32 v) { write_sysreg((u64)(u32)v, cnt##t##_tval_el0); isb(); }

TIMER_ACCESSORS(v)
TIMER_ACCESSORS(p)

static const struct timer timers[] = {
	{ "vtimer", TIMER_VIRT_INTID, v_cnt, v_ctl, v_set_ctl, v_cval, v_set_cval,
	  v_tval, v_set_tval },
	{ "ptimer", TIMER_PHYS_INTID, p_cnt, p_ctl, p_set_ctl, p_cval, p_set_cval,
	  p_tval, p_set_tval },
};

/* What the IRQ handler saw, per timer (index into timers[]). */
static volatile u32 irq_count[2];
static volatile u64 irq_at[2];		/* the timer's counter on entry */
static volatile u64 irq_ctl[2];		/* its CTL on entry */
static volatile u32 irq_other;		/* anything that was not a timer */

static u64 ticks_us(u64 us)
{
	return us * read_cntfrq() / 1000000;
}

static bool irq(struct pt_regs *regs, u64 esr)
{
	u32 intid = gic_ack();

	if (intid >= 1020)
		return true;	/* spurious: whatever it was went away */
	for (unsigned int i = 0; i < ARRAY_SIZE(timers); i++) {
		const struct timer *t = &timers[i];

		if (intid != t->intid)
			continue;
		irq_at[i] = t->cnt();
		irq_ctl[i] = t->ctl();
		/*
		 * The timer's output is a level: mask it at the timer, or the
		 * interrupt is taken again as soon as we return.
		 */
		t->set_ctl(irq_ctl[i] | CTL_IMASK);
		irq_count[i]++;
		gic_eoi(intid);
		return true;
	}
	irq_other++;
	gic_eoi(intid);
	return true;
}

static bool gic_pending(u32 intid)
{
	return readl(gic_redist_base() + GICR_ISPENDR0) & BIT(intid);
}

/* Poll the GIC's pending bit until it reads @want or @us pass. */
static bool wait_pending(u32 intid, bool want, u64 us)
{
	u64 end = deadline_us(us);

	while (gic_pending(intid) != want && !past(end))
		cpu_relax();
	return gic_pending(intid) == want;
}

static bool wait_irq(unsigned int i, u32 count, u64 us)
{
	u64 end = deadline_us(us);

	while (irq_count[i] < count && !past(end))
		cpu_relax();
	return irq_count[i] >= count;
}

static void test_fire(unsigned int i)
{
	const struct timer *t = &timers[i];
	u64 cval, ctl, now;

	t->set_ctl(0);
	irq_count[i] = 0;
	cval = t->cnt() + ticks_us(50000);
	t->set_cval(cval);
	t->set_ctl(CTL_ENABLE);
	ctl = t->ctl();
	now = t->cnt();
	/* If this vCPU was descheduled for 50 ms the check proves nothing. */
	ok(!(ctl & CTL_ISTATUS) || now >= cval, "%s: CTL.ISTATUS clear before CVAL (%#lx)",
	   t->name, (unsigned long)ctl);
	local_irq_enable();
	wait_irq(i, 1, 2000000);
	ok(irq_count[i] == 1, "%s: interrupt INTID %u taken once CVAL passed (%u)", t->name,
	   t->intid, irq_count[i]);
	ok(irq_count[i] && irq_at[i] >= cval,
	   "%s: not before CVAL: counter %#lx at the interrupt, CVAL %#lx", t->name,
	   (unsigned long)irq_at[i], (unsigned long)cval);
	ok(irq_count[i] && (irq_ctl[i] & (CTL_ENABLE | CTL_ISTATUS)) == (CTL_ENABLE | CTL_ISTATUS),
	   "%s: CTL.ISTATUS set in the handler (%#lx)", t->name, (unsigned long)irq_ctl[i]);
	/* The handler set IMASK: the condition holds but must not re-signal. */
	udelay(10000);
	ok(irq_count[i] == 1 && (t->ctl() & CTL_ISTATUS),
	   "%s: masked with IMASK, ISTATUS stays set and no second interrupt (%u)", t->name,
	   irq_count[i]);
	t->set_ctl(0);
	local_irq_disable();
}

static void test_pending(unsigned int i)
{
	const struct timer *t = &timers[i];

	irq_count[i] = 0;
	local_irq_disable();
	t->set_cval(t->cnt() - 1);	/* already expired */
	t->set_ctl(CTL_ENABLE);
	ok(wait_pending(t->intid, true, 1000000),
	   "%s: PSTATE.I set: expired timer shows pending in GICR_ISPENDR0", t->name);
	t->set_ctl(0);
	ok(wait_pending(t->intid, false, 1000000),
	   "%s: disabling the timer takes the pending state away", t->name);
	local_irq_enable();
	udelay(10000);
	local_irq_disable();
	ok(irq_count[i] == 0, "%s: no interrupt taken once unmasked (%u)", t->name,
	   irq_count[i]);
}

static void test_imask(unsigned int i)
{
	const struct timer *t = &timers[i];

	irq_count[i] = 0;
	t->set_cval(t->cnt() - 1);
	t->set_ctl(CTL_ENABLE | CTL_IMASK);
	local_irq_enable();
	udelay(20000);
	ok(irq_count[i] == 0 && (t->ctl() & CTL_ISTATUS) && !gic_pending(t->intid),
	   "%s: IMASK: ISTATUS set, nothing pending at the GIC, no interrupt (%u, %#lx)",
	   t->name, irq_count[i], (unsigned long)t->ctl());
	t->set_ctl(CTL_ENABLE);
	wait_irq(i, 1, 2000000);
	ok(irq_count[i] == 1, "%s: clearing IMASK delivers the interrupt (%u)", t->name,
	   irq_count[i]);
	local_irq_disable();
	t->set_ctl(0);
}

static void test_tval(unsigned int i)
{
	const struct timer *t = &timers[i];
	s64 ticks = (s64)ticks_us(200000);
	u64 a, b, cval, end;
	s32 tv;

	t->set_ctl(0);
	a = t->cnt();
	t->set_tval((s32)ticks);
	b = t->cnt();
	cval = t->cval();
	ok(cval >= a + ticks && cval <= b + ticks,
	   "%s: writing TVAL sets CVAL = counter + TVAL (%#lx in [%#lx, %#lx])", t->name,
	   (unsigned long)cval, (unsigned long)(a + ticks), (unsigned long)(b + ticks));
	udelay(20000);
	a = t->cnt();
	tv = t->tval();
	b = t->cnt();
	ok(tv < ticks && (s64)tv <= (s64)(cval - a) && (s64)tv >= (s64)(cval - b),
	   "%s: TVAL counts down: %d = CVAL - counter, below the %ld written", t->name, tv,
	   (long)ticks);
	/* Expire it (masked, IRQs off) and read TVAL going negative. */
	t->set_tval((s32)ticks_us(1000));
	t->set_ctl(CTL_ENABLE | CTL_IMASK);
	end = deadline_us(1000000);
	while (!(t->ctl() & CTL_ISTATUS) && !past(end))
		cpu_relax();
	udelay(2000);
	tv = t->tval();
	ok((t->ctl() & CTL_ISTATUS) && tv < 0,
	   "%s: after expiry ISTATUS is set and TVAL is negative (%d)", t->name, tv);
	t->set_ctl(0);
}

static void test_far(unsigned int i)
{
	const struct timer *t = &timers[i];

	irq_count[i] = 0;
	t->set_cval(t->cnt() + (1ULL << 62));
	t->set_ctl(CTL_ENABLE);
	local_irq_enable();
	udelay(20000);
	local_irq_disable();
	ok(irq_count[i] == 0 && !(t->ctl() & CTL_ISTATUS),
	   "%s: CVAL 2^62 ticks ahead: no interrupt, ISTATUS clear (%u, %#lx)", t->name,
	   irq_count[i], (unsigned long)t->ctl());
	t->set_ctl(0);
}

/*
 * WFI with the virtual timer armed: KVM blocks the vCPU and has to wake it
 * when the guest's timer would fire.  The physical timer stands by as a
 * watchdog so that a lost wake-up fails the test instead of hanging it.
 */
static void test_wfi(void)
{
	const struct timer *v = &timers[0], *p = &timers[1];
	u64 cval, end = deadline_us(3000000);

	irq_count[0] = irq_count[1] = 0;
	p->set_cval(p->cnt() + ticks_us(1000000));
	p->set_ctl(CTL_ENABLE);
	cval = v->cnt() + ticks_us(20000);
	v->set_cval(cval);
	v->set_ctl(CTL_ENABLE);
	local_irq_enable();
	while (!irq_count[0] && !irq_count[1] && !past(end))
		wfi();
	local_irq_disable();
	ok(irq_count[0] == 1 && !irq_count[1] && irq_at[0] >= cval,
	   "vtimer: WFI woken by the timer interrupt (vtimer %u, watchdog %u)", irq_count[0],
	   irq_count[1]);
	v->set_ctl(0);
	p->set_ctl(0);
}

void test_main(void)
{
	plan(2 * 14 + 3);
	local_irq_disable();
	install_irq_handler(irq);
	gic_init();
	for (unsigned int i = 0; i < ARRAY_SIZE(timers); i++) {
		timers[i].set_ctl(0);
		gic_enable_irq(timers[i].intid);
	}
	ok(read_cntfrq() != 0, "CNTFRQ_EL0 = %lu Hz", (unsigned long)read_cntfrq());
	for (unsigned int i = 0; i < ARRAY_SIZE(timers); i++) {
		test_fire(i);
		test_pending(i);
		test_imask(i);
		test_tval(i);
		test_far(i);
	}
	test_wfi();
	ok(irq_other == 0, "no interrupt other than the timers' (%u)", irq_other);
}
