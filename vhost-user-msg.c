// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user message encoding and reply checking, kept apart from the socket
 * so that what a back end may send is tested and fuzzed natively.  The back
 * end is another process: nothing it sends is trusted.
 */
#include <string.h>

#include "lkvm/vhost-user-msg.h"

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static size_t header(u8 *buf, u32 req, u32 size, bool need_reply)
{
	put32(buf, req);
	put32(buf + 4, VHOST_USER_VERSION | (need_reply ? VHOST_USER_FLAG_NEED_REPLY : 0));
	put32(buf + 8, size);
	return VHOST_USER_HDR_SIZE + size;
}

size_t vhost_user_msg_none(u8 *buf, u32 req, bool need_reply)
{
	return header(buf, req, 0, need_reply);
}

size_t vhost_user_msg_u64(u8 *buf, u32 req, u64 v, bool need_reply)
{
	put64(buf + VHOST_USER_HDR_SIZE, v);
	return header(buf, req, 8, need_reply);
}

size_t vhost_user_msg_state(u8 *buf, u32 req, u32 index, u32 num, bool need_reply)
{
	put32(buf + VHOST_USER_HDR_SIZE, index);
	put32(buf + VHOST_USER_HDR_SIZE + 4, num);
	return header(buf, req, 8, need_reply);
}

size_t vhost_user_msg_addr(u8 *buf, const struct vhost_user_vring_addr *a, bool need_reply)
{
	u8 *p = buf + VHOST_USER_HDR_SIZE;

	put32(p, a->index);
	put32(p + 4, a->flags);
	put64(p + 8, a->desc);
	put64(p + 16, a->used);
	put64(p + 24, a->avail);
	put64(p + 32, a->log);
	return header(buf, VHOST_USER_SET_VRING_ADDR, 40, need_reply);
}

size_t vhost_user_msg_mem(u8 *buf, const struct vhost_user_region *r, unsigned int n,
			  bool need_reply)
{
	u8 *p = buf + VHOST_USER_HDR_SIZE;

	if (!n || n > VHOST_USER_MAX_REGIONS)
		return 0;
	put32(p, n);
	put32(p + 4, 0);
	for (unsigned int i = 0; i < n; i++) {
		u8 *e = p + 8 + 32 * i;

		put64(e, r[i].guest_addr);
		put64(e + 8, r[i].size);
		put64(e + 16, r[i].user_addr);
		put64(e + 24, r[i].mmap_offset);
	}
	return header(buf, VHOST_USER_SET_MEM_TABLE, 8 + 32 * n, need_reply);
}

const char *vhost_user_msg_reply_hdr(const u8 *hdr, u32 req, u32 *size)
{
	u32 flags = get32(hdr + 4);

	if (get32(hdr) != req)
		return "a reply to another request";
	if ((flags & 3) != VHOST_USER_VERSION)
		return "a reply of another protocol version";
	if (!(flags & VHOST_USER_FLAG_REPLY) || (flags & VHOST_USER_FLAG_NEED_REPLY))
		return "a reply without the reply flag";
	*size = get32(hdr + 8);
	if (*size != VHOST_USER_REPLY_SIZE)
		return "a reply of the wrong size";
	return NULL;
}

const char *vhost_user_msg_reply(const u8 *msg, size_t len, u32 req, u32 index, u64 *val)
{
	const u8 *p = msg + VHOST_USER_HDR_SIZE;
	const char *why;
	u32 size;

	if (len < VHOST_USER_HDR_SIZE)
		return "a truncated reply";
	why = vhost_user_msg_reply_hdr(msg, req, &size);
	if (why)
		return why;
	if (len != VHOST_USER_HDR_SIZE + size)
		return "a truncated reply";
	if (req == VHOST_USER_GET_VRING_BASE) {
		if (get32(p) != index)
			return "the state of another ring";
		*val = get32(p + 4);
		return NULL;
	}
	memcpy(val, p, 8);
	return NULL;
}
