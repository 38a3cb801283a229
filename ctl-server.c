// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (docs/control.md), served from the main thread's poll
 * loop.  Nothing here blocks: sockets are non-blocking, a request line is
 * bounded, a reply that cannot be sent yet waits in its client's buffer, and
 * an event stream nobody reads loses events instead of growing.  Actions
 * that need the vCPUs out of KVM_RUN use vcpu_pause_all(), like everything
 * else in lkvm.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lkvm/ctl-proto.h"
#include "lkvm/ctl-report.h"
#include "lkvm/ctl-server.h"
#include "lkvm/json.h"
#include "lkvm/kvm-compat.h"
#include "lkvm/regs.h"
#include "lkvm/sdei-kvm.h"
#include "lkvm/sdei.h"
#include "lkvm/vcpu.h"
#include "lkvm/virtio.h"
#include "lkvm/vm.h"

/* An event stream's backlog: beyond it, events are dropped (and counted). */
#define LISTENER_BACKLOG	(64 * 1024)
/* How long an `sdei` reply waits for the handler to be entered. */
#define SDEI_WAIT_NS		(1000ULL * 1000 * 1000)
/* After accept() ran out of file descriptors, how long to leave the socket be. */
#define ACCEPT_BACKOFF_NS	(100ULL * 1000 * 1000)
/* linux/input-event-codes.h */
#define KEY_WAKEUP		143

struct client {
	int fd;
	bool listener;		/* an event stream: input is ignored */
	bool skipping;		/* inside an over-long line, up to its newline */
	bool dead;		/* closed by the peer, or failed: swept after serving */
	char in[CTL_MAX_REQUEST];
	size_t in_len;
	char *out;		/* replies not yet sent */
	size_t out_len, out_cap;
	u64 last_ns;		/* last activity, to pick whom to drop when full */
	u64 next_note, lost;	/* listeners, and sdei requests waiting */

	/* An `sdei` request waiting for its handler to be entered. */
	bool sdei_wait;
	u32 sdei_event;
	int sdei_cpu;		/* -1: a shared event */
	u64 sdei_deadline;
	char *sdei_id;		/* the request's "id", raw; NULL: none */
};

struct ctl_server {
	struct vm *vm;
	char name[CTL_MAX_NAME + 1];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	u64 accept_after;	/* accept() ran out of fds: leave the socket until then */
	struct client *clients[CTL_MAX_CLIENTS];
	int nr_clients;
	/* What each pollfd entry of the last ctl_server_poll_fds() is. */
	struct client *polled[CTL_POLL_FDS];
	bool polled_listen, polled_notes;
	/* The guest's virtual counter when the control socket paused it. */
	u64 counter;
	bool counter_saved;
	/* A `snapshot` the lifecycle is asked to take, and whom to answer (NULL: gone). */
	bool snap_pending;
	struct client *snap_client;
	char *snap_id;
	char snap_dir[CTL_MAX_PATH];
	bool snap_stop;
};

/* Whatever the way out of lkvm (an allocation failing included), the socket goes. */
static char *socket_to_remove;

static void remove_socket(void)
{
	if (socket_to_remove)
		unlink(socket_to_remove);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int r;

	if (fd < 0)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && errno != EAGAIN) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

static int bind_socket(struct ctl_server *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	for (int tries = 0; tries < 2; tries++) {
		if (!bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)))
			return 0;
		if (errno != EADDRINUSE)
			break;
		/* Someone listens: the name is taken.  Nobody: a dead lkvm's socket. */
		if (!connect_to(s->path)) {
			pr_err("a guest named '%s' is already running (its socket: %s)", s->name,
			       s->path);
			return -1;
		}
		if (lstat(s->path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
			pr_err("%s exists and is not a socket", s->path);
			return -1;
		}
		if (unlink(s->path) < 0 && errno != ENOENT)
			break;
	}
	pr_err("cannot listen on %s: %s", s->path, strerror(errno));
	return -1;
}

struct ctl_server *ctl_server_open(const char *name)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_server *s;
	struct stat st;

	if (!ctl_proto_name_ok(name)) {
		pr_err("invalid guest name '%.80s': 1 to %d of A-Z a-z 0-9 . _ -, not starting "
		       "with '.'", name, CTL_MAX_NAME);
		return NULL;
	}
	if (ctl_proto_dir(getenv("LKVM_RUNTIME_DIR"), getenv("XDG_RUNTIME_DIR"), getenv("HOME"),
			  dir, sizeof(dir)) < 0) {
		pr_err("no place for the control socket: set LKVM_RUNTIME_DIR, XDG_RUNTIME_DIR "
		       "or HOME (to a short enough path)");
		return NULL;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		pr_err("cannot create %s for the control socket: %s", dir, strerror(errno));
		return NULL;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		pr_err("%s cannot hold the control socket: %s", dir,
		       errno && !S_ISDIR(st.st_mode) ? "not a directory" : "owned by another user");
		return NULL;
	}
	s = xzalloc(sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (ctl_proto_sock_path(dir, name, s->path, sizeof(s->path)) < 0) {
		pr_err("the control socket's path %s/%s.sock is too long for a UNIX socket", dir,
		       name);
		free(s);
		return NULL;
	}
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0 || bind_socket(s) < 0) {
		if (s->listen_fd < 0)
			pr_err("socket: %s", strerror(errno));
		else
			close(s->listen_fd);
		free(s);
		return NULL;
	}
	socket_to_remove = s->path;
	atexit(remove_socket);
	if (chmod(s->path, 0600) < 0 || listen(s->listen_fd, 16) < 0) {
		pr_err("cannot listen on %s: %s", s->path, strerror(errno));
		close(s->listen_fd);
		remove_socket();
		socket_to_remove = NULL;
		free(s);
		return NULL;
	}
	return s;
}

void ctl_server_attach(struct ctl_server *s, struct vm *vm)
{
	s->vm = vm;
}

/* ---- output ------------------------------------------------------------------ */

static void client_flush(struct client *c)
{
	while (c->out_len && !c->dead) {
		ssize_t r = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			c->dead = true;
			return;
		}
		memmove(c->out, c->out + r, c->out_len - (size_t)r);
		c->out_len -= (size_t)r;
	}
}

/* Queue a line; an event line is dropped (and counted) once the backlog is full. */
static void client_send(struct client *c, const char *line, size_t len, bool event)
{
	if (c->dead)
		return;
	if (event && c->out_len + len > LISTENER_BACKLOG) {
		c->lost++;
		return;
	}
	if (c->out_len + len > c->out_cap) {
		c->out_cap = max_t(size_t, c->out_len + len, 2 * c->out_cap);
		c->out = xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, line, len);
	c->out_len += len;
	client_flush(c);
}

/* A reply starts with "ok" and the request's "id". */
static void reply_begin(struct json_out *o, bool ok, const char *id, size_t id_len)
{
	json_obj_begin(o, NULL);
	json_bool(o, "ok", ok);
	if (id)
		json_raw(o, "id", id, id_len);
}

static void reply_end(struct client *c, struct json_out *o)
{
	int len;

	json_obj_end(o);
	len = json_out_end(o);
	if (len < 0) {
		/* Only a bug of lkvm's makes a reply too big for its buffer. */
		pr_warn("control socket: a reply did not fit in its buffer");
		return;
	}
	client_send(c, o->buf, (size_t)len, false);
}

static void reply_error(struct client *c, const char *id, size_t id_len, enum ctl_err err,
			const char *why)
{
	char buf[512];
	struct json_out o;

	json_out_init(&o, buf, sizeof(buf));
	reply_begin(&o, false, id, id_len);
	json_str(&o, "error", ctl_proto_err_name(err));
	json_str(&o, "message", why);
	reply_end(c, &o);
}

/* ---- commands ---------------------------------------------------------------- */

bool ctl_server_counter(struct ctl_server *s, u64 *counter)
{
	*counter = s->counter;
	return atomic_load(&s->vm->paused) && s->counter_saved;
}

const char *ctl_server_snapshot_request(struct ctl_server *s, bool *stop)
{
	*stop = s->snap_stop;
	return s->snap_pending ? s->snap_dir : NULL;
}

void ctl_server_snapshot_done(struct ctl_server *s, const char *why,
			      const struct ctl_snapshot_result *res)
{
	struct client *c = s->snap_client;
	const char *id = s->snap_id;
	char buf[1024 + CTL_MAX_PATH];
	struct json_out o;

	s->snap_pending = false;
	s->snap_client = NULL;
	if (c && why) {
		reply_error(c, id, id ? strlen(id) : 0, CTL_ERR_REFUSED, why);
	} else if (c) {
		json_out_init(&o, buf, sizeof(buf));
		reply_begin(&o, true, id, id ? strlen(id) : 0);
		json_str(&o, "dir", s->snap_dir);
		json_u64(&o, "ms", res->ms);
		json_u64(&o, "ram_bytes", res->ram_bytes);
		json_u64(&o, "state_bytes", res->state_bytes);
		json_str(&o, "state", ctl_proto_state_name(s->snap_stop ? CTL_STATE_SHUTTING_DOWN :
							    vm_state(s->vm)));
		reply_end(c, &o);
	}
	free(s->snap_id);
	s->snap_id = NULL;
}

void ctl_server_pause(struct ctl_server *s)
{
	struct vm *vm = s->vm;

	if (atomic_load(&vm->paused))
		return;
	vcpu_pause_all(vm, NULL);
	/*
	 * The guest's clocks stop with it: the counter is put back at the
	 * resume, so that the guest does not see the time it was held.
	 */
	s->counter_saved = !vcpu_get_reg(vm->vcpus[0], REG_TIMER_CNT, &s->counter);
	if (!s->counter_saved)
		pr_warn("pause: reading the guest's counter: %s (its clock will jump)",
			strerror(errno));
	atomic_store(&vm->paused, true);
	vm_note(vm, CTL_EV_PAUSE, -1, 0);
}

void ctl_server_resume(struct ctl_server *s)
{
	struct vm *vm = s->vm;

	if (!atomic_load(&vm->paused))
		return;
	if (s->counter_saved && vcpu_set_reg(vm->vcpus[0], REG_TIMER_CNT, s->counter) < 0)
		pr_warn("resume: restoring the guest's counter: %s", strerror(errno));
	atomic_store(&vm->paused, false);
	vcpu_resume_all(vm, NULL);
	vm_note(vm, CTL_EV_UNPAUSE, -1, 0);
}

static void cmd_status(struct ctl_server *s, struct json_out *o)
{
	json_str(o, "name", s->name);
	json_u64(o, "pid", (u64)getpid());
	json_str(o, "state", ctl_proto_state_name(vm_state(s->vm)));
	json_u64(o, "vcpus", (u64)s->vm->nr_vcpus);
}

/*
 * Wake a suspended guest: its wake-up button is pressed (the key reaches the
 * guest once its driver is back), and the platform wakes the suspended PE,
 * as firmware does on a power-button press.  Linux frees a virtio device's
 * interrupt when it suspends (docs/control.md), so no device interrupt is
 * left that could wake it.
 */
static const char *cmd_wake(struct ctl_server *s)
{
	struct vm *vm = s->vm;

	if (!atomic_load(&vm->nr_suspended))
		return "the guest is not suspended";
	if (vm->wake_dev && virtio_input_press(vm->wake_dev, KEY_WAKEUP) < 0)
		pr_warn("lkvm wake: the wake-up button's queue is full; waking without it");
	for (int i = 0; i < vm->nr_vcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_WAKE);
	return NULL;
}

static void sdei_reply(struct client *c, bool delivered, const char *reason, int cpu)
{
	char buf[512];
	struct json_out o;

	json_out_init(&o, buf, sizeof(buf));
	reply_begin(&o, true, c->sdei_id, c->sdei_id ? strlen(c->sdei_id) : 0);
	json_str(&o, "result", delivered ? "delivered" : "pending");
	if (delivered)
		json_u64(&o, "cpu", (u64)cpu);
	else
		json_str(&o, "reason", reason);
	reply_end(c, &o);
	free(c->sdei_id);
	c->sdei_id = NULL;
	c->sdei_wait = false;
}

/*
 * Raise an SDEI event.  The reply waits for a handler to be entered (a note
 * from the vCPU that enters it), for SDEI_WAIT_NS at most; NULL when it
 * waits, else why the event was refused (with *@err set).
 */
static const char *cmd_sdei(struct ctl_server *s, struct client *c, const struct ctl_req *req,
			    enum ctl_err *err, char *why, size_t why_len)
{
	struct vm *vm = s->vm;
	bool shared = sdei_event_is_shared(req->event);
	int cpu = req->cpu < 0 ? 0 : req->cpu, r;

	*err = CTL_ERR_REFUSED;
	if (!vm->sdei)
		return "SDEI is off (--no-sdei, or this host cannot forward it)";
	if (cpu >= vm->nr_vcpus) {
		*err = CTL_ERR_BAD_ARG;
		snprintf(why, why_len, "no cpu %d: the guest has %d", cpu, vm->nr_vcpus);
		return why;
	}
	/* Listen before raising: the delivery may come at once. */
	atomic_fetch_add(&vm->note_listeners, 1);
	c->next_note = vm_notes_next(vm);
	r = sdei_kvm_raise(vm, req->event, cpu);
	if (r) {
		atomic_fetch_sub(&vm->note_listeners, 1);
		if (r < 0) {
			*err = CTL_ERR_BAD_ARG;
			snprintf(why, why_len, "event %u is not one the host can raise "
				 "(1000, 1001 private; 2000, 2001 shared)", req->event);
		} else if (shared) {
			snprintf(why, why_len, "event %u is not registered", req->event);
		} else {
			snprintf(why, why_len, "event %u is not registered on cpu %d", req->event,
				 cpu);
		}
		return why;
	}
	c->sdei_wait = true;
	c->sdei_event = req->event;
	c->sdei_cpu = shared ? -1 : cpu;
	c->sdei_deadline = util_now_ns() + SDEI_WAIT_NS;
	c->sdei_id = req->has_id ? strndup(req->id_raw, req->id_len) : NULL;
	return NULL;
}

static void sdei_wait_end(struct ctl_server *s, struct client *c, bool delivered, int cpu)
{
	const char *why = NULL;

	atomic_fetch_sub(&s->vm->note_listeners, 1);
	if (!delivered) {
		if (atomic_load(&s->vm->paused))
			why = "the guest is paused";
		else
			why = sdei_kvm_pending_reason(s->vm, c->sdei_event,
						      c->sdei_cpu < 0 ? 0 : c->sdei_cpu);
		/* Nothing pending any more: it went in after all (its note was lost). */
		delivered = !why;
		cpu = c->sdei_cpu;
	}
	sdei_reply(c, delivered, why, cpu < 0 ? 0 : cpu);
}

static void become_listener(struct ctl_server *s, struct client *c)
{
	c->listener = true;
	atomic_fetch_add(&s->vm->note_listeners, 1);
	c->next_note = vm_notes_next(s->vm);
	c->in_len = 0;
}

/* ---- requests ---------------------------------------------------------------- */

/* CTL_ACT_STOP when the request was `stop`. */
static enum ctl_action handle_line(struct ctl_server *s, struct client *c, const char *line,
				   size_t n)
{
	struct vm *vm = s->vm;
	struct ctl_req req;
	const char *why = NULL;
	char why_buf[160];
	enum ctl_err err;
	struct json_out o;
	size_t cap;
	char *buf;

	while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (!n)
		return CTL_ACT_NONE;
	err = ctl_proto_parse(line, n, &req, &why);
	if (err != CTL_ERR_NONE) {
		reply_error(c, NULL, 0, err, why);
		return CTL_ACT_NONE;
	}
	cap = req.cmd == CTL_CMD_DEBUG ? 4096 + 6144 * (size_t)vm->nr_vcpus : 4096;
	buf = xmalloc(cap);
	json_out_init(&o, buf, cap);
	switch (req.cmd) {
	case CTL_CMD_WAKE:
		why = cmd_wake(s);
		err = CTL_ERR_REFUSED;
		break;
	case CTL_CMD_SDEI:
		why = cmd_sdei(s, c, &req, &err, why_buf, sizeof(why_buf));
		if (!why) {
			free(buf);
			return CTL_ACT_NONE;	/* the reply comes later */
		}
		break;
	case CTL_CMD_SNAPSHOT:
		/* The lifecycle takes it (builtin-run.c) and answers through ctl_server_snapshot_done(). */
		free(buf);
		s->snap_pending = true;
		s->snap_client = c;
		s->snap_id = req.has_id ? strndup(req.id_raw, req.id_len) : NULL;
		memcpy(s->snap_dir, req.dir, sizeof(s->snap_dir));
		s->snap_stop = req.stop;
		return CTL_ACT_SNAPSHOT;
	default:
		break;
	}
	if (why) {
		reply_error(c, req.id_raw, req.has_id ? req.id_len : 0, err, why);
		free(buf);
		return CTL_ACT_NONE;
	}
	reply_begin(&o, true, req.has_id ? req.id_raw : NULL, req.id_len);
	switch (req.cmd) {
	case CTL_CMD_STATUS:
		cmd_status(s, &o);
		break;
	case CTL_CMD_PAUSE:
		ctl_server_pause(s);
		json_str(&o, "state", ctl_proto_state_name(vm_state(vm)));
		break;
	case CTL_CMD_RESUME:
		ctl_server_resume(s);
		json_str(&o, "state", ctl_proto_state_name(vm_state(vm)));
		break;
	case CTL_CMD_DEBUG:
		ctl_report_debug(vm, &o, req.text);
		break;
	case CTL_CMD_STAT:
		ctl_report_stat(vm, &o, req.text);
		break;
	case CTL_CMD_EVENTS:
		json_str(&o, "state", ctl_proto_state_name(vm_state(vm)));
		become_listener(s, c);
		break;
	default:	/* stop, wake: nothing more to say */
		break;
	}
	reply_end(c, &o);
	free(buf);
	return req.cmd == CTL_CMD_STOP ? CTL_ACT_STOP : CTL_ACT_NONE;
}

/*
 * Serve the whole lines in the client's buffer, in order, until one needs
 * waiting for (`sdei`), turns the connection into a stream, or is `stop`.
 */
static enum ctl_action serve_lines(struct ctl_server *s, struct client *c)
{
	enum ctl_action act = CTL_ACT_NONE;
	char *start = c->in, *nl;
	size_t left = c->in_len;

	while (!c->sdei_wait && !c->listener && !act && (nl = memchr(start, '\n', left))) {
		if (c->skipping)
			c->skipping = false;
		else
			act = handle_line(s, c, start, (size_t)(nl - start));
		left -= (size_t)(nl + 1 - start);
		start = nl + 1;
	}
	if (c->listener)
		left = 0;	/* a stream takes no more requests */
	memmove(c->in, start, left);
	c->in_len = left;
	return act;
}

static enum ctl_action client_read(struct ctl_server *s, struct client *c)
{
	enum ctl_action act;
	ssize_t r;

	r = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		c->dead = true;
		return CTL_ACT_NONE;
	}
	if (r < 0)
		return CTL_ACT_NONE;
	c->last_ns = util_now_ns();
	if (c->listener)
		return CTL_ACT_NONE;
	c->in_len += (size_t)r;
	act = serve_lines(s, c);
	if (c->in_len == sizeof(c->in)) {
		if (!c->skipping)
			reply_error(c, NULL, 0, CTL_ERR_TOO_LONG, "a request is one line of at most "
				    "4096 bytes");
		c->skipping = true;
		c->in_len = 0;
	}
	return act;
}

/* ---- events ------------------------------------------------------------------ */

static void send_note(struct client *c, const struct vm_note *n)
{
	char buf[256];
	struct json_out o;
	int len;

	json_out_init(&o, buf, sizeof(buf));
	json_obj_begin(&o, NULL);
	json_str(&o, "event", ctl_proto_event_name(n->event));
	if (n->cpu >= 0)
		json_u64(&o, "cpu", (u64)n->cpu);
	if (n->event == CTL_EV_SDEI_RAISE || n->event == CTL_EV_SDEI_DELIVER)
		json_u64(&o, "event_nr", n->arg);
	json_str(&o, "state", ctl_proto_state_name(n->state));
	json_u64(&o, "t_ms", n->t_ns / 1000000);
	json_obj_end(&o);
	len = json_out_end(&o);
	if (len > 0)
		client_send(c, buf, (size_t)len, true);
}

static void send_lost(struct client *c)
{
	char buf[128];
	int len;

	len = snprintf(buf, sizeof(buf), "{\"event\":\"lost\",\"count\":%llu}\n",
		       (unsigned long long)c->lost);
	c->lost = 0;
	client_send(c, buf, (size_t)len, true);
}

static void pass_notes(struct ctl_server *s)
{
	struct vm_note notes[16];
	u64 cnt;

	if (read(s->vm->note_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		pr_warn("control socket: reading its eventfd: %s", strerror(errno));
	for (int i = 0; i < s->nr_clients; i++) {
		struct client *c = s->clients[i];
		int n;

		if (c->dead || (!c->listener && !c->sdei_wait))
			continue;
		while ((n = vm_notes_read(s->vm, &c->next_note, notes, 16, &c->lost)) > 0) {
			for (int j = 0; j < n; j++) {
				const struct vm_note *nt = &notes[j];

				if (c->sdei_wait && nt->event == CTL_EV_SDEI_DELIVER &&
				    nt->arg == c->sdei_event &&
				    (c->sdei_cpu < 0 || nt->cpu == c->sdei_cpu)) {
					sdei_wait_end(s, c, true, nt->cpu);
					break;
				}
				if (!c->listener)
					continue;
				if (c->lost && c->out_len < LISTENER_BACKLOG / 2)
					send_lost(c);
				send_note(c, nt);
			}
			if (!c->listener && !c->sdei_wait)
				break;
		}
		if (!c->listener)
			c->lost = 0;
	}
}

/* ---- connections ------------------------------------------------------------- */

static void client_free(struct ctl_server *s, struct client *c)
{
	if (c == s->snap_client)
		s->snap_client = NULL;
	if (c->listener || c->sdei_wait)
		atomic_fetch_sub(&s->vm->note_listeners, 1);
	close(c->fd);
	free(c->out);
	free(c->sdei_id);
	free(c);
}

static void sweep(struct ctl_server *s)
{
	int j = 0;

	for (int i = 0; i < s->nr_clients; i++) {
		if (s->clients[i]->dead)
			client_free(s, s->clients[i]);
		else
			s->clients[j++] = s->clients[i];
	}
	s->nr_clients = j;
}

/* Full: drop the client idle the longest (no request under way, no stream). */
static bool make_room(struct ctl_server *s)
{
	struct client *oldest = NULL;

	for (int i = 0; i < s->nr_clients; i++) {
		struct client *c = s->clients[i];

		if (c->listener || c->sdei_wait || c->in_len || c->out_len)
			continue;
		if (!oldest || c->last_ns < oldest->last_ns)
			oldest = c;
	}
	if (!oldest)
		return false;
	oldest->dead = true;
	sweep(s);
	return true;
}

static void refuse(int fd, enum ctl_err err, const char *why)
{
	struct client c = { .fd = fd };

	reply_error(&c, NULL, 0, err, why);
	free(c.out);
	close(fd);
}

static void accept_clients(struct ctl_server *s)
{
	/* A burst of connections is taken a few at a time: the guest's events come first. */
	for (int i = 0; i < 16; i++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct client *c;
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				s->accept_after = util_now_ns() + ACCEPT_BACKOFF_NS;
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		    cred.uid != geteuid()) {
			char why[96];

			snprintf(why, sizeof(why), "connections from uid %u are refused",
				 (unsigned int)cred.uid);
			refuse(fd, CTL_ERR_REFUSED, why);
			continue;
		}
		if (s->nr_clients == CTL_MAX_CLIENTS && !make_room(s)) {
			refuse(fd, CTL_ERR_BUSY, "too many clients");
			continue;
		}
		c = xzalloc(sizeof(*c));
		c->fd = fd;
		c->last_ns = util_now_ns();
		s->clients[s->nr_clients++] = c;
	}
}

int ctl_server_poll_fds(struct ctl_server *s, struct pollfd *pfd)
{
	int n = 0;

	s->polled_listen = s->accept_after <= util_now_ns();
	if (s->polled_listen)
		pfd[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
	s->polled_notes = atomic_load(&s->vm->note_listeners) > 0;
	if (s->polled_notes)
		pfd[n++] = (struct pollfd){ .fd = s->vm->note_fd, .events = POLLIN };
	for (int i = 0; i < s->nr_clients; i++) {
		struct client *c = s->clients[i];
		short ev = c->sdei_wait ? 0 : POLLIN;

		if (c->out_len)
			ev |= POLLOUT;
		s->polled[n] = c;
		pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
	}
	return n;
}

int ctl_server_timeout(struct ctl_server *s)
{
	u64 now = util_now_ns(), next = ~0ULL;

	if (s->accept_after > now)
		next = s->accept_after;
	for (int i = 0; i < s->nr_clients; i++)
		if (s->clients[i]->sdei_wait)
			next = min_t(u64, next, s->clients[i]->sdei_deadline);
	if (next == ~0ULL)
		return -1;
	return next <= now ? 0 : (int)((next - now) / 1000000 + 1);
}

enum ctl_action ctl_server_serve(struct ctl_server *s, struct pollfd *pfd, int n)
{
	enum ctl_action act = CTL_ACT_NONE;
	u64 now = util_now_ns();
	int i = 0;

	if (s->polled_listen)
		i++;
	if (s->polled_notes && (pfd[i++].revents & POLLIN))
		pass_notes(s);
	for (; i < n && act == CTL_ACT_NONE; i++) {
		struct client *c = s->polled[i];

		if (c->dead)
			continue;
		if (pfd[i].revents & POLLOUT)
			client_flush(c);
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			act = client_read(s, c);
	}
	for (i = 0; i < s->nr_clients && act == CTL_ACT_NONE; i++) {
		struct client *c = s->clients[i];

		if (c->dead)
			continue;
		if (c->sdei_wait && now >= c->sdei_deadline)
			sdei_wait_end(s, c, false, -1);
		/* Requests sent while an `sdei` waited, now that it has its reply. */
		if (!c->sdei_wait && c->in_len)
			act = serve_lines(s, c);
	}
	sweep(s);
	if (s->polled_listen && (pfd[0].revents & POLLIN) && act == CTL_ACT_NONE)
		accept_clients(s);
	return act;
}

void ctl_server_close(struct ctl_server *s)
{
	u64 until = util_now_ns() + 200 * 1000000ULL;

	if (!s)
		return;
	close(s->listen_fd);
	remove_socket();
	socket_to_remove = NULL;
	if (s->vm)
		pass_notes(s);
	/* The last events, for a moment at most: a listener that does not read loses them. */
	for (;;) {
		struct pollfd pfd[CTL_MAX_CLIENTS];
		int n = 0;

		for (int i = 0; i < s->nr_clients; i++)
			if (s->clients[i]->out_len && !s->clients[i]->dead)
				pfd[n++] = (struct pollfd){ .fd = s->clients[i]->fd, .events = POLLOUT };
		if (!n || util_now_ns() >= until || poll(pfd, (nfds_t)n, 20) < 0)
			break;
		for (int i = 0; i < s->nr_clients; i++)
			client_flush(s->clients[i]);
	}
	for (int i = 0; i < s->nr_clients; i++) {
		if (s->vm)
			client_free(s, s->clients[i]);
		else
			close(s->clients[i]->fd);
	}
	free(s);
}
