// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what lkvm reads from the files it boots: the kernel
 * (arm64 Image header, PE/COFF sections, a flat binary), gzip inflation with
 * its size cap, the initrd check and the placement in guest RAM.  Besides the
 * sanitizers: inflation never returns more than its cap, and a layout that
 * is accepted keeps the kernel, initrd and DTB inside RAM and apart.
 *
 * Input: u8 selector, u32 RAM size in MiB (low bits), then the file.
 */
#include <stdlib.h>
#include <string.h>

#include "lkvm/image.h"

#define RAM_BASE	0x80000000ULL
#define INFLATE_CAP	(4u << 20)

static bool inside(u64 a, u64 len, u64 base, u64 size)
{
	return a >= base && len <= size && a - base <= size - len;
}

static bool apart(u64 a, u64 alen, u64 b, u64 blen)
{
	return !alen || !blen || a + alen <= b || b + blen <= a;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct kernel_info ki;
	struct boot_layout bl;
	const char *why = NULL;
	u64 ram;
	size_t len = 0;
	u8 *raw = NULL;

	if (size < 5)
		return 0;
	ram = ((u64)((data[1] | data[2] << 8) % 4096) + 1) << 20;
	data += 5;
	size -= 5;

	if (image_is_gzip(data, size)) {
		raw = image_gunzip(data, size, INFLATE_CAP, &len, &why);
		if (raw && len > INFLATE_CAP)
			abort();
		if (!raw && !why)
			abort();
	}
	if (image_check_initrd(data, size, &why) == 0 && !size)
		abort();
	if (image_parse_kernel(raw ? raw : data, raw ? len : size, &ki, &why) == 0) {
		size_t klen = raw ? len : size, ilen = data[0] ? size : 0;

		if (image_layout(RAM_BASE, ram, &ki, klen, ilen, &bl, &why) == 0) {
			u64 kend = bl.kernel_end > bl.kernel_addr ? bl.kernel_end : bl.kernel_addr;

			if (!inside(bl.kernel_addr, kend - bl.kernel_addr, RAM_BASE, ram) ||
			    !inside(bl.dtb_addr, LKVM_FDT_MAX_SIZE, RAM_BASE, ram) ||
			    (ilen && !inside(bl.initrd_addr, ilen, RAM_BASE, ram)) ||
			    kend - bl.kernel_addr < klen ||
			    !apart(bl.kernel_addr, kend - bl.kernel_addr, bl.dtb_addr,
				   LKVM_FDT_MAX_SIZE) ||
			    !apart(bl.kernel_addr, kend - bl.kernel_addr, bl.initrd_addr, ilen) ||
			    !apart(bl.initrd_addr, ilen, bl.dtb_addr, LKVM_FDT_MAX_SIZE))
				abort();
		}
	}
	free(raw);
	return 0;
}
