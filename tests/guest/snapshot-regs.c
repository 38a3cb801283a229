// SPDX-License-Identifier: GPL-2.0
/*
 * Registers across a snapshot, as the guest sees them: vCPU 0 loads known
 * patterns into everything it can (x0..x28, SP, SP_EL0, ELR_EL1, NZCV,
 * FPCR, FPSR, TPIDR_EL0, TPIDRRO_EL0, TPIDR_EL1, CONTEXTIDR_EL1, and
 * z0..z31, p0..p15 and FFR at the longest vector length, or v0..v31
 * without SVE), then spins on the UART's data-ready bit touching only x29
 * (the UART's address) and x30 (the LSR it reads), with no instruction
 * that sets flags.  The host snapshots it there, ends it, restores the
 * snapshot in a new lkvm and types a byte: every register must hold its
 * pattern, and PSCI_VERSION still reads the 1.1 the first lkvm was given.
 *
 * vCPU 1 meanwhile counts in RAM and in x21 at once (they must agree when
 * it stops: RAM and registers were saved at the same instant) and holds a
 * pattern in x20; after the restore it must go on counting.
 *
 * Prints "snapshot-ready" just before loading the patterns.
 *
 * lkvm-args: -c 2 -m 64 --psci-version 1.1
 * run-by: tests/linux/snapshot-bare.sh
 */
#include "libtest.h"

#define S_(x)		#x
#define S(x)		S_(x)

#define UART_RBR	0
#define UART_IER	1
#define UART_LSR	5
#define UART_LSR_DR	0x01

#define CPACR_FPEN	(3ULL << 20)
#define CPACR_ZEN	(3ULL << 16)
#define PFR0_SVE(r)	(((r) >> 32) & 0xf)

/* rs_in: what regs_spin loads (offsets used by the asm below). */
#define IN_SVE		0
#define IN_SP		8
#define IN_NZCV		16
#define IN_FPCR		24
#define IN_FPSR		32
#define IN_TPIDR0	40
#define IN_TPIDRRO	48
#define IN_TPIDR1	56
#define IN_CTXID	64
#define IN_SPEL0	72
#define IN_ELR		80
#define IN_FPCR_SET	88	/* FPCR and FPSR as read back: not every bit is writable */
#define IN_FPSR_SET	96
#define IN_WORDS	13

/* rs_out: what it found after the byte arrived. */
#define OUT_SP		0
#define OUT_NZCV	8
#define OUT_FPCR	16
#define OUT_FPSR	24
#define OUT_TPIDR0	32
#define OUT_TPIDRRO	40
#define OUT_TPIDR1	48
#define OUT_CTXID	56
#define OUT_SPEL0	64
#define OUT_ELR		72
#define OUT_VL		80
#define OUT_WORDS	11

/* SVE: 32 Z of up to 256 bytes, 16 P and the FFR of up to 32 bytes. */
#define SVE_BUF		(32 * 256 + 17 * 32)

#define NZCV_PAT	0xb0000000ULL	/* N, C, V */
#define FPCR_PAT	0x07c00000ULL	/* AHP, DN, FZ, RMode = RZ */
#define FPSR_PAT	0x0800009fULL	/* QC, IDC, IXC, UFC, OFC, DZC, IOC */
#define SEC_PAT_ASM	0x5ec0dd0020202020	/* no suffix: the assembler reads it */
#define SEC_PAT		0x5ec0dd0020202020ULL

u64 xpat[32], xout[32], rs_in[IN_WORDS], rs_out[OUT_WORDS], rs_saved[13];
u8 zin[SVE_BUF] __attribute__((aligned(16))), zout[SVE_BUF] __attribute__((aligned(16)));
u8 vin[32 * 16] __attribute__((aligned(16))), vout[32 * 16] __attribute__((aligned(16)));

void regs_spin(void);

#define LD_Z(n)		"	ldr	z" #n ", [x11, #" #n ", mul vl]\n"
#define ST_Z(n)		"	str	z" #n ", [x1, #" #n ", mul vl]\n"
#define LD_P(n)		"	ldr	p" #n ", [x11, #" #n ", mul vl]\n"
#define ST_P(n)		"	str	p" #n ", [x1, #" #n ", mul vl]\n"
#define P16(M)		M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)				\
			M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
#define Z32(M)		P16(M) M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23)		\
			M(24) M(25) M(26) M(27) M(28) M(29) M(30) M(31)
#define LD_Q(a, b, o)	"	ldp	q" #a ", q" #b ", [x11, #" #o "]\n"
#define ST_Q(a, b, o)	"	stp	q" #a ", q" #b ", [x1, #" #o "]\n"
#define Q16(M)		M(0, 1, 0) M(2, 3, 32) M(4, 5, 64) M(6, 7, 96) M(8, 9, 128)	\
			M(10, 11, 160) M(12, 13, 192) M(14, 15, 224) M(16, 17, 256)	\
			M(18, 19, 288) M(20, 21, 320) M(22, 23, 352) M(24, 25, 384)	\
			M(26, 27, 416) M(28, 29, 448) M(30, 31, 480)
#define LD_X(a, b)	"	ldp	x" #a ", x" #b ", [x30, #" #a " * 8]\n"
#define ST_X(a, b)	"	stp	x" #a ", x" #b ", [x30, #" #a " * 8]\n"
#define X28(M)		M(0, 1) M(2, 3) M(4, 5) M(6, 7) M(8, 9) M(10, 11) M(12, 13)	\
			M(14, 15) M(16, 17) M(18, 19) M(20, 21) M(22, 23) M(24, 25) M(26, 27)
#define MSR_IN(reg, off) "	ldr	x10, [x9, #" S(off) "]\n	msr	" #reg ", x10\n"
#define MRS_OUT(reg, off) "	mrs	x0, " #reg "\n	str	x0, [x30, #" S(off) "]\n"

/*
 * Called like a function: saves the callee-saved registers and SP, loads
 * the patterns, spins until the UART has a byte, stores what every
 * register holds, and returns with x19..x30 and SP as they were.  Between
 * the patterns and the stores nothing but x29 (the UART) and x30 (the LSR)
 * may change: a register the restore got wrong shows as itself.
 */
__asm__(".pushsection .text\n"
	".arch_extension fp\n"
	".arch_extension simd\n"
	".arch_extension sve\n"
	".balign 4\n"
	".globl regs_spin\n"
	"regs_spin:\n"
	"	ldr	x9, =rs_saved\n"
	"	stp	x19, x20, [x9, #0]\n"
	"	stp	x21, x22, [x9, #16]\n"
	"	stp	x23, x24, [x9, #32]\n"
	"	stp	x25, x26, [x9, #48]\n"
	"	stp	x27, x28, [x9, #64]\n"
	"	stp	x29, x30, [x9, #80]\n"
	"	mov	x10, sp\n"
	"	str	x10, [x9, #96]\n"
	"	ldr	x9, =rs_in\n"
	"	ldr	x10, [x9, #" S(IN_SVE) "]\n"
	"	cbz	x10, 1f\n"
	"	ldr	x11, =zin\n"
	Z32(LD_Z)
	"	addvl	x11, x11, #16\n"
	"	addvl	x11, x11, #16\n"
	/* The FFR through p0 first: p0 gets its own pattern after. */
	"	ldr	p0, [x11, #16, mul vl]\n"
	"	wrffr	p0.b\n"
	P16(LD_P)
	"	b	2f\n"
	"1:	ldr	x11, =vin\n"
	Q16(LD_Q)
	"2:\n"
	MSR_IN(fpcr, IN_FPCR)
	"	mrs	x10, fpcr\n"
	"	str	x10, [x9, #" S(IN_FPCR_SET) "]\n"
	MSR_IN(fpsr, IN_FPSR)
	"	mrs	x10, fpsr\n"
	"	str	x10, [x9, #" S(IN_FPSR_SET) "]\n"
	MSR_IN(tpidr_el0, IN_TPIDR0)
	MSR_IN(tpidrro_el0, IN_TPIDRRO)
	MSR_IN(tpidr_el1, IN_TPIDR1)
	MSR_IN(contextidr_el1, IN_CTXID)
	MSR_IN(sp_el0, IN_SPEL0)
	MSR_IN(elr_el1, IN_ELR)
	"	isb\n"
	MSR_IN(nzcv, IN_NZCV)
	"	ldr	x10, [x9, #" S(IN_SP) "]\n"
	"	mov	sp, x10\n"
	"	ldr	x30, =xpat\n"
	X28(LD_X)
	"	ldr	x28, [x30, #224]\n"
	"	mov	x29, #0x01000000\n"	/* UART_BASE */
	".globl regs_spin_loop\n"
	"regs_spin_loop:\n"
	"3:	ldrb	w30, [x29, #" S(UART_LSR) "]\n"
	"	tbz	w30, #0, 3b\n"
	/* x30 is needed as the base: park the LSR in a register nobody checks. */
	"	msr	far_el1, x30\n"
	"	ldr	x30, =xout\n"
	X28(ST_X)
	"	stp	x28, x29, [x30, #224]\n"
	"	mrs	x0, far_el1\n"
	"	str	x0, [x30, #240]\n"
	"	ldr	x30, =rs_out\n"
	MRS_OUT(nzcv, OUT_NZCV)
	"	mov	x0, sp\n"
	"	str	x0, [x30, #" S(OUT_SP) "]\n"
	MRS_OUT(fpcr, OUT_FPCR)
	MRS_OUT(fpsr, OUT_FPSR)
	MRS_OUT(tpidr_el0, OUT_TPIDR0)
	MRS_OUT(tpidrro_el0, OUT_TPIDRRO)
	MRS_OUT(tpidr_el1, OUT_TPIDR1)
	MRS_OUT(contextidr_el1, OUT_CTXID)
	MRS_OUT(sp_el0, OUT_SPEL0)
	MRS_OUT(elr_el1, OUT_ELR)
	"	ldr	x0, =rs_in\n"
	"	ldr	x0, [x0, #" S(IN_SVE) "]\n"
	"	cbz	x0, 4f\n"
	"	ldr	x1, =zout\n"
	Z32(ST_Z)
	"	addvl	x1, x1, #16\n"
	"	addvl	x1, x1, #16\n"
	P16(ST_P)
	"	rdffr	p0.b\n"
	"	str	p0, [x1, #16, mul vl]\n"
	"	rdvl	x0, #1\n"
	"	str	x0, [x30, #" S(OUT_VL) "]\n"
	"	b	5f\n"
	"4:	ldr	x1, =vout\n"
	Q16(ST_Q)
	"5:	ldr	x9, =rs_saved\n"
	"	ldr	x10, [x9, #96]\n"
	"	mov	sp, x10\n"
	"	ldp	x19, x20, [x9, #0]\n"
	"	ldp	x21, x22, [x9, #16]\n"
	"	ldp	x23, x24, [x9, #32]\n"
	"	ldp	x25, x26, [x9, #48]\n"
	"	ldp	x27, x28, [x9, #64]\n"
	"	ldp	x29, x30, [x9, #80]\n"
	"	ret\n"
	".ltorg\n"
	".popsection\n");

static u64 rdvl(void)
{
	u64 vl;

	__asm__ volatile(".arch_extension sve\n\trdvl %0, #1" : "=r"(vl));
	return vl;
}

/* ---- vCPU 1 ---------------------------------------------------------------- */

static volatile u64 sec_count, sec_x20, sec_x21;
static volatile u32 sec_stop, sec_done;

/*
 * Counts in RAM and in x21 together until told to stop, or until the two
 * disagree (RAM and registers from different instants).
 */
static void secondary(void *arg)
{
	u64 x20, x21;

	__asm__ volatile("	ldr	x20, =" S(SEC_PAT_ASM) "\n"
			 "	mov	x21, #0\n"
			 "1:	ldr	x9, [%[cnt]]\n"
			 "	add	x9, x9, #1\n"
			 "	str	x9, [%[cnt]]\n"
			 "	add	x21, x21, #1\n"
			 "	cmp	x9, x21\n"
			 "	b.ne	2f\n"
			 "	ldr	w10, [%[stop]]\n"
			 "	cbz	w10, 1b\n"
			 "2:	mov	%[x20], x20\n"
			 "	mov	%[x21], x21\n"
			 : [x20] "=&r"(x20), [x21] "=&r"(x21)
			 : [cnt] "r"(&sec_count), [stop] "r"(&sec_stop)
			 : "x9", "x10", "x20", "x21", "cc", "memory");
	sec_x20 = x20;
	sec_x21 = x21;
	dmb(sy);
	sec_done = 1;
}

/* ---- vCPU 0 ---------------------------------------------------------------- */

static u64 vl;

static void fill_patterns(bool sve)
{
	for (int n = 0; n < 29; n++)
		xpat[n] = 0x5a00000000000000ULL | (u64)(n + 1) << 40 | (u64)n * 0x01010101ULL |
			  0x0000008000000000ULL;
	rs_in[IN_SVE / 8] = sve;
	rs_in[IN_SP / 8] = 0x00005a5a5a5a5a50ULL;	/* 16-byte aligned, never used */
	rs_in[IN_NZCV / 8] = NZCV_PAT;
	rs_in[IN_FPCR / 8] = FPCR_PAT;
	rs_in[IN_FPSR / 8] = FPSR_PAT;
	rs_in[IN_TPIDR0 / 8] = 0x7e1d0e10c0ffee00ULL;
	rs_in[IN_TPIDRRO / 8] = 0x7e1d20c0ffee0001ULL;
	rs_in[IN_TPIDR1 / 8] = 0x7e1de11c0ffee002ULL;
	rs_in[IN_CTXID / 8] = 0x1234c0deULL;		/* PROCID: 32 bits */
	rs_in[IN_SPEL0 / 8] = 0x0000e10e10e10e10ULL;
	rs_in[IN_ELR / 8] = 0xffff0000deadbee4ULL;
	if (sve) {
		u8 *p = zin + 32 * vl;
		u64 pl = vl / 8, bits = vl;

		/* Byte i of z_n: 97 is odd, so no two registers agree in byte 0. */
		for (u64 n = 0; n < 32; n++)
			for (u64 i = 0; i < vl; i++)
				zin[n * vl + i] = (u8)(i * 0x1d + n * 0x61 + 0x35);
		for (u64 n = 0; n < 16; n++)
			for (u64 i = 0; i < pl; i++)
				p[n * pl + i] = (u8)(i * 0x3b + n * 0x25 + 0x11);
		/* The FFR as a first-fault load leaves it: true up to an element, false after. */
		for (u64 b = 0; b < bits - 3; b++)
			p[16 * pl + b / 8] |= (u8)(1u << (b % 8));
	} else {
		for (int i = 0; i < (int)sizeof(vin); i++)
			vin[i] = (u8)(i * 0x1d + 0x35);
	}
}

static bool same(const u8 *a, const u8 *b, u64 n, const char *what, int nr)
{
	for (int r = 0; r < nr; r++)
		if (memcmp(a + r * n, b + r * n, n)) {
			diag("%s%d differs: byte 0 %#x, expected %#x", what, r, a[r * n], b[r * n]);
			return false;
		}
	return true;
}

static bool wait_nonzero(volatile u32 *p, u64 us)
{
	u64 end = deadline_us(us);

	while (!*p && !past(end))
		cpu_relax();
	return *p;
}

void test_main(void)
{
	bool sve = PFR0_SVE(read_sysreg(id_aa64pfr0_el1)) != 0;
	u64 c0, c1, t0, t1, end;
	u32 ver;
	int bad;

	plan(sve ? 15 : 12);
	write_sysreg(read_sysreg(cpacr_el1) | CPACR_FPEN | (sve ? CPACR_ZEN : 0), cpacr_el1);
	isb();
	if (sve) {
		/* The longest length this vCPU has (LEN saturates at the maximum). */
		write_sysreg(0x1ff, S3_0_C1_C2_0);	/* ZCR_EL1 */
		isb();
		vl = rdvl();
	}
	diag("SVE %s, vector length %lu bytes", sve ? "on" : "off", (unsigned long)vl);
	fill_patterns(sve);

	if (cpu_on(cpu_mpidr(1), secondary, NULL, NULL) != PSCI_RET_SUCCESS)
		bail("CPU_ON of vCPU 1 failed");
	end = deadline_us(5000000);
	while (!sec_count && !past(end))
		cpu_relax();
	if (!sec_count)
		bail("vCPU 1 does not count");

	/* Listening: lkvm hands typed bytes to the UART only once RDI is on. */
	writeb(1, UART_BASE + UART_IER);
	c0 = sec_count;
	t0 = read_cntvct();
	printf("snapshot-ready\n");
	regs_spin();
	t1 = read_cntvct();
	c1 = sec_count;
	/* For the host, which knows how long the guest was held. */
	diag("the counter advanced %lu ms from the prompt to the byte",
	     (unsigned long)((t1 - t0) * 1000 / read_cntfrq()));
	readb(UART_BASE + UART_RBR);

	bad = 0;
	for (int n = 0; n < 29; n++)
		if (xout[n] != xpat[n] && bad++ < 4)
			diag("x%d = %#lx, expected %#lx", n, (unsigned long)xout[n],
			     (unsigned long)xpat[n]);
	ok(!bad, "x0..x28 hold their patterns (%d differ)", bad);
	ok(xout[29] == UART_BASE && (xout[30] & UART_LSR_DR) && xout[30] < 0x100,
	   "x29 = the UART (%#lx), x30 = an LSR with data ready (%#lx)",
	   (unsigned long)xout[29], (unsigned long)xout[30]);
	ok(rs_out[OUT_SP / 8] == rs_in[IN_SP / 8], "SP (SP_EL1) %#lx",
	   (unsigned long)rs_out[OUT_SP / 8]);
	ok(rs_out[OUT_SPEL0 / 8] == rs_in[IN_SPEL0 / 8] &&
	   rs_out[OUT_ELR / 8] == rs_in[IN_ELR / 8], "SP_EL0 %#lx, ELR_EL1 %#lx",
	   (unsigned long)rs_out[OUT_SPEL0 / 8], (unsigned long)rs_out[OUT_ELR / 8]);
	ok(rs_out[OUT_NZCV / 8] == NZCV_PAT, "NZCV %#lx (expected %#llx)",
	   (unsigned long)rs_out[OUT_NZCV / 8], NZCV_PAT);
	ok(rs_out[OUT_FPCR / 8] == rs_in[IN_FPCR_SET / 8] && rs_in[IN_FPCR_SET / 8] &&
	   rs_out[OUT_FPSR / 8] == rs_in[IN_FPSR_SET / 8] && rs_in[IN_FPSR_SET / 8],
	   "FPCR %#lx (set %#lx), FPSR %#lx (set %#lx)", (unsigned long)rs_out[OUT_FPCR / 8],
	   (unsigned long)rs_in[IN_FPCR_SET / 8], (unsigned long)rs_out[OUT_FPSR / 8],
	   (unsigned long)rs_in[IN_FPSR_SET / 8]);
	ok(rs_out[OUT_TPIDR0 / 8] == rs_in[IN_TPIDR0 / 8] &&
	   rs_out[OUT_TPIDRRO / 8] == rs_in[IN_TPIDRRO / 8] &&
	   rs_out[OUT_TPIDR1 / 8] == rs_in[IN_TPIDR1 / 8],
	   "TPIDR_EL0 %#lx, TPIDRRO_EL0 %#lx, TPIDR_EL1 %#lx",
	   (unsigned long)rs_out[OUT_TPIDR0 / 8], (unsigned long)rs_out[OUT_TPIDRRO / 8],
	   (unsigned long)rs_out[OUT_TPIDR1 / 8]);
	ok(rs_out[OUT_CTXID / 8] == rs_in[IN_CTXID / 8], "CONTEXTIDR_EL1 %#lx",
	   (unsigned long)rs_out[OUT_CTXID / 8]);
	if (sve) {
		u64 pl = vl / 8;

		ok(rs_out[OUT_VL / 8] == vl, "vector length %lu bytes (ZCR_EL1 kept)",
		   (unsigned long)rs_out[OUT_VL / 8]);
		ok(same(zout, zin, vl, "z", 32), "z0..z31 hold their patterns (%lu bytes each)",
		   (unsigned long)vl);
		ok(same(zout + 32 * vl, zin + 32 * vl, pl, "p", 16),
		   "p0..p15 hold their patterns (%lu bytes each)", (unsigned long)pl);
		ok(same(zout + 32 * vl + 16 * pl, zin + 32 * vl + 16 * pl, pl, "ffr", 1),
		   "FFR holds its pattern");
	} else {
		ok(same(vout, vin, 16, "v", 32), "v0..v31 hold their patterns");
	}

	ver = psci_version();
	ok(ver == 0x10001, "PSCI_VERSION still reads 1.1 (%u.%u)", PSCI_VER_MAJOR(ver),
	   PSCI_VER_MINOR(ver));

	/* vCPU 1 goes on from where it was. */
	end = deadline_us(5000000);
	while (sec_count == c1 && !past(end))
		cpu_relax();
	ok(c1 >= c0 && sec_count > c1, "vCPU 1 counts on after the byte (%lu at the snapshot "
	   "prompt, %lu at the byte, then %lu)", (unsigned long)c0, (unsigned long)c1,
	   (unsigned long)sec_count);
	sec_stop = 1;
	dmb(sy);
	ok(wait_nonzero(&sec_done, 5000000) && sec_x21 == sec_count && sec_x20 == SEC_PAT,
	   "vCPU 1: its x21 (%lu) agrees with its count in RAM (%lu), x20 %#lx",
	   (unsigned long)sec_x21, (unsigned long)sec_count, (unsigned long)sec_x20);
	done();
}
