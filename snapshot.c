// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot format (docs/snapshot.md): writing and reading its fields,
 * and checking a state file before anything of it is believed.  Pure: a
 * snapshot is input from outside, and the fuzzer drives this file.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lkvm/le.h"
#include "lkvm/snapshot.h"

#define SECTION_HEADER	16

/* ---- writing -------------------------------------------------------------- */

void snapshot_w_init(struct snap_w *w)
{
	*w = (struct snap_w){ .open = SIZE_MAX };
}

void snapshot_w_free(struct snap_w *w)
{
	free(w->buf);
	snapshot_w_init(w);
}

static u8 *room(struct snap_w *w, size_t n)
{
	if (w->cap - w->len < n) {
		size_t cap = w->cap ? w->cap : 4096;

		while (cap - w->len < n)
			cap *= 2;
		w->buf = xrealloc(w->buf, cap);
		w->cap = cap;
	}
	w->len += n;
	return w->buf + w->len - n;
}

void snapshot_put(struct snap_w *w, const void *p, size_t n)
{
	if (n)
		memcpy(room(w, n), p, n);
}

void snapshot_put_u8(struct snap_w *w, u8 v)
{
	*room(w, 1) = v;
}

void snapshot_put_u16(struct snap_w *w, u16 v)
{
	le16_put(room(w, 2), v);
}

void snapshot_put_u32(struct snap_w *w, u32 v)
{
	le32_put(room(w, 4), v);
}

void snapshot_put_u64(struct snap_w *w, u64 v)
{
	le64_put(room(w, 8), v);
}

void snapshot_put_str(struct snap_w *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	snapshot_put_u32(w, (u32)n);
	snapshot_put(w, s, n);
}

void snapshot_section_begin(struct snap_w *w, u32 tag, u32 instance)
{
	u8 *h;

	if (w->open != SIZE_MAX)
		snapshot_section_end(w);
	w->open = w->len;
	h = room(w, SECTION_HEADER);
	le32_put(h, tag);
	le32_put(h + 4, instance);
	le64_put(h + 8, 0);
}

void snapshot_section_end(struct snap_w *w)
{
	size_t len;

	if (w->open == SIZE_MAX)
		return;
	len = w->len - w->open - SECTION_HEADER;
	le64_put(w->buf + w->open + 8, len);
	if (len % 8)
		memset(room(w, 8 - len % 8), 0, 8 - len % 8);
	w->open = SIZE_MAX;
}

/* ---- reading -------------------------------------------------------------- */

void snapshot_r_init(struct snap_r *r, const void *p, size_t len)
{
	*r = (struct snap_r){ .p = p, .len = len };
}

const u8 *snapshot_get_ptr(struct snap_r *r, size_t n)
{
	const u8 *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	/* 0 bytes of an absent section (p NULL): NULL + 0 is undefined (clang's UBSan stops). */
	if (!r->p)
		return (const u8 *)"";
	p = r->p + r->off;
	r->off += n;
	return p;
}

bool snapshot_get(struct snap_r *r, void *dst, size_t n)
{
	const u8 *p = snapshot_get_ptr(r, n);

	if (!p) {
		memset(dst, 0, n);
		return false;
	}
	if (n)
		memcpy(dst, p, n);
	return true;
}

u8 snapshot_get_u8(struct snap_r *r)
{
	const u8 *p = snapshot_get_ptr(r, 1);

	return p ? *p : 0;
}

u16 snapshot_get_u16(struct snap_r *r)
{
	const u8 *p = snapshot_get_ptr(r, 2);

	return p ? le16_get(p) : 0;
}

u32 snapshot_get_u32(struct snap_r *r)
{
	const u8 *p = snapshot_get_ptr(r, 4);

	return p ? le32_get(p) : 0;
}

u64 snapshot_get_u64(struct snap_r *r)
{
	const u8 *p = snapshot_get_ptr(r, 8);

	return p ? le64_get(p) : 0;
}

bool snapshot_get_bool(struct snap_r *r)
{
	u8 v = snapshot_get_u8(r);

	if (v > 1)
		r->bad = true;
	return v == 1;
}

void snapshot_get_str(struct snap_r *r, char *dst, size_t size)
{
	u32 n = snapshot_get_u32(r);
	const u8 *p;

	dst[0] = 0;
	if (r->bad || n >= size) {
		r->bad = true;
		return;
	}
	p = snapshot_get_ptr(r, n);
	if (!p || memchr(p, 0, n)) {
		r->bad = true;
		return;
	}
	memcpy(dst, p, n);
	dst[n] = 0;
}

/* ---- the state file ------------------------------------------------------- */

static u32 crc(const void *p, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);

	/* zlib takes a uInt length: feed it in pieces. */
	while (n) {
		uInt chunk = n > (1u << 30) ? 1u << 30 : (uInt)n;

		c = crc32(c, p, chunk);
		p = (const u8 *)p + chunk;
		n -= chunk;
	}
	return (u32)c;
}

void snapshot_seal(const struct snap_w *body, const u8 id[SNAPSHOT_ID_LEN], u64 ram_size,
		   u8 hdr[SNAPSHOT_HEADER_SIZE])
{
	memset(hdr, 0, SNAPSHOT_HEADER_SIZE);
	memcpy(hdr, SNAPSHOT_MAGIC, 8);
	le32_put(hdr + 8, SNAPSHOT_VERSION);
	le32_put(hdr + 12, SNAPSHOT_HEADER_SIZE);
	le64_put(hdr + 16, body->len);
	le32_put(hdr + 24, crc(body->buf, body->len));
	memcpy(hdr + 32, id, SNAPSHOT_ID_LEN);
	le64_put(hdr + 48, ram_size);
	le32_put(hdr + 60, crc(hdr, 60));
}

int snapshot_open(const u8 *file, size_t len, struct snapshot *s, const char **why)
{
	const u8 *h = file;
	size_t off;
	u64 body_len;

	memset(s, 0, sizeof(*s));
	if (len < SNAPSHOT_HEADER_SIZE || memcmp(h, SNAPSHOT_MAGIC, 8)) {
		*why = len < SNAPSHOT_HEADER_SIZE ? "shorter than its header" : "not an lkvm snapshot";
		return -1;
	}
	if (le32_get(h + 60) != crc(h, 60)) {
		*why = "its header is corrupted (checksum mismatch)";
		return -1;
	}
	s->version = le32_get(h + 8);
	if (s->version != SNAPSHOT_VERSION || le32_get(h + 12) != SNAPSHOT_HEADER_SIZE) {
		*why = "made by another version of lkvm (format version differs)";
		return -1;
	}
	body_len = le64_get(h + 16);
	if (body_len != len - SNAPSHOT_HEADER_SIZE) {
		*why = body_len > len - SNAPSHOT_HEADER_SIZE ? "truncated" :
			"longer than its header says";
		return -1;
	}
	s->body = file + SNAPSHOT_HEADER_SIZE;
	s->body_len = (size_t)body_len;
	if (le32_get(h + 24) != crc(s->body, s->body_len)) {
		*why = "corrupted (checksum mismatch)";
		return -1;
	}
	memcpy(s->id, h + 32, SNAPSHOT_ID_LEN);
	s->ram_size = le64_get(h + 48);
	/* Every section within the body, each padded to 8: nothing later reads out of bounds. */
	for (off = 0; off < s->body_len;) {
		u64 n;

		if (s->body_len - off < SECTION_HEADER) {
			*why = "a section header is cut short";
			return -1;
		}
		n = le64_get(s->body + off + 8);
		if (n > s->body_len - off - SECTION_HEADER ||
		    ALIGN_UP(n, 8) > s->body_len - off - SECTION_HEADER) {
			*why = "a section runs past the end";
			return -1;
		}
		off += SECTION_HEADER + (size_t)ALIGN_UP(n, 8);
	}
	return 0;
}

bool snapshot_find(const struct snapshot *s, u32 tag, u32 instance, struct snap_r *r)
{
	/* snapshot_open() checked every section's bounds. */
	for (size_t off = 0; off < s->body_len;) {
		const u8 *h = s->body + off;
		u64 n = le64_get(h + 8);

		if (le32_get(h) == tag && le32_get(h + 4) == instance) {
			snapshot_r_init(r, h + SECTION_HEADER, (size_t)n);
			return true;
		}
		off += SECTION_HEADER + (size_t)ALIGN_UP(n, 8);
	}
	snapshot_r_init(r, NULL, 0);
	return false;
}

void snapshot_ram_trailer(const u8 id[SNAPSHOT_ID_LEN], u64 ram_size,
			  u8 out[SNAPSHOT_RAM_TRAILER])
{
	memset(out, 0, SNAPSHOT_RAM_TRAILER);
	memcpy(out, SNAPSHOT_RAM_MAGIC, 8);
	le32_put(out + 8, SNAPSHOT_VERSION);
	memcpy(out + 16, id, SNAPSHOT_ID_LEN);
	le64_put(out + 32, ram_size);
	le32_put(out + 40, crc(out, 40));
}

int snapshot_check_ram_trailer(const u8 *t, const u8 id[SNAPSHOT_ID_LEN], u64 ram_size,
			       const char **why)
{
	if (memcmp(t, SNAPSHOT_RAM_MAGIC, 8) || le32_get(t + 40) != crc(t, 40)) {
		*why = "its end is not the trailer lkvm writes (truncated or corrupted)";
		return -1;
	}
	if (le32_get(t + 8) != SNAPSHOT_VERSION || le64_get(t + 32) != ram_size) {
		*why = "its size does not match the state file";
		return -1;
	}
	if (memcmp(t + 16, id, SNAPSHOT_ID_LEN)) {
		*why = "it belongs to another snapshot";
		return -1;
	}
	return 0;
}

bool snapshot_page_is_zero(const void *p, size_t len)
{
	const u64 *q = p;
	u64 acc = 0;

	/* No early exit per word: the compiler vectorises this. */
	for (size_t i = 0; i < len / 8; i += 8) {
		for (size_t j = 0; j < 8 && i + j < len / 8; j++)
			acc |= q[i + j];
		if (acc)
			return false;
	}
	return true;
}
