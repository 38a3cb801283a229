// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the PSCI decisions lkvm makes in userspace: decoding
 * SYSTEM_SUSPEND's registers (SMC32 narrowing), checking its entry point
 * against RAM, the other vCPUs' MP states, and reading SHUTDOWN / RESET
 * system events.  Besides the sanitizers: an SMC32 call never yields a value
 * above 32 bits, an accepted entry is a whole instruction in RAM, and a
 * suspend is allowed only when every other vCPU is stopped.
 */
#include <stdlib.h>
#include <string.h>

#include "lkvm/psci.h"

#define RAM_BASE	0x80000000ULL
#define RAM_SIZE	(16ULL << 20)

static u64 take64(const u8 **p, size_t *n)
{
	u64 v = 0;

	for (int i = 0; i < 8 && *n; i++, (*p)++, (*n)--)
		v = v << 8 | **p;
	return v;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 ram[64];
	struct guest_mem mem = { .start = RAM_BASE, .size = RAM_SIZE, .host = ram };
	u64 fid = take64(&data, &size), x1 = take64(&data, &size), x2 = take64(&data, &size);
	struct psci_suspend_req req;
	u32 states[8];
	u64 ev[4];
	int n = 0, r;
	bool all_off = true;
	char buf[48];

	req = psci_suspend_decode(fid, x1, x2);
	if (!(fid & 0x40000000u) && (req.entry >> 32 || req.context >> 32))
		abort();
	r = psci_suspend_check_entry(&mem, req.entry);
	if (!r && (req.entry < RAM_BASE || req.entry + 4 > RAM_BASE + RAM_SIZE || req.entry & 3))
		abort();
	while (size && n < 8) {
		states[n] = *data % 3 == 0 ? MP_STATE_STOPPED : *data % 3 == 1 ? MP_STATE_RUNNABLE
										 : *data;
		all_off &= states[n] == MP_STATE_STOPPED;
		n++;
		data++;
		size--;
	}
	r = psci_suspend_check_others(states, n);
	if ((r == PSCI_E_SUCCESS) != all_off)
		abort();
	for (int i = 0; i < 4; i++)
		ev[i] = take64(&data, &size);
	psci_shutdown_is_hibernate((u32)(fid & 7), ev);
	psci_reset_is_reset2((u32)(x1 & 7), ev);
	psci_reset2_type_str(ev[0], buf, sizeof(buf));
	if (!memchr(buf, 0, sizeof(buf)))
		abort();
	return 0;
}
