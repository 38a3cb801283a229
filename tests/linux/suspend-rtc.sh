# Suspend-to-RAM ("deep" = PSCI SYSTEM_SUSPEND) of a 2-vCPU Linux guest, woken
# by the PL031 alarm: the guest offers "deep", sleeps until the alarm, resumes
# with its memory and both CPUs; lkvm logs and counts one suspend and one
# resume.
# timeout: 200

host() {
	lkvm_run -c 2 -m 256 --loglevel info --stats
	expect_exit 0
	expect_line '^MEM_SLEEP=.*deep'
	expect_line '^SUSPEND_RC=0$'
	expect_line '^MARKER=written-before-suspend$'
	expect_line '^CPUS_ONLINE=0-1$'
	expect_line '^DMESG: PM: suspend entry \(deep\)$'
	expect_line '^DMESG: PM: suspend exit$'
	slept=$(guest_value SLEPT)
	case $slept in
	'' | *[!0-9]*) fail "SLEPT='$slept' is not a number" ;;
	*)
		[ "$slept" -ge 2 ] && [ "$slept" -le 30 ]
		check $? "the guest slept ${slept}s by its RTC for a +3s alarm (2..30)"
		;;
	esac
	[ "$(tr -d '\r' <"$OUT" | grep -c 'lkvm: guest suspended')" -eq 1 ] &&
		[ "$(tr -d '\r' <"$OUT" | grep -c 'lkvm: guest resumed')" -eq 1 ]
	check $? "lkvm logged exactly one suspend and one resume"
	expect_line 'stats: suspends 1 resumes 1 '
}

guest() {
	# Kernel messages (PM: suspend entry...) would land inside our lines;
	# dmesg still has them.
	echo 1 >/proc/sys/kernel/printk
	echo "MEM_SLEEP=$(cat /sys/power/mem_sleep)"
	echo deep >/sys/power/mem_sleep
	echo written-before-suspend >/tmp/marker
	echo 0 >/sys/class/rtc/rtc0/wakealarm
	t0=$(cat /sys/class/rtc/rtc0/since_epoch)
	echo +3 >/sys/class/rtc/rtc0/wakealarm
	echo mem >/sys/power/state
	echo "SUSPEND_RC=$?"
	t1=$(cat /sys/class/rtc/rtc0/since_epoch)
	echo "SLEPT=$((t1 - t0))"
	echo "MARKER=$(cat /tmp/marker)"
	# The secondary is back before the write returns; allow a moment anyway.
	i=0
	while [ "$(cat /sys/devices/system/cpu/online)" != 0-1 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "CPUS_ONLINE=$(cat /sys/devices/system/cpu/online)"
	dmesg | grep -E 'PM: suspend (entry|exit)' | sed 's/^\[[^]]*\] */DMESG: /'
	if [ -r /sys/power/pm_wakeup_irq ]; then
		echo "WAKEUP_IRQ=$(cat /sys/power/pm_wakeup_irq)"
	fi
}
