/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the PSCI bench payloads: "key=N" from /chosen/bootargs (lkvm
 * -p), and one result line per figure: "BENCH <name> <value> <unit>".
 */
#ifndef BENCH_H
#define BENCH_H

#include "libtest.h"

static inline u64 bench_arg(const char *key, u64 def)
{
	u32 len = 0;
	const char *p = fdt_getprop("/chosen", "bootargs", &len);
	size_t kl = strlen(key);

	for (u32 i = 0; p && i + kl + 1 < len; i++) {
		u64 v = 0;

		if ((i && p[i - 1] != ' ') || strncmp(p + i, key, kl) || p[i + kl] != '=')
			continue;
		for (i += kl + 1; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			v = v * 10 + (u64)(p[i] - '0');
		return v;
	}
	return def;
}

static inline void bench_line(const char *name, u64 value, const char *unit)
{
	printf("BENCH %s %lu %s\n", name, (unsigned long)value, unit);
}

/* Median of @n samples (sorts them). */
static inline u64 median(u64 *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && v[j - 1] > v[j]; j--) {
			u64 t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? v[n / 2] : 0;
}

#endif
