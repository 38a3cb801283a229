/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CTL_CLIENT_H
#define LKVM_CTL_CLIENT_H

#include <stddef.h>

#include "lkvm/ctl-proto.h"
#include "lkvm/options.h"
#include "lkvm/util.h"

/*
 * The client side of the control socket (docs/control.md), shared by the
 * subcommands list, pause, resume, stop, debug, stat, wait, events, wake,
 * sdei and snapshot (builtin-*.c): their command lines, where a guest's socket is,
 * connecting, a request and its reply with bounded buffers and timeouts, and
 * the --all iteration.  A failure is reported here, once, as one
 * "lkvm: ..." line, and returned as -1.
 *
 * The client subcommands' exit statuses (README.md, "Controlling a running
 * guest"):
 *	0			success
 *	LKVM_EXIT_TIMEOUT	`wait` timed out
 *	LKVM_EXIT_CTL_ERROR	the guest is unknown or unreachable, the request
 *				was refused, or another failure (one line says which)
 *	LKVM_EXIT_USAGE		a bad command line
 */

/* How long a reply may take: a wedged server never hangs a client. */
#define CTL_CLIENT_REPLY_MS	10000
/*
 * The longest line read, its newline included.  `debug` sends the longest:
 * about 1.5 KiB per vCPU, 3 KiB with its text.
 */
#define CTL_CLIENT_MAX_LINE	(4u << 20)

/* What every client subcommand's option table stores into. */
struct ctl_client_opts {
	const char *cmd;	/* the subcommand, also the request's "cmd" */
	const char *name;	/* -n, --name */
	bool all;		/* --all (pause, resume, stop) */
	bool json;		/* --json: the server's lines as they are */
	int state;		/* wait --state: an enum ctl_state, -1 if not given */
	bool has_timeout;	/* wait --timeout */
	u64 timeout_ms;
	bool has_event;		/* sdei --event */
	u64 event;
	bool has_cpu;		/* sdei --cpu */
	u64 cpu;
	const char *arg;	/* snapshot: its one argument, the directory */
	bool stop;		/* snapshot --stop */
};

/* The rows every client subcommand's table is made of. */
#define CTL_CLIENT_ROW_NAME								\
	{ "name", 'n', "NAME", "the guest (as given to lkvm run --name)", OPT_STRING,	\
	  offsetof(struct ctl_client_opts, name), NULL }
#define CTL_CLIENT_ROW_ALL								\
	{ "all", 'a', NULL, "every running guest of this user", OPT_FLAG,		\
	  offsetof(struct ctl_client_opts, all), NULL }
#define CTL_CLIENT_ROW_JSON								\
	{ "json", 0, NULL, "print the server's JSON lines as they are", OPT_FLAG,	\
	  offsetof(struct ctl_client_opts, json), NULL }
#define CTL_CLIENT_ROW_HELP { "help", 'h', NULL, "this text", OPT_HELP, 0, NULL }

/* --help's last lines, for all but `wait`. */
#define CTL_CLIENT_EXIT_HELP								\
	"Exit status: 0 done; 2 no such guest, the guest is not running, or it\n"	\
	"refused the request; 129 bad command line."

/* Which guests a subcommand's command line must name. */
enum ctl_client_target {
	CTL_CLIENT_NONE,	/* none (list) */
	CTL_CLIENT_ONE,		/* -n NAME */
	CTL_CLIENT_ONE_OR_ALL,	/* exactly one of -n NAME and --all */
	CTL_CLIENT_ONE_ARG,	/* -n NAME and one argument (snapshot's DIR) */
};

/*
 * Start a client subcommand: parse @argv into @o with @cmd's table and
 * check that it names the guests @target asks for.  True: go on.  False:
 * return *@status (0 after --help, LKVM_EXIT_USAGE after one "lkvm: ..."
 * line).  Also ignores SIGPIPE, so that a closed socket or stdout is an
 * error return, not death.
 */
bool ctl_client_begin(const struct opt_cmd *cmd, enum ctl_client_target target, int argc,
		      char **argv, struct ctl_client_opts *o, int *status);

/* One connection to a guest's control socket. */
struct ctl_client {
	int fd;
	char name[CTL_MAX_NAME + 1];
	int reply_ms;		/* how long a reply may take: CTL_CLIENT_REPLY_MS */
	char *buf;		/* CTL_CLIENT_MAX_LINE bytes read, not yet consumed */
	size_t len;		/* bytes in buf */
	size_t used;		/* the line handed out last, dropped at the next read */
	size_t scan;		/* buf[used..scan) holds no newline */
	bool eof;
};

/* The directory of the sockets, from the environment; -1 (reported) if none. */
int ctl_client_dir(char *buf, size_t size);

/*
 * Connect to guest @name.  0; -ENOENT if there is no such guest (no socket)
 * and -ECONNREFUSED if its lkvm has gone (a stale socket), reported unless
 * @quiet; -1 on any other failure, reported.
 */
int ctl_client_open(struct ctl_client *c, const char *name, bool quiet);
void ctl_client_close(struct ctl_client *c);

/* Send one request line (newline included): 0, -EPIPE if the guest went away, or -1. */
int ctl_client_send(struct ctl_client *c, const char *line, size_t len);

/*
 * Read the next line within @timeout_ms (-1: no limit).  1 with @line a JSON
 * object, @len long without its newline, valid until the next call; 0 at the
 * end of the stream (half a line before it is dropped: its lkvm died);
 * -ETIMEDOUT, not reported; -1 for a line that is too long or not JSON, or a
 * read error.
 */
int ctl_client_recv(struct ctl_client *c, int timeout_ms, const char **line, size_t *len);

/* Is @reply {"ok": true, ...}?  If not, the server's message is reported: -1. */
int ctl_client_check(const struct ctl_client *c, const char *reply, size_t len);

/*
 * One request and its reply: send {"cmd": @cmd} (with "text": true if
 * @text), then the reply within c->reply_ms, which must be ok.  0 with the
 * reply (as ctl_client_recv()'s), or -1.
 */
int ctl_client_call(struct ctl_client *c, const char *cmd, bool text, const char **reply,
		    size_t *len);
/* The same for a request line of the caller's. */
int ctl_client_call_line(struct ctl_client *c, const char *req, size_t n, const char **reply,
			 size_t *len);

/* String member @key of a reply, decoded into @buf: 0, or -1 (absent, no string, too long). */
int ctl_client_get_str(const char *reply, size_t len, const char *key, char *buf, size_t size);

/* Milliseconds from now to @deadline (util_now_ns()'s clock): 0 to INT_MAX. */
int ctl_client_ms_left(u64 deadline);

/* Flush stdout: 0; -EPIPE if its reader has gone (not reported); -1 (reported). */
int ctl_client_flush(void);

/* What a subcommand does with one guest, connected: 0, or -1 (reported). */
typedef int ctl_client_fn(struct ctl_client *c, const struct ctl_client_opts *o, void *arg);

/*
 * Call @fn for every guest whose lkvm runs, in the order of their names;
 * sockets nobody listens on are skipped.  0 if every call succeeded (none
 * is also success), else LKVM_EXIT_CTL_ERROR: an exit status.
 */
int ctl_client_for_each(const struct ctl_client_opts *o, ctl_client_fn *fn, void *arg);
/* @o->all ? ctl_client_for_each() : @fn for guest @o->name; an exit status. */
int ctl_client_each(const struct ctl_client_opts *o, ctl_client_fn *fn, void *arg);

/* ctl_client_fn's for the simple subcommands; each sends @o->cmd. */
/* Print the state the reply gives, "guest NAME: STATE" (pause, resume). */
int ctl_client_show_state(struct ctl_client *c, const struct ctl_client_opts *o, void *arg);
/* Print the reply's "text", or with --json the reply as it is (debug, stat). */
int ctl_client_show_reply(struct ctl_client *c, const struct ctl_client_opts *o, void *arg);
/* Print nothing (wake). */
int ctl_client_just_call(struct ctl_client *c, const struct ctl_client_opts *o, void *arg);

#endif
