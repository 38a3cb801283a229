// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol's rules (docs/control.md): what a request line may
 * hold, the names on the wire, guest names and socket paths.  Pure: the
 * server and the clients do the I/O and hand their lines and environment in.
 */
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "lkvm/ctl-proto.h"

#define CTL_MAX_CPU	511
/* A socket path with its NUL: what bind() and connect() take. */
#define CTL_SUN_PATH	sizeof(((struct sockaddr_un *)0)->sun_path)

static const char *const cmd_names[CTL_CMD_NR] = {
	[CTL_CMD_STATUS] = "status",
	[CTL_CMD_PAUSE] = "pause",
	[CTL_CMD_RESUME] = "resume",
	[CTL_CMD_STOP] = "stop",
	[CTL_CMD_DEBUG] = "debug",
	[CTL_CMD_STAT] = "stat",
	[CTL_CMD_EVENTS] = "events",
	[CTL_CMD_WAKE] = "wake",
	[CTL_CMD_SDEI] = "sdei",
	[CTL_CMD_SNAPSHOT] = "snapshot",
};

static const char *const err_names[CTL_ERR_NR] = {
	[CTL_ERR_NONE] = "none",
	[CTL_ERR_BAD_REQUEST] = "bad-request",
	[CTL_ERR_TOO_LONG] = "too-long",
	[CTL_ERR_UNKNOWN_CMD] = "unknown-command",
	[CTL_ERR_BAD_ARG] = "bad-argument",
	[CTL_ERR_REFUSED] = "refused",
	[CTL_ERR_BUSY] = "busy",
};

static const char *const state_names[CTL_STATE_NR] = {
	[CTL_STATE_RUNNING] = "running",
	[CTL_STATE_PAUSED] = "paused",
	[CTL_STATE_SUSPENDED] = "suspended",
	[CTL_STATE_REBOOTING] = "rebooting",
	[CTL_STATE_SHUTTING_DOWN] = "shutting-down",
	[CTL_STATE_OFF] = "off",
};

static const char *const event_names[CTL_EV_NR] = {
	[CTL_EV_SUSPEND] = "suspend",
	[CTL_EV_WAKEUP] = "wakeup",
	[CTL_EV_RESET] = "reset",
	[CTL_EV_REBOOTED] = "rebooted",
	[CTL_EV_POWEROFF] = "poweroff",
	[CTL_EV_HIBERNATE] = "hibernate",
	[CTL_EV_PAUSE] = "pause",
	[CTL_EV_UNPAUSE] = "unpause",
	[CTL_EV_SDEI_RAISE] = "sdei-raise",
	[CTL_EV_SDEI_DELIVER] = "sdei-deliver",
	[CTL_EV_FATAL] = "fatal",
	[CTL_EV_STOP] = "stop",
	[CTL_EV_LOST] = "lost",
};

/* The members a request may have; one bit each, to refuse one given twice. */
enum member { M_CMD, M_ID, M_TEXT, M_EVENT, M_CPU, M_DIR, M_STOP, M_NR };

static const char *const member_names[M_NR] = {
	[M_CMD] = "cmd",
	[M_ID] = "id",
	[M_TEXT] = "text",
	[M_EVENT] = "event",
	[M_CPU] = "cpu",
	[M_DIR] = "dir",
	[M_STOP] = "stop",
};

struct parse {
	unsigned int seen;
	struct json_val val[M_NR];
	const char *why;
};

static bool has(const struct parse *p, enum member m)
{
	return p->seen & 1u << m;
}

/* An integer by the grammar (no fraction, no exponent), whether or not it fits in s64. */
static bool is_integer(const struct json_val *v)
{
	if (v->type != JSON_NUMBER)
		return false;
	for (size_t i = 0; i < v->raw_len; i++)
		if (v->raw[i] == '.' || v->raw[i] == 'e' || v->raw[i] == 'E')
			return false;
	return true;
}

/* Types only: a value's range is judged once the command is known. */
static int check_member(const char *key, bool cut, const struct json_val *v, void *arg)
{
	struct parse *p = arg;
	int m;

	for (m = 0; m < M_NR; m++)
		if (!cut && !strcmp(key, member_names[m]))
			break;
	if (m == M_NR) {
		p->why = "unknown member (a request has cmd, id, text, event, cpu, dir, stop)";
		return -1;
	}
	if (has(p, m)) {
		/* Parsers disagree on which one counts: accept neither. */
		p->why = "a member given twice";
		return -1;
	}
	p->seen |= 1u << m;
	p->val[m] = *v;
	switch (m) {
	case M_CMD:
		if (v->type != JSON_STRING)
			p->why = "\"cmd\" must be a string";
		break;
	case M_TEXT:
		if (v->type != JSON_BOOL)
			p->why = "\"text\" must be true or false";
		break;
	case M_EVENT:
		if (!is_integer(v))
			p->why = "\"event\" must be an integer";
		break;
	case M_CPU:
		if (!is_integer(v))
			p->why = "\"cpu\" must be an integer";
		break;
	case M_DIR:
		if (v->type != JSON_STRING)
			p->why = "\"dir\" must be a string";
		break;
	case M_STOP:
		if (v->type != JSON_BOOL)
			p->why = "\"stop\" must be true or false";
		break;
	}
	return p->why ? -1 : 0;
}

static enum ctl_err fail(const char **why, enum ctl_err err, const char *msg)
{
	if (why)
		*why = msg;
	return err;
}

enum ctl_err ctl_proto_parse(const char *line, size_t n, struct ctl_req *req, const char **why)
{
	struct parse p = { 0 };
	const struct json_val *v;
	const char *jwhy;
	char cmd[16];
	size_t i;

	memset(req, 0, sizeof(*req));
	req->cpu = -1;
	if (why)
		*why = NULL;
	if (n > CTL_MAX_REQUEST - 1)
		return fail(why, CTL_ERR_TOO_LONG,
			    "a request is at most 4096 bytes with its newline");
	if (!json_valid(line, n, &jwhy))
		return fail(why, CTL_ERR_BAD_REQUEST, jwhy);
	for (i = 0; i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' ||
			      line[i] == '\n'); i++)
		;
	if (i >= n || line[i] != '{')
		return fail(why, CTL_ERR_BAD_REQUEST, "a request is a JSON object");
	if (json_for_each_member(line, n, check_member, &p))
		return fail(why, CTL_ERR_BAD_REQUEST, p.why ? p.why : "a request is a JSON object");
	if (!has(&p, M_CMD))
		return fail(why, CTL_ERR_BAD_REQUEST, "\"cmd\" is missing");

	v = &p.val[M_CMD];
	/* Too long or holding a NUL: no command either. */
	if (json_string(v, cmd, sizeof(cmd)))
		return fail(why, CTL_ERR_UNKNOWN_CMD, "no such command");
	for (i = 0; i < CTL_CMD_NR; i++)
		if (!strcmp(cmd, cmd_names[i]))
			break;
	if (i == CTL_CMD_NR)
		return fail(why, CTL_ERR_UNKNOWN_CMD, "no such command");
	req->cmd = i;

	if (has(&p, M_ID)) {
		req->has_id = true;
		req->id_raw = p.val[M_ID].raw;
		req->id_len = p.val[M_ID].raw_len;
	}
	req->text = has(&p, M_TEXT) && p.val[M_TEXT].b;

	if (req->cmd != CTL_CMD_SNAPSHOT && (has(&p, M_DIR) || has(&p, M_STOP)))
		return fail(why, CTL_ERR_BAD_REQUEST, "\"dir\" and \"stop\" are for snapshot only");
	if (req->cmd == CTL_CMD_SNAPSHOT) {
		if (has(&p, M_EVENT) || has(&p, M_CPU))
			return fail(why, CTL_ERR_BAD_REQUEST,
				    "\"event\" and \"cpu\" are for sdei only");
		if (!has(&p, M_DIR))
			return fail(why, CTL_ERR_BAD_REQUEST, "snapshot needs \"dir\"");
		/* The server's working directory is not the client's: only absolute paths. */
		if (json_string(&p.val[M_DIR], req->dir, sizeof(req->dir)) || req->dir[0] != '/')
			return fail(why, CTL_ERR_BAD_ARG,
				    "\"dir\" must be an absolute path of at most 1023 bytes");
		req->stop = has(&p, M_STOP) && p.val[M_STOP].b;
		return CTL_ERR_NONE;
	}
	if (req->cmd != CTL_CMD_SDEI) {
		if (has(&p, M_EVENT) || has(&p, M_CPU))
			return fail(why, CTL_ERR_BAD_REQUEST,
				    "\"event\" and \"cpu\" are for sdei only");
		return CTL_ERR_NONE;
	}
	if (!has(&p, M_EVENT))
		return fail(why, CTL_ERR_BAD_REQUEST, "sdei needs \"event\"");
	v = &p.val[M_EVENT];
	/* !is_int: an integer too big for s64, out of range too. */
	if (!v->is_int || v->i < 0 || v->i > UINT32_MAX)
		return fail(why, CTL_ERR_BAD_ARG, "\"event\" is out of range (0 to 4294967295)");
	req->event = (u32)v->i;
	if (has(&p, M_CPU)) {
		v = &p.val[M_CPU];
		if (!v->is_int || v->i < 0 || v->i > CTL_MAX_CPU)
			return fail(why, CTL_ERR_BAD_ARG, "\"cpu\" is out of range (0 to 511)");
		req->cpu = (int)v->i;
	}
	return CTL_ERR_NONE;
}

/* The name tables answer NULL for a value outside the enum. */
const char *ctl_proto_cmd_name(enum ctl_cmd cmd)
{
	return (unsigned int)cmd < CTL_CMD_NR ? cmd_names[cmd] : NULL;
}

const char *ctl_proto_err_name(enum ctl_err err)
{
	return (unsigned int)err < CTL_ERR_NR ? err_names[err] : NULL;
}

const char *ctl_proto_state_name(enum ctl_state s)
{
	return (unsigned int)s < CTL_STATE_NR ? state_names[s] : NULL;
}

int ctl_proto_state_parse(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < CTL_STATE_NR; i++)
		if (!strcmp(name, state_names[i]))
			return i;
	return -1;
}

const char *ctl_proto_event_name(enum ctl_event e)
{
	return (unsigned int)e < CTL_EV_NR ? event_names[e] : NULL;
}

bool ctl_proto_name_ok(const char *name)
{
	size_t i;

	/* No leading dot: no ".", "..", nor a hidden file in the socket directory. */
	if (!name || !name[0] || name[0] == '.')
		return false;
	for (i = 0; name[i]; i++) {
		char ch = name[i];

		if (i >= CTL_MAX_NAME)
			return false;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static int join(char *buf, size_t size, const char *a, const char *b)
{
	int len = snprintf(buf, size, "%s%s", a, b);

	if (len < 0 || (size_t)len >= size) {
		if (size)
			buf[0] = 0;
		return -1;
	}
	return 0;
}

int ctl_proto_dir(const char *runtime_dir, const char *xdg, const char *home, char *buf,
		  size_t size)
{
	/*
	 * An empty variable counts as unset (as the XDG spec says of its own);
	 * one set but too long is an error, not a reason to look elsewhere, or
	 * server and client could pick different directories.
	 */
	if (runtime_dir && runtime_dir[0])
		return join(buf, size, runtime_dir, "");
	if (xdg && xdg[0])
		return join(buf, size, xdg, "/lkvm");
	if (home && home[0])
		return join(buf, size, home, "/.lkvm");
	if (size)
		buf[0] = 0;
	return -1;
}

int ctl_proto_sock_path(const char *dir, const char *name, char *buf, size_t size)
{
	int len;

	/* A name with a '/' or a leading ".." would put the socket elsewhere. */
	if (!dir || !dir[0] || !ctl_proto_name_ok(name)) {
		if (size)
			buf[0] = 0;
		return -1;
	}
	len = snprintf(buf, size, "%s/%s.sock", dir, name);
	if (len < 0 || (size_t)len >= size || (size_t)len + 1 > CTL_SUN_PATH) {
		if (size)
			buf[0] = 0;
		return -1;
	}
	return 0;
}
