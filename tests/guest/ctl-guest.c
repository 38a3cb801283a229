// SPDX-License-Identifier: GPL-2.0
/*
 * The guest half of tests/linux/control-bare.sh, which drives it through
 * lkvm's control socket and prints what it sees:
 *   SPIN: known values in x19..x28 while it spins between two labels, for
 *         `lkvm debug` to read; an SDEI event 1000 raised with `lkvm sdei`
 *         ends the spin.
 *   HANDLER: inside the handler of the next event 1000 it spins 6 s of its
 *         own counter, noting the largest step between two reads; the host
 *         pauses it meanwhile for 3 s.  The counter stops with the guest,
 *         so no step comes near the pause.
 *   MASKED: with the PE masked for 8 s, an event raised stays pending;
 *         unmasking takes it.
 * Each phase starts with a line the host waits for.
 *
 * lkvm-args: -c 2 -m 64
 * run-by: tests/linux/control-bare.sh
 */
#include "sdei.h"

static volatile u32 handled, mode;
static volatile u64 max_step_us;

extern char spin_start[], spin_end[];

u64 sdei_handler(struct sdei_frame *f)
{
	if (mode == 1) {
		u64 hz = read_cntfrq(), end, prev, max = 0;

		printf("IN-HANDLER event=%lu\n", (unsigned long)f->x[0]);
		prev = read_cntvct();
		end = prev + 6 * hz;
		while (prev < end) {
			u64 now = read_cntvct();

			if (now - prev > max)
				max = now - prev;
			prev = now;
		}
		max_step_us = max * 1000000 / hz;
	}
	handled++;
	return 0;
}

/* x19..x28 hold 0x1919..19 .. 0x2828..28 until `handled` moves. */
static void spin_with_patterns(void)
{
	__asm__ volatile(
		"	movz	x19, #0x1919\n	movk	x19, #0x1919, lsl 16\n"
		"	movk	x19, #0x1919, lsl 32\n	movk	x19, #0x1919, lsl 48\n"
		"	add	x20, x19, x19\n"	/* 0x3232..32 */
		"	movz	x21, #0x2121\n	movk	x21, #0x2121, lsl 16\n"
		"	movk	x21, #0x2121, lsl 32\n	movk	x21, #0x2121, lsl 48\n"
		"	mov	x22, #0\n	mov	x23, #0\n	mov	x24, #0\n"
		"	mov	x25, #0\n	mov	x26, #0\n	mov	x27, #0\n"
		"	movz	x28, #0x2828\n	movk	x28, #0x2828, lsl 16\n"
		"	movk	x28, #0x2828, lsl 32\n	movk	x28, #0x2828, lsl 48\n"
		"	.globl	spin_start\n"
		"spin_start:\n"
		"	ldr	w9, [%0]\n"
		"	cbz	w9, spin_start\n"
		"	.globl	spin_end\n"
		"spin_end:\n"
		:
		: "r"(&handled)
		: "x9", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
		  "memory");
}

void test_main(void)
{
	u64 end;

	plan(6);
	ok(sdei_register(EV_PRIV_NORMAL, (u64)sdei_entry, 0, SDEI_RM_ANY, 0) == SDEI_SUCCESS &&
	   sdei_enable(EV_PRIV_NORMAL) == SDEI_SUCCESS && sdei_pe_unmask() >= 0,
	   "event 1000 registered, enabled, PE unmasked");

	printf("SPIN pc=%#lx..%#lx\n", (unsigned long)spin_start, (unsigned long)spin_end);
	spin_with_patterns();
	ok(handled == 1, "the spin ended by event 1000 from the host (%u)", handled);

	mode = 1;
	printf("HANDLER next\n");
	end = deadline_us(120 * 1000000ULL);
	while (handled == 1 && !past(end))
		cpu_relax();
	ok(handled == 2, "a second event 1000 handled (%u)", handled);
	/* The host held the guest 3 s; a counter that ran on would show it here. */
	ok(max_step_us < 2000000, "no step of 2 s or more in the counter across the 3 s pause "
	   "(largest %lu us)", (unsigned long)max_step_us);

	mode = 0;
	sdei_pe_mask();
	printf("MASKED\n");
	/* The host raises 1000 meanwhile, and hears that it is pending. */
	udelay(8 * 1000000ULL);
	ok(handled == 2, "nothing dispatched while masked (%u)", handled);
	sdei_pe_unmask();
	end = deadline_us(10 * 1000000ULL);
	while (handled == 2 && !past(end))
		cpu_relax();
	ok(handled == 3, "the pending event taken once unmasked (%u)", handled);
}
