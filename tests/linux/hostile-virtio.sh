# A hostile guest cannot make lkvm deaf: the bare payload
# tests/guest/hostile-virtio.c feeds virtio-console and virtio-blk rings built
# to make them work without end, or floods an output nobody reads, and lkvm
# must still stop on SIGTERM at once (status 4).
# timeout: 120

attack() {
	name=$1
	shift
	lkvm_start -k "$PAYLOADS/hostile-virtio.bin" -c 1 -m 128 --loglevel info \
		-p "lkvm.attack=$name" "$@"
	wait_line "^ATTACKING $name" 30
	check $? "$name: the payload started its attack"
}

stopped_at_once() {
	stop_lkvm TERM 20
	expect_exit 4
	expect_line 'stopping on signal 15'
	note "$1: stopped ${STOP_SECS}s after SIGTERM"
}

host() {
	[ -f "$PAYLOADS/hostile-virtio.bin" ] || skip "no payload hostile-virtio.bin"

	attack console-rx --console virtio
	type_line 'some input'
	sleep 2
	kill -0 "$LKVM_PID" 2>/dev/null
	check $? "console-rx: lkvm is still running after the input"
	stopped_at_once console-rx
	expect_line 'virtio-console: receive chain [0-9]+ has no writable buffer'

	truncate -s 4G "$WORK/big.img"
	attack blk-alias -d "$WORK/big.img"
	wait_line '^KICKED' 10
	check $? "blk-alias: the kick returned to the guest at once"
	sleep 2
	stopped_at_once blk-alias
	rm -f "$WORK/big.img"

	attack hammer
	sleep 5
	stopped_at_once hammer
	expect_no_line '^BAD '
	expect_line '^HAMMERED [1-9]'
	note "hammer: $(tr -d '\r' <"$OUT" | grep '^HAMMERED' | tail -n 1) accesses and calls answered"


	# stdout a pipe that is held open and never read: output blocks for ever.
	for a in console-tx uart-flood; do
		rm -f "$WORK/stuck"
		mkfifo "$WORK/stuck"
		exec 4<>"$WORK/stuck"
		_runs=$((_runs + 1))
		OUT=$WORK/err.$a
		echo "+ $LKVM run ... -p lkvm.attack=$a >stuck-pipe (in the background)"
		"$LKVM" run -k "$PAYLOADS/hostile-virtio.bin" -c 1 -m 128 --loglevel info \
			--console virtio -p "lkvm.attack=$a" </dev/null >"$WORK/stuck" 2>"$OUT" &
		LKVM_PID=$!
		exec 3>/dev/null
		sleep 5
		kill -0 "$LKVM_PID" 2>/dev/null
		check $? "$a: lkvm runs with its output stuck"
		stopped_at_once "$a"
		exec 4<&-
	done
}

guest() {
	:	# the guest is the payload, not Linux
}
