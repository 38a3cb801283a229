// SPDX-License-Identifier: GPL-2.0
/*
 * ctl-poke: what the control-socket tests (tests/linux/control*.sh) do to an
 * lkvm's socket that its own client never would.  Not part of lkvm.
 *
 *   ctl-poke SOCK send [SECS]      send stdin as is, then print every reply
 *                                  byte until EOF or SECS (default 5) pass
 *   ctl-poke SOCK hold SECS TEXT   connect, send TEXT (half a request, say),
 *                                  stay connected SECS, then just go
 *   ctl-poke SOCK idle N SECS      N connections that say nothing, for SECS
 *   ctl-poke SOCK many N           N clients one after another, each asking
 *                                  for the status; prints how many got "ok":true
 *   ctl-poke SOCK as-uid UID       become UID, then ask for the status; prints
 *                                  the reply
 *   ctl-poke PID fds               how many file descriptors PID has open
 *
 * Exit status 0 if it could do what it was told, 1 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "ctl-poke: connect %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t r = send(fd, buf, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Copy what the server says to stdout until EOF or @ms pass; bytes read, or -1. */
static long drain(int fd, int ms, char *keep, size_t keep_len)
{
	long total = 0;
	char buf[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, ms) <= 0)
			return total;
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			return r < 0 && !total ? -1 : total;
		if (keep && (size_t)total < keep_len)
			memcpy(keep + total, buf, (size_t)r < keep_len - (size_t)total ?
				   (size_t)r : keep_len - (size_t)total);
		else if (!keep)
			fwrite(buf, 1, (size_t)r, stdout);
		total += r;
	}
}

static int cmd_send(const char *path, int secs)
{
	static char in[1 << 20];
	size_t len = fread(in, 1, sizeof(in), stdin);
	int fd = dial(path);

	if (fd < 0 || send_all(fd, in, len) < 0)
		return 1;
	shutdown(fd, SHUT_WR);
	drain(fd, secs * 1000, NULL, 0);
	fflush(stdout);
	close(fd);
	return 0;
}

static int cmd_hold(const char *path, int secs, const char *text)
{
	int fd = dial(path);

	if (fd < 0 || send_all(fd, text, strlen(text)) < 0)
		return 1;
	sleep((unsigned int)secs);
	close(fd);
	return 0;
}

static int cmd_idle(const char *path, int n, int secs)
{
	int *fds = calloc((size_t)n, sizeof(int)), opened = 0;

	for (int i = 0; i < n; i++)
		if ((fds[i] = dial(path)) >= 0)
			opened++;
	printf("%d open\n", opened);
	fflush(stdout);
	sleep((unsigned int)secs);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return opened == n ? 0 : 1;
}

static int cmd_many(const char *path, int n)
{
	static const char req[] = "{\"cmd\":\"status\"}\n";
	int good = 0;

	for (int i = 0; i < n; i++) {
		char reply[512] = "";
		int fd = dial(path);

		if (fd < 0)
			continue;
		if (!send_all(fd, req, sizeof(req) - 1) &&
		    drain(fd, 200, reply, sizeof(reply) - 1) > 0 && strstr(reply, "\"ok\":true"))
			good++;
		close(fd);
	}
	printf("%d of %d ok\n", good, n);
	return 0;
}

static int cmd_as_uid(const char *path, unsigned int uid)
{
	static const char req[] = "{\"cmd\":\"status\"}\n";
	int fd;

	if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0) {
		fprintf(stderr, "ctl-poke: becoming uid %u: %s\n", uid, strerror(errno));
		return 1;
	}
	fd = dial(path);
	if (fd < 0)
		return 1;
	/*
	 * The server refuses at accept(), and may have closed before the
	 * request goes out (EPIPE): its answer is still there to be read.
	 */
	(void)send_all(fd, req, sizeof(req) - 1);
	drain(fd, 30000, NULL, 0);
	fflush(stdout);
	close(fd);
	return 0;
}

static int cmd_fds(const char *pid)
{
	char dir[64];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	dp = opendir(dir);
	if (!dp)
		return 1;
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dp);
	printf("%d\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[2], "fds"))
		return cmd_fds(argv[1]);
	if (argc >= 3 && !strcmp(argv[2], "send"))
		return cmd_send(argv[1], argc > 3 ? atoi(argv[3]) : 5);
	if (argc == 5 && !strcmp(argv[2], "hold"))
		return cmd_hold(argv[1], atoi(argv[3]), argv[4]);
	if (argc == 5 && !strcmp(argv[2], "idle"))
		return cmd_idle(argv[1], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[2], "many"))
		return cmd_many(argv[1], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[2], "as-uid"))
		return cmd_as_uid(argv[1], (unsigned int)atoi(argv[3]));
	fprintf(stderr, "usage: see the comment at the top of tests/tools/ctl-poke.c\n");
	return 1;
}
