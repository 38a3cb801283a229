/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_POWER_H
#define LKVM_POWER_H

#include "lkvm/util.h"

struct vcpu;
struct vm;

/* KVM_EXIT_SYSTEM_EVENT on @v's thread.  False: the vCPU thread should stop. */
bool power_system_event(struct vcpu *v);

/* Reboot in place (main thread): every vCPU re-initialised, payload reloaded. */
int vm_reboot(struct vm *vm);

#endif
