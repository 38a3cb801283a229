#!/usr/bin/env bash
# The whole test suite (`make test`): the native unit tests, and the guest
# tests (bare payloads, bad command lines, Linux guests) -- directly on an
# arm64 machine with a usable /dev/kvm, otherwise inside the emulated KVM host
# (QEMU TCG, see tests/rig/).  The unit tests run on this machine while the
# guest tests run.  Prints one TAP stream (guest tests first, the plan last)
# and a last line "N passed, N failed[, N skipped]"; exit status 0 only if
# nothing failed.  Before that: the total time and the five slowest tests.
#
#   T=regex tests/run.sh     only tests whose id ("unit: ...", "guest: hello",
#                            "cli: mem-zero", "linux: console") matches
# Logs: build/test-logs/ (one per guest test, unit.log, l1-console.log).
#
# No single time cap: tests/rig/runner.sh announces each test with the time
# it may take (its header's timeout, scaled to this machine's speed), and a
# watchdog here kills an emulated host that stays silent past that.  When the
# host dies or is killed, the test it was running fails, saying so, and a new
# host boots to go on with the next one.
#
# For the harness's own test (tests/unit/test-run-recovery.sh):
#   RIG_BOOT_CMD=CMD      run CMD (with FROM and SCALE set) in place of a boot,
#                         and no unit tests, payloads or initramfs
#   RIG_WATCHDOG_SLACK=N  seconds the watchdog adds to a test's time (60)
#   LKVM_TEST_LOGDIR=DIR  the logs' place
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
# shellcheck source=tests/rig/common.sh
. tests/rig/common.sh

T=${T:-}
LOGDIR=${LKVM_TEST_LOGDIR:-$TOP/build/test-logs}
RIG_BOOT_CMD=${RIG_BOOT_CMD:-}
RIG_WATCHDOG_SLACK=${RIG_WATCHDOG_SLACK:-60}
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR" "$RIG_OUT"
t_suite=$SECONDS

matches() {
	[ -z "$T" ] || grep -Eq -- "$T" <<<"$1"
}

# ---- unit tests: in the background, reported after the guest tests ----------
unit_bins=()
for f in build/host/tests/*; do
	# the Makefile leaves dependency files (.d) beside the binaries
	[ -f "$f" ] && [ -x "$f" ] && unit_bins+=("$f")
done
unit_pid=
if [ -z "$RIG_BOOT_CMD" ] && [ -x tests/unit/run.sh ] && [ ${#unit_bins[@]} -gt 0 ]; then
	(
		t=$SECONDS
		tests/unit/run.sh "${unit_bins[@]}" >"$LOGDIR/unit.log" 2>&1
		echo $((SECONDS - t)) >"$LOGDIR/unit.time"
	) &
	unit_pid=$!
fi

# ---- what guest tests there are ---------------------------------------------
build_ok=1
[ -n "$RIG_BOOT_CMD" ] || make --no-print-directory -s -f tests/guest/build.mk >"$LOGDIR/payload-build.log" 2>&1 ||
	build_ok=0
mapfile -t guest_ids < <(SRC=$TOP T=$T sh tests/rig/runner.sh --list)
G=${#guest_ids[@]}

echo "TAP version 13"
passed=0 failed=0 skipped=0
tally() {
	case $1 in
	pass) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
}

declare -A seen=() secs=()
shared_boots=()
scale=
running=	# the number of the test the runner last started, until its result
deadline=0

# watch SECS: the runner must say something within SECS from now.
watch() {
	deadline=$((SECONDS + $1))
}

# Read one boot's runner output (native, or the emulated host's console) from
# fd 3: TAP to stdout, "@@LOG name line" into build/test-logs/name.log, the
# rest to l1-console.log.  Returns 0 at its end, 1 if the watchdog fired.
demux() {
	local line rest name text num to
	while :; do
		to=$((deadline - SECONDS))
		[ $to -gt 0 ] || return 1
		IFS= read -r -t "$to" line <&3
		case $? in
		0) ;;
		1) return 0 ;;	# end of file
		*) return 1 ;;	# the watchdog
		esac
		line=${line%$'\r'}
		case $line in
		"@@LOG "*)
			rest=${line#@@LOG }
			name=${rest%% *}
			text=
			[ "$name" != "$rest" ] && text=${rest#* }
			printf '%s\n' "$text" >>"$LOGDIR/$name.log"
			;;
		"@@RIG l1-up "*)
			echo "# rig: emulated host booted, init at ${line#@@RIG l1-up }s uptime"
			watch 300
			;;
		"@@RIG start "*)
			read -r _ _ num to _ <<<"$line"
			running=$num
			watch $((to * 3 / 2 + RIG_WATCHDOG_SLACK))
			;;
		"@@RIG time "*)
			read -r _ _ num to <<<"$line"
			secs[$num]=$to
			;;
		"@@RIG boot-time "*)
			read -r _ _ to rest <<<"$line"
			shared_boots+=("$to $rest")
			;;
		"@@RIG scale "*)
			read -r _ _ scale rest <<<"$line"
			echo "# rig: timeouts scaled by $scale% ($rest)"
			;;
		"@@RIG done"*)
			echo "# rig: ${line#@@RIG }"
			watch 120
			;;
		"@@RIG "*) echo "# rig: ${line#@@RIG }" ;;
		"ok "* | "not ok "*)
			echo "$line"
			num=$(sed -E 's/^(not )?ok ([0-9]+).*/\2/' <<<"$line")
			seen[$num]=1
			[ "$num" = "$running" ] && running=
			if [[ $line == "not ok "* ]]; then
				tally fail
			elif [[ $line == *"# SKIP"* ]]; then
				tally skip
			else
				tally pass
			fi
			watch 300
			;;
		"# "*) echo "$line" ;;
		*) printf '%s\n' "$line" >>"$LOGDIR/l1-console.log" ;;
		esac
	done
}

# fail_test NUM WHY
fail_test() {
	echo "not ok $1 - ${guest_ids[$(($1 - 1))]} ($2)"
	seen[$1]=1
	tally fail
}

if [ "$G" -gt 0 ]; then
	why=
	[ $build_ok = 1 ] || why="payloads did not build (build/test-logs/payload-build.log)"
	[ -x ./lkvm ] || [ -n "$RIG_BOOT_CMD" ] || why="no ./lkvm (run make lkvm)"
	if [ -n "$RIG_BOOT_CMD" ]; then
		echo "# guest tests: through $RIG_BOOT_CMD"
	elif [ -z "$why" ]; then
		l2_initrd "$RIG_OUT/initrd.cpio.gz" || why="could not build the guest initramfs"
	fi
	if [ -n "$RIG_BOOT_CMD" ]; then
		:
	elif [ -z "$why" ] && native_kvm; then
		echo "# guest tests: native /dev/kvm"
	elif [ -z "$why" ]; then
		echo "# guest tests: in the emulated KVM host (QEMU TCG)"
		l1_initrd "$RIG_OUT/l1.cpio" test "$RIG_OUT/initrd.cpio.gz" "T=$T" "SOAK=${SOAK:-}" ||
			why="could not build the emulated host's initramfs"
	fi
	from=1 boots=0 dead_boots=0
	while [ -z "$why" ] && [ "$from" -le "$G" ]; do
		boots=$((boots + 1))
		t0=$SECONDS
		running=
		if [ -n "$RIG_BOOT_CMD" ]; then
			exec 3< <(FROM=$from SCALE=$scale exec $RIG_BOOT_CMD 2>&1)
		elif native_kvm; then
			exec 3< <(SRC=$TOP LKVM=$TOP/lkvm KERNEL=$L2_KERNEL INITRD=$RIG_OUT/initrd.cpio.gz \
				PAYLOADS=$TOP/build/guest T=$T FROM=$from SCALE=$scale STREAM=1 \
				exec sh tests/rig/runner.sh 2>&1)
		else
			qemu_l1_cmd "$RIG_OUT/l1.cpio" "rig.from=$from" ${scale:+"rig.scale=$scale"}
			exec 3< <(exec "${QEMU_CMD[@]}" </dev/null 2>&1)
		fi
		pid=$!
		watch 300
		demux
		end=$?
		if [ $end -ne 0 ]; then
			kill "$pid" 2>/dev/null
			how="stayed silent past its watchdog"
		else
			how="ended"
		fi
		exec 3<&-
		wait "$pid" 2>/dev/null
		echo "# rig: boot $boots finished in $((SECONDS - t0))s"
		# Where to go on: after the last test this boot reported or started.
		last=$((from - 1))
		for ((i = from; i <= G; i++)); do
			[ -n "${seen[$i]:-}" ] && last=$i
		done
		if [ -n "$running" ] && [ -z "${seen[$running]:-}" ]; then
			fail_test "$running" "the emulated host $how during this test; see build/test-logs/l1-console.log"
			last=$running
			dead_boots=0
		elif [ "$last" -lt "$from" ]; then
			# Nothing at all from this boot: try once more, then give up.
			dead_boots=$((dead_boots + 1))
			if [ $dead_boots -ge 2 ]; then
				why="two emulated hosts in a row $how before running a test"
				break
			fi
		fi
		from=$((last + 1))
		if [ "$from" -le "$G" ]; then
			echo "# rig: the emulated host $how; booting a new one to go on from test $from"
		fi
	done
	# Anything without a result (not built, not run) fails.
	for ((i = 1; i <= G; i++)); do
		[ -n "${seen[$i]:-}" ] || fail_test "$i" "no result: ${why:-the runner stopped; see build/test-logs/l1-console.log}"
	done
fi

# ---- the unit tests' results -------------------------------------------------
n=$G
if [ -n "$unit_pid" ]; then
	wait "$unit_pid"
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*)
			st=pass
			[[ $line == "not ok "* ]] && st=fail
			desc=$(sed -E 's/^(not )?ok [0-9]+( - )?//' <<<"$line")
			if [[ $desc == *"# SKIP"* ]]; then
				st=skip
				desc=${desc%%# SKIP*}
				desc=${desc% }
			fi
			matches "unit: $desc" || continue
			n=$((n + 1))
			case $st in
			pass) echo "ok $n - unit: $desc" ;;
			skip) echo "ok $n - unit: $desc # SKIP" ;;
			*) echo "not ok $n - unit: $desc" ;;
			esac
			tally "$st"
			;;
		esac
	done <"$LOGDIR/unit.log"
	[ $failed -gt 0 ] && grep -q '^not ok' "$LOGDIR/unit.log" &&
		echo "# unit test output: build/test-logs/unit.log"
elif matches "unit: run.sh"; then
	n=$((n + 1))
	echo "ok $n - unit: tests/unit/run.sh or build/host/tests/* missing (run make unit-tests) # SKIP"
	tally skip
fi
echo "1..$n"

# ---- how long it took ----------------------------------------------------------
echo "# total time: $((SECONDS - t_suite))s"
{
	for i in "${!secs[@]}"; do
		echo "${secs[$i]} ${guest_ids[$((i - 1))]}"
	done
	for b in "${shared_boots[@]}"; do
		echo "$b"
	done
	[ -f "$LOGDIR/unit.time" ] && echo "$(cat "$LOGDIR/unit.time") unit: all ${#unit_bins[@]} binaries (in parallel with the guest tests)"
} | sort -rn | head -n 5 | while read -r t id; do
	echo "# slowest: ${t}s $id"
done

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
