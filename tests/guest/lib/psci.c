// SPDX-License-Identifier: GPL-2.0
/* SMCCC conduits and PSCI calls (lkvm's DT says method = "hvc"). */
#include "libtest.h"

#define SMCCC_CALL(insn)								\
	register u64 r0 __asm__("x0") = fn;						\
	register u64 r1 __asm__("x1") = a1;						\
	register u64 r2 __asm__("x2") = a2;						\
	register u64 r3 __asm__("x3") = a3;						\
	register u64 r4 __asm__("x4") = a4;						\
	register u64 r5 __asm__("x5") = a5;						\
	register u64 r6 __asm__("x6") = a6;						\
	register u64 r7 __asm__("x7") = a7;						\
	__asm__ volatile(insn " #0"							\
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3),			\
			   "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)			\
			 :								\
			 : "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",	\
			   "x16", "x17", "memory");					\
	return (struct smccc_res){ r0, r1, r2, r3 }

struct smccc_res hvc(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7)
{
	SMCCC_CALL("hvc");
}

struct smccc_res smc(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7)
{
	SMCCC_CALL("smc");
}

u32 psci_version(void)
{
	return (u32)hvc0(PSCI_VERSION).a0;
}

s32 psci_features(u32 fn)
{
	return (s32)hvc1(PSCI_FEATURES, fn).a0;
}

s32 psci_affinity_info(u64 mpidr, u32 level)
{
	return (s32)hvc2(PSCI_64(PSCI_AFFINITY_INFO), mpidr, level).a0;
}

s32 psci_cpu_off(void)
{
	return (s32)hvc0(PSCI_CPU_OFF).a0;
}

void psci_system_off(void)
{
	s64 r = (s64)hvc0(PSCI_SYSTEM_OFF).a0;

	bail("PSCI SYSTEM_OFF returned %ld", (long)r);
}

s64 psci_system_reset(void)
{
	return (s64)hvc0(PSCI_SYSTEM_RESET).a0;
}

s64 psci_system_off2(u32 type, u64 cookie)
{
	return (s64)hvc2(PSCI_64(PSCI_SYSTEM_OFF2), type, cookie).a0;
}

s64 psci_system_suspend(u64 entry, u64 context)
{
	return (s64)hvc2(PSCI_64(PSCI_SYSTEM_SUSPEND), entry, context).a0;
}

s64 psci_raw_cpu_on(u64 mpidr, u64 entry, u64 context)
{
	return (s64)hvc3(PSCI_64(PSCI_CPU_ON), mpidr, entry, context).a0;
}

/* Read by secondary_entry (start.S): the offsets are part of its contract. */
struct secondary_boot {
	void (*fn)(void *);	/* +0 */
	void *arg;		/* +8 */
	u64 sp;			/* +16 */
};

extern char secondary_entry[], __stacks[];
void libtest_secondary(void *boot);

static struct secondary_boot boots[MAX_CPUS];

void libtest_secondary(void *p)
{
	struct secondary_boot *b = p;

	b->fn(b->arg);
	psci_cpu_off();
	bail("PSCI CPU_OFF returned on MPIDR %#lx", (unsigned long)read_mpidr());
}

s64 cpu_on(u64 mpidr, void (*fn)(void *), void *arg, void *stack_top)
{
	unsigned int idx = (mpidr & 0xf) + ((mpidr >> 8) & 0xff) * 16;
	struct secondary_boot *b;

	if (idx >= MAX_CPUS)
		bail("cpu_on: MPIDR %#lx beyond the runtime's %d CPUs", (unsigned long)mpidr,
		     MAX_CPUS);
	b = &boots[idx];
	b->fn = fn;
	b->arg = arg;
	b->sp = stack_top ? (u64)(uintptr_t)stack_top
			  : (u64)(uintptr_t)__stacks + 0x4000 * (idx + 1);
	dsb(sy);
	return psci_raw_cpu_on(mpidr, (u64)(uintptr_t)secondary_entry, (u64)(uintptr_t)b);
}
