// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm wait -n NAME --state STATE [--timeout SECS]`: wait until a guest is
 * in a state, for scripts.  It may be started before the guest's lkvm (a
 * CI script runs `lkvm run --name ci &` and waits at once): until the
 * socket appears it tries again every 100 ms.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

#define WAIT_RETRY_MS 100
/* The longest --timeout, so that its milliseconds fit anywhere: 30 years. */
#define WAIT_MAX_SECS 1000000000ULL

static int parse_state(const char *arg, void *base)
{
	struct ctl_client_opts *o = base;

	o->state = ctl_proto_state_parse(arg);
	if (o->state < 0)
		return options_bad("wait", "unknown state '%s' (running, paused, suspended, "
				   "rebooting, shutting-down or off)", arg);
	return 0;
}

/* Seconds: util_parse_number()'s, then a decimal fraction if any (down to ms). */
static int parse_timeout(const char *arg, void *base)
{
	struct ctl_client_opts *o = base;
	const char *dot = strchr(arg, '.');
	size_t n = dot ? (size_t)(dot - arg) : strlen(arg);
	u64 secs, ms = 0, scale = 100;
	char whole[32];

	if (n >= sizeof(whole))
		goto bad;
	memcpy(whole, arg, n);
	whole[n] = '\0';
	if (!util_parse_number(whole, 0, &secs) || secs > WAIT_MAX_SECS)
		goto bad;
	if (dot) {
		if (!dot[1] || strpbrk(whole, "xX"))
			goto bad;
		for (const char *f = dot + 1; *f; f++, scale /= 10) {
			if (*f < '0' || *f > '9')
				goto bad;
			ms += (u64)(*f - '0') * scale;
		}
	}
	o->timeout_ms = secs * 1000 + ms;
	o->has_timeout = true;
	return 0;
bad:
	return options_bad("wait", "invalid --timeout '%s' (seconds, such as 60 or 0.5)", arg);
}

static const struct opt_desc wait_opts[] = {
	CTL_CLIENT_ROW_NAME,
	{ "state", 0, "STATE", "running, paused, suspended, rebooting,\n"
			       "shutting-down or off (lkvm has exited)", OPT_CALL, 0, parse_state },
	{ "timeout", 0, "SECS", "give up after SECS seconds (default: never)", OPT_CALL, 0,
	  parse_timeout },
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd wait_cmd = {
	"wait",
	"usage: lkvm wait -n NAME --state STATE [--timeout SECS]\n\n"
	"Wait until the guest is in STATE.  A guest whose lkvm has not started yet\n"
	"is waited for too.",
	"Exit status: 0 the guest is in STATE; 1 timed out; 2 its lkvm exited first\n"
	"(or another failure); 129 bad command line.",
	wait_opts, ARRAY_SIZE(wait_opts),
};

/* Milliseconds to wait for @deadline (0: none) or @cap, whichever comes first. */
static int wait_ms(u64 deadline, int cap)
{
	if (!deadline)
		return cap;
	if (cap < 0)
		return ctl_client_ms_left(deadline);
	return min_t(int, cap, ctl_client_ms_left(deadline));
}

static int timed_out(const struct ctl_client_opts *o, const char *now)
{
	pr_err("timed out waiting for guest %s to be %s (it is %s)", o->name,
	       ctl_proto_state_name(o->state), now);
	return LKVM_EXIT_TIMEOUT;
}

/* The state a line gives; @state unchanged if it gives none we know. */
static void line_state(const char *line, size_t len, int *state)
{
	char name[32];
	int s;

	if (ctl_client_get_str(line, len, "state", name, sizeof(name)))
		return;
	s = ctl_proto_state_parse(name);
	if (s >= 0)
		*state = s;
}

/* Follow the guest's event stream until it reaches the state. */
static int watch(struct ctl_client *c, const struct ctl_client_opts *o, u64 deadline)
{
	static const char req[] = "{\"cmd\":\"events\"}\n";
	int state = -1, r;
	const char *line;
	size_t len;

	r = ctl_client_send(c, req, sizeof(req) - 1);
	if (r == -1)
		return LKVM_EXIT_CTL_ERROR;
	/* A guest whose lkvm is exiting may close before it answers: it is off. */
	if (r != -EPIPE)
		r = ctl_client_recv(c, wait_ms(deadline, c->reply_ms), &line, &len);
	else
		r = 0;
	if (r == -ETIMEDOUT && deadline && !ctl_client_ms_left(deadline))
		return timed_out(o, "not answering");
	if (r == -ETIMEDOUT)
		pr_err("guest %s did not answer within %d ms", c->name, c->reply_ms);
	if (r < 0 || (r > 0 && ctl_client_check(c, line, len) < 0))
		return LKVM_EXIT_CTL_ERROR;
	if (r > 0)
		line_state(line, len, &state);
	else
		state = CTL_STATE_OFF;
	for (;;) {
		if (state == o->state)
			return 0;
		if (state == CTL_STATE_OFF) {
			pr_err("guest %s exited before it was %s", o->name,
			       ctl_proto_state_name(o->state));
			return LKVM_EXIT_CTL_ERROR;
		}
		r = ctl_client_recv(c, wait_ms(deadline, -1), &line, &len);
		if (r == -ETIMEDOUT)
			return timed_out(o, state < 0 ? "unknown" : ctl_proto_state_name(state));
		if (r < 0)
			return LKVM_EXIT_CTL_ERROR;
		if (r > 0)
			line_state(line, len, &state);
		else
			state = CTL_STATE_OFF;
	}
}

int builtin_wait(int argc, char **argv)
{
	struct ctl_client_opts o;
	struct ctl_client c;
	u64 deadline = 0;
	int status, r;

	if (!ctl_client_begin(&wait_cmd, CTL_CLIENT_ONE, argc, argv, &o, &status))
		return status;
	if (o.state < 0) {
		options_bad("wait", "%s", "wait for what? (--state STATE)");
		return LKVM_EXIT_USAGE;
	}
	if (o.has_timeout)
		deadline = util_now_ns() + o.timeout_ms * 1000000ULL;
	/* No socket, or one nobody listens on: the guest is off, or not started yet. */
	while ((r = ctl_client_open(&c, o.name, true)) == -ENOENT || r == -ECONNREFUSED) {
		if (o.state == CTL_STATE_OFF)
			return 0;
		if (deadline && !ctl_client_ms_left(deadline))
			return timed_out(&o, "off");
		usleep(1000 * (useconds_t)wait_ms(deadline, WAIT_RETRY_MS));
	}
	if (r < 0)
		return LKVM_EXIT_CTL_ERROR;
	status = watch(&c, &o, deadline);
	ctl_client_close(&c);
	return status;
}
