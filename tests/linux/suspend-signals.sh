# A signal storm while the guest is in SYSTEM_SUSPEND: lkvm's own vCPU kick
# (SIGUSR1, what pause-all sends), terminal resizes (SIGWINCH), SIGCHLD, and
# job control (SIGSTOP/SIGCONT, which interrupt KVM_RUN too).  The suspend must
# survive: the guest (bare payload psci-suspend-storm, 5 s on its virtual
# timer) resumes once, at its entry point, no earlier than its timer, and lkvm
# keeps running.  No Linux guest here; host() drives lkvm directly.
# timeout: 120

count_lines() {
	tr -d '\r' <"$OUT" | grep -cE -- "$1"
}

host() {
	bin=${PAYLOADS:-$SRC/build/guest}/psci-suspend-storm.bin
	[ -f "$bin" ] || skip "no payload $bin"
	_runs=$((_runs + 1))
	OUT=$WORK/out.storm
	echo "+ $LKVM run -k $bin -c 1 -m 64 --loglevel info --stats  (signals while suspended)"
	"$LKVM" run -k "$bin" -c 1 -m 64 --loglevel info --stats </dev/null >"$OUT" 2>&1 &
	pid=$!

	i=0
	while [ $i -lt 300 ] && ! grep -q 'guest suspended' "$OUT"; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q 'guest suspended' "$OUT"
	check $? "the guest suspended (lkvm logged it)"

	kicks=0 others=0 stops=0 n=0
	while [ $n -lt 40 ] && kill -0 $pid 2>/dev/null; do
		kill -USR1 $pid && kill -USR1 $pid && kill -USR1 $pid && kicks=$((kicks + 3))
		kill -WINCH $pid && kill -CHLD $pid && others=$((others + 2))
		n=$((n + 1))
		if [ $((n % 10)) -eq 0 ]; then
			kill -STOP $pid && sleep 0.2 && kill -CONT $pid && stops=$((stops + 1))
		fi
		sleep 0.05
	done
	note "sent $kicks SIGUSR1, $others SIGWINCH/SIGCHLD, $stops SIGSTOP/SIGCONT pairs"
	[ $kicks -ge 100 ] && [ $stops -ge 4 ]
	check $? "the whole storm was delivered to a live lkvm"
	! grep -q 'guest resumed' "$OUT"
	check $? "the storm ended while the guest was still suspended"

	i=0
	while [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 $pid 2>/dev/null
	wait $pid
	LKVM_RC=$?
	_show_run
	expect_exit 0
	expect_line '^1\.\.5$'
	[ "$(count_lines '^ok ')" -eq 5 ]
	check $? "5 of 5 guest checks passed"
	expect_no_line '^(not ok|Bail out!)'
	[ "$(count_lines 'guest suspended')" -eq 1 ] && [ "$(count_lines 'guest resumed')" -eq 1 ]
	check $? "exactly one suspend and one resume logged"
	expect_line 'stats: suspends 1 resumes 1 '
	expect_no_line 'stopping on signal'
}

guest() {
	:
}
