// SPDX-License-Identifier: GPL-2.0
/* Loading the kernel, initrd and device tree into guest RAM, at boot and reboot. */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <unistd.h>

#include "lkvm/arch.h"
#include "lkvm/boot.h"
#include "lkvm/fdt.h"
#include "lkvm/layout.h"
#include "lkvm/regs.h"
#include "lkvm/vcpu.h"

#define MAX_FILE (1024 * SZ_1M)

static u8 *load_file(const char *what, const char *path, int *fd, size_t max, size_t *len)
{
	u8 *buf = NULL;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		buf = util_read_fd(*fd, max, len);
	if (!buf)
		pr_err("%s '%s': %s", what, path,
		       errno == EFBIG ? "larger than guest memory" : strerror(errno));
	return buf;
}

/* Inflate a gzip kernel in place of @b->kernel. */
static int inflate_kernel(struct boot_payload *b, size_t max, size_t *len)
{
	const char *why = NULL;
	u8 *raw = image_gunzip(b->kernel, *len, max, len, &why);

	free(b->kernel);
	b->kernel = raw;
	if (!raw)
		pr_err("kernel '%s': %s", b->kernel_path, why);
	return raw ? 0 : -1;
}

int boot_prepare(const struct run_opts *o, struct boot_payload *b)
{
	size_t max = o->mem_size < MAX_FILE ? (size_t)o->mem_size : MAX_FILE;
	const char *why = NULL;

	memset(b, 0, sizeof(*b));
	b->kernel_fd = b->initrd_fd = -1;
	b->kernel_path = o->kernel;
	b->initrd_path = o->initrd;
	b->kernel = load_file("kernel", o->kernel, &b->kernel_fd, max, &b->kernel_len);
	if (!b->kernel)
		return -1;
	b->kernel_gzip = image_is_gzip(b->kernel, b->kernel_len);
	if (b->kernel_gzip && inflate_kernel(b, max, &b->kernel_len) < 0)
		return -1;
	if (image_parse_kernel(b->kernel, b->kernel_len, &b->ki, &why) < 0) {
		pr_err("kernel '%s': %s", o->kernel, why);
		return -1;
	}
	if (o->initrd) {
		b->initrd = load_file("initrd", o->initrd, &b->initrd_fd, max, &b->initrd_len);
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
	/* Kept for reboots in place: only what the tree uses. */
	b->dtb = xrealloc(b->dtb, b->dtb_len);
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

/*
 * Read all of open file @fd into @dst, which must be exactly @len bytes long,
 * as it was at boot.  False (errno set, EFBIG/ESPIPE for a size change) if not.
 */
static bool pread_exact(int fd, void *dst, size_t len)
{
	struct stat st;
	size_t done = 0;

	if (fstat(fd, &st) < 0)
		return false;
	if ((u64)st.st_size != len) {
		errno = EFBIG;
		return false;
	}
	while (done < len) {
		ssize_t r = pread(fd, (u8 *)dst + done, len - done, (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!r)
				errno = EFBIG;
			return false;
		}
		done += (size_t)r;
	}
	return true;
}

/* The kernel again, for a reboot: straight from the file into guest RAM, then checked. */
static int reload_kernel(struct vm *vm, struct boot_payload *b)
{
	const struct boot_layout *l = &b->layout;
	struct kernel_info ki;
	const char *why = NULL;
	size_t len = 0;
	u8 *dst = gmem_ptr(&vm->mem, l->kernel_addr, b->kernel_len);

	if (b->kernel_gzip) {
		/* inflate_kernel() says what is wrong with the gzip data itself. */
		b->kernel = util_read_fd(b->kernel_fd, MAX_FILE, &len);
		if (!b->kernel)
			why = strerror(errno);
		else if (inflate_kernel(b, MAX_FILE, &len) < 0)
			return -1;
		else if (len != b->kernel_len)
			why = "its size changed";
		else
			memcpy(dst, b->kernel, len);
		free(b->kernel);
		b->kernel = NULL;
	} else if (!pread_exact(b->kernel_fd, dst, b->kernel_len)) {
		why = errno == EFBIG ? "its size changed" : strerror(errno);
	}
	if (!why && image_parse_kernel(dst, b->kernel_len, &ki, &why) == 0 &&
	    (ki.is_image != b->ki.is_image || ki.text_offset != b->ki.text_offset ||
	     ki.image_size != b->ki.image_size || ki.flags != b->ki.flags))
		why = "its header changed";
	if (why)
		pr_err("kernel '%s' changed since lkvm started (%s): cannot reboot in place",
		       b->kernel_path, why);
	return why ? -1 : 0;
}

static int reload_initrd(struct vm *vm, struct boot_payload *b)
{
	u8 *dst = gmem_ptr(&vm->mem, b->layout.initrd_addr, b->initrd_len);
	const char *why = NULL;

	if (!pread_exact(b->initrd_fd, dst, b->initrd_len))
		why = errno == EFBIG ? "its size changed" : strerror(errno);
	else
		image_check_initrd(dst, b->initrd_len, &why);
	if (why)
		pr_err("initrd '%s' changed since lkvm started (%s): cannot reboot in place",
		       b->initrd_path, why);
	return why ? -1 : 0;
}

/* The first boot's copies, from what boot_prepare() read; lkvm keeps none of it. */
static int first_load(struct vm *vm, struct boot_payload *b)
{
	const struct boot_layout *l = &b->layout;
	int r = copy_in(vm, l->kernel_addr, b->kernel, b->kernel_len, "kernel");

	if (!r && b->initrd_len)
		r = copy_in(vm, l->initrd_addr, b->initrd, b->initrd_len, "initrd");
	free(b->kernel);
	free(b->initrd);
	b->kernel = b->initrd = NULL;
	return r;
}

int boot_load(struct vm *vm, struct boot_payload *b)
{
	const struct boot_layout *l = &b->layout;

	if (b->kernel) {
		if (first_load(vm, b) < 0)
			return -1;
	} else if (reload_kernel(vm, b) < 0 || (b->initrd_len && reload_initrd(vm, b) < 0)) {
		return -1;
	}
	if (copy_in(vm, l->dtb_addr, b->dtb, b->dtb_len, "device tree") < 0)
		return -1;
	/* booting.rst: x0 = DTB, x1..x3 = 0; INIT already zeroed them. */
	if (vcpu_set_reg(vm->vcpus[0], REG_PC, l->entry) < 0 ||
	    vcpu_set_reg(vm->vcpus[0], REG_X(0), l->dtb_addr) < 0) {
		pr_err("setting the boot vCPU's registers: %s", strerror(errno));
		return -1;
	}
	return 0;
}
