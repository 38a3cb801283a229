// SPDX-License-Identifier: GPL-2.0
/*
 * SYSTEM_OFF2 argument validation, as KVM's psci_test does: (type, cookie) =
 * (1, 1) and (0, 1) answer INVALID_PARAMS through both function ids, as does
 * an undefined type; (HIBERNATE_OFF = 1, 0) powers off with the OFF2 flag and
 * lkvm exits with its hibernation status, 3.
 *
 * lkvm-args: -c 1 -m 64 --psci-version 1.3
 * expect-exit: 3
 * expect-output: lkvm: guest hibernated \(PSCI SYSTEM_OFF2\); run it again with the same disks
 * expect-output: with the same disks to resume it$
 */
#include "libtest.h"

static s64 off2(u32 fid, u64 type, u64 cookie)
{
	return (s64)hvc2(fid, type, cookie).a0;
}

void test_main(void)
{
	static const struct {
		u64 type, cookie;
	} bad[] = { { 1, 1 }, { 0, 1 }, { 2, 0 }, { 0x80000000, 0 } };
	static const u32 fids[] = { PSCI_64(PSCI_SYSTEM_OFF2), PSCI_SYSTEM_OFF2 };
	s64 r;

	plan(2 * ARRAY_SIZE(bad) + 1);
	ok(psci_features(PSCI_64(PSCI_SYSTEM_OFF2)) == 1,
	   "PSCI_FEATURES(SYSTEM_OFF2) = 1: HIBERNATE_OFF supported (%d)",
	   psci_features(PSCI_64(PSCI_SYSTEM_OFF2)));
	for (unsigned int f = 0; f < ARRAY_SIZE(fids); f++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
			r = off2(fids[f], bad[i].type, bad[i].cookie);
			ok(r == PSCI_RET_INVALID_PARAMS,
			   "SYSTEM_OFF2 %#x (type %#lx, cookie %#lx): x0 = INVALID_PARAMS (%ld)",
			   fids[f], (unsigned long)bad[i].type, (unsigned long)bad[i].cookie,
			   (long)r);
		}
	}
	r = off2(PSCI_64(PSCI_SYSTEM_OFF2), 1, 0);
	bail("SYSTEM_OFF2(HIBERNATE_OFF, 0) returned %ld", (long)r);
}
