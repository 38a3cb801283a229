/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_REG_NAME_H
#define LKVM_REG_NAME_H

#include <stddef.h>

#include "lkvm/util.h"

/* The name of ONE_REG id @id, for messages ("x5", "SCTLR_EL1", "SVE_VLS"). */
void reg_name(u64 id, char *buf, size_t len);

/* A ONE_REG id's size in bytes (KVM_REG_SIZE: 1 << bits 55:52). */
static inline size_t reg_size(u64 id)
{
	return (size_t)1 << ((id >> 52) & 0xf);
}

#endif
