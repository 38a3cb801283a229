// SPDX-License-Identifier: GPL-2.0
/* A snapshot's MTE tags: the runs of RAM that carry them, deflated (snapshot-tags.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lkvm/le.h"
#include "lkvm/snapshot-tags.h"

/* zlib counts in uInt: a run's tags go through it in pieces of this much at most. */
#define ZPIECE	SZ_1G

void snapshot_tags_init(struct snapshot_tags *t, u64 ram_size)
{
	memset(t, 0, sizeof(*t));
	t->ram_size = ram_size;
	/* calloc: the pages of tags no run fills are never touched. */
	t->tags = xzalloc((size_t)(ram_size / 16));
}

void snapshot_tags_free(struct snapshot_tags *t)
{
	free(t->tags);
	free(t->runs);
	memset(t, 0, sizeof(*t));
}

void snapshot_tags_add_run(struct snapshot_tags *t, u64 off, u64 len)
{
	struct snapshot_tag_run *last = t->nr_runs ? &t->runs[t->nr_runs - 1] : NULL;

	if (last && last->off + last->len == off) {
		last->len += len;
		return;
	}
	if (t->nr_runs == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->runs = xrealloc(t->runs, t->cap * sizeof(*t->runs));
	}
	t->runs[t->nr_runs++] = (struct snapshot_tag_run){ off, len };
}

int snapshot_tags_put(struct snap_w *w, const struct snapshot_tags *t)
{
	u64 total = 0;
	z_stream zs = { 0 };
	uLong bound;
	u8 *out;
	int r = Z_OK;

	for (u32 i = 0; i < t->nr_runs; i++)
		total += t->runs[i].len / 16;
	if (deflateInit(&zs, 1) != Z_OK)
		return -1;
	bound = deflateBound(&zs, (uLong)total);
	out = xmalloc(bound);
	zs.next_out = out;
	/* deflateBound's room: the stream ends in the one buffer. */
	zs.avail_out = bound > UINT_MAX ? UINT_MAX : (uInt)bound;
	for (u32 i = 0; i < t->nr_runs && r == Z_OK; i++) {
		const u8 *p = t->tags + t->runs[i].off / 16;

		for (u64 left = t->runs[i].len / 16; left && r == Z_OK;) {
			u64 n = left < ZPIECE ? left : ZPIECE;

			zs.next_in = (u8 *)p;
			zs.avail_in = (uInt)n;
			r = deflate(&zs, Z_NO_FLUSH);
			p += n - zs.avail_in;
			left -= n - zs.avail_in;
		}
	}
	if (r == Z_OK)
		r = deflate(&zs, Z_FINISH);
	if (r == Z_STREAM_END) {
		snapshot_put_u64(w, t->ram_size);
		snapshot_put_u32(w, t->nr_runs);
		for (u32 i = 0; i < t->nr_runs; i++) {
			snapshot_put_u64(w, t->runs[i].off);
			snapshot_put_u64(w, t->runs[i].len);
		}
		snapshot_put_u64(w, zs.total_out);
		snapshot_put(w, out, zs.total_out);
	}
	deflateEnd(&zs);
	free(out);
	return r == Z_STREAM_END ? 0 : -1;
}

/* Inflate exactly the runs' tags, and nothing after them. */
static const char *inflate_runs(struct snapshot_tags *t, const u8 *in, u64 in_len)
{
	const char *why = NULL;
	z_stream zs = { 0 };
	u8 spare;
	int r = Z_OK;

	if (inflateInit(&zs) != Z_OK)
		return "zlib cannot start";
	zs.next_in = (u8 *)in;
	zs.avail_in = (uInt)in_len;
	for (u32 i = 0; i < t->nr_runs && !why; i++) {
		u8 *p = t->tags + t->runs[i].off / 16;

		for (u64 left = t->runs[i].len / 16; left && !why;) {
			u64 n = left < ZPIECE ? left : ZPIECE;

			zs.next_out = p;
			zs.avail_out = (uInt)n;
			r = inflate(&zs, Z_NO_FLUSH);
			if (r == Z_STREAM_END && zs.avail_out)
				why = "the tags end before the runs do";
			else if (r != Z_OK && r != Z_STREAM_END)
				why = r == Z_BUF_ERROR ? "the tags are cut short" : "the tags do not inflate";
			p += n - zs.avail_out;
			left -= n - zs.avail_out;
			if (!why && r == Z_STREAM_END && left)
				why = "the tags end before the runs do";
		}
	}
	/* The stream must end here: one byte of room shows any more. */
	if (!why && r != Z_STREAM_END) {
		zs.next_out = &spare;
		zs.avail_out = 1;
		r = inflate(&zs, Z_FINISH);
		if (r != Z_STREAM_END || !zs.avail_out)
			why = zs.avail_out ? "the tags are cut short" : "there are more tags than runs";
	}
	if (!why && zs.avail_in)
		why = "bytes follow the tags";
	inflateEnd(&zs);
	return why;
}

int snapshot_tags_get(struct snap_r *r, u64 ram_size, struct snapshot_tags *t, const char **why)
{
	u64 size = snapshot_get_u64(r), end = 0, comp_len;
	u32 nr = snapshot_get_u32(r);
	const u8 *runs, *comp;

	snapshot_tags_init(t, ram_size);
	if (r->bad || size != ram_size) {
		*why = "its MTE tags are not for this RAM size";
		return -1;
	}
	/* At most every other block a run: bounds the table before it is read. */
	runs = nr <= ram_size / SNAPSHOT_TAGS_BLOCK ? snapshot_get_ptr(r, (size_t)nr * 16) : NULL;
	if (!runs) {
		*why = "its MTE tag runs are malformed";
		return -1;
	}
	for (u32 i = 0; i < nr; i++) {
		u64 off = le_get(runs + i * 16, 8), len = le_get(runs + i * 16 + 8, 8);

		if (off % SNAPSHOT_TAGS_BLOCK || len % SNAPSHOT_TAGS_BLOCK || !len ||
		    off < end || off > ram_size || len > ram_size - off || (i && off == end)) {
			*why = "its MTE tag runs are malformed";
			return -1;
		}
		snapshot_tags_add_run(t, off, len);
		end = off + len;
	}
	comp_len = snapshot_get_u64(r);
	comp = comp_len <= UINT_MAX ? snapshot_get_ptr(r, (size_t)comp_len) : NULL;
	if (!comp || !snapshot_r_ok(r)) {
		*why = "its MTE tags are malformed";
		return -1;
	}
	*why = inflate_runs(t, comp, comp_len);
	return *why ? -1 : 0;
}
