// SPDX-License-Identifier: GPL-2.0
/*
 * Block I/O figures for `make bench`: the same tool runs in the Linux guest
 * on its virtio-blk disk and on the emulated host on the disk's image file,
 * so that the two can be set side by side.  It opens PATH with O_DIRECT
 * where the file system takes it (the guest's disk: no guest page cache in
 * the way) and else through the page cache (the image file: exactly the
 * copy lkvm's virtio-blk worker makes), and times with CLOCK_MONOTONIC over
 * several passes, so a figure has its spread.
 *
 *   blkio seq-read PATH MIB PASSES     1 MiB reads of the first MIB MiB
 *   blkio seq-write PATH MIB PASSES    1 MiB writes, then fsync
 *   blkio rand-read PATH COUNT PASSES  COUNT 4 KiB reads at random offsets
 *
 * prints "MODE MEDIAN UNIT (min MIN, max MAX, PASSES passes, direct|buffered)"
 * with UNIT MB/s or IOPS.
 *
 * A bench tool, not part of lkvm: built by the Makefile's bench rule only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB		(1024 * 1024)
#define BLOCK		4096
#define MAX_PASSES	32

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void fail(const char *what)
{
	fprintf(stderr, "blkio: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One pass; returns its rate (MB/s or IOPS). */
static uint64_t pass(const char *mode, int fd, void *buf, long n, uint64_t blocks)
{
	static uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint64_t t0 = now_ns(), ns;

	for (long i = 0; i < n; i++) {
		ssize_t r;

		if (!strcmp(mode, "seq-read")) {
			r = pread(fd, buf, MIB, (off_t)i * MIB);
		} else if (!strcmp(mode, "seq-write")) {
			r = pwrite(fd, buf, MIB, (off_t)i * MIB);
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			r = pread(fd, buf, BLOCK, (off_t)((x % blocks) * BLOCK)) == BLOCK ? MIB : -1;
		}
		if (r != MIB)
			fail(mode);
	}
	if (!strcmp(mode, "seq-write") && fsync(fd) < 0)
		fail("fsync");
	ns = now_ns() - t0;
	if (!ns)
		ns = 1;
	/* MB/s as dd counts them (MiB moved per second, in MB of 2^20 bytes). */
	return (uint64_t)n * 1000000000ULL / ns;
}

int main(int argc, char **argv)
{
	uint64_t rate[MAX_PASSES];
	long n = argc > 3 ? atol(argv[3]) : 0;
	int passes = argc > 4 ? atoi(argv[4]) : 0;
	bool direct = true, wr;
	const char *mode = argc > 1 ? argv[1] : "";
	off_t size;
	void *buf;
	int fd;

	if (argc != 5 || n <= 0 || passes <= 0 || passes > MAX_PASSES ||
	    (strcmp(mode, "seq-read") && strcmp(mode, "seq-write") && strcmp(mode, "rand-read"))) {
		fprintf(stderr, "usage: blkio seq-read|seq-write|rand-read PATH MIB|COUNT PASSES\n");
		return 2;
	}
	wr = !strcmp(mode, "seq-write");
	fd = open(argv[2], (wr ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0 && errno == EINVAL) {
		direct = false;
		fd = open(argv[2], wr ? O_WRONLY : O_RDONLY);
	}
	if (fd < 0)
		fail(argv[2]);
	size = lseek(fd, 0, SEEK_END);
	if (size < BLOCK || (strcmp(mode, "rand-read") && size < (off_t)n * MIB)) {
		fprintf(stderr, "blkio: %s: too small\n", argv[2]);
		return 1;
	}
	if (posix_memalign(&buf, BLOCK, MIB))
		fail("memory");
	memset(buf, 0x5a, MIB);
	for (int i = 0; i < passes; i++)
		rate[i] = pass(mode, fd, buf, n, (uint64_t)size / BLOCK);
	qsort(rate, (size_t)passes, sizeof(rate[0]), cmp_u64);
	printf("%s %llu %s (min %llu, max %llu, %d passes, %s)\n", mode,
	       (unsigned long long)rate[passes / 2], wr || !strcmp(mode, "seq-read") ? "MB/s" : "IOPS",
	       (unsigned long long)rate[0], (unsigned long long)rate[passes - 1], passes,
	       direct ? "direct" : "buffered");
	return 0;
}
