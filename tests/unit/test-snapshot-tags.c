// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot's MTE tags (snapshot-tags.c): the runs of RAM that carry
 * them and their tags come back exactly, tags outside the runs read zero,
 * and each malformed section is refused with its reason.
 */
#include <stdlib.h>
#include <string.h>

#include "lkvm/le.h"
#include "lkvm/snapshot-tags.h"
#include "tap.h"

#define RAM	(4 * SZ_1M)
#define BLK	SNAPSHOT_TAGS_BLOCK

static bool why_is(const char *why, const char *want)
{
	if (why && !strcmp(why, want))
		return true;
	tap_diag("why: \"%s\", expected \"%s\"", why ? why : "(null)", want);
	return false;
}

/* Runs at blocks 0-1, 5 (joined with 6), 20 and the last; tags random in them. */
static void build(struct snapshot_tags *t, struct snap_w *w)
{
	snapshot_tags_init(t, RAM);
	snapshot_tags_add_run(t, 0, 2 * BLK);
	snapshot_tags_add_run(t, 5 * BLK, BLK);
	snapshot_tags_add_run(t, 6 * BLK, BLK);
	snapshot_tags_add_run(t, 20 * BLK, BLK);
	snapshot_tags_add_run(t, RAM - BLK, BLK);
	for (u32 i = 0; i < t->nr_runs; i++)
		for (u64 b = t->runs[i].off / 16; b < (t->runs[i].off + t->runs[i].len) / 16; b++)
			t->tags[b] = (u8)(rand() & 0xf);
	snapshot_w_init(w);
	if (snapshot_tags_put(w, t) < 0)
		abort();
}

static int get(const u8 *p, size_t len, u64 ram, struct snapshot_tags *t, const char **why)
{
	struct snap_r r;

	*why = NULL;
	snapshot_r_init(&r, p, len);
	return snapshot_tags_get(&r, ram, t, why);
}

static void test_round_trip(void)
{
	struct snapshot_tags t, u;
	struct snap_w w;
	const char *why;
	bool ok;

	srand(7);
	build(&t, &w);
	tap_ok(t.nr_runs == 4 && t.runs[1].off == 5 * BLK && t.runs[1].len == 2 * BLK,
	       "adjacent runs are joined: %u runs", t.nr_runs);
	ok = get(w.buf, w.len, RAM, &u, &why) == 0;
	tap_ok(ok, "a section read back (%s)", why ? why : "no error");
	ok = ok && u.nr_runs == t.nr_runs && !memcmp(u.runs, t.runs, t.nr_runs * sizeof(*t.runs));
	tap_ok(ok, "the same runs");
	tap_ok(ok && !memcmp(u.tags, t.tags, RAM / 16),
	       "every tag the same, zero outside the runs");
	snapshot_tags_free(&u);
	snapshot_tags_free(&t);
	snapshot_w_free(&w);

	snapshot_tags_init(&t, RAM);
	snapshot_w_init(&w);
	ok = snapshot_tags_put(&w, &t) == 0 && get(w.buf, w.len, RAM, &u, &why) == 0 &&
	     u.nr_runs == 0 && snapshot_page_is_zero(u.tags, RAM / 16);
	tap_ok(ok, "no runs: read back, every tag zero");
	snapshot_tags_free(&u);
	snapshot_tags_free(&t);
	snapshot_w_free(&w);
}

/* The section with u64 @field (a byte offset) set to @v, refused with @want. */
static bool patched(const struct snap_w *w, size_t at, unsigned int n, u64 v, const char *want)
{
	u8 *b = malloc(w->len);
	struct snapshot_tags u;
	const char *why;
	bool ok;

	memcpy(b, w->buf, w->len);
	le_put(b + at, n, v);
	ok = get(b, w->len, RAM, &u, &why) < 0 && why_is(why, want);
	snapshot_tags_free(&u);
	free(b);
	return ok;
}

#define RUN(i)	(12 + (i) * 16)		/* after the RAM size and the count */

static void test_refusals(void)
{
	struct snapshot_tags t, u;
	struct snap_w w;
	const char *why;
	size_t comp_at;
	bool ok = true;
	u8 *b;

	build(&t, &w);
	comp_at = RUN(t.nr_runs);
	for (size_t n = 0; n < w.len && ok; n++) {
		ok = get(w.buf, n, RAM, &u, &why) < 0 && why;
		snapshot_tags_free(&u);
	}
	tap_ok(ok, "every cut-short section refused, with a reason");
	ok = get(w.buf, w.len, 2 * RAM, &u, &why) < 0 &&
	     why_is(why, "its MTE tags are not for this RAM size");
	snapshot_tags_free(&u);
	tap_ok(ok, "another RAM size refused");
	tap_ok(patched(&w, 8, 4, RAM / BLK + 1, "its MTE tag runs are malformed"),
	       "more runs than RAM has blocks refused");
	tap_ok(patched(&w, RUN(1), 8, 5 * BLK + 4096, "its MTE tag runs are malformed"),
	       "a run not 64 KiB aligned refused");
	tap_ok(patched(&w, RUN(1) + 8, 8, 0, "its MTE tag runs are malformed"),
	       "an empty run refused");
	tap_ok(patched(&w, RUN(1), 8, BLK, "its MTE tag runs are malformed"),
	       "overlapping runs refused");
	tap_ok(patched(&w, RUN(1), 8, 2 * BLK, "its MTE tag runs are malformed"),
	       "a run adjacent to the one before refused (they are joined)");
	tap_ok(patched(&w, RUN(3) + 8, 8, 2 * BLK, "its MTE tag runs are malformed"),
	       "a run past the end of RAM refused");
	tap_ok(patched(&w, RUN(3), 8, ~0ULL - BLK + 1, "its MTE tag runs are malformed"),
	       "a run whose end wraps refused");
	tap_ok(patched(&w, RUN(2) + 8, 8, 2 * BLK, "the tags end before the runs do"),
	       "runs longer than the tags refused");
	tap_ok(patched(&w, RUN(1) + 8, 8, BLK, "there are more tags than runs"),
	       "tags longer than the runs refused");
	tap_ok(patched(&w, comp_at + 8 + 2, 1, 0xff, "the tags do not inflate"),
	       "a corrupted stream refused");

	b = malloc(w.len + 1);
	memcpy(b, w.buf, w.len);
	le_put(b + comp_at, 8, w.len - comp_at - 8 - 1);
	ok = get(b, w.len - 1, RAM, &u, &why) < 0 && why_is(why, "the tags are cut short");
	snapshot_tags_free(&u);
	tap_ok(ok, "a stream cut short refused");

	b[w.len] = 0;
	le_put(b + comp_at, 8, w.len - comp_at - 8 + 1);
	ok = get(b, w.len + 1, RAM, &u, &why) < 0 && why_is(why, "bytes follow the tags");
	snapshot_tags_free(&u);
	tap_ok(ok, "a byte after the stream refused");
	free(b);
	snapshot_tags_free(&t);
	snapshot_w_free(&w);
}

int main(void)
{
	tap_plan(19);
	test_round_trip();
	test_refusals();
	return tap_done();
}
