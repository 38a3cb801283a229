/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_BUILTIN_H
#define LKVM_BUILTIN_H

/* One subcommand per builtin-*.c; each returns the process exit status. */
int builtin_run(int argc, char **argv);
/*
 * The control socket's clients (include/lkvm/ctl-client.h has their exit
 * statuses): argv[0] is the subcommand.
 */
int builtin_list(int argc, char **argv);
int builtin_pause(int argc, char **argv);
int builtin_resume(int argc, char **argv);
int builtin_stop(int argc, char **argv);
int builtin_debug(int argc, char **argv);
int builtin_stat(int argc, char **argv);
int builtin_wait(int argc, char **argv);
int builtin_events(int argc, char **argv);
int builtin_wake(int argc, char **argv);
int builtin_sdei(int argc, char **argv);
int builtin_snapshot(int argc, char **argv);

#endif
