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
#   TAP_START number of the first result (default 1)
#   LOGDIR    where each test's log goes, NAME.log (default: none kept)
#   STREAM=1  also print every log line as "@@LOG <log name> <line>"
#   WORKROOT  scratch space (default /tmp)
# Test ids: "guest: NAME" (tests/guest/NAME.c), "cli: CASE" (each bad_case in
# tests/cli/*.sh), "linux: NAME" (tests/linux/NAME.sh).

SRC=${SRC:-.}
T=${T:-}
TAP_START=${TAP_START:-1}
WORKROOT=${WORKROOT:-/tmp}
PAYLOADS=${PAYLOADS:-$SRC/build/guest}
num=$((TAP_START - 1))

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

# result pass|fail|skip ID LOGFILE [WHY]
result() {
	num=$((num + 1))
	lname=$(echo "$2" | sed 's/: /-/; s/[^A-Za-z0-9_.-]/_/g')
	case $1 in
	pass) echo "ok $num - $2" ;;
	skip) echo "ok $num - $2 # SKIP ${4:-}" ;;
	*) echo "not ok $num - $2${4:+ ($4)}" ;;
	esac
	if [ "$1" = fail ] && [ -f "$3" ]; then
		tail -n 30 "$3" | tr -d '\r' | sed 's/^/# /'
	fi
	if [ -n "${LOGDIR:-}" ] && [ -f "$3" ]; then
		cp "$3" "$LOGDIR/$lname.log"
	fi
	if [ "${STREAM:-}" = 1 ] && [ -f "$3" ]; then
		tr -d '\r' <"$3" | sed "s|^|@@LOG $lname |"
	fi
}

header() {
	# header KEY FILE: value of a "KEY: value" line in the file's header comment
	sed -n "s|^[/#* ]*$1:[[:space:]]*||p" "$2" | head -n 1
}

elapsed() {
	echo "# $(($(date +%s) - t0))s"
}

run_guest() {
	name=$1
	src=$SRC/tests/guest/$name.c
	bin=$PAYLOADS/$name.bin
	log=$WORK/guest-$name.log
	args=$(header lkvm-args "$src")
	want=$(header expect-exit "$src")
	want=${want:-0}
	to=$(header timeout "$src")
	to=${to:-60}
	if [ ! -f "$bin" ]; then
		echo "no payload $bin" >"$log"
		result fail "guest: $name" "$log" "payload not built"
		return
	fi
	t0=$(date +%s)
	echo "+ lkvm run -k $bin $args" >"$log"
	# shellcheck disable=SC2086 # lkvm-args is a word list
	timeout "$to" "$LKVM" run -k "$bin" $args </dev/null >"$WORK/out" 2>&1
	rc=$?
	{
		tr -d '\r' <"$WORK/out"
		echo "# lkvm exit status $rc"
		elapsed
	} >>"$log"
	out=$WORK/out.txt
	tr -d '\r' <"$WORK/out" >"$out"
	why=
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
	oks=$(grep -c '^ok ' "$out")
	if grep -q '^1\.\.0 # SKIP' "$out" && [ "$rc" = "$want" ]; then
		result skip "guest: $name" "$log" "$(sed -n 's/^1\.\.0 # SKIP *//p' "$out" | head -n 1)"
		return
	fi
	case $rc in
	"$want") ;;
	124 | 137 | 143) why="timed out after ${to}s" ;;
	*) why="lkvm exit status $rc, want $want" ;;
	esac
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

run_linux() {
	name=$1
	f=$SRC/tests/linux/$name.sh
	log=$WORK/linux-$name.log
	to=$(header timeout "$f")
	to=${to:-200}
	t0=$(date +%s)
	mkdir -p "$WORK/linux-$name"
	WORK=$WORK/linux-$name TEST=$name timeout "$to" sh "$SRC/tests/rig/linux-host.sh" "$f" >"$log" 2>&1
	rc=$?
	elapsed >>"$log"
	case $rc in
	0) result pass "linux: $name" "$log" ;;
	77) result skip "linux: $name" "$log" "$(sed -n 's/^SKIP: //p' "$log" | head -n 1)" ;;
	124 | 137 | 143) result fail "linux: $name" "$log" "timed out after ${to}s" ;;
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

for f in "$SRC"/tests/guest/*.c; do
	[ -f "$f" ] || continue
	# A payload that needs a host() to drive it runs only from that test.
	[ -n "$(header run-by "$f")" ] && continue
	n=${f##*/}
	n=${n%.c}
	selected "guest: $n" && run_guest "$n"
done
for f in "$SRC"/tests/cli/*.sh; do
	[ -f "$f" ] || continue
	[ "${f##*/}" = lib.sh ] && continue
	# bad_case itself checks selection, case by case
	grep -q '^bad_case ' "$f" || continue
	list_selected | grep -q '^cli: ' && run_cli "$f"
done
for f in "$SRC"/tests/linux/*.sh; do
	[ -f "$f" ] || continue
	[ "${f##*/}" = lib.sh ] && continue
	n=${f##*/}
	n=${n%.sh}
	selected "linux: $n" && run_linux "$n"
done
rm -rf "$WORK"
echo "# runner: done"
