// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration a snapshot keeps: `lkvm run`'s options, field by field,
 * so that `lkvm run --restore` builds the same machine (the same devices at
 * the same addresses, the same vCPU features) without being told again.
 * Read back, every value is checked as the command line's parser would.
 */
#include <string.h>

#include "lkvm/ctl-proto.h"
#include "lkvm/options.h"
#include "lkvm/snapshot.h"

#define CONFIG_VERSION	1
/* A new field in struct run_opts must be saved here too; this says so at build time. */
_Static_assert(sizeof(struct run_opts) == 18120 || sizeof(void *) != 8,
	       "struct run_opts changed: update options_snapshot_save() and _load()");

static void put_cpuset(struct snap_w *w, const cpu_set_t *set)
{
	for (int c = 0; c < CPU_SETSIZE; c += 64) {
		u64 word = 0;

		for (int b = 0; b < 64; b++)
			if (CPU_ISSET(c + b, set))
				word |= 1ULL << b;
		snapshot_put_u64(w, word);
	}
}

static void get_cpuset(struct snap_r *r, cpu_set_t *set)
{
	CPU_ZERO(set);
	for (int c = 0; c < CPU_SETSIZE; c += 64) {
		u64 word = snapshot_get_u64(r);

		for (int b = 0; b < 64; b++)
			if (word & (1ULL << b))
				CPU_SET(c + b, set);
	}
}

void options_snapshot_save(const struct run_opts *o, struct snap_w *w)
{
	snapshot_put_u32(w, CONFIG_VERSION);
	snapshot_put_str(w, o->kernel);
	snapshot_put_str(w, o->initrd);
	snapshot_put_str(w, o->params);
	snapshot_put_str(w, o->name);
	snapshot_put_u64(w, o->mem_size);
	snapshot_put_u64(w, o->mem_base);
	snapshot_put_u32(w, (u32)o->nr_cpus);
	snapshot_put_u32(w, (u32)o->nr_disks);
	for (int i = 0; i < o->nr_disks; i++) {
		snapshot_put_str(w, o->disks[i].path);
		snapshot_put_u8(w, o->disks[i].readonly);
	}
	/* A snapshot is refused with NICs or shared directories: none to keep. */
	snapshot_put_u32(w, (u32)o->nr_nets);
	snapshot_put_u32(w, (u32)o->nr_fss);
	snapshot_put_u8(w, (u8)o->console);
	snapshot_put_u8(w, o->nodefaults);
	snapshot_put_u8(w, o->rng);
	snapshot_put_u8(w, o->pmu);
	snapshot_put_u8(w, o->no_reboot);
	snapshot_put_u8(w, o->no_system_suspend);
	snapshot_put_u8(w, o->no_sdei);
	snapshot_put_u8(w, o->test_device);
	snapshot_put_u8(w, o->no_wake_device);
	snapshot_put_u8(w, o->sve_off);
	snapshot_put_u32(w, o->sve_max_vl);
	snapshot_put_u32(w, o->psci_version);
	snapshot_put_u8(w, o->its);
	snapshot_put_u8(w, o->mte_off);
	snapshot_put_u8(w, o->pvtime_off);
	snapshot_put_u8(w, o->aarch32);
	snapshot_put_u8(w, o->has_kaslr_seed);
	snapshot_put_u64(w, o->kaslr_seed);
	snapshot_put_u8(w, o->has_vcpu_affinity);
	put_cpuset(w, &o->vcpu_affinity);
}

/* A string option: NULL when the snapshot has none. */
static const char *get_opt_str(struct snap_r *r, size_t max)
{
	char buf[4096];

	snapshot_get_str(r, buf, max < sizeof(buf) ? max : sizeof(buf));
	return buf[0] ? xstrdup(buf) : NULL;
}

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

int options_snapshot_load(struct run_opts *o, struct snap_r *r, const char **why)
{
	u32 nr;

	memset(o, 0, sizeof(*o));
	if (snapshot_get_u32(r) != CONFIG_VERSION)
		return fail(why, "its configuration is of another version");
	o->kernel = get_opt_str(r, 4096);
	o->initrd = get_opt_str(r, 4096);
	o->params = get_opt_str(r, 4096);
	o->name = get_opt_str(r, CTL_MAX_NAME + 1);
	o->mem_size = snapshot_get_u64(r);
	o->mem_base = snapshot_get_u64(r);
	o->nr_cpus = (int)snapshot_get_u32(r);
	nr = snapshot_get_u32(r);
	if (nr > LKVM_MAX_DISKS)
		return fail(why, "its configuration has too many disks");
	for (u32 i = 0; i < nr; i++) {
		snapshot_get_str(r, o->disks[i].path, sizeof(o->disks[i].path));
		o->disks[i].readonly = snapshot_get_bool(r);
	}
	o->nr_disks = (int)nr;
	if (snapshot_get_u32(r) || snapshot_get_u32(r))
		return fail(why, "its configuration has NICs or shared directories");
	o->console = snapshot_get_u8(r) ? CONSOLE_VIRTIO : CONSOLE_SERIAL;
	o->nodefaults = snapshot_get_bool(r);
	o->rng = snapshot_get_bool(r);
	o->pmu = snapshot_get_bool(r);
	o->no_reboot = snapshot_get_bool(r);
	o->no_system_suspend = snapshot_get_bool(r);
	o->no_sdei = snapshot_get_bool(r);
	o->test_device = snapshot_get_bool(r);
	o->no_wake_device = snapshot_get_bool(r);
	o->sve_off = snapshot_get_bool(r);
	o->sve_max_vl = snapshot_get_u32(r);
	o->psci_version = snapshot_get_u32(r);
	o->its = snapshot_get_bool(r);
	o->mte_off = snapshot_get_bool(r);
	o->pvtime_off = snapshot_get_bool(r);
	o->aarch32 = snapshot_get_bool(r);
	o->has_kaslr_seed = snapshot_get_bool(r);
	o->kaslr_seed = snapshot_get_u64(r);
	o->has_vcpu_affinity = snapshot_get_bool(r);
	get_cpuset(r, &o->vcpu_affinity);
	o->log_level = LOG_WARN;
	if (!snapshot_r_ok(r))
		return fail(why, "its configuration is cut short or malformed");
	if (!o->kernel)
		return fail(why, "its configuration names no kernel");
	if (o->name && !ctl_proto_name_ok(o->name))
		return fail(why, "its configuration has an invalid guest name");
	if (o->nr_cpus < 1 || o->nr_cpus > 512)
		return fail(why, "its configuration has an invalid vCPU count");
	if (!o->mem_size || o->mem_size % SZ_4K || o->mem_base % SZ_4K ||
	    o->mem_base + o->mem_size < o->mem_base)
		return fail(why, "its configuration has an invalid RAM size or base");
	if (o->sve_max_vl % 128 || o->sve_max_vl > 2048 || (o->psci_version >> 16) > 1)
		return fail(why, "its configuration has an invalid SVE length or PSCI version");
	for (int i = 0; i < o->nr_disks; i++)
		if (!o->disks[i].path[0])
			return fail(why, "its configuration has a disk without a path");
	return 0;
}
