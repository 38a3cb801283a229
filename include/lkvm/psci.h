/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_PSCI_H
#define LKVM_PSCI_H

#include "lkvm/guest-mem.h"
#include "lkvm/util.h"

/* PSCI function ids and return codes (ARM DEN0022, up to 1.3). */
#define PSCI_FN_VERSION		0x84000000u
#define PSCI_FN_CPU_SUSPEND	0x84000001u
#define PSCI_FN_CPU_OFF		0x84000002u
#define PSCI_FN_CPU_ON		0x84000003u
#define PSCI_FN_AFFINITY_INFO	0x84000004u
#define PSCI_FN_SYSTEM_OFF		0x84000008u
#define PSCI_FN_SYSTEM_RESET	0x84000009u
#define PSCI_FN_FEATURES		0x8400000au
#define PSCI_FN_SYSTEM_SUSPEND	0x8400000eu
#define PSCI_FN_SYSTEM_RESET2	0x84000012u
#define PSCI_FN_SYSTEM_OFF2	0x84000015u
#define PSCI_FN64(fn)		((fn) | 0x40000000u)

#define PSCI_E_SUCCESS		0
#define PSCI_E_NOT_SUPPORTED		(-1)
#define PSCI_E_INVALID_PARAMS		(-2)
#define PSCI_E_DENIED			(-3)
#define PSCI_E_INTERNAL_FAILURE	(-6)
#define PSCI_E_INVALID_ADDRESS	(-9)

/* KVM MP states lkvm reads (the ABI values). */
#define MP_STATE_RUNNABLE	0
#define MP_STATE_STOPPED	5
#define MP_STATE_SUSPENDED	10

/* What a SYSTEM_SUSPEND call asked for, already narrowed for the SMC32 id. */
struct psci_suspend_req {
	u64 entry, context;
};

/* Decode the call's registers: the SMC32 form passes 32-bit values. */
struct psci_suspend_req psci_suspend_decode(u64 fid, u64 x1, u64 x2);

/* The entry point must be in guest RAM: the caller resumes with the MMU off. */
int psci_suspend_check_entry(const struct guest_mem *mem, u64 entry);

/*
 * With every other vCPU held: SUCCESS only if all of them are powered off
 * (@states are their MP states), DENIED otherwise.
 */
int psci_suspend_check_others(const u32 *states, int n);

/* How a SHUTDOWN / RESET system event reads, for logs and exit statuses. */
bool psci_shutdown_is_hibernate(u32 ndata, const u64 *data);
bool psci_reset_is_reset2(u32 ndata, const u64 *data);
/* "warm" for RESET2 type 0, "vendor 0x..." for vendor types, "architectural 0x..." else. */
void psci_reset2_type_str(u64 type, char *buf, size_t len);

#endif
