/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_BOOT_H
#define LKVM_BOOT_H

#include "lkvm/image.h"
#include "lkvm/options.h"

struct vm;

/* What the guest boots from, kept in memory so a reboot in place reloads it. */
struct boot_payload {
	u8 *kernel;
	size_t kernel_len;
	struct kernel_info ki;
	u8 *initrd;
	size_t initrd_len;
	struct boot_layout layout;
	u8 *dtb;
	size_t dtb_len;
};

/* Read and check the kernel and initrd, and place them; before any KVM work. */
int boot_prepare(const struct run_opts *o, struct boot_payload *b);
/* Build the device tree once the VM, its vCPUs and devices exist. */
int boot_build_dtb(struct vm *vm, struct boot_payload *b);
/* Copy everything into guest RAM and point the boot vCPU at the kernel. */
int boot_load(struct vm *vm, const struct boot_payload *b);

#endif
