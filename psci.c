// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI policy that KVM leaves to userspace: whether a SYSTEM_SUSPEND may go
 * ahead, and how to read SHUTDOWN/RESET events.  Pure: the glue in psci-kvm.c
 * reads the registers and vCPU states and applies the verdicts.
 */
#include <stdio.h>

#include "lkvm/psci.h"
#include "lkvm/smccc.h"

struct psci_suspend_req psci_suspend_decode(u64 fid, u64 x1, u64 x2)
{
	u64 args[2] = { x1, x2 };

	smccc_narrow_args((u32)fid, args, 2);
	return (struct psci_suspend_req){ .entry = args[0], .context = args[1] };
}

int psci_suspend_check_entry(const struct guest_mem *mem, u64 entry)
{
	/* An AArch64 entry point is a whole instruction inside RAM. */
	if (entry & 3 || !gmem_contains(mem, entry, 4))
		return PSCI_E_INVALID_ADDRESS;
	return PSCI_E_SUCCESS;
}

int psci_suspend_check_others(const u32 *states, int n)
{
	for (int i = 0; i < n; i++)
		if (states[i] != MP_STATE_STOPPED)
			return PSCI_E_DENIED;
	return PSCI_E_SUCCESS;
}

bool psci_shutdown_is_hibernate(u32 ndata, const u64 *data)
{
	return ndata >= 1 && (data[0] & 1);	/* KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2 */
}

bool psci_reset_is_reset2(u32 ndata, const u64 *data)
{
	return ndata >= 1 && (data[0] & 1);	/* KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 */
}

void psci_reset2_type_str(u64 type, char *buf, size_t len)
{
	type &= 0xffffffffu;
	if (type == 0)
		snprintf(buf, len, "warm");
	else if (type & 0x80000000u)
		snprintf(buf, len, "vendor 0x%llx", (unsigned long long)type);
	else
		snprintf(buf, len, "architectural 0x%llx", (unsigned long long)type);
}
