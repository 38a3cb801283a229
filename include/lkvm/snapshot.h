/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SNAPSHOT_H
#define LKVM_SNAPSHOT_H

#include <stddef.h>

#include "lkvm/util.h"

/*
 * The snapshot format (docs/snapshot.md), as pure logic: a growable
 * little-endian writer, a bounds-checked reader, and the state file's
 * header, sections and checksums.  The glue (snapshot-kvm.c) gathers the
 * state and does the file I/O; every device and handler writes and reads
 * its own part through these.
 *
 * A state file is a 64-byte header, then sections: u32 tag, u32 instance,
 * u64 length, the bytes, zero padding to 8.  The header holds the body's
 * CRC-32 and its own, the guest RAM size and a random id that the RAM
 * file's trailer repeats.
 */

#define SNAPSHOT_MAGIC		"LKVMSNAP"
#define SNAPSHOT_VERSION	1
#define SNAPSHOT_HEADER_SIZE	64
#define SNAPSHOT_RAM_MAGIC	"LKVMRAM"
#define SNAPSHOT_RAM_TRAILER	4096
#define SNAPSHOT_ID_LEN		16
/* Largest state file lkvm reads (the RAM is apart; MTE tags are compressed). */
#define SNAPSHOT_STATE_MAX	(256 * SZ_1M)

#define SNAPSHOT_TAG(a, b, c, d) ((u32)(a) | (u32)(b) << 8 | (u32)(c) << 16 | (u32)(d) << 24)
/* The sections (docs/snapshot.md says what each holds). */
#define SNAP_CONFIG	SNAPSHOT_TAG('C', 'O', 'N', 'F')	/* how lkvm run was started */
#define SNAP_BOOT	SNAPSHOT_TAG('B', 'O', 'O', 'T')	/* the payload's layout, the DTB */
#define SNAP_VM		SNAPSHOT_TAG('V', 'M', ' ', ' ')	/* VM-wide: features, counter */
#define SNAP_VCPU	SNAPSHOT_TAG('V', 'C', 'P', 'U')	/* instance: the vCPU index */
#define SNAP_GIC	SNAPSHOT_TAG('G', 'I', 'C', ' ')
#define SNAP_ITS	SNAPSHOT_TAG('I', 'T', 'S', ' ')
#define SNAP_MTE	SNAPSHOT_TAG('M', 'T', 'E', ' ')	/* the tags, deflated */
#define SNAP_PVTIME	SNAPSHOT_TAG('P', 'V', 'T', 'M')	/* the stolen-time area */
#define SNAP_DEVICE	SNAPSHOT_TAG('D', 'E', 'V', ' ')	/* instance: its place on the bus */
#define SNAP_SDEI	SNAPSHOT_TAG('S', 'D', 'E', 'I')

/* ---- writing -------------------------------------------------------------- */

struct snap_w {
	u8 *buf;
	size_t len, cap;
	size_t open;		/* the open section's header offset; SIZE_MAX: none */
};

void snapshot_w_init(struct snap_w *w);
void snapshot_w_free(struct snap_w *w);
void snapshot_put(struct snap_w *w, const void *p, size_t n);
void snapshot_put_u8(struct snap_w *w, u8 v);
void snapshot_put_u16(struct snap_w *w, u16 v);
void snapshot_put_u32(struct snap_w *w, u32 v);
void snapshot_put_u64(struct snap_w *w, u64 v);
/* A u32 length, then the bytes (no NUL); NULL is stored as "". */
void snapshot_put_str(struct snap_w *w, const char *s);
/* Sections do not nest: begin closes nothing, end closes the open one. */
void snapshot_section_begin(struct snap_w *w, u32 tag, u32 instance);
void snapshot_section_end(struct snap_w *w);

/* ---- reading -------------------------------------------------------------- */

/*
 * A reader never reads past its end: a read that would sets @bad and
 * returns zeroes, so a parser reads its fields and checks once.
 */
struct snap_r {
	const u8 *p;
	size_t len, off;
	bool bad;
};

void snapshot_r_init(struct snap_r *r, const void *p, size_t len);
bool snapshot_get(struct snap_r *r, void *dst, size_t n);
/* A view of the next @n bytes (NULL, and @bad, if there are fewer). */
const u8 *snapshot_get_ptr(struct snap_r *r, size_t n);
u8 snapshot_get_u8(struct snap_r *r);
u16 snapshot_get_u16(struct snap_r *r);
u32 snapshot_get_u32(struct snap_r *r);
u64 snapshot_get_u64(struct snap_r *r);
/* A byte that must be 0 or 1 (anything else sets @bad). */
bool snapshot_get_bool(struct snap_r *r);
/* A string into @dst (NUL-terminated); @bad if it does not fit or holds a NUL. */
void snapshot_get_str(struct snap_r *r, char *dst, size_t size);
/* Everything read, nothing wrong. */
static inline bool snapshot_r_ok(const struct snap_r *r)
{
	return !r->bad && r->off == r->len;
}

/* ---- the state file ------------------------------------------------------- */

struct snapshot {
	u32 version;
	u8 id[SNAPSHOT_ID_LEN];
	u64 ram_size;
	const u8 *body;
	size_t body_len;
};

/* The header for @body (all sections closed). */
void snapshot_seal(const struct snap_w *body, const u8 id[SNAPSHOT_ID_LEN], u64 ram_size,
		   u8 hdr[SNAPSHOT_HEADER_SIZE]);
/*
 * Check a whole state file (@len bytes at @file): magic, version, both
 * checksums, and every section's bounds.  0 with @s pointing into @file,
 * or -1 with *@why saying what is wrong.
 */
int snapshot_open(const u8 *file, size_t len, struct snapshot *s, const char **why);
/* Section (@tag, @instance) as a reader; false if the snapshot has none. */
bool snapshot_find(const struct snapshot *s, u32 tag, u32 instance, struct snap_r *r);

/* The RAM file's last SNAPSHOT_RAM_TRAILER bytes, after @ram_size bytes of RAM. */
void snapshot_ram_trailer(const u8 id[SNAPSHOT_ID_LEN], u64 ram_size,
			  u8 out[SNAPSHOT_RAM_TRAILER]);
/* 0 when @t is the trailer of this snapshot's RAM; -1 with *@why. */
int snapshot_check_ram_trailer(const u8 *t, const u8 id[SNAPSHOT_ID_LEN], u64 ram_size,
			       const char **why);

/* Is this page all zeroes (a hole in the RAM file)?  @len a multiple of 8. */
bool snapshot_page_is_zero(const void *p, size_t len);

#endif
