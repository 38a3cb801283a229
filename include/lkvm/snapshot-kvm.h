/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SNAPSHOT_KVM_H
#define LKVM_SNAPSHOT_KVM_H

#include "lkvm/ctl-server.h"
#include "lkvm/options.h"
#include "lkvm/snapshot.h"
#include "lkvm/vm.h"

struct boot_payload;

/*
 * Write a snapshot of @vm into directory @dir (made if missing), every vCPU
 * already paused by the caller; @counter is the guest's virtual counter when
 * they were.  Virtio workers are held while it runs.  0 with @res filled,
 * or -1 with @why saying what stopped it (nothing is left in @dir then).
 */
int snapshot_kvm_save(struct vm *vm, const struct boot_payload *boot, const char *dir,
		      u64 counter, struct ctl_snapshot_result *res, char *why, size_t len);

/* A snapshot being restored: its state file, read whole, and its RAM file. */
struct snapshot_file {
	u8 *buf;
	size_t len;
	struct snapshot snap;
	struct run_opts opts;	/* the snapshot's configuration, with the restore's own bits */
	u64 vls[8];		/* SVE vector lengths (all zero: no SVE) */
	bool mte;
	int ram_fd;
	bool ram_copy;		/* RAM must be read in (MTE on a file system not shmem) */
	u64 counters[2];	/* the virtual and physical counters to go on from */
};

/*
 * Before anything starts: read and check the snapshot in @dir (checksums,
 * configuration, the RAM file's size and trailer, the disks against what it
 * recorded, taking -d/--force from @cmdline).  -1 with @why.
 */
int snapshot_kvm_open(const char *dir, const struct run_opts *cmdline, struct snapshot_file *f,
		      char *why, size_t len);
/*
 * Once the VM is built from f->opts (RAM mapped from f->ram_fd, vCPUs
 * initialised with f->vls, vGIC initialised) and before anything runs:
 * check it matches and write the snapshot's state into it, and prepare
 * @boot for a later reboot in place.  -1 with @why naming what differs.
 */
int snapshot_kvm_restore(struct vm *vm, struct snapshot_file *f, struct boot_payload *boot,
			 char *why, size_t len);
/* The guest's counter goes on from the snapshot's: the last step before it runs. */
int snapshot_kvm_start_clock(struct vm *vm, struct snapshot_file *f);
void snapshot_kvm_close(struct snapshot_file *f);

#endif
