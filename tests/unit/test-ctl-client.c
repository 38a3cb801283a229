// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's client side (ctl-client.c) and the subcommands built
 * on it (builtin-list.c ... builtin-sdei.c, compiled into this test: they are
 * glue only because builtin.h also declares builtin_run), against fake
 * servers: threads listening on sockets in a temporary LKVM_RUNTIME_DIR that
 * answer each connection with a scripted reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lkvm/builtin.h"
#include "lkvm/ctl-client.h"
#include "tap.h"

#include "../../builtin-debug.c"
#include "../../builtin-events.c"
#include "../../builtin-list.c"
#include "../../builtin-pause.c"
#include "../../builtin-resume.c"
#include "../../builtin-sdei.c"
#include "../../builtin-stat.c"
#include "../../builtin-stop.c"
#include "../../builtin-wait.c"
#include "../../builtin-wake.c"

static char dir[64];

/* ---- fake servers ------------------------------------------------------- */

struct fake {
	const char *name;
	const char *reply;	/* sent after each request line; NULL: nothing */
	size_t reply_len;	/* 0: strlen(reply) */
	int hold_ms;		/* then keep the connection (until the client closes) */
	int delay_ms;		/* listen only after this long */
	int nconn;		/* connections to serve (default 1) */
	/* What it saw, read after fake_stop(). */
	char got[4096];		/* the last request line, without its newline */
	int served;
	int lfd;
	pthread_t thread;
};

static void sock_path(const char *name, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s.sock", dir, name);
}

static int fake_listen(const char *name, bool do_listen)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sock_path(name, &sa);
	unlink(sa.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (do_listen && listen(fd, 8))) {
		tap_diag("fake %s: %s", name, strerror(errno));
		abort();
	}
	return fd;
}

/* A socket file nobody listens on: what an lkvm that was killed leaves. */
static void make_stale(const char *name)
{
	close(fake_listen(name, false));
}

static bool wait_in(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, ms) > 0;
}

static void serve(struct fake *f, int cfd)
{
	size_t n = 0, len = f->reply ? (f->reply_len ? f->reply_len : strlen(f->reply)) : 0;
	const char *p = f->reply;
	char ch;

	while (n < sizeof(f->got) - 1 && wait_in(cfd, 5000) && read(cfd, &ch, 1) == 1 &&
	       ch != '\n')
		f->got[n++] = ch;
	f->got[n] = '\0';
	while (len) {
		ssize_t r = send(cfd, p, len, MSG_NOSIGNAL);

		if (r <= 0)
			break;
		p += r;
		len -= (size_t)r;
	}
	/* Until the hold ends or the client hangs up (then the poll says POLLHUP). */
	if (f->hold_ms)
		wait_in(cfd, f->hold_ms);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;

	if (f->delay_ms) {
		usleep(1000 * (useconds_t)f->delay_ms);
		f->lfd = fake_listen(f->name, true);
	}
	for (int i = 0; i < (f->nconn ? f->nconn : 1); i++) {
		int cfd;

		if (!wait_in(f->lfd, 5000))
			break;
		cfd = accept(f->lfd, NULL, NULL);
		if (cfd < 0)
			break;
		serve(f, cfd);
		close(cfd);
		f->served++;
	}
	return NULL;
}

static void fake_start(struct fake *f)
{
	f->lfd = f->delay_ms ? -1 : fake_listen(f->name, true);
	pthread_create(&f->thread, NULL, fake_main, f);
}

static void fake_stop(struct fake *f)
{
	struct sockaddr_un sa;

	pthread_join(f->thread, NULL);
	close(f->lfd);
	sock_path(f->name, &sa);
	unlink(sa.sun_path);
}

/* ---- running a subcommand ------------------------------------------------ */

static char out[8192], err[8192];

static void slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * Run "lkvm LINE" (words split at spaces) with its stdout and stderr caught
 * in out[] and err[]; the exit status.  @stdout_fd, if not -1, is its stdout
 * instead.
 */
static int lkvm_fd(int stdout_fd, const char *line)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "list", builtin_list }, { "pause", builtin_pause }, { "resume", builtin_resume },
		{ "stop", builtin_stop }, { "debug", builtin_debug }, { "stat", builtin_stat },
		{ "wait", builtin_wait }, { "events", builtin_events }, { "wake", builtin_wake },
		{ "sdei", builtin_sdei },
	};
	char buf[512], *argv[32];
	FILE *fo = tmpfile(), *fe = tmpfile();
	int argc = 0, status = -1, o, e;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	fflush(stdout);
	o = dup(1);
	e = dup(2);
	dup2(stdout_fd >= 0 ? stdout_fd : fileno(fo), 1);
	dup2(fileno(fe), 2);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[0], cmds[i].name))
			status = cmds[i].fn(argc, argv);
	fflush(stdout);
	clearerr(stdout);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	slurp(fo, out, sizeof(out));
	slurp(fe, err, sizeof(err));
	return status;
}

static int lkvm(const char *line)
{
	return lkvm_fd(-1, line);
}

static u64 ms_since(u64 t0)
{
	return (util_now_ns() - t0) / 1000000;
}

/* ---- the tests ------------------------------------------------------------ */

static void test_dir(void)
{
	char buf[256];

	setenv("LKVM_RUNTIME_DIR", "/r", 1);
	setenv("XDG_RUNTIME_DIR", "/x", 1);
	setenv("HOME", "/h", 1);
	tap_ok(!ctl_client_dir(buf, sizeof(buf)) && !strcmp(buf, "/r"),
	       "LKVM_RUNTIME_DIR comes first: %s", buf);
	setenv("LKVM_RUNTIME_DIR", "", 1);
	tap_ok(!ctl_client_dir(buf, sizeof(buf)) && !strcmp(buf, "/x/lkvm"),
	       "then XDG_RUNTIME_DIR/lkvm (an empty LKVM_RUNTIME_DIR is none): %s", buf);
	unsetenv("XDG_RUNTIME_DIR");
	tap_ok(!ctl_client_dir(buf, sizeof(buf)) && !strcmp(buf, "/h/.lkvm"),
	       "then HOME/.lkvm: %s", buf);
	unsetenv("HOME");
	unsetenv("LKVM_RUNTIME_DIR");
	tap_ok(ctl_client_dir(buf, sizeof(buf)) == -1, "none of them: an error");
	setenv("LKVM_RUNTIME_DIR", dir, 1);
}

static void test_connect(void)
{
	struct ctl_client c;

	tap_ok(lkvm("pause -n nobody") == LKVM_EXIT_CTL_ERROR &&
		       strstr(err, "no guest named nobody"),
	       "no socket: 'no guest named', status 2");
	tap_ok(ctl_client_open(&c, "nobody", true) == -ENOENT, "no socket: -ENOENT");
	make_stale("stale");
	tap_ok(lkvm("pause -n stale") == LKVM_EXIT_CTL_ERROR &&
		       strstr(err, "guest stale is not running (stale socket"),
	       "a socket nobody listens on: 'not running (stale socket ...)', status 2");
	tap_ok(ctl_client_open(&c, "stale", true) == -ECONNREFUSED, "stale socket: -ECONNREFUSED");
}

static void test_call(void)
{
	struct fake f = { .name = "g", .reply = "{\"ok\":true,\"state\":\"paused\"}\n" };
	struct ctl_client c;
	const char *line;
	size_t len;
	u64 t0, ms;
	char *big;
	int r;

	fake_start(&f);
	tap_ok(lkvm("pause -n g") == 0 && !strcmp(out, "guest g: paused\n"),
	       "pause prints the state after it: guest g: paused");
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"pause\"}"), "the request is one line: %s", f.got);

	/* A server that says nothing: the reply timeout, then an error. */
	f = (struct fake){ .name = "mute", .hold_ms = 3000 };
	fake_start(&f);
	ctl_client_open(&c, "mute", false);
	c.reply_ms = 200;
	t0 = util_now_ns();
	r = ctl_client_call(&c, "stat", false, &line, &len);
	ms = ms_since(t0);
	tap_ok(r == -1 && ms >= 190 && ms < 2000,
	       "a server that does not answer: an error after the reply timeout (%llu ms)",
	       (unsigned long long)ms);
	tap_ok(ctl_client_recv(&c, 50, &line, &len) == -ETIMEDOUT,
	       "recv: -ETIMEDOUT, for the caller to judge");
	ctl_client_close(&c);
	fake_stop(&f);

	/* A line longer than the buffer: an error, not growth. */
	big = malloc(CTL_CLIENT_MAX_LINE + 16);
	memset(big, 'x', CTL_CLIENT_MAX_LINE + 16);
	f = (struct fake){ .name = "big", .reply = big, .reply_len = CTL_CLIENT_MAX_LINE + 16 };
	fake_start(&f);
	tap_ok(lkvm("stat -n big") == LKVM_EXIT_CTL_ERROR && strstr(err, "longer than"),
	       "an over-long reply line: an error");
	fake_stop(&f);
	free(big);

	f = (struct fake){ .name = "junk", .reply = "hello\n" };
	fake_start(&f);
	tap_ok(lkvm("stat -n junk") == LKVM_EXIT_CTL_ERROR && strstr(err, "no JSON object"),
	       "a reply that is not JSON: an error");
	fake_stop(&f);

	f = (struct fake){ .name = "arr", .reply = "[1,2]\n" };
	fake_start(&f);
	tap_ok(lkvm("stat -n arr") == LKVM_EXIT_CTL_ERROR && strstr(err, "no JSON object"),
	       "a reply that is JSON but no object: an error");
	fake_stop(&f);

	f = (struct fake){ .name = "no",
			   .reply = "{\"ok\":false,\"error\":\"refused\",\"message\":"
				    "\"the guest is\\nnot suspended\"}\n" };
	fake_start(&f);
	tap_ok(lkvm("wake -n no") == LKVM_EXIT_CTL_ERROR && !out[0] &&
		       !strcmp(err, "lkvm: guest no: the guest is not suspended (refused)\n"),
	       "a refusal: the server's message as one line, status 2");
	fake_stop(&f);

	f = (struct fake){ .name = "busy", .reply = "{\"ok\":false,\"error\":\"busy\"}\n" };
	fake_start(&f);
	tap_ok(lkvm("resume -n busy") == LKVM_EXIT_CTL_ERROR && strstr(err, "guest busy: busy"),
	       "an error without a message: its code");
	fake_stop(&f);

	f = (struct fake){ .name = "gone" };
	fake_start(&f);
	tap_ok(lkvm("pause -n gone") == LKVM_EXIT_CTL_ERROR && strstr(err, "without a reply"),
	       "a connection closed before the reply: an error");
	fake_stop(&f);

	f = (struct fake){ .name = "w", .reply = "{\"ok\":true}\n" };
	fake_start(&f);
	tap_ok(lkvm("wake -n w") == 0 && !out[0] && !err[0], "wake prints nothing");
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"wake\"}"), "wake sends wake");
}

static void test_list(void)
{
	struct fake a = { .name = "alpha",
			  .reply = "{\"ok\":true,\"name\":\"alpha\",\"pid\":41,"
				   "\"state\":\"running\",\"vcpus\":1}\n", .nconn = 2 };
	struct fake b = { .name = "beta.2",
			  .reply = "{\"ok\":true,\"name\":\"beta.2\",\"pid\":4242,"
				   "\"state\":\"suspended\",\"vcpus\":2}\n", .nconn = 2 };
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	unlink(path);
	rmdir(dir);
	tap_ok(lkvm("list") == 0 && !strcmp(out, "NAME  PID      STATE\n"),
	       "no directory: no guest, only the header");
	mkdir(dir, 0700);
	fake_start(&b);
	fake_start(&a);
	make_stale("dead");
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	snprintf(path, sizeof(path), "%s/.hidden.sock", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	tap_ok(lkvm("list") == 0 && !strcmp(out, "NAME    PID      STATE\n"
						 "alpha   41       running\n"
						 "beta.2  4242     suspended\n"),
	       "list: the live guests in name order, the stale and the foreign skipped");
	tap_ok(lkvm("list --json") == 0 &&
		       !strcmp(out, "{\"guests\":["
				    "{\"name\":\"alpha\",\"pid\":41,\"state\":\"running\"},"
				    "{\"name\":\"beta.2\",\"pid\":4242,"
				    "\"state\":\"suspended\"}]}\n"),
	       "list --json: one line");
	fake_stop(&a);
	fake_stop(&b);
	tap_ok(!strcmp(a.got, "{\"cmd\":\"status\"}"), "list asks each guest for its status");
	unlink(path);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	unlink(path);
}

static int count_visits(struct ctl_client *c, const struct ctl_client_opts *o, void *arg)
{
	char *seen = arg;

	strcat(seen, c->name);
	strcat(seen, " ");
	return strcmp(c->name, "fails") ? 0 : -1;
}

static void test_all(void)
{
	struct fake a = { .name = "a1", .reply = "{\"ok\":true,\"state\":\"paused\"}\n" };
	struct fake b = { .name = "b2", .reply = "{\"ok\":true,\"state\":\"paused\"}\n" };
	struct fake c = { .name = "fails", .hold_ms = 10 };
	struct ctl_client_opts o = { .all = true };
	char seen[128] = "";

	fake_start(&a);
	fake_start(&b);
	tap_ok(lkvm("pause --all") == 0 && !strcmp(out, "guest a1: paused\nguest b2: paused\n"),
	       "pause --all: every live guest, in name order (the stale one skipped)");
	fake_stop(&a);
	fake_stop(&b);
	tap_ok(!strcmp(a.got, "{\"cmd\":\"pause\"}") && !strcmp(b.got, "{\"cmd\":\"pause\"}"),
	       "each got the request");
	fake_start(&a);
	fake_start(&c);
	tap_ok(ctl_client_for_each(&o, count_visits, seen) == LKVM_EXIT_CTL_ERROR &&
		       !strcmp(seen, "a1 fails "),
	       "one failure among them: the others still done, status 2 (%s)", seen);
	fake_stop(&a);
	fake_stop(&c);
	seen[0] = '\0';
	tap_ok(ctl_client_for_each(&o, count_visits, seen) == 0 && !seen[0],
	       "no live guest: nothing done, success");
}

static void test_wait(void)
{
	struct fake f = { .name = "ci",
			  .reply = "{\"ok\":true,\"state\":\"running\"}\n"
				   "{\"event\":\"pause\",\"state\":\"paused\",\"t_ms\":10}\n"
				   "{\"event\":\"suspend\",\"cpu\":0,"
				   "\"state\":\"suspended\",\"t_ms\":20}\n",
			  .hold_ms = 3000 };
	u64 t0, ms;
	int r;

	fake_start(&f);
	tap_ok(lkvm("wait -n ci --state suspended --timeout 2") == 0,
	       "wait: reaches the state from the event stream");
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"events\"}"), "wait asks for the event stream");

	f.hold_ms = 0;
	fake_start(&f);
	tap_ok(lkvm("wait -n ci --state off") == 0, "wait --state off: the end of the stream");
	fake_stop(&f);
	fake_start(&f);
	tap_ok(lkvm("wait -n ci --state rebooting --timeout 2") == LKVM_EXIT_CTL_ERROR &&
		       strstr(err, "exited before it was rebooting"),
	       "the stream ends first: status 2");
	fake_stop(&f);

	f.hold_ms = 3000;
	fake_start(&f);
	t0 = util_now_ns();
	r = lkvm("wait -n ci --state rebooting --timeout 0.3");
	ms = ms_since(t0);
	tap_ok(r == LKVM_EXIT_TIMEOUT && ms >= 290 && ms < 2000 &&
		       !strcmp(err, "lkvm: timed out waiting for guest ci to be rebooting (it is "
				    "suspended)\n"),
	       "the timeout: status 1, with the state it is in (%llu ms)", (unsigned long long)ms);
	fake_stop(&f);

	t0 = util_now_ns();
	tap_ok(lkvm("wait -n ci --state off") == 0 && ms_since(t0) < 100,
	       "--state off and no socket: success at once");
	make_stale("ci");
	tap_ok(lkvm("wait -n ci --state off --timeout 1") == 0,
	       "--state off, stale socket: success");
	tap_ok(lkvm("wait -n ci --state running --timeout 0.2") == LKVM_EXIT_TIMEOUT &&
		       strstr(err, "(it is off)"),
	       "no guest listening until the timeout: status 1");

	f = (struct fake){ .name = "late", .reply = "{\"ok\":true,\"state\":\"running\"}\n",
			   .delay_ms = 300, .hold_ms = 1000 };
	fake_start(&f);
	t0 = util_now_ns();
	r = lkvm("wait -n late --state running --timeout 5");
	ms = ms_since(t0);
	tap_ok(r == 0 && ms >= 300 && ms < 2000,
	       "a guest that starts later: tried again until its socket is there (%llu ms)",
	       (unsigned long long)ms);
	fake_stop(&f);
}

static void test_stop(void)
{
	struct fake f = { .name = "s", .reply = "{\"ok\":true}\n", .hold_ms = 300 };
	u64 t0, ms;
	int r;

	fake_start(&f);
	t0 = util_now_ns();
	r = lkvm("stop -n s");
	ms = ms_since(t0);
	tap_ok(r == 0 && ms >= 290 && ms < 2000 && !out[0],
	       "stop returns once the server has closed (%llu ms)", (unsigned long long)ms);
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"stop\"}"), "stop sends stop");
}

static void test_show(void)
{
	struct fake f = { .name = "d",
			  .reply = "{\"ok\":true,\"vcpus\":[],\"text\":\"cpu 0: pc 0x80080a4c\\n"
				   "cpu 1: \\\"off\\\"\\n\"}\n" };

	fake_start(&f);
	tap_ok(lkvm("debug -n d") == 0 && !strcmp(out, "cpu 0: pc 0x80080a4c\ncpu 1: \"off\"\n"),
	       "debug prints the reply's text as it is");
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"debug\",\"text\":true}"), "and asks for it: %s", f.got);

	f = (struct fake){ .name = "st", .reply = "{\"ok\":true,\"exits\":12,\"mmio\":3}\n" };
	fake_start(&f);
	tap_ok(lkvm("stat -n st --json") == 0 &&
		       !strcmp(out, "{\"ok\":true,\"exits\":12,\"mmio\":3}\n"),
	       "stat --json prints the line as it is");
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"stat\"}"), "without asking for text");
}

static void test_events(void)
{
	static const char stream[] =
		"{\"ok\":true,\"state\":\"running\"}\n"
		"{\"event\":\"suspend\",\"cpu\":0,\"state\":\"suspended\",\"t_ms\":5123}\n"
		"{\"t_ms\":9050,\"event\":\"fatal\",\"message\":\"a b\","
		"\"state\":\"shutting-down\"}\n";
	struct fake f = { .name = "ev", .reply = stream };
	int fds[2];

	fake_start(&f);
	tap_ok(lkvm("events -n ev") == 0 &&
		       !strcmp(out, "5123 suspend cpu=0 state=suspended\n"
				    "9050 fatal message=\"a b\" state=shutting-down\n"),
	       "events: T_MS EVENT key=value ..., until the end of the stream");
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"events\"}"), "events sends events");
	fake_start(&f);
	tap_ok(lkvm("events -n ev --json") == 0 && !strcmp(out, stream),
	       "events --json: every line as it is");
	fake_stop(&f);

	/* Its reader gone (`lkvm events | head -1`): a clean end, not SIGPIPE. */
	f.hold_ms = 3000;
	fake_start(&f);
	if (pipe(fds) == 0) {
		close(fds[0]);
		tap_ok(lkvm_fd(fds[1], "events -n ev") == 0, "a closed stdout ends events cleanly");
		close(fds[1]);
	} else {
		tap_ok(false, "pipe: %s", strerror(errno));
	}
	fake_stop(&f);
}

static void test_sdei(void)
{
	struct fake f = { .name = "sd",
			  .reply = "{\"ok\":true,\"result\":\"delivered\",\"cpu\":1}\n" };

	fake_start(&f);
	tap_ok(lkvm("sdei -n sd --event 1000 --cpu 1") == 0 && !strcmp(out, "delivered on cpu 1\n"),
	       "sdei: delivered on cpu N");
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"sdei\",\"event\":1000,\"cpu\":1}"), "the request: %s",
	       f.got);
	f = (struct fake){ .name = "sd",
			   .reply = "{\"ok\":true,\"result\":\"pending\","
				    "\"reason\":\"the PE is masked\"}\n" };
	fake_start(&f);
	tap_ok(lkvm("sdei -n sd --event 0x7d0") == 0 && !strcmp(out, "pending: the PE is masked\n"),
	       "sdei: pending: REASON");
	fake_stop(&f);
	tap_ok(!strcmp(f.got, "{\"cmd\":\"sdei\",\"event\":2000}"), "no --cpu, no cpu: %s", f.got);
}

static void test_usage(void)
{
	static const char *const all[] = { "list", "pause", "resume", "stop", "debug",
					   "stat", "wait", "events", "wake", "sdei" };
	char line[128];
	bool ok_unknown = true, ok_help = true, ok_name = true, ok_both = true;

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		snprintf(line, sizeof(line), "%s -n x --bogus", all[i]);
		ok_unknown &= lkvm(line) == LKVM_EXIT_USAGE && strstr(err, "unknown option");
		snprintf(line, sizeof(line), "%s --help", all[i]);
		ok_help &= lkvm(line) == 0 && !strncmp(out, "usage: lkvm ", 12) && !err[0];
		snprintf(line, sizeof(line), "%s -h", all[i]);
		ok_help &= lkvm(line) == 0 && strstr(out, "--help") && !err[0];
		if (i == 0)
			continue;
		snprintf(line, sizeof(line), "%s", all[i]);
		ok_name &= lkvm(line) == LKVM_EXIT_USAGE && strstr(err, "which guest?");
	}
	tap_ok(ok_unknown, "an unknown option: 129, for each subcommand");
	tap_ok(ok_help, "--help and -h: the usage on stdout, 0, for each subcommand");
	tap_ok(ok_name, "no -n: 129, for each subcommand but list");
	ok_both &= lkvm("pause -n x --all") == LKVM_EXIT_USAGE && strstr(err, "exclude each other");
	ok_both &= lkvm("resume --all -n x") == LKVM_EXIT_USAGE;
	ok_both &= lkvm("stop -n x -a") == LKVM_EXIT_USAGE;
	tap_ok(ok_both, "both -n and --all (or -a, as kvmtool): 129");
	tap_ok(lkvm("debug --all") == LKVM_EXIT_USAGE && lkvm("list -n x") == LKVM_EXIT_USAGE,
	       "--all where it is not offered, -n for list: 129");
	tap_ok(lkvm("pause -n x y") == LKVM_EXIT_USAGE && strstr(err, "unexpected argument 'y'"),
	       "a stray argument: 129");
	tap_ok(lkvm("pause -n .x") == LKVM_EXIT_USAGE && lkvm("pause -n a/b") == LKVM_EXIT_USAGE &&
		       lkvm("pause -n") == LKVM_EXIT_USAGE,
	       "an invalid or missing guest name: 129");
	tap_ok(lkvm("wait -n x") == LKVM_EXIT_USAGE &&
		       lkvm("wait -n x --state on") == LKVM_EXIT_USAGE,
	       "wait without --state, or an unknown state: 129");
	tap_ok(lkvm("wait -n x --state off --timeout 1.") == LKVM_EXIT_USAGE &&
		       lkvm("wait -n x --state off --timeout -1") == LKVM_EXIT_USAGE &&
		       lkvm("wait -n x --state off --timeout 0x1.5") == LKVM_EXIT_USAGE &&
		       lkvm("wait -n x --state off --timeout 1.5s") == LKVM_EXIT_USAGE &&
		       lkvm("wait -n x --state off --timeout 9999999999") == LKVM_EXIT_USAGE,
	       "a bad --timeout: 129");
	tap_ok(lkvm("wait -n x --state off --timeout 1.5") == 0 &&
		       lkvm("wait -n x --state off --timeout 0x10") == 0 &&
		       lkvm("wait -n x --state off --timeout .5") == LKVM_EXIT_USAGE,
	       "--timeout takes 1.5 and 0x10, not .5");
	tap_ok(lkvm("sdei -n x") == LKVM_EXIT_USAGE && lkvm("sdei -n x --event 0x100000000") ==
		       LKVM_EXIT_USAGE && lkvm("sdei -n x --event 1000 --cpu z") == LKVM_EXIT_USAGE,
	       "sdei without --event, or a bad number: 129");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lkvm-ctl-test-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	setenv("LKVM_RUNTIME_DIR", dir, 1);
	signal(SIGPIPE, SIG_IGN);

	tap_plan(62);
	test_dir();
	test_connect();
	test_call();
	test_list();
	test_all();
	test_wait();
	test_stop();
	test_show();
	test_events();
	test_sdei();
	test_usage();

	{
		char path[128];

		snprintf(path, sizeof(path), "%s/dead.sock", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/stale.sock", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/ci.sock", dir);
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}
