// SPDX-License-Identifier: GPL-2.0
/*
 * Exit-path benchmark payload, run alike by lkvm and by the floor VMM
 * (tests/bench/floor.c) so that every figure has the floor's beside it:
 *
 *   lkvm run -k exits.bin -c 1 -m 64 -p "bench.iters=N"
 *   floor exits.bin "bench.iters=N" [--filter]
 *
 * It times, in 32 samples of N / 32 each (CNTVCT, ns under -icount):
 *   hvc        PSCI_VERSION, answered inside KVM (it pays for any SMCCC filter)
 *   mmio-hole  a read no device claims: an exit to the VMM and straight back
 *   mmio-uart  a read of the UART's LSR: an exit to a device model
 *   fwd        SDEI_VERSION, forwarded to the VMM by the SMCCC filter (skipped
 *              with bench.nofwd=1, when nothing forwards it)
 * and prints "BENCH exit-OP-ns MEDIAN ns (min MIN, max MAX, 32 samples)".
 */
#include "bench.h"

#define SAMPLES		32
#define HOLE		0x02800000UL
#define UART_LSR	(UART_BASE + 5)

enum op { OP_HVC, OP_HOLE, OP_UART, OP_FWD, OP_NR };
static const char *const names[OP_NR] = { "hvc", "mmio-hole", "mmio-uart", "fwd" };

static void once(enum op op)
{
	switch (op) {
	case OP_HVC:
		psci_version();
		break;
	case OP_HOLE:
		readl(HOLE);
		break;
	case OP_UART:
		readb(UART_LSR);
		break;
	default:
		hvc0(0xc4000020u);	/* SDEI_VERSION */
		break;
	}
}

void test_main(void)
{
	u64 n = bench_arg("bench.iters", 4096) / SAMPLES, freq = read_cntfrq();
	u64 s[SAMPLES], lo, hi;

	if (!n)
		n = 1;
	for (int op = 0; op < OP_NR; op++) {
		if (op == OP_FWD && bench_arg("bench.nofwd", 0))
			continue;
		for (u64 i = 0; i < n; i++)	/* warm up */
			once((enum op)op);
		for (int k = 0; k < SAMPLES; k++) {
			u64 t0 = read_cntvct();

			for (u64 i = 0; i < n; i++)
				once((enum op)op);
			s[k] = (read_cntvct() - t0) * 1000000000ULL / freq / n;
		}
		lo = hi = s[0];
		for (int k = 1; k < SAMPLES; k++) {
			lo = s[k] < lo ? s[k] : lo;
			hi = s[k] > hi ? s[k] : hi;
		}
		printf("BENCH exit-%s-ns %lu ns (min %lu, max %lu, %d samples of %lu)\n",
		       names[op], (unsigned long)median(s, SAMPLES), (unsigned long)lo,
		       (unsigned long)hi, SAMPLES, (unsigned long)n);
	}
	done();
}
