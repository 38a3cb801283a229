# The RTC gives the guest the host's time (within a few seconds).
# The shared boot notes the host's time before and after it.
# boot: basic
# timeout: 30

host() {
	start=$BOOT_START
	end=$BOOT_END
	expect_exit 0
	expect_line '^RTC_DEV=yes$'
	for key in RTC_EPOCH SYS_EPOCH; do
		t=$(guest_value $key)
		case $t in
		'' | *[!0-9]*) fail "$key='$t' is not a number" ;;
		*)
			if [ "$t" -ge $((start - 2)) ] && [ "$t" -le $((end + 2)) ]; then
				echo "pass: $key=$t within [$start, $end]"
			else
				fail "$key=$t outside the host's [$start, $end] (+-2s)"
			fi
			;;
		esac
	done
}

guest() {
	if [ -e /dev/rtc0 ]; then echo "RTC_DEV=yes"; else echo "RTC_DEV=no"; fi
	echo "RTC_NAME=$(cat /sys/class/rtc/rtc0/name 2>/dev/null)"
	echo "RTC_EPOCH=$(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null)"
	echo "HWCLOCK=$(hwclock -r -u 2>&1)"
	echo "SYS_EPOCH=$(date +%s)"
	for arg in $(cat /proc/cmdline); do
		case $arg in
		lkvm.hosttime=*) echo "HOST_EPOCH=${arg#lkvm.hosttime=}" ;;
		esac
	done
}
