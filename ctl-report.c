// SPDX-License-Identifier: GPL-2.0
/*
 * What the control socket's `stat` and `debug` say about a VM, as JSON
 * members and, when asked, as the text the subcommands print.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/ctl-report.h"
#include "lkvm/json.h"
#include "lkvm/psci.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/vcpu.h"
#include "lkvm/vm.h"

/* Appends to a text reply, cut at its end rather than overflowing. */
struct text {
	char *buf;
	size_t cap, len;
};

static void __printf(2, 3) text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len = min_t(size_t, t->len + (size_t)n, t->cap - 1);
}

void ctl_report_stat(struct vm *vm, struct json_out *o, bool want_text)
{
	struct vm_stats *st = &vm->stats;
	struct vcpu_totals t;
	char buf[1024];
	struct text txt = { buf, sizeof(buf), 0 };

	vcpu_totals(vm, &t);
	const struct {
		const char *name;
		u64 val;
	} rows[] = {
		{ "exits", t.exits }, { "mmio", t.mmio_exits }, { "hypercall", t.hypercall_exits },
		{ "system_events", t.system_events }, { "ioctls", t.ioctls },
		{ "suspends", st->suspends }, { "resumes", st->resumes },
		{ "reboots", st->reboots }, { "sdei_calls", st->sdei_calls },
		{ "sdei_deliveries", st->sdei_deliveries },
		{ "startup_us", vm_startup_us(vm) },
	};

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		json_u64(o, rows[i].name, rows[i].val);
		text_add(&txt, "%-16s %llu\n", rows[i].name, (unsigned long long)rows[i].val);
	}
	if (want_text)
		json_str(o, "text", buf);
}

static const char *mp_state_name(u32 mp)
{
	switch (mp) {
	case MP_STATE_RUNNABLE:
		return "runnable";
	case MP_STATE_STOPPED:
		return "stopped";
	case MP_STATE_SUSPENDED:
		return "suspended";
	default:
		return "other";
	}
}

static void debug_sdei(struct vm *vm, int cpu, struct json_out *o, struct text *t)
{
	struct sdei_kvm_pe_info in;

	if (sdei_kvm_pe_info(vm, cpu, &in) < 0) {
		json_null(o, "sdei");
		text_add(t, "  SDEI off\n");
		return;
	}
	json_obj_begin(o, "sdei");
	json_bool(o, "masked", in.masked);
	json_str(o, "power", in.power);
	json_arr_begin(o, "running");
	for (int i = 0; i < in.depth; i++)
		json_u64(o, NULL, in.running[i]);
	json_arr_end(o);
	json_arr_begin(o, "registered");
	for (int i = 0; i < in.nr_registered; i++)
		json_u64(o, NULL, in.registered[i]);
	json_arr_end(o);
	json_arr_begin(o, "enabled");
	for (int i = 0; i < in.nr_enabled; i++)
		json_u64(o, NULL, in.enabled[i]);
	json_arr_end(o);
	json_obj_end(o);

	text_add(t, "  SDEI: PE %s, %s; running:", in.power, in.masked ? "masked" : "unmasked");
	for (int i = 0; i < in.depth; i++)
		text_add(t, " %u", in.running[i]);
	text_add(t, "%s; registered:", in.depth ? "" : " none");
	for (int i = 0; i < in.nr_registered; i++)
		text_add(t, " %u", in.registered[i]);
	text_add(t, "%s; enabled:", in.nr_registered ? "" : " none");
	for (int i = 0; i < in.nr_enabled; i++)
		text_add(t, " %u", in.enabled[i]);
	text_add(t, "%s\n", in.nr_enabled ? "" : " none");
}

static void debug_vcpu(struct vcpu *v, struct json_out *o, struct text *t)
{
	static const struct {
		const char *name;
		u64 id;
	} regs[] = {
		{ "pc", REG_PC }, { "pstate", REG_PSTATE }, { "sp", REG_SP },
		{ "sp_el1", REG_SP_EL1 }, { "elr_el1", REG_ELR_EL1 },
	};
	u64 val[ARRAY_SIZE(regs)], x[31];
	u32 mp;
	int r = vcpu_get_mp_state(v, &mp);

	for (size_t i = 0; i < ARRAY_SIZE(regs) && !r; i++)
		r = vcpu_get_reg(v, regs[i].id, &val[i]);
	for (int i = 0; i < 31 && !r; i++)
		r = vcpu_get_reg(v, REG_X(i), &x[i]);
	json_obj_begin(o, NULL);
	json_u64(o, "cpu", (u64)v->id);
	json_hex(o, "mpidr", v->mpidr);
	text_add(t, "vCPU %d (MPIDR 0x%llx):", v->id, (unsigned long long)v->mpidr);
	if (r < 0) {
		json_str(o, "error", strerror(errno));
		text_add(t, " registers unreadable: %s\n", strerror(errno));
		json_obj_end(o);
		return;
	}
	json_str(o, "mp_state", mp_state_name(mp));
	text_add(t, " %s\n ", mp_state_name(mp));
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		json_hex(o, regs[i].name, val[i]);
		text_add(t, " %s 0x%llx", regs[i].name, (unsigned long long)val[i]);
	}
	json_arr_begin(o, "x");
	for (int i = 0; i < 31; i++) {
		json_hex(o, NULL, x[i]);
		text_add(t, "%s x%-2d 0x%016llx", i % 4 ? "" : "\n ", i, (unsigned long long)x[i]);
	}
	json_arr_end(o);
	text_add(t, "\n");
	debug_sdei(v->vm, v->id, o, t);
	json_obj_end(o);
}

void ctl_report_debug(struct vm *vm, struct json_out *o, bool want_text)
{
	bool held = atomic_load(&vm->paused);
	struct text t = { xmalloc(2048 * (size_t)(vm->nr_vcpus + 1)),
			  2048 * (size_t)(vm->nr_vcpus + 1), 0 };

	t.buf[0] = '\0';
	if (!held)
		vcpu_pause_all(vm, NULL);
	json_bool(o, "paused", held);
	json_arr_begin(o, "vcpus");
	for (int i = 0; i < vm->nr_vcpus; i++)
		debug_vcpu(vm->vcpus[i], o, &t);
	json_arr_end(o);
	if (!held)
		vcpu_resume_all(vm, NULL);
	if (want_text)
		json_str(o, "text", t.buf);
	free(t.buf);
}
