// SPDX-License-Identifier: GPL-2.0
/* `lkvm list [--json]`: this user's running guests, their pids and states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

static const struct opt_desc list_opts[] = {
	CTL_CLIENT_ROW_JSON,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd list_cmd = {
	"list",
	"usage: lkvm list [--json]\n\n"
	"List this user's running guests: NAME PID STATE, one a line.  --json prints\n"
	"one line {\"guests\":[{\"name\":...,\"pid\":...,\"state\":...},...]}.",
	CTL_CLIENT_EXIT_HELP, list_opts, ARRAY_SIZE(list_opts),
};

struct list_row {
	char name[CTL_MAX_NAME + 1];
	s64 pid;		/* -1: the reply did not say */
	char state[32];
};

struct list_rows {
	struct list_row *v;
	size_t n;
};

static int list_one(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	struct list_rows *rows = arg;
	struct list_row *row;
	struct json_val pid;
	const char *reply;
	size_t len;

	if (ctl_client_call(c, "status", false, &reply, &len) < 0)
		return -1;
	rows->v = xrealloc(rows->v, (rows->n + 1) * sizeof(*rows->v));
	row = &rows->v[rows->n++];
	/* The name to give -n: the socket's, whatever the reply says. */
	snprintf(row->name, sizeof(row->name), "%s", c->name);
	row->pid = !json_get(reply, len, "pid", &pid) && pid.type == JSON_NUMBER && pid.is_int
			   ? pid.i : -1;
	if (ctl_client_get_str(reply, len, "state", row->state, sizeof(row->state)))
		snprintf(row->state, sizeof(row->state), "?");
	return 0;
}

static void print_table(const struct list_rows *rows)
{
	int w = 4;

	for (size_t i = 0; i < rows->n; i++)
		w = max_t(int, w, (int)strlen(rows->v[i].name));
	printf("%-*s  %-7s  %s\n", w, "NAME", "PID", "STATE");
	for (size_t i = 0; i < rows->n; i++) {
		const struct list_row *r = &rows->v[i];
		char pid[24] = "-";

		if (r->pid >= 0)
			snprintf(pid, sizeof(pid), "%lld", (long long)r->pid);
		printf("%-*s  %-7s  %s\n", w, r->name, pid, r->state);
	}
}

static int print_json(const struct list_rows *rows)
{
	/* A row: a name, a number and a state (escaped, 6 bytes a character at most). */
	size_t cap = 64 + rows->n * 512;
	struct json_out out;
	char *buf = xmalloc(cap);
	int r;

	json_out_init(&out, buf, cap);
	json_obj_begin(&out, NULL);
	json_arr_begin(&out, "guests");
	for (size_t i = 0; i < rows->n; i++) {
		json_obj_begin(&out, NULL);
		json_str(&out, "name", rows->v[i].name);
		if (rows->v[i].pid >= 0)
			json_s64(&out, "pid", rows->v[i].pid);
		else
			json_null(&out, "pid");
		json_str(&out, "state", rows->v[i].state);
		json_obj_end(&out);
	}
	json_arr_end(&out);
	json_obj_end(&out);
	r = json_out_end(&out);
	if (r < 0)
		pr_err("list: the JSON line does not fit");
	else
		fputs(buf, stdout);
	free(buf);
	return r < 0 ? -1 : 0;
}

int builtin_list(int argc, char **argv)
{
	struct list_rows rows = { NULL, 0 };
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&list_cmd, CTL_CLIENT_NONE, argc, argv, &o, &status))
		return status;
	/* A guest that does not answer is reported, and the others still listed. */
	status = ctl_client_for_each(&o, list_one, &rows);
	if (o.json) {
		if (print_json(&rows) < 0)
			status = LKVM_EXIT_CTL_ERROR;
	} else {
		print_table(&rows);
	}
	if (ctl_client_flush() == -1)
		status = LKVM_EXIT_CTL_ERROR;
	free(rows.v);
	return status;
}
