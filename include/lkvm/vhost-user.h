/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VHOST_USER_H
#define LKVM_VHOST_USER_H

#include "lkvm/guest-mem.h"
#include "lkvm/util.h"

/*
 * The frontend of a vhost-user connection: lkvm's side of the UNIX socket to
 * a back-end process that serves a device's queues (virtiofsd).  Every call
 * waits for the back end at most VHOST_USER_TIMEOUT_MS a message, since it
 * runs on a vCPU thread with a device lock held.  Any error, timeout, EOF or
 * malformed reply means the back end is dead: the call returns -1, says
 * nothing, and leaves the cause in vhost_user_why(); later calls fail at once.
 */
#define VHOST_USER_TIMEOUT_MS	2000
#define VHOST_USER_MAX_RINGS	8

struct vhost_user {
	int fd;
	u64 features;		/* what the back end offers (GET_FEATURES) */
	u64 protocol;		/* protocol features agreed (REPLY_ACK at most) */
	u32 started;		/* the rings handed over, one bit each */
	bool dead;
	char why[128];
};

/* One ring to hand over: its addresses are lkvm's own (host) pointers. */
struct vhost_user_ring {
	unsigned int index;
	u16 num, base;		/* size; the avail index to start from */
	u64 desc, avail, used;
	int kick, call;		/* eventfds: the guest's notifications, the back end's interrupts */
};

/*
 * Take the connected socket @fd (closed by vhost_user_close(), also on
 * failure) and open the session: GET_FEATURES, protocol features when the
 * back end offers them, SET_OWNER.  0 or -1.
 */
int vhost_user_open(struct vhost_user *vu, int fd);
/*
 * Hand over @n rings: SET_FEATURES (@features, plus bit 30 when offered),
 * the memory table (guest RAM must be a shareable fd: @mem->fd), then each
 * ring's size, base, addresses, eventfds, and its enable.  0 or -1.
 */
int vhost_user_start(struct vhost_user *vu, u64 features, const struct guest_mem *mem,
		     const struct vhost_user_ring *rings, unsigned int n);
/* Take back every ring handed over (GET_VRING_BASE): 0 or -1. */
int vhost_user_stop(struct vhost_user *vu);
/*
 * The socket became readable or hung up (it is polled for POLLIN, and a back
 * end sends nothing unasked): -1 when the back end closed it or talks out of
 * turn, 0 when nothing is there (a reply another thread took).
 */
int vhost_user_check(struct vhost_user *vu);
void vhost_user_close(struct vhost_user *vu);

#endif
