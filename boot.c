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
#include "lkvm/snapshot.h"
#include "lkvm/vcpu.h"

#define MAX_FILE (1024 * SZ_1M)

static u8 *load_file(const char *what, const char *path, int *fd, size_t max, size_t *len)
{
	u8 *buf = NULL;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		buf = util_read_fd(*fd, max, len);
	/*
	 * kvmtool's words for a kernel that cannot be opened: kvm-unit-tests'
	 * runner first starts the VMM with a kernel that does not exist and
	 * looks for them, to know that the VMM took the test's options.
	 */
	if (*fd < 0 && !strcmp(what, "kernel"))
		pr_err("Fatal: Unable to open kernel %s: %s", path, strerror(errno));
	else if (!buf)
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
	if (o->aarch32 && b->ki.is_image) {
		pr_err("--aarch32: kernel '%s' is an arm64 Image, not a 32-bit kernel", o->kernel);
		return -1;
	}
	b->ki.aarch32 = o->aarch32;
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

/*
 * What a firmware gives every boot afresh: the CRNG's seed and, unless one
 * was asked for, the KASLR seed (kvmtool's default is random too).  A reboot
 * in place with the first boot's seeds would put the kernel at the same
 * place again.  A seed the host cannot provide at once is left out.
 */
static void refresh_seeds(struct vm *vm, struct boot_payload *b)
{
	int chosen = fdt_path_offset(b->dtb, "/chosen");
	u8 seed[32];
	u64 kaslr;

	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		fdt_setprop_inplace(b->dtb, chosen, "rng-seed", seed, sizeof(seed));
	else
		fdt_nop_property(b->dtb, chosen, "rng-seed");
	if (vm->opts->has_kaslr_seed)
		return;
	if (getrandom(&kaslr, sizeof(kaslr), GRND_NONBLOCK) == sizeof(kaslr))
		fdt_setprop_inplace_u64(b->dtb, chosen, "kaslr-seed", kaslr);
	else
		fdt_nop_property(b->dtb, chosen, "kaslr-seed");
}

int boot_build_dtb(struct vm *vm, struct boot_payload *b)
{
	struct run_opts *o = vm->opts;
	u64 *mpidrs = xzalloc(sizeof(u64) * (size_t)vm->nr_vcpus);
	static const u8 seed[32];
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
		.gic_its_base = vm->gic_its_fd >= 0 ? arch_gic_its_base(vm) : 0,
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
	/* Room for the seeds; every boot gets fresh ones (refresh_seeds()). */
	d.rng_seed = seed;
	d.has_kaslr_seed = true;
	d.kaslr_seed = o->kaslr_seed;
	d.bootargs = bootargs;
	b->dtb = xzalloc(LKVM_FDT_MAX_SIZE);
	r = fdt_build(&d, b->dtb, LKVM_FDT_MAX_SIZE);
	free(bootargs);
	free(mpidrs);
	if (r < 0) {
		pr_err("building the device tree: %s", fdt_strerror(r));
		return -1;
	}
	refresh_seeds(vm, b);
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

/*
 * arm64's booting.rst: x0 = DTB, x1..x3 = 0.  arm's: r0 = 0, r1 = machine
 * type (~0: none, see the DTB), r2 = DTB.  INIT zeroed the rest and chose
 * the mode (EL1h, or SVC for AArch32) with interrupts masked.
 */
static int set_boot_regs(struct vcpu *v, const struct boot_payload *b)
{
	u64 dtb = b->layout.dtb_addr;

	if (vcpu_set_reg(v, REG_PC, b->layout.entry) < 0)
		return -1;
	if (!b->ki.aarch32)
		return vcpu_set_reg(v, REG_X(0), dtb);
	return vcpu_set_reg(v, REG_X(1), 0xffffffffULL) < 0 ? -1 : vcpu_set_reg(v, REG_X(2), dtb);
}

int boot_load(struct vm *vm, struct boot_payload *b)
{
	const struct boot_layout *l = &b->layout;

	if (b->kernel) {
		if (first_load(vm, b) < 0)
			return -1;
	} else if (reload_kernel(vm, b) < 0 || (b->initrd_len && reload_initrd(vm, b) < 0)) {
		return -1;
	} else {
		refresh_seeds(vm, b);
	}
	if (copy_in(vm, l->dtb_addr, b->dtb, b->dtb_len, "device tree") < 0)
		return -1;
	if (set_boot_regs(vm->vcpus[0], b) < 0) {
		pr_err("setting the boot vCPU's registers: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- snapshot: what a reboot in place of the restored guest needs ------------- */

static bool in_ram(const struct run_opts *o, u64 gpa, u64 len)
{
	return gpa >= o->mem_base && gpa - o->mem_base <= o->mem_size &&
	       len <= o->mem_size - (gpa - o->mem_base);
}

void boot_snapshot_save(const struct boot_payload *b, struct snap_w *w)
{
	snapshot_put_u8(w, b->kernel_gzip);
	snapshot_put_u64(w, b->kernel_len);
	snapshot_put_u8(w, b->ki.is_image);
	snapshot_put_u64(w, b->ki.text_offset);
	snapshot_put_u64(w, b->ki.image_size);
	snapshot_put_u64(w, b->ki.flags);
	snapshot_put_u8(w, b->ki.aarch32);
	snapshot_put_u64(w, b->initrd_len);
	snapshot_put_u64(w, b->layout.kernel_addr);
	snapshot_put_u64(w, b->layout.kernel_end);
	snapshot_put_u64(w, b->layout.entry);
	snapshot_put_u64(w, b->layout.dtb_addr);
	snapshot_put_u64(w, b->layout.initrd_addr);
	snapshot_put_u64(w, b->dtb_len);
	snapshot_put(w, b->dtb, b->dtb_len);
}

int boot_snapshot_load(const struct run_opts *o, struct boot_payload *b, struct snap_r *r)
{
	struct boot_payload n = { .kernel_fd = -1, .initrd_fd = -1 };
	const u8 *dtb;

	n.kernel_path = o->kernel;
	n.initrd_path = o->initrd;
	n.kernel_gzip = snapshot_get_bool(r);
	n.kernel_len = (size_t)snapshot_get_u64(r);
	n.ki.is_image = snapshot_get_bool(r);
	n.ki.text_offset = snapshot_get_u64(r);
	n.ki.image_size = snapshot_get_u64(r);
	n.ki.flags = snapshot_get_u64(r);
	n.ki.aarch32 = snapshot_get_bool(r);
	n.initrd_len = (size_t)snapshot_get_u64(r);
	n.layout.kernel_addr = snapshot_get_u64(r);
	n.layout.kernel_end = snapshot_get_u64(r);
	n.layout.entry = snapshot_get_u64(r);
	n.layout.dtb_addr = snapshot_get_u64(r);
	n.layout.initrd_addr = snapshot_get_u64(r);
	n.dtb_len = (size_t)snapshot_get_u64(r);
	dtb = snapshot_get_ptr(r, n.dtb_len);
	/* What a reboot writes must lie in RAM: checked again as it happens (gmem_ptr). */
	if (!dtb || !snapshot_r_ok(r) || n.dtb_len < sizeof(struct fdt_header) ||
	    n.dtb_len > LKVM_FDT_MAX_SIZE || n.kernel_len > o->mem_size ||
	    n.initrd_len > o->mem_size || (!!n.initrd_len) != (o->initrd != NULL) ||
	    !in_ram(o, n.layout.kernel_addr, n.kernel_len) ||
	    !in_ram(o, n.layout.dtb_addr, n.dtb_len) ||
	    (n.initrd_len && !in_ram(o, n.layout.initrd_addr, n.initrd_len)))
		return -1;
	/* libfdt wants the tree 8-byte aligned: checked in its own copy. */
	n.dtb = xmalloc(n.dtb_len);
	memcpy(n.dtb, dtb, n.dtb_len);
	if (fdt_check_header(n.dtb) || fdt_totalsize(n.dtb) != n.dtb_len) {
		free(n.dtb);
		return -1;
	}
	/*
	 * The files stay open for a reboot, which reads and checks them again
	 * then; one that is gone now only makes that reboot fail.
	 */
	n.kernel_fd = open(o->kernel, O_RDONLY | O_CLOEXEC);
	if (n.kernel_fd < 0 || (o->initrd && (n.initrd_fd = open(o->initrd,
								  O_RDONLY | O_CLOEXEC)) < 0))
		pr_warn("%s '%s': %s; a reboot in place will fail", n.kernel_fd < 0 ? "kernel" :
			"initrd", n.kernel_fd < 0 ? o->kernel : o->initrd, strerror(errno));
	*b = n;
	return 0;
}
