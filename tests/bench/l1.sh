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
ONLY=${BENCH_ONLY:-}

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

# want PART: is PART (suspend, boot, sdei, exits, linux, net, snapshot) to be
# measured?
# All are, unless BENCH_ONLY names some.
want() {
	[ -z "$ONLY" ] && return 0
	case " $ONLY " in *" $1 "*) return 0 ;; esac
	return 1
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
if want suspend; then
	if lk rt0 -k "$B/suspend.bin" -c 1 -m 64 -p "bench.iters=$N bench.delay_us=0"; then
		bench_lines "$W/rt0"
	fi
	if lk rt1 -k "$B/suspend.bin" -c 1 -m 64 -p "bench.iters=$N bench.delay_us=1000"; then
		bench_lines "$W/rt1"
	fi
fi

# 2. ioctls (and exits) per suspend/resume cycle: N and 2N cycles, the
#    difference divided by N, so start-up and shutdown cancel out.
if want suspend; then
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
fi

# 3. Reboot in place vs a cold start of lkvm, same payload and options:
#    BOOTS boots in one run vs BOOTS runs of one boot (wall time in the host);
#    a reboot costs (one run - one cold start) / (BOOTS - 1).
if want boot; then
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
fi

# 4. ioctls per SDEI call type: each call alone, N and 2N times (as in 2).
if want sdei; then
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
fi

# 5. Other bench payloads that follow the BENCH-line convention (op=all).
if want sdei; then
	for f in "$B"/*.bin; do
		n=${f##*/}
		case $n in suspend.bin | reboot.bin | exits.bin) continue ;; esac
		if lk "other-$n" -k "$f" -c 1 -m 64 --stats -p "bench.op=all bench.iters=2000"; then
			bench_lines "$W/other-$n"
		fi
	done
fi

median_of() {
	# median_of FILE KEY: the median of a "BENCH KEY MEDIAN ns (...)" line
	sed -n "s/^BENCH $2 \([0-9]*\) .*/\1/p" "$1" | head -n 1
}
ratio() {
	# ratio A B: A / B with two decimals, rounded
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ] || return 1
	r=$((($1 * 100 + $2 / 2) / $2))
	echo "$((r / 100)).$(printf %02d $((r % 100)))"
}

# 5b. The same two firmware round trips under the floor VMM, which does the
#     least they need (tests/bench/floor.c --sdei, --suspend).
if want sdei; then
	if [ -x "$B/floor" ]; then
		if [ -f "$B/sdei.bin" ] &&
			"$B/floor" "$B/sdei.bin" "bench.op=all bench.iters=2000" --sdei >"$W/floor-sdei" 2>&1; then
			a=$(sed -n 's/^BENCH sdei-signal-complete \([0-9]*\)\..*/\1/p' "$W/floor-sdei")
			b=$(sed -n 's/^BENCH sdei-signal-complete \([0-9]*\)\..*/\1/p' "$W/other-sdei.bin" 2>/dev/null)
			[ -n "$a" ] && out "sdei-signal-complete-floor-ns $a ns"
			x=$(ratio "$b" "$a") && out "sdei-signal-complete-lkvm-vs-floor $x x"
		fi
		if "$B/floor" "$B/suspend.bin" "bench.iters=$N bench.delay_us=0" --suspend \
			>"$W/floor-susp" 2>&1; then
			a=$(sed -n 's/^BENCH suspend-roundtrip-ns \([0-9]*\) .*/\1/p' "$W/floor-susp")
			b=$(sed -n 's/^BENCH suspend-roundtrip-ns \([0-9]*\) .*/\1/p' "$W/rt0")
			[ -n "$a" ] && out "suspend-roundtrip-floor-ns $a ns"
			x=$(ratio "$b" "$a") && out "suspend-roundtrip-lkvm-vs-floor $x x"
		fi
	fi
fi

# 6. Exit paths against the floor VMM (tests/bench/floor.c), same payload:
#    lkvm as it runs by default (SDEI on: an SMCCC filter installed), lkvm
#    --no-sdei (no filter), and the floor with and without a filter, and
#    with its KVM_RUN on a second thread (a process with more than one
#    thread pays more for every exit, and every VMM has more than one).
if want exits; then
	EX=$((N * 64))
	if [ -f "$B/exits.bin" ] && [ -x "$B/floor" ]; then
		"$B/floor" "$B/exits.bin" "bench.iters=$EX" --filter >"$W/floor-f" 2>&1
		"$B/floor" "$B/exits.bin" "bench.iters=$EX bench.nofwd=1" >"$W/floor" 2>&1
		"$B/floor" "$B/exits.bin" "bench.iters=$EX" --filter --vcpu-thread >"$W/floor-t" 2>&1
		if lk ex -k "$B/exits.bin" -c 1 -m 64 -p "bench.iters=$EX" &&
			lk exn -k "$B/exits.bin" -c 1 -m 64 --no-sdei -p "bench.iters=$EX bench.nofwd=1"; then
			for op in hvc mmio-hole mmio-uart fwd; do
				k=exit-$op-ns
				sed -n "s/^BENCH $k /@@BENCH $k-lkvm /p" "$W/ex"
				sed -n "s/^BENCH $k /@@BENCH $k-floor /p" "$W/floor-f"
				x=$(ratio "$(median_of "$W/ex" $k)" "$(median_of "$W/floor-f" $k)") &&
					out "exit-$op-lkvm-vs-floor $x x"
				sed -n "s/^BENCH $k /@@BENCH $k-floor-thread /p" "$W/floor-t"
				x=$(ratio "$(median_of "$W/ex" $k)" "$(median_of "$W/floor-t" $k)") &&
					out "exit-$op-lkvm-vs-floor-thread $x x"
			done
			sed -n "s/^BENCH exit-hvc-ns /@@BENCH exit-hvc-ns-lkvm-nosdei /p" "$W/exn"
			sed -n "s/^BENCH exit-mmio-hole-ns /@@BENCH exit-mmio-hole-ns-lkvm-nosdei /p" "$W/exn"
			sed -n "s/^BENCH exit-hvc-ns /@@BENCH exit-hvc-ns-floor-nofilter /p" "$W/floor"
			x=$(ratio "$(median_of "$W/ex" exit-hvc-ns)" "$(median_of "$W/exn" exit-hvc-ns)") &&
				out "exit-hvc-filter-cost $x x"
			x=$(ratio "$(median_of "$W/exn" exit-hvc-ns)" "$(median_of "$W/floor" exit-hvc-ns)") &&
				out "exit-hvc-nosdei-vs-floor $x x"
		fi
	else
		echo "# bench: no floor VMM or exits payload: exit paths not measured"
	fi
fi

# 7. A Linux guest (the rig's kernel and initramfs, 2 vCPUs, 256 MiB, a
#    128 MiB disk): lkvm's start-up, the guest's boot to init, exits by reason,
#    virtio-blk against the same I/O on the file from this host, and lkvm's
#    own memory (outside guest RAM), threads and fds while the guest idles.
if want linux; then
	rss_outside_ram() {
		# The Rss of every mapping of PID but the guest RAM one (RAM_KB in size).
		awk -v ram="$2" '/^Size:/ { size = $2 } /^Rss:/ { if (size != ram) t += $2 }
			END { print t + 0 }' "/proc/$1/smaps"
	}
	rss_top() {
		# The mappings that hold most of it, for the notes.
		awk -v ram="$2" '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 ? $6 : "[anon]" }
			/^Size:/ { size = $2 } /^Rss:/ { if (size != ram && $2 > 0) r[name] += $2 }
			END { for (n in r) print r[n], n }' "/proc/$1/smaps" | sort -rn | head -n 6
	}
	cpu_snap() {
		# cpu_snap PID: "comm utime stime guest_time" (clock ticks) per thread
		for t in /proc/"$1"/task/*; do
			c=$(cat "$t/comm" 2>/dev/null) || continue
			# After "(comm) ": utime is the 12th field, stime the 13th, guest_time the 41st.
			sed 's/.*) //' "$t/stat" | awk -v c="$c" '{ print c, $12, $13, $41 }'
		done
	}
	cpu_split() {
		# cpu_split BEFORE AFTER: where lkvm's threads spent the time between
		# the two snapshots, in clock ticks: the guest itself (vCPU threads in
		# guest mode), the host kernel and KVM on the vCPU threads, lkvm's own
		# code on them, and each other thread's user and kernel time.
		awk 'NR == FNR { u[$1] = $2; s[$1] = $3; g[$1] = $4; next }
			{ du = $2 - u[$1]; ds = $3 - s[$1]; dg = $4 - g[$1]
			  if ($1 ~ /vcpu/) { guest += dg; vk += ds; vu += du - dg }
			  else if (du + ds > 0) other = other ", " $1 " user " du " kernel " ds }
			END { printf "guest %d, vCPU threads in the kernel %d, in lkvm %d%s\n",
				guest, vk, vu, other }' "$1" "$2"
	}
	mbps() {
		# mbps MB CENTISECONDS
		[ "$2" -gt 0 ] && echo $(($1 * 100 / $2)) || echo 0
	}
	if [ -f /Image ] && [ -f /initrd.cpio.gz ] && [ -s /initrd.cpio.gz ]; then
		img=$W/disk.img
		dd if=/dev/zero of="$img" bs=1M count=128 2>/dev/null
		t0=$(now_ns)
		"$LKVM" run -k /Image -i /initrd.cpio.gz -c 2 -m 256 -d "$img" --stats \
			-p "lkvm.test=bench-linux" </dev/null >"$W/linux" 2>&1 &
		pid=$!
		i=0
		while [ $i -lt 3000 ] && ! grep -q '^BENCH-MEASURE-NOW' "$W/linux"; do
			kill -0 $pid 2>/dev/null || break
			# The guest's sequential reads, bracketed by two marks it waits at.
			for m in A B; do
				if [ ! -f "$W/cpu-$m" ] && grep -q "^BENCH-BLK-CPU-$m" "$W/linux"; then
					cpu_snap $pid >"$W/cpu-$m"
				fi
			done
			sleep 0.2
			i=$((i + 1))
		done
		if grep -q '^BENCH-MEASURE-NOW' "$W/linux"; then
			out "lkvm-rss-outside-ram-kb $(rss_outside_ram $pid 262144) kB"
			rss_top $pid 262144 | while read -r kb name; do
				echo "# bench: resident outside guest RAM: $kb kB $name"
			done
			out "lkvm-threads $(sed -n 's/^Threads:[[:space:]]*//p' /proc/$pid/status) threads"
			out "lkvm-fds $(ls /proc/$pid/fd | wc -l) fds"
		fi
		wait $pid
		rc=$?
		t1=$(now_ns)
		if [ $rc -ne 0 ]; then
			echo "# bench: the Linux run failed (lkvm status $rc):"
			tail -n 15 "$W/linux" | sed 's/^/#   /'
		else
			tr -d '\r' <"$W/linux" >"$W/linux.txt"
			su=$(stat_of "$W/linux.txt" startup-us)
			init=$(sed -n 's/^BENCH-INIT-UPTIME-CS //p' "$W/linux.txt")
			out "linux-lkvm-startup-us $su us"
			out "linux-guest-uptime-at-init-ms $((init * 10)) ms"
			out "linux-start-to-init-ms $((su / 1000 + init * 10)) ms"
			out "linux-run-to-poweroff-ms $(((t1 - t0) / 1000000)) ms"
			for k in exits mmio hypercall system-events ioctls; do
				out "linux-run-$k $(stat_of "$W/linux.txt" $k) $k"
			done
			x=$(ratio "$(stat_of "$W/linux.txt" ioctls)" "$(stat_of "$W/linux.txt" exits)") &&
				out "linux-run-ioctls-per-exit $x ioctls"
			rb=$(sed -n 's/^BENCH-BLK-READ-BUFFERED-64M-CS //p' "$W/linux.txt")
			[ -n "$rb" ] && out "blk-seq-read-guest-buffered-mbps $(mbps 64 "$rb") MB/s"
			if [ -f "$W/cpu-A" ] && [ -f "$W/cpu-B" ]; then
				echo "# bench: lkvm's threads during 10 x 64 MiB of the guest's" \
					"sequential reads, in ticks of $(getconf CLK_TCK 2>/dev/null || echo 100) Hz:" \
					"$(cpu_split "$W/cpu-A" "$W/cpu-B")"
			fi
			# blkio in the guest (O_DIRECT on /dev/vda) and here on the image file
			# (through the page cache: the copy lkvm's worker makes), same sizes.
			if [ -x "$B/blkio" ]; then
				"$B/blkio" seq-read "$img" 64 5 >"$W/host-blk"
				"$B/blkio" seq-write "$img" 64 3 >>"$W/host-blk"
				"$B/blkio" rand-read "$img" 2048 3 >>"$W/host-blk"
				for m in seq-read seq-write rand-read; do
					g=$(sed -n "s/^BENCH-BLK $m //p" "$W/linux.txt")
					h=$(sed -n "s/^$m //p" "$W/host-blk")
					[ -n "$g" ] && out "blk-$m-guest $g"
					[ -n "$h" ] && out "blk-$m-host-file $h"
					x=$(ratio "${g%% *}" "${h%% *}") && out "blk-$m-guest-vs-host $x x"
				done
			fi
		fi
	else
		echo "# bench: no L2 kernel and initramfs: the Linux run is skipped"
	fi
fi

# 8. virtio-net over a tap: 64 MiB guest -> host over TCP (busybox nc), on
#    lkvm's own data path and on vhost-net, against the same transfer over
#    this host's own loopback in the same run.
if want net; then
	# nc_sink PORT: a listener that takes everything, its stdin held open
	# (at EOF nc would close first); pid in $sink.
	nc_sink() {
		rm -f "$W/hold"
		mkfifo "$W/hold"
		nc -l -p "$1" <"$W/hold" >/dev/null &
		sink=$!
		exec 4>"$W/hold"
	}
	sink_done() {
		i=0
		while kill -0 "$sink" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill "$sink" 2>/dev/null
		exec 4>&-
	}
	mbps100() {
		# mbps100 MB NANOSECONDS: MB/s in hundredths
		[ "$2" -gt 0 ] && echo $(($1 * 100000000000 / $2)) || echo 0
	}
	dec2() {
		echo "$(($1 / 100)).$(printf %02d $(($1 % 100)))"
	}
	if [ ! -c /dev/net/tun ] || [ ! -f /Image ]; then
		echo "# bench: no /dev/net/tun or no L2 kernel: the network runs are skipped"
	else
		ip link set lo up 2>/dev/null
		nc_sink 9000
		sleep 0.5
		t0=$(now_ns)
		dd if=/dev/zero bs=65536 count=1024 2>/dev/null | nc 127.0.0.1 9000
		t1=$(now_ns)
		sink_done
		lo=$(mbps100 64 $((t1 - t0)))
		out "net-host-loopback-mbps $(dec2 "$lo") MB/s"
		ip link del lkvmb0 2>/dev/null
		tunctl -t lkvmb0 >/dev/null
		ip addr add 169.254.20.1/24 dev lkvmb0
		ip link set lkvmb0 up
		for v in 0 1; do
			nc_sink 9000
			lk "net-$v" -k /Image -i /initrd.cpio.gz -c 2 -m 256 \
				-n "mode=tap,tapif=lkvmb0,vhost=$v" -p "lkvm.test=bench-net"
			sink_done
			cs=$(tr -d '\r' <"$W/net-$v" | sed -n 's/^BENCH-NET-TX-CS //p')
			if [ -z "$cs" ]; then
				echo "# bench: the guest's transfer (vhost=$v) did not finish:"
				tail -n 10 "$W/net-$v" | sed 's/^/#   /'
				continue
			fi
			name=lkvm
			[ $v = 1 ] && name=vhost
			r=$(mbps100 64 $((cs * 10000000)))
			out "net-tx-$name-mbps $(dec2 "$r") MB/s"
			x=$(ratio "$r" "$lo") && out "net-tx-$name-vs-loopback $x x"
		done
		grep -h 'vhost-net unavailable' "$W"/net-* | sed 's/^/# bench: /'
		ip link del lkvmb0 2>/dev/null
	fi
fi

# 9. Snapshots of an idle Linux guest (the rig's kernel and initramfs,
#    2 vCPUs, 256 MiB and 1 GiB): a cold boot to init, `lkvm snapshot --stop`
#    (its time, the bytes it wrote), and `lkvm run --restore` to the guest's
#    first instruction (lkvm's startup-us) and to its first answer on the
#    console, each against the cold boot of the same guest in this run.
if want snapshot; then
	# wait_out FILE PATTERN HUNDREDTHS: poll FILE (lkvm $pid's output) for
	# PATTERN; fails when lkvm ends first.
	wait_out() {
		i=0
		while [ $i -lt "$3" ]; do
			tr -d '\r' <"$1" | grep -q "$2" && return 0
			kill -0 "$pid" 2>/dev/null || return 1
			sleep 0.01
			i=$((i + 1))
		done
		return 1
	}
	# on_fifo NAME ARGS...: lkvm run in the background, output in $W/NAME, its
	# console input from a fifo held open on fd 5; pid in $pid.
	on_fifo() {
		name=$1
		shift
		rm -f "$W/in"
		mkfifo "$W/in"
		"$LKVM" run "$@" <"$W/in" >"$W/$name" 2>&1 &
		pid=$!
		exec 5>"$W/in"
	}
	# finish NAME: "off" typed, lkvm waited for, its console closed.
	finish() {
		# In a subshell: a write to a fifo lkvm no longer reads is a SIGPIPE.
		kill -0 "$pid" 2>/dev/null && (echo off >&5) 2>/dev/null
		wait "$pid"
		exec 5>&-
		tr -d '\r' <"$W/$1" >"$W/$1.txt"
	}
	failed() {
		echo "# bench: $1:"
		tail -n 12 "$2" | sed 's/^/#   /'
	}
	json_num() {
		sed -n "s/.*\"$2\": *\([0-9][0-9]*\).*/\1/p" "$1" | head -n 1
	}
	if [ ! -f /Image ] || [ ! -s /initrd.cpio.gz ]; then
		echo "# bench: no L2 kernel and initramfs: the snapshot runs are skipped"
	else
		export LKVM_RUNTIME_DIR=$W/rt
		mkdir -p "$LKVM_RUNTIME_DIR"
		for mb in 256 1024; do
			m=${mb}m
			[ $mb = 1024 ] && m=1g
			vm=snap-$m
			t0=$(now_ns)
			on_fifo "cold-$m" -k /Image -i /initrd.cpio.gz -c 2 -m $mb --name "$vm" \
				--stats -p "lkvm.test=bench-snap"
			if ! wait_out "$W/cold-$m" '^BENCH-SNAP-READY' 30000; then
				kill "$pid" 2>/dev/null
				finish "cold-$m"
				failed "the $m guest did not reach init" "$W/cold-$m.txt"
				continue
			fi
			# Back in its "read" on the console.  Three snapshots that let
			# it run on, then one with --stop: the figure is their median,
			# and their spread the noise.
			sleep 1
			ts=
			for i in 1 2 3 4; do
				d=$W/s-$m-$i
				stop=
				[ $i = 4 ] && d=$W/s-$m && stop=--stop
				t1=$(now_ns)
				"$LKVM" snapshot -n "$vm" "$d" $stop --json >"$W/snap-$m" 2>&1
				src=$?
				t2=$(now_ns)
				[ $src -eq 0 ] || break
				ts="$ts $(((t2 - t1) / 1000))"
				[ $i = 4 ] || rm -rf "$d"
			done
			finish "cold-$m"
			if [ $src -ne 0 ]; then
				failed "lkvm snapshot ($m) failed (status $src)" "$W/snap-$m"
				continue
			fi
			su=$(stat_of "$W/cold-$m.txt" startup-us)
			init=$(sed -n 's/^BENCH-SNAP-READY //p' "$W/cold-$m.txt")
			cold=$((su + init * 10000))
			out "snap-$m-cold-startup-us $su us"
			out "snap-$m-cold-start-to-init-ms $((cold / 1000)) ms"
			# shellcheck disable=SC2086 # the four times, sorted
			set -- $(printf '%s\n' $ts | sort -n)
			snap=$((($2 + $3) / 2))
			out "snap-$m-snapshot-ms $((snap / 1000)) ms (min $(($1 / 1000)), max $(($4 / 1000)), 4 snapshots)"
			out "snap-$m-snapshot-lkvm-ms $(json_num "$W/snap-$m" ms) ms"
			x=$(ratio "$snap" "$cold") && out "snap-$m-snapshot-vs-cold-boot $x x"
			out "snap-$m-ram-data-kb $(($(json_num "$W/snap-$m" ram_bytes) / 1024)) kB"
			out "snap-$m-state-bytes $(json_num "$W/snap-$m" state_bytes) bytes"
			out "snap-$m-files-on-disk-kb $(du -sk "$W/s-$m" | cut -f1) kB"

			t3=$(now_ns)
			on_fifo "restore-$m" --restore "$W/s-$m" --name "$vm-r" --stats
			(echo ping >&5) 2>/dev/null
			wait_out "$W/restore-$m" '^BENCH-SNAP-PONG' 30000
			ok=$?
			t4=$(now_ns)
			finish "restore-$m"
			if [ $ok -ne 0 ]; then
				failed "the $m guest did not answer after its restore" "$W/restore-$m.txt"
				continue
			fi
			rs=$(stat_of "$W/restore-$m.txt" startup-us)
			ans=$(((t4 - t3) / 1000))
			out "snap-$m-restore-to-first-run-us $rs us"
			x=$(ratio "$cold" "$rs") && out "snap-$m-cold-boot-vs-restore $x x"
			x=$(ratio "$rs" "$su") && out "snap-$m-restore-vs-cold-startup $x x"
			out "snap-$m-restore-to-answer-ms $((ans / 1000)) ms"
			x=$(ratio "$cold" "$ans") && out "snap-$m-cold-boot-vs-restore-answer $x x"
			rm -rf "$W/s-$m"
		done
	fi
fi

out "lkvm-binary-bytes $(wc -c <"$LKVM") bytes"

rm -rf "$W"
echo "# bench: done"
