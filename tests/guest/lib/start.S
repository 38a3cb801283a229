/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry for bare lkvm test payloads.  lkvm enters _start at EL1h, MMU off,
 * x0 = DTB.  Secondaries come in through secondary_entry (PSCI CPU_ON) with
 * x0 = a struct secondary_boot pointer: { fn, arg, sp }.
 */
#define FRAME_SIZE	(34 * 8)

	.section .text.boot, "ax"
	.globl _start
_start:
	mov	x19, x0
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	ldr	x1, =__stack0_top
	mov	sp, x1
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	bl	libtest_start
3:	wfi
	b	3b

	.globl secondary_entry
secondary_entry:
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	ldr	x1, [x0, #16]
	mov	sp, x1
	bl	libtest_secondary
4:	wfi
	b	4b

	.ltorg

/* One 128-byte slot per vector: save everything, call the C dispatcher. */
.macro vector kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exception_common
.endm

	.text
	.balign	0x800
vectors:
	/* current EL with SP_EL0 */
	vector	0x00
	vector	0x01
	vector	0x02
	vector	0x03
	/* current EL with SP_ELx */
	vector	0x10
	vector	0x11
	vector	0x12
	vector	0x13
	/* lower EL, AArch64 */
	vector	0x20
	vector	0x21
	vector	0x22
	vector	0x23
	/* lower EL, AArch32 */
	vector	0x30
	vector	0x31
	vector	0x32
	vector	0x33

exception_common:
	/* x0 = vector kind, original x0/x1 already saved at [sp] */
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #FRAME_SIZE
	stp	x30, x1, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #256]
	mov	x1, sp
	bl	libtest_exception
	ldp	x1, x2, [sp, #256]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret
