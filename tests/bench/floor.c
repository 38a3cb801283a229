// SPDX-License-Identifier: GPL-2.0
/*
 * The floor VMM of `make bench`: the least any VMM does to run a bench
 * payload, so that lkvm's figures can be read against it.  One VM with a
 * vGICv3, one vCPU, 64 MiB of RAM, the payload at RAM + 0x80000 and a device
 * tree that carries its command line; then KVM_RUN until the guest powers
 * off.  An MMIO exit is answered on the spot (the UART's LSR reads "empty",
 * THR goes to stdout, everything else reads zero); with --filter, SDEI calls
 * are forwarded to it as lkvm has them forwarded, and answered NOT_SUPPORTED
 * with one register write.  Nothing else: no threads, no devices, no checks
 * beyond what keeps it from misbehaving.
 *
 * Two options give it the least a VMM must do for lkvm's two firmware round
 * trips, so that those have a floor too:
 *   --sdei     (implies --filter) one software event: VERSION says 1.0,
 *              REGISTER, ENABLE and PE_(UN)MASK succeed; EVENT_SIGNAL to self enters the handler at
 *              once (x0-x17, PC and PSTATE saved, the four handler arguments
 *              set); EVENT_COMPLETE puts the saved registers back.
 *   --suspend  PSCI SYSTEM_SUSPEND in userspace: the vCPU is parked
 *              (MP_STATE SUSPENDED) and, at the wake-up exit, re-initialised
 *              at the entry point with the context id in x0.
 * And one to have what any VMM with a thread of its own per vCPU (or any
 * other thread) has: --vcpu-thread runs KVM_RUN on a second thread while the
 * first waits.  The host kernel charges every exit of a process with more
 * than one thread more: make bench shows the floor both ways.  Its vCPU has the features lkvm
 * gives by default (SVE, pointer authentication, when the host has them), so
 * the kernel's side of an exit costs both alike and the difference is the
 * VMMs' own.
 *
 *   floor PAYLOAD "BOOTARGS" [--filter] [--sdei] [--suspend] [--vcpu-thread]
 *
 * A bench tool, not part of lkvm: built by the Makefile's bench rule only.
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* UAPI values older headers may lack: lkvm's own list. */
#include "lkvm/kvm-compat.h"

#define RAM_BASE	0x80000000ULL
#define RAM_SIZE	(64ULL << 20)
#define LOAD_OFFSET	0x80000ULL
#define DTB_OFFSET	(RAM_SIZE - (2ULL << 20))
#define GICD_BASE	0x3fff0000ULL
#define GICR_BASE	(GICD_BASE - 0x20000ULL)
#define UART_BASE	0x01000000ULL
#define REG_X(n)	(0x6030000000100000ULL + 2 * (n))
#define REG_PC		(0x6030000000100000ULL + 2 * 32)
#define REG_PSTATE	(0x6030000000100000ULL + 2 * 33)
#define SDEI_FN(n)	(0xc4000020u + (n))

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_reg(int fd, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&v };

	if (ioctl(fd, KVM_SET_ONE_REG, &r) < 0)
		die("KVM_SET_ONE_REG");
}

static uint64_t get_reg(int fd, uint64_t id)
{
	uint64_t v;
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&v };

	if (ioctl(fd, KVM_GET_ONE_REG, &r) < 0)
		die("KVM_GET_ONE_REG");
	return v;
}

/* What the run loop needs, wherever it runs. */
static struct kvm_vcpu_init init;
static struct kvm_run *run;
static int vcpu, sdei;

/* The one event of --sdei: its handler, and the context it interrupted. */
static struct {
	uint64_t ep, arg, x[18], pc, pstate;
	int running;
} ev;

static void sdei_call(uint32_t fn)
{
	uint64_t ret = (uint64_t)-1;	/* NOT_SUPPORTED */
	int i;

	switch (fn) {
	case SDEI_FN(0):	/* VERSION: 1.0 */
		ret = 1ULL << 48;
		break;
	case SDEI_FN(1):	/* EVENT_REGISTER(event, ep, arg, flags, affinity) */
		ev.ep = get_reg(vcpu, REG_X(2));
		ev.arg = get_reg(vcpu, REG_X(3));
		ret = 0;
		break;
	case SDEI_FN(2):	/* EVENT_ENABLE */
	case SDEI_FN(0xb):	/* PE_MASK */
	case SDEI_FN(0xc):	/* PE_UNMASK */
		ret = 0;
		break;
	case SDEI_FN(0xf):	/* EVENT_SIGNAL: the caller sees 0, then the handler runs */
		if (!ev.ep || ev.running)
			break;
		ev.x[0] = 0;
		for (i = 1; i < 18; i++)
			ev.x[i] = get_reg(vcpu, REG_X(i));
		ev.pc = get_reg(vcpu, REG_PC);
		ev.pstate = get_reg(vcpu, REG_PSTATE);
		ev.running = 1;
		set_reg(vcpu, REG_X(0), 0);
		set_reg(vcpu, REG_X(1), ev.arg);
		set_reg(vcpu, REG_X(2), ev.pc);
		set_reg(vcpu, REG_X(3), ev.pstate);
		set_reg(vcpu, REG_PC, ev.ep);
		set_reg(vcpu, REG_PSTATE, 0x3c5);	/* EL1h, DAIF masked */
		return;
	case SDEI_FN(5):	/* EVENT_COMPLETE */
		if (!ev.running)
			break;
		ev.running = 0;
		for (i = 0; i < 18; i++)
			set_reg(vcpu, REG_X(i), ev.x[i]);
		set_reg(vcpu, REG_PC, ev.pc);
		set_reg(vcpu, REG_PSTATE, ev.pstate);
		return;
	}
	set_reg(vcpu, REG_X(0), ret);
}

static void attr(int fd, uint32_t group, uint64_t a, void *val)
{
	struct kvm_device_attr da = { .group = group, .attr = a, .addr = (uint64_t)(uintptr_t)val };

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &da) < 0)
		die("KVM_SET_DEVICE_ATTR");
}

static void make_dtb(void *buf, const char *bootargs)
{
	uint64_t mem[2] = { cpu_to_fdt64(RAM_BASE), cpu_to_fdt64(RAM_SIZE) };

	if (fdt_create(buf, 0x10000) || fdt_finish_reservemap(buf) || fdt_begin_node(buf, "") ||
	    fdt_property_u32(buf, "#address-cells", 2) || fdt_property_u32(buf, "#size-cells", 2) ||
	    fdt_begin_node(buf, "chosen") || fdt_property_string(buf, "bootargs", bootargs) ||
	    fdt_end_node(buf) || fdt_begin_node(buf, "memory") ||
	    fdt_property_string(buf, "device_type", "memory") ||
	    fdt_property(buf, "reg", mem, sizeof(mem)) || fdt_end_node(buf) ||
	    fdt_begin_node(buf, "cpus") || fdt_property_u32(buf, "#address-cells", 1) ||
	    fdt_property_u32(buf, "#size-cells", 0) || fdt_begin_node(buf, "cpu@0") ||
	    fdt_property_string(buf, "device_type", "cpu") || fdt_property_u32(buf, "reg", 0) ||
	    fdt_end_node(buf) || fdt_end_node(buf) || fdt_end_node(buf) || fdt_finish(buf)) {
		fprintf(stderr, "floor: cannot build the device tree\n");
		exit(1);
	}
}

/* KVM_RUN until the guest powers off; exits with the floor's status. */
static void *run_loop(void *unused)
{
	uint64_t entry = 0, context = 0;

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (run->mmio.is_write) {
				if (run->mmio.phys_addr == UART_BASE &&
				    write(1, run->mmio.data, 1) < 0)
					die("stdout");
			} else {
				memset(run->mmio.data, 0, sizeof(run->mmio.data));
				if (run->mmio.phys_addr == UART_BASE + 5)
					run->mmio.data[0] = 0x60;	/* THR empty */
			}
			break;
		case KVM_EXIT_HYPERCALL:
			if (sdei)
				sdei_call((uint32_t)run->hypercall.nr);
			else
				set_reg(vcpu, REG_X(0), (uint64_t)-1);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			if (run->system_event.type == KVM_SYSTEM_EVENT_SUSPEND) {
				struct kvm_mp_state mp = { KVM_MP_STATE_SUSPENDED };

				entry = get_reg(vcpu, REG_X(1));
				context = get_reg(vcpu, REG_X(2));
				if (ioctl(vcpu, KVM_SET_MP_STATE, &mp) < 0)
					die("KVM_SET_MP_STATE");
				break;
			}
			if (run->system_event.type == KVM_SYSTEM_EVENT_WAKEUP) {
				/* The architectural reset state, then the PSCI entry. */
				if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
					die("KVM_ARM_VCPU_INIT");
				set_reg(vcpu, REG_PC, entry);
				set_reg(vcpu, REG_X(0), context);
				break;
			}
			exit(run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? 0 : 2);
		default:
			fprintf(stderr, "floor: exit reason %u\n", run->exit_reason);
			exit(1);
		}
	}
}

int main(int argc, char **argv)
{
	struct kvm_create_device gic = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvm_userspace_memory_region region;
	uint64_t dist = GICD_BASE, redist = GICR_BASE;
	int filter = 0, suspend = 0, vcpu_thread = 0;
	int kvm, vm, fd, mmap_size;
	pthread_t t;
	uint8_t *ram;
	ssize_t n;

	if (argc < 3) {
		fprintf(stderr, "usage: floor PAYLOAD BOOTARGS [--filter] [--sdei] [--suspend]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		filter |= !strcmp(argv[i], "--filter") || !strcmp(argv[i], "--sdei");
		sdei |= !strcmp(argv[i], "--sdei");
		suspend |= !strcmp(argv[i], "--suspend");
		vcpu_thread |= !strcmp(argv[i], "--vcpu-thread");
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	region = (struct kvm_userspace_memory_region){
		.guest_phys_addr = RAM_BASE, .memory_size = RAM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)ram,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		die(argv[1]);
	n = read(fd, ram + LOAD_OFFSET, DTB_OFFSET - LOAD_OFFSET);
	if (n <= 0)
		die("reading the payload");
	close(fd);
	make_dtb(ram + DTB_OFFSET, argv[2]);

	if (ioctl(vm, KVM_CREATE_DEVICE, &gic) < 0)
		die("creating the vGICv3");
	attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die("KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_SVE) > 0)
		init.features[0] |= 1u << KVM_ARM_VCPU_SVE;
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_ADDRESS) > 0 &&
	    ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_GENERIC) > 0)
		init.features[0] |= (1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS) |
				    (1u << KVM_ARM_VCPU_PTRAUTH_GENERIC);
	if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
		die("KVM_ARM_VCPU_INIT");
	if (init.features[0] & (1u << KVM_ARM_VCPU_SVE)) {
		int what = KVM_ARM_VCPU_SVE;

		if (ioctl(vcpu, KVM_ARM_VCPU_FINALIZE, &what) < 0)
			die("KVM_ARM_VCPU_FINALIZE");
	}
	attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (suspend) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_SYSTEM_SUSPEND };

		if (ioctl(vm, KVM_ENABLE_CAP, &cap) < 0)
			die("KVM_CAP_ARM_SYSTEM_SUSPEND");
	}
	if (filter) {
		struct kvm_smccc_filter f = { .base = 0xc4000020, .nr_functions = 0x20,
					      .action = KVM_SMCCC_FILTER_FWD_TO_USER };

		attr(vm, KVM_ARM_VM_SMCCC_CTRL, KVM_ARM_VM_SMCCC_FILTER, &f);
	}
	set_reg(vcpu, REG_PC, RAM_BASE + LOAD_OFFSET);
	set_reg(vcpu, REG_X(0), RAM_BASE + DTB_OFFSET);

	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap of kvm_run");
	if (vcpu_thread) {
		if (pthread_create(&t, NULL, run_loop, NULL))
			die("pthread_create");
		pthread_join(t, NULL);	/* run_loop() exits */
	}
	run_loop(NULL);
	return 1;
}
