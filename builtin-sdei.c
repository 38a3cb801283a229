// SPDX-License-Identifier: GPL-2.0
/* `lkvm sdei -n NAME --event N [--cpu C]`: raise a VMM-defined SDEI event. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

static int parse_event(const char *arg, void *base)
{
	struct ctl_client_opts *o = base;

	if (!util_parse_number(arg, 0, &o->event) || o->event > UINT32_MAX)
		return options_bad("sdei", "invalid event number '%s'", arg);
	o->has_event = true;
	return 0;
}

static int parse_cpu(const char *arg, void *base)
{
	struct ctl_client_opts *o = base;

	if (!util_parse_number(arg, 0, &o->cpu) || o->cpu > INT_MAX)
		return options_bad("sdei", "invalid vCPU number '%s'", arg);
	o->has_cpu = true;
	return 0;
}

static const struct opt_desc sdei_opts[] = {
	CTL_CLIENT_ROW_NAME,
	{ "event", 0, "N", "the event: 1000, 1001 (private), 2000, 2001 (shared)", OPT_CALL, 0,
	  parse_event },
	{ "cpu", 0, "C", "the vCPU of a private event (default 0)", OPT_CALL, 0, parse_cpu },
	CTL_CLIENT_ROW_JSON,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd sdei_cmd = {
	"sdei",
	"usage: lkvm sdei -n NAME --event N [--cpu C] [--json]\n\n"
	"Raise an SDEI event from the host and wait (1 s at most) until a handler\n"
	"is entered: prints \"delivered on cpu C\", or \"pending: REASON\".",
	CTL_CLIENT_EXIT_HELP, sdei_opts, ARRAY_SIZE(sdei_opts),
};

static int sdei_one(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	char req[128], result[32], reason[256];
	const char *reply;
	struct json_out out;
	struct json_val cpu;
	size_t len;
	int n;

	json_out_init(&out, req, sizeof(req));
	json_obj_begin(&out, NULL);
	json_str(&out, "cmd", o->cmd);
	json_u64(&out, "event", o->event);
	if (o->has_cpu)
		json_u64(&out, "cpu", o->cpu);
	json_obj_end(&out);
	n = json_out_end(&out);
	if (n < 0) {
		pr_err("sdei: the request does not fit");
		return -1;
	}
	if (ctl_client_call_line(c, req, (size_t)n, &reply, &len) < 0)
		return -1;
	if (o->json) {
		printf("%.*s\n", (int)len, reply);
	} else if (ctl_client_get_str(reply, len, "result", result, sizeof(result))) {
		pr_err("guest %s: the reply gives no result", c->name);
		return -1;
	} else if (!strcmp(result, "delivered")) {
		if (json_get(reply, len, "cpu", &cpu) || cpu.type != JSON_NUMBER)
			printf("delivered\n");
		else
			printf("delivered on cpu %.*s\n", (int)cpu.raw_len, cpu.raw);
	} else if (!ctl_client_get_str(reply, len, "reason", reason, sizeof(reason))) {
		printf("%s: %s\n", result, reason);
	} else {
		printf("%s\n", result);
	}
	return ctl_client_flush() == -1 ? -1 : 0;
}

int builtin_sdei(int argc, char **argv)
{
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&sdei_cmd, CTL_CLIENT_ONE, argc, argv, &o, &status))
		return status;
	if (!o.has_event) {
		options_bad("sdei", "%s", "which event? (--event N)");
		return LKVM_EXIT_USAGE;
	}
	return ctl_client_each(&o, sdei_one, NULL);
}
