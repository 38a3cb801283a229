/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CTL_REPORT_H
#define LKVM_CTL_REPORT_H

#include "lkvm/util.h"

struct json_out;
struct vm;

/*
 * The control socket's reports (ctl-report.c), written into a reply: the
 * members, and with @want_text a "text" member holding what the subcommand
 * prints.  On the main thread.
 */

/* The --stats counters, live. */
void ctl_report_stat(struct vm *vm, struct json_out *o, bool want_text);
/*
 * Every vCPU's registers, MP state and SDEI state.  A running guest is
 * paused for the read (vcpu_pause_all()) and let go on: a vCPU is never
 * waited for inside KVM_RUN.
 */
void ctl_report_debug(struct vm *vm, struct json_out *o, bool want_text);

#endif
