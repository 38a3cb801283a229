// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI benchmark payload (a bare payload like the tests/guest ones; build it with the guest
 * runtime and -Itests/guest).  Run it with deterministic timing (the emulated
 * host under -icount shift=0,sleep=off):
 *
 *   lkvm run -k sdei.bin -c 1 -m 64 --stats -p "bench.op=OP bench.iters=N"
 *
 * OP = all (default) times, over N iterations each (CNTVCT deltas):
 *   psci      PSCI_VERSION, answered inside KVM: the baseline
 *   version   SDEI_VERSION, forwarded to lkvm (KVM_EXIT_HYPERCALL)
 *   signal    EVENT_SIGNAL(0, self) -> handler entry -> EVENT_COMPLETE -> back
 * and prints "BENCH <name> <value> <unit>" lines: each in ns and as a ratio
 * to psci.  OP = one of psci, version, status, get_info, mask (PE_MASK +
 * PE_UNMASK), signal runs only that call N times, so that lkvm's "ioctls"
 * counter (--stats) of a run with 2N minus that of a run with N, divided by
 * N, is the ioctls one such call costs (per pair for mask, per round trip
 * for signal).
 */
#include "sdei.h"


/* The cheapest possible handler: EVENT_COMPLETE at once. */
extern char bench_entry[];
__asm__(
"	.pushsection .text.bench, \"ax\"\n"
"	.balign	16\n"
"	.globl	bench_entry\n"
"bench_entry:\n"
"	movz	x0, #0x0025\n"
"	movk	x0, #0xc400, lsl #16\n"
"	mov	x1, #0\n"
"	hvc	#0\n"
"	b	sdei_complete_bench_failed\n"
"	.popsection\n");

void sdei_complete_bench_failed(void);
void sdei_complete_bench_failed(void)
{
	bail("EVENT_COMPLETE returned");
}

u64 sdei_handler(struct sdei_frame *f)
{
	bail("unexpected entry through sdei_entry");
}

static u64 arg_u64(const char *key, u64 def)
{
	u32 len = 0;
	const char *p = fdt_getprop("/chosen", "bootargs", &len);
	size_t kl = strlen(key);

	for (u32 i = 0; p && i + kl < len; i++) {
		if ((i == 0 || p[i - 1] == ' ') && !strncmp(p + i, key, kl) && p[i + kl] == '=') {
			u64 v = 0;

			for (i += kl + 1; i < len && p[i] >= '0' && p[i] <= '9'; i++)
				v = v * 10 + (u64)(p[i] - '0');
			return v;
		}
	}
	return def;
}

static bool arg_is(const char *key, const char *val)
{
	u32 len = 0;
	const char *p = fdt_getprop("/chosen", "bootargs", &len);
	size_t kl = strlen(key), vl = strlen(val);

	for (u32 i = 0; p && i + kl + vl < len; i++)
		if ((i == 0 || p[i - 1] == ' ') && !strncmp(p + i, key, kl) && p[i + kl] == '=' &&
		    !strncmp(p + i + kl + 1, val, vl) &&
		    (p[i + kl + 1 + vl] == ' ' || p[i + kl + 1 + vl] == 0))
			return true;
	return false;
}

enum op { OP_PSCI, OP_VERSION, OP_STATUS, OP_GET_INFO, OP_MASK, OP_SIGNAL, OP_NR };
static const char *const op_names[OP_NR] = {
	"psci", "version", "status", "get_info", "mask", "signal",
};

/* CNTVCT ticks for @n runs of @op. */
static u64 run(enum op op, u64 n)
{
	u64 me = read_mpidr(), t0, t1;
	s64 bad = 0;

	t0 = read_cntvct();
	for (u64 i = 0; i < n; i++) {
		switch (op) {
		case OP_PSCI:
			bad |= (s32)psci_version() < 0;
			break;
		case OP_VERSION:
			bad |= sdei_version() < 0;
			break;
		case OP_STATUS:
			bad |= sdei_status(EV_SW) < 0;
			break;
		case OP_GET_INFO:
			bad |= sdei_get_info(EV_SW, SDEI_INFO_PRIORITY) < 0;
			break;
		case OP_MASK:
			bad |= sdei_pe_mask() < 0;
			bad |= sdei_pe_unmask() < 0;
			break;
		case OP_SIGNAL:
			bad |= sdei_signal(EV_SW, me) < 0;
			break;
		default:
			break;
		}
	}
	t1 = read_cntvct();
	if (bad)
		bail("%s: a call failed", op_names[op]);
	return t1 - t0;
}

/* value * 100, printed as a decimal with two places */
static void print_fixed(const char *name, u64 v100, const char *unit)
{
	printf("BENCH %s %lu.%02lu %s\n", name, (unsigned long)(v100 / 100),
	       (unsigned long)(v100 % 100), unit);
}

void test_main(void)
{
	u64 n = arg_u64("bench.iters", 10000), freq = read_cntfrq();
	u64 ep = (u64)(uintptr_t)bench_entry, t[OP_NR] = { 0 };
	s64 r;

	if (!n)
		bail("bench.iters=0");
	r = sdei_register(EV_SW, ep, 0, SDEI_RM_ANY, 0);
	if (r || sdei_enable(EV_SW) || sdei_pe_unmask())
		bail("SDEI setup failed (%ld)", (long)r);

	for (int op = 0; op < OP_NR; op++) {
		if (arg_is("bench.op", op_names[op])) {
			run((enum op)op, n);
			printf("# bench: %lu x %s\n", (unsigned long)n, op_names[op]);
			done();
		}
	}

	/* Warm up, then time each kind in turn. */
	run(OP_PSCI, n / 10 + 1);
	run(OP_VERSION, n / 10 + 1);
	run(OP_SIGNAL, n / 10 + 1);
	t[OP_PSCI] = run(OP_PSCI, n);
	t[OP_VERSION] = run(OP_VERSION, n);
	t[OP_SIGNAL] = run(OP_SIGNAL, n);
	printf("# bench: %lu iterations each, CNTFRQ %lu Hz\n", (unsigned long)n,
	       (unsigned long)freq);
	print_fixed("psci-version-hvc", t[OP_PSCI] * 100 * 1000000000ULL / freq / n, "ns");
	print_fixed("sdei-version", t[OP_VERSION] * 100 * 1000000000ULL / freq / n, "ns");
	print_fixed("sdei-signal-complete", t[OP_SIGNAL] * 100 * 1000000000ULL / freq / n, "ns");
	print_fixed("sdei-version-vs-psci", t[OP_VERSION] * 100 / t[OP_PSCI], "x");
	print_fixed("sdei-signal-complete-vs-psci", t[OP_SIGNAL] * 100 / t[OP_PSCI], "x");
	done();
}
