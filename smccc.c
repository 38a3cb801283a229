// SPDX-License-Identifier: GPL-2.0
/* The SMCCC router's table and argument rules; the KVM side is smccc-kvm.c. */
#include <errno.h>

#include "lkvm/smccc.h"

int smccc_table_add(struct smccc_table *t, u32 base, u32 nr, int owner)
{
	u64 end = (u64)base + nr;

	if (!nr || end > 0x100000000ULL)
		return -EINVAL;
	for (int i = 0; i < t->nr; i++) {
		const struct smccc_range *r = &t->ranges[i];

		if (base < (u64)r->base + r->nr && r->base < end)
			return -EEXIST;
	}
	if (t->nr == SMCCC_MAX_RANGES)
		return -ENOSPC;
	t->ranges[t->nr++] = (struct smccc_range){ .base = base, .nr = nr, .owner = owner };
	return 0;
}

const struct smccc_range *smccc_table_find(const struct smccc_table *t, u32 fid)
{
	for (int i = 0; i < t->nr; i++)
		if (fid - t->ranges[i].base < t->ranges[i].nr)
			return &t->ranges[i];
	return NULL;
}

void smccc_narrow_args(u32 fid, u64 *args, int n)
{
	if (fid & SMCCC_64)
		return;
	for (int i = 0; i < n; i++)
		args[i] &= 0xffffffffULL;
}
