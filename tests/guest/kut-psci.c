// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI CPU power management as kvm-unit-tests' arm/psci.c checks it, beyond
 * what cpu-on.c covers, on three vCPUs: PSCI_FEATURES for the calls used (and
 * NOT_SUPPORTED for MIGRATE and an unassigned ID); MIGRATE_INFO_TYPE = 2 (no
 * Trusted OS to migrate); AFFINITY_INFO at level 1 and an invalid level;
 * CPU_ON of a non-existent MPIDR = INVALID_PARAMS, of the caller itself =
 * ALREADY_ON; two CPUs racing CPU_ON of the same CPU: exactly one SUCCESS,
 * the other ALREADY_ON or ON_PENDING, AFFINITY_INFO never OFF after it; the
 * CPU enters at the entry point with x0 = the context ID, at EL1 with DAIF
 * masked and the MMU off; after its own CPU_OFF (which does not return) it is
 * OFF, and CPU_ON again (SMC32 ID this time) starts it afresh: the new
 * context ID, and what it changed (SCTLR_EL1, PSTATE.D) reset.  A C
 * secondary that returned (CPU_OFF) is started again the same way.
 *
 * lkvm-args: -c 3 -m 64
 * expect-exit: 0
 * timeout: 60
 */
#include "libtest.h"

#define AFF_ON		0
#define AFF_OFF		1
#define AFF_ON_PENDING	2
#define PSCI_MIGRATE	0x84000005u
#define PSCI_UNASSIGNED	0x8400001fu
#define MIGRATE_TOS_NONE 2
#define DAIF_ALL	0x3c0
#define SCTLR_M		BIT(0)
#define SCTLR_A		BIT(1)
#define SCTLR_I		BIT(12)

/*
 * Filled in by raw_entry on the CPU being started, with x0 = its address (the
 * context ID): what the CPU found at the entry, before any code of ours ran.
 */
struct entry_rec {
	u64 self;		/* +0: x0 at the entry */
	u64 el;			/* +8: CurrentEL */
	u64 daif;		/* +16 */
	u64 sctlr;		/* +24 */
	u64 mpidr;		/* +32 */
	u64 entered;		/* +40: set last */
	u64 release;		/* +48: set by the boot CPU: go and CPU_OFF */
	u64 off_ret;		/* +56: CPU_OFF returned this (it must not) */
} __attribute__((aligned(16)));

void raw_entry(void);

/*
 * Record the entry state, then disturb state a later CPU_ON must reset
 * (SCTLR_EL1.A and I set, PSTATE.D clear), wait for the release and CPU_OFF.
 */
__asm__(".text\n"
	".balign 4\n"
	"raw_entry:\n"
	"	mov	x19, x0\n"
	"	mrs	x1, CurrentEL\n"
	"	mrs	x2, daif\n"
	"	mrs	x3, sctlr_el1\n"
	"	mrs	x4, mpidr_el1\n"
	"	stp	x0, x1, [x19]\n"
	"	stp	x2, x3, [x19, #16]\n"
	"	str	x4, [x19, #32]\n"
	"	orr	x3, x3, #0x2\n"
	"	orr	x3, x3, #0x1000\n"
	"	msr	sctlr_el1, x3\n"
	"	msr	daifclr, #8\n"
	"	isb\n"
	"	mov	x5, #1\n"
	"	dsb	sy\n"
	"	str	x5, [x19, #40]\n"
	"	dsb	sy\n"
	"1:	ldr	x5, [x19, #48]\n"
	"	cbz	x5, 1b\n"
	"	movz	w0, #0x0002\n"
	"	movk	w0, #0x8400, lsl #16\n"
	"	hvc	#0\n"
	"	str	x0, [x19, #56]\n"
	"2:	wfi\n"
	"	b	2b\n");

static volatile struct entry_rec rec_a, rec_b;
static volatile u32 racer_ready, go, again_ran;
static volatile s64 race_ret[2];

static s32 affinity32(u64 mpidr, u32 level)
{
	return (s32)hvc2(PSCI_AFFINITY_INFO, mpidr, level).a0;
}

static s64 cpu_on32(u64 mpidr, u64 entry, u64 ctx)
{
	return (s32)hvc3(PSCI_CPU_ON, mpidr, entry, ctx).a0;
}

static s32 wait_affinity(u64 mpidr, s32 want, u64 us)
{
	u64 end = deadline_us(us);
	s32 st;

	while ((st = psci_affinity_info(mpidr, 0)) != want && !past(end))
		cpu_relax();
	return st;
}

static bool wait_flag(volatile u64 *p, u64 us)
{
	u64 end = deadline_us(us);

	while (!*p && !past(end))
		cpu_relax();
	return *p;
}

static void racer(void *arg)
{
	racer_ready = 1;
	dsb(sy);
	while (!go)
		cpu_relax();
	race_ret[1] = psci_raw_cpu_on(cpu_mpidr(2), (u64)(uintptr_t)raw_entry,
				      (u64)(uintptr_t)&rec_a);
}

static void again(void *arg)
{
	again_ran = (u32)(uintptr_t)arg;
	dsb(sy);
}

static void test_calls(void)
{
	static const u32 used[] = {
		PSCI_VERSION, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_64(PSCI_CPU_ON),
		PSCI_AFFINITY_INFO, PSCI_64(PSCI_AFFINITY_INFO), PSCI_MIGRATE_INFO_TYPE,
		PSCI_FEATURES,
	};
	u32 ver = psci_version();
	unsigned int good = 0;
	s32 r1, r2;

	ok(PSCI_VER_MAJOR(ver) >= 1, "PSCI_VERSION %u.%u >= 1.0: PSCI_FEATURES exists",
	   PSCI_VER_MAJOR(ver), PSCI_VER_MINOR(ver));
	for (unsigned int i = 0; i < ARRAY_SIZE(used); i++) {
		s32 f = psci_features(used[i]);

		if (f == 0)
			good++;
		else
			diag("PSCI_FEATURES(%#x) = %d", used[i], f);
	}
	ok(good == ARRAY_SIZE(used),
	   "PSCI_FEATURES = 0 for VERSION, CPU_OFF, CPU_ON and AFFINITY_INFO (both IDs), "
	   "MIGRATE_INFO_TYPE, FEATURES (%u of %zu)", good, ARRAY_SIZE(used));
	r1 = psci_features(PSCI_MIGRATE);
	r2 = psci_features(PSCI_UNASSIGNED);
	ok(r1 == PSCI_RET_NOT_SUPPORTED && r2 == PSCI_RET_NOT_SUPPORTED,
	   "PSCI_FEATURES(MIGRATE) = %d, of an unassigned ID = %d: NOT_SUPPORTED", r1, r2);
	r1 = (s32)hvc0(PSCI_MIGRATE_INFO_TYPE).a0;
	ok(r1 == MIGRATE_TOS_NONE, "MIGRATE_INFO_TYPE = %d (2: no Trusted OS to migrate)", r1);
}

static void test_affinity(void)
{
	s32 bad = psci_affinity_info(0, 4), l1 = psci_affinity_info(0, 1);
	s32 c1 = psci_affinity_info(cpu_mpidr(1), 0), c1_32 = affinity32(cpu_mpidr(1), 0);
	s64 r1, r2, self;

	ok(bad == PSCI_RET_INVALID_PARAMS, "AFFINITY_INFO at level 4 = INVALID_PARAMS (%d)", bad);
	ok(l1 == AFF_ON && c1 == AFF_OFF && c1_32 == AFF_OFF,
	   "AFFINITY_INFO: cluster 0 at level 1 ON (%d); cpu1 OFF by SMC64 (%d) and SMC32 (%d)",
	   l1, c1, c1_32);
	r1 = psci_raw_cpu_on(cpu_mpidr(8), (u64)(uintptr_t)raw_entry, 0);
	r2 = psci_raw_cpu_on(0x100, (u64)(uintptr_t)raw_entry, 0);
	ok(r1 == PSCI_RET_INVALID_PARAMS && r2 == PSCI_RET_INVALID_PARAMS,
	   "CPU_ON of MPIDR 0x8 (%ld) and 0x100 (%ld), no such CPU: INVALID_PARAMS", (long)r1,
	   (long)r2);
	self = psci_raw_cpu_on(cpu_mpidr(0), (u64)(uintptr_t)raw_entry, 0);
	ok(self == PSCI_RET_ALREADY_ON, "CPU_ON of the calling CPU = ALREADY_ON (%ld)",
	   (long)self);
}

static bool entry_ok(const volatile struct entry_rec *r, const char *what)
{
	bool good = r->self == (u64)(uintptr_t)r && ((r->el >> 2) & 3) == 1 &&
		    (r->daif & DAIF_ALL) == DAIF_ALL &&
		    !(r->sctlr & (SCTLR_M | SCTLR_A | SCTLR_I)) &&
		    mpidr_aff(r->mpidr) == cpu_mpidr(2);

	ok(good, "%s: entered with x0 = the context ID (%#lx), EL%lu, DAIF %#lx, "
	   "SCTLR_EL1 %#lx (M, A, I clear), MPIDR %#lx", what, (unsigned long)r->self,
	   (unsigned long)((r->el >> 2) & 3), (unsigned long)r->daif, (unsigned long)r->sctlr,
	   (unsigned long)mpidr_aff(r->mpidr));
	return good;
}

static void test_race_and_reon(void)
{
	u64 target = cpu_mpidr(2);
	s64 r;
	s32 st, right_after;
	unsigned int wins = 0, losers = 0;

	r = cpu_on(cpu_mpidr(1), racer, NULL, NULL);
	if (r != PSCI_RET_SUCCESS)
		bail("CPU_ON(cpu1) = %ld", (long)r);
	{
		u64 end = deadline_us(5000000);

		while (!racer_ready && !past(end))
			cpu_relax();
	}
	go = 1;
	dsb(sy);
	race_ret[0] = psci_raw_cpu_on(target, (u64)(uintptr_t)raw_entry,
				      (u64)(uintptr_t)&rec_a);
	right_after = psci_affinity_info(target, 0);
	wait_affinity(cpu_mpidr(1), AFF_OFF, 5000000);	/* the racer returned */
	for (int i = 0; i < 2; i++) {
		if (race_ret[i] == PSCI_RET_SUCCESS)
			wins++;
		else if (race_ret[i] == PSCI_RET_ALREADY_ON || race_ret[i] == PSCI_RET_ON_PENDING)
			losers++;
	}
	ok(wins == 1 && losers == 1,
	   "cpu0 and cpu1 race CPU_ON(cpu2): one SUCCESS, one ALREADY_ON/ON_PENDING (%ld, %ld)",
	   (long)race_ret[0], (long)race_ret[1]);
	ok(right_after == AFF_ON || right_after == AFF_ON_PENDING,
	   "AFFINITY_INFO(cpu2) right after CPU_ON returned: ON or ON_PENDING (%d)", right_after);
	wait_flag(&rec_a.entered, 5000000);
	entry_ok(&rec_a, "cpu2");

	rec_a.release = 1;
	dsb(sy);
	st = wait_affinity(target, AFF_OFF, 5000000);
	udelay(10000);
	ok(st == AFF_OFF && !rec_a.off_ret, "cpu2 called CPU_OFF: AFFINITY_INFO OFF (%d), "
	   "CPU_OFF did not return", st);

	r = cpu_on32(target, (u64)(uintptr_t)raw_entry, (u64)(uintptr_t)&rec_b);
	ok(r == PSCI_RET_SUCCESS && wait_flag(&rec_b.entered, 5000000),
	   "CPU_ON(cpu2) again, SMC32 ID, after its CPU_OFF: SUCCESS (%ld), it entered",
	   (long)r);
	entry_ok(&rec_b, "cpu2 again: state reset");
	rec_b.release = 1;
	dsb(sy);
	st = wait_affinity(target, AFF_OFF, 5000000);

	r = cpu_on(cpu_mpidr(1), again, (void *)0x77, NULL);
	{
		u64 end = deadline_us(5000000);

		while (!again_ran && !past(end))
			cpu_relax();
	}
	ok(r == PSCI_RET_SUCCESS && again_ran == 0x77,
	   "cpu1 (its C function returned: CPU_OFF) started again runs C code (%ld, %#x)",
	   (long)r, again_ran);
	ok(st == AFF_OFF && wait_affinity(cpu_mpidr(1), AFF_OFF, 5000000) == AFF_OFF &&
	   psci_affinity_info(0, 1) == AFF_ON,
	   "at the end cpu1 and cpu2 OFF, cluster 0 still ON (cpu0)");
}

void test_main(void)
{
	plan(4 + 4 + 8);
	if (nr_cpus() != 3)
		bail("want 3 CPUs, the DT has %d", nr_cpus());
	test_calls();
	test_affinity();
	test_race_and_reon();
}
