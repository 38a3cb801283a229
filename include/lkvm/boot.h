/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_BOOT_H
#define LKVM_BOOT_H

#include "lkvm/image.h"
#include "lkvm/options.h"

struct vm;

/*
 * What the guest boots from.  lkvm keeps nothing the file system already
 * holds: the kernel and initrd stay open, are read straight into guest RAM
 * again for a reboot in place (a gzip kernel is inflated again), and checked
 * again then.  Only the device tree, which lkvm made, is kept.
 */
struct boot_payload {
	const char *kernel_path, *initrd_path;
	int kernel_fd, initrd_fd;	/* -1: none */
	bool kernel_gzip;
	u8 *kernel, *initrd;		/* read by boot_prepare(); freed by the first load */
	size_t kernel_len;		/* as loaded (inflated) */
	struct kernel_info ki;
	size_t initrd_len;
	struct boot_layout layout;
	u8 *dtb;
	size_t dtb_len;
};

/* Read and check the kernel and initrd, and place them; before any KVM work. */
int boot_prepare(const struct run_opts *o, struct boot_payload *b);
/* Build the device tree once the VM, its vCPUs and devices exist. */
int boot_build_dtb(struct vm *vm, struct boot_payload *b);
/*
 * Put everything in guest RAM and point the boot vCPU at the kernel: at the
 * first boot from what boot_prepare() read (then freed), at a reboot from the
 * files again.  A file that changed since is refused (-1, said once).
 */
int boot_load(struct vm *vm, struct boot_payload *b);

/*
 * Snapshots: where the payload lies and the device tree, so that a
 * restored guest can reboot in place (from the same files, checked again
 * then).  Load opens the files (a missing one is a warning: only a reboot
 * needs it); -1 when the saved data is not valid.
 */
struct snap_w;
struct snap_r;
void boot_snapshot_save(const struct boot_payload *b, struct snap_w *w);
int boot_snapshot_load(const struct run_opts *o, struct boot_payload *b, struct snap_r *r);

#endif
