# The control socket against a bare payload (tests/guest/ctl-guest.c), where
# registers can be checked: `lkvm debug` reads known values from a spinning
# vCPU without stopping it for good; `lkvm sdei` is delivered to the payload's
# handler, is refused for an event nobody registered, and says "pending" with
# the reason while the PE is masked; a pause inside an SDEI handler holds it
# there, and the guest's counter does not move across the pause; `lkvm stat`,
# `lkvm list` and the event stream follow along.
# timeout: 240

host() {
	KERNEL=$PAYLOADS/ctl-guest.bin
	[ -f "$KERNEL" ] || skip "no payload $KERNEL"
	export LKVM_RUNTIME_DIR=$WORK/rt
	N=bare-ctl
	lkvm_start -k "$KERNEL" -c 2 -m 64 --name $N
	ctl wait -n $N --state running --timeout 30
	"$LKVM" events -n $N --json >"$WORK/ev" 2>&1 &
	ev_pid=$!

	wait_line '^SPIN pc=' 60
	check $? "the payload spins"
	lo=$(tr -d '\r' <"$OUT" | sed -n 's/^SPIN pc=\(0x[0-9a-f]*\)\.\..*/\1/p')
	hi=$(tr -d '\r' <"$OUT" | sed -n 's/^SPIN pc=0x[0-9a-f]*\.\.\(0x[0-9a-f]*\)/\1/p')

	ctl list
	echo "$CTL_OUT" | grep -Eq "^$N +$LKVM_PID +running"
	check $? "lkvm list: $N, its pid, running"

	ctl debug -n $N --json
	[ $CTL_RC -eq 0 ]
	check $? "lkvm debug answers"
	x=$(echo "$CTL_OUT" | sed -n 's/.*"cpu":0,[^]]*"x":\[\([^]]*\)\].*/\1/p')
	echo "# vCPU 0 x: $x"
	echo "$x" | grep -q '"0x1919191919191919","0x3232323232323232","0x2121212121212121","0x0","0x0","0x0","0x0","0x0","0x0","0x2828282828282828"'
	check $? "lkvm debug: x19..x28 hold the payload's values"
	pc=$(echo "$CTL_OUT" | sed -n 's/.*"cpu":0,[^}]*"pc":"\(0x[0-9a-f]*\)".*/\1/p')
	[ -n "$pc" ] && [ $((pc)) -ge $((lo)) ] && [ $((pc)) -le $((hi)) ]
	check $? "lkvm debug: vCPU 0's PC ($pc) is in the spin loop ($lo..$hi)"
	echo "$CTL_OUT" | grep -q '"cpu":1,[^}]*"mp_state":"stopped"'
	check $? "lkvm debug: vCPU 1 (never switched on) is stopped"
	echo "$CTL_OUT" | grep -q '"registered":\[1000\],"enabled":\[1000\]'
	check $? "lkvm debug: event 1000 registered and enabled on vCPU 0"
	ctl debug -n $N
	echo "$CTL_OUT" | grep -Eq 'x19 +0x1919191919191919'
	check $? "lkvm debug (text): x19"

	ctl sdei -n $N --event 2000
	[ $CTL_RC -eq 2 ] && echo "$CTL_OUT" | grep -q 'not registered'
	check $? "lkvm sdei: event 2000 (unregistered) refused, status 2"
	ctl sdei -n $N --event 1000 --cpu 0
	[ $CTL_RC -eq 0 ] && echo "$CTL_OUT" | grep -q 'delivered on cpu 0'
	check $? "lkvm sdei: event 1000 delivered to the payload's handler"

	wait_line '^HANDLER next' 30
	ctl sdei -n $N --event 1000 --json
	echo "$CTL_OUT" | grep -q '"result":"delivered"'
	check $? "lkvm sdei --json: delivered"
	wait_line '^IN-HANDLER event=1000' 30
	check $? "the handler runs"
	ctl pause -n $N
	[ $CTL_RC -eq 0 ]
	check $? "lkvm pause inside the handler"
	ctl debug -n $N --json
	echo "$CTL_OUT" | grep -q '"paused":true' &&
		echo "$CTL_OUT" | grep -q '"cpu":0,.*"running":\[1000\]'
	check $? "lkvm debug while paused: vCPU 0 runs event 1000's handler"
	ctl list --json
	echo "$CTL_OUT" | grep -q "\"name\":\"$N\",\"pid\":$LKVM_PID,\"state\":\"paused\""
	check $? "lkvm list --json: paused"
	sleep 3
	ctl resume -n $N
	[ $CTL_RC -eq 0 ]
	check $? "lkvm resume"

	wait_line '^MASKED' 60
	check $? "the payload masks its PE"
	ctl sdei -n $N --event 1000
	[ $CTL_RC -eq 0 ] && echo "$CTL_OUT" | grep -q 'pending: the PE is masked'
	check $? "lkvm sdei while masked: pending, the PE is masked"

	ctl stat -n $N --json
	echo "$CTL_OUT" | grep -Eq '"sdei_deliveries":[2-9]'
	check $? "lkvm stat: SDEI deliveries counted"

	wait_exit 30
	stop_lkvm TERM 10
	expect_exit 0
	expect_line '^1\.\.6$'
	expect_no_line '^(not ok|Bail out!)'
	[ "$(tr -d '\r' <"$OUT" | grep -c '^ok ')" -eq 6 ]
	check $? "6 of 6 payload checks passed"

	wait $ev_pid
	echo "# events:"
	sed 's/^/|  /' "$WORK/ev"
	grep -q '"event":"sdei-raise","cpu":0,"event_nr":1000' "$WORK/ev" &&
		grep -q '"event":"sdei-deliver","cpu":0,"event_nr":1000' "$WORK/ev" &&
		grep -q '"event":"pause"' "$WORK/ev" && grep -q '"event":"unpause"' "$WORK/ev" &&
		grep -q '"event":"poweroff"' "$WORK/ev"
	check $? "the event stream: SDEI raised and delivered, pause, unpause, power-off"
	[ ! -e "$LKVM_RUNTIME_DIR/$N.sock" ]
	check $? "the socket is gone after the power-off"
}

guest() {
	:	# the guest is the payload, not Linux
}
