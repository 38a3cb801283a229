// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU core: vCPU fds and threads, requests, the one pause-all
 * mechanism, and register and MP_STATE access.  It knows nothing of exit
 * reasons: the loop each thread runs is handed down by vcpu-loop.c.
 *
 * Getting a vCPU out of KVM_RUN: set a request bit, set run->immediate_exit,
 * then send SIG_KICK, whose handler does nothing.  Whatever instant the signal
 * lands, the vCPU either sees the request before entering KVM_RUN, or KVM sees
 * immediate_exit at entry, or the signal interrupts the run: no lost wake-up,
 * and nothing but a no-op runs in signal context.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lkvm/kvm-compat.h"
#include "lkvm/vcpu.h"

#define SIG_KICK SIGUSR1

int vcpu_reg(struct vcpu *v, u64 id, void *val, bool write)
{
	struct kvm_one_reg reg = { .id = id, .addr = (u64)(uintptr_t)val };

	return vm_ioctl(v->vm, v->fd, write ? KVM_SET_ONE_REG : KVM_GET_ONE_REG, &reg);
}

int vcpu_get_mp_state(struct vcpu *v, u32 *state)
{
	struct kvm_mp_state mp;
	int r = vm_ioctl(v->vm, v->fd, KVM_GET_MP_STATE, &mp);

	if (!r)
		*state = mp.mp_state;
	return r;
}

int vcpu_set_mp_state(struct vcpu *v, u32 state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	return vm_ioctl(v->vm, v->fd, KVM_SET_MP_STATE, &mp);
}

static void kick_handler(int sig)
{
	(void)sig;
}

void vcpu_request(struct vcpu *v, unsigned int req)
{
	atomic_fetch_or(&v->requests, req);
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	/* Any thread may ask, at any time: never signal a thread that has ended. */
	pthread_mutex_lock(&v->kick_lock);
	if (v->thread_running)
		pthread_kill(v->thread, SIG_KICK);
	pthread_mutex_unlock(&v->kick_lock);
}

void vcpu_cancel_request(struct vcpu *v, unsigned int req)
{
	atomic_fetch_and(&v->requests, ~req);
}

static bool parked(struct vcpu *v)
{
	return !v->thread_started || v->thread_done || v->paused;
}

void vcpu_pause_all(struct vm *vm, struct vcpu *self)
{
	pthread_mutex_lock(&vm->pause_lock);
	/* Another pauser is active: we are outside KVM_RUN, so count as parked. */
	while (vm->pause_active) {
		if (self)
			self->paused = true;
		pthread_cond_broadcast(&vm->pause_cond);
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
		if (self)
			self->paused = false;
	}
	vm->pause_active = true;
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i] != self)
			vcpu_request(vm->vcpus[i], VCPU_REQ_PAUSE);
	for (;;) {
		bool all = true;

		for (int i = 0; i < vm->nr_vcpus; i++)
			if (vm->vcpus[i] != self && !parked(vm->vcpus[i]))
				all = false;
		if (all)
			break;
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	}
	pthread_mutex_unlock(&vm->pause_lock);
}

void vcpu_resume_all(struct vm *vm, struct vcpu *self)
{
	pthread_mutex_lock(&vm->pause_lock);
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i] != self)
			vcpu_cancel_request(vm->vcpus[i], VCPU_REQ_PAUSE);
	vm->pause_active = false;
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

/*
 * KVM finishes an MMIO access (a read's destination register, and for reads
 * and writes alike the step of the PC past the instruction) on the next
 * KVM_RUN.  Before anyone else looks at or changes this vCPU's
 * registers, let KVM do that without running the guest.
 */
static void complete_pending_exit(struct vcpu *v)
{
	if (!v->exit_pending)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (vm_ioctl(v->vm, v->fd, KVM_RUN, 0) < 0 && errno != EINTR)
		pr_warn("vCPU %d: completing an exit: %s", v->id, strerror(errno));
	v->exit_pending = false;
}

unsigned int vcpu_safe_point_slow(struct vcpu *v)
{
	struct vm *vm = v->vm;
	unsigned int req = atomic_load(&v->requests), left;

	if (!req)
		return 0;
	complete_pending_exit(v);
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	if ((req & VCPU_REQ_PAUSE) && atomic_exchange(&v->test_fail_on_pause, false)) {
		vcpu_fatal(v, "failing at this pause, as the test device asked");
		return VCPU_REQ_STOP;
	}
	if (req & VCPU_REQ_PAUSE) {
		pthread_mutex_lock(&vm->pause_lock);
		/* A stop ends a pause too: lkvm may exit while the control socket holds one. */
		while ((atomic_load(&v->requests) & (VCPU_REQ_PAUSE | VCPU_REQ_STOP)) ==
		       VCPU_REQ_PAUSE) {
			v->paused = true;
			pthread_cond_broadcast(&vm->pause_cond);
			pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
		}
		v->paused = false;
		pthread_mutex_unlock(&vm->pause_lock);
	}
	if (atomic_load(&v->requests) & VCPU_REQ_STOP)
		return VCPU_REQ_STOP;
	left = atomic_fetch_and(&v->requests, ~(unsigned int)(VCPU_REQ_SDEI | VCPU_REQ_WAKE)) &
	       (VCPU_REQ_SDEI | VCPU_REQ_WAKE);
	/* A request posted while we handled these makes the next KVM_RUN return at once. */
	if (atomic_load(&v->requests))
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	return left;
}

int vcpu_run(struct vcpu *v)
{
	if (vm_ioctl(v->vm, v->fd, KVM_RUN, 0) == 0) {
		/* Reads and writes alike: KVM steps the PC past an MMIO access on re-entry. */
		v->exit_pending = v->run->exit_reason == KVM_EXIT_MMIO;
		return 1;
	}
	if (errno != EINTR && errno != EAGAIN)
		return -1;
	if (v->run->immediate_exit)
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	v->exit_pending = false;
	return 0;
}

void vcpu_totals(struct vm *vm, struct vcpu_totals *t)
{
	*t = (struct vcpu_totals){ .ioctls = atomic_load(&vm->stats.ioctls) };
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu_counters *c = &vm->vcpus[i]->count;

		t->exits += atomic_load_explicit(&c->exits, memory_order_relaxed);
		t->mmio_exits += atomic_load_explicit(&c->mmio_exits, memory_order_relaxed);
		t->hypercall_exits += atomic_load_explicit(&c->hypercall_exits,
							   memory_order_relaxed);
		t->system_events += atomic_load_explicit(&c->system_events, memory_order_relaxed);
		t->ioctls += atomic_load_explicit(&c->ioctls, memory_order_relaxed);
	}
}

bool vcpu_thread_done(struct vcpu *v)
{
	bool done;

	pthread_mutex_lock(&v->vm->pause_lock);
	done = v->thread_done;
	pthread_mutex_unlock(&v->vm->pause_lock);
	return done;
}

void vcpu_fatal(struct vcpu *v, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("vCPU %d: %s", v->id, msg);
	vm_post_event(v->vm, VM_EV_FATAL);
}

/* --vcpu-affinity, before the first KVM_RUN: no guest instruction runs elsewhere. */
static int set_affinity(struct vcpu *v)
{
	int r;

	if (!v->vm->opts->has_vcpu_affinity)
		return 0;
	r = pthread_setaffinity_np(pthread_self(), sizeof(cpu_set_t), &v->vm->opts->vcpu_affinity);
	if (r)
		vcpu_fatal(v, "--vcpu-affinity: %s", strerror(r));
	return r;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	u64 none = 0;
	sigset_t set;

	/* The first thread to get here is about to issue the VM's first KVM_RUN. */
	atomic_compare_exchange_strong(&v->vm->stats.first_run_ns, &none, util_now_ns());
	vm_ioctl_count_here(&v->count.ioctls);

	/* Only the kick reaches vCPU threads; the main thread takes the rest. */
	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	if (set_affinity(v) == 0)
		v->loop(v);

	pthread_mutex_lock(&v->kick_lock);
	v->thread_running = false;
	pthread_mutex_unlock(&v->kick_lock);
	pthread_mutex_lock(&v->vm->pause_lock);
	v->thread_done = true;
	pthread_cond_broadcast(&v->vm->pause_cond);
	pthread_mutex_unlock(&v->vm->pause_lock);
	return NULL;
}

int vcpu_create_all(struct vm *vm)
{
	vm->nr_vcpus = vm->opts->nr_cpus;
	vm->vcpus = xzalloc(sizeof(*vm->vcpus) * (size_t)vm->nr_vcpus);
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = xzalloc(sizeof(*v));

		v->vm = vm;
		v->id = i;
		pthread_mutex_init(&v->kick_lock, NULL);
		v->fd = vm_ioctl(vm, vm->vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0) {
			pr_err("KVM_CREATE_VCPU %d: %s", i, strerror(errno));
			return -1;
		}
		v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			pr_err("mmap of vCPU %d's kvm_run: %s", i, strerror(errno));
			return -1;
		}
		vm->vcpus[i] = v;
	}
	return 0;
}

int vcpu_start_all(struct vm *vm, void (*loop)(struct vcpu *v))
{
	struct sigaction sa = { .sa_handler = kick_handler };

	/* No SA_RESTART: the kick must interrupt KVM_RUN. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIG_KICK, &sa, NULL);
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		char name[16];
		int r;

		v->loop = loop;
		pthread_mutex_lock(&vm->pause_lock);
		pthread_mutex_lock(&v->kick_lock);
		snprintf(name, sizeof(name), "lkvm-vcpu%d", i);
		r = util_thread_start(&v->thread, vcpu_thread, v, name);
		v->thread_started = v->thread_running = r == 0;
		pthread_mutex_unlock(&v->kick_lock);
		pthread_mutex_unlock(&vm->pause_lock);
		if (r) {
			pr_err("cannot start vCPU %d's thread: %s", i, strerror(r));
			return -1;
		}
	}
	return 0;
}

void vcpu_stop_all(struct vm *vm, bool held)
{
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->thread_started)
			vcpu_request(vm->vcpus[i], VCPU_REQ_STOP);
	/*
	 * A parked vCPU leaves on the stop by itself, but one waiting inside
	 * vcpu_pause_all() (a SYSTEM_SUSPEND deciding) waits for the pause
	 * to end: the caller's own pause ends now, after the stop was asked.
	 */
	if (held)
		vcpu_resume_all(vm, NULL);
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->thread_started)
			pthread_join(vm->vcpus[i]->thread, NULL);
}
