// SPDX-License-Identifier: GPL-2.0
/* Loading the kernel, initrd and device tree into guest RAM, at boot and reboot. */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "lkvm/arch.h"
#include "lkvm/boot.h"
#include "lkvm/fdt.h"
#include "lkvm/layout.h"
#include "lkvm/regs.h"
#include "lkvm/vcpu.h"

#define MAX_FILE (1024 * SZ_1M)

static u8 *load_file(const char *what, const char *path, size_t max, size_t *len)
{
	u8 *buf = util_read_file(path, max, len);

	if (!buf)
		pr_err("%s '%s': %s", what, path,
		       errno == EFBIG ? "larger than guest memory" : strerror(errno));
	return buf;
}

int boot_prepare(const struct run_opts *o, struct boot_payload *b)
{
	size_t max = o->mem_size < MAX_FILE ? (size_t)o->mem_size : MAX_FILE;
	const char *why = NULL;

	memset(b, 0, sizeof(*b));
	b->kernel = load_file("kernel", o->kernel, max, &b->kernel_len);
	if (!b->kernel)
		return -1;
	if (image_is_gzip(b->kernel, b->kernel_len)) {
		size_t len;
		u8 *raw = image_gunzip(b->kernel, b->kernel_len, max, &len, &why);

		if (!raw) {
			pr_err("kernel '%s': %s", o->kernel, why);
			return -1;
		}
		free(b->kernel);
		b->kernel = raw;
		b->kernel_len = len;
	}
	if (image_parse_kernel(b->kernel, b->kernel_len, &b->ki, &why) < 0) {
		pr_err("kernel '%s': %s", o->kernel, why);
		return -1;
	}
	if (o->initrd) {
		b->initrd = load_file("initrd", o->initrd, max, &b->initrd_len);
		if (!b->initrd)
			return -1;
		if (image_check_initrd(b->initrd, b->initrd_len, &why) < 0) {
			pr_err("initrd '%s': %s", o->initrd, why);
			return -1;
		}
	}
	if (image_layout(o->mem_base, o->mem_size, &b->ki, b->kernel_len, b->initrd_len,
			 &b->layout, &why) < 0) {
		pr_err("-m %llu MiB: %s", (unsigned long long)(o->mem_size >> 20), why);
		return -1;
	}
	return 0;
}

int boot_build_dtb(struct vm *vm, struct boot_payload *b)
{
	struct run_opts *o = vm->opts;
	u64 *mpidrs = xzalloc(sizeof(u64) * (size_t)vm->nr_vcpus);
	u8 seed[32];
	struct fdt_desc d = {
		.ram_base = vm->mem.start,
		.ram_size = vm->mem.size,
		.nr_cpus = vm->nr_vcpus,
		.mpidrs = mpidrs,
		.initrd_start = b->layout.initrd_addr,
		.initrd_size = b->initrd_len,
		.gic_dist_base = LKVM_GIC_DIST_BASE,
		.gic_dist_size = LKVM_GIC_DIST_SIZE,
		.gic_redist_base = arch_gic_redist_base(vm),
		.gic_redist_size = (u64)vm->nr_vcpus * LKVM_GIC_REDIST_SIZE,
		.psci_version = o->psci_version,
		.pmu = o->pmu,
		.sdei = vm->sdei != NULL,
		.serial_console = o->console == CONSOLE_SERIAL,
		.bus = &vm->bus,
	};
	char *bootargs = options_bootargs(o);
	int r;

	for (int i = 0; i < vm->nr_vcpus; i++)
		mpidrs[i] = vm->vcpus[i]->mpidr;
	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		d.rng_seed = seed;
	d.bootargs = bootargs;
	b->dtb = xzalloc(LKVM_FDT_MAX_SIZE);
	r = fdt_build(&d, b->dtb, LKVM_FDT_MAX_SIZE);
	free(bootargs);
	free(mpidrs);
	if (r < 0) {
		pr_err("building the device tree: %s", fdt_strerror(r));
		return -1;
	}
	b->dtb_len = fdt_totalsize(b->dtb);
	if (o->dump_dtb) {
		int fd = open(o->dump_dtb, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || util_write_all(fd, b->dtb, b->dtb_len) < 0) {
			pr_err("--dump-dtb '%s': %s", o->dump_dtb, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int copy_in(struct vm *vm, u64 gpa, const void *src, size_t len, const char *what)
{
	void *dst = gmem_ptr(&vm->mem, gpa, len);

	if (!dst) {
		pr_err("%s does not fit in guest RAM at 0x%llx", what, (unsigned long long)gpa);
		return -1;
	}
	memcpy(dst, src, len);
	return 0;
}

int boot_load(struct vm *vm, const struct boot_payload *b)
{
	const struct boot_layout *l = &b->layout;

	if (copy_in(vm, l->kernel_addr, b->kernel, b->kernel_len, "kernel") < 0 ||
	    (b->initrd_len && copy_in(vm, l->initrd_addr, b->initrd, b->initrd_len, "initrd") < 0) ||
	    copy_in(vm, l->dtb_addr, b->dtb, b->dtb_len, "device tree") < 0)
		return -1;
	/* booting.rst: x0 = DTB, x1..x3 = 0; INIT already zeroed them. */
	if (vcpu_set_reg(vm->vcpus[0], REG_PC, l->entry) < 0 ||
	    vcpu_set_reg(vm->vcpus[0], REG_X(0), l->dtb_addr) < 0) {
		pr_err("setting the boot vCPU's registers: %s", strerror(errno));
		return -1;
	}
	return 0;
}
