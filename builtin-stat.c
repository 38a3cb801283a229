// SPDX-License-Identifier: GPL-2.0
/* `lkvm stat -n NAME [--json]`: the counters of `lkvm run --stats`, live. */
#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

static const struct opt_desc stat_opts[] = {
	CTL_CLIENT_ROW_NAME,
	CTL_CLIENT_ROW_JSON,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd stat_cmd = {
	"stat",
	"usage: lkvm stat -n NAME [--json]\n\n"
	"Print the guest's counters (those of lkvm run --stats) as they are now.",
	CTL_CLIENT_EXIT_HELP, stat_opts, ARRAY_SIZE(stat_opts),
};

int builtin_stat(int argc, char **argv)
{
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&stat_cmd, CTL_CLIENT_ONE, argc, argv, &o, &status))
		return status;
	return ctl_client_each(&o, ctl_client_show_reply, NULL);
}
