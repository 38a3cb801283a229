// SPDX-License-Identifier: GPL-2.0
/* PSCI decisions lkvm makes in userspace (SYSTEM_SUSPEND, event decoding). */
#include <stdlib.h>
#include <string.h>

#include "lkvm/psci.h"
#include "tap.h"

int main(void)
{
	static u8 ram[1 << 16];
	struct guest_mem mem = { .start = 0x80000000, .size = sizeof(ram), .host = ram };
	struct psci_suspend_req r;
	u32 st[3] = { MP_STATE_STOPPED, MP_STATE_STOPPED, MP_STATE_STOPPED };
	u64 flag = 1, none = 0;
	char buf[48];

	tap_plan(21);
	r = psci_suspend_decode(PSCI_FN64(PSCI_FN_SYSTEM_SUSPEND), 0xffffffff80001000ULL, 0x1234);
	tap_ok(r.entry == 0xffffffff80001000ULL && r.context == 0x1234,
	       "SMC64 SYSTEM_SUSPEND keeps 64-bit entry and context");
	r = psci_suspend_decode(PSCI_FN_SYSTEM_SUSPEND, 0xdead000080001000ULL,
				0xbeef000000005678ULL);
	tap_ok(r.entry == 0x80001000ULL && r.context == 0x5678,
	       "SMC32 SYSTEM_SUSPEND uses the low 32 bits only");
	tap_ok(psci_suspend_check_entry(&mem, 0x80001000) == PSCI_E_SUCCESS, "entry in RAM");
	tap_ok(psci_suspend_check_entry(&mem, 0x1000) == PSCI_E_INVALID_ADDRESS,
	       "entry below RAM: INVALID_ADDRESS");
	tap_ok(psci_suspend_check_entry(&mem, 0x80000000 + sizeof(ram)) == PSCI_E_INVALID_ADDRESS,
	       "entry just past RAM: INVALID_ADDRESS");
	tap_ok(psci_suspend_check_entry(&mem, 0x80000000 + sizeof(ram) - 2) ==
		       PSCI_E_INVALID_ADDRESS,
	       "entry straddling the end of RAM: INVALID_ADDRESS");
	tap_ok(psci_suspend_check_entry(&mem, 0x80001002) == PSCI_E_INVALID_ADDRESS,
	       "misaligned entry: INVALID_ADDRESS");
	tap_ok(psci_suspend_check_entry(&mem, ~0ULL - 1) == PSCI_E_INVALID_ADDRESS,
	       "entry near 2^64 (overflow): INVALID_ADDRESS");
	tap_ok(psci_suspend_check_others(st, 3) == PSCI_E_SUCCESS, "all others off: SUCCESS");
	tap_ok(psci_suspend_check_others(st, 0) == PSCI_E_SUCCESS, "single vCPU: SUCCESS");
	st[1] = MP_STATE_RUNNABLE;
	tap_ok(psci_suspend_check_others(st, 3) == PSCI_E_DENIED, "one other on: DENIED");
	st[1] = MP_STATE_SUSPENDED;
	tap_ok(psci_suspend_check_others(st, 3) == PSCI_E_DENIED, "one other suspended: DENIED");
	tap_ok(psci_shutdown_is_hibernate(1, &flag) && !psci_shutdown_is_hibernate(1, &none) &&
		       !psci_shutdown_is_hibernate(0, &flag),
	       "OFF2 flag read only when ndata covers it");
	tap_ok(psci_reset_is_reset2(1, &flag) && !psci_reset_is_reset2(0, &flag), "RESET2 flag");
	psci_reset2_type_str(0, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "warm"), "RESET2 type 0 is warm");
	psci_reset2_type_str(0x80000001, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "vendor 0x80000001"), "RESET2 vendor type named: %s", buf);
	/* SMC32: a valid low half behind junk upper bits is a valid entry. */
	r = psci_suspend_decode(PSCI_FN_SYSTEM_SUSPEND, 0xffffffff80001000ULL, ~0ULL);
	tap_ok(psci_suspend_check_entry(&mem, r.entry) == PSCI_E_SUCCESS &&
		       r.context == 0xffffffffu,
	       "SMC32: entry 0xffffffff80001000 narrows to RAM, context to 32 bits");
	r = psci_suspend_decode(PSCI_FN64(PSCI_FN_SYSTEM_SUSPEND), 0x0000000180001000ULL, 0);
	tap_ok(psci_suspend_check_entry(&mem, r.entry) == PSCI_E_INVALID_ADDRESS,
	       "SMC64: the upper half of the entry counts (RAM + 4 GiB is not RAM)");
	st[0] = st[1] = st[2] = MP_STATE_STOPPED;
	st[2] = MP_STATE_RUNNABLE;
	tap_ok(psci_suspend_check_others(st, 3) == PSCI_E_DENIED, "last other on: DENIED");
	tap_ok(psci_suspend_check_others(st, 2) == PSCI_E_SUCCESS,
	       "only the first n states are looked at");
	psci_reset2_type_str(0xffffffff00000000ULL, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "warm"), "RESET2 type: only the low 32 bits count (%s)", buf);
	return tap_done();
}
