/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 32-bit (AArch32) guest for `lkvm run --aarch32` (tests/linux/kvmtool-opts.sh).
 * It prints what it was booted with, one "X=hex" line each: 0= r0, 1= r1,
 * 2= r2 (the DTB), c= CPSR, m= the DTB's first word, then calls PSCI
 * SYSTEM_OFF (SMC32 id, HVC).  The aarch64 toolchain cannot assemble A32, so
 * the instructions are spelled out as words, each with its A32 assembly.
 * Loaded at RAM + 0x8000 = 0x80008000, entered in SVC mode.
 */
	.text
	.globl _start
_start:
	.word 0xe1a08000	/* mov	r8, r0 */
	.word 0xe1a09001	/* mov	r9, r1 */
	.word 0xe1a0a002	/* mov	r10, r2 */
	.word 0xe10fb000	/* mrs	r11, cpsr */
	.word 0xe592c000	/* ldr	r12, [r2] */
	.word 0xe3005000	/* movw	r5, #0 */
	.word 0xe3405100	/* movt	r5, #0x100		@ the UART, 0x01000000 */
	.word 0xe1a00008	/* mov	r0, r8 */
	.word 0xe3a03030	/* mov	r3, #'0' */
	.word 0xeb00000f	/* bl	hex */
	.word 0xe1a00009	/* mov	r0, r9 */
	.word 0xe3a03031	/* mov	r3, #'1' */
	.word 0xeb00000c	/* bl	hex */
	.word 0xe1a0000a	/* mov	r0, r10 */
	.word 0xe3a03032	/* mov	r3, #'2' */
	.word 0xeb000009	/* bl	hex */
	.word 0xe1a0000b	/* mov	r0, r11 */
	.word 0xe3a03063	/* mov	r3, #'c' */
	.word 0xeb000006	/* bl	hex */
	.word 0xe1a0000c	/* mov	r0, r12 */
	.word 0xe3a0306d	/* mov	r3, #'m' */
	.word 0xeb000003	/* bl	hex */
	.word 0xe3000008	/* movw	r0, #8 */
	.word 0xe3480400	/* movt	r0, #0x8400		@ PSCI SYSTEM_OFF */
	.word 0xe1400070	/* hvc	#0 */
	.word 0xeafffffe	/* b	. */
/* hex: print r3 as a character, '=', r0 as 8 hex digits and a newline. */
	.word 0xe5c53000	/* hex:	strb	r3, [r5] */
	.word 0xe3a0103d	/* mov	r1, #'=' */
	.word 0xe5c51000	/* strb	r1, [r5] */
	.word 0xe3a0201c	/* mov	r2, #28 */
	.word 0xe1a01230	/* 1:	mov	r1, r0, lsr r2 */
	.word 0xe201100f	/* and	r1, r1, #15 */
	.word 0xe351000a	/* cmp	r1, #10 */
	.word 0xb2811030	/* addlt	r1, r1, #'0' */
	.word 0xa2811057	/* addge	r1, r1, #('a' - 10) */
	.word 0xe5c51000	/* strb	r1, [r5] */
	.word 0xe2522004	/* subs	r2, r2, #4 */
	.word 0xaafffff7	/* bge	1b */
	.word 0xe3a0100a	/* mov	r1, #'\n' */
	.word 0xe5c51000	/* strb	r1, [r5] */
	.word 0xe12fff1e	/* bx	lr */
