// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot taken inside an SDEI handler: the interrupted context spins
 * with known values in x0..x28 and NZCV (x29 points at the flag it polls,
 * x30 is its scratch); the host raises event 1000 on vCPU 0 (lkvm sdei);
 * the handler prints "in-handler" and waits for a byte on the UART.  The
 * host snapshots it there, ends it, restores the snapshot in a new lkvm
 * and types a byte.  The handler then returns (EVENT_COMPLETE), and the
 * interrupted context must go on exactly where it was: the dispatcher's
 * saved x0..x17, PC and PSTATE came through the snapshot, the rest through
 * the vCPU's registers and the handler's frame in RAM.
 *
 * Prints "sdei-ready" just before loading the values.
 *
 * lkvm-args: -c 1 -m 64
 * run-by: tests/linux/snapshot-bare.sh
 */
#include "sdei.h"

#define S_(x)		#x
#define S(x)		S_(x)

#define UART_RBR	0
#define UART_IER	1
#define UART_LSR	5
#define UART_LSR_DR	0x01

#define NZCV_PAT	0x60000000ULL	/* Z, C */
#define NZCV_PAT_ASM	0x60000000

/* sd_ctx: the saved callee-saved registers and SP, then what was found. */
#define CTX_SP		96
#define CTX_NZCV	104
#define CTX_SP_OUT	112
#define CTX_NZCV_OUT	120

u64 sd_xpat[32], sd_xout[32], sd_ctx[16];
volatile u32 sd_handled;
void sdei_spin(void);
extern char sdei_spin_loop[], sdei_spin_end[];

/*
 * Returns once sd_handled is non-zero, having stored x0..x28, NZCV and SP
 * as they were when it saw it.
 */
__asm__(".pushsection .text\n"
	".balign 4\n"
	".globl sdei_spin\n"
	"sdei_spin:\n"
	"	ldr	x9, =sd_ctx\n"
	"	stp	x19, x20, [x9, #0]\n"
	"	stp	x21, x22, [x9, #16]\n"
	"	stp	x23, x24, [x9, #32]\n"
	"	stp	x25, x26, [x9, #48]\n"
	"	stp	x27, x28, [x9, #64]\n"
	"	stp	x29, x30, [x9, #80]\n"
	"	mov	x10, sp\n"
	"	str	x10, [x9, #" S(CTX_SP) "]\n"
	"	ldr	x10, =" S(NZCV_PAT_ASM) "\n"
	"	msr	nzcv, x10\n"
	"	ldr	x30, =sd_xpat\n"
	"	ldp	x0, x1, [x30, #0]\n"
	"	ldp	x2, x3, [x30, #16]\n"
	"	ldp	x4, x5, [x30, #32]\n"
	"	ldp	x6, x7, [x30, #48]\n"
	"	ldp	x8, x9, [x30, #64]\n"
	"	ldp	x10, x11, [x30, #80]\n"
	"	ldp	x12, x13, [x30, #96]\n"
	"	ldp	x14, x15, [x30, #112]\n"
	"	ldp	x16, x17, [x30, #128]\n"
	"	ldp	x18, x19, [x30, #144]\n"
	"	ldp	x20, x21, [x30, #160]\n"
	"	ldp	x22, x23, [x30, #176]\n"
	"	ldp	x24, x25, [x30, #192]\n"
	"	ldp	x26, x27, [x30, #208]\n"
	"	ldr	x28, [x30, #224]\n"
	"	ldr	x29, =sd_handled\n"
	".globl sdei_spin_loop\n"
	"sdei_spin_loop:\n"
	"	ldr	w30, [x29]\n"
	"	cbz	w30, sdei_spin_loop\n"
	".globl sdei_spin_end\n"
	"sdei_spin_end:\n"
	"	ldr	x30, =sd_xout\n"
	"	stp	x0, x1, [x30, #0]\n"
	"	stp	x2, x3, [x30, #16]\n"
	"	stp	x4, x5, [x30, #32]\n"
	"	stp	x6, x7, [x30, #48]\n"
	"	stp	x8, x9, [x30, #64]\n"
	"	stp	x10, x11, [x30, #80]\n"
	"	stp	x12, x13, [x30, #96]\n"
	"	stp	x14, x15, [x30, #112]\n"
	"	stp	x16, x17, [x30, #128]\n"
	"	stp	x18, x19, [x30, #144]\n"
	"	stp	x20, x21, [x30, #160]\n"
	"	stp	x22, x23, [x30, #176]\n"
	"	stp	x24, x25, [x30, #192]\n"
	"	stp	x26, x27, [x30, #208]\n"
	"	str	x28, [x30, #224]\n"
	"	ldr	x9, =sd_ctx\n"
	"	mrs	x10, nzcv\n"
	"	str	x10, [x9, #" S(CTX_NZCV_OUT) "]\n"
	"	mov	x10, sp\n"
	"	str	x10, [x9, #" S(CTX_SP_OUT) "]\n"
	"	ldp	x19, x20, [x9, #0]\n"
	"	ldp	x21, x22, [x9, #16]\n"
	"	ldp	x23, x24, [x9, #32]\n"
	"	ldp	x25, x26, [x9, #48]\n"
	"	ldp	x27, x28, [x9, #64]\n"
	"	ldp	x29, x30, [x9, #80]\n"
	"	ret\n"
	".ltorg\n"
	".popsection\n");

static volatile u64 h_count, h_event, h_pc, h_pstate;

u64 sdei_handler(struct sdei_frame *f)
{
	h_count++;
	h_event = f->x[0];
	h_pc = f->x[2];
	h_pstate = f->x[3];
	printf("in-handler event=%lu\n", (unsigned long)f->x[0]);
	while (!(readb(UART_BASE + UART_LSR) & UART_LSR_DR))
		udelay(1000);
	readb(UART_BASE + UART_RBR);
	dmb(sy);
	sd_handled = 1;
	return 0;	/* EVENT_COMPLETE: back to the spin */
}

void test_main(void)
{
	u64 spin = (u64)(uintptr_t)sdei_spin, end = (u64)(uintptr_t)sdei_spin_end;
	int bad = 0;

	plan(7);
	for (int n = 0; n < 29; n++)
		sd_xpat[n] = 0x5d00000000000000ULL | (u64)(n + 1) << 40 | (u64)n * 0x00010101ULL;
	ok(sdei_register(EV_PRIV_NORMAL, (u64)(uintptr_t)sdei_entry, 0, SDEI_RM_ANY, 0) ==
		   SDEI_SUCCESS && sdei_enable(EV_PRIV_NORMAL) == SDEI_SUCCESS &&
	   sdei_pe_unmask() >= 0, "event 1000 registered, enabled, PE unmasked");
	/* Listening: lkvm hands typed bytes to the UART only once RDI is on. */
	writeb(1, UART_BASE + UART_IER);
	printf("sdei-ready\n");
	sdei_spin();

	ok(h_count == 1 && h_event == EV_PRIV_NORMAL, "the handler ran once (%lu), for event %lu",
	   (unsigned long)h_count, (unsigned long)h_event);
	ok(h_pc >= spin && h_pc <= end && (h_pstate & 0xf) == 5 &&
	   (h_pstate & 0xf0000000) == NZCV_PAT,
	   "it interrupted the spin (PC %#lx in %#lx..%#lx) at EL1h with its NZCV (PSTATE %#lx)",
	   (unsigned long)h_pc, (unsigned long)spin, (unsigned long)end, (unsigned long)h_pstate);
	for (int n = 0; n < 29; n++)
		if (sd_xout[n] != sd_xpat[n] && bad++ < 4)
			diag("x%d = %#lx, expected %#lx", n, (unsigned long)sd_xout[n],
			     (unsigned long)sd_xpat[n]);
	ok(!bad, "x0..x28 of the interrupted context intact (%d differ)", bad);
	ok(sd_ctx[CTX_NZCV_OUT / 8] == NZCV_PAT, "its NZCV intact (%#lx)",
	   (unsigned long)sd_ctx[CTX_NZCV_OUT / 8]);
	ok(sd_ctx[CTX_SP_OUT / 8] == sd_ctx[CTX_SP / 8], "its SP intact (%#lx)",
	   (unsigned long)sd_ctx[CTX_SP_OUT / 8]);
	ok(sdei_status(EV_PRIV_NORMAL) == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED),
	   "execution went on after COMPLETE; event 1000 registered, enabled, not running");
	done();
}
