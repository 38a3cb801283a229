#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The native unit tests again, built without sanitizers and run under
# valgrind memcheck: no invalid access, no use of uninitialised memory, and
# no leak (definite or indirect).  TAP, one line a test binary.
set -u
# Run from tests/unit or as installed in build/host/tests: the top of the tree.
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
[ -f "$TOP/scripts/check-layers.sh" ] || TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
srcs=(tests/unit/test-*.c)
echo "1..${#srcs[@]}"
if ! make -s valgrind-bins >build/valgrind-build.log 2>&1; then
	for i in "${!srcs[@]}"; do
		echo "not ok $((i + 1)) - ${srcs[$i]}: does not build (build/valgrind-build.log)"
	done
	exit 1
fi
rc=0
for i in "${!srcs[@]}"; do
	name=$(basename "${srcs[$i]}" .c)
	log=build/valgrind/$name.log
	if valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect build/valgrind/tests/"$name" >"$log" 2>&1 &&
		! grep -q '^not ok' "$log"; then
		echo "ok $((i + 1)) - $name under valgrind: no error, no leak"
	else
		echo "not ok $((i + 1)) - $name under valgrind (build/valgrind/$name.log)"
		grep -E '^==|^not ok' "$log" | head -n 12 | sed 's/^/# /'
		rc=1
	fi
done
exit $rc
