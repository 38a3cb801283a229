// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm stop (-n NAME | --all)`: an orderly stop, as SIGTERM would do it.  It
 * returns once lkvm has exited, so that a script can use the guest's disks
 * right after it.
 */
#include <errno.h>

#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

/* How long lkvm may take to exit: stopping the vCPUs and flushing the disks. */
#define STOP_EXIT_MS 30000

static const struct opt_desc stop_opts[] = {
	CTL_CLIENT_ROW_NAME,
	CTL_CLIENT_ROW_ALL,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd stop_cmd = {
	"stop",
	"usage: lkvm stop (-n NAME | --all)\n\n"
	"Stop the guest as SIGTERM would (the disks flushed; lkvm run exits 5),\n"
	"and wait until its lkvm has exited (30 s at most).",
	CTL_CLIENT_EXIT_HELP, stop_opts, ARRAY_SIZE(stop_opts),
};

static int stop_one(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	const char *line;
	u64 deadline;
	size_t len;
	int r;

	if (ctl_client_call(c, o->cmd, false, &line, &len) < 0)
		return -1;
	/* The connection ends when lkvm's process does. */
	deadline = util_now_ns() + STOP_EXIT_MS * 1000000ULL;
	do
		r = ctl_client_recv(c, ctl_client_ms_left(deadline), &line, &len);
	while (r > 0);
	if (r == -ETIMEDOUT)
		pr_err("guest %s did not exit within %d s of the stop", c->name,
		       STOP_EXIT_MS / 1000);
	return r ? -1 : 0;
}

int builtin_stop(int argc, char **argv)
{
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&stop_cmd, CTL_CLIENT_ONE_OR_ALL, argc, argv, &o, &status))
		return status;
	return ctl_client_each(&o, stop_one, NULL);
}
