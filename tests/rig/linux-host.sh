#!/bin/sh
# Run host() of one Linux guest test: linux-host.sh tests/linux/NAME.sh
# Exit 0 pass, 77 skip, anything else fail.  See tests/linux/lib.sh.
. "$SRC/tests/linux/lib.sh"
# shellcheck disable=SC1090
. "$1"
echo "# host() of $TEST"
host
rc=$?
if [ $rc -ne 0 ]; then
	fail "host() returned $rc"
fi
_finish
