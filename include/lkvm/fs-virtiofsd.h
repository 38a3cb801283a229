/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_FS_VIRTIOFSD_H
#define LKVM_FS_VIRTIOFSD_H

#include "lkvm/device.h"
#include "lkvm/options.h"
#include "lkvm/vm.h"

/*
 * --fs DIR[,tag=TAG][,ro]: a virtio-fs device whose requests virtiofsd
 * serves, over vhost-user.  lkvm starts virtiofsd (its own sandbox, read-only
 * when asked), stops it at exit, and starts a fresh one for each new driver
 * (a reboot in place).  Guest RAM must be a memfd (vm.c makes it one with
 * --fs).  @index numbers the share (its socket's name).  The device, ready
 * for the bus, or NULL after one line saying why.
 */
struct device *fs_virtiofsd_create(struct vm *vm, const struct fs_opt *o, int index);

#endif
