# The control socket against a Linux guest (2 vCPUs), one boot driven from
# the host with lkvm's client subcommands and tests/tools/ctl-poke:
# - wait, list (text and --json), stat; two event listeners;
# - a duplicate name refused while the guest runs on;
# - pause/resume: the guest's output stops while paused, and its clock does
#   not jump by the time it was held;
# - suspend-to-RAM woken from the host (no RTC alarm, no console input):
#   wait for "suspended", pause while suspended, `lkvm wake` (taken only
#   after the resume), wait for "running"; the guest's input layer then gets
#   KEY_WAKEUP from the wake-up button;
# - `lkvm wake` refused when not suspended, `lkvm sdei` refused (Linux
#   registers no lkvm event);
# - garbage, over-long and half-sent requests, 70 silent clients and 100
#   clients in a loop, with no growth in lkvm's file descriptors;
# - a client of another uid refused;
# - `lkvm stop` as the guest reboots in place: exit status 5, the socket
#   gone, both listeners saw every event, in order, and then the end.
# timeout: 420

ticks() {
	tr -d '\r' <"$OUT" | grep -c '^TICK '
}

host() {
	export LKVM_RUNTIME_DIR=$WORK/rt
	N=linux-ctl
	S=$LKVM_RUNTIME_DIR/$N.sock
	lkvm_start -k "$KERNEL" -i "$INITRD" -p "lkvm.test=$TEST" -c 2 -m 256 --name $N \
		--loglevel info
	ctl wait -n $N --state running --timeout 30
	[ $CTL_RC -eq 0 ]
	check $? "lkvm wait --state running (the socket appears with the guest)"
	"$LKVM" events -n $N >"$WORK/ev1" 2>&1 &
	ev1=$!
	"$LKVM" events -n $N --json >"$WORK/ev2" 2>&1 &
	ev2=$!
	wait_line '^CTL-READY' 120
	check $? "the guest is up"
	expect_line '^WAKE_DEV=virtio[0-9]+ input=event[0-9]+ name=lkvm wake button$' 

	[ "$(stat -c %a "$LKVM_RUNTIME_DIR")" = 700 ] && [ "$(stat -c %a "$S")" = 600 ]
	check $? "the socket directory is 0700 and the socket 0600"
	ctl list
	echo "$CTL_OUT" | grep -Eq "^$N +$LKVM_PID +running"
	check $? "lkvm list"
	ctl stat -n $N
	echo "$CTL_OUT" | grep -Eq '^exits +[1-9]'
	check $? "lkvm stat"

	# A second guest of the same name: refused at once, this one untouched.
	"$LKVM" run -k "$KERNEL" --name $N </dev/null >"$WORK/dup.out" 2>&1
	rc=$?
	cat "$WORK/dup.out"
	[ $rc -eq 128 ] && grep -q "a guest named '$N' is already running" "$WORK/dup.out"
	check $? "a second lkvm run --name $N is refused (status $rc)"
	ctl list
	echo "$CTL_OUT" | grep -Eq "^$N +$LKVM_PID +running"
	check $? "the first guest still runs, its socket still answers"

	ctl wake -n $N
	[ $CTL_RC -eq 2 ] && echo "$CTL_OUT" | grep -q 'not suspended'
	check $? "lkvm wake refused while the guest runs"
	ctl sdei -n $N --event 1000
	[ $CTL_RC -eq 2 ] && echo "$CTL_OUT" | grep -q 'not registered'
	check $? "lkvm sdei refused: Linux registered no lkvm event"

	# Pause: the guest's ticks stop, and its clock skips the held time.
	type_line tick
	wait_line '^TICK 3 ' 60
	ctl pause -n $N
	[ $CTL_RC -eq 0 ] && echo "$CTL_OUT" | grep -q paused
	check $? "lkvm pause"
	sleep 1
	before=$(ticks)
	sleep 5
	after=$(ticks)
	[ "$before" -eq "$after" ]
	check $? "no tick while paused ($before, then $after)"
	ctl debug -n $N
	echo "$CTL_OUT" | grep -q 'vCPU 1 ' && echo "$CTL_OUT" | grep -Eq ' pc 0xffff'
	check $? "lkvm debug while paused: both vCPUs, kernel PCs"
	ctl resume -n $N
	[ $CTL_RC -eq 0 ] && echo "$CTL_OUT" | grep -q running
	check $? "lkvm resume"
	wait_line '^TICKS-DONE' 60
	check $? "the ticks go on after the resume"
	gap=$(tr -d '\r' <"$OUT" | sed -n 's/^TICKS-DONE max_gap_ms=//p')
	# A tick takes about 0.25 s (1.2 s seen in the emulated host); with the
	# counter running on, the step across the pause would be 6 s or more.
	[ -n "$gap" ] && [ "$gap" -lt 3500 ]
	check $? "the guest's clock did not jump across the 6 s pause (largest step ${gap} ms)"

	# Suspend-to-RAM, woken from the host.
	type_line suspend
	ctl wait -n $N --state suspended --timeout 120
	[ $CTL_RC -eq 0 ]
	check $? "lkvm wait --state suspended"
	ctl pause -n $N
	ctl wake -n $N
	[ $CTL_RC -eq 0 ]
	check $? "lkvm wake while suspended and paused: accepted"
	sleep 2
	ctl list
	echo "$CTL_OUT" | grep -Eq "^$N +$LKVM_PID +paused"
	check $? "still paused: the wake-up waits for the resume"
	ctl resume -n $N
	ctl wait -n $N --state running --timeout 60
	[ $CTL_RC -eq 0 ]
	check $? "lkvm wait --state running after the wake-up"
	wait_line '^RESUMED ' 60
	check $? "Linux resumed"
	line=$(tr -d '\r' <"$OUT" | grep '^RESUMED ' | tail -n 1)
	echo "$line" | grep -q 'rc=0$'
	check $? "echo mem >/sys/power/state returned 0"
	expect_line 'woken from SYSTEM_SUSPEND by the host \(lkvm wake\)'
	expect_line '^KEY_WAKEUP seen'

	# Garbage, over-long and half-sent requests; silent clients.
	{
		printf 'not json\n{"cmd":"nope"}\n{"cmd":"status","bogus":1}\n'
		head -c 5000 /dev/zero | tr '\0' x
		printf '\n{"cmd":"status","id":42}\n'
	} | ctl-poke "$S" send 5 >"$WORK/garbage" 2>&1
	cat "$WORK/garbage"
	[ "$(grep -c '"error":"bad-request"' "$WORK/garbage")" -eq 2 ] &&
		grep -q '"error":"unknown-command"' "$WORK/garbage" &&
		grep -q '"error":"too-long"' "$WORK/garbage" &&
		grep -q '"ok":true,"id":42,"name":"linux-ctl"' "$WORK/garbage"
	check $? "bad requests get their errors, and the next request its answer"
	ctl-poke "$S" hold 4 '{"cmd":"sta' &
	hold=$!
	ctl-poke "$S" idle 70 4 >"$WORK/idle" &
	idle=$!
	sleep 2
	ctl stat -n $N
	[ $CTL_RC -eq 0 ]
	check $? "lkvm stat answers with a half-sent request and 70 silent clients connected"
	wait $hold
	wait $idle
	fds0=$(ctl-poke "$LKVM_PID" fds)
	ctl-poke "$S" many 100 >"$WORK/many"
	cat "$WORK/many"
	sleep 1
	fds1=$(ctl-poke "$LKVM_PID" fds)
	grep -q '^100 of 100 ok' "$WORK/many"
	check $? "100 clients in a row all answered"
	[ "$fds0" -eq "$fds1" ]
	check $? "lkvm's file descriptors: $fds0 before the 100 clients, $fds1 after"

	# Another uid: let it reach the socket, then the server must refuse it.
	chmod 0711 "$(dirname "$WORK")" "$WORK"
	chmod 0755 "$LKVM_RUNTIME_DIR"
	chmod 0666 "$S"
	ctl-poke "$S" as-uid 1000 >"$WORK/uid" 2>&1
	cat "$WORK/uid"
	grep -q '"error":"refused","message":"connections from uid 1000 are refused"' "$WORK/uid"
	check $? "a client of uid 1000 is refused"
	chmod 0700 "$LKVM_RUNTIME_DIR"

	# lkvm stop during a reboot in place: sent as the guest asks for the
	# reset, it lands before it or while the main thread reboots; either way
	# it is served, and before anything else the guest does.
	type_line reboot
	wait_line '^REBOOTING' 60
	ctl stop -n $N
	[ $CTL_RC -eq 0 ]
	check $? "lkvm stop as the guest reboots"
	wait_exit 3
	check $? "lkvm has exited once lkvm stop returns"
	stop_lkvm TERM 5
	expect_exit 5
	[ ! -e "$S" ]
	check $? "the socket is gone"
	ctl wait -n $N --state off --timeout 5
	[ $CTL_RC -eq 0 ]
	check $? "lkvm wait --state off"
	ctl stat -n $N
	[ $CTL_RC -eq 2 ]
	check $? "lkvm stat for a guest that has gone: status 2"

	wait $ev1
	wait $ev2
	echo "# events seen by listener 1:"
	sed 's/^/|  /' "$WORK/ev1"
	seq1=$(awk '{print $2}' "$WORK/ev1" | tr '\n' ' ')
	seq2=$(sed -n 's/.*"event":"\([a-z-]*\)".*/\1/p' "$WORK/ev2" | tr '\n' ' ')
	want='^pause unpause suspend pause unpause wakeup (reset rebooted )?stop $'
	echo "$seq1" | grep -Eq "$want"
	check $? "listener 1 saw: $seq1"
	[ "$seq2" = "$seq1" ]
	check $? "listener 2 (--json) saw the same: $seq2"
}

guest() {
	echo 1 >/proc/sys/kernel/printk
	echo deep >/sys/power/mem_sleep
	# The wake-up button: its virtio device, and its input event node.
	wdev=
	for d in /sys/bus/virtio/devices/virtio*; do
		[ "$(cat "$d/device")" = 0x0012 ] && wdev=${d##*/}
	done
	ev=$(ls -d /sys/bus/virtio/devices/$wdev/input/input*/event* 2>/dev/null | head -n 1)
	echo "WAKE_DEV=$wdev input=${ev##*/} name=$(cat /sys/bus/virtio/devices/$wdev/input/input*/name)"
	echo CTL-READY
	while read -r cmd; do
		case $cmd in
		tick)
			i=0 prev=0 max=0
			while [ $i -lt 40 ]; do
				now=$(cut -d' ' -f1 /proc/uptime | tr -d .)0
				[ $prev -gt 0 ] && [ $((now - prev)) -gt $max ] && max=$((now - prev))
				prev=$now
				echo "TICK $i $now"
				i=$((i + 1))
				sleep 0.25
			done
			echo "TICKS-DONE max_gap_ms=$max"
			;;
		suspend)
			# Two input events (24 bytes each): the press and its SYN.
			[ -n "$ev" ] && hexdump -n 48 -e '1/2 "%x\n"' "/dev/input/${ev##*/}" \
				>/tmp/keys 2>/dev/null &
			hd=$!
			echo mem >/sys/power/state
			rc=$?
			i=0
			while kill -0 $hd 2>/dev/null && [ $i -lt 50 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			grep -qi '^8f$' /tmp/keys 2>/dev/null && echo "KEY_WAKEUP seen"
			echo "RESUMED rc=$rc"
			;;
		reboot)
			echo REBOOTING
			reboot -f
			;;
		esac
	done
}
