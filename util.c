// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lkvm/util.h"

int log_level = LOG_WARN;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int util_parse_log_level(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (!strcasecmp(s, level_names[i]))
			return (int)i;
	if (!strcasecmp(s, "warn"))
		return LOG_WARN;
	return -1;
}

static void (*log_flush)(void);

void util_set_log_flush(void (*flush)(void))
{
	__atomic_store_n(&log_flush, flush, __ATOMIC_RELEASE);
}

void lkvm_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;
	void (*flush)(void) = __atomic_load_n(&log_flush, __ATOMIC_ACQUIRE);

	if (level > log_level)
		return;
	if (level < LOG_DEBUG && flush)
		flush();
	/* One write per line so lines from several threads never interleave. */
	n = snprintf(buf, sizeof(buf), "lkvm: %s", level == LOG_WARN ? "warning: " : "");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	util_write_all(STDERR_FILENO, buf, (size_t)n);
}

static noreturn void out_of_memory(void)
{
	lkvm_log(LOG_ERR, "out of memory");
	exit(LKVM_EXIT_FATAL);
}

void *xzalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return s;
}

bool util_parse_number(const char *s, u64 unit, u64 *out)
{
	const char *p = s;
	u64 v = 0, mult = unit ? unit : 1;
	int base = 10, digits = 0;

	if (!s)
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - (u64)d) / (u64)base)
			return false;
		v = v * (u64)base + (u64)d;
	}
	if (!digits)
		return false;
	if (unit) {
		switch (*p) {
		case 'k': case 'K': mult = 1ULL << 10; p++; break;
		case 'm': case 'M': mult = 1ULL << 20; p++; break;
		case 'g': case 'G': mult = 1ULL << 30; p++; break;
		case 't': case 'T': mult = 1ULL << 40; p++; break;
		default: break;
		}
		if ((*p == 'b' || *p == 'B') && mult != unit)
			p++;
	}
	if (*p || v > UINT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

void *util_read_fd(int fd, size_t max, size_t *len)
{
	struct stat st;
	u8 *buf = NULL;
	size_t cap, n = 0;

	if (fstat(fd, &st) < 0)
		return NULL;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return NULL;
	}
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
	if (cap > max + 1)
		cap = max + 1;
	buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			u8 *nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		/* From the start, wherever the file offset is; a pipe has none. */
		r = S_ISREG(st.st_mode) ? pread(fd, buf + n, cap - n, (off_t)n)
					: read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		errno = EFBIG;
		goto fail;
	}
	*len = n;
	return buf;
fail:
	{
		int e = errno;

		free(buf);
		errno = e;
	}
	return NULL;
}

void *util_read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	void *buf;

	if (fd < 0)
		return NULL;
	buf = util_read_fd(fd, max, len);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

u64 util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

struct thread_start {
	void *(*fn)(void *);
	void *arg;
	char name[16];
};

/* The thread names itself (prctl: pthread_setname_np drags stdio into the static binary). */
static void *thread_trampoline(void *p)
{
	struct thread_start ts = *(struct thread_start *)p;

	free(p);
	prctl(PR_SET_NAME, ts.name, 0, 0, 0);
	return ts.fn(ts.arg);
}

int util_thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const char *name)
{
	struct thread_start *ts = xzalloc(sizeof(*ts));
	int r;

	ts->fn = fn;
	ts->arg = arg;
	snprintf(ts->name, sizeof(ts->name), "%s", name);
	r = pthread_create(t, NULL, thread_trampoline, ts);
	if (r)
		free(ts);
	return r;
}

bool util_ratelimit(struct ratelimit *rl, unsigned long *dropped)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	u64 now = util_now_ns();
	bool ok;

	pthread_mutex_lock(&lock);
	if (!rl->window || now - rl->window >= RATELIMIT_SECS * 1000000000ULL) {
		rl->window = now;
		rl->printed = 0;
	}
	ok = rl->printed < RATELIMIT_BURST;
	if (ok) {
		rl->printed++;
		*dropped = rl->dropped;
		rl->dropped = 0;
	} else {
		rl->dropped++;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

int util_write_all_until(int fd, const void *buf, size_t len, const _Atomic bool *stop)
{
	const u8 *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t r;

		if (atomic_load(stop)) {
			errno = ECANCELED;
			return -1;
		}
		if (poll(&pfd, 1, 100) == 0)
			continue;
		/* No more than a pipe takes at once once poll says it has room. */
		r = write(fd, p, min_t(size_t, len, PIPE_BUF));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int util_pread_all(int fd, void *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t r = pread(fd, buf, len, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!r)
				errno = EIO;
			return -1;
		}
		buf = (u8 *)buf + r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

int util_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t r = pwrite(fd, buf, len, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		buf = (const u8 *)buf + r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

int util_write_all(int fd, const void *buf, size_t len)
{
	static const _Atomic bool never;

	return util_write_all_until(fd, buf, len, &never);
}
