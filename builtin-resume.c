// SPDX-License-Identifier: GPL-2.0
/* `lkvm resume (-n NAME | --all)`: the control socket's "resume" (docs/control.md). */
#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

static const struct opt_desc resume_opts[] = {
	CTL_CLIENT_ROW_NAME,
	CTL_CLIENT_ROW_ALL,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd resume_cmd = {
	"resume",
	"usage: lkvm resume (-n NAME | --all)\n\n"
	"Let the vCPUs of a paused guest run again, and print the state after the\n"
	"command.",
	CTL_CLIENT_EXIT_HELP, resume_opts, ARRAY_SIZE(resume_opts),
};

int builtin_resume(int argc, char **argv)
{
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&resume_cmd, CTL_CLIENT_ONE_OR_ALL, argc, argv, &o, &status))
		return status;
	return ctl_client_each(&o, ctl_client_show_state, NULL);
}
