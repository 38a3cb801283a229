// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot format (snapshot.c): every field written and read back, the
 * sections, and each way a state file or a RAM file's trailer is refused,
 * with the reason a user is told.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lkvm/le.h"
#include "lkvm/snapshot.h"
#include "tap.h"

static const u8 id[SNAPSHOT_ID_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};
#define RAM_SIZE	(512ULL * SZ_1M)

static bool why_is(const char *why, const char *want)
{
	if (why && !strcmp(why, want))
		return true;
	tap_diag("why: \"%s\", expected \"%s\"", why ? why : "(null)", want);
	return false;
}

static void test_fields(void)
{
	static const u8 le[] = {
		0xab,				/* u8 */
		0x34, 0x12,			/* u16 */
		0x44, 0x33, 0x22, 0x11,		/* u32 */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,	/* u64 */
	};
	struct snap_w w;
	struct snap_r r;
	u8 raw[5];
	char str[16], empty[4];
	bool ok;

	snapshot_w_init(&w);
	snapshot_put_u8(&w, 0xab);
	snapshot_put_u16(&w, 0x1234);
	snapshot_put_u32(&w, 0x11223344);
	snapshot_put_u64(&w, 0x1122334455667788ULL);
	tap_ok(w.len == sizeof(le) && !memcmp(w.buf, le, sizeof(le)),
	       "put: u8, u16, u32, u64 little-endian, unaligned, nothing between them");
	snapshot_put_u8(&w, 0);
	snapshot_put_u16(&w, 0xffff);
	snapshot_put_u32(&w, 0xffffffff);
	snapshot_put_u64(&w, ~0ULL);
	snapshot_put(&w, "\x01\x00\x02\x00\x03", 5);
	snapshot_put(&w, NULL, 0);
	snapshot_put_str(&w, "hello");
	snapshot_put_str(&w, "");
	snapshot_put_str(&w, NULL);
	snapshot_put_u8(&w, 1);
	snapshot_put_u8(&w, 0);

	snapshot_r_init(&r, w.buf, w.len);
	ok = snapshot_get_u8(&r) == 0xab && snapshot_get_u16(&r) == 0x1234 &&
	     snapshot_get_u32(&r) == 0x11223344 && snapshot_get_u64(&r) == 0x1122334455667788ULL;
	ok = ok && snapshot_get_u8(&r) == 0 && snapshot_get_u16(&r) == 0xffff &&
	     snapshot_get_u32(&r) == 0xffffffff && snapshot_get_u64(&r) == ~0ULL;
	tap_ok(ok && !r.bad, "get: every integer comes back, the extremes included");
	ok = snapshot_get(&r, raw, 5) && !memcmp(raw, "\x01\x00\x02\x00\x03", 5) &&
	     snapshot_get(&r, raw, 0);
	tap_ok(ok && !r.bad, "get: raw bytes (with NULs) come back; zero bytes read is fine");
	snapshot_get_str(&r, str, sizeof(str));
	ok = !strcmp(str, "hello");
	snapshot_get_str(&r, empty, sizeof(empty));
	ok = ok && !strcmp(empty, "");
	strcpy(empty, "x");
	snapshot_get_str(&r, empty, 1);
	tap_ok(ok && !strcmp(empty, "") && !r.bad,
	       "str: \"hello\", \"\" and NULL (stored as \"\") come back, \"\" into one byte");
	ok = snapshot_get_bool(&r) && !snapshot_get_bool(&r);
	tap_ok(ok && snapshot_r_ok(&r), "bool: 1 and 0; all read, snapshot_r_ok()");

	/* The buffer grows past its first 4 KiB and keeps what it held. */
	snapshot_w_free(&w);
	tap_ok(!w.buf && !w.len && !w.cap && w.open == SIZE_MAX, "w_free: back to empty");
	for (u32 i = 0; i < 5000; i++)
		snapshot_put_u32(&w, i * 2654435761u);
	snapshot_r_init(&r, w.buf, w.len);
	ok = w.len == 20000;
	for (u32 i = 0; i < 5000; i++)
		ok = ok && snapshot_get_u32(&r) == i * 2654435761u;
	tap_ok(ok && snapshot_r_ok(&r), "put: 20000 bytes, grown in steps, all there");
	snapshot_w_free(&w);
}

static void test_reader_bounds(void)
{
	static const u8 b[5] = { 1, 2, 3, 4, 5 };
	struct snap_r r;
	u8 dst[8];
	char str[8];
	bool ok;

	snapshot_r_init(&r, b, 5);
	ok = snapshot_get_u32(&r) == 0x04030201 && !r.bad;
	ok = ok && snapshot_get_u16(&r) == 0 && r.bad && r.off == 4;
	tap_ok(ok, "overrun: a u16 with one byte left is 0, sets bad and does not move");
	ok = snapshot_get_u8(&r) == 0 && snapshot_get_u64(&r) == 0 && !snapshot_get_bool(&r);
	tap_ok(ok && r.bad && !snapshot_r_ok(&r),
	       "overrun: bad sticks; later reads (even of a byte that is there) return 0");

	snapshot_r_init(&r, b, 5);
	memset(dst, 0xee, sizeof(dst));
	ok = !snapshot_get(&r, dst, 6) && r.bad;
	for (int i = 0; i < 6; i++)
		ok = ok && dst[i] == 0;
	tap_ok(ok && dst[6] == 0xee, "get: too many bytes: false, bad, the destination zeroed");

	snapshot_r_init(&r, b, 5);
	ok = snapshot_get_ptr(&r, 5) == b && !r.bad && snapshot_r_ok(&r);
	ok = ok && !snapshot_get_ptr(&r, 1) && r.bad;
	tap_ok(ok, "get_ptr: a view of the bytes, then NULL and bad past the end");

	snapshot_r_init(&r, b, 5);
	ok = snapshot_get_ptr(&r, SIZE_MAX) == NULL && r.bad;
	tap_ok(ok, "get_ptr: SIZE_MAX bytes does not wrap around");

	snapshot_r_init(&r, b, 4);
	snapshot_get_u16(&r);
	tap_ok(!r.bad && !snapshot_r_ok(&r), "r_ok: false while bytes are left unread");

	snapshot_r_init(&r, "\x02\x01", 2);
	tap_ok(!snapshot_get_bool(&r) && r.bad, "bool: 2 sets bad");
	snapshot_r_init(&r, "\xff", 1);
	tap_ok(!snapshot_get_bool(&r) && r.bad, "bool: 0xff sets bad");

	/* Strings: length 5 needs 6 bytes with the NUL. */
	snapshot_r_init(&r, "\x05\x00\x00\x00hello", 9);
	snapshot_get_str(&r, str, 5);
	tap_ok(r.bad && str[0] == 0, "str: 5 characters into 5 bytes: bad, empty result");
	snapshot_r_init(&r, "\x05\x00\x00\x00hello", 9);
	snapshot_get_str(&r, str, 6);
	tap_ok(!r.bad && !strcmp(str, "hello") && snapshot_r_ok(&r), "str: ... into 6 bytes fits");
	snapshot_r_init(&r, "\x05\x00\x00\x00he\0lo", 9);
	strcpy(str, "junk");
	snapshot_get_str(&r, str, sizeof(str));
	tap_ok(r.bad && str[0] == 0, "str: an embedded NUL sets bad");
	snapshot_r_init(&r, "\x06\x00\x00\x00hello", 9);
	snapshot_get_str(&r, str, sizeof(str));
	tap_ok(r.bad && str[0] == 0, "str: a length past the end sets bad");
	snapshot_r_init(&r, "\xff\xff\xff\xff", 4);
	snapshot_get_str(&r, str, sizeof(str));
	tap_ok(r.bad && str[0] == 0, "str: length 0xffffffff sets bad");
}

/* Sections of lengths 0, 1, 7, 8, 9 and 100, two of the same tag. */
static const u32 sec_len[] = { 0, 1, 7, 8, 9, 100 };
#define TAG_A	SNAPSHOT_TAG('A', 'A', 'A', 'A')

static void build_body(struct snap_w *w)
{
	snapshot_w_init(w);
	for (u32 i = 0; i < ARRAY_SIZE(sec_len); i++) {
		snapshot_section_begin(w, i < 2 ? TAG_A : SNAP_DEVICE, i);
		for (u32 j = 0; j < sec_len[i]; j++)
			snapshot_put_u8(w, (u8)(0x10 * i + j + 1));
		snapshot_section_end(w);
	}
}

static bool section_is(const struct snapshot *s, u32 tag, u32 inst, u32 i)
{
	struct snap_r r;

	if (!snapshot_find(s, tag, inst, &r) || r.len != sec_len[i])
		return false;
	for (u32 j = 0; j < sec_len[i]; j++)
		if (snapshot_get_u8(&r) != (u8)(0x10 * i + j + 1))
			return false;
	return snapshot_r_ok(&r);
}

/* A whole state file: header + @body; caller frees. */
static u8 *make_file(const struct snap_w *body, size_t *len)
{
	u8 *f = malloc(SNAPSHOT_HEADER_SIZE + body->len + 64);

	snapshot_seal(body, id, RAM_SIZE, f);
	if (body->len)
		memcpy(f + SNAPSHOT_HEADER_SIZE, body->buf, body->len);
	*len = SNAPSHOT_HEADER_SIZE + body->len;
	return f;
}

static void test_sections(void)
{
	struct snap_w w;
	struct snapshot s;
	struct snap_r r;
	const char *why = NULL;
	size_t len, off = 0;
	u8 *f, b0;
	bool ok = true;

	build_body(&w);
	/* Each section: 16-byte header, the bytes, zeroes up to 8. */
	for (u32 i = 0; i < ARRAY_SIZE(sec_len); i++) {
		u32 pad = ALIGN_UP(sec_len[i], 8) - sec_len[i];

		ok = ok && le32_get(w.buf + off) == (i < 2 ? TAG_A : SNAP_DEVICE) &&
		     le32_get(w.buf + off + 4) == i && le64_get(w.buf + off + 8) == sec_len[i];
		for (u32 j = 0; j < pad; j++)
			ok = ok && w.buf[off + 16 + sec_len[i] + j] == 0;
		off += 16 + sec_len[i] + pad;
	}
	tap_ok(ok && off == w.len && w.len % 8 == 0 && w.open == SIZE_MAX,
	       "sections: tag, instance, length, the bytes, zero padding to 8");

	f = make_file(&w, &len);
	ok = snapshot_open(f, len, &s, &why) == 0;
	tap_ok(ok && s.version == SNAPSHOT_VERSION && s.ram_size == RAM_SIZE &&
	       !memcmp(s.id, id, sizeof(id)) && s.body == f + SNAPSHOT_HEADER_SIZE &&
	       s.body_len == w.len, "seal + open: version, id, RAM size and body as sealed");
	tap_ok(!memcmp(f, SNAPSHOT_MAGIC, 8) && le32_get(f + 8) == SNAPSHOT_VERSION &&
	       le32_get(f + 12) == SNAPSHOT_HEADER_SIZE && le64_get(f + 16) == w.len &&
	       le64_get(f + 48) == RAM_SIZE, "header: magic, version, size, body length, RAM size");
	ok = true;
	for (u32 i = 0; i < ARRAY_SIZE(sec_len); i++)
		ok = ok && section_is(&s, i < 2 ? TAG_A : SNAP_DEVICE, i, i);
	tap_ok(ok, "find: each section by tag and instance, its exact bytes and length");
	tap_ok(!snapshot_find(&s, TAG_A, 2, &r) && !snapshot_find(&s, SNAP_DEVICE, 0, &r) &&
	       !snapshot_find(&s, SNAP_SDEI, 0, &r),
	       "find: a tag with another instance, or an absent tag: false");
	snapshot_find(&s, SNAP_SDEI, 0, &r);
	tap_ok(!r.p && snapshot_get(&r, &b0, 0) && snapshot_get_ptr(&r, 0) && snapshot_r_ok(&r),
	       "find: an absent section: p NULL, yet 0 bytes read from it fine (no NULL + 0)");
	tap_ok(r.len == 0 && !snapshot_get_u8(&r) && r.bad,
	       "find: an absent section reads as empty (bad on the first read)");
	snapshot_find(&s, TAG_A, 0, &r);
	tap_ok(snapshot_r_ok(&r) && !snapshot_get_u8(&r) && r.bad,
	       "find: an empty section is there, and reading from it sets bad");
	free(f);
	snapshot_w_free(&w);

	/* An empty body is a valid (if useless) state file. */
	snapshot_w_init(&w);
	f = make_file(&w, &len);
	tap_ok(snapshot_open(f, len, &s, &why) == 0 && s.body_len == 0 &&
	       !snapshot_find(&s, TAG_A, 0, &r), "open: no section at all");
	free(f);
}

/* A header CRC that matches again: what another lkvm would have written. */
static void reseal_header(u8 *h)
{
	le32_put(h + 60, (u32)crc32(0, h, 60));
}

static void test_refusals(void)
{
	struct snap_w w;
	struct snapshot s;
	const char *why = NULL;
	size_t len, n;
	u8 *f, *g;
	bool ok;

	build_body(&w);
	f = make_file(&w, &len);
	g = malloc(len + 64);

	ok = true;
	for (n = 0; n < SNAPSHOT_HEADER_SIZE && ok; n++)
		ok = snapshot_open(f, n, &s, &why) < 0 && why_is(why, "shorter than its header");
	tap_ok(ok, "open: every length under 64: \"shorter than its header\"");
	ok = true;
	for (n = SNAPSHOT_HEADER_SIZE; n < len && ok; n++)
		ok = snapshot_open(f, n, &s, &why) < 0 && why_is(why, "truncated");
	tap_ok(ok, "open: the body cut at every length: \"truncated\"");
	ok = true;
	for (n = 1; n <= 16 && ok; n++) {
		memcpy(g, f, len);
		memset(g + len, 0, n);
		ok = snapshot_open(g, len + n, &s, &why) < 0 &&
		     why_is(why, "longer than its header says");
	}
	tap_ok(ok, "open: 1 to 16 extra bytes: \"longer than its header says\"");

	ok = true;
	for (n = 0; n < 8 && ok; n++) {
		memcpy(g, f, len);
		g[n] ^= 0x20;
		ok = snapshot_open(g, len, &s, &why) < 0 && why_is(why, "not an lkvm snapshot");
	}
	tap_ok(ok, "open: any magic byte changed: \"not an lkvm snapshot\"");
	ok = true;
	for (n = 8; n < SNAPSHOT_HEADER_SIZE && ok; n++) {
		memcpy(g, f, len);
		g[n] ^= 0x01;
		ok = snapshot_open(g, len, &s, &why) < 0 &&
		     why_is(why, "its header is corrupted (checksum mismatch)");
	}
	tap_ok(ok, "open: any other header bit flipped (CRC included): header checksum mismatch");

	memcpy(g, f, len);
	le32_put(g + 8, SNAPSHOT_VERSION + 1);
	reseal_header(g);
	ok = snapshot_open(g, len, &s, &why) < 0 &&
	     why_is(why, "made by another version of lkvm (format version differs)");
	tap_ok(ok, "open: version 2 with a valid header CRC: \"made by another version\"");
	memcpy(g, f, len);
	le32_put(g + 12, 128);
	reseal_header(g);
	ok = snapshot_open(g, len, &s, &why) < 0 &&
	     why_is(why, "made by another version of lkvm (format version differs)");
	tap_ok(ok, "open: another header size with a valid CRC: \"made by another version\"");

	ok = true;
	for (n = SNAPSHOT_HEADER_SIZE; n < len && ok; n++) {
		memcpy(g, f, len);
		g[n] ^= 0x80;
		ok = snapshot_open(g, len, &s, &why) < 0 &&
		     why_is(why, "corrupted (checksum mismatch)");
	}
	tap_ok(ok, "open: any body byte flipped: \"corrupted (checksum mismatch)\"");
	free(f);
	free(g);
	snapshot_w_free(&w);
}

/* A body whose sections are wrong, sealed properly: only the walk can refuse it. */
static const char *open_body(const void *body, size_t blen)
{
	struct snap_w w;
	struct snapshot s;
	const char *why = NULL;
	size_t len;
	u8 *f;
	int r;

	snapshot_w_init(&w);
	snapshot_put(&w, body, blen);
	f = make_file(&w, &len);
	r = snapshot_open(f, len, &s, &why);
	free(f);
	snapshot_w_free(&w);
	return r ? why : "(accepted)";
}

static void test_bad_sections(void)
{
	u8 b[64] = { 0 };

	le64_put(b + 8, 16);
	tap_ok(why_is(open_body(b, 32), "(accepted)"), "walk: a section of 16 bytes in 32: fine");
	le64_put(b + 8, 17);
	tap_ok(why_is(open_body(b, 32), "a section runs past the end"),
	       "walk: 17 bytes in 16: \"a section runs past the end\"");
	le64_put(b + 8, 15);
	tap_ok(why_is(open_body(b, 31), "a section runs past the end"),
	       "walk: 15 bytes but no room for the padding: runs past the end");
	le64_put(b + 8, ~0ULL);
	tap_ok(why_is(open_body(b, 32), "a section runs past the end"),
	       "walk: length 2^64-1 (no wrap-around): runs past the end");
	le64_put(b + 8, ~0ULL - 6);
	tap_ok(why_is(open_body(b, 32), "a section runs past the end"),
	       "walk: a length that wraps when aligned: runs past the end");
	le64_put(b + 8, 0);
	le64_put(b + 24, 32);
	tap_ok(why_is(open_body(b, 48), "a section runs past the end"),
	       "walk: the second section runs past the end");
	tap_ok(why_is(open_body(b, 8), "a section header is cut short"),
	       "walk: 8 bytes of body: \"a section header is cut short\"");
	tap_ok(why_is(open_body(b, 24), "a section header is cut short"),
	       "walk: an empty section, then 8 bytes: cut short");
}

static void test_ram_trailer(void)
{
	u8 t[SNAPSHOT_RAM_TRAILER], u[SNAPSHOT_RAM_TRAILER], other[SNAPSHOT_ID_LEN];
	const char *why = NULL;
	bool ok = true;

	snapshot_ram_trailer(id, RAM_SIZE, t);
	tap_ok(!memcmp(t, SNAPSHOT_RAM_MAGIC, 8) &&
	       snapshot_check_ram_trailer(t, id, RAM_SIZE, &why) == 0,
	       "RAM trailer: starts with its magic, and checks out");
	memcpy(other, id, sizeof(other));
	other[15] ^= 1;
	tap_ok(snapshot_check_ram_trailer(t, other, RAM_SIZE, &why) < 0 &&
	       why_is(why, "it belongs to another snapshot"),
	       "RAM trailer: another id: \"it belongs to another snapshot\"");
	tap_ok(snapshot_check_ram_trailer(t, id, RAM_SIZE + 4096, &why) < 0 &&
	       why_is(why, "its size does not match the state file"),
	       "RAM trailer: another size: \"its size does not match the state file\"");
	for (int i = 0; i < 44 && ok; i++) {
		memcpy(u, t, sizeof(u));
		u[i] ^= 0x04;
		ok = snapshot_check_ram_trailer(u, id, RAM_SIZE, &why) < 0 &&
		     why_is(why, "its end is not the trailer lkvm writes (truncated or corrupted)");
	}
	tap_ok(ok, "RAM trailer: any of its 44 bytes changed: not the trailer lkvm writes");
	memset(u, 0, sizeof(u));
	tap_ok(snapshot_check_ram_trailer(u, id, RAM_SIZE, &why) < 0 &&
	       why_is(why, "its end is not the trailer lkvm writes (truncated or corrupted)"),
	       "RAM trailer: zeroes (a RAM file with no trailer): refused");
}

static void test_page_is_zero(void)
{
	static const size_t offs[] = { 0, 1, 7, 8, 63, 64, 65, 100, 2047, 2048, 4000, 4095 };
	static const size_t lens[] = { 8, 16, 56, 72, 120, 4088, 4104 };
	u64 *page = calloc(1, 8192);
	u8 *b = (u8 *)page;
	bool ok = true;

	tap_ok(snapshot_page_is_zero(page, 4096) && snapshot_page_is_zero(page, 0),
	       "page_is_zero: a zero page, and no bytes at all");
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		b[offs[i]] = 0x01;
		ok = ok && !snapshot_page_is_zero(page, 4096);
		b[offs[i]] = 0x80;
		ok = ok && !snapshot_page_is_zero(page, 4096);
		b[offs[i]] = 0;
	}
	tap_ok(ok, "page_is_zero: one bit set at 12 offsets, the last byte included: not zero");
	ok = true;
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		size_t n = lens[i];

		ok = ok && snapshot_page_is_zero(page, n);
		b[n - 1] = 1;
		ok = ok && !snapshot_page_is_zero(page, n);
		b[n - 1] = 0;
		b[n / 2] = 1;
		ok = ok && !snapshot_page_is_zero(page, n);
		b[n / 2] = 0;
		/* A byte just past @len is not looked at. */
		b[n] = 1;
		ok = ok && snapshot_page_is_zero(page, n);
		b[n] = 0;
	}
	tap_ok(ok, "page_is_zero: lengths 8..4104 not multiples of 64: last and middle byte seen, "
	       "nothing beyond");
	free(page);
}

int main(void)
{
	tap_plan(53);
	test_fields();
	test_reader_bounds();
	test_sections();
	test_refusals();
	test_bad_sections();
	test_ram_trailer();
	test_page_is_zero();
	return tap_done();
}
