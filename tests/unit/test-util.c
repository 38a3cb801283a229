// SPDX-License-Identifier: GPL-2.0
/*
 * util.c: the message limiter, reading open files, writing to a full pipe,
 * the flush before a message, named threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "tap.h"
#include "lkvm/util.h"

static void test_ratelimit(void)
{
	struct ratelimit rl = { 0 };
	unsigned long dropped = 99;
	int passed = 0;

	for (int i = 0; i < 20; i++)
		if (util_ratelimit(&rl, &dropped))
			passed++;
	tap_ok(passed == RATELIMIT_BURST && rl.dropped == 20 - RATELIMIT_BURST,
	       "a burst of 20: %d go out, %lu dropped", passed, rl.dropped);
	/* The window is over (as if RATELIMIT_SECS had passed). */
	rl.window -= (u64)RATELIMIT_SECS * 1000000000ULL;
	passed = util_ratelimit(&rl, &dropped);
	tap_ok(passed && dropped == 20 - RATELIMIT_BURST && rl.dropped == 0,
	       "the next window: the first one out says %lu were dropped", dropped);
	passed = util_ratelimit(&rl, &dropped);
	tap_ok(passed && dropped == 0, "then none");
}

static void test_read_fd(void)
{
	char path[] = "/tmp/lkvm-test-util-XXXXXX";
	int fd = mkstemp(path);
	size_t len = 0;
	u8 *buf;

	if (fd < 0 || util_write_all(fd, "0123456789", 10) < 0)
		abort();
	/* The offset is at the end now: the whole file is read all the same. */
	buf = util_read_fd(fd, 100, &len);
	tap_ok(buf && len == 10 && !memcmp(buf, "0123456789", 10),
	       "util_read_fd reads from the start whatever the offset");
	free(buf);
	errno = 0;
	buf = util_read_fd(fd, 9, &len);
	tap_ok(!buf && errno == EFBIG, "more than max: EFBIG");
	close(fd);
	unlink(path);
}

static _Atomic bool stop;
static int write_fd, write_ret, write_errno;

static void *writer(void *arg)
{
	static u8 big[1 << 20];

	write_ret = util_write_all_until(write_fd, big, sizeof(big), &stop);
	write_errno = errno;
	return NULL;
}

static void test_write_until(void)
{
	pthread_t th;
	char got[3];
	int pfd[2];

	if (pipe(pfd) < 0)
		abort();
	/* Nobody reads: the pipe fills and the writer waits, until told to stop. */
	write_fd = pfd[1];
	pthread_create(&th, NULL, writer, NULL);
	usleep(300000);
	stop = true;
	pthread_join(th, NULL);
	tap_ok(write_ret < 0 && write_errno == ECANCELED,
	       "a write into a full pipe nobody reads gives up once told to stop (ECANCELED)");
	close(pfd[0]);
	close(pfd[1]);
	stop = false;
	if (pipe(pfd) < 0)
		abort();
	tap_ok(util_write_all_until(pfd[1], "abc", 3, &stop) == 0 && read(pfd[0], got, 3) == 3 &&
	       !memcmp(got, "abc", 3),
	       "a write with room goes through");
	close(pfd[0]);
	close(pfd[1]);
}

static int flushes;

static void count_flush(void)
{
	flushes++;
}

/* What the UART's output hook sees: every message but debug ones flushes first. */
static void test_log_flush(void)
{
	int saved_err = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
	int saved_level = log_level;

	dup2(null, STDERR_FILENO);
	log_level = LOG_DEBUG;
	util_set_log_flush(count_flush);
	pr_err("e");
	pr_warn("w");
	pr_info("i");
	tap_ok(flushes == 3, "error, warning and info messages flush first (%d)", flushes);
	pr_debug("d");
	tap_ok(flushes == 3, "a debug message does not (devices print those under their lock)");
	util_set_log_flush(NULL);
	pr_info("i");
	tap_ok(flushes == 3, "no hook, no flush");
	log_level = saved_level;
	dup2(saved_err, STDERR_FILENO);
	close(saved_err);
	close(null);
}

static void *say_name(void *arg)
{
	prctl(PR_GET_NAME, (char *)arg, 0, 0, 0);
	return NULL;
}

static void test_thread_name(void)
{
	char name[16] = "";
	pthread_t t;

	tap_ok(!util_thread_start(&t, say_name, name, "lkvm-a-very-long-name") &&
		       !pthread_join(t, NULL) && !strcmp(name, "lkvm-a-very-lon"),
	       "a started thread carries its name, cut to 15 characters (%s)", name);
}

int main(void)
{
	tap_plan(11);
	test_ratelimit();
	test_read_fd();
	test_write_until();
	test_log_flush();
	test_thread_name();
	return tap_done();
}
