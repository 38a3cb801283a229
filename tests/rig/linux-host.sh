#!/bin/sh
# Run host() of one Linux guest test: linux-host.sh tests/linux/NAME.sh
# Exit 0 pass, 77 skip, anything else fail.  See tests/linux/lib.sh.
# With SHARED=DIR, host() checks the output of a shared boot instead of
# booting a guest itself (it still may, for runs of its own).
#   linux-host.sh --boot tests/linux/boots/NAME.sh
# runs that shared boot's boot() (TEST is then the comma-separated list of
# the tests whose guest() the guest runs) and keeps its results in
# $WORK/boot.env for the tests' host() to read.
. "$SRC/tests/linux/lib.sh"
if [ "$1" = --boot ]; then
	# shellcheck disable=SC1090
	. "$2"
	echo "# boot() of $2 for $TEST"
	boot
	{
		echo "SHARED_OUT='$OUT'"
		echo "SHARED_RC=$LKVM_RC"
		echo "SHARED_CMD='boot ${2##*/} for $TEST'"
		set | grep '^BOOT_[A-Za-z0-9_]*='
	} >"$WORK/boot.env"
	_finish
	exit
fi
# shellcheck disable=SC1090
. "$1"
echo "# host() of $TEST"
if [ -n "${SHARED:-}" ]; then
	_use_shared || { _finish; exit 1; }
fi
host
rc=$?
if [ $rc -ne 0 ]; then
	fail "host() returned $rc"
fi
_finish
