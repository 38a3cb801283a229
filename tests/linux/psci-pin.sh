# --psci-version 1.1: Linux reports the pinned version ("psci: PSCIv1.1
# detected in firmware."), still offers suspend-to-RAM ("deep"), and the pin
# survives a reboot in place: the second boot reports 1.1 too.
# timeout: 300

if [ -n "${SRC:-}" ]; then
	. "$SRC/tests/linux/reboot.sh"
else
	. /tests/reboot.sh
fi

host() {
	disk=$WORK/disk.img
	dd if=/dev/zero of="$disk" bs=1048576 count=1 2>/dev/null
	lkvm_run -c 1 -m 256 -d "$disk" --loglevel info --psci-version 1.1
	expect_exit 0
	expect_line '^BOOT=2$'
	expect_line 'rebooting in place'
	[ "$(count '^PSCI_LINE=psci: PSCIv1.1 detected in firmware.$')" -eq 2 ]
	check $? "both boots report PSCIv1.1"
	expect_no_line '^PSCI_LINE=.*PSCIv1\.[023]'
	expect_line '^MEM_SLEEP=.*deep'
}

guest() {
	boot_then 2
}
