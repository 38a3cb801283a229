# Helpers for the host() side of Linux guest tests (tests/linux/NAME.sh).
# Sourced by tests/rig/linux-test.sh under busybox sh (inside the emulated
# host) or any POSIX sh (on an arm64 machine with /dev/kvm): no bashisms.
#
# Set by the runner: LKVM KERNEL INITRD WORK (scratch dir) TEST (name), and
# TEST_TIMEOUT (seconds: the header's "timeout:" times the machine's scale).
#
#   lkvm_run [lkvm options...]     boot the test guest ("lkvm.test=$TEST" plus
#                                  $GUEST_PARAMS on the command line), stdin
#                                  /dev/null, output in $OUT, status in $LKVM_RC
#   lkvm_run_input PATTERN LINE [options...]
#                                  the same, but types LINE on the console once
#                                  the output matches PATTERN
#   expect_exit N                  lkvm's status must be N
#   expect_line REGEX              some output line must match (grep -E)
#   expect_no_line REGEX           no output line may match
#   guest_value KEY                value of the last "KEY=value" line
#   check COND_STATUS MESSAGE      record a failure if the previous command failed
#   fail MESSAGE / skip REASON / note MESSAGE
#   time_left                      seconds until the test's deadline (>= 5)
#   lkvm_start [lkvm run options...]
#                                  start lkvm in the background (no kernel or
#                                  initrd added: pass -k yourself), stdin a
#                                  fifo, output in $OUT, pid in $LKVM_PID
#   wait_line REGEX SECS           wait until an output line matches (status 1
#                                  if lkvm ended or SECS passed first)
#   type_line LINE                 type LINE on the console of lkvm_start's lkvm
#   wait_exit SECS                 wait up to SECS for lkvm_start's lkvm to end
#                                  by itself (status 1 if it still runs)
#   ctl SUBCOMMAND [ARGS...]       a control subcommand (lkvm list, pause, ...):
#                                  its output in $CTL_OUT, its status in $CTL_RC
#   stop_lkvm SIGNAL SECS          send SIGNAL, wait up to SECS for lkvm to end
#                                  (SIGKILL after that: a failure), status in
#                                  $LKVM_RC, seconds taken in $STOP_SECS
# host() passes unless something called fail (or it returned non-zero).
#
# Every lkvm run gets the time left until the test's deadline, so the header's
# "timeout:" is the limit that applies; the runner's own, slightly later,
# timeout is only a backstop.  When the deadline cuts a run short, the failure
# says what the run was waiting for.

TEST_TIMEOUT=${TEST_TIMEOUT:-300}
_deadline=$(($(date +%s) + TEST_TIMEOUT))
_waiting="lkvm to exit"
GUEST_PARAMS=${GUEST_PARAMS:-}
LKVM_RC=
OUT=
_fails=0
_runs=0

note() {
	echo "# $*"
}

fail() {
	_fails=$((_fails + 1))
	echo "FAIL: $*"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

check() {
	if [ "$1" -ne 0 ]; then
		fail "$2"
	else
		echo "pass: $2"
	fi
}

time_left() {
	_l=$((_deadline - $(date +%s)))
	[ $_l -ge 5 ] || _l=5
	echo $_l
}

_lkvm_cmd_echo() {
	echo "+ $LKVM run -k $KERNEL -i $INITRD -p \"lkvm.test=$TEST $GUEST_PARAMS\" $*"
}

lkvm_run() {
	_runs=$((_runs + 1))
	OUT=$WORK/out.$_runs
	_lkvm_cmd_echo "$@"
	_waiting="the guest to power off"
	timeout "$(time_left)" "$LKVM" run -k "$KERNEL" -i "$INITRD" \
		-p "lkvm.test=$TEST $GUEST_PARAMS" "$@" </dev/null >"$OUT" 2>&1
	LKVM_RC=$?
	_show_run
}

lkvm_run_input() {
	_pattern=$1
	_line=$2
	shift 2
	_runs=$((_runs + 1))
	OUT=$WORK/out.$_runs
	_fifo=$WORK/stdin.$_runs
	rm -f "$_fifo"
	mkfifo "$_fifo"
	: >"$OUT"	# polled below before lkvm has written anything
	_lkvm_cmd_echo "$@" "<<< '$_line' after /$_pattern/"
	_waiting="an output line matching /$_pattern/ (to type '$_line')"
	timeout "$(time_left)" "$LKVM" run -k "$KERNEL" -i "$INITRD" \
		-p "lkvm.test=$TEST $GUEST_PARAMS" "$@" <"$_fifo" >"$OUT" 2>&1 &
	_pid=$!
	exec 3>"$_fifo"
	_t0=$(date +%s)
	while kill -0 $_pid 2>/dev/null; do
		if tr -d '\r' <"$OUT" | grep -Eq -- "$_pattern"; then
			echo "# typing '$_line' after $(($(date +%s) - _t0))s"
			printf '%s\n' "$_line" >&3
			_waiting="the guest to power off after '$_line' was typed"
			break
		fi
		sleep 0.2
	done
	wait $_pid
	LKVM_RC=$?
	exec 3>&-
	_show_run
}

lkvm_start() {
	_runs=$((_runs + 1))
	OUT=$WORK/out.$_runs
	_fifo=$WORK/stdin.$_runs
	rm -f "$_fifo"
	mkfifo "$_fifo"
	: >"$OUT"
	echo "+ $LKVM run $*  (in the background)"
	"$LKVM" run "$@" <"$_fifo" >"$OUT" 2>&1 &
	LKVM_PID=$!
	exec 3>"$_fifo"
}

wait_line() {
	_n=$(($2 * 10))
	while [ $_n -gt 0 ]; do
		tr -d '\r' <"$OUT" | grep -Eq -- "$1" && return 0
		kill -0 "$LKVM_PID" 2>/dev/null || break
		sleep 0.1
		_n=$((_n - 1))
	done
	tr -d '\r' <"$OUT" | grep -Eq -- "$1"
}

type_line() {
	printf '%s\n' "$1" >&3
}

wait_exit() {
	_n=$(($1 * 10))
	while [ $_n -gt 0 ] && kill -0 "$LKVM_PID" 2>/dev/null; do
		sleep 0.1
		_n=$((_n - 1))
	done
	! kill -0 "$LKVM_PID" 2>/dev/null
}

ctl() {
	CTL_OUT=$("$LKVM" "$@" 2>&1)
	CTL_RC=$?
	echo "+ lkvm $* -> $CTL_RC: $(echo "$CTL_OUT" | head -c 400)"
}

stop_lkvm() {
	_t0=$(date +%s)
	kill -"$1" "$LKVM_PID" 2>/dev/null
	_n=$(($2 * 10))
	while [ $_n -gt 0 ] && kill -0 "$LKVM_PID" 2>/dev/null; do
		sleep 0.1
		_n=$((_n - 1))
	done
	STOP_SECS=$(($(date +%s) - _t0))
	if kill -0 "$LKVM_PID" 2>/dev/null; then
		fail "lkvm still running ${2}s after SIG$1: killed"
		kill -9 "$LKVM_PID" 2>/dev/null
	fi
	wait "$LKVM_PID"
	LKVM_RC=$?
	exec 3>&-
	_show_run
}

_show_run() {
	echo "# lkvm exit status $LKVM_RC; output:"
	tr -d '\r' <"$OUT" | sed 's/^/| /'
	case $LKVM_RC in
	124 | 137 | 143)
		fail "lkvm run #$_runs cut off at the test's deadline (timeout ${TEST_TIMEOUT_HDR:-?} x scale ${SCALE:-100}% = ${TEST_TIMEOUT}s), waiting for $_waiting; its last line: $(tr -d '\r' <"$OUT" | grep . | tail -n 1)"
		;;
	esac
}

expect_exit() {
	if [ "$LKVM_RC" = "$1" ]; then
		echo "pass: lkvm exit status $1"
	else
		fail "lkvm exit status $LKVM_RC, expected $1"
	fi
}

expect_line() {
	if tr -d '\r' <"$OUT" | grep -Eq -- "$1"; then
		echo "pass: output has /$1/"
	else
		fail "no output line matches /$1/"
	fi
}

expect_no_line() {
	if tr -d '\r' <"$OUT" | grep -Eq -- "$1"; then
		fail "output has a line matching /$1/: $(tr -d '\r' <"$OUT" | grep -E -- "$1" | head -n 1)"
	else
		echo "pass: output has no /$1/"
	fi
}

guest_value() {
	tr -d '\r' <"$OUT" | sed -n "s/^$1=//p" | tail -n 1
}

# The shared boot's results, for a test with "boot: NAME" (see
# tests/rig/runner.sh): its lkvm status, and as $OUT the output less what the
# other tests' guest() printed (between "lkvm-guest: test X" and
# "lkvm-guest: end X").
_use_shared() {
	if [ ! -f "$SHARED/boot.env" ]; then
		fail "the shared boot $SHARED did not finish"
		return 1
	fi
	. "$SHARED/boot.env"
	_runs=1
	OUT=$WORK/out.shared
	tr -d '\r' <"$SHARED_OUT" | awk -v me="$TEST" '
		/^lkvm-guest: test / { cur = $3 }
		cur == "" || cur == me { print }
		/^lkvm-guest: end / { cur = "" }' >"$OUT"
	LKVM_RC=$SHARED_RC
	echo "# shared boot ($SHARED_CMD), status $LKVM_RC; this test's part of its output:"
	sed 's/^/| /' "$OUT"
}

# Called by the runner after host().
_finish() {
	if [ "$_runs" -eq 0 ]; then
		fail "host() never ran lkvm"
	fi
	[ "$_fails" -eq 0 ]
}
