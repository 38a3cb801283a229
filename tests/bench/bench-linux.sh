# The guest side of `make bench`'s Linux run (tests/bench/l1.sh boots it with
# "lkvm.test=bench-linux"): when init starts, virtio-blk sequential reads and
# writes if a disk is there, then a pause in which the host measures lkvm's
# memory, threads and fds.  Figures as "BENCH-... value" lines.

uptime_cs() {
	awk '{ printf "%d\n", $1 * 100 }' /proc/uptime
}

guest() {
	echo "BENCH-INIT-UPTIME-CS $(uptime_cs)"
	if [ -b /dev/vda ] && [ -x /bin/blkio ]; then
		# Direct I/O: the device's throughput, not the guest page cache's copy.
		echo "BENCH-BLK $(blkio seq-read /dev/vda 64 5)"
		echo "BENCH-BLK $(blkio seq-write /dev/vda 64 3)"
		echo "BENCH-BLK $(blkio rand-read /dev/vda 2048 3)"
		# Where the time of sequential reads goes: the host reads lkvm's
		# threads' CPU times at each mark (it looks every 0.2 s).
		echo "BENCH-BLK-CPU-A"
		sleep 1
		blkio seq-read /dev/vda 64 10 >/dev/null
		echo "BENCH-BLK-CPU-B"
		sleep 1
		# Buffered, as a program that does not ask for O_DIRECT sees it.
		echo 3 >/proc/sys/vm/drop_caches
		t0=$(uptime_cs)
		dd if=/dev/vda of=/dev/null bs=1M count=64 2>/dev/null
		t1=$(uptime_cs)
		echo "BENCH-BLK-READ-BUFFERED-64M-CS $((t1 - t0))"
	fi
	echo "BENCH-MEASURE-NOW"
	sleep 4
}
