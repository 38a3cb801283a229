#!/bin/sh
# A stand-in for an emulated host, for tests/unit/test-run-recovery.sh: it
# speaks tests/rig/runner.sh's protocol and does, for test N (from FROM on),
# what word N of FAKE_PLAN says:
#   pass     start it and pass it
#   die      start it and end the "host" (as a crashed QEMU would)
#   hang     start it (allowed 1 s) and never say anything again
#   nostart  end the "host" before starting it
echo "@@RIG l1-up 1.00"
[ -n "${SCALE:-}" ] || echo "@@RIG scale 100 fake"
i=0
for word in $FAKE_PLAN; do
	i=$((i + 1))
	[ $i -ge "${FROM:-1}" ] || continue
	case $word in
	nostart) exit 0 ;;
	esac
	echo "@@RIG start $i 1 fake-$i"
	case $word in
	pass)
		echo "ok $i - fake test $i"
		echo "@@RIG time $i 0"
		;;
	die) exit 0 ;;
	hang) exec sleep 60 ;;
	esac
done
echo "@@RIG done"
