// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for `lkvm run`'s command line: the input is argv, NUL
 * separated.  Besides the sanitizers: a command line that parses gives
 * values inside the documented ranges, and a kernel command line.  Bad
 * command lines say so on stderr: run it with -close_fd_mask=3.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/options.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char *copy, *argv[MAX_ARGS + 2];
	struct run_opts o;
	int argc = 1;

	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = 0;
	argv[0] = "run";
	for (size_t i = 0; i < size && argc <= MAX_ARGS; i++) {
		argv[argc++] = copy + i;
		i += strlen(copy + i);
	}
	argv[argc] = NULL;
	memset(&o, 0, sizeof(o));
	optind = 0;
	if (options_parse(argc, argv, &o) == 0) {
		char *b = options_bootargs(&o);

		if (o.nr_cpus < 1 || !o.mem_size || o.nr_disks < 0 || !o.kernel || !b)
			abort();
		free(b);
	}
	free(copy);
	return 0;
}
