#!/bin/sh
# The measurements of `make bench`, run inside the emulated host (or directly
# on an arm64 machine with /dev/kvm).  POSIX sh (busybox).  Prints
# "@@BENCH <key> <value> <unit>" lines for tests/bench/run.sh, and
# "# ..." notes.  Environment: LKVM (lkvm binary), BENCH_BIN (payload dir),
# WORKROOT (scratch, default /tmp).
LKVM=${LKVM:-/lkvm}
B=${BENCH_BIN:-/bench}
W=$(mktemp -d "${WORKROOT:-/tmp}/lkvm-bench.XXXXXX")
N=${BENCH_CYCLES:-64}
BOOTS=${BENCH_BOOTS:-20}

out() {
	echo "@@BENCH $*"
}

# now_ns: a monotonic clock in ns: /proc/timer_list's "now", else date +%N
# where busybox has it, else /proc/uptime (10 ms steps).
now_ns() {
	t=$(sed -n 's/^now at \([0-9]*\) nsecs$/\1/p' /proc/timer_list 2>/dev/null | head -n 1)
	[ -n "$t" ] || t=$(date +%s%N 2>/dev/null)
	case $t in
	*[!0-9]* | '') t=$(cut -d' ' -f1 /proc/uptime | tr -d .)0000000 ;;
	esac
	echo "$t"
}

# lk NAME ARGS...: run lkvm, output in $W/NAME; fails loudly on a bad status.
lk() {
	name=$1
	shift
	"$LKVM" run "$@" </dev/null >"$W/$name" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || grep -q '^Bail out!' "$W/$name"; then
		echo "# bench: '$name' failed (lkvm status $rc):"
		sed 's/^/#   /' "$W/$name" | tail -n 15
		return 1
	fi
}

stat_of() {
	# stat_of FILE KEY: the number after KEY in lkvm's --stats lines
	sed -n "s/.*stats:.* $2 \([0-9][0-9]*\).*/\1/p" "$1" | head -n 1
}

bench_lines() {
	sed -n 's/^BENCH /@@BENCH /p' "$1"
}

echo "# bench: $(uname -r), $(nproc) CPUs, cycles $N, boots $BOOTS"
if [ -r /proc/timer_list ]; then
	echo "# bench: clock: /proc/timer_list (ns)"
else
	echo "# bench: clock: date/uptime (coarse)"
fi

# 1. SYSTEM_SUSPEND round trip, nothing to wait for (deadline already past),
#    and the wake-up cost beyond a 1 ms sleep.
if lk rt0 -k "$B/suspend.bin" -c 1 -m 64 -p "bench.iters=$N bench.delay_us=0"; then
	bench_lines "$W/rt0"
fi
if lk rt1 -k "$B/suspend.bin" -c 1 -m 64 -p "bench.iters=$N bench.delay_us=1000"; then
	bench_lines "$W/rt1"
fi

# 2. ioctls (and exits) per suspend/resume cycle: N and 2N cycles, the
#    difference divided by N, so start-up and shutdown cancel out.
for c in 1 2; do
	if lk io1 -k "$B/suspend.bin" -c $c -m 64 --stats -p "bench.iters=$N" &&
		lk io2 -k "$B/suspend.bin" -c $c -m 64 --stats -p "bench.iters=$((2 * N))"; then
		for k in ioctls exits; do
			a=$(stat_of "$W/io1" $k)
			b=$(stat_of "$W/io2" $k)
			x100=$(((b - a) * 100 / N))
			out "suspend-$k-per-cycle-${c}vcpu $((x100 / 100)).$(printf %02d $((x100 % 100))) $k"
		done
	fi
done

# 3. Reboot in place vs a cold start of lkvm, same payload and options:
#    BOOTS boots in one run vs BOOTS runs of one boot (wall time in the host);
#    a reboot costs (one run - one cold start) / (BOOTS - 1).
t0=$(now_ns)
lk inplace -k "$B/reboot.bin" -c 1 -m 256 --stats -p "bench.boots=$BOOTS" || BOOTS=0
t1=$(now_ns)
if [ "$BOOTS" -gt 1 ]; then
	reboots=$(stat_of "$W/inplace" reboots)
	[ "$reboots" = $((BOOTS - 1)) ] || echo "# bench: expected $((BOOTS - 1)) reboots, lkvm counted $reboots"
	t2=$(now_ns)
	i=0
	while [ $i -lt "$BOOTS" ]; do
		lk cold -k "$B/reboot.bin" -c 1 -m 256 -p "bench.boots=1" || break
		i=$((i + 1))
	done
	t3=$(now_ns)
	cold=$(((t3 - t2) / BOOTS))
	# The in-place run starts cold once: the rest is BOOTS - 1 reboots.
	inplace=$(((t1 - t0 - cold) / (BOOTS - 1)))
	out "boot-in-place-us $((inplace / 1000)) us"
	out "boot-cold-start-us $((cold / 1000)) us"
	r100=$((inplace * 100 / cold))
	out "boot-in-place-vs-cold $((r100 / 100)).$(printf %02d $((r100 % 100))) x"
fi

# 4. ioctls per SDEI call type: each call alone, N and 2N times (as in 2).
if [ -f "$B/sdei.bin" ]; then
	for op in psci version status get_info mask signal; do
		if lk s1 -k "$B/sdei.bin" -c 1 -m 64 --stats -p "bench.op=$op bench.iters=$N" &&
			lk s2 -k "$B/sdei.bin" -c 1 -m 64 --stats \
				-p "bench.op=$op bench.iters=$((2 * N))"; then
			a=$(stat_of "$W/s1" ioctls)
			b=$(stat_of "$W/s2" ioctls)
			x100=$(((b - a) * 100 / N))
			out "sdei-ioctls-$op $((x100 / 100)).$(printf %02d $((x100 % 100))) ioctls"
		fi
	done
fi

# 5. Other bench payloads that follow the BENCH-line convention (op=all).
for f in "$B"/*.bin; do
	n=${f##*/}
	case $n in suspend.bin | reboot.bin) continue ;; esac
	if lk "other-$n" -k "$f" -c 1 -m 64 --stats -p "bench.op=all bench.iters=2000"; then
		bench_lines "$W/other-$n"
	fi
done
rm -rf "$W"
echo "# bench: done"
