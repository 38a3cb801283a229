// SPDX-License-Identifier: GPL-2.0
/*
 * Helper processes: lkvm leaves user-mode networking to passt and directory
 * sharing to virtiofsd, each a daemon of its own that lkvm starts, talks to
 * over a UNIX socket and stops at exit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lkvm/daemon.h"
#include "lkvm/util.h"

struct daemon {
	pid_t pid;
	int status;		/* from waitpid, once it has ended */
	bool ended;
	char *what;
};

static char *sock_dir;

static bool executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

char *daemon_find(const char *prog, const char *const *extra_dirs, const char *package)
{
	const char *path = getenv("PATH");
	char *dirs = xstrdup(path ? path : "/usr/bin:/bin"), *save = NULL, *found = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *d ? d : ".", prog);

		if (executable(p))
			found = p;
		else
			free(p);
	}
	free(dirs);
	for (; extra_dirs && *extra_dirs && !found; extra_dirs++) {
		char *p = xasprintf("%s/%s", *extra_dirs, prog);

		if (executable(p))
			found = p;
		else
			free(p);
	}
	if (!found)
		pr_err("%s not found: install the Debian package '%s'", prog, package);
	return found;
}

int daemon_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static _Noreturn void exec_child(char *const argv[])
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY);

	/* lkvm blocks the signals its signalfd reads: the daemon must get SIGTERM. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Gone with lkvm even if lkvm is killed; not hit by a Ctrl-C meant for lkvm. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	setpgid(0, 0);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	close_range(3, ~0U, 0);
	execv(argv[0], argv);
	_exit(127);
}

static void describe(int status, char *why, size_t len)
{
	if (WIFEXITED(status))
		snprintf(why, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(why, len, "ended (status 0x%x)", status);
}

bool daemon_exited(struct daemon *d, char *why, size_t len)
{
	if (!d->ended && waitpid(d->pid, &d->status, WNOHANG) == d->pid)
		d->ended = true;
	if (d->ended && why)
		describe(d->status, why, len);
	return d->ended;
}

int daemon_pid(const struct daemon *d)
{
	return d->pid;
}

struct daemon *daemon_start(const char *what, char *const argv[], const char *sock_path,
			    int timeout_ms, int *fd)
{
	struct daemon *d = xzalloc(sizeof(*d));
	struct timespec t0, now;
	char why[64];

	d->what = xstrdup(what);
	d->pid = fork();
	if (d->pid < 0) {
		pr_err("%s: cannot start %s: %s", what, argv[0], strerror(errno));
		free(d->what);
		free(d);
		return NULL;
	}
	if (!d->pid)
		exec_child(argv);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		*fd = daemon_connect(sock_path);
		if (*fd >= 0)
			return d;
		if (daemon_exited(d, why, sizeof(why))) {
			pr_err("%s: %s %s before it listened on %s", what, argv[0],
			       WIFEXITED(d->status) && WEXITSTATUS(d->status) == 127 ?
			       "could not be run" : why, sock_path);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >
		    timeout_ms) {
			pr_err("%s: %s did not listen on %s within %d ms", what, argv[0], sock_path,
			       timeout_ms);
			break;
		}
		poll(NULL, 0, 10);
	}
	daemon_stop(d);
	return NULL;
}

void daemon_stop(struct daemon *d)
{
	if (!d)
		return;
	if (!daemon_exited(d, NULL, 0)) {
		/* Its whole process group: virtiofsd's sandbox is a child of its own. */
		kill(-d->pid, SIGTERM);
		for (int i = 0; i < 100 && !daemon_exited(d, NULL, 0); i++)
			poll(NULL, 0, 10);
		if (!d->ended) {
			pr_warn("%s: pid %d ignored SIGTERM for a second; killing it", d->what,
				(int)d->pid);
			kill(-d->pid, SIGKILL);
			if (waitpid(d->pid, &d->status, 0) == d->pid)
				d->ended = true;
		}
	}
	free(d->what);
	free(d);
}

char *daemon_sock_path(const char *name)
{
	if (!sock_dir) {
		const char *base = getenv("XDG_RUNTIME_DIR");
		char *tmpl = xasprintf("%s/lkvm-XXXXXX", base && *base ? base : "/tmp");

		if (!mkdtemp(tmpl)) {
			pr_err("cannot make a socket directory %s: %s", tmpl, strerror(errno));
			free(tmpl);
			return NULL;
		}
		sock_dir = tmpl;
	}
	return xasprintf("%s/%s", sock_dir, name);
}

void daemon_cleanup(void)
{
	DIR *dir;
	struct dirent *e;

	if (!sock_dir)
		return;
	dir = opendir(sock_dir);
	while (dir && (e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(dir), e->d_name, 0);
	if (dir)
		closedir(dir);
	rmdir(sock_dir);
	free(sock_dir);
	sock_dir = NULL;
}
