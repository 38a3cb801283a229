// SPDX-License-Identifier: GPL-2.0
/* `lkvm wake -n NAME`: press the wake-up button of a guest in SYSTEM_SUSPEND. */
#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

static const struct opt_desc wake_opts[] = {
	CTL_CLIENT_ROW_NAME,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd wake_cmd = {
	"wake",
	"usage: lkvm wake -n NAME\n\n"
	"Wake a guest that sits in SYSTEM_SUSPEND (suspend to RAM), as a wake-up\n"
	"button would.  Refused when it is not suspended.",
	CTL_CLIENT_EXIT_HELP, wake_opts, ARRAY_SIZE(wake_opts),
};

int builtin_wake(int argc, char **argv)
{
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&wake_cmd, CTL_CLIENT_ONE, argc, argv, &o, &status))
		return status;
	return ctl_client_each(&o, ctl_client_just_call, NULL);
}
