// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm events -n NAME [--json]`: the guest's events as they happen, one a
 * line, until its lkvm exits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"

static const struct opt_desc events_opts[] = {
	CTL_CLIENT_ROW_NAME,
	CTL_CLIENT_ROW_JSON,
	CTL_CLIENT_ROW_HELP,
};

static const struct opt_cmd events_cmd = {
	"events",
	"usage: lkvm events -n NAME [--json]\n\n"
	"Print the guest's events as they happen, \"T_MS EVENT key=value ...\", until\n"
	"its lkvm exits.  --json prints the current state first, then the events.",
	CTL_CLIENT_EXIT_HELP, events_opts, ARRAY_SIZE(events_opts),
};

/* A string value as it is, unless it would not read back as one word. */
static bool plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '=' || *s == '"' || *s == 0x7f)
			return false;
	return true;
}

static int print_member(const char *key, bool cut, const struct json_val *v, void *arg)
{
	char s[256];

	if (!strcmp(key, "t_ms") || !strcmp(key, "event"))
		return 0;
	if (v->type == JSON_STRING && !json_string(v, s, sizeof(s)) && plain(s))
		printf(" %s=%s", key, s);
	else
		printf(" %s=%.*s", key, (int)v->raw_len, v->raw);
	return 0;
}

static void print_event(const char *line, size_t len)
{
	struct json_val t;
	char event[64];

	if (json_get(line, len, "t_ms", &t))
		fputs("-", stdout);
	else
		printf("%.*s", (int)t.raw_len, t.raw);
	if (ctl_client_get_str(line, len, "event", event, sizeof(event)))
		snprintf(event, sizeof(event), "?");
	printf(" %s", event);
	json_for_each_member(line, len, print_member, NULL);
	putchar('\n');
}

static int events_one(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	const char *line;
	size_t len;
	int r;

	if (ctl_client_call(c, o->cmd, false, &line, &len) < 0)
		return -1;
	if (o->json)
		printf("%.*s\n", (int)len, line);
	for (;;) {
		/* Line by line, for a reader that acts on each event as it comes. */
		r = ctl_client_flush();
		if (r == -EPIPE)
			return 0;	/* our reader has what it wanted */
		if (r < 0)
			return -1;
		r = ctl_client_recv(c, -1, &line, &len);
		if (r <= 0)
			return r;	/* the end of the stream is lkvm's exit */
		if (o->json)
			printf("%.*s\n", (int)len, line);
		else
			print_event(line, len);
	}
}

int builtin_events(int argc, char **argv)
{
	struct ctl_client_opts o;
	int status;

	if (!ctl_client_begin(&events_cmd, CTL_CLIENT_ONE, argc, argv, &o, &status))
		return status;
	return ctl_client_each(&o, events_one, NULL);
}
