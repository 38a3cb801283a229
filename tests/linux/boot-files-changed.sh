# A reboot in place reads the kernel and initrd again from the files (lkvm
# keeps no copy of them), and refuses, with one clear line and status 128,
# files whose size changed since it started.  The bare payload
# tests/guest/reset-on-input.c reboots when a key arrives.
# timeout: 120

boot_twice() {
	wait_line '^READY 1' 30
	check $? "$1: first boot"
	type_line x
	wait_line '^READY 2' 30
	check $? "$1: rebooted in place from the files"
}

host() {
	[ -f "$PAYLOADS/reset-on-input.bin" ] || skip "no payload reset-on-input.bin"
	cp "$PAYLOADS/reset-on-input.bin" "$WORK/k.bin"
	echo "an initrd" | gzip >"$WORK/i.gz"

	lkvm_start -k "$WORK/k.bin" -i "$WORK/i.gz" -c 1 -m 64 --loglevel info
	boot_twice unchanged
	echo "more bytes" >>"$WORK/k.bin"
	type_line x
	wait_line 'cannot reboot in place' 30
	stop_lkvm TERM 30
	expect_exit 128
	expect_line "kernel '.*/k.bin' changed since lkvm started \(its size changed\): cannot reboot in place"

	cp "$PAYLOADS/reset-on-input.bin" "$WORK/k.bin"
	lkvm_start -k "$WORK/k.bin" -i "$WORK/i.gz" -c 1 -m 64 --loglevel info
	boot_twice "second run"
	: >"$WORK/i.gz"
	type_line x
	wait_line 'cannot reboot in place' 30
	stop_lkvm TERM 30
	expect_exit 128
	expect_line "initrd '.*/i.gz' changed since lkvm started \(its size changed\): cannot reboot in place"
}

guest() {
	:	# the guest is the payload, not Linux
}
