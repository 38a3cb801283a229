/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_OPTIONS_H
#define LKVM_OPTIONS_H

#include <stdio.h>

#include "lkvm/util.h"

#define LKVM_MAX_DISKS 8
#define LKVM_DEFAULT_MEM_MIB 512

enum console_kind { CONSOLE_SERIAL, CONSOLE_VIRTIO };

struct disk_opt {
	char path[1024];
	bool readonly;
};

/* Everything `lkvm run` was asked for.  Filled by options_parse(), pure. */
struct run_opts {
	const char *kernel, *initrd, *params, *name, *dump_dtb;
	u64 mem_size;		/* bytes */
	u64 mem_base;		/* guest-physical RAM base */
	int nr_cpus;
	struct disk_opt disks[LKVM_MAX_DISKS];
	int nr_disks;
	enum console_kind console;
	bool nodefaults;
	bool rng;
	bool pmu;
	bool debug;
	bool stats;
	bool no_reboot;
	bool no_system_suspend;
	bool no_sdei;
	bool test_device;
	bool sve_off;		/* --sve-max-vl 0 */
	u32 sve_max_vl;		/* bits; 0 = host's best */
	u32 psci_version;	/* (major << 16) | minor; 0 = host default */
	int log_level;
};

/*
 * Parse `lkvm run` arguments (argv[0] is "run").  Returns 0 on success, 1 if
 * help was printed, or -1 after printing one "lkvm: ..." line about the first
 * problem.  Never exits, so the tests can drive it.
 */
int options_parse(int argc, char **argv, struct run_opts *o);
void options_usage(FILE *out);

/* The kernel command line lkvm gives the guest (caller frees). */
char *options_bootargs(const struct run_opts *o);

#endif
