/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_LE_H
#define LKVM_LE_H

#include "lkvm/util.h"

/*
 * The one set of little-endian helpers, for bytes at any alignment: image
 * headers, virtio structures, MMIO register data.  Byte by byte, so they are
 * right on either host endianness and never fault on an odd address.
 */
static inline u64 le_get(const void *p, unsigned int n)
{
	const u8 *b = p;
	u64 v = 0;

	for (unsigned int i = 0; i < n && i < 8; i++)
		v |= (u64)b[i] << (8 * i);
	return v;
}

static inline void le_put(void *p, unsigned int n, u64 v)
{
	u8 *b = p;

	for (unsigned int i = 0; i < n && i < 8; i++)
		b[i] = (u8)(v >> (8 * i));
}

static inline u16 le16_get(const void *p) { return (u16)le_get(p, 2); }
static inline u32 le32_get(const void *p) { return (u32)le_get(p, 4); }
static inline u64 le64_get(const void *p) { return le_get(p, 8); }
static inline void le16_put(void *p, u16 v) { le_put(p, 2, v); }
static inline void le32_put(void *p, u32 v) { le_put(p, 4, v); }
static inline void le64_put(void *p, u64 v) { le_put(p, 8, v); }

#endif
