// SPDX-License-Identifier: GPL-2.0
/*
 * Random 4 KiB reads for `make bench`: the same tool reads the guest's
 * virtio-blk disk (from inside the Linux guest, O_DIRECT) and the image file
 * on the emulated host (O_DIRECT where the file system takes it, else through
 * the page cache), so that their IOPS can be set side by side.
 *
 *   blkrand PATH COUNT      prints "IOPS n (direct|buffered, COUNT reads)"
 *
 * A bench tool, not part of lkvm: built by the Makefile's bench rule only.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

int main(int argc, char **argv)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, blocks, ns;
	struct timespec t0, t1;
	long count = argc > 2 ? atol(argv[2]) : 0;
	bool direct = true;
	void *buf;
	off_t size;
	int fd;

	if (argc < 3 || count <= 0) {
		fprintf(stderr, "usage: blkrand PATH COUNT\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0 && errno == EINVAL) {
		direct = false;
		fd = open(argv[1], O_RDONLY);
	}
	size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	if (fd < 0 || size < BLOCK || posix_memalign(&buf, BLOCK, BLOCK)) {
		fprintf(stderr, "blkrand: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	blocks = (uint64_t)size / BLOCK;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < count; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (pread(fd, buf, BLOCK, (off_t)((x % blocks) * BLOCK)) != BLOCK) {
			fprintf(stderr, "blkrand: read: %s\n", strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ULL + (uint64_t)t1.tv_nsec -
	     (uint64_t)t0.tv_nsec;
	printf("IOPS %llu (%s, %ld reads)\n",
	       (unsigned long long)(ns ? (uint64_t)count * 1000000000ULL / ns : 0),
	       direct ? "direct" : "buffered", count);
	return 0;
}
