// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what a vhost-user back end sends lkvm: replies checked
 * by vhost-user-msg.c.  The input is the request it answers (one byte), the
 * ring asked about (one byte), then the reply.  Besides the sanitizers: an
 * accepted reply is exactly a header and 8 bytes, names the request asked and
 * carries the reply flag, and a vring state names the ring asked.
 */
#include <stdlib.h>
#include <string.h>

#include "lkvm/vhost-user-msg.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u32 req, index, size_hdr, r, flags;
	u64 val = 0;
	const char *why;

	if (size < 2)
		return 0;
	req = data[0] % 20;
	index = data[1] % 4;
	data += 2;
	size -= 2;
	why = vhost_user_msg_reply(data, size, req, index, &val);
	if (why)
		return 0;
	memcpy(&r, data, 4);
	memcpy(&flags, data + 4, 4);
	if (size != VHOST_USER_HDR_SIZE + VHOST_USER_REPLY_SIZE || r != req ||
	    !(flags & VHOST_USER_FLAG_REPLY) || vhost_user_msg_reply_hdr(data, req, &size_hdr) ||
	    size_hdr != VHOST_USER_REPLY_SIZE)
		abort();
	if (req == VHOST_USER_GET_VRING_BASE && (memcmp(data + 12, &index, 4) || val >> 32))
		abort();
	return 0;
}
