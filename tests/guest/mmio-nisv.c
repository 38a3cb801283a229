// SPDX-License-Identifier: GPL-2.0
/*
 * A device access KVM cannot decode (a load/store pair has no ISV) is a guest
 * error, not an lkvm one: the guest takes a synchronous external abort, as
 * on hardware, lkvm says once what happened (address, PC) and goes on.
 *
 * lkvm-args: -c 1 -m 64 --loglevel warning
 * expect-exit: 0
 * expect-output: vCPU 0: guest access to 0x1000000 at PC 0x[0-9a-f]+: instruction not decodable by KVM
 */
#include "libtest.h"

#define HOLE		0x02800000UL
#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define EC_DABT_CUR	0x25
#define DFSC_EXT	0x10

static volatile int aborts;
static volatile u64 last_esr, last_elr;

static bool on_sync(struct pt_regs *regs, u64 esr)
{
	if (ESR_EC(esr) != EC_DABT_CUR)
		return false;
	aborts++;
	last_esr = esr;
	last_elr = regs->elr;
	regs->elr += 4;
	return true;
}

static u64 ldp_at(u64 addr, u64 *where)
{
	u64 a = 0x1111, b = 0x2222, pc;

	__asm__ volatile("adr %2, 1f\n"
			 "1: ldp %0, %1, [%3]"
			 : "+r"(a), "+r"(b), "=&r"(pc) : "r"(addr) : "memory");
	*where = pc;
	return a + b;
}

void test_main(void)
{
	u64 pc;

	plan(5);
	install_sync_handler(on_sync);
	ldp_at(UART_BASE, &pc);
	ok(aborts == 1, "ldp from the UART: one exception taken (%d)", aborts);
	ok(ESR_EC(last_esr) == EC_DABT_CUR && (last_esr & 0x3f) == DFSC_EXT,
	   "a data abort, synchronous external (ESR %#lx)", (unsigned long)last_esr);
	ok(last_elr == pc, "at the ldp itself (ELR %#lx, ldp at %#lx)", (unsigned long)last_elr,
	   (unsigned long)pc);
	__asm__ volatile("stp xzr, xzr, [%0]" : : "r"(HOLE) : "memory");
	ok(aborts == 2, "stp to an unmapped hole: an abort too (%d)", aborts);
	uart_putc('\n');
	ok(readl(HOLE) == 0, "plain accesses still work after the aborts");
}
