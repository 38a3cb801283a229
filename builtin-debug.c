// SPDX-License-Identifier: GPL-2.0
/* `lkvm debug -n NAME [--json]`: every vCPU's registers, MP state and SDEI state. */
#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

static const struct opt_desc debug_opts[] = {
	CTL_CLIENT_ROW_NAME,
	CTL_CLIENT_ROW_JSON,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd debug_cmd = {
	"debug",
	"usage: lkvm debug -n NAME [--json]\n\n"
	"Print every vCPU's registers, MP state and SDEI state.  A running guest is\n"
	"paused for the moment it takes to read them.",
	CTL_CLIENT_EXIT_HELP, debug_opts, ARRAY_SIZE(debug_opts),
};

int builtin_debug(int argc, char **argv)
{
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&debug_cmd, CTL_CLIENT_ONE, argc, argv, &o, &status))
		return status;
	return ctl_client_each(&o, ctl_client_show_reply, NULL);
}
