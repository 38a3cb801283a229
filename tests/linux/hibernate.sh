# Hibernation to a virtio-blk swap disk: the guest (512 MiB; 256 cannot
# hibernate) writes its image and powers off with SYSTEM_OFF2, lkvm exits 3
# saying so; a second lkvm run with the same disk resumes it, and a value held
# only in guest RAM (a shell variable and a tmpfs file) is still there.
# hibernate-psci11.sh reuses hib_host/guest with --psci-version 1.1.
# timeout: 500

# hib_host EXIT1 LINE1 NOTLINE1 [lkvm options]: both runs, the first expected
# to exit EXIT1 with a line matching LINE1 and none matching NOTLINE1.
hib_host() {
	want_rc=$1
	want_line=$2
	unwanted=$3
	shift 3
	disk=$WORK/swap.img
	dd if=/dev/zero of="$disk" bs=1048576 count=0 seek=256 2>/dev/null
	GUEST_PARAMS="lkvm.hib=1"
	lkvm_run -c 2 -m 512 -d "$disk" --loglevel info "$@"
	expect_exit "$want_rc"
	expect_line "$want_line"
	expect_no_line "$unwanted"
	expect_line '^SWAP_ON=0$'
	expect_no_line '^RESUMED'
	token=$(guest_value TOKEN)
	[ -n "$token" ]
	check $? "the guest printed its RAM-only token before hibernating ($token)"

	GUEST_PARAMS="lkvm.hib=2 lkvm.resume=vda"
	lkvm_run -c 2 -m 512 -d "$disk" --loglevel info "$@"
	expect_exit 0
	expect_no_line '^FRESH-BOOT'
	expect_line "^RESUMED var=$token file=$token\$"
	expect_line '^DMESG: PM: hibernation: hibernation exit$'
}

host() {
	hib_host 3 \
		'^lkvm: guest hibernated \(PSCI SYSTEM_OFF2\); run it again with the same disks to resume it$' \
		'guest powered off'
}

guest() {
	phase=
	for arg in $(cat /proc/cmdline); do
		case $arg in
		lkvm.hib=*) phase=${arg#lkvm.hib=} ;;
		esac
	done
	# Kernel messages would land inside our lines; dmesg still has them.
	echo 1 >/proc/sys/kernel/printk
	if [ "$phase" != 1 ]; then
		# Only a fresh boot of the second run gets here: no image was resumed.
		echo "FRESH-BOOT phase=$phase"
		return
	fi
	wait_dev /dev/vda
	mkswap /dev/vda >/dev/null
	swapon /dev/vda
	echo "SWAP_ON=$?"
	token=$(cat /proc/sys/kernel/random/uuid)
	echo "$token" >/tmp/token
	echo "TOKEN=$token"
	echo disk >/sys/power/state
	# The second run continues here, in the restored memory.
	echo "HIBERNATE_RC=$?"
	echo "RESUMED var=$token file=$(cat /tmp/token)"
	dmesg | grep -E 'PM: hibernation: hibernation (entry|exit)' | sed 's/^\[[^]]*\] */DMESG: /'
	swapoff /dev/vda
}
