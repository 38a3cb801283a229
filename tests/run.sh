#!/usr/bin/env bash
# The whole test suite (`make test`): the native unit tests, then the guest
# tests (bare payloads, bad command lines, Linux guests) -- directly on an
# arm64 machine with a usable /dev/kvm, otherwise inside the emulated KVM host
# (QEMU TCG, see tests/rig/).  Prints one TAP stream and a last line
# "N passed, N failed[, N skipped]"; exit status 0 only if nothing failed.
#
#   T=regex tests/run.sh     only tests whose id ("unit: ...", "guest: hello",
#                            "cli: mem-zero", "linux: console") matches
# Logs: build/test-logs/ (one per guest test, unit.log, l1-console.log).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
# shellcheck source=tests/rig/common.sh
. tests/rig/common.sh

T=${T:-}
LOGDIR=$TOP/build/test-logs
RIG_TIMEOUT=${RIG_TIMEOUT:-1500}
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR" "$RIG_OUT"
body=$(mktemp)
trap 'rm -f "$body"' EXIT

matches() {
	[ -z "$T" ] || grep -Eq -- "$T" <<<"$1"
}

# ---- unit tests: run first, buffered, so the plan can come first -------------
units=()
unit_status=()
unit_bins=()
for f in build/host/tests/*; do
	# the Makefile leaves dependency files (.d) beside the binaries
	[ -f "$f" ] && [ -x "$f" ] && unit_bins+=("$f")
done
if [ -x tests/unit/run.sh ] && [ ${#unit_bins[@]} -gt 0 ]; then
	tests/unit/run.sh "${unit_bins[@]}" >"$LOGDIR/unit.log" 2>&1
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
			units+=("unit: $desc")
			unit_status+=("$st")
			;;
		esac
	done <"$LOGDIR/unit.log"
elif matches "unit: run.sh"; then
	units+=("unit: tests/unit/run.sh or build/host/tests/* missing (run make unit-tests)")
	unit_status+=(skip)
fi

# ---- what guest tests there are ---------------------------------------------
build_ok=1
make --no-print-directory -s -f tests/guest/build.mk >"$LOGDIR/payload-build.log" 2>&1 ||
	build_ok=0
mapfile -t guest_ids < <(SRC=$TOP T=$T sh tests/rig/runner.sh --list)

total=$((${#units[@]} + ${#guest_ids[@]}))
echo "TAP version 13"
echo "1..$total"

n=0 passed=0 failed=0 skipped=0
tally() {
	case $1 in
	pass) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
}

for i in "${!units[@]}"; do
	n=$((n + 1))
	case ${unit_status[$i]} in
	pass) echo "ok $n - ${units[$i]}" ;;
	skip) echo "ok $n - ${units[$i]} # SKIP" ;;
	*) echo "not ok $n - ${units[$i]}" ;;
	esac
	tally "${unit_status[$i]}"
done
if [ $failed -gt 0 ]; then
	echo "# unit test output: build/test-logs/unit.log"
fi

first_guest=$((n + 1))
declare -A seen=()

# Read runner output (native or through the emulated host's console): TAP to
# stdout, "@@LOG name line" into build/test-logs/name.log, the rest to
# l1-console.log.
demux() {
	local line rest name text num
	while IFS= read -r line; do
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
			;;
		"@@RIG "*) echo "# rig: ${line#@@RIG }" ;;
		"ok "* | "not ok "*)
			echo "$line"
			num=$(sed -E 's/^(not )?ok ([0-9]+).*/\2/' <<<"$line")
			seen[$num]=1
			if [[ $line == "not ok "* ]]; then
				tally fail
			elif [[ $line == *"# SKIP"* ]]; then
				tally skip
			else
				tally pass
			fi
			;;
		"# "*) echo "$line" ;;
		*) printf '%s\n' "$line" >>"$LOGDIR/l1-console.log" ;;
		esac
	done
}

if [ ${#guest_ids[@]} -gt 0 ]; then
	why=
	[ $build_ok = 1 ] || why="payloads did not build (build/test-logs/payload-build.log)"
	[ -x ./lkvm ] || why="no ./lkvm (run make lkvm)"
	if [ -n "$why" ]; then
		:
	elif native_kvm; then
		echo "# guest tests: native /dev/kvm"
		l2_initrd "$RIG_OUT/initrd.cpio.gz" || why="could not build the guest initramfs"
		if [ -z "$why" ]; then
			demux < <(SRC=$TOP LKVM=$TOP/lkvm KERNEL=$L2_KERNEL INITRD=$RIG_OUT/initrd.cpio.gz \
				PAYLOADS=$TOP/build/guest T=$T TAP_START=$first_guest STREAM=1 \
				sh tests/rig/runner.sh 2>&1)
		fi
	else
		echo "# guest tests: in the emulated KVM host (QEMU TCG), up to ${RIG_TIMEOUT}s"
		t0=$SECONDS
		if ! l2_initrd "$RIG_OUT/initrd.cpio.gz" ||
			! l1_initrd "$RIG_OUT/l1.cpio" test "$RIG_OUT/initrd.cpio.gz" \
				"T=$T" "TAP_START=$first_guest"; then
			why="could not build the initramfs images"
		else
			qemu_l1_cmd "$RIG_OUT/l1.cpio"
			demux < <(timeout "$RIG_TIMEOUT" "${QEMU_CMD[@]}" </dev/null 2>&1)
			echo "# rig: finished in $((SECONDS - t0))s"
		fi
	fi
	# Anything without a result (rig died, timed out, not run) fails.
	for i in "${!guest_ids[@]}"; do
		num=$((first_guest + i))
		[ -n "${seen[$num]:-}" ] && continue
		echo "not ok $num - ${guest_ids[$i]} (no result: ${why:-the runner stopped; see build/test-logs/l1-console.log})"
		tally fail
	done
fi

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
