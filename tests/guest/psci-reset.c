// SPDX-License-Identifier: GPL-2.0
/*
 * SYSTEM_RESET reboots in place: the same lkvm process boots the payload
 * again with the image reloaded (a .data word written in boot 1 is back to
 * its initial value), RAM zeroed, x0 = the DTB, the secondary that was on
 * powered off and startable again, and the pinned PSCI version kept.  Boot 2
 * powers off.  Boots are counted through the PL031, which keeps its time
 * across the reset.
 *
 * lkvm-args: -c 2 -m 64 --psci-version 1.1 --loglevel info --stats
 * expect-exit: 0
 * expect-output: lkvm: guest reset \(SYSTEM_RESET\): rebooting in place
 * expect-output: stats: suspends 0 resumes 0 reboots 1
 * timeout: 60
 */
#include "psci-suspend.h"

#define SCRATCH		(RAM_BASE + (32UL << 20))

static volatile u64 image_word = 0x1111;
static volatile u32 cpu1_ran;

static void spinner(void *arg)
{
	cpu1_ran = 1;
	for (;;)
		cpu_relax();
}

static void quick(void *arg)
{
	cpu1_ran = 2;
}

static bool psci_is_1_1(void)
{
	u32 v = psci_version();

	return PSCI_VER_MAJOR(v) == 1 && PSCI_VER_MINOR(v) == 1;
}

static void second_boot(void)
{
	u64 end;
	s32 st;

	ok(image_word == 0x1111, "boot 2: image reloaded, .data word = 0x1111 (boot 1 left %#lx)",
	   (unsigned long)image_word);
	ok(readq(SCRATCH) == 0,
	   "boot 2: RAM zeroed, RAM+32MiB = 0 (boot 1 wrote 0xdeadbeef; got %#lx)",
	   (unsigned long)readq(SCRATCH));
	ok(fdt_valid(boot_dtb), "boot 2: x0 = %#lx holds a DTB", (unsigned long)boot_dtb);
	st = psci_affinity_info(cpu_mpidr(1), 0);
	ok(st == 1, "boot 2: AFFINITY_INFO(cpu1) = OFF (it was spinning at the reset; %d)", st);
	ok(psci_is_1_1(), "boot 2: PSCI_VERSION still the pinned 1.1 (%#x)", psci_version());
	ok(cpu_on(cpu_mpidr(1), quick, NULL, NULL) == PSCI_RET_SUCCESS,
	   "boot 2: CPU_ON(cpu1) = SUCCESS");
	end = deadline_us(5000000);
	while (cpu1_ran != 2 && !past(end))
		cpu_relax();
	ok(cpu1_ran == 2, "boot 2: cpu1 ran its code");
}

void test_main(void)
{
	u64 end;
	s64 r;

	if (boot_number() == 2) {
		second_boot();
		done();
	}
	if (boot_number() != 1)
		bail("boot %u: this test reboots once", boot_number());

	plan(4 + 7);
	ok(psci_is_1_1(), "boot 1: PSCI_VERSION = 1.1 (%#x)", psci_version());
	ok(image_word == 0x1111, "boot 1: .data word = 0x1111");
	ok(cpu_on(cpu_mpidr(1), spinner, NULL, NULL) == PSCI_RET_SUCCESS,
	   "boot 1: CPU_ON(cpu1), which spins");
	end = deadline_us(5000000);
	while (!cpu1_ran && !past(end))
		cpu_relax();
	boot_mark(1);
	ok(cpu1_ran && boot_number() == 2, "boot 1: cpu1 runs; RTCLR loaded (RTCDR %u)",
	   rtc_read(RTCDR));
	image_word = 0x2222;
	writeq(0xdeadbeef, SCRATCH);
	dsb(sy);
	r = psci_system_reset();
	bail("SYSTEM_RESET returned %ld", (long)r);
}
