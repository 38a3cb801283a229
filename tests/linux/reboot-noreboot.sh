# With --no-reboot a Linux guest's reboot ends lkvm with status 2, and what the
# guest wrote to its disk before rebooting is in the image.
# timeout: 200

if [ -n "${SRC:-}" ]; then
	. "$SRC/tests/linux/reboot.sh"
else
	. /tests/reboot.sh
fi

host() {
	disk=$WORK/disk.img
	dd if=/dev/zero of="$disk" bs=1048576 count=1 2>/dev/null
	lkvm_run -c 2 -m 256 -d "$disk" --loglevel info --no-reboot
	expect_exit 2
	expect_line '^REBOOTING$'
	expect_line 'lkvm: guest reset \(SYSTEM_RESET\); --no-reboot: exiting'
	expect_no_line '^BOOT=2$'
	dd if="$disk" bs=512 skip=1 count=1 2>/dev/null | grep -q 'boot1-was-here'
	check $? "boot 1's write is in the disk image"
}

guest() {
	boot_then 2
}
