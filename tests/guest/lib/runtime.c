// SPDX-License-Identifier: GPL-2.0
/* Start-up, TAP reporting, exception dispatch and delays. */
#include "libtest.h"

void libtest_start(u64 dtb);
void libtest_secondary(void *boot);
void libtest_exception(u64 kind, struct pt_regs *regs);

u64 boot_dtb;
static int tests_planned = -1, tests_run, tests_failed;
static exc_handler_t sync_handler, irq_handler;

void libtest_start(u64 dtb)
{
	boot_dtb = dtb;
	printf("# lkvm-test: start\n");
	test_main();
	done();
}

void plan(int n)
{
	tests_planned = n;
	printf("1..%d\n", n);
}

bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tests_run++;
	if (!cond)
		tests_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return cond;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	psci_system_off();
}

void bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	/* The runner sees "Bail out!" whatever lkvm's exit status is. */
	hvc0(PSCI_SYSTEM_OFF);
	for (;;)
		wfi();
}

void done(void)
{
	if (tests_planned < 0)
		printf("1..%d\n", tests_run);
	else if (tests_planned != tests_run)
		diag("planned %d tests but ran %d", tests_planned, tests_run);
	printf("# lkvm-test: done pass=%d fail=%d\n", tests_run - tests_failed, tests_failed);
	psci_system_off();
}

void install_sync_handler(exc_handler_t h)
{
	sync_handler = h;
}

void install_irq_handler(exc_handler_t h)
{
	irq_handler = h;
}

static const char *const vec_names[] = { "sync", "irq", "fiq", "serror" };
static const char *const vec_from[] = { "EL1t", "EL1h", "EL0/64", "EL0/32" };

void libtest_exception(u64 kind, struct pt_regs *regs)
{
	u64 esr = read_sysreg(esr_el1);
	unsigned int type = kind & 3;

	if ((kind >> 4) == 1) {
		if (type == VEC_SYNC && sync_handler && sync_handler(regs, esr))
			return;
		if (type == VEC_IRQ && irq_handler && irq_handler(regs, esr))
			return;
	}
	printf("not ok %d - unexpected %s exception from %s on MPIDR %#lx\n", ++tests_run,
	       vec_names[type], vec_from[kind >> 4], (unsigned long)read_mpidr());
	printf("# ESR_EL1=%#lx (EC %#lx) ELR_EL1=%#lx FAR_EL1=%#lx SPSR_EL1=%#lx\n",
	       (unsigned long)esr, (unsigned long)(esr >> 26), (unsigned long)regs->elr,
	       (unsigned long)read_sysreg(far_el1), (unsigned long)regs->spsr);
	bail("unexpected exception");
}

u64 deadline_us(u64 us)
{
	return read_cntvct() + us * read_cntfrq() / 1000000;
}

void udelay(u64 us)
{
	u64 end = deadline_us(us);

	while (!past(end))
		cpu_relax();
}
