/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_NET_TAP_H
#define LKVM_NET_TAP_H

#include "lkvm/options.h"
#include "lkvm/vm.h"

/*
 * NIC @index (net0, net1...) on a tap (-n mode=tap): a virtio-net device
 * ready for the bus, or NULL after one pr_err().  vhost=1 without vhost-net
 * is a warning, not a failure.
 */
struct device *net_tap_create(struct vm *vm, const struct net_opt *o, int index);

#endif
