# Snapshot of a Linux guest suspended to RAM (PSCI SYSTEM_SUSPEND) with a
# PL031 alarm armed 45 s ahead, restored twice from the same snapshot.  The
# PL031 keeps wall-clock time across the snapshot, and an alarm that fell due
# while no lkvm ran fires as soon as it is restored, so the console-wake case
# goes first: snsl-b is woken by "lkvm wake" well before the alarm; then
# snsl-c sleeps on until the alarm wakes it.  Both resume and power off.
# timeout: 200

ALARM=45

# restore NAME: restore the snapshot as NAME; it must come back suspended.
restore() {
	lkvm_start --restore "$WORK/s" --name "$1" --loglevel info
	ctl wait -n "$1" --state suspended --timeout 60
	check $CTL_RC "$1: the restored guest is suspended"
}

# finish NAME: the guest says it resumed, then powers off (status 0).
finish() {
	wait_line '^RESUMED SLEPT=[0-9]+$' "$2"
	check $? "$1: the guest prints a line after its resume"
	wait_exit 60
	check $? "$1: the guest powers off"
	stop_lkvm TERM 5
	expect_exit 0
	expect_line '^SUSPEND_RC=0$'
	expect_no_line '(Kernel panic|Oops|BUG:|Call trace:)'
	SLEPT=$(tr -d '\r' <"$OUT" | sed -n 's/^RESUMED SLEPT=//p' | tail -n 1)
}

host() {
	export LKVM_RUNTIME_DIR=$WORK/rt
	lkvm_start -k "$KERNEL" -i "$INITRD" -p "lkvm.test=$TEST $GUEST_PARAMS" \
		-c 2 -m 256 --name snsl-a --loglevel info
	wait_line '^ARMED$' 120
	check $? "snsl-a: the guest armed its alarm"
	ctl wait -n snsl-a --state suspended --timeout 60
	check $CTL_RC "snsl-a: the guest is suspended"
	ctl snapshot -n snsl-a "$WORK/s" --stop
	check $CTL_RC "snsl-a: lkvm snapshot --stop"
	wait_exit 60
	stop_lkvm TERM 5
	expect_exit 5

	restore snsl-b
	ctl wake -n snsl-b
	check $CTL_RC "snsl-b: lkvm wake"
	finish snsl-b 30
	[ -n "$SLEPT" ] && [ "$SLEPT" -lt $((ALARM - 15)) ]
	check $? "snsl-b: woken by 'lkvm wake' after ${SLEPT:-?}s, well before the ${ALARM}s alarm"

	restore snsl-c
	finish snsl-c $((ALARM + 30))
	[ -n "$SLEPT" ] && [ "$SLEPT" -ge $((ALARM - 1)) ] && [ "$SLEPT" -le $((ALARM + 15)) ]
	check $? "snsl-c: woken by its alarm after ${SLEPT:-?}s (alarm +${ALARM}s)"
}

guest() {
	echo 1 >/proc/sys/kernel/printk
	echo deep >/sys/power/mem_sleep
	echo 0 >/sys/class/rtc/rtc0/wakealarm
	t0=$(cat /sys/class/rtc/rtc0/since_epoch)
	echo +$ALARM >/sys/class/rtc/rtc0/wakealarm
	echo ARMED
	echo mem >/sys/power/state
	echo "SUSPEND_RC=$?"
	t1=$(cat /sys/class/rtc/rtc0/since_epoch)
	echo 0 >/sys/class/rtc/rtc0/wakealarm
	echo "RESUMED SLEPT=$((t1 - t0))"
}
