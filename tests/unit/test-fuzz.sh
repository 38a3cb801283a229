#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The libFuzzer targets (tests/fuzz/fuzz-*.c), each for FUZZ_SECONDS (6 by
# default) starting from its corpus, tests/fuzz/corpus/NAME (kept in the
# repository, read only: what a run finds goes to a scratch directory).  A
# target fails on a sanitizer report or a broken invariant (abort), with the
# input that did it saved under build/fuzz/crashes/.  TAP, one line a target.
set -u
# Run from tests/unit or as installed in build/host/tests: the top of the tree.
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
[ -f "$TOP/scripts/check-layers.sh" ] || TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
secs=${FUZZ_SECONDS:-6}
targets=(tests/fuzz/fuzz-*.c)
echo "1..${#targets[@]}"
if ! make -s fuzz-bins >build/fuzz-build.log 2>&1; then
	for i in "${!targets[@]}"; do
		echo "not ok $((i + 1)) - ${targets[$i]}: does not build (build/fuzz-build.log)"
	done
	sed 's/^/# /' build/fuzz-build.log | tail -n 20
	exit 1
fi
mkdir -p build/fuzz/crashes
rc=0
for i in "${!targets[@]}"; do
	name=$(basename "${targets[$i]}" .c)
	corpus=tests/fuzz/corpus/$name
	scratch=$(mktemp -d)
	log=build/fuzz/$name.log
	mkdir -p "$corpus"
	if build/fuzz/"$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-close_fd_mask=3 -print_final_stats=1 -artifact_prefix=build/fuzz/crashes/"$name"- \
		"$scratch" "$corpus" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok $((i + 1)) - $name: ${runs:-?} inputs in ${secs}s from $(ls "$corpus" | wc -l) seeds, no finding"
	else
		echo "not ok $((i + 1)) - $name: a finding (build/fuzz/crashes/$name-*)"
		grep -E 'ERROR|SUMMARY|deadly|Test unit written' "$log" | head -n 8 | sed 's/^/# /'
		rc=1
	fi
	rm -rf "$scratch"
done
exit $rc
