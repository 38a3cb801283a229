/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DAEMON_H
#define LKVM_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The helper processes lkvm starts for its back ends (passt, virtiofsd): one
 * way to find, start, watch and stop them.  Each is stopped when lkvm exits,
 * and dies with lkvm if lkvm is killed.
 */
struct daemon;

/*
 * The full path of @prog: PATH first, then each of @extra_dirs (NULL-ended,
 * may be NULL).  NULL after one line naming the Debian @package.
 */
char *daemon_find(const char *prog, const char *const *extra_dirs, const char *package);
/*
 * Start @argv (argv[0] a full path) with stdin from /dev/null and its output
 * on lkvm's stderr, then wait up to @timeout_ms for it to accept a connection
 * on the UNIX socket @sock_path; the connected socket goes in *@fd.  NULL
 * after one line saying why (the child is then stopped).  @what names it in
 * messages.
 */
struct daemon *daemon_start(const char *what, char *const argv[], const char *sock_path,
			    int timeout_ms, int *fd);
/* Connect to the UNIX socket @path: the fd, or -1 with errno set. */
int daemon_connect(const char *path);
/* Has it ended?  Then @why says how ("exited with status 1", "killed by signal 9"). */
bool daemon_exited(struct daemon *d, char *why, size_t len);
/* Its process id (for messages and tests). */
int daemon_pid(const struct daemon *d);
/* SIGTERM, up to a second to go, then SIGKILL; reaped and freed.  NULL is fine. */
void daemon_stop(struct daemon *d);
/*
 * "DIR/@name" in a directory private to this lkvm (under $XDG_RUNTIME_DIR,
 * else /tmp), made on first use and removed by daemon_cleanup(); NULL after
 * one line saying why.  The caller frees.
 */
char *daemon_sock_path(const char *name);
/* At exit, after every daemon_stop(): remove the private directory and what is in it. */
void daemon_cleanup(void);

#endif
