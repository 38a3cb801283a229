# A virtio-blk disk reads back what the host put there, and what the guest
# writes lands in the image file.
# timeout: 150

pattern() {
	# $1 bytes of a fixed text pattern
	yes "$2" | head -c "$1"
}

host() {
	disk=$WORK/disk.img
	pattern 1048576 'lkvm disk data 0123456789' >"$disk"
	dd if=/dev/zero bs=1048576 count=3 2>/dev/null >>"$disk"
	want_read=$(head -c 1048576 "$disk" | md5sum | cut -d' ' -f1)
	want_write=$(pattern 65536 'written by the guest' | md5sum | cut -d' ' -f1)

	lkvm_run -c 1 -m 256 -d "$disk"
	expect_exit 0
	expect_line '^VDA_SECTORS=8192$'
	expect_line "^READ_MD5=$want_read\$"
	expect_line '^WRITE_RC=0$'
	got=$(dd if="$disk" bs=65536 skip=32 count=1 2>/dev/null | md5sum | cut -d' ' -f1)
	[ "$got" = "$want_write" ]
	check $? "image holds the guest's write at 2 MiB ($got, want $want_write)"
	got=$(head -c 1048576 "$disk" | md5sum | cut -d' ' -f1)
	[ "$got" = "$want_read" ]
	check $? "the first MiB is untouched"
}

guest() {
	wait_dev /dev/vda
	echo "VDA_SECTORS=$(cat /sys/block/vda/size 2>/dev/null)"
	echo "READ_MD5=$(dd if=/dev/vda bs=65536 count=16 2>/dev/null | md5sum | cut -d' ' -f1)"
	# Through a file: dd count=1 from a pipe may take a short first read.
	yes 'written by the guest' | head -c 65536 >/tmp/pattern
	dd if=/tmp/pattern of=/dev/vda bs=65536 seek=32 count=1 conv=fsync 2>/dev/null
	echo "WRITE_RC=$?"
	sync
}
