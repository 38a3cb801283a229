/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_KVM_COMPAT_H
#define LKVM_KVM_COMPAT_H

/*
 * The few KVM UAPI values lkvm uses that a distribution's older headers may
 * lack (an arm64 machine building natively).  They are ABI and never change;
 * the newer headers, when present, win.
 */
#include <linux/kvm.h>

#ifndef KVM_CAP_ARM_SYSTEM_SUSPEND
#define KVM_CAP_ARM_SYSTEM_SUSPEND 216
#endif
#ifndef KVM_SYSTEM_EVENT_WAKEUP
#define KVM_SYSTEM_EVENT_WAKEUP 4
#endif
#ifndef KVM_SYSTEM_EVENT_SUSPEND
#define KVM_SYSTEM_EVENT_SUSPEND 5
#endif
#ifndef KVM_MP_STATE_SUSPENDED
#define KVM_MP_STATE_SUSPENDED 10
#endif
#ifndef KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2
#define KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 (1ULL << 0)
#endif
#ifndef KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2
#define KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2 (1ULL << 0)
#endif
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL 0
#define KVM_ARM_VM_SMCCC_FILTER 0
#endif
#ifndef KVM_EXIT_HYPERCALL
#define KVM_EXIT_HYPERCALL 3
#endif

/* struct kvm_smccc_filter, spelled out so old headers need not have it. */
struct lkvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#define LKVM_SMCCC_FILTER_FWD_TO_USER 2

#endif
