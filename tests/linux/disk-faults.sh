# Host faults under virtio-blk.  SIGTERM while the guest writes: every block
# the guest saw written (fsync'd) is in the image, and lkvm exits 4.  A disk
# whose file system fills up (a 4 MiB tmpfs under a 32 MiB sparse image): the
# guest's writes fail with I/O errors, lkvm says so once, keeps running, and
# the guest powers off normally.
# timeout: 200

block() {
	# block N: the 64 KiB the guest writes as block N
	yes "lkvm block $1" | head -c 65536
}

host() {
	disk=$WORK/term.img
	dd if=/dev/zero of="$disk" bs=65536 count=64 2>/dev/null
	lkvm_start -k "$KERNEL" -i "$INITRD" -c 1 -m 256 -d "$disk" \
		-p "lkvm.test=$TEST lkvm.fault=term"
	wait_line '^WROTE 8$' "$(time_left)"
	check $? "the guest wrote 8 blocks"
	stop_lkvm TERM 30
	expect_exit 4
	last=$(tr -d '\r' <"$OUT" | sed -n 's/^WROTE //p' | tail -n 1)
	ok=0
	i=1
	while [ $i -le "${last:-0}" ]; do
		[ "$(dd if="$disk" bs=65536 skip=$i count=1 2>/dev/null | md5sum)" = \
			"$(block $i | md5sum)" ] || ok=1
		i=$((i + 1))
	done
	check $ok "the image holds all ${last:-0} blocks the guest saw written"

	mkdir -p "$WORK/small"
	mount -t tmpfs -o size=4m tmpfs "$WORK/small" || skip "cannot mount a tmpfs"
	truncate -s 32M "$WORK/small/full.img"
	GUEST_PARAMS=lkvm.fault=enospc
	lkvm_run -c 1 -m 256 -d "$WORK/small/full.img"
	umount "$WORK/small"
	expect_exit 0
	expect_line '^DD_FAILED=yes$'
	expect_line '^STILL_RUNNING=yes$'
	[ "$(tr -d '\r' <"$OUT" | grep -c 'No space left on device; the guest gets I/O errors')" = 1 ]
	check $? "lkvm says once that the disk is full"
}

guest() {
	wait_dev /dev/vda
	case $(cat /proc/cmdline) in
	*lkvm.fault=term*)
		n=1
		while [ $n -lt 64 ]; do
			yes "lkvm block $n" | head -c 65536 >/tmp/b
			dd if=/tmp/b of=/dev/vda bs=65536 seek=$n count=1 conv=fsync 2>/dev/null &&
				echo "WROTE $n"
			n=$((n + 1))
		done
		sleep 60
		;;
	*lkvm.fault=enospc*)
		if dd if=/dev/zero of=/dev/vda bs=1048576 count=16 conv=fsync 2>/dev/null; then
			echo "DD_FAILED=no"
		else
			echo "DD_FAILED=yes"
		fi
		echo "STILL_RUNNING=yes"
		;;
	esac
}
