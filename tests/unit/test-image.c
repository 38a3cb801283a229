// SPDX-License-Identifier: GPL-2.0
/* Kernel formats, truncation, initrd formats and placement in guest RAM. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lkvm/image.h"
#include "lkvm/layout.h"
#include "tap.h"

#define RAM LKVM_RAM_BASE

static void put64(u8 *p, u64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

static void put32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* A fake arm64 Image: header, optional PE header with one section. */
static u8 *fake_image(size_t len, u64 text_offset, u64 image_size, u32 pe_raw_end)
{
	u8 *b = calloc(1, len);

	put64(b + 8, text_offset);
	put64(b + 16, image_size);
	put32(b + 0x38, ARM64_IMAGE_MAGIC);
	if (pe_raw_end) {
		b[0] = 'M';
		b[1] = 'Z';
		put32(b + 0x3c, 0x40);
		memcpy(b + 0x40, "PE\0\0", 4);
		b[0x40 + 6] = 1;	/* one section */
		b[0x40 + 20] = 0;	/* no optional header */
		put32(b + 0x40 + 24 + 16, pe_raw_end - 0x1000);	/* SizeOfRawData */
		put32(b + 0x40 + 24 + 20, 0x1000);		/* PointerToRawData */
	}
	return b;
}

int main(void)
{
	struct kernel_info ki;
	struct boot_layout bl;
	const char *why = NULL;
	bool refused;
	u8 *img;

	tap_plan(26);

	img = fake_image(0x10000, 0, 0x200000, 0);
	tap_ok(image_parse_kernel(img, 0x10000, &ki, &why) == 0 && ki.is_image && ki.text_offset == 0 &&
		       ki.image_size == 0x200000,
	       "Image header: text_offset and image_size read");
	tap_ok(image_layout(RAM, 256 * SZ_1M, &ki, 0x10000, 0, &bl, &why) == 0 &&
		       bl.kernel_addr == RAM && bl.entry == RAM,
	       "Image loads at the 2 MiB-aligned RAM base + text_offset");
	tap_ok(bl.dtb_addr == RAM + 256 * SZ_1M - SZ_2M && bl.dtb_addr % SZ_2M == 0,
	       "DTB 2 MiB aligned at the top of RAM: 0x%llx", (unsigned long long)bl.dtb_addr);
	{
		struct kernel_info a32 = { .aarch32 = true };

		tap_ok(image_layout(RAM, 256 * SZ_1M, &a32, 0x1000, 0, &bl, &why) == 0 &&
			       bl.kernel_addr == RAM + 0x8000 && bl.entry == RAM + 0x8000 &&
			       bl.kernel_end == RAM + 0x9000,
		       "a 32-bit kernel (--aarch32) loads at RAM + 0x8000, as kvmtool's");
	}
	tap_ok(image_layout(RAM, 2048 * SZ_1M, &ki, 0x10000, 0, &bl, &why) == 0 &&
		       bl.dtb_addr == RAM + 512 * SZ_1M - SZ_2M,
	       "DTB stays in the first 512 MiB");
	tap_ok(image_layout(RAM, 256 * SZ_1M, &ki, 0x10000, 5000000, &bl, &why) == 0 &&
		       bl.initrd_addr + 5000000 <= bl.dtb_addr && bl.initrd_addr % SZ_4K == 0 &&
		       bl.initrd_addr >= bl.kernel_end,
	       "initrd just below the DTB, page aligned, above the kernel");
	refused = image_layout(RAM, 16 * SZ_1M, &ki, 0x10000, 15 * SZ_1M, &bl, &why) == -1;
	tap_ok(refused, "initrd too big for RAM is refused: %s", why);
	free(img);

	img = fake_image(0x10000, 0x80000, 0x100000, 0);
	tap_ok(image_parse_kernel(img, 0x10000, &ki, &why) == 0 &&
		       image_layout(RAM, 64 * SZ_1M, &ki, 0x10000, 0, &bl, &why) == 0 &&
		       bl.kernel_addr == RAM + 0x80000,
	       "text_offset 0x80000 honoured");
	free(img);

	img = fake_image(0x10000, 0x1234, 0, 0);
	tap_ok(image_parse_kernel(img, 0x10000, &ki, &why) == 0 && ki.text_offset == 0x80000,
	       "image_size 0 means a pre-3.17 kernel at 0x80000");
	free(img);

	img = fake_image(0x10000, 0, 0x200000, 0);
	put64(img + 24, 1);
	refused = image_parse_kernel(img, 0x10000, &ki, &why) == -1;
	tap_ok(refused, "big-endian Image refused: %s", why);
	free(img);

	img = fake_image(100, 0, 0x2000000, 0);
	refused = image_parse_kernel(img, 100, &ki, &why) == -1;
	tap_ok(refused, "100-byte truncated Image refused: %s", why);
	free(img);

	img = fake_image(0x8000, 0, 0x2000000, 0x9000);
	refused = image_parse_kernel(img, 0x8000, &ki, &why) == -1;
	tap_ok(refused, "Image shorter than its PE sections refused: %s", why);
	tap_ok(image_parse_kernel(img, 0x8000, &ki, &why) == -1 && strstr(why, "truncated"),
	       "the reason says truncated");
	free(img);
	img = fake_image(0x9000, 0, 0x2000000, 0x9000);
	tap_ok(image_parse_kernel(img, 0x9000, &ki, &why) == 0, "whole PE Image accepted");
	free(img);

	tap_ok(image_parse_kernel((const u8 *)"", 0, &ki, &why) == -1, "empty kernel refused");
	img = calloc(1, 4096);
	memcpy(img, "\x00\x00\x00\x14", 4);
	tap_ok(image_parse_kernel(img, 4096, &ki, &why) == 0 && !ki.is_image &&
		       image_layout(RAM, 64 * SZ_1M, &ki, 4096, 0, &bl, &why) == 0 &&
		       bl.kernel_addr == RAM + LKVM_FLAT_OFFSET && bl.entry == bl.kernel_addr,
	       "flat binary loads and starts at RAM + 0x80000");
	free(img);

	{
		u8 raw[70000], z[80000], *out;
		uLongf zlen = sizeof(z);
		size_t olen;
		z_stream zs = { 0 };

		for (size_t i = 0; i < sizeof(raw); i++)
			raw[i] = (u8)(i * 7);
		deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
		zs.next_in = raw;
		zs.avail_in = sizeof(raw);
		zs.next_out = z;
		zs.avail_out = (uInt)zlen;
		deflate(&zs, Z_FINISH);
		zlen = zs.total_out;
		deflateEnd(&zs);
		tap_ok(image_is_gzip(z, zlen), "gzip recognised");
		out = image_gunzip(z, zlen, SZ_1M, &olen, &why);
		tap_ok(out && olen == sizeof(raw) && !memcmp(out, raw, sizeof(raw)),
		       "gzip inflates to the original bytes");
		free(out);
		refused = image_gunzip(z, zlen / 2, SZ_1M, &olen, &why) == NULL;
		tap_ok(refused, "truncated gzip refused: %s", why);
		refused = image_gunzip(z, zlen, 1000, &olen, &why) == NULL;
		tap_ok(refused, "gzip bigger than the cap refused: %s", why);
		z[20] ^= 0xff;
		out = image_gunzip(z, zlen, SZ_1M, &olen, &why);
		tap_ok(out == NULL, "corrupt gzip refused");
		free(out);
	}

	tap_ok(image_check_initrd((const u8 *)"070701000000", 12, &why) == 0, "newc cpio initrd");
	tap_ok(image_check_initrd((const u8 *)"\x1f\x8b\x08\x00", 4, &why) == 0, "gzip initrd");
	refused = image_check_initrd((const u8 *)"hello\0world\x01\xff", 13, &why) == -1;
	tap_ok(refused, "binary junk initrd refused: %s", why);
	tap_ok(image_check_initrd((const u8 *)"ERRATA_abc=y\nTARGET=kvmtool\n\tX=1\r\n", 34, &why) ==
		       0,
	       "a text initrd (kvm-unit-tests' environment) is taken");
	tap_ok(image_check_initrd((const u8 *)"", 0, &why) == -1, "empty initrd refused");
	return tap_done();
}
