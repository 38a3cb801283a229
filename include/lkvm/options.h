/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_OPTIONS_H
#define LKVM_OPTIONS_H

#include <sched.h>
#include <stdio.h>

#include "lkvm/util.h"

#define LKVM_MAX_DISKS 8
#define LKVM_MAX_NICS 8
#define LKVM_MAX_FS 8
/* virtio-fs: the tag is at most 36 bytes (virtio 1.2, 5.11.4). */
#define LKVM_FS_TAG_MAX 36
#define LKVM_DEFAULT_MEM_MIB 512

enum console_kind { CONSOLE_SERIAL, CONSOLE_VIRTIO };

struct disk_opt {
	char path[1024];
	bool readonly;
};

enum net_mode { NET_NONE, NET_TAP, NET_USER };

/* One -n/--network: kvmtool's key=value list (docs in the README). */
struct net_opt {
	enum net_mode mode;
	char tapif[16];		/* IFNAMSIZ; "" lets the kernel name the tap */
	u8 guest_mac[6];	/* given, or derived from the guest's name and the NIC's index */
	bool has_guest_mac;
	u8 host_mac[6];
	bool has_host_mac;
	bool vhost;
	char socket[108];	/* mode=user: a running passt's socket, instead of starting one */
};

/* One --fs DIR[,tag=TAG][,ro]. */
struct fs_opt {
	char dir[1024];
	char tag[LKVM_FS_TAG_MAX + 1];
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
	struct net_opt nets[LKVM_MAX_NICS];
	int nr_nets;
	struct fs_opt fss[LKVM_MAX_FS];
	int nr_fss;
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

	/* --restore DIR: everything above comes from the snapshot, but for these. */
	const char *restore;
	bool paused;		/* --paused: the restored guest waits for lkvm resume */
	bool force;		/* --force: take disks that changed since the snapshot */
	bool restore_disks;	/* -d given with --restore: they replace the snapshot's */
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

/*
 * The configuration a snapshot keeps (options-snapshot.c): every field of
 * @o but the --restore ones.  Load refuses (-1, *@why) what parsing would
 * have refused; its strings are allocated.
 */
struct snap_w;
struct snap_r;
void options_snapshot_save(const struct run_opts *o, struct snap_w *w);
int options_snapshot_load(struct run_opts *o, struct snap_r *r, const char **why);

/* The MAC of NIC @index of the guest named @name (NULL: unnamed) when none is given. */
void options_default_mac(const char *name, int index, u8 mac[6]);

/* The kernel command line lkvm gives the guest (caller frees). */
char *options_bootargs(const struct run_opts *o);

#endif
