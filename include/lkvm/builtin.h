/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_BUILTIN_H
#define LKVM_BUILTIN_H

/* One subcommand per builtin-*.c; each returns the process exit status. */
int builtin_run(int argc, char **argv);

#endif
