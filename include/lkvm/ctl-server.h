/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CTL_SERVER_H
#define LKVM_CTL_SERVER_H

#include <poll.h>

#include "lkvm/util.h"

struct vm;
struct ctl_server;

/*
 * The control socket of `lkvm run` (docs/control.md), served by the main
 * thread from its poll loop: requests are bounded, and every action that
 * needs the vCPUs stopped goes through the one pause-all mechanism.
 */

/* Most clients connected at once; the oldest idle one makes room for a new one. */
#define CTL_MAX_CLIENTS		64
/* How many pollfd entries ctl_server_poll_fds() may fill. */
#define CTL_POLL_FDS		(CTL_MAX_CLIENTS + 2)

/*
 * Before any KVM work: take the socket for guest @name, refusing a name in
 * use (someone listens there) and replacing a stale socket.  NULL after one
 * error line.  The socket is removed at exit, whatever the way out.
 */
struct ctl_server *ctl_server_open(const char *name);
/* Once the VM exists and before its vCPUs run. */
void ctl_server_attach(struct ctl_server *s, struct vm *vm);

/* Fill @pfd (CTL_POLL_FDS entries at most); returns how many. */
int ctl_server_poll_fds(struct ctl_server *s, struct pollfd *pfd);
/* The poll timeout the server needs (ms; -1: none), for replies that wait. */
int ctl_server_timeout(struct ctl_server *s);

enum ctl_action {
	CTL_ACT_NONE,
	CTL_ACT_STOP,		/* `lkvm stop`: exit LKVM_EXIT_STOPPED */
	CTL_ACT_SNAPSHOT,	/* `lkvm snapshot`: take it, then ctl_server_snapshot_done() */
};
/* Serve what poll() found ready in @pfd[0..@n) (as filled above). */
enum ctl_action ctl_server_serve(struct ctl_server *s, struct pollfd *pfd, int n);

/*
 * The control socket's pause and resume (`lkvm pause`, `lkvm resume`): every
 * vCPU held, and the guest's virtual counter put back at the resume so that
 * the guest does not see the time it was held.  ctl_server_counter() gives
 * that counter while paused (false if none was read).
 */
void ctl_server_pause(struct ctl_server *s);
void ctl_server_resume(struct ctl_server *s);
bool ctl_server_counter(struct ctl_server *s, u64 *counter);

/* After CTL_ACT_SNAPSHOT: the directory asked for (absolute) and whether to stop after. */
const char *ctl_server_snapshot_request(struct ctl_server *s, bool *stop);
/* What a snapshot cost, for its reply. */
struct ctl_snapshot_result {
	u64 ms, ram_bytes, state_bytes;
};
/* Answer it: @why NULL for success (with @res), else why it was refused. */
void ctl_server_snapshot_done(struct ctl_server *s, const char *why,
			      const struct ctl_snapshot_result *res);

/*
 * At exit, once the vCPUs have stopped: send listeners what is left (for a
 * moment at most), close every connection and remove the socket.
 */
void ctl_server_close(struct ctl_server *s);

#endif
