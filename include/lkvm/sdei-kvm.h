/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SDEI_KVM_H
#define LKVM_SDEI_KVM_H

#include "lkvm/util.h"

struct snap_r;
struct snap_w;
struct vcpu;
struct vm;

/*
 * SDEI glue (sdei-kvm.c) between the SMCCC router and the dispatcher
 * (sdei.c).  Setup claims the SDEI function range from the router; without
 * --no-sdei and on a host that can forward it, vm->sdei is then set.
 */
int sdei_kvm_setup(struct vm *vm);
/* On @v's thread at its safe point (VCPU_REQ_SDEI): enter pending handlers. */
void sdei_kvm_deliver(struct vcpu *v);
/* Reboot in place, every vCPU paused: no event, no registration, no kick left. */
void sdei_kvm_reset(struct vm *vm);
/*
 * From the main thread, every SDEI_POWER_WATCH_MS: have each vCPU whose PE
 * holds private SDEI state look whether the guest switched it off (CPU_OFF
 * never reaches lkvm).
 */
#define SDEI_POWER_WATCH_MS	100
void sdei_kvm_watch_power(struct vm *vm);
/* SYSTEM_SUSPEND / wake-up of @v: a suspended PE takes no event. */
void sdei_kvm_set_power(struct vcpu *v, bool on);
/*
 * Raise a VMM event (private ones on vCPU @target_pe).  0 pending, 1 dropped
 * (nobody registered it), -1 unknown event or target, or SDEI is off.
 */
int sdei_kvm_raise(struct vm *vm, u32 event, int target_pe);

/*
 * Why a raised @event (for PE @pe) waits: a reason for people, or NULL when
 * nothing of it is pending (delivered, or SDEI is off).
 */
const char *sdei_kvm_pending_reason(struct vm *vm, u32 event, int pe);

/*
 * Snapshot (docs/snapshot.md), only when vm->sdei is set: save() appends
 * the dispatcher's state (sdei_save()) to @w with every vCPU paused.
 * load() takes it back from @r, the whole SNAP_SDEI section, into a VM set
 * up with as many vCPUs, before any of them runs; -1 with *@why when it is
 * not valid.  A vCPU with an event to take then has VCPU_REQ_SDEI posted:
 * nothing may cancel it (sdei_kvm_reset()) between the load and its run.
 * The glue keeps nothing of its own: v->sdei_off follows from the PE's
 * power, what was to be kicked is kicked again, and a power check lost
 * with the old process is asked for again by sdei_kvm_watch_power().
 */
void sdei_kvm_save(struct vm *vm, struct snap_w *w);
int sdei_kvm_load(struct vm *vm, struct snap_r *r, const char **why);

/* PE @pe's SDEI state for `lkvm debug`; -1 when SDEI is off. */
struct sdei_kvm_pe_info {
	bool masked;
	const char *power;		/* "on", "suspended", "off" */
	int depth;			/* handlers running, outermost first in @running */
	u32 running[2];
	int nr_registered, nr_enabled;
	u32 registered[8], enabled[8];
};
int sdei_kvm_pe_info(struct vm *vm, int pe, struct sdei_kvm_pe_info *info);

#endif
