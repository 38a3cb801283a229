// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what lkvm reads back from a snapshot: the state
 * file's header and sections (snapshot.c), and the SDEI dispatcher's state
 * (sdei_load()).  The first byte picks what the rest is:
 *
 *   0  a whole state file, as read from disk
 *   1  a body, sealed here first (the checksums would stop nearly every
 *      mutation before the sections are walked)
 *   2  the SDEI state alone, loaded into a fresh 2-PE dispatcher
 *   3  an MTE tags section (snapshot-tags.c) for 4 MiB of RAM: one taken
 *      must save and read back to the same runs and tags
 *
 * A dispatcher that takes a state must save it back byte for byte, keep
 * its invariants, and still work; one that refuses must say why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/sdei.h"
#include "lkvm/snapshot-tags.h"

#define NR_PES 2

static const u64 mpidrs[NR_PES] = { 0x80000000, 0x80000001 };

static const u32 events[] = {
	SDEI_EVENT_SW_SIGNALED, SDEI_EVENT_PRIV_NORMAL, SDEI_EVENT_PRIV_CRITICAL,
	SDEI_EVENT_SHARED_NORMAL, SDEI_EVENT_SHARED_CRITICAL,
};

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "invariant failed: %s (line %d)\n",     \
				#cond, __LINE__);                               \
			abort();                                                \
		}                                                               \
	} while (0)

/* A loaded dispatcher is one the rest of sdei.c can live with. */
static void check_loaded(struct sdei *s)
{
	for (int pe = 0; pe < NR_PES; pe++) {
		int depth = sdei_pe_depth(s, pe);
		struct sdei_dispatch d;
		struct sdei_result res;
		u64 args[5] = { 0 };

		CHECK(depth >= 0 && depth <= 2);
		if (depth == 2)
			CHECK(!sdei_event_is_critical(sdei_pe_running_event(s, pe, 0)) &&
			      sdei_event_is_critical(sdei_pe_running_event(s, pe, 1)));
		for (int l = 0; l < depth; l++)
			CHECK(sdei_event_status(s, pe, sdei_pe_running_event(s, pe, l)) &
			      SDEI_STATUS_RUNNING);
		for (size_t i = 0; i < ARRAY_SIZE(events); i++) {
			int st = sdei_event_status(s, pe, events[i]);

			CHECK(st >= 0 && st < 8 && st != SDEI_STATUS_ENABLED &&
			      st != (SDEI_STATUS_ENABLED | SDEI_STATUS_RUNNING));
			sdei_pending_reason(s, pe, events[i]);
		}
		sdei_pe_has_pending(s, pe);
		sdei_pe_has_private_state(s, pe);
		if (sdei_next_dispatch(s, pe, &d)) {
			struct sdei_ctx c = { .pc = 0x1000, .pstate = 0x5 };

			CHECK(sdei_dispatch_commit(s, pe, &d, &c));
			CHECK(sdei_pe_depth(s, pe) == depth + 1);
			depth++;
		}
		/* Every handler running completes, innermost first. */
		for (; depth; depth--) {
			args[0] = SDEI_EV_HANDLED;
			sdei_call(s, pe, SDEI_FN_EVENT_COMPLETE, args, &res);
			CHECK(res.action == SDEI_ACT_COMPLETE);
			CHECK(sdei_pe_depth(s, pe) == depth - 1);
		}
	}
	{
		int kick[NR_PES];

		CHECK(sdei_pes_to_kick(s, kick, NR_PES) <= NR_PES);
	}
}

static void load_sdei(const u8 *p, size_t len)
{
	struct sdei *s = sdei_create(NR_PES, mpidrs);
	struct snap_r r;
	struct snap_w w;
	const char *why = NULL;

	CHECK(s);
	snapshot_r_init(&r, p, len);
	if (sdei_load(s, &r, &why) < 0) {
		CHECK(why);
	} else {
		/* What it took, it gives back as it was. */
		snapshot_w_init(&w);
		sdei_save(s, &w);
		CHECK(w.len == r.off && !memcmp(w.buf, p, w.len));
		snapshot_w_free(&w);
		check_loaded(s);
	}
	sdei_destroy(s);
}

/* Read a section as a parser would, field after field, until it runs out. */
static void read_fields(struct snap_r *r)
{
	char str[32];

	for (int i = 0; !r->bad && r->off < r->len; i++) {
		switch (i % 7) {
		case 0:
			snapshot_get_u8(r);
			break;
		case 1:
			snapshot_get_u16(r);
			break;
		case 2:
			snapshot_get_u32(r);
			break;
		case 3:
			snapshot_get_u64(r);
			break;
		case 4:
			snapshot_get_bool(r);
			break;
		case 5:
			snapshot_get_str(r, str, sizeof(str));
			CHECK(strlen(str) < sizeof(str));
			break;
		default:
			if (snapshot_get_ptr(r, 3))
				CHECK(r->off <= r->len);
			break;
		}
	}
	CHECK(r->off <= r->len);
}

static void open_file(const u8 *p, size_t len, bool sealed)
{
	static const u32 tags[] = {
		SNAP_CONFIG, SNAP_BOOT, SNAP_VM, SNAP_VCPU, SNAP_GIC, SNAP_DEVICE, SNAP_SDEI,
	};
	struct snapshot s;
	const char *why = NULL;

	if (snapshot_open(p, len, &s, &why) < 0) {
		CHECK(why);
		/* Sealed here: only the walk over the sections can find fault. */
		if (sealed)
			CHECK(strstr(why, "section"));
		return;
	}
	CHECK(s.body == p + SNAPSHOT_HEADER_SIZE && s.body_len == len - SNAPSHOT_HEADER_SIZE);
	for (size_t t = 0; t < ARRAY_SIZE(tags); t++)
		for (u32 inst = 0; inst < 3; inst++) {
			struct snap_r r;

			if (!snapshot_find(&s, tags[t], inst, &r))
				continue;
			CHECK(r.p >= s.body && r.len <= s.body_len &&
			      (size_t)(r.p - s.body) <= s.body_len - r.len);
			if (tags[t] == SNAP_SDEI)
				load_sdei(r.p, r.len);
			else
				read_fields(&r);
		}
}

#define TAGS_RAM	(4 * SZ_1M)

static void load_tags(const u8 *p, size_t len)
{
	struct snapshot_tags t, u;
	const char *why = NULL;
	struct snap_w w;
	struct snap_r r;

	snapshot_r_init(&r, p, len);
	if (snapshot_tags_get(&r, TAGS_RAM, &t, &why) < 0) {
		CHECK(why);
		snapshot_tags_free(&t);
		return;
	}
	snapshot_w_init(&w);
	CHECK(snapshot_tags_put(&w, &t) == 0);
	snapshot_r_init(&r, w.buf, w.len);
	CHECK(snapshot_tags_get(&r, TAGS_RAM, &u, &why) == 0);
	CHECK(u.nr_runs == t.nr_runs && !memcmp(u.runs, t.runs, t.nr_runs * sizeof(*t.runs)));
	CHECK(!memcmp(u.tags, t.tags, TAGS_RAM / 16));
	snapshot_tags_free(&u);
	snapshot_tags_free(&t);
	snapshot_w_free(&w);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u8 id[SNAPSHOT_ID_LEN] = { 0x42 };
	struct snap_w w;
	u8 *file;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0:
		open_file(data + 1, size - 1, false);
		break;
	case 1:
		snapshot_w_init(&w);
		snapshot_put(&w, data + 1, size - 1);
		file = malloc(SNAPSHOT_HEADER_SIZE + size);
		snapshot_seal(&w, id, 1ULL << 30, file);
		memcpy(file + SNAPSHOT_HEADER_SIZE, data + 1, size - 1);
		open_file(file, SNAPSHOT_HEADER_SIZE + size - 1, true);
		free(file);
		snapshot_w_free(&w);
		break;
	case 2:
		load_sdei(data + 1, size - 1);
		break;
	default:
		load_tags(data + 1, size - 1);
		break;
	}
	return 0;
}
