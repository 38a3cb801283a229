/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SNAPSHOT_TAGS_H
#define LKVM_SNAPSHOT_TAGS_H

#include "lkvm/snapshot.h"

/*
 * A snapshot's MTE tags (its MTE section), as pure logic.  KVM gives one
 * byte of tag per 16 bytes of RAM; only the runs of RAM that may hold data
 * carry theirs (the rest reads as zeros, tags included), so a large guest
 * that used little of its RAM costs little to save and to restore.
 *
 * Section: u64 RAM size, u32 number of runs, each run's u64 offset and u64
 * length in bytes of RAM (multiples of 64 KiB, ascending, apart, inside
 * RAM), then u64 length and the runs' tags one after another, deflated as
 * one zlib stream.
 */
#define SNAPSHOT_TAGS_BLOCK	SZ_64K

struct snapshot_tag_run {
	u64 off, len;		/* bytes of RAM */
};

struct snapshot_tags {
	u64 ram_size;
	u8 *tags;		/* ram_size / 16 bytes; zero outside the runs */
	struct snapshot_tag_run *runs;
	u32 nr_runs, cap;
};

/* No runs, every tag zero, for @ram_size bytes of RAM (a multiple of 64 KiB). */
void snapshot_tags_init(struct snapshot_tags *t, u64 ram_size);
void snapshot_tags_free(struct snapshot_tags *t);
/* A run [@off, @off + @len), 64 KiB aligned, after the last one (joined to it if adjacent). */
void snapshot_tags_add_run(struct snapshot_tags *t, u64 off, u64 len);
/* The section's body; -1 if deflate fails. */
int snapshot_tags_put(struct snap_w *w, const struct snapshot_tags *t);
/*
 * Read a section for @ram_size bytes of RAM into @t (initialised here, to
 * be freed even on failure); -1 and @why when it is malformed.
 */
int snapshot_tags_get(struct snap_r *r, u64 ram_size, struct snapshot_tags *t, const char **why);

#endif
