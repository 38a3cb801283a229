/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_OPTIONS_H
#define LKVM_OPTIONS_H

#include <sched.h>
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
	bool no_wake_device;
	bool sve_off;		/* --sve-max-vl 0 */
	u32 sve_max_vl;		/* bits; 0 = host's best */
	u32 psci_version;	/* (major << 16) | minor; 0 = host default */
	bool its;		/* --irqchip gicv3-its */
	bool mte_off;
	bool pvtime_off;
	bool aarch32;
	bool single_step;
	bool has_kaslr_seed;
	u64 kaslr_seed;
	bool has_vcpu_affinity;
	cpu_set_t vcpu_affinity;
	int log_level;
};

/*
 * The option table engine, one for every subcommand.  A row stores into a
 * field of the subcommand's own struct (@base below): OPT_FLAG sets a bool,
 * OPT_STRING keeps the argument; OPT_CALL hands it to a parser that checks
 * and stores it (0, or -1 after one "lkvm: ..." line); OPT_HELP prints the
 * subcommand's --help to stdout; OPT_REFUSED is an option the subcommand
 * knows by name only to refuse it, its help text saying why (kvmtool's
 * options lkvm has no use for), whatever value it is given.  getopt_long's
 * table and --help come from the rows.
 */
enum opt_kind { OPT_SECTION, OPT_FLAG, OPT_STRING, OPT_CALL, OPT_HELP, OPT_REFUSED };

struct opt_desc {
	const char *name;	/* long name; NULL for a section heading */
	char short_name;	/* 0 if none */
	const char *arg;	/* the value's name in --help; NULL: takes none */
	const char *help;	/* --help text; '\n' starts a continuation line */
	enum opt_kind kind;
	size_t offset;		/* OPT_FLAG, OPT_STRING: the field in @base's struct */
	int (*call)(const char *arg, void *base);
};

/* A subcommand's command line. */
struct opt_cmd {
	const char *name;	/* "run": messages say "(see 'lkvm run --help')" */
	const char *usage;	/* --help's first lines ("usage: lkvm run ...") */
	const char *footer;	/* --help's last lines; NULL: none */
	const struct opt_desc *opts;
	size_t nr;
};

/* Rows in one table at most (getopt's tables are built on the stack). */
#define OPTIONS_MAX 80

/*
 * Parse @argv (argv[0] is the subcommand) into @base.  0 with *@rest the
 * index of the first argument that is no option, 1 if help was printed, or
 * -1 after one "lkvm: ..." line.
 */
int options_getopt(const struct opt_cmd *cmd, int argc, char **argv, void *base, int *rest);
void options_help(const struct opt_cmd *cmd, FILE *out);
/* Print "lkvm: " @fmt (one %s: @arg) " (see 'lkvm @cmd --help')"; returns -1. */
int options_bad(const char *cmd, const char *fmt, const char *arg);

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
