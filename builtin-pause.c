// SPDX-License-Identifier: GPL-2.0
/* `lkvm pause (-n NAME | --all)`: the control socket's "pause" (docs/control.md). */
#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

static const struct opt_desc pause_opts[] = {
	CTL_CLIENT_ROW_NAME,
	CTL_CLIENT_ROW_ALL,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd pause_cmd = {
	"pause",
	"usage: lkvm pause (-n NAME | --all)\n\n"
	"Hold every vCPU of the guest until `lkvm resume` (its clocks stop\n"
	"meanwhile), and print the state after the command.",
	CTL_CLIENT_EXIT_HELP, pause_opts, ARRAY_SIZE(pause_opts),
};

int builtin_pause(int argc, char **argv)
{
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&pause_cmd, CTL_CLIENT_ONE_OR_ALL, argc, argv, &o, &status))
		return status;
	return ctl_client_each(&o, ctl_client_show_state, NULL);
}
