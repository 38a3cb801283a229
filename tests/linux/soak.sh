# Soak: one Linux guest (2 vCPUs) through suspend/resume cycles, then reboots
# in place.  host() wakes each suspend by typing a line (ttyS0 is a wake-up
# source): an RTC alarm set just before suspending can fire before the guest
# is asleep, and then nothing wakes it.  After each cycle and reboot, host()
# reads lkvm's open fds, threads and resident
# memory outside guest RAM, prints the three, and checks that none grew from
# the first reboot on (by then every code path has run once).  `make test`
# runs 5 cycles and 2 reboots; SOAK=full (`make soak`) runs 50 and 20.
# timeout: 900
# timeout-full: 3600

RAM_KB=262144

measure() {
	fds=$(ls "/proc/$LKVM_PID/fd" 2>/dev/null | wc -l)
	threads=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$LKVM_PID/status" 2>/dev/null)
	rss=$(awk -v ram=$RAM_KB '/^Size:/ { size = $2 } /^Rss:/ { if (size != ram) t += $2 }
		END { print t + 0 }' "/proc/$LKVM_PID/smaps" 2>/dev/null)
	note "$1: fds $fds threads $threads rss-outside-ram ${rss} kB"
}

host() {
	case ${SOAK:-} in
	full) cycles=50 reboots=20 ;;
	*) cycles=5 reboots=2 ;;
	esac
	dd if=/dev/zero of="$WORK/count.img" bs=4096 count=1 2>/dev/null
	lkvm_start -k "$KERNEL" -i "$INITRD" -c 2 -m 256 -d "$WORK/count.img" --stats \
		--loglevel info -p "lkvm.test=$TEST lkvm.soak=$cycles,$reboots"
	seen=0 base= last= woken=0
	end=$(($(date +%s) + $(time_left) - 10))
	while kill -0 "$LKVM_PID" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do
		if [ "$(tr -d '\r' <"$OUT" | grep -c 'lkvm: guest suspended')" -gt "$woken" ]; then
			sleep 0.5
			type_line wake
			woken=$((woken + 1))
		fi
		n=$(tr -d '\r' <"$OUT" | grep -c '^SOAK-')
		if [ "$n" -gt "$seen" ]; then
			seen=$n
			what=$(tr -d '\r' <"$OUT" | grep '^SOAK-' | tail -n 1)
			measure "$what"
			# lkvm may have ended between the line and the look.
			[ -n "$threads" ] && last="$fds $threads $rss"
			case $what in "SOAK-REBOOT 1")
				base=$last
				names=$(cat /proc/"$LKVM_PID"/task/*/comm 2>/dev/null | sort | tr '\n' ' ')
				;;
			esac
		fi
		sleep 0.1
	done
	if kill -0 "$LKVM_PID" 2>/dev/null; then
		fail "the guest did not finish in time; its last line: $(tr -d '\r' <"$OUT" | grep . | tail -n 1)"
		stop_lkvm TERM 20
		return
	fi
	wait "$LKVM_PID"
	LKVM_RC=$?
	exec 3>&-
	_show_run
	expect_exit 0
	expect_line "^SOAK-SUSPEND $cycles\$"
	expect_line "^SOAK-REBOOT $reboots\$"
	expect_line '^SOAK-DONE$'
	expect_line "stats: suspends $cycles resumes $cycles reboots $reboots "
	[ -n "$base" ] && [ -n "$last" ]
	check $? "measured after the first reboot and at the end"
	# Each thread says what it is (top -H, gdb, /proc/PID/task).
	[ "$names" = "lkvm lkvm-blk lkvm-input lkvm-rtc lkvm-uart lkvm-vcpu0 lkvm-vcpu1 " ]
	check $? "lkvm's threads are named after their jobs ($names)"
	set -- $base
	b_fds=$1 b_threads=$2 b_rss=$3
	set -- $last
	[ "$1" -le "$b_fds" ]
	check $? "open fds did not grow ($b_fds -> $1)"
	[ "$2" -le "$b_threads" ]
	check $? "threads did not grow ($b_threads -> $2)"
	# A page or two of slack: a boot touches a heap page more or less.
	[ "$3" -le $((b_rss + 8)) ]
	check $? "resident memory outside guest RAM did not grow ($b_rss -> $3 kB)"
}

guest() {
	echo 1 >/proc/sys/kernel/printk
	soak=$(sed -n 's/.*lkvm\.soak=\([0-9]*,[0-9]*\).*/\1/p' /proc/cmdline)
	cycles=${soak%,*} reboots=${soak#*,}
	wait_dev /dev/vda
	# The boots so far, on the disk (leading zeros off: $((...)) reads them as octal).
	boot=$(dd if=/dev/vda bs=16 count=1 2>/dev/null | tr -dc 0-9 | sed 's/^0*//')
	boot=${boot:-0}
	if [ "$boot" = 0 ]; then
		echo deep >/sys/power/mem_sleep
		echo enabled >/sys/class/tty/ttyS0/power/wakeup
		i=1
		while [ $i -le "$cycles" ]; do
			# The host types a line to wake us; the alarm is only a fallback.
			echo 0 >/sys/class/rtc/rtc0/wakealarm
			echo +60 >/sys/class/rtc/rtc0/wakealarm
			echo mem >/sys/power/state || echo "SOAK-SUSPEND-FAILED $i"
			echo "SOAK-SUSPEND $i"
			sleep 0.4
			i=$((i + 1))
		done
	fi
	if [ "$boot" -lt "$reboots" ]; then
		printf '%016d' $((boot + 1)) | dd of=/dev/vda conv=fsync 2>/dev/null
		echo "SOAK-REBOOT $((boot + 1))"
		sleep 0.4
		reboot -f
	fi
	echo "SOAK-DONE"
	sleep 0.4
}
