# reboot=warm makes Linux reboot with PSCI SYSTEM_RESET2 (type 0, warm): lkvm
# logs the type and reboots in place; the second boot powers off.
# timeout: 300

if [ -n "${SRC:-}" ]; then
	. "$SRC/tests/linux/reboot.sh"
else
	. /tests/reboot.sh
fi

host() {
	disk=$WORK/disk.img
	dd if=/dev/zero of="$disk" bs=1048576 count=1 2>/dev/null
	GUEST_PARAMS="reboot=warm"
	lkvm_run -c 1 -m 256 -d "$disk" --loglevel info --stats
	expect_exit 0
	expect_line '^BOOT=2$'
	expect_line '^PREV=boot1-was-here$'
	expect_line '^lkvm: guest reset \(SYSTEM_RESET2 warm\): rebooting in place$'
	expect_no_line 'guest reset \(SYSTEM_RESET\)'
	expect_line 'stats: .*reboots 1 '
}

guest() {
	boot_then 2
}
