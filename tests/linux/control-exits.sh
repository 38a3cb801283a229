# The control socket is removed on every way out of `lkvm run` (power-off,
# reset with --no-reboot, hibernation, an error, a signal, `lkvm stop`, the
# last two with the guest paused); a
# socket left by a killed lkvm is skipped by `lkvm list`, named as stale by
# the other subcommands, and taken over by the next lkvm of that name; a name
# that could leave the socket directory is a bad command line.
# timeout: 180

gone() {
	[ ! -e "$LKVM_RUNTIME_DIR/$1.sock" ]
}

host() {
	export LKVM_RUNTIME_DIR=$WORK/rt
	P=$PAYLOADS
	[ -f "$P/ctl-guest.bin" ] || skip "no payloads in $P"
	for t in "hello 0 -c 1 -m 64" "psci-reset-noreboot 2 -c 2 -m 64 --no-reboot" \
		"psci-off2 3 -c 1 -m 64 --psci-version 1.3" "hello 128 -c 1 -m 64 -d $WORK/none"; do
		# shellcheck disable=SC2086 # a word list
		set -- $t
		name=$1 want=$2
		shift 2
		_runs=$((_runs + 1))
		echo "+ $LKVM run -k $P/$name.bin --name x-$name $*"
		"$LKVM" run -k "$P/$name.bin" --name "x-$name" "$@" </dev/null >"$WORK/o" 2>&1
		rc=$?
		sed 's/^/| /' "$WORK/o"
		[ $rc -eq "$want" ] && gone "x-$name"
		check $? "$name $*: exit status $rc (want $want), its socket removed"
	done

	# SIGTERM while paused: the pause ends with lkvm, at once.
	lkvm_start -k "$P/ctl-guest.bin" -c 2 -m 64 --name x-sig
	wait_line '^SPIN' 60
	ctl pause -n x-sig
	stop_lkvm TERM 10
	expect_exit 4
	gone x-sig
	check $? "SIGTERM while paused: lkvm exits, the socket removed"

	# SIGKILL leaves the socket behind.
	lkvm_start -k "$P/ctl-guest.bin" -c 2 -m 64 --name x-kill
	wait_line '^SPIN' 60
	kill -KILL "$LKVM_PID"
	wait "$LKVM_PID"
	exec 3>&-
	[ -S "$LKVM_RUNTIME_DIR/x-kill.sock" ]
	check $? "SIGKILL leaves a stale socket"
	ctl list
	[ $CTL_RC -eq 0 ] && ! echo "$CTL_OUT" | grep -q x-kill
	check $? "lkvm list skips the stale socket"
	ctl stat -n x-kill
	[ $CTL_RC -eq 2 ] && echo "$CTL_OUT" | grep -q 'not running'
	check $? "lkvm stat on the stale socket: status 2, not running"
	ctl wait -n x-kill --state off --timeout 5
	[ $CTL_RC -eq 0 ]
	check $? "lkvm wait --state off: a stale socket is off"

	lkvm_start -k "$P/ctl-guest.bin" -c 2 -m 64 --name x-kill
	wait_line '^SPIN' 60
	check $? "a new lkvm of that name starts over the stale socket"
	ctl pause --all
	ctl list
	echo "$CTL_OUT" | grep -Eq "^x-kill +$LKVM_PID +paused"
	check $? "lkvm pause --all; lkvm list: the new one, paused"
	ctl stop --all
	[ $CTL_RC -eq 0 ]
	check $? "lkvm stop --all, the guest paused"
	stop_lkvm TERM 5
	expect_exit 5
	gone x-kill
	check $? "lkvm stop: the socket removed"

	for bad in ../evil a/b .hidden ''; do
		"$LKVM" run -k "$P/hello.bin" --name "$bad" </dev/null >"$WORK/o" 2>&1
		rc=$?
		[ $rc -eq 129 ] && [ "$(wc -l <"$WORK/o")" -eq 1 ] && grep -q '^lkvm: ' "$WORK/o"
		check $? "--name '$bad': one lkvm: line, status 129 ($rc: $(cat "$WORK/o"))"
	done
}

guest() {
	:	# bare payloads only
}
