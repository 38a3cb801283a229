// SPDX-License-Identifier: GPL-2.0
/*
 * SDEI on three vCPUs: delivery to a vCPU sitting in WFI with interrupts
 * masked (the handler runs there, on its own stack, and it goes back to
 * WFI); EVENT_SIGNAL to another PE; private events are per PE; shared events
 * routed RM_PE to a chosen PE (ROUTING_SET moves them), RM_ANY to some
 * unmasked PE; RM_PE to a masked PE waits for it.  vCPU 2 stays masked and
 * raises the shared events, so no event ever targets the vCPU that raises it.
 *
 * lkvm-args: -c 3 -m 64 --test-device
 * expect-exit: 0
 */
#include "sdei.h"

#define NCPU 3

static volatile u64 count[NCPU], last_ev[NCPU], last_x1[NCPU], last_x2[NCPU], last_x3[NCPU];
static volatile u64 last_sp[NCPU];

/* Handler runs so far, all vCPUs (each count[] has one writer). */
static u64 runs(void)
{
	return count[0] + count[1] + count[2];
}
#define total runs()

u64 sdei_handler(struct sdei_frame *f)
{
	unsigned int cpu = read_mpidr() & 0xf;

	if (cpu < NCPU) {
		last_ev[cpu] = f->x[0];
		last_x1[cpu] = f->x[1];
		last_x2[cpu] = f->x[2];
		last_x3[cpu] = f->x[3];
		last_sp[cpu] = f->sp;
		dmb(sy);
		count[cpu]++;
	}
	return 0;
}

/* WFI until *flag != 0; cpu1_wfi_ret is the instruction after the WFI. */
void cpu1_wfi_loop(volatile u32 *flag);
extern char cpu1_wfi_ret[];
__asm__(
"	.pushsection .text.sdei_smp, \"ax\"\n"
"	.globl	cpu1_wfi_loop\n"
"cpu1_wfi_loop:\n"
"	ldr	w1, [x0]\n"
"	cbnz	w1, 1f\n"
"	wfi\n"
"	.globl	cpu1_wfi_ret\n"
"cpu1_wfi_ret:\n"
"	b	cpu1_wfi_loop\n"
"1:	ret\n"
"	.popsection\n");

/* ---- secondaries: a mailbox each ---- */
enum { CMD_NONE, CMD_MASK, CMD_UNMASK, CMD_RAISE, CMD_STATUS, CMD_EXIT };

struct mbox {
	volatile u64 cmd, a, b;
	volatile s64 res;
};

static struct mbox mbox[NCPU];
static volatile u32 cpu1_leave_wfi;
static volatile u64 cpu1_ready, cpu1_daif;
static volatile s64 cpu1_setup[5];

static void serve(struct mbox *m)
{
	for (;;) {
		u64 c = m->cmd;
		s64 r = 0;

		if (c == CMD_NONE) {
			cpu_relax();
			continue;
		}
		dmb(sy);
		switch (c) {
		case CMD_MASK:
			r = sdei_pe_mask();
			break;
		case CMD_UNMASK:
			r = sdei_pe_unmask();
			break;
		case CMD_RAISE:
			r = testdev_raise((u32)m->a, (unsigned int)m->b);
			break;
		case CMD_STATUS:
			r = sdei_status(m->a);
			break;
		}
		m->res = r;
		dmb(sy);
		m->cmd = CMD_NONE;
		if (c == CMD_EXIT)
			return;
	}
}

static void cpu1_main(void *arg)
{
	u64 ep = (u64)(uintptr_t)sdei_entry;

	cpu1_setup[0] = sdei_register(EV_PRIV_NORMAL, ep, 0x11, SDEI_RM_ANY, 0);
	cpu1_setup[1] = sdei_enable(EV_PRIV_NORMAL);
	cpu1_setup[2] = sdei_register(EV_SW, ep, 0x10, SDEI_RM_ANY, 0);
	cpu1_setup[3] = sdei_enable(EV_SW);
	cpu1_setup[4] = sdei_pe_unmask();
	cpu1_daif = read_daif();
	dsb(sy);
	cpu1_ready = 1;
	cpu1_wfi_loop(&cpu1_leave_wfi);
	serve(&mbox[1]);
}

static void cpu2_main(void *arg)
{
	serve(&mbox[2]);
}

static s64 cmd(int cpu, u64 c, u64 a, u64 b)
{
	struct mbox *m = &mbox[cpu];
	u64 end = deadline_us(2000000);

	m->a = a;
	m->b = b;
	dmb(sy);
	m->cmd = c;
	while (m->cmd != CMD_NONE && !past(end))
		cpu_relax();
	if (m->cmd != CMD_NONE)
		bail("vCPU %d did not answer command %lu", cpu, (unsigned long)c);
	dmb(sy);
	return m->res;
}

/* Wait up to @us for the total number of handler runs to reach @n. */
static bool wait_total(u64 n, u64 us)
{
	u64 end = deadline_us(us);

	while (total < n && !past(end))
		cpu_relax();
	return total >= n;
}

extern char __stacks[];

void test_main(void)
{
	u64 m1 = cpu_mpidr(1), m0 = cpu_mpidr(0);
	u64 ep = (u64)(uintptr_t)sdei_entry;
	u64 t, c0, c1, stack1 = (u64)(uintptr_t)__stacks + 0x4000;
	bool good;
	s64 r;

	plan(22);
	if (nr_cpus() != NCPU)
		bail("want %d CPUs, DT has %d", NCPU, nr_cpus());
	ok(cpu_on(m1, cpu1_main, NULL, NULL) == PSCI_RET_SUCCESS &&
	   sdei_wait_change(&cpu1_ready, 0, 2000000), "vCPU 1 up");
	ok(cpu1_setup[0] == 0 && cpu1_setup[1] == 0 && cpu1_setup[2] == 0 && cpu1_setup[3] == 0 &&
	   cpu1_setup[4] == 0 && cpu1_daif == 0x3c0,
	   "vCPU 1 registered and enabled 1000 and 0, unmasked its PE; DAIF %#lx",
	   (unsigned long)cpu1_daif);
	ok(cpu_on(cpu_mpidr(2), cpu2_main, NULL, NULL) == PSCI_RET_SUCCESS, "vCPU 2 up (stays masked)");
	udelay(20000);	/* let vCPU 1 reach its WFI */

	/* ---- delivery into WFI ---- */
	r = testdev_raise(EV_PRIV_NORMAL, 1);
	good = wait_total(1, 2000000);
	ok(r == TESTDEV_PENDING && good && count[1] == 1 && count[0] == 0,
	   "vCPU 0 raises 1000 for vCPU 1: the handler runs on vCPU 1 (%ld; runs %lu/%lu)", (long)r,
	   (unsigned long)count[0], (unsigned long)count[1]);
	ok(last_ev[1] == EV_PRIV_NORMAL && last_x1[1] == 0x11,
	   "on vCPU 1: x0 = 1000, x1 = vCPU 1's argument (%lu, %#lx)", (unsigned long)last_ev[1],
	   (unsigned long)last_x1[1]);
	ok(last_x2[1] == (u64)(uintptr_t)cpu1_wfi_ret,
	   "interrupted PC = just past vCPU 1's WFI (%#lx, want %#lx)", (unsigned long)last_x2[1],
	   (unsigned long)(uintptr_t)cpu1_wfi_ret);
	ok((last_x3[1] & 0x3ff) == PSTATE_EL1H_DAIF,
	   "interrupted PSTATE = EL1h with interrupts masked (%#lx)", (unsigned long)last_x3[1]);
	ok(last_sp[1] > stack1 && last_sp[1] <= stack1 + 0x4000,
	   "the handler ran on vCPU 1's stack (SP %#lx)", (unsigned long)last_sp[1]);
	r = testdev_raise(EV_PRIV_NORMAL, 1);
	good = wait_total(2, 2000000);
	ok(good && count[1] == 2 && last_x2[1] == (u64)(uintptr_t)cpu1_wfi_ret,
	   "vCPU 1 went back to WFI: a second raise interrupts it there again (runs %lu, PC %#lx)",
	   (unsigned long)count[1], (unsigned long)last_x2[1]);
	r = sdei_signal(EV_SW, m1);
	good = wait_total(3, 2000000);
	ok(r == SDEI_SUCCESS && good && count[1] == 3 && last_ev[1] == EV_SW && last_x1[1] == 0x10,
	   "vCPU 0 EVENT_SIGNALs event 0 to vCPU 1: runs there (%ld, x0 %lu, x1 %#lx)", (long)r,
	   (unsigned long)last_ev[1], (unsigned long)last_x1[1]);

	/* ---- private events are per PE ---- */
	r = testdev_raise(EV_PRIV_NORMAL, 0);
	ok(sdei_status(EV_PRIV_NORMAL) == 0 && r == TESTDEV_DROPPED && count[0] == 0,
	   "1000 registered on vCPU 1 only: STATUS on vCPU 0 = 0, raising it there drops it (%ld)",
	   (long)r);

	/* vCPU 1 leaves its WFI loop for its mailbox. */
	cpu1_leave_wfi = 1;
	dsb(sy);
	sdei_signal(EV_SW, m1);
	wait_total(4, 2000000);
	ok(cmd(1, CMD_STATUS, EV_PRIV_NORMAL, 0) == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED),
	   "vCPU 1 serving commands; its STATUS(1000) = registered|enabled");

	/* ---- shared, RM_PE ---- */
	sdei_pe_unmask();
	r = sdei_register(EV_SHARED_NORMAL, ep, 0x20, SDEI_RM_PE, m1);
	ok(r == SDEI_SUCCESS && sdei_enable(EV_SHARED_NORMAL) == SDEI_SUCCESS &&
	   cmd(1, CMD_STATUS, EV_SHARED_NORMAL, 0) == (SDEI_ST_REGISTERED | SDEI_ST_ENABLED),
	   "vCPU 0 registers 2000 RM_PE to vCPU 1; vCPU 1 sees it registered|enabled (%ld)", (long)r);
	t = total;
	c0 = count[0];
	c1 = count[1];
	r = cmd(2, CMD_RAISE, EV_SHARED_NORMAL, 0);
	good = wait_total(t + 1, 2000000);
	udelay(10000);
	ok(r == TESTDEV_PENDING && good && count[1] == c1 + 1 && count[0] == c0 &&
	   last_ev[1] == EV_SHARED_NORMAL && last_x1[1] == 0x20,
	   "raised 2000 runs on vCPU 1 only (%ld; vCPU 0 +%lu, vCPU 1 +%lu)", (long)r,
	   (unsigned long)(count[0] - c0), (unsigned long)(count[1] - c1));
	r = sdei_routing_set(EV_SHARED_NORMAL, SDEI_RM_PE, m0);
	ok(r == SDEI_DENIED, "ROUTING_SET while enabled = DENIED (%ld)", (long)r);
	sdei_disable(EV_SHARED_NORMAL);
	r = sdei_routing_set(EV_SHARED_NORMAL, SDEI_RM_PE, m0);
	sdei_enable(EV_SHARED_NORMAL);
	t = total;
	c0 = count[0];
	c1 = count[1];
	cmd(2, CMD_RAISE, EV_SHARED_NORMAL, 0);
	good = wait_total(t + 1, 2000000);
	udelay(10000);
	ok(r == SDEI_SUCCESS && good && count[0] == c0 + 1 && count[1] == c1,
	   "after ROUTING_SET(RM_PE, vCPU 0) it runs on vCPU 0 only (%ld; +%lu, +%lu)", (long)r,
	   (unsigned long)(count[0] - c0), (unsigned long)(count[1] - c1));

	/* ---- RM_PE to a masked PE waits for it ---- */
	sdei_disable(EV_SHARED_NORMAL);
	sdei_routing_set(EV_SHARED_NORMAL, SDEI_RM_PE, m1);
	sdei_enable(EV_SHARED_NORMAL);
	r = cmd(1, CMD_MASK, 0, 0);
	t = total;
	c1 = count[1];
	cmd(2, CMD_RAISE, EV_SHARED_NORMAL, 0);
	good = wait_total(t + 1, 50000);
	ok(r == 1 && !good, "RM_PE to masked vCPU 1: no handler anywhere, vCPU 0 unmasked (%lu runs)",
	   (unsigned long)(total - t));
	cmd(1, CMD_UNMASK, 0, 0);
	good = wait_total(t + 1, 2000000);
	ok(good && count[1] == c1 + 1, "vCPU 1's PE_UNMASK delivers it there");

	/* ---- RM_ANY ---- */
	sdei_disable(EV_SHARED_NORMAL);
	r = sdei_routing_set(EV_SHARED_NORMAL, SDEI_RM_ANY, 0);
	sdei_enable(EV_SHARED_NORMAL);
	ok(r == SDEI_SUCCESS && sdei_get_info(EV_SHARED_NORMAL, SDEI_INFO_ROUTING_MODE) == SDEI_RM_ANY,
	   "ROUTING_SET(RM_ANY) = SUCCESS (%ld)", (long)r);
	t = total;
	c0 = count[0];
	c1 = count[1];
	good = true;
	for (int i = 0; i < 6; i++) {
		cmd(2, CMD_RAISE, EV_SHARED_NORMAL, 0);
		good = good && wait_total(t + i + 1, 2000000);
	}
	udelay(10000);
	ok(good && total == t + 6 && count[2] == 0 && count[0] - c0 + count[1] - c1 == 6,
	   "6 raises of RM_ANY 2000: each runs once, on an unmasked PE (vCPU 0 %lu, vCPU 1 %lu, "
	   "vCPU 2 %lu)", (unsigned long)(count[0] - c0), (unsigned long)(count[1] - c1),
	   (unsigned long)count[2]);
	cmd(1, CMD_MASK, 0, 0);
	t = total;
	c0 = count[0];
	good = true;
	for (int i = 0; i < 3; i++) {
		cmd(2, CMD_RAISE, EV_SHARED_NORMAL, 0);
		good = good && wait_total(t + i + 1, 2000000);
	}
	udelay(10000);
	ok(good && count[0] == c0 + 3 && total == t + 3,
	   "with vCPU 1 masked, RM_ANY 2000 always runs on vCPU 0 (%lu of 3)",
	   (unsigned long)(count[0] - c0));

	cmd(1, CMD_EXIT, 0, 0);
	cmd(2, CMD_EXIT, 0, 0);
	r = sdei_unregister(EV_SHARED_NORMAL);
	ok(r == SDEI_SUCCESS, "UNREGISTER 2000 (%ld)", (long)r);
}
