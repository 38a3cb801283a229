// SPDX-License-Identifier: GPL-2.0
/*
 * psci-kvm.c's SYSTEM_SUSPEND against a fake vCPU layer, so that what
 * happens while the caller waits for the pause can be chosen exactly: the
 * interleavings the guest can only hit by chance are played here every time.
 *
 * The race (issue 9, defect 3): the main thread's reboot in place can run
 * while the suspending vCPU waits in vcpu_pause_all() (a waiter counts as
 * parked).  The reboot re-initialises every vCPU, so after the pause the
 * call's registers belong to the new boot; parking the vCPU SUSPENDED then
 * would leave the new kernel waiting for a wake-up at the old kernel's entry.
 */
#include <string.h>

#include "../../psci-kvm.c"
#include "tap.h"

#define NR	2
#define NREGS	8

static struct fake_vcpu {
	u64 id[NREGS], val[NREGS];
	u32 mp_state;
	bool powered;
} fake[NR];
static int pauses, resumes, fatals, events, power_calls;
/* What other threads do while the caller waits for its pause. */
static void (*during_pause)(struct vm *vm);

static struct fake_vcpu *f_of(struct vcpu *v)
{
	return &fake[v->id];
}

int vcpu_reg(struct vcpu *v, u64 id, void *val, bool write)
{
	struct fake_vcpu *f = f_of(v);
	int i;

	for (i = 0; i < NREGS && f->id[i] && f->id[i] != id; i++)
		;
	if (i == NREGS)
		return -1;
	f->id[i] = id;
	if (write)
		memcpy(&f->val[i], val, sizeof(u64));
	else
		memcpy(val, &f->val[i], sizeof(u64));
	return 0;
}

static u64 reg(int cpu, u64 id)
{
	u64 val = 0;
	struct vcpu v = { .id = cpu };

	vcpu_get_reg(&v, id, &val);
	return val;
}

int vcpu_get_mp_state(struct vcpu *v, u32 *state)
{
	*state = f_of(v)->mp_state;
	return 0;
}

int vcpu_set_mp_state(struct vcpu *v, u32 state)
{
	f_of(v)->mp_state = state;
	return 0;
}

void vcpu_pause_all(struct vm *vm, struct vcpu *self)
{
	(void)self;
	pauses++;
	if (during_pause)
		during_pause(vm);
	during_pause = NULL;
}

void vcpu_resume_all(struct vm *vm, struct vcpu *self)
{
	(void)vm;
	(void)self;
	resumes++;
}

int smccc_kvm_set_regs(struct vcpu *v, const u64 *regs, int n)
{
	for (int i = 0; i < n; i++)
		vcpu_set_reg(v, REG_X(i), regs[i]);
	return 0;
}

void sdei_kvm_set_power(struct vcpu *v, bool on)
{
	f_of(v)->powered = on;
	power_calls++;
}

int arch_vcpu_reset_to(struct vcpu *v, u64 entry, u64 context)
{
	vcpu_set_reg(v, REG_PC, entry);
	vcpu_set_reg(v, REG_X(0), context);
	f_of(v)->mp_state = MP_STATE_RUNNABLE;
	return 0;
}

void vcpu_fatal(struct vcpu *v, const char *fmt, ...)
{
	(void)v;
	(void)fmt;
	fatals++;
}

void vm_post_event(struct vm *vm, enum vm_event ev)
{
	(void)vm;
	(void)ev;
	events++;
}

/* The control socket's notes: counted by kind. */
static int notes[CTL_EV_NR];

void vm_note(struct vm *vm, enum ctl_event ev, int cpu, u32 arg)
{
	(void)vm;
	(void)cpu;
	(void)arg;
	notes[ev]++;
}

#define KERNEL_ENTRY	0x80200000ULL
#define DTB		0x88000000ULL
#define OLD_RESUME	0x80001000ULL

/* What the main thread's reboot in place does to the vCPUs, all paused. */
static void reboot_in_place(struct vm *vm)
{
	atomic_fetch_add(&vm->boot_gen, 1);
	psci_kvm_reset(vm);
	memset(fake, 0, sizeof(fake));
	for (int i = 0; i < NR; i++) {
		struct vcpu *v = vm->vcpus[i];

		vcpu_set_reg(v, REG_X(0), i ? 0 : DTB);
		vcpu_set_reg(v, REG_PC, i ? 0 : KERNEL_ENTRY);
		fake[i].mp_state = i ? MP_STATE_STOPPED : MP_STATE_RUNNABLE;
	}
}

/* vCPU 0 calls SYSTEM_SUSPEND(OLD_RESUME, 0x1234); vCPU 1 is in @other. */
static void suspend_call(struct vm *vm, u32 other)
{
	static struct kvm_run run;
	struct vcpu *v = vm->vcpus[0];

	memset(fake, 0, sizeof(fake));
	pauses = resumes = fatals = events = power_calls = 0;
	memset(notes, 0, sizeof(notes));
	atomic_store(&vm->nr_suspended, 0);
	vcpu_set_reg(v, REG_X(0), 0xc400000eULL);	/* SYSTEM_SUSPEND, SMC64 */
	vcpu_set_reg(v, REG_X(1), OLD_RESUME);
	vcpu_set_reg(v, REG_X(2), 0x1234);
	vcpu_set_reg(v, REG_SCTLR_EL1, 0);
	fake[0].mp_state = MP_STATE_RUNNABLE;
	fake[0].powered = true;
	fake[1].mp_state = other;
	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run.system_event.type = KVM_SYSTEM_EVENT_SUSPEND;
	v->run = &run;
	v->suspended = false;
	tap_ok(psci_kvm_system_event(v) && !fatals, "the vCPU thread goes on");
}

int main(void)
{
	static u8 ram[1 << 16];
	struct vm vm = { .nr_vcpus = NR };
	struct vcpu cpu0 = { .vm = &vm, .id = 0 }, cpu1 = { .vm = &vm, .id = 1 };
	struct vcpu *cpus[NR] = { &cpu0, &cpu1 };

	vm.vcpus = cpus;
	vm.mem = (struct guest_mem){ .start = 0x80000000, .size = sizeof(ram), .host = ram };
	tap_plan(15);

	/* The other vCPU off, nothing in between: vCPU 0 is parked SUSPENDED. */
	suspend_call(&vm, MP_STATE_STOPPED);
	tap_ok(fake[0].mp_state == MP_STATE_SUSPENDED && cpu0.suspended &&
		       cpu0.resume_entry == OLD_RESUME && cpu0.resume_context == 0x1234,
	       "others off: parked SUSPENDED with the resume point kept");
	tap_ok(!fake[0].powered && pauses == 1 && resumes == 1,
	       "SDEI told it is off; one pause, one resume");
	tap_ok(notes[CTL_EV_SUSPEND] == 1 && atomic_load(&vm.nr_suspended) == 1 &&
		       vm_state(&vm) == CTL_STATE_SUSPENDED,
	       "the control socket hears of it: one suspend note, state suspended");

	/* The other vCPU on: DENIED in x0, vCPU 0 keeps running. */
	suspend_call(&vm, MP_STATE_RUNNABLE);
	tap_ok(fake[0].mp_state == MP_STATE_RUNNABLE && !cpu0.suspended,
	       "another vCPU on: not parked");
	tap_ok((s64)reg(0, REG_X(0)) == PSCI_E_DENIED, "x0 = DENIED (%lld)",
	       (long long)(s64)reg(0, REG_X(0)));
	tap_ok(!notes[CTL_EV_SUSPEND] && vm_state(&vm) == CTL_STATE_RUNNING,
	       "refused: no suspend note, state running");

	/* A reboot in place while vCPU 0 waits for its pause. */
	during_pause = reboot_in_place;
	suspend_call(&vm, MP_STATE_STOPPED);
	tap_ok(fake[0].mp_state == MP_STATE_RUNNABLE && !cpu0.suspended,
	       "a reboot ran meanwhile: the new boot's vCPU 0 is not parked SUSPENDED");
	tap_ok(reg(0, REG_X(0)) == DTB && reg(0, REG_PC) == KERNEL_ENTRY,
	       "its registers are the new boot's (x0 = DTB, PC = kernel entry), untouched");
	tap_ok(pauses == 1 && resumes == 1 && !power_calls && !events,
	       "the pause is given back; SDEI and the main thread are not told anything");

	/* A wake-up then resumes at the entry point with the context id. */
	suspend_call(&vm, MP_STATE_STOPPED);
	cpu0.run->system_event.type = KVM_SYSTEM_EVENT_WAKEUP;
	tap_ok(psci_kvm_system_event(&cpu0) && reg(0, REG_PC) == OLD_RESUME &&
		       reg(0, REG_X(0)) == 0x1234 && !cpu0.suspended && fake[0].powered,
	       "WAKEUP: PC = entry, x0 = context id, SDEI told it is on");
	tap_ok(notes[CTL_EV_WAKEUP] == 1 && vm_state(&vm) == CTL_STATE_RUNNING,
	       "one wake-up note; state running again");
	return tap_done();
}
