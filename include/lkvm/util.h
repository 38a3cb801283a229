/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_UTIL_H
#define LKVM_UTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define SZ_4K 0x1000ULL
#define SZ_64K 0x10000ULL
#define SZ_1M 0x100000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define BIT(n) (1ULL << (n))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/*
 * Process exit statuses.  Documented in README.md; scripts rely on them, so
 * they never change meaning.
 */
enum lkvm_exit_status {
	LKVM_EXIT_POWEROFF = 0,		/* guest powered off (PSCI SYSTEM_OFF) */
	LKVM_EXIT_RESET = 2,		/* guest asked for a reset and --no-reboot was given */
	LKVM_EXIT_HIBERNATED = 3,	/* guest hibernated (PSCI SYSTEM_OFF2) */
	LKVM_EXIT_SIGNAL = 4,		/* lkvm was told to stop (SIGINT/SIGTERM/SIGHUP) */
	LKVM_EXIT_STOPPED = 5,		/* stopped by `lkvm stop` */
	/*
	 * The client subcommands' statuses (list, pause, ..., sdei: 0 is success).
	 * 2 is also run's LKVM_EXIT_RESET; different subcommands, no clash.
	 */
	LKVM_EXIT_TIMEOUT = 1,		/* `lkvm wait` timed out */
	LKVM_EXIT_CTL_ERROR = 2,	/* guest unknown or unreachable, or the request refused */
	LKVM_EXIT_FATAL = 128,		/* an error; one "lkvm: ..." line says which */
	LKVM_EXIT_USAGE = 129,		/* bad command line */
};

/*
 * The one way lkvm prints a message: lkvm_log(), one "lkvm: " line per call.
 * --loglevel chooses how much is printed (default: warning); errors always
 * are.  docs/design.md ("Errors") says who reports a failure: once, where
 * its cause is known.
 */
enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern int log_level;

void lkvm_log(int level, const char *fmt, ...) __printf(2, 3);
int util_parse_log_level(const char *s);	/* -1 if unknown */
/*
 * Called before every message but debug ones, so that the guest output
 * written before it (the UART's, through its writer thread) comes out first.
 * Never for debug messages: devices print those with their own lock held.
 */
void util_set_log_flush(void (*flush)(void));

#define pr_err(...) lkvm_log(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) lkvm_log(LOG_WARN, __VA_ARGS__)
#define pr_info(...) lkvm_log(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)                                     \
	do {                                              \
		if (log_level >= LOG_DEBUG)               \
			lkvm_log(LOG_DEBUG, __VA_ARGS__); \
	} while (0)

/*
 * Messages a guest can cause as often as it likes (a broken ring, a bad
 * request, an access KVM cannot decode) go through a limiter of their own,
 * one per device and reason: at most RATELIMIT_BURST in RATELIMIT_SECS, and
 * the next one that gets through says how many like it were dropped.
 */
#define RATELIMIT_BURST	5
#define RATELIMIT_SECS	5
struct ratelimit {
	u64 window;			/* start of the current window, CLOCK_MONOTONIC ns */
	unsigned int printed;		/* in this window */
	unsigned long dropped;		/* since the last one printed */
};
/* CLOCK_MONOTONIC in nanoseconds. */
u64 util_now_ns(void);

/*
 * The one way lkvm starts a thread: pthread_create(), then the thread is
 * named (@name, cut to 15 characters) so that top -H, gdb and
 * /proc/PID/task tell lkvm's threads apart.  Returns pthread_create()'s error.
 */
int util_thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const char *name);

/* May a message go out now?  If so, *@dropped says how many did not before it. */
bool util_ratelimit(struct ratelimit *rl, unsigned long *dropped);

#define pr_warn_ratelimited(rl, fmt, ...)						\
	do {										\
		unsigned long __dropped;						\
		if (!util_ratelimit((rl), &__dropped))					\
			break;								\
		if (__dropped)								\
			lkvm_log(LOG_WARN, fmt " (and %lu more like it, not shown)",	\
				 ##__VA_ARGS__, __dropped);				\
		else									\
			lkvm_log(LOG_WARN, fmt, ##__VA_ARGS__);				\
	} while (0)

/*
 * Allocation that cannot fail: out of memory, lkvm says so and exits
 * LKVM_EXIT_FATAL.  The only place below the lifecycle that ends the process.
 */
void *xzalloc(size_t size);
/*
 * Not zeroed: for big buffers that need no initial contents (rings), whose
 * pages then stay out of lkvm's resident memory until they are used.
 */
void *xmalloc(size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __printf(1, 2);

/*
 * The one number parser, for every numeric option: decimal, or hexadecimal
 * after 0x; no sign.  With @unit non-zero a K/M/G/T suffix (then an optional
 * B) may follow and a bare number counts in units of @unit bytes; with @unit 0
 * only a bare number is accepted.  False on junk or overflow.
 */
bool util_parse_number(const char *s, u64 unit, u64 *out);

/* Read a whole file; NULL (errno set) on failure.  Caps at @max bytes (EFBIG). */
void *util_read_file(const char *path, size_t max, size_t *len);
/* The same for an open file, read from its start (a regular file) whatever its offset. */
void *util_read_fd(int fd, size_t max, size_t *len);

/* Write all of @buf, retrying short writes and EINTR. */
int util_write_all(int fd, const void *buf, size_t len);
/*
 * All of [@off, @off + @len) of a regular file, retrying short transfers and
 * EINTR; -1 with errno set (EIO for a read that met the file's end).
 */
int util_pread_all(int fd, void *buf, size_t len, off_t off);
int util_pwrite_all(int fd, const void *buf, size_t len, off_t off);
/*
 * The same for an output that may block for ever (a terminal or pipe nobody
 * reads): waits for room at most 100 ms at a time and gives up once *@stop is
 * set (-1, errno ECANCELED).
 */
int util_write_all_until(int fd, const void *buf, size_t len, const _Atomic bool *stop);

#endif
