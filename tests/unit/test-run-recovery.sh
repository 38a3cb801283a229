#!/usr/bin/env bash
# The suite's harness (tests/run.sh) survives the emulated host dying or
# hanging in the middle of a test: that test fails, saying why, a new host
# goes on with the next one, and every test is counted exactly once.  The
# "host" is tests/unit/fake-rig.sh, playing out a plan.
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
[ -f "$TOP/tests/run.sh" ] || TOP=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Five real test ids, in the runner's order: cpu-on hello mmio-hole psci-off psci-reset
ids='guest: (cpu-on|hello|mmio-hole|psci-off|psci-reset)$'
n=0 bad=0
ok() {
	n=$((n + 1))
	if eval "$1"; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi
}
run() {	# run PLAN: tests/run.sh through the fake host; output in $tmp/out
	FAKE_PLAN=$1 RIG_BOOT_CMD="sh $TOP/tests/unit/fake-rig.sh" RIG_WATCHDOG_SLACK=2 \
		LKVM_TEST_LOGDIR=$tmp/logs T=$ids bash "$TOP/tests/run.sh" >"$tmp/out" 2>&1
	rc=$?
}
has() { grep -Eq -- "$1" "$tmp/out"; }
count() { grep -Ec -- "$1" "$tmp/out"; }

echo "TAP version 13"
echo "1..12"
run "pass die pass hang pass"
ok '[ $rc -ne 0 ]' "a run with a dead and a hung host fails"
ok 'has "^ok 1 - fake test 1$"' "test 1 passes in the first host"
ok 'has "^not ok 2 - guest: hello \\(the emulated host ended during this test"' \
	"test 2, during which the host died, fails saying so"
ok 'has "^ok 3 - fake test 3$"' "a second host goes on with test 3"
ok 'has "^not ok 4 - guest: psci-off \\(the emulated host stayed silent past its watchdog during this test"' \
	"test 4, during which the host hung, fails through the watchdog"
ok 'has "^ok 5 - fake test 5$"' "a third host runs test 5"
ok '[ "$(count "^(not )?ok [0-9]+ ")" = 5 ] && has "^1\\.\\.5$"' "five results, each test once, plan 1..5"
ok 'has "^3 passed, 2 failed$" && [ "$(count "# rig: boot [0-9]+ finished")" = 3 ]' \
	"summary 3 passed, 2 failed, after three boots"
run "pass nostart pass"
ok 'has "^ok 1 - fake test 1$"' "test 1 passes"
ok 'has "^not ok 2 - guest: hello \\(no result: two emulated hosts in a row ended before running a test\\)"' \
	"two hosts that die before running anything end the retries"
ok 'has "^not ok 3 - guest: mmio-hole \\(no result"' "the tests not reached fail"
ok 'has "^1 passed, 4 failed$"' "summary 1 passed, 4 failed (five tests, each counted once)"
[ $bad = 0 ] || cat "$tmp/out" | sed 's/^/# /'
exit $bad
