# SDEI with a Linux guest: its driver (drivers/firmware/arm_sdei.c) probes
# lkvm's SDEI 1.1, and suspend-to-RAM (PSCI SYSTEM_SUSPEND, woken by the
# PL031 alarm) and CPU hotplug, which Linux brackets with SDEI PE_MASK /
# PE_UNMASK, still work.  A second boot that does neither shows, through
# lkvm's --stats, that they cost SDEI calls: Linux really used the interface.
# timeout: 300

sdei_calls() {
	tr -d '\r' <"$OUT" | sed -n 's/.*sdei-calls \([0-9][0-9]*\).*/\1/p' | tail -n 1
}

host() {
	GUEST_PARAMS="lkvm.sdei=full"
	lkvm_run -c 2 -m 256 --stats --loglevel info
	expect_exit 0
	expect_line '^lkvm-guest: test sdei$'
	expect_line 'sdei: SDEIv1\.1 \(0x6c6b766d\) detected in firmware'
	expect_no_line 'sdei: .*([Ff]ailed|[Cc]onflicting|broken)'
	expect_line '^MEM_SLEEP=.*\[deep\]'
	expect_line '^SUSPEND_RC=0$'
	expect_line '^SUSPEND_EXIT=yes$'
	expect_line 'guest suspended \(SYSTEM_SUSPEND'
	expect_line 'guest resumed'
	expect_line '^ONLINE_AFTER_RESUME=0-1$'
	expect_line '^CPU1_OFF=0 ONLINE=0$'
	expect_line '^CPU1_ON=0 ONLINE=0-1$'
	expect_line '^CPU1_RAN=yes$'
	expect_line 'stats: suspends 1 resumes 1 '
	full=$(sdei_calls)

	GUEST_PARAMS="lkvm.sdei=probe"
	lkvm_run -c 2 -m 256 --stats
	expect_exit 0
	expect_line 'sdei: SDEIv1\.1 \(0x6c6b766d\) detected in firmware'
	probe=$(sdei_calls)
	note "SDEI calls: $probe with probe only, $full with suspend + hotplug"
	# VERSION, PRIVATE_RESET per CPU, SHARED_RESET, PE_UNMASK per CPU at least.
	[ "${probe:-0}" -ge 6 ]
	check $? "Linux's probe made SDEI calls ($probe >= 6)"
	# Hotplug: PE_MASK + PE_UNMASK on cpu1; suspend: the same again (cpu1 goes
	# offline), plus the boot CPU's around SYSTEM_SUSPEND.
	[ "${full:-0}" -ge $((probe + 4)) ]
	check $? "suspend and hotplug added SDEI calls ($full >= $probe + 4)"
}

guest() {
	mode=
	for arg in $(cat /proc/cmdline); do
		case $arg in
		lkvm.sdei=*) mode=${arg#lkvm.sdei=} ;;
		esac
	done
	dmesg | grep -i sdei
	[ "$mode" = full ] || return 0

	# Kernel messages (PM: suspend entry...) would land inside our lines;
	# dmesg still has them.
	echo 1 >/proc/sys/kernel/printk
	echo "MEM_SLEEP=$(cat /sys/power/mem_sleep)"
	echo deep >/sys/power/mem_sleep
	echo 0 >/sys/class/rtc/rtc0/wakealarm
	echo +3 >/sys/class/rtc/rtc0/wakealarm
	echo mem >/sys/power/state
	echo "SUSPEND_RC=$?"
	if dmesg | grep -q 'PM: suspend exit'; then echo SUSPEND_EXIT=yes; else echo SUSPEND_EXIT=no; fi
	echo "ONLINE_AFTER_RESUME=$(cat /sys/devices/system/cpu/online)"

	echo 0 >/sys/devices/system/cpu/cpu1/online
	echo "CPU1_OFF=$? ONLINE=$(cat /sys/devices/system/cpu/online)"
	echo 1 >/sys/devices/system/cpu/cpu1/online
	echo "CPU1_ON=$? ONLINE=$(cat /sys/devices/system/cpu/online)"
	if taskset -c 1 true 2>/dev/null; then echo CPU1_RAN=yes; else echo CPU1_RAN=no; fi
	dmesg | grep -iE 'sdei|PM: suspend|psci' | tail -n 20
}
