// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm run`: the VM's lifecycle (set-up, reboot in place, exit) and the main
 * thread's event loop.  The top layer: the only one that decides to exit.
 */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkvm/arch.h"
#include "lkvm/boot.h"
#include "lkvm/builtin.h"
#include "lkvm/ctl-server.h"
#include "lkvm/daemon.h"
#include "lkvm/fs-virtiofsd.h"
#include "lkvm/net-passt.h"
#include "lkvm/net-tap.h"
#include "lkvm/layout.h"
#include "lkvm/pl031.h"
#include "lkvm/psci-kvm.h"
#include "lkvm/psci.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/sdei.h"
#include "lkvm/snapshot-kvm.h"
#include "lkvm/term.h"
#include "lkvm/testdev.h"
#include "lkvm/uart8250.h"
#include "lkvm/vcpu-loop.h"
#include "lkvm/vcpu.h"
#include "lkvm/virtio-kvm.h"
#include "lkvm/virtio.h"
#include "lkvm/vm.h"

static int add_device(struct vm *vm, struct device *dev)
{
	int r;

	if (!dev)
		return -1;
	r = device_bus_add(&vm->bus, dev);
	if (r < 0)
		pr_err("%s at 0x%llx overlaps another device", dev->name,
		       (unsigned long long)dev->base);
	return r;
}

/* A virtio device: on the bus, with a worker thread of its own. */
static int add_virtio(struct vm *vm, struct device *dev)
{
	if (add_device(vm, dev) < 0)
		return -1;
	return virtio_kvm_add(vm, dev);
}

static struct device *log_uart;

/*
 * Before a message of lkvm's, what the guest wrote to the UART goes out: a
 * "guest suspended" line must not land in the middle of the line the guest
 * printed just before suspending.  Bounded: once output has stalled (a
 * stdout nobody reads), messages stop waiting until it moves again.
 */
static void flush_guest_output(void)
{
	static _Atomic bool stalled;

	if (log_uart)
		stalled = uart8250_flush(log_uart, stalled ? 0 : 100) < 0;
}

/* Returns the device console input goes to. */
static struct device *add_devices(struct vm *vm)
{
	struct run_opts *o = vm->opts;
	struct device *uart, *console;

	uart = uart8250_create(LKVM_UART_BASE, (struct irq_pin){ vm_set_spi, vm, LKVM_SPI_UART0, false },
			       STDOUT_FILENO);
	if (add_device(vm, uart) < 0)
		return NULL;
	log_uart = uart;
	util_set_log_flush(flush_guest_output);
	if (add_device(vm, pl031_create(LKVM_RTC_BASE,
					(struct irq_pin){ vm_set_spi, vm, LKVM_SPI_RTC, false })) < 0)
		return NULL;
	console = uart;
	if (o->console == CONSOLE_VIRTIO) {
		console = virtio_console_create(&vm->mem, vm_alloc_virtio_window(vm),
						vm_alloc_irq(vm), STDOUT_FILENO);
		if (add_virtio(vm, console) < 0)
			return NULL;
	}
	for (int i = 0; i < o->nr_disks; i++)
		if (add_virtio(vm, virtio_blk_create(&vm->mem, vm_alloc_virtio_window(vm),
						     vm_alloc_irq(vm), o->disks[i].path,
						     o->disks[i].readonly)) < 0)
			return NULL;
	for (int i = 0; i < o->nr_nets; i++) {
		const struct net_opt *n = &o->nets[i];

		if (add_virtio(vm, n->mode == NET_TAP ? net_tap_create(vm, n, i)
						      : net_passt_create(vm, n, i)) < 0)
			return NULL;
	}
	for (int i = 0; i < o->nr_fss; i++)
		if (add_virtio(vm, fs_virtiofsd_create(vm, &o->fss[i], i)) < 0)
			return NULL;
	if (o->test_device && add_device(vm, testdev_create(vm)) < 0)
		return NULL;
	if (o->rng && add_virtio(vm, virtio_rng_create(&vm->mem, vm_alloc_virtio_window(vm),
						       vm_alloc_irq(vm))) < 0)
		return NULL;
	/* Last, so that the other devices keep their windows and SPIs. */
	if (!o->no_wake_device) {
		struct device *wake = virtio_input_create(&vm->mem, vm_alloc_virtio_window(vm),
							  vm_alloc_irq(vm));

		if (add_virtio(vm, wake) < 0)
			return NULL;
		vm->wake_dev = wake;
	}
	return console;
}

static void print_stats(struct vm *vm)
{
	struct vm_stats *s = &vm->stats;
	struct vcpu_totals t;

	vcpu_totals(vm, &t);
	fprintf(stderr,
		"lkvm: stats: exits %llu mmio %llu hypercall %llu system-events %llu ioctls %llu\n"
		"lkvm: stats: suspends %lu resumes %lu reboots %lu sdei-calls %lu "
		"sdei-deliveries %lu\n"
		"lkvm: stats: startup-us %llu\n",
		(unsigned long long)t.exits, (unsigned long long)t.mmio_exits,
		(unsigned long long)t.hypercall_exits, (unsigned long long)t.system_events,
		(unsigned long long)t.ioctls,
		s->suspends, s->resumes, s->reboots, s->sdei_calls, s->sdei_deliveries,
		(unsigned long long)vm_startup_us(vm));
	for (u32 i = 0; i < ARRAY_SIZE(s->sdei_fn); i++)
		if (s->sdei_fn[i])
			fprintf(stderr, "lkvm: stats: sdei %s %lu\n",
				sdei_fn_name(SDEI_FN_RANGE_BASE + i), s->sdei_fn[i]);
}

/*
 * Reboot in place (main thread): every vCPU re-initialised with the same
 * features and never finalised again (the SVE set survives), the vGIC, the
 * devices and the handlers back to power-on, fresh RAM, the payload reloaded.
 */
static int reboot(struct vm *vm, struct boot_payload *boot)
{
	int expected = VM_EV_RESET, r = 0;
	/* Paused from the control socket: the vCPUs are held already, and stay so. */
	bool held = atomic_load(&vm->paused);

	if (!held)
		vcpu_pause_all(vm, NULL);
	/* A vCPU whose thread ended (a fatal error, said already) cannot boot again. */
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vcpu_thread_done(vm->vcpus[i])) {
			pr_err("cannot reboot: vCPU %d has stopped", i);
			if (!held)
				vcpu_resume_all(vm, NULL);
			return -1;
		}
	for (int i = 0; i < vm->nr_vcpus && !r; i++)
		r = arch_vcpu_init(vm->vcpus[i], i != 0);
	if (!r)
		r = arch_gic_restore(vm);
	if (!r) {
		device_bus_reset(&vm->bus);
		psci_kvm_reset(vm);
		sdei_kvm_reset(vm);
		r = vm_clear_ram(vm);
	}
	if (!r)
		r = boot_load(vm, boot);
	/* What loading the boot files freed (zlib's window, say) goes back. */
	malloc_trim(0);
	atomic_fetch_add(&vm->boot_gen, 1);
	/* Ready for the next event, unless a fatal one came meanwhile. */
	atomic_compare_exchange_strong(&vm->event, &expected, VM_EV_NONE);
	atomic_fetch_add(&vm->stats.reboots, 1);
	if (!held)
		vcpu_resume_all(vm, NULL);
	return r;
}

/* What the main loop does about the event a vCPU posted; -1: go on. */
static int vm_event(struct vm *vm, struct boot_payload *boot)
{
	switch (atomic_load(&vm->event)) {
	case VM_EV_POWEROFF:
		pr_info("guest powered off");
		atomic_store(&vm->lifecycle, VM_LIFE_SHUTTING_DOWN);
		vm_note(vm, CTL_EV_POWEROFF, -1, 0);
		return LKVM_EXIT_POWEROFF;
	case VM_EV_HIBERNATE:
		fprintf(stderr, "lkvm: guest hibernated (PSCI SYSTEM_OFF2); run it again "
				"with the same disks to resume it\n");
		atomic_store(&vm->lifecycle, VM_LIFE_SHUTTING_DOWN);
		vm_note(vm, CTL_EV_HIBERNATE, -1, 0);
		return LKVM_EXIT_HIBERNATED;
	case VM_EV_RESET: {
		char type[48] = "SYSTEM_RESET", how[32];

		if (vm->reset_type != ~0ULL) {
			psci_reset2_type_str(vm->reset_type, how, sizeof(how));
			snprintf(type, sizeof(type), "SYSTEM_RESET2 %s", how);
		}
		if (vm->opts->no_reboot) {
			pr_info("guest reset (%s); --no-reboot: exiting", type);
			atomic_store(&vm->lifecycle, VM_LIFE_SHUTTING_DOWN);
			vm_note(vm, CTL_EV_RESET, -1, 0);
			return LKVM_EXIT_RESET;
		}
		pr_info("guest reset (%s): rebooting in place", type);
		atomic_store(&vm->lifecycle, VM_LIFE_REBOOTING);
		vm_note(vm, CTL_EV_RESET, -1, 0);
		if (reboot(vm, boot) < 0)
			return LKVM_EXIT_FATAL;
		atomic_store(&vm->lifecycle, VM_LIFE_RUNNING);
		vm_note(vm, CTL_EV_REBOOTED, -1, 0);
		return -1;
	}
	case VM_EV_FATAL:
		return LKVM_EXIT_FATAL;
	default:
		return -1;
	}
}

/*
 * `lkvm snapshot`: the guest held as by `lkvm pause` (its counter kept), the
 * snapshot written, and the guest let go again, or with --stop not: true
 * when lkvm is to exit now, as after `lkvm stop`.
 */
static bool take_snapshot(struct vm *vm, struct boot_payload *boot, struct ctl_server *ctl)
{
	struct ctl_snapshot_result res = { 0 };
	bool stop, held = atomic_load(&vm->paused);
	const char *dir = ctl_server_snapshot_request(ctl, &stop);
	char why[600];
	u64 counter = 0;
	int r;

	if (!held)
		ctl_server_pause(ctl);
	if (!ctl_server_counter(ctl, &counter) &&
	    vcpu_get_reg(vm->vcpus[0], REG_TIMER_CNT, &counter) < 0) {
		snprintf(why, sizeof(why), "reading the guest's counter: %s", strerror(errno));
		r = -1;
	} else {
		r = snapshot_kvm_save(vm, boot, dir, counter, &res, why, sizeof(why));
	}
	if (r < 0)
		pr_warn("snapshot '%s' refused: %s", dir, why);
	else
		pr_info("snapshot written to '%s' in %llu ms (RAM data %llu MiB)", dir,
			(unsigned long long)res.ms, (unsigned long long)(res.ram_bytes >> 20));
	ctl_server_snapshot_done(ctl, r < 0 ? why : NULL, &res);
	if (!r && stop) {
		atomic_store(&vm->paused, true);	/* the exit path ends the hold */
		return true;
	}
	if (!held)
		ctl_server_resume(ctl);
	return false;
}

/*
 * The main thread: console input, signals, what the vCPUs ask for, and the
 * control socket.
 */
static int main_loop(struct vm *vm, struct boot_payload *boot, struct term *term,
		     int sig_fd, struct ctl_server *ctl)
{
	for (;;) {
		struct pollfd pfd[3 + CTL_POLL_FDS] = {
			{ .fd = vm->event_fd, .events = POLLIN },
			{ .fd = sig_fd, .events = POLLIN },
			{ .fd = term->eof ? -1 : term->fd, .events = POLLIN },
		};
		int nctl = ctl_server_poll_fds(ctl, pfd + 3);
		/* With SDEI on, wake up now and then to watch for vCPUs KVM switched off. */
		int timeout = ctl_server_timeout(ctl), r;
		u64 cnt;
		int n;

		if (vm->sdei && (timeout < 0 || timeout > SDEI_POWER_WATCH_MS))
			timeout = SDEI_POWER_WATCH_MS;
		n = poll(pfd, (nfds_t)(3 + nctl), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll: %s", strerror(errno));
			return LKVM_EXIT_FATAL;
		}
		if (n == 0)
			sdei_kvm_watch_power(vm);
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				pr_info("stopping on signal %u", si.ssi_signo);
				return LKVM_EXIT_SIGNAL;
			}
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR) && !term_input(term)) {
			pr_info("stopping on Ctrl-A x");
			return LKVM_EXIT_SIGNAL;
		}
		if ((pfd[0].revents & POLLIN) && read(vm->event_fd, &cnt, sizeof(cnt)) > 0) {
			r = vm_event(vm, boot);
			if (r >= 0)
				return r;
		}
		switch (ctl_server_serve(ctl, pfd + 3, nctl)) {
		case CTL_ACT_STOP:
			pr_info("stopping: lkvm stop");
			return LKVM_EXIT_STOPPED;
		case CTL_ACT_SNAPSHOT:
			if (take_snapshot(vm, boot, ctl)) {
				pr_info("stopping: lkvm snapshot --stop");
				return LKVM_EXIT_STOPPED;
			}
			break;
		default:
			break;
		}
	}
}

/* --vcpu-affinity names only CPUs this process may run on. */
static int check_affinity(const struct run_opts *o)
{
	cpu_set_t allowed;

	if (!o->has_vcpu_affinity || sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &o->vcpu_affinity) && !CPU_ISSET(c, &allowed)) {
			pr_err("--vcpu-affinity: CPU %d is not one lkvm may run on here "
			       "(see taskset -p %d)", c, (int)getpid());
			return -1;
		}
	return 0;
}

/* virtiofsd would fail later, with its own words: say it here, before anything starts. */
static int check_shared_dir(const struct fs_opt *f)
{
	struct stat st;

	if (stat(f->dir, &st) < 0) {
		pr_err("--fs '%s': %s", f->dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		pr_err("--fs '%s': not a directory", f->dir);
		return -1;
	}
	return 0;
}

/* The snapshot's configuration, checked, before anything starts; -1 said. */
static struct run_opts *open_snapshot(struct run_opts *cmdline, struct snapshot_file *snap)
{
	char why[600];

	if (snapshot_kvm_open(cmdline->restore, cmdline, snap, why, sizeof(why)) < 0) {
		pr_err("--restore '%s': %s", cmdline->restore, why);
		return NULL;
	}
	return &snap->opts;
}

/* Everything the snapshot holds into the new VM, checked as it goes: nothing has run yet. */
static int restore(struct vm *vm, struct snapshot_file *snap, struct boot_payload *boot)
{
	char why[600];

	if (snapshot_kvm_restore(vm, snap, boot, why, sizeof(why)) < 0) {
		pr_err("--restore '%s': %s", snap->opts.restore, why);
		return -1;
	}
	return 0;
}

int builtin_run(int argc, char **argv)
{
	static struct run_opts cmdline;
	static struct snapshot_file snap;
	static struct boot_payload boot;
	static struct vm vm;
	struct run_opts *o = &cmdline;
	struct device *console;
	struct ctl_server *ctl;
	struct term term;
	char *name;
	u64 start_ns = util_now_ns();
	sigset_t sigs;
	int r, sig_fd;

	r = options_parse(argc, argv, o);
	if (r)
		return r > 0 ? 0 : LKVM_EXIT_USAGE;
	log_level = o->log_level;
	/* A name in use is refused before anything else, the running guest untouched. */
	name = o->name ? xstrdup(o->name) : xasprintf("guest-%d", (int)getpid());
	ctl = ctl_server_open(name);
	free(name);
	if (!ctl)
		return LKVM_EXIT_FATAL;
	if (o->restore && !(o = open_snapshot(o, &snap)))
		return LKVM_EXIT_FATAL;

	/* Everything a user can get wrong is checked before touching KVM. */
	if (check_affinity(o) < 0)
		return LKVM_EXIT_USAGE;
	for (int i = 0; i < o->nr_disks; i++)
		if (access(o->disks[i].path, o->disks[i].readonly ? R_OK : R_OK | W_OK)) {
			pr_err("disk '%s': %s", o->disks[i].path, strerror(errno));
			return LKVM_EXIT_FATAL;
		}
	for (int i = 0; i < o->nr_fss; i++)
		if (check_shared_dir(&o->fss[i]) < 0)
			return LKVM_EXIT_FATAL;
	if (!o->restore && boot_prepare(o, &boot) < 0)
		return LKVM_EXIT_FATAL;
	/* The private socket directory of passt and virtiofsd goes whatever way lkvm ends. */
	atexit(daemon_cleanup);

	/* Signals are taken by the main loop; every thread inherits the block. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sigdelset(&sigs, SIGUSR1);
	sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);

	if (vm_create(&vm, o, o->restore ? snap.ram_fd : -1, snap.ram_copy) < 0 ||
	    arch_vm_setup(&vm) < 0)
		return LKVM_EXIT_FATAL;
	/* A restore gives the vCPUs the snapshot's vector lengths, under this host's cap. */
	if (o->restore && (snap.vls[0] | snap.vls[1] | snap.vls[2] | snap.vls[3] | snap.vls[4] |
			   snap.vls[5] | snap.vls[6] | snap.vls[7])) {
		vm.restore_vls = snap.vls;
		vm.restore_vl_cap = cmdline.sve_max_vl;
	}
	vm.stats.start_ns = start_ns;	/* vm_create() zeroed the stats */
	ctl_server_attach(ctl, &vm);
	console = add_devices(&vm);
	if (!console || vcpu_create_all(&vm) < 0 || arch_vcpu_init_all(&vm) < 0 ||
	    arch_vm_late_init(&vm) < 0 || sdei_kvm_setup(&vm) < 0)
		return LKVM_EXIT_FATAL;
	if (o->restore ? restore(&vm, &snap, &boot) < 0 :
			 boot_build_dtb(&vm, &boot) < 0 || boot_load(&vm, &boot) < 0)
		return LKVM_EXIT_FATAL;
	if (virtio_kvm_start_all(&vm) < 0)
		return LKVM_EXIT_FATAL;
	/*
	 * Set-up is done: what it freed goes back to the host (glibc keeps up
	 * to 128 KiB of free heap otherwise), for the resident memory to be
	 * lkvm's working set only.
	 */
	malloc_trim(0);

	if (o->restore) {
		snapshot_kvm_close(&snap);
		/* The guest goes on from its snapshot's counter; held, it goes on at lkvm resume. */
		if (snapshot_kvm_start_clock(&vm, &snap) < 0)
			return LKVM_EXIT_FATAL;
		if (o->paused)
			ctl_server_pause(ctl);
	}
	pr_info("%s %s: %d vCPU%s, %llu MiB%s%s", o->restore ? "restoring" : "booting",
		o->name ? o->name : o->restore ? o->restore : o->kernel,
		vm.nr_vcpus, vm.nr_vcpus > 1 ? "s" : "", (unsigned long long)(o->mem_size >> 20),
		o->restore && snap.ram_copy ? " (RAM read in: MTE, not on tmpfs)" : "",
		vm.has_system_suspend ? ", SYSTEM_SUSPEND" : "");
	term_init(&term, STDIN_FILENO,
		  o->console == CONSOLE_VIRTIO ? virtio_console_receive : uart8250_receive,
		  console);
	if (vcpu_loop_start(&vm) < 0) {
		term_restore(&term);
		return LKVM_EXIT_FATAL;
	}
	r = main_loop(&vm, &boot, &term, sig_fd, ctl);
	term_restore(&term);
	if (atomic_exchange(&vm.lifecycle, VM_LIFE_SHUTTING_DOWN) != VM_LIFE_SHUTTING_DOWN)
		vm_note(&vm, r == LKVM_EXIT_FATAL ? CTL_EV_FATAL : CTL_EV_STOP, -1, 0);
	/*
	 * The vCPUs first (none waits on host I/O for more than one piece of
	 * it), then the virtio workers (I/O in flight is abandoned at its next
	 * piece), then the devices flush, close and free what they hold.
	 */
	vcpu_stop_all(&vm, atomic_exchange(&vm.paused, false));
	virtio_kvm_stop_all(&vm);
	util_set_log_flush(NULL);	/* the UART goes with the devices */
	log_uart = NULL;
	device_bus_exit(&vm.bus);
	/* Listeners see the end once the disks are flushed and closed. */
	ctl_server_close(ctl);
	if (o->stats)
		print_stats(&vm);
	return r;
}
