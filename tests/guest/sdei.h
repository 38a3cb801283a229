/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SDEI client side for the bare payloads (tests/guest/sdei-*.c): call
 * wrappers, the test device that makes lkvm raise an event, and a handler
 * entry trampoline.  Include it from exactly one .c file per payload: it
 * defines the trampoline (file-scope asm) and its C half.
 *
 * Handler flow: lkvm enters sdei_entry at EL1h, DAIF masked, SP = the
 * interrupted SP_EL1, x0 = event, x1 = arg, x2 = interrupted PC, x3 =
 * interrupted PSTATE.  The trampoline saves x0..x30, SP, DAIF, CurrentEL and
 * SPSel in a struct sdei_frame and calls the test's sdei_handler(frame).  A
 * return of 0 issues EVENT_COMPLETE(HANDLED); anything else is an address for
 * EVENT_COMPLETE_AND_RESUME.  Both restore SP and x18..x30 first (lkvm
 * restores only x0..x17).  If the COMPLETE call returns, the test bails.
 *
 * sdei_resume_entry is a resume address that behaves like an IRQ vector: it
 * records x0..x17, ELR_EL1, SPSR_EL1, DAIF, CurrentEL, SPSel in sdei_resumed
 * and ERETs to ELR_EL1/SPSR_EL1.
 *
 * sdei_signal_regs(in, out) loads x3..x17 from in[3..17], calls
 * EVENT_SIGNAL(0, own MPIDR) and, once back at sdei_signal_ret, stores x0..x17
 * in out[0..17] and the SP it had at the HVC in out[18].
 */
#ifndef TESTS_GUEST_SDEI_H
#define TESTS_GUEST_SDEI_H

#include "libtest.h"

#define SDEI_VERSION			0xc4000020u
#define SDEI_EVENT_REGISTER		0xc4000021u
#define SDEI_EVENT_ENABLE		0xc4000022u
#define SDEI_EVENT_DISABLE		0xc4000023u
#define SDEI_EVENT_CONTEXT		0xc4000024u
#define SDEI_EVENT_COMPLETE		0xc4000025u
#define SDEI_EVENT_COMPLETE_AND_RESUME	0xc4000026u
#define SDEI_EVENT_UNREGISTER		0xc4000027u
#define SDEI_EVENT_STATUS		0xc4000028u
#define SDEI_EVENT_GET_INFO		0xc4000029u
#define SDEI_EVENT_ROUTING_SET		0xc400002au
#define SDEI_PE_MASK			0xc400002bu
#define SDEI_PE_UNMASK			0xc400002cu
#define SDEI_INTERRUPT_BIND		0xc400002du
#define SDEI_INTERRUPT_RELEASE		0xc400002eu
#define SDEI_EVENT_SIGNAL		0xc400002fu
#define SDEI_FEATURES			0xc4000030u
#define SDEI_PRIVATE_RESET		0xc4000031u
#define SDEI_SHARED_RESET		0xc4000032u

#define SDEI_SUCCESS			0
#define SDEI_NOT_SUPPORTED		(-1)
#define SDEI_INVALID_PARAMETERS		(-2)
#define SDEI_DENIED			(-3)
#define SDEI_PENDING			(-5)
#define SDEI_OUT_OF_RESOURCE		(-10)

#define SDEI_RM_ANY			0
#define SDEI_RM_PE			1

#define SDEI_ST_REGISTERED		1
#define SDEI_ST_ENABLED			2
#define SDEI_ST_RUNNING			4

#define SDEI_INFO_TYPE			0
#define SDEI_INFO_SIGNALED		1
#define SDEI_INFO_PRIORITY		2
#define SDEI_INFO_ROUTING_MODE		3
#define SDEI_INFO_ROUTING_AFF		4

/* lkvm's events (include/lkvm/sdei.h). */
#define EV_SW			0u
#define EV_PRIV_NORMAL		1000u
#define EV_PRIV_CRITICAL	1001u
#define EV_SHARED_NORMAL	2000u
#define EV_SHARED_CRITICAL	2001u

#define LKVM_SDEI_VENDOR	0x6c6b766dULL

/* EL1h with D, A, I, F masked: the PSTATE of a handler. */
#define PSTATE_EL1H_DAIF	0x3c5ULL

static inline s64 sdei_call(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	return (s64)hvc(fn, a1, a2, a3, a4, a5, 0, 0).a0;
}

static inline s64 sdei_version(void) { return sdei_call(SDEI_VERSION, 0, 0, 0, 0, 0); }
static inline s64 sdei_register(u64 ev, u64 ep, u64 arg, u64 flags, u64 aff)
{
	return sdei_call(SDEI_EVENT_REGISTER, ev, ep, arg, flags, aff);
}
static inline s64 sdei_enable(u64 ev) { return sdei_call(SDEI_EVENT_ENABLE, ev, 0, 0, 0, 0); }
static inline s64 sdei_disable(u64 ev) { return sdei_call(SDEI_EVENT_DISABLE, ev, 0, 0, 0, 0); }
static inline s64 sdei_unregister(u64 ev) { return sdei_call(SDEI_EVENT_UNREGISTER, ev, 0, 0, 0, 0); }
static inline s64 sdei_status(u64 ev) { return sdei_call(SDEI_EVENT_STATUS, ev, 0, 0, 0, 0); }
static inline s64 sdei_context(u64 i) { return sdei_call(SDEI_EVENT_CONTEXT, i, 0, 0, 0, 0); }
static inline s64 sdei_get_info(u64 ev, u64 info)
{
	return sdei_call(SDEI_EVENT_GET_INFO, ev, info, 0, 0, 0);
}
static inline s64 sdei_routing_set(u64 ev, u64 mode, u64 aff)
{
	return sdei_call(SDEI_EVENT_ROUTING_SET, ev, mode, aff, 0, 0);
}
static inline s64 sdei_pe_mask(void) { return sdei_call(SDEI_PE_MASK, 0, 0, 0, 0, 0); }
static inline s64 sdei_pe_unmask(void) { return sdei_call(SDEI_PE_UNMASK, 0, 0, 0, 0, 0); }
static inline s64 sdei_signal(u64 ev, u64 mpidr)
{
	return sdei_call(SDEI_EVENT_SIGNAL, ev, mpidr, 0, 0, 0);
}
static inline s64 sdei_features(u64 f) { return sdei_call(SDEI_FEATURES, f, 0, 0, 0, 0); }
static inline s64 sdei_private_reset(void) { return sdei_call(SDEI_PRIVATE_RESET, 0, 0, 0, 0, 0); }
static inline s64 sdei_shared_reset(void) { return sdei_call(SDEI_SHARED_RESET, 0, 0, 0, 0, 0); }

/* ---- the test device (--test-device) ----------------------------------- */
#define TESTDEV_BASE		0x01030000UL
#define TESTDEV_PENDING		0
#define TESTDEV_DROPPED		1
#define TESTDEV_REFUSED		(-1)

/* Ask lkvm to raise @event (private ones on vCPU @vcpu); its RESULT register. */
static inline s64 testdev_raise(u32 event, unsigned int vcpu)
{
	writeq((u64)event | ((u64)vcpu << 32), TESTDEV_BASE);
	return (s64)readq(TESTDEV_BASE + 8);
}

/* ---- handler entry ------------------------------------------------------ */
struct sdei_frame {
	u64 x[31];		/* at entry */
	u64 sp;			/* SP at entry */
	u64 daif, current_el;	/* raw system register values at entry */
	u64 spsel, pad;
};

struct sdei_resumed {
	u64 x[18];
	u64 elr, spsr, daif, current_el, spsel, sp;
	u64 count;
};

/* Provided by the test. */
u64 sdei_handler(struct sdei_frame *f);

extern char sdei_entry[], sdei_resume_entry[], sdei_signal_ret[];
void sdei_signal_regs(const u64 *in, u64 *out);
volatile struct sdei_resumed sdei_resumed;
void sdei_complete_returned(s64 ret, u64 fn);
void sdei_resumed_c(u64 *regs);

#define SDEI_STR_(x) #x
#define SDEI_STR(x) SDEI_STR_(x)

__asm__(
"	.pushsection .text.sdei, \"ax\"\n"
"	.balign	16\n"
"	.globl	sdei_entry\n"
"sdei_entry:\n"
"	sub	sp, sp, #288\n"
"	stp	x0, x1, [sp, #0]\n"
"	stp	x2, x3, [sp, #16]\n"
"	stp	x4, x5, [sp, #32]\n"
"	stp	x6, x7, [sp, #48]\n"
"	stp	x8, x9, [sp, #64]\n"
"	stp	x10, x11, [sp, #80]\n"
"	stp	x12, x13, [sp, #96]\n"
"	stp	x14, x15, [sp, #112]\n"
"	stp	x16, x17, [sp, #128]\n"
"	stp	x18, x19, [sp, #144]\n"
"	stp	x20, x21, [sp, #160]\n"
"	stp	x22, x23, [sp, #176]\n"
"	stp	x24, x25, [sp, #192]\n"
"	stp	x26, x27, [sp, #208]\n"
"	stp	x28, x29, [sp, #224]\n"
"	add	x9, sp, #288\n"
"	stp	x30, x9, [sp, #240]\n"
"	mrs	x9, daif\n"
"	mrs	x10, CurrentEL\n"
"	stp	x9, x10, [sp, #256]\n"
"	mrs	x9, SPSel\n"
"	stp	x9, xzr, [sp, #272]\n"
"	mov	x0, sp\n"
"	bl	sdei_handler\n"
"	mov	x1, x0\n"
"	ldp	x18, x19, [sp, #144]\n"
"	ldp	x20, x21, [sp, #160]\n"
"	ldp	x22, x23, [sp, #176]\n"
"	ldp	x24, x25, [sp, #192]\n"
"	ldp	x26, x27, [sp, #208]\n"
"	ldp	x28, x29, [sp, #224]\n"
"	ldr	x30, [sp, #240]\n"
"	add	sp, sp, #288\n"
"	movz	x0, #0x0025\n"
"	movk	x0, #0xc400, lsl #16\n"
"	cbz	x1, 1f\n"
"	movz	x0, #0x0026\n"
"	movk	x0, #0xc400, lsl #16\n"
"1:	mov	x9, x0\n"
"	hvc	#0\n"
	/* COMPLETE returned: an error. */
"	mov	x1, x9\n"
"	bl	sdei_complete_returned\n"
"2:	b	2b\n"
"\n"
"	.balign	16\n"
"	.globl	sdei_resume_entry\n"
"sdei_resume_entry:\n"
"	sub	sp, sp, #192\n"
"	stp	x0, x1, [sp, #0]\n"
"	stp	x2, x3, [sp, #16]\n"
"	stp	x4, x5, [sp, #32]\n"
"	stp	x6, x7, [sp, #48]\n"
"	stp	x8, x9, [sp, #64]\n"
"	stp	x10, x11, [sp, #80]\n"
"	stp	x12, x13, [sp, #96]\n"
"	stp	x14, x15, [sp, #112]\n"
"	stp	x16, x17, [sp, #128]\n"
"	stp	x18, x30, [sp, #144]\n"
"	mrs	x9, elr_el1\n"
"	mrs	x10, spsr_el1\n"
"	stp	x9, x10, [sp, #160]\n"
"	mov	x0, sp\n"
"	bl	sdei_resumed_c\n"
"	ldp	x9, x10, [sp, #160]\n"
"	msr	elr_el1, x9\n"
"	msr	spsr_el1, x10\n"
"	ldp	x0, x1, [sp, #0]\n"
"	ldp	x2, x3, [sp, #16]\n"
"	ldp	x4, x5, [sp, #32]\n"
"	ldp	x6, x7, [sp, #48]\n"
"	ldp	x8, x9, [sp, #64]\n"
"	ldp	x10, x11, [sp, #80]\n"
"	ldp	x12, x13, [sp, #96]\n"
"	ldp	x14, x15, [sp, #112]\n"
"	ldp	x16, x17, [sp, #128]\n"
"	ldp	x18, x30, [sp, #144]\n"
"	add	sp, sp, #192\n"
"	eret\n"
"\n"
"	.balign	16\n"
"	.globl	sdei_signal_regs\n"
"sdei_signal_regs:\n"
"	stp	x0, x1, [sp, #-16]!\n"
"	mrs	x2, mpidr_el1\n"
"	ldr	x3, [x0, #24]\n"
"	ldp	x4, x5, [x0, #32]\n"
"	ldp	x6, x7, [x0, #48]\n"
"	ldp	x8, x9, [x0, #64]\n"
"	ldp	x10, x11, [x0, #80]\n"
"	ldp	x12, x13, [x0, #96]\n"
"	ldp	x14, x15, [x0, #112]\n"
"	ldp	x16, x17, [x0, #128]\n"
"	mov	x1, #0\n"
"	movz	x0, #0x002f\n"
"	movk	x0, #0xc400, lsl #16\n"
"	hvc	#0\n"
"	.globl	sdei_signal_ret\n"
"sdei_signal_ret:\n"
"	stp	x0, x1, [sp, #-16]!\n"
"	ldr	x0, [sp, #24]\n"
"	stp	x2, x3, [x0, #16]\n"
"	stp	x4, x5, [x0, #32]\n"
"	stp	x6, x7, [x0, #48]\n"
"	stp	x8, x9, [x0, #64]\n"
"	stp	x10, x11, [x0, #80]\n"
"	stp	x12, x13, [x0, #96]\n"
"	stp	x14, x15, [x0, #112]\n"
"	stp	x16, x17, [x0, #128]\n"
"	add	x2, sp, #16\n"
"	str	x2, [x0, #144]\n"
"	ldp	x2, x3, [sp], #16\n"
"	stp	x2, x3, [x0, #0]\n"
"	add	sp, sp, #16\n"
"	ret\n"
"	.popsection\n");

void sdei_complete_returned(s64 ret, u64 fn)
{
	bail("SDEI %s returned %ld on MPIDR %#lx",
	     fn == SDEI_EVENT_COMPLETE ? "EVENT_COMPLETE" : "EVENT_COMPLETE_AND_RESUME",
	     (long)ret, (unsigned long)read_mpidr());
}

void sdei_resumed_c(u64 *regs)
{
	for (int i = 0; i < 18; i++)
		sdei_resumed.x[i] = regs[i];
	sdei_resumed.elr = regs[20];
	sdei_resumed.spsr = regs[21];
	sdei_resumed.daif = read_sysreg(daif);
	sdei_resumed.current_el = read_sysreg(CurrentEL);
	sdei_resumed.spsel = read_sysreg(SPSel);
	sdei_resumed.sp = (u64)(uintptr_t)regs + 192;
	dmb(sy);
	sdei_resumed.count++;
}

/* Wait until *@p != @old or @us pass; true if it changed. */
static inline bool sdei_wait_change(volatile u64 *p, u64 old, u64 us)
{
	u64 end = deadline_us(us);

	while (*p == old && !past(end))
		cpu_relax();
	return *p != old;
}

#endif
