#!/bin/sh
# Run lkvm's guest tests sequentially and print TAP lines (no header/plan: the
# caller, tests/run.sh, prints those).  POSIX sh: it runs under busybox inside
# the emulated host and natively on an arm64 machine with /dev/kvm.
#
#   runner.sh --list    print the selected test ids, one a line
#   runner.sh           run them
#
# Environment:
#   SRC       source tree (holds tests/guest/*.c, tests/linux, tests/cli)
#   LKVM      the lkvm binary          KERNEL, INITRD  L2 Linux Image and initramfs
#   PAYLOADS  directory of NAME.bin    T          extended regex selecting ids
#   TAP_START number of the first selected test (default 1)
#   FROM      skip the selected tests numbered below FROM (a restart after the
#             emulated host died: tests/run.sh boots a new one and goes on)
#   SCALE     timeout scale in percent (default: measured here, see below)
#   LOGDIR    where each test's log goes, NAME.log (default: none kept)
#   STREAM=1  also print every log line as "@@LOG <log name> <line>"
#   WORKROOT  scratch space (default /tmp)
# Test ids: "guest: NAME" (tests/guest/NAME.c), "cli: CASE" (each bad_case in
# tests/cli/*.sh), "linux: NAME" (tests/linux/NAME.sh).
#
# Besides TAP it prints, for tests/run.sh, "@@RIG start NUM SECS ID" when a
# test (or the shared boot it needs) starts and may take up to SECS,
# "@@RIG time NUM SECS" when it has ended, and "@@RIG scale PCT ..." once.
#
# Timeouts follow the machine: a header's "timeout: N" is N seconds on the
# reference machine (a quiet 2-core x86-64 running the emulated host), and the
# runner applies N * SCALE / 100.  SCALE comes from timing a fixed CPU-bound
# workload on every CPU at once (so a host with fewer cores than the emulated
# host has CPUs shows up too), against that machine's figure; it is never
# below 100.

SRC=${SRC:-.}
T=${T:-}
TAP_START=${TAP_START:-1}
FROM=${FROM:-1}
WORKROOT=${WORKROOT:-/tmp}
PAYLOADS=${PAYLOADS:-$SRC/build/guest}
# The calibration workload and what it took on the reference machine
# (centiseconds, the emulated host's /proc/uptime).
CALIB_LOOPS=25000
CALIB_REF_CS=${CALIB_REF_CS:-50}
idx=$((TAP_START - 1))

selected() {
	[ -z "$T" ] && return 0
	echo "$1" | grep -Eq -- "$T"
}

list_all() {
	for f in "$SRC"/tests/guest/*.c; do
		[ -f "$f" ] || continue
		[ -n "$(header run-by "$f")" ] && continue
		n=${f##*/}
		echo "guest: ${n%.c}"
	done
	for f in "$SRC"/tests/cli/*.sh; do
		[ -f "$f" ] || continue
		[ "${f##*/}" = lib.sh ] && continue
		sed -n 's/^bad_case \([^ ]*\) .*/cli: \1/p; s/^bad_case \([^ ]*\)$/cli: \1/p' "$f"
	done
	for f in "$SRC"/tests/linux/*.sh; do
		[ -f "$f" ] || continue
		[ "${f##*/}" = lib.sh ] && continue
		n=${f##*/}
		echo "linux: ${n%.sh}"
	done
}

list_selected() {
	list_all | while IFS= read -r id; do
		selected "$id" && echo "$id"
	done
}

# want ID: is ID selected, and (counting it) not below FROM?  Called once for
# every selected id, in list order, so idx is its TAP number.
want() {
	selected "$1" || return 1
	idx=$((idx + 1))
	[ "$idx" -ge "$FROM" ]
}

now() {
	date +%s
}

# scaled N: N reference seconds on this machine.
scaled() {
	echo $((($1 * SCALE + 99) / 100))
}

# begin ID HEADER_TIMEOUT: announce test number idx, which may take up to the
# scaled HEADER_TIMEOUT; sets $to to that.
begin() {
	to=$(scaled "$2")
	t0=$(now)
	echo "@@RIG start $idx $to $1"
}

# stream_log LOGNAME FILE: keep FILE as LOGDIR/LOGNAME.log, and stream it.
stream_log() {
	if [ -n "${LOGDIR:-}" ] && [ -f "$2" ]; then
		cp "$2" "$LOGDIR/$1.log"
	fi
	if [ "${STREAM:-}" = 1 ] && [ -f "$2" ]; then
		tr -d '\r' <"$2" | sed "s|^|@@LOG $1 |"
	fi
}

# result pass|fail|skip ID LOGFILE [WHY]: the TAP line for test number idx.
result() {
	lname=$(echo "$2" | sed 's/: /-/; s/[^A-Za-z0-9_.-]/_/g')
	case $1 in
	pass) echo "ok $idx - $2" ;;
	skip) echo "ok $idx - $2 # SKIP ${4:-}" ;;
	*) echo "not ok $idx - $2${4:+ ($4)}" ;;
	esac
	if [ "$1" = fail ] && [ -f "$3" ]; then
		tail -n 30 "$3" | tr -d '\r' | sed 's/^/# /'
	fi
	stream_log "$lname" "$3"
	echo "@@RIG time $idx $(($(now) - t0))"
}

header() {
	# header KEY FILE: value of a "KEY: value" line in the file's header comment
	sed -n "s|^[/#* ]*$1:[[:space:]]*||p" "$2" | head -n 1
}

elapsed() {
	echo "# $(($(now) - t0))s"
}

# Centiseconds of uptime.
uptime_cs() {
	awk '{ printf "%d\n", $1 * 100 }' /proc/uptime
}

# The calibration: CALIB_LOOPS shell iterations on every CPU at once, the
# best of three rounds (a passing disturbance should not count).
calibrate() {
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	best=
	for round in 1 2 3; do
		c0=$(uptime_cs)
		w=0
		while [ $w -lt "$cpus" ]; do
			(
				i=0
				while [ $i -lt $CALIB_LOOPS ]; do i=$((i + 1)); done
			) &
			w=$((w + 1))
		done
		wait
		c=$(($(uptime_cs) - c0))
		[ -n "$best" ] && [ "$best" -le "$c" ] || best=$c
	done
	echo "$best"
}

run_guest() {
	name=$1
	src=$SRC/tests/guest/$name.c
	bin=$PAYLOADS/$name.bin
	log=$WORK/guest-$name.log
	args=$(header lkvm-args "$src")
	want_rc=$(header expect-exit "$src")
	want_rc=${want_rc:-0}
	hto=$(header timeout "$src")
	begin "guest: $name" "${hto:-60}"
	if [ ! -f "$bin" ]; then
		echo "no payload $bin" >"$log"
		result fail "guest: $name" "$log" "payload not built"
		return
	fi
	echo "+ lkvm run -k $bin $args" >"$log"
	# Named, so that a run that outlives its time can be looked at
	# (`lkvm debug`) before it is stopped.
	# shellcheck disable=SC2086 # lkvm-args is a word list
	LKVM_RUNTIME_DIR=$WORK/rt "$LKVM" run -k "$bin" --name "$name" $args </dev/null \
		>"$WORK/out" 2>&1 &
	pid=$!
	n=$((to * 10))
	while [ $n -gt 0 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	hung=
	if kill -0 $pid 2>/dev/null; then
		hung=1
		LKVM_RUNTIME_DIR=$WORK/rt "$LKVM" debug -n "$name" >"$WORK/debug" 2>&1
		kill -TERM $pid
		n=50
		while [ $n -gt 0 ] && kill -0 $pid 2>/dev/null; do
			sleep 0.1
			n=$((n - 1))
		done
		kill -KILL $pid 2>/dev/null
	fi
	wait $pid
	rc=$?
	{
		tr -d '\r' <"$WORK/out"
		echo "# lkvm exit status $rc"
		if [ -n "$hung" ]; then
			echo "# still running after ${to}s: lkvm debug said, before SIGTERM:"
			sed 's/^/#   /' "$WORK/debug"
		fi
		elapsed
	} >>"$log"
	out=$WORK/out.txt
	tr -d '\r' <"$WORK/out" >"$out"
	why=
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
	oks=$(grep -c '^ok ' "$out")
	if grep -q '^1\.\.0 # SKIP' "$out" && [ "$rc" = "$want_rc" ]; then
		result skip "guest: $name" "$log" "$(sed -n 's/^1\.\.0 # SKIP *//p' "$out" | head -n 1)"
		return
	fi
	case $rc in
	"$want_rc") ;;
	*) why="lkvm exit status $rc, want $want_rc" ;;
	esac
	[ -n "$hung" ] && why="timed out after ${to}s (timeout ${hto:-60} x scale $SCALE%); its vCPUs are in the log"
	if [ -z "$why" ] && grep -q '^not ok' "$out"; then
		why=$(grep '^not ok' "$out" | head -n 1)
	fi
	if [ -z "$why" ] && grep -q '^Bail out!' "$out"; then
		why=$(grep '^Bail out!' "$out" | head -n 1)
	fi
	if [ -z "$why" ] && [ -n "$planned" ] && [ "$planned" != "$oks" ]; then
		why="$oks of $planned planned tests passed"
	fi
	if [ -z "$why" ] && [ -z "$planned" ] && [ -z "$(header expect-output "$src")" ]; then
		why="no TAP plan in the output"
	fi
	if [ -z "$why" ]; then
		sed -n 's|^[/#* ]*expect-output:[[:space:]]*||p' "$src" >"$WORK/expects"
		while IFS= read -r re; do
			if ! grep -Eq -- "$re" "$out"; then
				why="no output line matches /$re/"
				break
			fi
		done <"$WORK/expects"
	fi
	if [ -z "$why" ]; then
		result pass "guest: $name" "$log"
	else
		result fail "guest: $name" "$log" "$why"
	fi
}

# linux_host FILE LOG HEADER_TIMEOUT [linux-host.sh options]: run host() (or,
# with --boot, a shared boot) under the scaled timeout plus a margin, so that
# lib.sh's own deadline, which says what it was waiting for, fires first.
linux_host() {
	_lf=$1 _llog=$2 _lhto=$3
	shift 3
	margin=$(scaled 30)
	TEST_TIMEOUT=$to TEST_TIMEOUT_HDR=$_lhto SCALE=$SCALE \
		timeout $((to + margin)) sh "$SRC/tests/rig/linux-host.sh" "$@" "$_lf" >"$_llog" 2>&1
}

# A test with "boot: NAME" shares one lkvm run with the other tests naming
# that boot: tests/linux/boots/NAME.sh's boot() runs once, the first time one
# of them comes up, with the guest running the guest() of each of them still
# to come; each test's host() then checks its part of that output.
shared_boot() {
	group=$1 first=$2
	bdir=$WORK/boot-$group
	[ -d "$bdir" ] && return 0
	mkdir -p "$bdir"
	gf=$SRC/tests/linux/boots/$group.sh
	# Members still to run: this test and the selected ones after it.
	members=
	for m in "$SRC"/tests/linux/*.sh; do
		[ "$(header boot "$m")" = "$group" ] || continue
		mn=${m##*/}
		mn=${mn%.sh}
		selected "linux: $mn" || continue
		[ -n "$members" ] || [ "$mn" = "$first" ] || continue
		members=${members:+$members,}$mn
	done
	hto=$(header timeout "$gf")
	begin "linux: $first" "${hto:-200}"
	blog=$WORK/boot-$group.log
	WORK=$bdir TEST=$members linux_host "$gf" "$blog" "${hto:-200}" --boot
	echo "# $(($(now) - t0))s" >>"$blog"
	stream_log "linux-boot-$group" "$blog"
	echo "@@RIG boot-time $(($(now) - t0)) linux: boots/$group (shared by $members)"
}

run_linux() {
	name=$1
	f=$SRC/tests/linux/$name.sh
	log=$WORK/linux-$name.log
	group=$(header boot "$f")
	shared=
	if [ -n "$group" ]; then
		shared_boot "$group" "$name"
		shared=$WORK/boot-$group
	fi
	hto=$(header timeout "$f")
	hto=${hto:-200}
	# `make soak` (SOAK=full) runs the soak test at full length.
	[ "${SOAK:-}" = full ] && [ -n "$(header timeout-full "$f")" ] && hto=$(header timeout-full "$f")
	begin "linux: $name" "$hto"
	mkdir -p "$WORK/linux-$name"
	WORK=$WORK/linux-$name TEST=$name SHARED=$shared linux_host "$f" "$log" "$hto"
	rc=$?
	elapsed >>"$log"
	case $rc in
	0) result pass "linux: $name" "$log" ;;
	77) result skip "linux: $name" "$log" "$(sed -n 's/^SKIP: //p' "$log" | head -n 1)" ;;
	124 | 137 | 143)
		result fail "linux: $name" "$log" "host() killed after $((to + margin))s (timeout $hto x scale $SCALE% + margin)"
		;;
	*)
		why=$(sed -n 's/^FAIL: //p' "$log" | head -n 1)
		result fail "linux: $name" "$log" "${why:-host() failed with status $rc}"
		;;
	esac
}

run_cli() {
	f=$1
	PAYLOAD=$PAYLOADS/hello.bin
	export PAYLOAD
	. "$SRC/tests/cli/lib.sh"
	# shellcheck disable=SC1090
	. "$f"
}

if [ "${1:-}" = --list ]; then
	list_selected
	exit 0
fi

export SRC LKVM KERNEL INITRD PAYLOADS
WORK=$(mktemp -d "$WORKROOT/lkvm-tests.XXXXXX")
[ -n "${LOGDIR:-}" ] && mkdir -p "$LOGDIR"
echo "# runner: $(uname -sr), lkvm $LKVM, kernel $KERNEL"
if [ ! -c /dev/kvm ]; then
	echo "# runner: no /dev/kvm here"
fi
if [ -z "${SCALE:-}" ]; then
	cs=$(calibrate)
	SCALE=$((cs * 100 / CALIB_REF_CS))
	[ "$SCALE" -ge 100 ] || SCALE=100
	echo "@@RIG scale $SCALE calibration ${cs}0 ms, reference ${CALIB_REF_CS}0 ms"
fi

for f in "$SRC"/tests/guest/*.c; do
	[ -f "$f" ] || continue
	# A payload that needs a host() to drive it runs only from that test.
	[ -n "$(header run-by "$f")" ] && continue
	n=${f##*/}
	n=${n%.c}
	want "guest: $n" && run_guest "$n"
done
for f in "$SRC"/tests/cli/*.sh; do
	[ -f "$f" ] || continue
	[ "${f##*/}" = lib.sh ] && continue
	# bad_case itself calls want, case by case; the file's setup runs
	# only if one of its cases is still to come.
	cases=$(sed -n 's/^bad_case \([^ ]*\).*/cli: \1/p' "$f" | while IFS= read -r id; do
		selected "$id" && echo x
	done | wc -l)
	[ "$cases" -gt 0 ] || continue
	if [ $((idx + cases)) -lt "$FROM" ]; then
		idx=$((idx + cases))
		continue
	fi
	run_cli "$f"
done
for f in "$SRC"/tests/linux/*.sh; do
	[ -f "$f" ] || continue
	[ "${f##*/}" = lib.sh ] && continue
	n=${f##*/}
	n=${n%.sh}
	want "linux: $n" && run_linux "$n"
done
rm -rf "$WORK"
echo "# runner: done"
