/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_GUEST_MEM_H
#define LKVM_GUEST_MEM_H

#include "lkvm/util.h"

/*
 * Guest RAM: one contiguous slot.  Every guest-physical access from lkvm goes
 * through gmem_ptr(), which refuses anything not wholly inside RAM, so no
 * guest-controlled address can reach host memory outside the mapping.
 */
struct guest_mem {
	u64 start;	/* guest-physical base */
	u64 size;
	u8 *host;	/* host mapping of [start, start + size) */
	int fd;		/* a memfd shared with back-end processes, or -1 (anonymous) */
	bool from_file;	/* a restored snapshot's RAM file, mapped copy-on-write */
	int file_fd;	/* that file (its holes read as zeros), or -1 */
};

/* Host pointer for [gpa, gpa + len), or NULL if any byte lies outside RAM. */
static inline void *gmem_ptr(const struct guest_mem *m, u64 gpa, u64 len)
{
	if (gpa < m->start)
		return NULL;
	u64 off = gpa - m->start;

	if (off > m->size || len > m->size - off)
		return NULL;
	return m->host + off;
}

static inline bool gmem_contains(const struct guest_mem *m, u64 gpa, u64 len)
{
	return gmem_ptr(m, gpa, len) != NULL;
}

#endif
