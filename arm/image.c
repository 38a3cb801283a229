// SPDX-License-Identifier: GPL-2.0
/* Kernel and initrd formats, and where they go in guest RAM.  Pure logic. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lkvm/image.h"
#include "lkvm/layout.h"
#include "lkvm/le.h"

/*
 * Kernels built with the EFI stub are also PE/COFF files; their section table
 * says how long the file must be, which catches a truncated Image before the
 * guest runs off the end of it.
 */
static int pe_check_whole(const u8 *buf, size_t len, const char **why)
{
	u32 pe, nsec, opt_size, sec;

	if (len < 0x40 || buf[0] != 'M' || buf[1] != 'Z')
		return 0;
	pe = le32_get(buf + 0x3c);
	if (pe > len || len - pe < 24) {
		*why = "truncated (PE header missing)";
		return -1;
	}
	if (memcmp(buf + pe, "PE\0\0", 4))
		return 0;
	nsec = le16_get(buf + pe + 6);
	opt_size = le16_get(buf + pe + 20);
	sec = pe + 24 + opt_size;
	for (u32 i = 0; i < nsec; i++, sec += 40) {
		if (sec > len || len - sec < 40) {
			*why = "truncated (PE section table cut short)";
			return -1;
		}
		u64 raw_size = le32_get(buf + sec + 16), raw_ptr = le32_get(buf + sec + 20);

		if (raw_ptr + raw_size > len) {
			*why = "truncated (shorter than its PE sections say)";
			return -1;
		}
	}
	return 0;
}

int image_parse_kernel(const u8 *buf, size_t len, struct kernel_info *ki, const char **why)
{
	memset(ki, 0, sizeof(*ki));
	if (len == 0) {
		*why = "empty file";
		return -1;
	}
	if (len < 64 || le32_get(buf + 0x38) != ARM64_IMAGE_MAGIC) {
		ki->image_size = len;
		return 0;
	}
	ki->is_image = true;
	ki->text_offset = le64_get(buf + 8);
	ki->image_size = le64_get(buf + 16);
	ki->flags = le64_get(buf + 24);
	if (ki->image_size == 0) {
		/* Kernels before 3.17: text_offset was fixed and the size unknown. */
		ki->text_offset = 0x80000;
		ki->image_size = len;
	}
	if (ki->flags & ARM64_IMAGE_FLAG_BE) {
		*why = "big-endian kernels are not supported";
		return -1;
	}
	if (ki->text_offset >= SZ_2M * 1024 || ki->image_size > SZ_1G * 64) {
		*why = "corrupt Image header (text_offset or image_size out of range)";
		return -1;
	}
	if (ki->image_size < len)
		ki->image_size = len;
	if (len < 4096) {
		*why = "truncated (an arm64 Image header but almost no code)";
		return -1;
	}
	return pe_check_whole(buf, len, why);
}

bool image_is_gzip(const u8 *buf, size_t len)
{
	return len >= 3 && buf[0] == 0x1f && buf[1] == 0x8b && buf[2] == 8;
}

u8 *image_gunzip(const u8 *buf, size_t len, size_t max, size_t *out_len, const char **why)
{
	z_stream zs;
	size_t cap = len * 4 < max ? len * 4 : max;
	u8 *out;
	int ret;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		*why = "zlib initialisation failed";
		return NULL;
	}
	out = xzalloc(cap);
	zs.next_in = (u8 *)buf;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	for (;;) {
		ret = inflate(&zs, Z_NO_FLUSH);
		if (ret == Z_STREAM_END)
			break;
		if (ret == Z_BUF_ERROR && zs.avail_in == 0) {
			*why = "truncated gzip data";
			goto fail;
		}
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			*why = "corrupt gzip data";
			goto fail;
		}
		if (zs.avail_out == 0) {
			size_t done = zs.total_out;
			u8 *nb;

			if (cap >= max) {
				*why = "decompressed kernel larger than guest memory allows";
				goto fail;
			}
			cap = cap * 2 < max ? cap * 2 : max;
			nb = realloc(out, cap);
			if (!nb) {
				*why = "out of memory";
				goto fail;
			}
			out = nb;
			zs.next_out = out + done;
			zs.avail_out = (uInt)(cap - done);
		}
	}
	*out_len = zs.total_out;
	inflateEnd(&zs);
	return out;
fail:
	inflateEnd(&zs);
	free(out);
	return NULL;
}

int image_check_initrd(const u8 *buf, size_t len, const char **why)
{
	static const struct { const char *magic; size_t len; } fmts[] = {
		{ "070701", 6 }, { "070702", 6 },		/* newc cpio */
		{ "\x1f\x8b", 2 }, { "\x1f\x9e", 2 },		/* gzip */
		{ "\xfd" "7zXZ\0", 6 },				/* xz */
		{ "\x28\xb5\x2f\xfd", 4 },			/* zstd */
		{ "\x02\x21\x4c\x18", 4 },			/* lz4 legacy */
		{ "BZh", 3 },					/* bzip2 */
		{ "\x5d\x00\x00", 3 },				/* lzma */
		{ "\x89LZO", 4 },				/* lzo */
	};

	if (len == 0) {
		*why = "empty file";
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++)
		if (len >= fmts[i].len && !memcmp(buf, fmts[i].magic, fmts[i].len))
			return 0;
	/* An ext2/3/4 ramdisk image: superblock magic at 1024 + 56. */
	if (len >= 1082 && buf[1080] == 0x53 && buf[1081] == 0xef)
		return 0;
	/*
	 * Text: kvm-unit-tests hands its tests their environment (KEY=VALUE
	 * lines) as the initrd.  Binary junk is still refused.
	 */
	for (size_t i = 0; i < len; i++)
		if ((buf[i] < 0x20 || buf[i] > 0x7e) && buf[i] != '\n' && buf[i] != '\t' &&
		    buf[i] != '\r') {
			*why = "not an initrd (neither cpio, a compressed cpio, a ramdisk image "
			       "nor text)";
			return -1;
		}
	return 0;
}

int image_layout(u64 ram_base, u64 ram_size, const struct kernel_info *ki,
		 size_t kernel_len, size_t initrd_len, struct boot_layout *bl,
			const char **why)
{
	/* The DTB and initrd stay in the first 512 MiB, as kvmtool places them. */
	u64 low_end = ram_base + (ram_size < 512 * SZ_1M ? ram_size : 512 * SZ_1M);
	u64 floor;

	memset(bl, 0, sizeof(*bl));
	if (ki->is_image)
		bl->kernel_addr = ALIGN_UP(ram_base, SZ_2M) + ki->text_offset;
	else
		bl->kernel_addr = ram_base + (ki->aarch32 ? LKVM_AARCH32_OFFSET : LKVM_FLAT_OFFSET);
	bl->entry = bl->kernel_addr;
	bl->kernel_end = bl->kernel_addr + (ki->is_image ? ki->image_size : kernel_len);

	bl->dtb_addr = ALIGN_DOWN(low_end - LKVM_FDT_MAX_SIZE, SZ_2M);
	floor = bl->kernel_end;
	if (bl->dtb_addr < floor || bl->dtb_addr < ram_base) {
		*why = "guest memory too small for the kernel and the device tree";
		return -1;
	}
	if (initrd_len) {
		if (initrd_len > bl->dtb_addr - floor) {
			*why = "guest memory too small for the kernel, initrd and device tree";
			return -1;
		}
		bl->initrd_addr = ALIGN_DOWN(bl->dtb_addr - initrd_len, SZ_4K);
		if (bl->initrd_addr < floor) {
			*why = "guest memory too small for the kernel, initrd and device tree";
			return -1;
		}
	}
	return 0;
}
