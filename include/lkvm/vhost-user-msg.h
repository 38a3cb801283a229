/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VHOST_USER_MSG_H
#define LKVM_VHOST_USER_MSG_H

#include <stddef.h>

#include "lkvm/util.h"

/*
 * vhost-user messages (QEMU's docs/interop/vhost-user.rst), the frontend's
 * side: requests built into a buffer, replies checked.  A header of three u32
 * (request, flags, payload size) in the host's byte order, then the payload;
 * file descriptors travel beside it (SCM_RIGHTS), never in it.
 */
#define VHOST_USER_GET_FEATURES		1
#define VHOST_USER_SET_FEATURES		2
#define VHOST_USER_SET_OWNER		3
#define VHOST_USER_SET_MEM_TABLE	5
#define VHOST_USER_SET_VRING_NUM	8
#define VHOST_USER_SET_VRING_ADDR	9
#define VHOST_USER_SET_VRING_BASE	10
#define VHOST_USER_GET_VRING_BASE	11
#define VHOST_USER_SET_VRING_KICK	12
#define VHOST_USER_SET_VRING_CALL	13
#define VHOST_USER_GET_PROTOCOL_FEATURES 15
#define VHOST_USER_SET_PROTOCOL_FEATURES 16
#define VHOST_USER_SET_VRING_ENABLE	18

/* The feature bit that enables the protocol-feature messages (and disabled rings at start). */
#define VHOST_USER_F_PROTOCOL_FEATURES	30
/* Protocol features: REPLY_ACK, an ack for any request sent with NEED_REPLY. */
#define VHOST_USER_PROTOCOL_F_REPLY_ACK	3

#define VHOST_USER_VERSION		0x1
#define VHOST_USER_FLAG_REPLY		0x4
#define VHOST_USER_FLAG_NEED_REPLY	0x8

#define VHOST_USER_HDR_SIZE		12
#define VHOST_USER_MAX_REGIONS		8
/* The largest request lkvm sends: a memory table of 8 regions. */
#define VHOST_USER_MSG_MAX		(VHOST_USER_HDR_SIZE + 8 + 32 * VHOST_USER_MAX_REGIONS)
/* Every reply lkvm asks for is a u64 or a vring state: 8 bytes of payload. */
#define VHOST_USER_REPLY_SIZE		8

struct vhost_user_region {
	u64 guest_addr, size, user_addr, mmap_offset;
};

struct vhost_user_vring_addr {
	u32 index, flags;
	u64 desc, used, avail, log;	/* the frontend's own (user) addresses */
};

/* Requests, built in @buf (VHOST_USER_MSG_MAX bytes); each returns the length. */
size_t vhost_user_msg_none(u8 *buf, u32 req, bool need_reply);
size_t vhost_user_msg_u64(u8 *buf, u32 req, u64 v, bool need_reply);
size_t vhost_user_msg_state(u8 *buf, u32 req, u32 index, u32 num, bool need_reply);
size_t vhost_user_msg_addr(u8 *buf, const struct vhost_user_vring_addr *a, bool need_reply);
/* 0 when @n is 0 or above VHOST_USER_MAX_REGIONS. */
size_t vhost_user_msg_mem(u8 *buf, const struct vhost_user_region *r, unsigned int n,
			  bool need_reply);

/*
 * A reply's header, as received for request @req: NULL with the payload's
 * size in *@size (always VHOST_USER_REPLY_SIZE), or why it is not one.
 */
const char *vhost_user_msg_reply_hdr(const u8 *hdr, u32 req, u32 *size);
/*
 * A whole reply (@len bytes) to @req: NULL with its value in *@val, or why it
 * is refused.  GET_VRING_BASE's reply is a vring state that must name ring
 * @index (its num is the value); every other reply is a u64.
 */
const char *vhost_user_msg_reply(const u8 *msg, size_t len, u32 req, u32 index, u64 *val);

#endif
