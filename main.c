// SPDX-License-Identifier: GPL-2.0
/* lkvm: subcommand dispatch. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "lkvm/builtin.h"
#include "lkvm/options.h"
#include "lkvm/util.h"

#ifndef LKVM_VERSION
#define LKVM_VERSION "0.1"
#endif

static int cmd_version(int argc, char **argv)
{
	printf("lkvm version %s\n", LKVM_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", builtin_run, "start a virtual machine" },
	{ "list", builtin_list, "list the running guests" },
	{ "pause", builtin_pause, "hold a guest's vCPUs (its clocks stop)" },
	{ "resume", builtin_resume, "let a paused guest run again" },
	{ "stop", builtin_stop, "stop a guest, as SIGTERM would, and wait for its exit" },
	{ "debug", builtin_debug, "print a guest's vCPU registers and states" },
	{ "stat", builtin_stat, "print a guest's counters (those of run --stats)" },
	{ "wait", builtin_wait, "wait until a guest is running, suspended, off, ..." },
	{ "events", builtin_events, "print a guest's events as they happen" },
	{ "wake", builtin_wake, "wake a guest from suspend to RAM" },
	{ "sdei", builtin_sdei, "raise an SDEI event in a guest" },
	{ "snapshot", builtin_snapshot, "save a guest (lkvm run --restore continues it)" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "list commands, or 'lkvm help COMMAND'" },
};

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "run")) {
		options_usage(stdout);
		return 0;
	}
	/* `lkvm help CMD` is `lkvm CMD --help`. */
	for (size_t i = 0; argc > 1 && i < ARRAY_SIZE(commands); i++) {
		char *args[] = { argv[1], "--help", NULL };

		if (!strcmp(argv[1], commands[i].name) && commands[i].fn != cmd_help &&
		    commands[i].fn != cmd_version)
			return commands[i].fn(2, args);
	}
	/*
	 * kvmtool's heading: kvm-unit-tests' runner takes a program for lkvm
	 * only if its --help has the words "The most commonly used".
	 */
	printf("usage: lkvm COMMAND [options]\n\nThe most commonly used lkvm commands are:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].help);
	printf("\n'lkvm COMMAND --help' lists the options of a command.\n");
	return 0;
}

int main(int argc, char **argv)
{
	/*
	 * Big buffers (a kernel read at start, inflated again at a reboot)
	 * always come from mmap, so freeing them gives the memory back: glibc
	 * would otherwise raise this threshold after the first and keep them.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (argc < 2) {
		cmd_help(0, NULL);
		return LKVM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(0, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	pr_err("unknown command '%s' (see 'lkvm help')", argv[1]);
	return LKVM_EXIT_USAGE;
}
