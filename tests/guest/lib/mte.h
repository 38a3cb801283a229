/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MTE for the payloads: the memtag instructions and the registers that turn
 * Allocation Tag access on, over the Normal Tagged identity map (idmap.h).
 */
#ifndef GUEST_MTE_H
#define GUEST_MTE_H

#include "libtest.h"

/* The memtag instructions: the payloads are built for plain armv8-a. */
#define MEMTAG		".arch armv8.5-a+memtag\n\t"

#define SCTLR_ATA0	BIT(42)
#define SCTLR_ATA	BIT(43)

/* The MTE system registers by encoding. */
#define read_gcr()	read_sysreg(s3_0_c1_c0_6)
#define write_gcr(v)	write_sysreg(v, s3_0_c1_c0_6)
#define read_rgsr()	read_sysreg(s3_0_c1_c0_5)
#define write_rgsr(v)	write_sysreg(v, s3_0_c1_c0_5)

#define GCR_EXCLUDE(m)	((u64)(m) & 0xffff)	/* RRND (bit 16) = 0 */
#define RGSR_SEED(s)	(((u64)(s) & 0xffff) << 8)

#define GRANULE		16
#define TAG_SHIFT	56
#define TAG_MASK	(0xfULL << TAG_SHIFT)

static inline u64 tagged(u64 p, unsigned int tag)
{
	return (p & ~TAG_MASK) | ((u64)(tag & 0xf) << TAG_SHIFT);
}

static inline unsigned int ptr_tag(u64 p)
{
	return (p >> TAG_SHIFT) & 0xf;
}

static inline u64 irg(u64 p, u64 exclude)
{
	u64 r;

	__asm__ volatile(MEMTAG "irg %0, %1, %2" : "=r"(r) : "r"(p), "r"(exclude));
	return r;
}

/* Set the Allocation Tag of @p's granule to @p's logical tag. */
static inline void stg(u64 p)
{
	__asm__ volatile(MEMTAG "stg %0, [%0]" : : "r"(p) : "memory");
}

/* @p with its logical tag replaced by its granule's Allocation Tag. */
static inline u64 ldg(u64 p)
{
	u64 r = p;

	__asm__ volatile(MEMTAG "ldg %0, [%1]" : "+r"(r) : "r"(p) : "memory");
	return r;
}

static inline void set_tco(bool on)
{
	if (on)
		__asm__ volatile(MEMTAG "msr tco, #1" : : : "memory");
	else
		__asm__ volatile(MEMTAG "msr tco, #0" : : : "memory");
}

static inline u64 read_tco(void)
{
	u64 v;

	__asm__ volatile(MEMTAG "mrs %0, tco" : "=r"(v));
	return v;
}

static inline void set_tags(u64 p, u64 len, unsigned int tag)
{
	for (u64 a = p; a < p + len; a += GRANULE)
		stg(tagged(a, tag));
}

static inline u64 peek(u64 p)
{
	return *(volatile u64 *)(uintptr_t)p;
}

static inline void poke(u64 p, u64 v)
{
	*(volatile u64 *)(uintptr_t)p = v;
}

#endif
