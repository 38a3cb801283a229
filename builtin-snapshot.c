// SPDX-License-Identifier: GPL-2.0
/* `lkvm snapshot -n NAME DIR [--stop]`: save a running guest (docs/snapshot.md). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

/* Writing a large guest's RAM takes a while, the more so under emulation. */
#define SNAPSHOT_REPLY_MS	(600 * 1000)

static const struct opt_desc snapshot_opts[] = {
	CTL_CLIENT_ROW_NAME,
	{ "stop", 0, NULL, "end the guest once it is saved, as lkvm stop does", OPT_FLAG,
	  offsetof(struct ctl_client_opts, stop), NULL },
	CTL_CLIENT_ROW_JSON,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd snapshot_cmd = {
	"snapshot",
	"usage: lkvm snapshot -n NAME DIR [--stop] [--json]\n\n"
	"Pause the guest, write its whole state to directory DIR (made if missing;\n"
	"a snapshot there is replaced), and let it run again, or with --stop end\n"
	"it.  lkvm run --restore DIR continues it.  Refused while the guest reboots\n"
	"in place or hibernates, and for a guest with NICs or shared directories.",
	CTL_CLIENT_EXIT_HELP, snapshot_opts, ARRAY_SIZE(snapshot_opts),
};

static int snapshot_one(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	const char *dir = arg, *reply;
	char req[CTL_MAX_REQUEST], ms[32], ram[32];
	struct json_out out;
	struct json_val v;
	size_t len;
	int n;

	json_out_init(&out, req, sizeof(req));
	json_obj_begin(&out, NULL);
	json_str(&out, "cmd", o->cmd);
	json_str(&out, "dir", dir);
	if (o->stop)
		json_bool(&out, "stop", true);
	json_obj_end(&out);
	n = json_out_end(&out);
	if (n < 0) {
		pr_err("snapshot: the directory's name is too long");
		return -1;
	}
	c->reply_ms = SNAPSHOT_REPLY_MS;
	if (ctl_client_call_line(c, req, (size_t)n, &reply, &len) < 0)
		return -1;
	if (o->json) {
		printf("%.*s\n", (int)len, reply);
	} else {
		snprintf(ms, sizeof(ms), "?");
		snprintf(ram, sizeof(ram), "?");
		if (!json_get(reply, len, "ms", &v) && v.type == JSON_NUMBER)
			snprintf(ms, sizeof(ms), "%.*s", (int)v.raw_len, v.raw);
		if (!json_get(reply, len, "ram_bytes", &v) && v.is_int)
			snprintf(ram, sizeof(ram), "%llu", (unsigned long long)(v.i >> 20));
		printf("%s: saved to %s in %s ms (%s MiB of RAM data)%s\n", c->name, dir, ms, ram,
		       o->stop ? "; stopped" : "");
	}
	return ctl_client_flush() == -1 ? -1 : 0;
}

int builtin_snapshot(int argc, char **argv)
{
	struct ctl_client_opts o;
	char dir[PATH_MAX + 2], cwd[PATH_MAX];
	int status;

	if (!ctl_client_begin(&snapshot_cmd, CTL_CLIENT_ONE_ARG, argc, argv, &o, &status))
		return status;
	/* lkvm run has a working directory of its own: it gets an absolute path. */
	if (o.arg[0] == '/')
		snprintf(dir, sizeof(dir), "%s", o.arg);
	else if (getcwd(cwd, sizeof(cwd)))
		snprintf(dir, sizeof(dir), "%s/%s", cwd, o.arg);
	else
		return options_bad("snapshot", "cannot make '%s' an absolute path", o.arg),
		       LKVM_EXIT_USAGE;
	if (strlen(dir) >= CTL_MAX_PATH)
		return options_bad("snapshot", "'%s': too long a path", dir), LKVM_EXIT_USAGE;
	return ctl_client_each(&o, snapshot_one, dir);
}
