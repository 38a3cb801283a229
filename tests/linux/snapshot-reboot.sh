# A restored guest can reboot in place: the snapshot's boot record finds the
# kernel file again (lkvm keeps no copy).  The bare payload
# tests/guest/reset-on-input.c waits for a key, then resets; a snapshot taken
# while it waits is restored under another name, and the key makes it reboot.
# timeout: 120

host() {
	[ -f "$PAYLOADS/reset-on-input.bin" ] || skip "no payload reset-on-input.bin"
	cp "$PAYLOADS/reset-on-input.bin" "$WORK/k.bin"
	lkvm_start -k "$WORK/k.bin" -c 2 -m 64 --loglevel info --name snap-a
	wait_line '^READY 1' 30
	check $? "first boot"
	ctl snapshot -n snap-a "$WORK/snap" --stop
	check $CTL_RC "snapshot --stop"
	wait_exit 20
	stop_lkvm TERM 5
	expect_exit 5
	ls -ls "$WORK/snap"
	lkvm_start --restore "$WORK/snap" --name snap-b --loglevel info
	sleep 3
	if ! kill -0 "$LKVM_PID" 2>/dev/null; then
		stop_lkvm TERM 1
		fail "restored lkvm died"
		return
	fi
	type_line x
	wait_line '^READY 2' 30
	check $? "restored guest goes on and reboots in place"
	stop_lkvm TERM 30
	expect_exit 4
}

guest() {
	:
}
