/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_IMAGE_H
#define LKVM_IMAGE_H

#include "lkvm/util.h"

/* The arm64 Image header (Documentation/arch/arm64/booting.rst). */
#define ARM64_IMAGE_MAGIC	0x644d5241u	/* "ARM\x64" at offset 0x38 */
#define ARM64_IMAGE_FLAG_BE	BIT(0)
#define ARM64_IMAGE_FLAG_ANYWHERE BIT(3)

/* Largest DTB lkvm writes; it lives in its own 2 MiB-aligned spot. */
#define LKVM_FDT_MAX_SIZE	0x10000u

struct kernel_info {
	bool is_image;		/* has the arm64 Image header */
	u64 text_offset;	/* load offset from the 2 MiB-aligned RAM base */
	u64 image_size;		/* bytes the kernel needs from its load address (incl. BSS) */
	u64 flags;
	bool aarch32;		/* booted as a 32-bit kernel (--aarch32): at RAM + 0x8000 */
};

/*
 * Inspect a kernel file already in memory.  A file with the Image magic must
 * be whole (its PE/COFF sections, when it has them, inside the file); anything
 * else is a flat binary.  Returns 0, or -1 with a reason in @why.
 */
int image_parse_kernel(const u8 *buf, size_t len, struct kernel_info *ki, const char **why);

/* True if @buf starts like gzip. */
bool image_is_gzip(const u8 *buf, size_t len);

/*
 * Inflate a gzip file into a new buffer of at most @max bytes.  Returns NULL
 * with a reason in @why.
 */
u8 *image_gunzip(const u8 *buf, size_t len, size_t max, size_t *out_len, const char **why);

/* Accept the formats Linux can unpack as an initrd; reject junk early. */
int image_check_initrd(const u8 *buf, size_t len, const char **why);

/* Where everything goes in guest RAM. */
struct boot_layout {
	u64 kernel_addr, kernel_end;	/* [addr, end) incl. BSS */
	u64 entry;
	u64 dtb_addr;
	u64 initrd_addr;
};

int image_layout(u64 ram_base, u64 ram_size, const struct kernel_info *ki,
		 size_t kernel_len, size_t initrd_len, struct boot_layout *bl,
			const char **why);

#endif
