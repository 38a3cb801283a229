// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots (docs/snapshot.md): gathering a paused VM's state into a
 * directory, and building a new VM from one.  A directory holds two files:
 * `state` (the configuration, vCPUs, vGIC, devices, MTE tags, checksummed)
 * and `ram` (guest RAM, zero pages left as holes, then a trailer naming the
 * snapshot).  They are written under temporary names and renamed into
 * place, so a directory never holds half a snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lkvm/arch.h"
#include "lkvm/boot.h"
#include "lkvm/device.h"
#include "lkvm/psci-kvm.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/snapshot-kvm.h"
#include "lkvm/snapshot.h"
#include "lkvm/vcpu.h"
#include "lkvm/virtio-kvm.h"

#define SNAP_DISK	SNAPSHOT_TAG('D', 'I', 'S', 'K')	/* instance: the disk's index */
/* How much of guest RAM is looked at, and written, at a time. */
#define RAM_CHUNK	SZ_64K

/* ---- saving ------------------------------------------------------------------- */

/* @path made absolute against lkvm's working directory (lkvm never changes it). */
static u64 ms_since(u64 t)
{
	return (util_now_ns() - t) / 1000000;
}

static void absolute(const char *path, char *out, size_t len)
{
	char cwd[1024];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		snprintf(out, len, "%s", path);
	else
		snprintf(out, len, "%s/%s", cwd, path);
}

static void save_config(struct vm *vm, struct snap_w *w)
{
	struct run_opts o = *vm->opts;
	char kernel[1024], initrd[1024];

	absolute(o.kernel, kernel, sizeof(kernel));
	o.kernel = kernel;
	if (o.initrd) {
		absolute(o.initrd, initrd, sizeof(initrd));
		o.initrd = initrd;
	}
	for (int i = 0; i < o.nr_disks; i++)
		absolute(vm->opts->disks[i].path, o.disks[i].path, sizeof(o.disks[i].path));
	snapshot_section_begin(w, SNAP_CONFIG, 0);
	options_snapshot_save(&o, w);
}

/* A disk as it is now: a restore refuses it if it changed since. */
static int save_disks(struct vm *vm, struct snap_w *w, char *why, size_t len)
{
	for (int i = 0; i < vm->opts->nr_disks; i++) {
		struct stat st;

		if (stat(vm->opts->disks[i].path, &st) < 0) {
			snprintf(why, len, "disk '%s': %s", vm->opts->disks[i].path,
				 strerror(errno));
			return -1;
		}
		snapshot_section_begin(w, SNAP_DISK, (u32)i);
		snapshot_put_u64(w, (u64)st.st_size);
		snapshot_put_u64(w, (u64)st.st_dev);
		snapshot_put_u64(w, (u64)st.st_ino);
		snapshot_put_u64(w, (u64)st.st_mtim.tv_sec);
		snapshot_put_u64(w, (u64)st.st_mtim.tv_nsec);
	}
	return 0;
}

static int save_state(struct vm *vm, const struct boot_payload *boot, u64 counter,
		      const u64 *in_use, struct snap_w *w, char *why, size_t len)
{
	int i = 0;

	save_config(vm, w);
	if (save_disks(vm, w, why, len) < 0)
		return -1;
	snapshot_section_begin(w, SNAP_BOOT, 0);
	boot_snapshot_save(boot, w);
	snapshot_section_begin(w, SNAP_VM, 0);
	snapshot_put_u32(w, (u32)vm->nr_vcpus);
	snapshot_put_u64(w, counter);
	if (arch_vm_save(vm, w, why, len) < 0)
		return -1;
	for (i = 0; i < vm->nr_vcpus; i++) {
		snapshot_section_begin(w, SNAP_VCPU, (u32)i);
		if (arch_vcpu_save(vm->vcpus[i], w, why, len) < 0)
			return -1;
		psci_kvm_save(vm->vcpus[i], w);
	}
	snapshot_section_begin(w, SNAP_GIC, 0);
	if (arch_gic_save(vm, w, why, len) < 0)
		return -1;
	i = 0;
	for (struct device *d = vm->bus.head; d; d = d->next, i++) {
		const char *dwhy = "it cannot be saved";

		snapshot_section_begin(w, SNAP_DEVICE, (u32)i);
		snapshot_put_str(w, d->name);
		if (d->save && d->save(d, w, &dwhy) < 0) {
			snprintf(why, len, "%s: %s", d->name, dwhy);
			return -1;
		}
	}
	/*
	 * After the devices: the test device's timer may raise an event
	 * meanwhile, and saved after it the raise is pending at worst twice
	 * (the second finds it pending), never lost.
	 */
	if (vm->sdei) {
		snapshot_section_begin(w, SNAP_SDEI, 0);
		sdei_kvm_save(vm, w);
	}
	if (vm->mte) {
		u64 t = util_now_ns();

		snapshot_section_begin(w, SNAP_MTE, 0);
		if (arch_vm_save_tags(vm, in_use, w, why, len) < 0)
			return -1;
		pr_debug("snapshot: MTE tags in %llu ms", (unsigned long long)ms_since(t));
	}
	snapshot_section_end(w);
	return 0;
}

/* Guest RAM: holes for zero pages, then the trailer.  Returns the bytes of data written. */
static s64 write_ram(struct vm *vm, int fd, const u64 *in_use, const u8 id[SNAPSHOT_ID_LEN])
{
	u8 trailer[SNAPSHOT_RAM_TRAILER];
	u64 size = vm->mem.size, data = 0;

	if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)(size + sizeof(trailer))) < 0)
		return -1;
	for (u64 off = 0; off < size; off += RAM_CHUNK) {
		u64 n = size - off < RAM_CHUNK ? size - off : RAM_CHUNK;

		if (!vm_ram_range_in_use(in_use, off, n) ||
		    snapshot_page_is_zero(vm->mem.host + off, (size_t)n))
			continue;
		if (util_pwrite_all(fd, vm->mem.host + off, (size_t)n, (off_t)off) < 0)
			return -1;
		data += n;
	}
	snapshot_ram_trailer(id, size, trailer);
	if (util_pwrite_all(fd, trailer, sizeof(trailer), (off_t)size) < 0 || fsync(fd) < 0)
		return -1;
	return (s64)data;
}

static int open_in(int dir_fd, const char *name)
{
	return openat(dir_fd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

static int write_files(struct vm *vm, const char *dir, const u64 *in_use, struct snap_w *body,
		       const u8 *id, struct ctl_snapshot_result *res, char *why, size_t len)
{
	u8 hdr[SNAPSHOT_HEADER_SIZE];
	int dfd, sfd = -1, rfd = -1, r = -1;
	u64 t;
	s64 ram;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, len, "'%s': %s", dir, strerror(errno));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(why, len, "'%s': %s", dir, strerror(errno));
		return -1;
	}
	rfd = open_in(dfd, "ram.tmp");
	sfd = open_in(dfd, "state.tmp");
	if (rfd < 0 || sfd < 0) {
		snprintf(why, len, "'%s': %s", dir, strerror(errno));
		goto out;
	}
	t = util_now_ns();
	ram = write_ram(vm, rfd, in_use, id);
	if (ram < 0) {
		snprintf(why, len, "writing '%s/ram': %s", dir, strerror(errno));
		goto out;
	}
	pr_debug("snapshot: RAM in %llu ms, %llu MiB of data", (unsigned long long)ms_since(t),
		 (unsigned long long)ram >> 20);
	snapshot_seal(body, id, vm->mem.size, hdr);
	if (util_write_all(sfd, hdr, sizeof(hdr)) < 0 ||
	    util_write_all(sfd, body->buf, body->len) < 0 || fsync(sfd) < 0) {
		snprintf(why, len, "writing '%s/state': %s", dir, strerror(errno));
		goto out;
	}
	/* The RAM first: a state file is only ever next to its own RAM. */
	if (renameat(dfd, "ram.tmp", dfd, "ram") < 0 ||
	    renameat(dfd, "state.tmp", dfd, "state") < 0 || fsync(dfd) < 0) {
		snprintf(why, len, "'%s': %s", dir, strerror(errno));
		goto out;
	}
	res->ram_bytes = (u64)ram;
	res->state_bytes = sizeof(hdr) + body->len;
	r = 0;
out:
	if (r < 0) {
		unlinkat(dfd, "ram.tmp", 0);
		unlinkat(dfd, "state.tmp", 0);
	}
	if (rfd >= 0)
		close(rfd);
	if (sfd >= 0)
		close(sfd);
	close(dfd);
	return r;
}

int snapshot_kvm_save(struct vm *vm, const struct boot_payload *boot, const char *dir,
		      u64 counter, struct ctl_snapshot_result *res, char *why, size_t len)
{
	u64 start = util_now_ns();
	u8 id[SNAPSHOT_ID_LEN];
	struct snap_w body;
	u64 *in_use;
	int r;

	if (atomic_load(&vm->event) == VM_EV_RESET ||
	    atomic_load(&vm->lifecycle) == VM_LIFE_REBOOTING) {
		snprintf(why, len, "the guest is rebooting in place");
		return -1;
	}
	if (atomic_load(&vm->event) == VM_EV_HIBERNATE) {
		snprintf(why, len, "the guest is hibernating (SYSTEM_OFF2)");
		return -1;
	}
	if (atomic_load(&vm->event) != VM_EV_NONE ||
	    atomic_load(&vm->lifecycle) != VM_LIFE_RUNNING) {
		snprintf(why, len, "the guest is shutting down");
		return -1;
	}
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (vcpu_thread_done(vm->vcpus[i])) {
			snprintf(why, len, "vCPU %d has stopped", i);
			return -1;
		}
	if (getrandom(id, sizeof(id), 0) != sizeof(id)) {
		snprintf(why, len, "getrandom: %s", strerror(errno));
		return -1;
	}
	snapshot_w_init(&body);
	/* The workers hold no chain; the ITS's tables go to RAM before RAM is saved. */
	virtio_kvm_park_all(vm);
	r = arch_gic_save_tables(vm, why, len);
	/* Nothing writes guest RAM from here on: which pages hold data holds. */
	in_use = r ? NULL : vm_ram_in_use(vm);
	if (!r)
		r = save_state(vm, boot, counter, in_use, &body, why, len);
	if (!r)
		r = write_files(vm, dir, in_use, &body, id, res, why, len);
	virtio_kvm_unpark_all(vm);
	free(in_use);
	snapshot_w_free(&body);
	res->ms = ms_since(start);
	return r;
}

/* ---- restoring ---------------------------------------------------------------- */

static void *read_state(const char *path, size_t *len, char *why, size_t wlen)
{
	void *buf = util_read_file(path, SNAPSHOT_STATE_MAX, len);

	if (!buf)
		snprintf(why, wlen, "'%s': %s", path,
			 errno == EFBIG ? "larger than any state file lkvm writes" : strerror(errno));
	return buf;
}

/* A disk is the one the snapshot saw, unchanged since, unless told otherwise. */
static int check_disks(struct snapshot_file *f, const struct run_opts *cmdline, char *why,
		       size_t len)
{
	struct run_opts *o = &f->opts;

	if (cmdline->restore_disks && cmdline->nr_disks != o->nr_disks) {
		snprintf(why, len, "-d: the snapshot's guest has %d disk%s, %d given", o->nr_disks,
			 o->nr_disks == 1 ? "" : "s", cmdline->nr_disks);
		return -1;
	}
	for (int i = 0; i < o->nr_disks; i++) {
		struct snap_r r;
		struct stat st;
		u64 size, dev, ino, sec, nsec;
		bool other = cmdline->restore_disks;

		if (other)
			memcpy(o->disks[i].path, cmdline->disks[i].path, sizeof(o->disks[i].path));
		if (!snapshot_find(&f->snap, SNAP_DISK, (u32)i, &r)) {
			snprintf(why, len, "it has no record of disk %d", i);
			return -1;
		}
		size = snapshot_get_u64(&r);
		dev = snapshot_get_u64(&r);
		ino = snapshot_get_u64(&r);
		sec = snapshot_get_u64(&r);
		nsec = snapshot_get_u64(&r);
		if (!snapshot_r_ok(&r)) {
			snprintf(why, len, "its record of disk %d is malformed", i);
			return -1;
		}
		/* Whether lkvm may open it is builtin_run()'s check, as for any run. */
		if (stat(o->disks[i].path, &st) < 0) {
			snprintf(why, len, "disk '%s': %s", o->disks[i].path, strerror(errno));
			return -1;
		}
		/* Another file (-d) must have the size; the same file must not have changed. */
		if ((u64)st.st_size != size) {
			snprintf(why, len, "disk '%s': %llu bytes, %llu in the snapshot%s",
				 o->disks[i].path, (unsigned long long)st.st_size,
				 (unsigned long long)size,
				 cmdline->force ? "" : " (--force takes it anyway)");
			if (!cmdline->force)
				return -1;
			pr_warn("%s", why);
		} else if (!other && ((u64)st.st_dev != dev || (u64)st.st_ino != ino ||
				      (u64)st.st_mtim.tv_sec != sec ||
				      (u64)st.st_mtim.tv_nsec != nsec)) {
			snprintf(why, len, "disk '%s' %s since the snapshot%s", o->disks[i].path,
				 (u64)st.st_ino != ino || (u64)st.st_dev != dev ?
					 "is another file" : "was modified",
				 cmdline->force ? "" : " (--force takes it anyway)");
			if (!cmdline->force)
				return -1;
			pr_warn("%s", why);
		}
	}
	return 0;
}

/* The RAM file is this snapshot's, whole. */
static int open_ram(struct snapshot_file *f, const char *dir, char *why, size_t len)
{
	u8 trailer[SNAPSHOT_RAM_TRAILER];
	const char *twhy;
	char path[1200];
	struct statfs sfs;
	struct stat st;
	u64 size = f->snap.ram_size;

	snprintf(path, sizeof(path), "%s/ram", dir);
	f->ram_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->ram_fd < 0 || fstat(f->ram_fd, &st) < 0) {
		snprintf(why, len, "'%s': %s", path, strerror(errno));
		return -1;
	}
	if (size != f->opts.mem_size || (u64)st.st_size != size + sizeof(trailer)) {
		snprintf(why, len, "'%s': %llu bytes, %llu expected (truncated?)", path,
			 (unsigned long long)st.st_size,
			 (unsigned long long)(f->opts.mem_size + sizeof(trailer)));
		return -1;
	}
	if (util_pread_all(f->ram_fd, trailer, sizeof(trailer), (off_t)size) < 0) {
		snprintf(why, len, "'%s': %s", path, strerror(errno));
		return -1;
	}
	if (snapshot_check_ram_trailer(trailer, f->snap.id, size, &twhy) < 0) {
		snprintf(why, len, "'%s': %s", path, twhy);
		return -1;
	}
	/*
	 * An MTE guest's memory must be anonymous or shmem (KVM refuses a
	 * file's pages otherwise): on any other file system its RAM is read in.
	 */
	f->ram_copy = f->mte && (fstatfs(f->ram_fd, &sfs) < 0 || sfs.f_type != TMPFS_MAGIC);
	return 0;
}

int snapshot_kvm_open(const char *dir, const struct run_opts *cmdline, struct snapshot_file *f,
		      char *why, size_t len)
{
	const char *swhy;
	struct snap_r r;
	char path[1200];

	memset(f, 0, sizeof(*f));
	f->ram_fd = -1;
	snprintf(path, sizeof(path), "%s/state", dir);
	f->buf = read_state(path, &f->len, why, len);
	if (!f->buf)
		return -1;
	if (snapshot_open(f->buf, f->len, &f->snap, &swhy) < 0) {
		snprintf(why, len, "'%s': %s", path, swhy);
		return -1;
	}
	if (!snapshot_find(&f->snap, SNAP_CONFIG, 0, &r) ||
	    options_snapshot_load(&f->opts, &r, &swhy) < 0) {
		snprintf(why, len, "'%s': %s", path, swhy ? swhy : "it has no configuration");
		return -1;
	}
	if (snapshot_find(&f->snap, SNAP_VM, 0, &r)) {
		snapshot_get_u32(&r);	/* vCPUs and counter: read by snapshot_kvm_restore() */
		snapshot_get_u64(&r);
	}
	if (!r.p || arch_vm_load_vls(&r, f->vls, &f->mte) < 0) {
		snprintf(why, len, "'%s': its VM state is missing or malformed", path);
		return -1;
	}
	if (check_disks(f, cmdline, why, len) < 0)
		return -1;
	/* What names this lkvm and what it prints are the restore's own. */
	f->opts.name = cmdline->name;
	f->opts.log_level = cmdline->log_level;
	f->opts.debug = cmdline->debug;
	f->opts.stats = cmdline->stats;
	f->opts.restore = cmdline->restore;
	f->opts.paused = cmdline->paused;
	f->opts.force = cmdline->force;
	return open_ram(f, dir, why, len);
}

static int load_vcpu(struct vm *vm, struct snapshot_file *f, int i, char *why, size_t len)
{
	u64 cnt[2] = { 0, 0 };
	struct vcpu *v = vm->vcpus[i];
	struct snap_r r;
	u32 mp;

	if (!snapshot_find(&f->snap, SNAP_VCPU, (u32)i, &r)) {
		snprintf(why, len, "it has no state for vCPU %d", i);
		return -1;
	}
	if (arch_vcpu_load(v, &r, cnt, &mp, why, len) < 0)
		return -1;
	if (psci_kvm_load(v, &r, mp) < 0 || !snapshot_r_ok(&r)) {
		snprintf(why, len, "vCPU %d: its SYSTEM_SUSPEND state is not valid", i);
		return -1;
	}
	/*
	 * The virtual counter is the one read when the guest was paused (the
	 * VM record), not this vCPU's copy, which drifted while it was saved.
	 */
	f->counters[1] = cnt[1];
	return 0;
}

int snapshot_kvm_restore(struct vm *vm, struct snapshot_file *f, struct boot_payload *boot,
			 char *why, size_t len)
{
	struct snap_r r;
	int i = 0;

	if (!snapshot_find(&f->snap, SNAP_VM, 0, &r) || snapshot_get_u32(&r) != (u32)vm->nr_vcpus) {
		snprintf(why, len, "its vCPU count is not its configuration's");
		return -1;
	}
	f->counters[0] = snapshot_get_u64(&r);
	if (arch_vm_load(vm, &r, why, len) < 0)
		return -1;
	if (vm->mte) {
		u64 t = util_now_ns();

		if (!snapshot_find(&f->snap, SNAP_MTE, 0, &r)) {
			snprintf(why, len, "it has no MTE tags");
			return -1;
		}
		if (arch_vm_load_tags(vm, &r, why, len) < 0)
			return -1;
		pr_debug("restore: MTE tags in %llu ms", (unsigned long long)ms_since(t));
	}
	for (i = 0; i < vm->nr_vcpus; i++)
		if (load_vcpu(vm, f, i, why, len) < 0)
			return -1;
	if (!snapshot_find(&f->snap, SNAP_GIC, 0, &r) || arch_gic_load(vm, &r, why, len) < 0) {
		if (!r.p)
			snprintf(why, len, "it has no GIC state");
		return -1;
	}
	if (vm->sdei) {
		const char *swhy = "it has none";

		if (!snapshot_find(&f->snap, SNAP_SDEI, 0, &r) || sdei_kvm_load(vm, &r, &swhy) < 0) {
			snprintf(why, len, "SDEI: %s", swhy);
			return -1;
		}
	}
	i = 0;
	for (struct device *d = vm->bus.head; d; d = d->next, i++) {
		const char *dwhy = "its state is malformed";
		char name[64];

		if (!snapshot_find(&f->snap, SNAP_DEVICE, (u32)i, &r)) {
			snprintf(why, len, "it has no state for %s", d->name);
			return -1;
		}
		snapshot_get_str(&r, name, sizeof(name));
		if (r.bad || strcmp(name, d->name)) {
			snprintf(why, len, "device %d is %s in the snapshot, %s here", i, name,
				 d->name);
			return -1;
		}
		if (d->load ? d->load(d, &r, &dwhy) < 0 : !snapshot_r_ok(&r)) {
			snprintf(why, len, "%s: %s", d->name, dwhy);
			return -1;
		}
	}
	if (!snapshot_find(&f->snap, SNAP_BOOT, 0, &r) || boot_snapshot_load(vm->opts, boot, &r) < 0) {
		snprintf(why, len, "its boot record is missing or malformed");
		return -1;
	}
	return 0;
}

int snapshot_kvm_start_clock(struct vm *vm, struct snapshot_file *f)
{
	/* Once, VM-wide, just before the guest runs: it goes on from where it stopped. */
	if (vcpu_set_reg(vm->vcpus[0], REG_TIMER_CNT, f->counters[0]) < 0 ||
	    (f->counters[1] && vcpu_set_reg(vm->vcpus[0], REG_PTIMER_CNT, f->counters[1]) < 0)) {
		pr_err("restore: setting the guest's counter: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void snapshot_kvm_close(struct snapshot_file *f)
{
	/* The mapping keeps the RAM file's pages; the fd is no longer needed. */
	if (f->ram_fd >= 0)
		close(f->ram_fd);
	f->ram_fd = -1;
	free(f->buf);
	f->buf = NULL;
}
