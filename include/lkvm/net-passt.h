/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_NET_PASST_H
#define LKVM_NET_PASST_H

#include "lkvm/options.h"
#include "lkvm/vm.h"

/*
 * NIC @index in user mode (-n mode=user): through a passt lkvm starts (and
 * stops at exit), or the one listening at o->socket.  A virtio-net device
 * ready for the bus, or NULL after one pr_err().
 */
struct device *net_passt_create(struct vm *vm, const struct net_opt *o, int index);

#endif
