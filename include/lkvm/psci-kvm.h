/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_PSCI_KVM_H
#define LKVM_PSCI_KVM_H

#include "lkvm/util.h"

struct vcpu;
struct vm;

/*
 * PSCI glue (psci-kvm.c): KVM_EXIT_SYSTEM_EVENT on @v's thread.  False: the
 * vCPU thread should stop (a fatal error was reported).
 */
bool psci_kvm_system_event(struct vcpu *v);
/*
 * On @v's thread (VCPU_REQ_WAKE): the platform wakes it from SYSTEM_SUSPEND,
 * as a wake-up event would (`lkvm wake`); nothing if it is not suspended.
 */
void psci_kvm_wake(struct vcpu *v);
/* Reboot in place, every vCPU paused: forget any SYSTEM_SUSPEND in progress. */
void psci_kvm_reset(struct vm *vm);
/*
 * Snapshots: a vCPU's SYSTEM_SUSPEND (whether it sits in it, and where and
 * with which context id it resumes).  Load takes the MP state KVM was
 * given, which must agree; -1 when the data is not valid.
 */
struct snap_w;
struct snap_r;
void psci_kvm_save(struct vcpu *v, struct snap_w *w);
int psci_kvm_load(struct vcpu *v, struct snap_r *r, u32 mp_state);

#endif
