// SPDX-License-Identifier: GPL-2.0
/*
 * PV stolen time, on by default: the guest finds it through the SMCCC calls
 * KVM answers (ARCH_FEATURES -> PV_TIME_FEATURES -> PV_TIME_ST), each vCPU
 * has its own 64-byte record in kvmtool's area at 0x1020000 (revision 0,
 * attributes 0), and the time a vCPU waits for its host CPU shows up there:
 * --vcpu-affinity puts both vCPUs on one host CPU and both spin.
 *
 * lkvm-args: -c 2 -m 64 --vcpu-affinity 1
 * expect-exit: 0
 * timeout: 90
 */
#include "libtest.h"

#define SMCCC_ARCH_FEATURES	0x80000001u
#define PV_TIME_FEATURES	0xc5000020u
#define PV_TIME_ST		0xc5000021u
#define PVTIME_BASE		0x01020000UL

struct pvtime_record {
	u32 revision;
	u32 attributes;
	u64 stolen_time;	/* ns, little-endian */
};

static volatile u64 secondary_ipa = ~0ULL;
static volatile u32 stop_spinning;

static u64 stolen(u64 ipa)
{
	return ((volatile struct pvtime_record *)ipa)->stolen_time;
}

static void secondary(void *arg)
{
	secondary_ipa = hvc1(PV_TIME_ST, 0).a0;
	dsb(sy);
	/* Compete with the boot vCPU for the one host CPU until told to stop. */
	while (!stop_spinning)
		;
}

void test_main(void)
{
	u64 ipa, before, after, end;
	s64 r;

	plan(8);
	r = (s64)hvc1(SMCCC_ARCH_FEATURES, PV_TIME_FEATURES).a0;
	ok(r == 0, "SMCCC_ARCH_FEATURES(PV_TIME_FEATURES) = 0 (%ld)", (long)r);
	r = (s64)hvc1(PV_TIME_FEATURES, PV_TIME_ST).a0;
	ok(r == 0, "PV_TIME_FEATURES(PV_TIME_ST) = 0 (%ld)", (long)r);
	ipa = hvc1(PV_TIME_ST, 0).a0;
	ok(ipa == PVTIME_BASE, "vCPU 0's record at %#lx (kvmtool's 0x1020000)",
	   (unsigned long)ipa);
	if (ipa != PVTIME_BASE)
		bail("no record to read");
	ok(((volatile struct pvtime_record *)ipa)->revision == 0 &&
		   ((volatile struct pvtime_record *)ipa)->attributes == 0,
	   "record: revision 0, attributes 0");

	r = cpu_on(cpu_mpidr(1), secondary, NULL, NULL);
	ok(r == PSCI_RET_SUCCESS, "CPU_ON(cpu1) (%ld)", (long)r);
	end = deadline_us(10000000);
	while (secondary_ipa == ~0ULL && !past(end))
		cpu_relax();
	ok(secondary_ipa == PVTIME_BASE + 64, "vCPU 1's record at %#lx, 64 bytes on",
	   (unsigned long)secondary_ipa);

	/*
	 * Both vCPUs spin on one host CPU: each waits for the other's time
	 * slice, and KVM adds the wait to the record when the vCPU runs again.
	 */
	before = stolen(ipa);
	end = deadline_us(2000000);
	while (!past(end))
		;
	after = stolen(ipa);
	ok(after > before, "stolen time grew while two vCPUs shared a CPU: %lu -> %lu ns",
	   (unsigned long)before, (unsigned long)after);
	stop_spinning = 1;
	dsb(sy);
	ok(after - before < 60000000000ULL, "and by a sane amount (%lu ns)",
	   (unsigned long)(after - before));
}
