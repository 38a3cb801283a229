// SPDX-License-Identifier: GPL-2.0
/* Just enough of a flattened-device-tree reader for tests: property lookup by
 * path and counting a node's children.  Byte loads only: with the MMU off all
 * memory is Device memory and must be accessed aligned. */
#include "libtest.h"

#define FDT_MAGIC	0xd00dfeed
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9
#define MAX_COMPS	8

u32 fdt32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

u64 fdt64(const void *p)
{
	return (u64)fdt32(p) << 32 | fdt32((const u8 *)p + 4);
}

bool fdt_valid(u64 fdt)
{
	const u8 *h = (const u8 *)(uintptr_t)fdt;

	return fdt && fdt32(h) == FDT_MAGIC && fdt32(h + 4) >= 40 && fdt32(h + 4) < (64u << 20);
}

struct walk {
	const char *comp[MAX_COMPS];
	size_t len[MAX_COMPS];
	int ncomps;
};

static bool split_path(const char *path, struct walk *w)
{
	w->ncomps = 0;
	if (*path != '/')
		return false;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		if (w->ncomps == MAX_COMPS)
			return false;
		w->comp[w->ncomps] = path;
		while (*path && *path != '/')
			path++;
		w->len[w->ncomps] = (size_t)(path - w->comp[w->ncomps]);
		w->ncomps++;
	}
	return true;
}

static bool name_matches(const char *name, const char *comp, size_t n)
{
	bool comp_has_unit = false;

	for (size_t i = 0; i < n; i++)
		if (comp[i] == '@')
			comp_has_unit = true;
	if (strncmp(name, comp, n))
		return false;
	return name[n] == '\0' || (name[n] == '@' && !comp_has_unit);
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * Walk the structure block.  With @prop set: return the property of the node
 * at @path.  Without: count the children of that node whose names start with
 * @child_prefix, in *count.
 */
static const void *walk(const char *path, const char *prop, u32 *len,
			const char *child_prefix, int *count)
{
	const u8 *base = (const u8 *)(uintptr_t)boot_dtb, *p, *strings;
	int depth = -1, matched = -1;
	struct walk w;

	if (!fdt_valid(boot_dtb) || !split_path(path, &w))
		return NULL;
	p = base + fdt32(base + 8);
	strings = base + fdt32(base + 12);
	for (;;) {
		u32 tok = fdt32(p);
		const char *name;

		p += 4;
		switch (tok) {
		case FDT_BEGIN_NODE:
			name = (const char *)p;
			p += align4(strlen(name) + 1);
			depth++;
			if (depth == 0) {
				matched = 0;
			} else if (matched == depth - 1 && depth <= w.ncomps &&
				   name_matches(name, w.comp[depth - 1], w.len[depth - 1])) {
				matched = depth;
			} else if (child_prefix && matched == depth - 1 && depth == w.ncomps + 1 &&
				   !strncmp(name, child_prefix, strlen(child_prefix))) {
				(*count)++;
			}
			break;
		case FDT_END_NODE:
			if (matched == depth)
				matched--;
			depth--;
			if (depth < 0)
				return NULL;
			break;
		case FDT_PROP: {
			u32 plen = fdt32(p), nameoff = fdt32(p + 4);
			const u8 *val = p + 8;

			p += 8 + align4(plen);
			if (prop && matched == depth && depth == w.ncomps &&
			    !strcmp((const char *)strings + nameoff, prop)) {
				if (len)
					*len = plen;
				return val;
			}
			break;
		}
		case FDT_NOP:
			break;
		default:
			return NULL;
		}
	}
}

const void *fdt_getprop(const char *path, const char *prop, u32 *len)
{
	return walk(path, prop, len, NULL, NULL);
}

int fdt_count_children(const char *path, const char *prefix)
{
	int n = 0;

	walk(path, NULL, NULL, prefix, &n);
	return n;
}

int nr_cpus(void)
{
	return fdt_count_children("/cpus", "cpu@");
}
