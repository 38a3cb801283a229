// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of the control socket: what `lkvm list`, `pause`, ...,
 * `sdei` share.  Every wait is bounded (a reply within CTL_CLIENT_REPLY_MS,
 * a line within CTL_CLIENT_MAX_LINE bytes), so that a wedged or hostile
 * server never hangs a client or makes it grow; only the event streams of
 * `events` and `wait` may last for ever, as asked.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lkvm/ctl-client.h"

bool ctl_client_begin(const struct opt_cmd *cmd, enum ctl_client_target target, int argc,
		      char **argv, struct ctl_client_opts *o, int *status)
{
	int r, rest;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd->name;
	o->state = -1;
	r = options_getopt(cmd, argc, argv, o, &rest);
	if (r) {
		*status = r > 0 ? 0 : LKVM_EXIT_USAGE;
		return false;
	}
	*status = LKVM_EXIT_USAGE;
	if (target == CTL_CLIENT_ONE_ARG) {
		if (rest != argc - 1) {
			options_bad(cmd->name, "%s", rest < argc ? "one directory, please" :
				    "where to? (a directory)");
			return false;
		}
		o->arg = argv[rest++];
		target = CTL_CLIENT_ONE;
	}
	if (rest < argc) {
		options_bad(cmd->name, "unexpected argument '%s'", argv[rest]);
		return false;
	}
	if (target == CTL_CLIENT_ONE_OR_ALL && !o->name == !o->all) {
		options_bad(cmd->name, "%s", o->all ? "-n NAME and --all exclude each other"
						    : "which guest? (-n NAME or --all)");
		return false;
	}
	if (target == CTL_CLIENT_ONE && !o->name) {
		options_bad(cmd->name, "%s", "which guest? (-n NAME)");
		return false;
	}
	if (o->name && !ctl_proto_name_ok(o->name)) {
		options_bad(cmd->name, "invalid guest name '%.80s' (1 to 64 of A-Z a-z 0-9 . _ -, "
			    "not starting with a dot)", o->name);
		return false;
	}
	signal(SIGPIPE, SIG_IGN);
	*status = 0;
	return true;
}

int ctl_client_dir(char *buf, size_t size)
{
	if (ctl_proto_dir(getenv("LKVM_RUNTIME_DIR"), getenv("XDG_RUNTIME_DIR"), getenv("HOME"),
			  buf, size) < 0) {
		pr_err("no place for control sockets: "
		       "set LKVM_RUNTIME_DIR, XDG_RUNTIME_DIR or HOME");
		return -1;
	}
	return 0;
}

int ctl_client_ms_left(u64 deadline)
{
	u64 now = util_now_ns();

	if (now >= deadline)
		return 0;
	return (int)min_t(u64, (deadline - now + 999999) / 1000000, INT_MAX);
}

int ctl_client_open(struct ctl_client *c, const char *name, bool quiet)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	u64 deadline;
	int fd, err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->reply_ms = CTL_CLIENT_REPLY_MS;
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (ctl_client_dir(dir, sizeof(dir)) < 0)
		return -1;
	if (ctl_proto_sock_path(dir, name, sa.sun_path, sizeof(sa.sun_path)) < 0) {
		pr_err("guest %s: the socket path %s/%s.sock is too long for a UNIX socket", name,
		       dir, name);
		return -1;
	}
	/*
	 * Non-blocking: a server whose listen queue is full makes connect()
	 * wait for ever otherwise.  This way it says EAGAIN, and we retry for
	 * as long as a reply may take.
	 */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_err("socket: %s", strerror(errno));
		return -1;
	}
	deadline = util_now_ns() + (u64)c->reply_ms * 1000000;
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		if (err == EAGAIN && ctl_client_ms_left(deadline)) {
			usleep(10000);
			continue;
		}
		close(fd);
		if (err == ENOENT || err == ENOTDIR) {
			if (!quiet)
				pr_err("no guest named %s (no %s)", name, sa.sun_path);
			return -ENOENT;
		}
		if (err == ECONNREFUSED) {
			if (!quiet)
				pr_err("guest %s is not running (stale socket %s)", name,
				       sa.sun_path);
			return -ECONNREFUSED;
		}
		if (err == EAGAIN)
			pr_err("guest %s does not accept connections (%s)", name, sa.sun_path);
		else
			pr_err("cannot connect to guest %s (%s): %s", name, sa.sun_path,
			       strerror(err));
		return -1;
	}
	c->fd = fd;
	c->buf = xmalloc(CTL_CLIENT_MAX_LINE);
	return 0;
}

void ctl_client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

int ctl_client_send(struct ctl_client *c, const char *line, size_t len)
{
	u64 deadline = util_now_ns() + (u64)c->reply_ms * 1000000;

	while (len) {
		/* MSG_NOSIGNAL: a guest gone is an error return, whatever SIGPIPE does. */
		ssize_t r = send(c->fd, line, len, MSG_NOSIGNAL);
		struct pollfd pfd = { c->fd, POLLOUT, 0 };

		if (r > 0) {
			line += r;
			len -= (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EPIPE || errno == ECONNRESET))
			return -EPIPE;
		if (r < 0 && errno != EAGAIN) {
			pr_err("guest %s: sending the request: %s", c->name, strerror(errno));
			return -1;
		}
		if (!ctl_client_ms_left(deadline)) {
			pr_err("guest %s does not read its requests", c->name);
			return -1;
		}
		poll(&pfd, 1, ctl_client_ms_left(deadline));
	}
	return 0;
}

/* The start of a line from the server, for a message: printable, one line. */
static const char *excerpt(char *buf, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 60; i++)
		buf[i] = (unsigned char)s[i] < ' ' || s[i] == 0x7f ? '?' : s[i];
	strcpy(buf + i, n > 60 ? "..." : "");
	return buf;
}

/* Is @s[0..@n) one JSON object?  Reported as -1 if not. */
static int check_object(const struct ctl_client *c, const char *s, size_t n)
{
	const char *why = "not an object";
	char ex[64];
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	if (i < n && s[i] == '{' && json_valid(s, n, &why))
		return 0;
	pr_err("guest %s sent a line that is no JSON object (%s): '%s'", c->name, why,
	       excerpt(ex, s, n));
	return -1;
}

int ctl_client_recv(struct ctl_client *c, int timeout_ms, const char **line, size_t *len)
{
	u64 deadline = timeout_ms < 0 ? 0 : util_now_ns() + (u64)timeout_ms * 1000000;
	char *nl;

	/* The line handed out last is dropped now: the caller is done with it. */
	if (c->used) {
		memmove(c->buf, c->buf + c->used, c->len - c->used);
		c->len -= c->used;
		c->scan = 0;
		c->used = 0;
	}
	while (!(nl = memchr(c->buf + c->scan, '\n', c->len - c->scan))) {
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		ssize_t r;

		c->scan = c->len;
		if (c->eof)
			return 0;
		if (c->len == CTL_CLIENT_MAX_LINE) {
			pr_err("guest %s sent a line longer than %u bytes", c->name,
			       CTL_CLIENT_MAX_LINE);
			return -1;
		}
		r = poll(&pfd, 1, timeout_ms < 0 ? -1 : ctl_client_ms_left(deadline));
		if (r < 0 && errno != EINTR) {
			pr_err("guest %s: poll: %s", c->name, strerror(errno));
			return -1;
		}
		/* Checked after a poll, so that even a timeout of 0 reads what is there. */
		if (r <= 0 && timeout_ms >= 0 && !ctl_client_ms_left(deadline))
			return -ETIMEDOUT;
		if (r <= 0)
			continue;
		r = read(c->fd, c->buf + c->len, CTL_CLIENT_MAX_LINE - c->len);
		if (r > 0) {
			c->len += (size_t)r;
		} else if (r == 0 || errno == ECONNRESET) {
			/* A server that dies mid-line is a server gone: the half line goes too. */
			c->eof = true;
		} else if (errno != EINTR && errno != EAGAIN) {
			pr_err("guest %s: reading the reply: %s", c->name, strerror(errno));
			return -1;
		}
	}
	*line = c->buf;
	*len = (size_t)(nl - c->buf);
	c->used = *len + 1;
	return check_object(c, *line, *len) ? -1 : 1;
}

/* A string from the server, made fit for one line of a message. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			*s = ' ';
}

int ctl_client_check(const struct ctl_client *c, const char *reply, size_t len)
{
	char err[32], msg[900], ex[64];
	struct json_val v;

	if (!json_get(reply, len, "ok", &v) && v.type == JSON_BOOL && v.b)
		return 0;
	if (json_get(reply, len, "ok", &v) || v.type != JSON_BOOL) {
		pr_err("guest %s sent a reply without \"ok\": '%s'", c->name,
		       excerpt(ex, reply, len));
		return -1;
	}
	if (ctl_client_get_str(reply, len, "error", err, sizeof(err)))
		snprintf(err, sizeof(err), "error");
	one_line(err);
	if (ctl_client_get_str(reply, len, "message", msg, sizeof(msg))) {
		pr_err("guest %s: %s", c->name, err);
		return -1;
	}
	one_line(msg);
	pr_err("guest %s: %s (%s)", c->name, msg, err);
	return -1;
}

int ctl_client_call_line(struct ctl_client *c, const char *req, size_t n, const char **reply,
			 size_t *len)
{
	int r = ctl_client_send(c, req, n);

	if (r == -EPIPE) {
		pr_err("guest %s closed the connection", c->name);
		return -1;
	}
	if (r < 0)
		return -1;
	r = ctl_client_recv(c, c->reply_ms, reply, len);
	if (r == -ETIMEDOUT)
		pr_err("guest %s did not answer within %d ms", c->name, c->reply_ms);
	else if (!r)
		pr_err("guest %s closed the connection without a reply", c->name);
	if (r <= 0)
		return -1;
	return ctl_client_check(c, *reply, *len);
}

int ctl_client_call(struct ctl_client *c, const char *cmd, bool text, const char **reply,
		    size_t *len)
{
	char req[128];
	struct json_out out;
	int n;

	json_out_init(&out, req, sizeof(req));
	json_obj_begin(&out, NULL);
	json_str(&out, "cmd", cmd);
	if (text)
		json_bool(&out, "text", true);
	json_obj_end(&out);
	n = json_out_end(&out);
	if (n < 0) {
		pr_err("%s: the request does not fit", cmd);
		return -1;
	}
	return ctl_client_call_line(c, req, (size_t)n, reply, len);
}

int ctl_client_get_str(const char *reply, size_t len, const char *key, char *buf, size_t size)
{
	struct json_val v;

	if (json_get(reply, len, key, &v) || v.type != JSON_STRING)
		return -1;
	return json_string(&v, buf, size);
}

int ctl_client_flush(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (errno == EPIPE)
		return -EPIPE;
	pr_err("writing the output: %s", strerror(errno));
	return -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The guests with a socket in the directory, sorted (readdir's order means
 * nothing): *@names, @n of them, to be freed.  No directory is no guest.
 */
static int scan_dir(char ***names, size_t *n)
{
	char dir[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	if (ctl_client_dir(dir, sizeof(dir)) < 0)
		return -1;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		pr_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *name;

		if (len <= 5 || strcmp(e->d_name + len - 5, ".sock"))
			continue;
		name = xstrdup(e->d_name);
		name[len - 5] = '\0';
		if (!ctl_proto_name_ok(name)) {
			free(name);
			continue;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[(*n)++] = name;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), by_name);
	return 0;
}

int ctl_client_for_each(const struct ctl_client_opts *o, ctl_client_fn *fn, void *arg)
{
	bool failed = false;
	char **names;
	size_t n;

	if (scan_dir(&names, &n) < 0)
		return LKVM_EXIT_CTL_ERROR;
	for (size_t i = 0; i < n; i++) {
		struct ctl_client c;
		int r = ctl_client_open(&c, names[i], true);

		/* Gone since the scan, or a stale socket: not a guest any more. */
		if (r == -ENOENT || r == -ECONNREFUSED)
			continue;
		if (r < 0 || fn(&c, o, arg) < 0)
			failed = true;
		ctl_client_close(&c);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return failed ? LKVM_EXIT_CTL_ERROR : 0;
}

int ctl_client_each(const struct ctl_client_opts *o, ctl_client_fn *fn, void *arg)
{
	struct ctl_client c;
	int r;

	if (o->all)
		return ctl_client_for_each(o, fn, arg);
	if (ctl_client_open(&c, o->name, false) < 0)
		return LKVM_EXIT_CTL_ERROR;
	r = fn(&c, o, arg);
	ctl_client_close(&c);
	return r < 0 ? LKVM_EXIT_CTL_ERROR : 0;
}

int ctl_client_show_state(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	char state[32];
	const char *reply;
	size_t len;

	if (ctl_client_call(c, o->cmd, false, &reply, &len) < 0)
		return -1;
	if (ctl_client_get_str(reply, len, "state", state, sizeof(state))) {
		pr_err("guest %s: the reply gives no state", c->name);
		return -1;
	}
	printf("guest %s: %s\n", c->name, state);
	return ctl_client_flush() == -1 ? -1 : 0;
}

int ctl_client_show_reply(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	struct json_val v;
	const char *reply;
	size_t len;
	char *text;

	if (ctl_client_call(c, o->cmd, !o->json, &reply, &len) < 0)
		return -1;
	if (o->json || json_get(reply, len, "text", &v) || v.type != JSON_STRING) {
		/* A server that sends no text still says everything in JSON. */
		printf("%.*s\n", (int)len, reply);
		return ctl_client_flush() == -1 ? -1 : 0;
	}
	/* Decoding never makes a string longer than its JSON. */
	text = xmalloc(v.raw_len + 1);
	if (json_string(&v, text, v.raw_len + 1)) {
		pr_err("guest %s: the reply's text holds a NUL", c->name);
		free(text);
		return -1;
	}
	fputs(text, stdout);
	if (!*text || text[strlen(text) - 1] != '\n')
		putchar('\n');
	free(text);
	return ctl_client_flush() == -1 ? -1 : 0;
}

int ctl_client_just_call(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	const char *reply;
	size_t len;

	return ctl_client_call(c, o->cmd, false, &reply, &len);
}
