/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_TESTS_TAP_H
#define LKVM_TESTS_TAP_H

/*
 * kselftest-style TAP for the host-native unit tests.  Header-only: each test
 * binary is one translation unit.
 *
 *	tap_plan(3);
 *	tap_ok(x == 1, "x is one");
 *	tap_skip("needs /dev/kvm");
 *	tap_diag("x = %d", x);
 *	return tap_done();
 *
 * tests/unit/run.sh reads this output: keep to "ok N - desc", "not ok N - desc",
 * "ok N - desc # SKIP" and "# " diagnostics.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tap_planned_, tap_num_, tap_pass_, tap_fail_, tap_skip_;

static inline void tap_plan(int n)
{
	/* Unbuffered lines survive a crash later in the test. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_planned_ = n;
	printf("TAP version 13\n1..%d\n", n);
}

static inline void tap_vline_(const char *result, const char *suffix, const char *fmt,
			      va_list ap)
{
	printf("%s %d - ", result, ++tap_num_);
	vprintf(fmt, ap);
	printf("%s\n", suffix);
	fflush(stdout);
}

static inline bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline_(cond ? "ok" : "not ok", "", fmt, ap);
	va_end(ap);
	if (cond)
		tap_pass_++;
	else
		tap_fail_++;
	return cond;
}

static inline void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline_("ok", " # SKIP", fmt, ap);
	va_end(ap);
	tap_skip_++;
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Print the totals; the process exit code: 0 all passed, 1 otherwise. */
static inline int tap_done(void)
{
	if (tap_num_ != tap_planned_) {
		tap_diag("planned %d tests but ran %d", tap_planned_, tap_num_);
		tap_fail_ += tap_num_ < tap_planned_ ? tap_planned_ - tap_num_ : 1;
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", tap_pass_,
	       tap_fail_, tap_skip_);
	fflush(stdout);
	return tap_fail_ ? 1 : 0;
}

#endif
