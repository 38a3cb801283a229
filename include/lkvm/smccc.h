/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SMCCC_H
#define LKVM_SMCCC_H

#include "lkvm/util.h"

/*
 * SMC Calling Convention (ARM DEN0028) as pure logic: which handler a
 * forwarded function id goes to, and how its arguments read.
 */

#define SMCCC_FAST_CALL		(1u << 31)
#define SMCCC_64		(1u << 30)	/* SMC64/HVC64: 64-bit arguments */
#define SMCCC_RET_NOT_SUPPORTED	(-1)

/* Up to this many ranges (one per userspace service: SDEI today). */
#define SMCCC_MAX_RANGES	8

/* A range [base, base + nr) of function ids and who answers them. */
struct smccc_range {
	u32 base, nr;
	int owner;		/* the caller's handle for the handler */
};

struct smccc_table {
	struct smccc_range ranges[SMCCC_MAX_RANGES];
	int nr;
};

/*
 * Claim [base, base + nr) for @owner.  -EINVAL for an empty or wrapping
 * range, -EEXIST when it overlaps a range already claimed, -ENOSPC when the
 * table is full.
 */
int smccc_table_add(struct smccc_table *t, u32 base, u32 nr, int owner);
/* The range @fid falls in, or NULL: nobody claimed it. */
const struct smccc_range *smccc_table_find(const struct smccc_table *t, u32 fid);

/*
 * An SMC32/HVC32 call passes its arguments in W registers: the upper halves
 * of x1.. are not the caller's and are dropped.  SMC64 ones are kept.
 */
void smccc_narrow_args(u32 fid, u64 *args, int n);

#endif
