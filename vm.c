// SPDX-License-Identifier: GPL-2.0
/* The VM: /dev/kvm, guest RAM, interrupts, and events for the main thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "lkvm/kvm-compat.h"
#include "lkvm/layout.h"
#include "lkvm/vm.h"

static __thread _Atomic u64 *thread_ioctls;

void vm_ioctl_count_here(_Atomic u64 *c)
{
	thread_ioctls = c;
}

int vm_ioctl_ptr(struct vm *vm, int fd, unsigned long req, void *arg)
{
	int r;

	if (thread_ioctls)
		vm_count(thread_ioctls);
	else
		atomic_fetch_add_explicit(&vm->stats.ioctls, 1, memory_order_relaxed);
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR && req != KVM_RUN);
	return r;
}

int vm_device_attr(struct vm *vm, int fd, unsigned long req, u32 group, u64 attr, void *val)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (u64)(uintptr_t)val };

	return vm_ioctl(vm, fd, req, &a);
}

void vm_post_event(struct vm *vm, enum vm_event ev)
{
	int expected = VM_EV_NONE;
	u64 one = 1;

	/*
	 * The first event wins: a power-off racing a reset is still one
	 * decision.  Except a fatal error, which beats anything: a vCPU that
	 * died while the main thread handles a reset must not be forgotten.
	 */
	if (ev == VM_EV_FATAL)
		atomic_store(&vm->event, (int)ev);
	else if (!atomic_compare_exchange_strong(&vm->event, &expected, (int)ev))
		return;
	if (write(vm->event_fd, &one, sizeof(one)) < 0)
		pr_err("cannot wake the main loop: %s", strerror(errno));
}

void vm_note(struct vm *vm, enum ctl_event ev, int cpu, u32 arg)
{
	struct vm_note *n;
	u64 one = 1;

	if (!atomic_load_explicit(&vm->note_listeners, memory_order_relaxed))
		return;
	pthread_mutex_lock(&vm->note_lock);
	n = &vm->notes[vm->note_seq % VM_NOTES];
	*n = (struct vm_note){
		.seq = vm->note_seq++,
		.t_ns = util_now_ns() - vm->stats.start_ns,
		.event = (u8)ev,
		.state = (u8)vm_state(vm),
		.cpu = (s16)cpu,
		.arg = arg,
	};
	pthread_mutex_unlock(&vm->note_lock);
	if (write(vm->note_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		pr_warn("cannot wake the control socket: %s", strerror(errno));
}

int vm_notes_read(struct vm *vm, u64 *next, struct vm_note *out, int max, u64 *lost)
{
	int n = 0;

	pthread_mutex_lock(&vm->note_lock);
	if (vm->note_seq - *next > VM_NOTES) {
		*lost += vm->note_seq - VM_NOTES - *next;
		*next = vm->note_seq - VM_NOTES;
	}
	while (*next < vm->note_seq && n < max)
		out[n++] = vm->notes[(*next)++ % VM_NOTES];
	pthread_mutex_unlock(&vm->note_lock);
	return n;
}

u64 vm_notes_next(struct vm *vm)
{
	u64 seq;

	pthread_mutex_lock(&vm->note_lock);
	seq = vm->note_seq;
	pthread_mutex_unlock(&vm->note_lock);
	return seq;
}

void vm_set_spi(void *opaque, u32 spi, bool level)
{
	struct vm *vm = opaque;
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (spi + 32),
		.level = level,
	};

	if (vm_ioctl(vm, vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		pr_warn("KVM_IRQ_LINE(SPI %u): %s", spi, strerror(errno));
}

/* An edge pin before its irqfd exists: the rising edge is a pulse of the line. */
static void vm_pulse_spi(void *opaque, u32 spi, bool level)
{
	if (level) {
		vm_set_spi(opaque, spi, true);
		vm_set_spi(opaque, spi, false);
	}
}

struct irq_pin vm_alloc_irq(struct vm *vm)
{
	return (struct irq_pin){ .set = vm_pulse_spi, .ctx = vm, .spi = vm->next_spi++,
				 .edge = true };
}

int vm_irqfd(struct vm *vm, u32 spi, int fd)
{
	/* With the vGIC's default routing, gsi N is SPI N (INTID N + 32). */
	struct kvm_irqfd irqfd = { .fd = (u32)fd, .gsi = spi };

	return vm_ioctl(vm, vm->vm_fd, KVM_IRQFD, &irqfd);
}

int vm_ioeventfd(struct vm *vm, u64 addr, u32 len, u64 datamatch, int fd)
{
	struct kvm_ioeventfd io = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	return vm_ioctl(vm, vm->vm_fd, KVM_IOEVENTFD, &io);
}

u64 vm_alloc_virtio_window(struct vm *vm)
{
	u64 base = vm->next_virtio_base;

	vm->next_virtio_base += LKVM_VIRTIO_MMIO_SIZE;
	return base;
}

static int ipa_bits_for(u64 end)
{
	int bits = 32;

	while (bits < 64 && (1ULL << bits) < end)
		bits++;
	return bits;
}

/* Guest-physical [@gpa, +@size) backed by @host, as KVM memory slot @slot. */
static int add_slot(struct vm *vm, u32 slot, u64 gpa, u64 size, void *host, const char *what)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (u64)(uintptr_t)host,
	};

	if (vm_ioctl(vm, vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		pr_err("KVM_SET_USER_MEMORY_REGION (%s at 0x%llx): %s", what,
		       (unsigned long long)gpa, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * @fn(@ctx, start, end) for each run of data (not a hole) in [0, @size) of
 * file @fd, in order; 0, or -1 with errno (lseek's, or @fn's).
 */
static int file_data_runs(int fd, u64 size, int (*fn)(void *ctx, u64 start, u64 end), void *ctx)
{
	off_t data, hole = 0;

	while ((u64)hole < size) {
		data = lseek(fd, hole, SEEK_DATA);
		if (data < 0)
			return errno == ENXIO ? 0 : -1;	/* ENXIO: holes to the end */
		if ((u64)data >= size)
			return 0;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return -1;
		if ((u64)hole > size)
			hole = (off_t)size;
		if (fn(ctx, (u64)data, (u64)hole) < 0)
			return -1;
	}
	return 0;
}

struct ram_file {
	u8 *host;
	int fd;
};

static int read_ram_run(void *ctx, u64 start, u64 end)
{
	struct ram_file *f = ctx;

	return util_pread_all(f->fd, f->host + start, (size_t)(end - start), (off_t)start);
}

/*
 * An MTE guest's snapshot off tmpfs: its RAM read into anonymous memory,
 * only the parts of the file that hold data (holes read as zero already).
 */
static int read_ram_file(void *p, int fd, u64 size)
{
	struct ram_file f = { p, fd };

	return file_data_runs(fd, size, read_ram_run, &f);
}

static int vm_map_ram(struct vm *vm, int ram_fd, bool ram_copy)
{
	struct run_opts *o = vm->opts;
	struct sysinfo si;
	int fd = -1;
	void *p;

	/* Refuse what the host cannot back rather than let the guest OOM it later. */
	if (sysinfo(&si) == 0 && o->mem_size > (u64)si.totalram * si.mem_unit) {
		pr_err("-m %llu MiB is more than this host's %llu MiB of RAM",
		       (unsigned long long)(o->mem_size >> 20),
		       (unsigned long long)(((u64)si.totalram * si.mem_unit) >> 20));
		return -1;
	}
	/*
	 * A vhost-user back end (virtiofsd) maps guest RAM itself, so RAM
	 * shared with it must be a file: a memfd, mapped shared.  Otherwise
	 * anonymous memory, which nobody else sees.
	 */
	vm->mem.file_fd = -1;
	if (ram_fd >= 0 && !ram_copy) {
		/*
		 * A snapshot's RAM, not read: private pages over the file, made
		 * as the guest writes them, so that several guests can start
		 * from one snapshot.
		 */
		p = mmap(NULL, o->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE,
			 ram_fd, 0);
		vm->mem.from_file = p != MAP_FAILED;
		/* Its holes say which pages a snapshot of this guest need not read. */
		if (vm->mem.from_file)
			vm->mem.file_fd = fcntl(ram_fd, F_DUPFD_CLOEXEC, 0);
	} else if (o->nr_fss) {
		fd = memfd_create("lkvm-ram", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)o->mem_size) < 0) {
			pr_err("cannot make a memfd for %llu MiB of guest RAM: %s",
			       (unsigned long long)(o->mem_size >> 20), strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		p = mmap(NULL, o->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	} else {
		p = mmap(NULL, o->mem_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	}
	if (p == MAP_FAILED) {
		pr_err("cannot map %llu MiB of guest RAM: %s",
		       (unsigned long long)(o->mem_size >> 20), strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (ram_fd >= 0 && ram_copy && read_ram_file(p, ram_fd, o->mem_size) < 0) {
		pr_err("reading the snapshot's RAM: %s", strerror(errno));
		munmap(p, o->mem_size);
		return -1;
	}
	madvise(p, o->mem_size, MADV_HUGEPAGE);
	vm->mem.start = o->mem_base;
	vm->mem.size = o->mem_size;
	vm->mem.host = p;
	vm->mem.fd = fd;

	return add_slot(vm, LKVM_SLOT_RAM, o->mem_base, o->mem_size, p, "guest RAM");
}

int vm_clear_ram(struct vm *vm)
{
	struct guest_mem *m = &vm->mem;
	int r;

	/*
	 * Fresh zero pages, as after power-on, without touching every page.
	 * Shared memory keeps its contents across MADV_DONTNEED: a memfd's
	 * pages are dropped from the file instead.
	 */
	if (m->fd >= 0) {
		r = fallocate(m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)m->size);
	} else if (m->from_file) {
		/*
		 * Dropped private pages would read the snapshot again: anonymous
		 * memory in their place, at the same address, which the memory
		 * slot keeps pointing at.
		 */
		r = mmap(m->host, m->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) ==
				    MAP_FAILED ? -1 : 0;
		if (!r) {
			m->from_file = false;
			if (m->file_fd >= 0)
				close(m->file_fd);
			m->file_fd = -1;
		}
	} else {
		r = madvise(m->host, m->size, MADV_DONTNEED);
	}
	if (r < 0)
		pr_err("dropping guest RAM for the reboot: %s", strerror(errno));
	return r;
}

/* /proc/self/pagemap: one u64 per page of the address space. */
#define PAGEMAP_PRESENT		(1ULL << 63)
#define PAGEMAP_SWAPPED		(1ULL << 62)	/* swapped, migrating: not present, not empty */

struct page_bits {
	u64 *bits;
	u64 page;
};

/* The pages a run of file data covers, marked in use. */
static int mark_run(void *ctx, u64 start, u64 end)
{
	struct page_bits *b = ctx;

	for (u64 p = start / b->page; p < (end + b->page - 1) / b->page; p++)
		b->bits[p / 64] |= 1ULL << (p % 64);
	return 0;
}

u64 *vm_ram_in_use(const struct vm *vm)
{
	u64 page = (u64)sysconf(_SC_PAGESIZE), npages = vm->mem.size / page, buf[1024];
	u64 *bits;
	int fd;

	/*
	 * A page of private RAM with an empty page table entry was never
	 * written since it was mapped or dropped: it reads as zeros (or, for
	 * a restored snapshot's, as its file, where a hole reads as zeros too)
	 * and KVM gives it zero tags when it is first mapped.  Reading it to
	 * find out would fault it in.  A memfd's pages hold data this process
	 * has not mapped: no such rule.
	 */
	if (vm->mem.fd >= 0 || (vm->mem.from_file && vm->mem.file_fd < 0))
		return NULL;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	bits = xzalloc((npages + 63) / 64 * sizeof(u64));
	for (u64 i = 0; i < npages;) {
		u64 want = npages - i < ARRAY_SIZE(buf) ? npages - i : ARRAY_SIZE(buf);
		off_t at = (off_t)(((uintptr_t)vm->mem.host / page + i) * sizeof(u64));
		ssize_t r = pread(fd, buf, want * sizeof(u64), at);

		if (r <= 0 || r % sizeof(u64)) {
			free(bits);
			bits = NULL;
			break;
		}
		for (size_t j = 0; j < (size_t)r / sizeof(u64); j++, i++)
			if (buf[j] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED))
				bits[i / 64] |= 1ULL << (i % 64);
	}
	close(fd);
	if (bits && vm->mem.from_file &&
	    file_data_runs(vm->mem.file_fd, vm->mem.size, mark_run,
			   &(struct page_bits){ bits, page }) < 0) {
		free(bits);
		bits = NULL;
	}
	return bits;
}

bool vm_ram_range_in_use(const u64 *in_use, u64 off, u64 len)
{
	u64 page = (u64)sysconf(_SC_PAGESIZE);

	if (!in_use)
		return true;
	for (u64 p = off / page; p < (off + len + page - 1) / page; p++)
		if (in_use[p / 64] >> (p % 64) & 1)
			return true;
	return false;
}

void *vm_map_region(struct vm *vm, u32 slot, u64 gpa, u64 size, const char *what)
{
	/* Anonymous, as KVM wants any memory of an MTE guest to be. */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		pr_err("cannot map the %s: %s", what, strerror(errno));
		return NULL;
	}
	if (add_slot(vm, slot, gpa, size, p, what) < 0) {
		munmap(p, size);
		return NULL;
	}
	return p;
}

int vm_check_cap(struct vm *vm, long cap)
{
	int r = vm_ioctl(vm, vm->vm_fd >= 0 ? vm->vm_fd : vm->sys_fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

int vm_create(struct vm *vm, struct run_opts *o, int ram_fd, bool ram_copy)
{
	u64 ram_end = o->mem_base + o->mem_size;
	int max_ipa, ipa, max_vcpus, r, type = 0;

	memset(vm, 0, sizeof(*vm));
	vm->opts = o;
	vm->vm_fd = -1;
	vm->gic_fd = -1;
	vm->gic_its_fd = -1;
	vm->next_spi = LKVM_SPI_VIRTIO_FIRST;
	vm->next_virtio_base = LKVM_VIRTIO_MMIO_BASE;
	vm->bus.trace = o->debug;
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	pthread_mutex_init(&vm->note_lock, NULL);

	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		pr_err("cannot open /dev/kvm: %s%s", strerror(errno),
		       errno == ENOENT ? " (no KVM on this machine)" : "");
		return -1;
	}
	if (vm_ioctl(vm, vm->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		pr_err("/dev/kvm speaks an unknown KVM API version");
		return -1;
	}
	if (ram_end < o->mem_base) {
		pr_err("guest RAM wraps around the address space");
		return -1;
	}
	max_ipa = vm_check_cap(vm, KVM_CAP_ARM_VM_IPA_SIZE);
	ipa = ipa_bits_for(ram_end);
	if (max_ipa > 0 && ipa > max_ipa) {
		pr_err("-m %llu MiB at 0x%llx needs a %d-bit guest physical address space; "
		       "this host offers %d bits",
		       (unsigned long long)(o->mem_size >> 20), (unsigned long long)o->mem_base,
		       ipa, max_ipa);
		return -1;
	}
	if (ipa > 40 && max_ipa > 0)
		type = KVM_VM_TYPE_ARM_IPA_SIZE(ipa);
	vm->vm_fd = vm_ioctl(vm, vm->sys_fd, KVM_CREATE_VM, type);
	if (vm->vm_fd < 0) {
		pr_err("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	max_vcpus = vm_check_cap(vm, KVM_CAP_MAX_VCPUS);
	if (max_vcpus <= 0)
		max_vcpus = vm_check_cap(vm, KVM_CAP_NR_VCPUS);
	if (max_vcpus > 0 && o->nr_cpus > max_vcpus) {
		pr_err("-c %d: this host's KVM allows at most %d vCPUs", o->nr_cpus, max_vcpus);
		return -1;
	}
	r = vm_ioctl(vm, vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		pr_err("KVM_GET_VCPU_MMAP_SIZE: %s", r < 0 ? strerror(errno) : "zero");
		return -1;
	}
	vm->run_size = (size_t)r;
	vm->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->note_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->event_fd < 0 || vm->note_fd < 0) {
		pr_err("eventfd: %s", strerror(errno));
		return -1;
	}
	return vm_map_ram(vm, ram_fd, ram_copy);
}
