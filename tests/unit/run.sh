#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run unit test binaries (each printing TAP through tests/unit/tap.h) and print
# one combined TAP stream: every sub-case becomes "ok N - <binary>: <desc>",
# numbered across the whole set.  A binary that crashes, exits non-zero
# without a "not ok" line, or runs fewer cases than it planned adds a failing
# line of its own.  Its stderr is shown, as "# " lines, only when it fails.
# Exit status: 0 if everything passed, 1 otherwise.
#
# usage: tests/unit/run.sh BIN...

set -u

if [ $# -eq 0 ]; then
	echo "usage: $0 BIN..." >&2
	exit 2
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

body="$tmp/body"
: >"$body"
n=0 pass=0 fail=0 skip=0

emit() {	# emit ok|not-ok "desc" [skip]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		if [ -n "${3:-}" ]; then
			skip=$((skip + 1))
			printf 'ok %d - %s # SKIP\n' "$n" "$2" >>"$body"
		else
			pass=$((pass + 1))
			printf 'ok %d - %s\n' "$n" "$2" >>"$body"
		fi
	else
		fail=$((fail + 1))
		printf 'not ok %d - %s\n' "$n" "$2" >>"$body"
	fi
}

for bin in "$@"; do
	name=$(basename "$bin")
	out="$tmp/out" err="$tmp/err"
	if [ ! -x "$bin" ]; then
		emit not-ok "$name: not found or not executable"
		continue
	fi
	# The group's stderr hides bash's own "Aborted" report; $err has the binary's.
	{ "$bin" >"$out" 2>"$err" </dev/null; rc=$?; } 2>/dev/null
	planned="" ran=0 failed=0
	printf '# %s\n' "$name" >>"$body"
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		"TAP version"*) ;;
		"# Totals:"*) ;;
		1..*) planned=${line#1..} ;;
		"not ok "*)
			desc=$(printf '%s' "$line" | sed -E 's/^not ok [0-9]+( - )?//')
			ran=$((ran + 1)) failed=$((failed + 1))
			emit not-ok "$name: $desc"
			;;
		"ok "*)
			desc=$(printf '%s' "$line" | sed -E 's/^ok [0-9]+( - )?//')
			ran=$((ran + 1))
			case "$desc" in
			*"# SKIP"* | *"# skip"*)
				emit ok "$name: $(printf '%s' "$desc" | sed -E 's/ *# (SKIP|skip).*$//')" skip
				;;
			*) emit ok "$name: $desc" ;;
			esac
			;;
		"#"*) printf '%s\n' "$line" >>"$body" ;;
		*) printf '# %s\n' "$line" >>"$body" ;;
		esac
	done <"$out"
	bad=0
	if [ "$rc" -ge 128 ]; then
		emit not-ok "$name: killed by signal $((rc - 128))"
		bad=1
	elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		emit not-ok "$name: exited with status $rc"
		bad=1
	elif [ -n "$planned" ] && [ "$ran" -lt "$planned" ]; then
		emit not-ok "$name: ran $ran of $planned planned cases"
		bad=1
	elif [ -z "$planned" ] && [ "$ran" -eq 0 ]; then
		emit not-ok "$name: printed no test results"
		bad=1
	fi
	if [ "$bad" -ne 0 ] || [ "$failed" -ne 0 ]; then
		sed 's/^/# /' "$err" >>"$body"
	fi
done

echo "TAP version 13"
echo "1..$n"
cat "$body"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" -eq 0 ]
