/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CTL_PROTO_H
#define LKVM_CTL_PROTO_H

#include <stddef.h>

#include "lkvm/json.h"
#include "lkvm/util.h"

/*
 * The control protocol (docs/control.md) as pure logic: what a request line
 * means, the names of states, events and errors, guest names and where their
 * sockets live.  The server (ctl-server.c) and the client subcommands
 * (ctl-client.c, builtin-*.c) both use it; the fuzzer drives it.
 */

/* A request line is at most this long, its newline included. */
#define CTL_MAX_REQUEST		4096
/* A snapshot's directory, as the request names it, NUL included. */
#define CTL_MAX_PATH		1024
/* A guest name: 1..CTL_MAX_NAME characters of [A-Za-z0-9._-], not starting with '.'. */
#define CTL_MAX_NAME		64

enum ctl_cmd {
	CTL_CMD_STATUS,		/* name, pid, state, vcpus */
	CTL_CMD_PAUSE,
	CTL_CMD_RESUME,
	CTL_CMD_STOP,
	CTL_CMD_DEBUG,		/* registers, MP_STATE, SDEI state of every vCPU */
	CTL_CMD_STAT,		/* the --stats counters */
	CTL_CMD_EVENTS,		/* this connection becomes an event stream */
	CTL_CMD_WAKE,		/* wake a guest in SYSTEM_SUSPEND */
	CTL_CMD_SDEI,		/* raise an SDEI event: "event", optional "cpu" */
	CTL_CMD_SNAPSHOT,	/* write a snapshot: "dir" (absolute), optional "stop" */
	CTL_CMD_NR,
};

struct ctl_req {
	enum ctl_cmd cmd;
	bool has_id;		/* "id": any JSON value, echoed in the reply */
	const char *id_raw;	/* points into the request line */
	size_t id_len;
	bool text;		/* "text": true asks for a human-readable "text" member too */
	u32 event;		/* sdei */
	int cpu;		/* sdei: -1 when not given */
	char dir[CTL_MAX_PATH];	/* snapshot: an absolute path */
	bool stop;		/* snapshot: end the guest after it, as `stop` */
};

/* Error codes of a reply's "error" member. */
enum ctl_err {
	CTL_ERR_NONE,
	CTL_ERR_BAD_REQUEST,	/* not JSON, not an object, wrong type, unknown member */
	CTL_ERR_TOO_LONG,	/* longer than CTL_MAX_REQUEST */
	CTL_ERR_UNKNOWN_CMD,
	CTL_ERR_BAD_ARG,	/* a value out of range (cpu, event) */
	CTL_ERR_REFUSED,	/* understood, but not possible now; the message says why */
	CTL_ERR_BUSY,		/* too many clients */
	CTL_ERR_NR,
};

/*
 * Decode one request line (@n bytes, without its newline).  CTL_ERR_NONE
 * with @req filled, or an error with *@why a message for the reply.
 */
enum ctl_err ctl_proto_parse(const char *line, size_t n, struct ctl_req *req, const char **why);

const char *ctl_proto_cmd_name(enum ctl_cmd cmd);
const char *ctl_proto_err_name(enum ctl_err err);

/* What `lkvm list` shows and `lkvm wait --state` waits for. */
enum ctl_state {
	CTL_STATE_RUNNING,
	CTL_STATE_PAUSED,
	CTL_STATE_SUSPENDED,	/* a vCPU sits in PSCI SYSTEM_SUSPEND */
	CTL_STATE_REBOOTING,
	CTL_STATE_SHUTTING_DOWN,
	CTL_STATE_OFF,		/* lkvm has gone: only ever seen by clients */
	CTL_STATE_NR,
};
const char *ctl_proto_state_name(enum ctl_state s);
/* -1 if @name is no state. */
int ctl_proto_state_parse(const char *name);

/* One line of an event stream. */
enum ctl_event {
	CTL_EV_SUSPEND,		/* SYSTEM_SUSPEND honoured */
	CTL_EV_WAKEUP,		/* the suspended vCPU woke up and resumed */
	CTL_EV_RESET,		/* SYSTEM_RESET/RESET2: a reboot in place starts (or the exit) */
	CTL_EV_REBOOTED,	/* the reboot in place is done; the guest runs again */
	CTL_EV_POWEROFF,
	CTL_EV_HIBERNATE,
	CTL_EV_PAUSE,
	CTL_EV_UNPAUSE,
	CTL_EV_SDEI_RAISE,	/* raised from the host; "event", "cpu" */
	CTL_EV_SDEI_DELIVER,	/* a handler was entered; "event", "cpu" */
	CTL_EV_FATAL,
	CTL_EV_STOP,		/* `lkvm stop` or a signal: lkvm is exiting */
	CTL_EV_LOST,		/* a listener fell behind: "count" events it missed */
	CTL_EV_NR,
};
const char *ctl_proto_event_name(enum ctl_event e);

/* Is @name a valid guest name? */
bool ctl_proto_name_ok(const char *name);

/*
 * Where sockets live: @runtime_dir ($LKVM_RUNTIME_DIR) if set and not
 * empty, else @xdg ($XDG_RUNTIME_DIR) + "/lkvm", else @home ($HOME) +
 * "/.lkvm".  -1 if none is set, or the result does not fit in @size.
 */
int ctl_proto_dir(const char *runtime_dir, const char *xdg, const char *home, char *buf,
		  size_t size);
/*
 * @dir + "/" + @name + ".sock"; -1 if it does not fit in a sockaddr_un
 * (107 bytes and a NUL) or in @size.
 */
int ctl_proto_sock_path(const char *dir, const char *name, char *buf, size_t size);

#endif
