# Suspend-to-RAM woken by console input: with ttyS0 a wake-up source, a line
# typed while the guest is suspended wakes it (long before a 60 s fallback
# alarm) and is then read by the guest intact.
# timeout: 200

# Like lkvm_run_input, but the line is typed only after the guest has been
# suspended for HOLD seconds, and we note whether it was still asleep then.
HOLD=4

host() {
	_runs=$((_runs + 1))
	OUT=$WORK/out.$_runs
	fifo=$WORK/stdin
	rm -f "$fifo"
	mkfifo "$fifo"
	_lkvm_cmd_echo -c 1 -m 256 --loglevel info --stats "<<< 'wake up 7', ${HOLD}s into the suspend"
	timeout "$(time_left)" "$LKVM" run -k "$KERNEL" -i "$INITRD" -p "lkvm.test=$TEST" \
		-c 1 -m 256 --loglevel info --stats <"$fifo" >"$OUT" 2>&1 &
	pid=$!
	exec 3>"$fifo"
	_waiting="'lkvm: guest suspended' in the output"
	while kill -0 $pid 2>/dev/null && ! grep -q 'lkvm: guest suspended' "$OUT"; do
		sleep 0.1
	done
	_waiting="the guest to power off after the line was typed"
	sleep $HOLD
	asleep=0
	grep -q 'lkvm: guest resumed' "$OUT" || asleep=1
	printf '%s\n' 'wake up 7' >&3
	wait $pid
	LKVM_RC=$?
	exec 3>&-
	_show_run
	[ $asleep = 1 ]
	check $? "the guest was still suspended ${HOLD}s in, when the line was typed"
	expect_exit 0
	expect_line '^WAKEUP_CAPABLE=enabled$'
	expect_line '^SUSPEND_RC=0$'
	expect_line '^GOT=<wake up 7>$'
	slept=$(guest_value SLEPT)
	case $slept in
	'' | *[!0-9]*) fail "SLEPT='$slept' is not a number" ;;
	*)
		[ "$slept" -ge $((HOLD - 1)) ] && [ "$slept" -lt 45 ]
		check $? "slept ${slept}s: until the typing, not the 60 s fallback alarm"
		;;
	esac
	expect_line 'stats: suspends 1 resumes 1 '
}

guest() {
	echo enabled >/sys/class/tty/ttyS0/power/wakeup
	echo "WAKEUP_CAPABLE=$(cat /sys/class/tty/ttyS0/power/wakeup)"
	echo deep >/sys/power/mem_sleep
	echo 0 >/sys/class/rtc/rtc0/wakealarm
	t0=$(cat /sys/class/rtc/rtc0/since_epoch)
	echo +60 >/sys/class/rtc/rtc0/wakealarm
	echo mem >/sys/power/state
	echo "SUSPEND_RC=$?"
	t1=$(cat /sys/class/rtc/rtc0/since_epoch)
	echo 0 >/sys/class/rtc/rtc0/wakealarm
	echo "SLEPT=$((t1 - t0))"
	if read -r -t 20 line; then
		echo "GOT=<$line>"
	else
		echo "READ-FAILED"
	fi
	if [ -r /sys/power/pm_wakeup_irq ]; then
		echo "WAKEUP_IRQ=$(cat /sys/power/pm_wakeup_irq)"
	fi
}
