# Reboot in place: a Linux guest that reboots twice in one lkvm run (PSCI
# SYSTEM_RESET), counting its boots on a virtio-blk disk, then powers off.
# What a boot wrote before its reboot is on the disk in the next boot; every
# boot finds PV stolen time and a new KASLR seed.
# reboot-warm.sh, reboot-noreboot.sh and psci-pin.sh reuse boot_count/guest.
# timeout: 300

# The boot counter: sector 0 holds the count, sector N what boot N wrote.
boot_count() {
	wait_dev /dev/vda
	prev=$(dd if=/dev/vda bs=512 count=1 2>/dev/null | tr -dc '0-9')
	n=$((${prev:-0} + 1))
	printf '%-511s\n' "$n" | dd of=/dev/vda bs=512 count=1 conv=notrunc,fsync 2>/dev/null
	if [ "$n" -gt 1 ]; then
		echo "PREV=$(dd if=/dev/vda bs=512 skip=$((n - 1)) count=1 2>/dev/null | tr -d '\000 ')"
	fi
	printf 'boot%s-was-here%-496s\n' "$n" '' |
		dd of=/dev/vda bs=512 seek="$n" count=1 conv=notrunc,fsync 2>/dev/null
	echo "BOOT=$n"
}

# LAST boots, then power off.
boot_then() {
	# Kernel messages (reboot: Restarting...) would land inside our lines.
	echo 1 >/proc/sys/kernel/printk
	boot_count
	echo "PSCI_LINE=$(dmesg | grep -o 'psci: PSCIv[0-9.]* detected in firmware.')"
	echo "MEM_SLEEP=$(cat /sys/power/mem_sleep)"
	# What lkvm gives every boot: PV time, and a fresh KASLR seed (the
	# kernel's place moves from boot to boot).
	echo "PVTIME_$n=$(dmesg | grep -c 'arm-pv: using stolen time PV')"
	echo 0 >/proc/sys/kernel/kptr_restrict 2>/dev/null
	echo "KTEXT_$n=$(sed -n 's/ [Tt] _text$//p' /proc/kallsyms)"
	sync
	if [ "$n" -lt "$1" ]; then
		echo "REBOOTING"
		# -f: the reboot(2) call itself (plain "reboot" would signal PID 1, us)
		reboot -f
	fi
	echo "POWERING-OFF"
}

count() {
	tr -d '\r' <"$OUT" | grep -cE -- "$1"
}

host() {
	disk=$WORK/disk.img
	dd if=/dev/zero of="$disk" bs=1048576 count=1 2>/dev/null
	lkvm_run -c 2 -m 256 -d "$disk" --loglevel info --stats
	expect_exit 0
	expect_line '^BOOT=1$'
	expect_line '^BOOT=2$'
	expect_line '^BOOT=3$'
	expect_line '^PREV=boot1-was-here$'
	expect_line '^PREV=boot2-was-here$'
	expect_line '^POWERING-OFF$'
	[ "$(count 'lkvm: guest reset \(SYSTEM_RESET\): rebooting in place')" -eq 2 ]
	check $? "lkvm rebooted in place exactly twice"
	expect_line 'stats: .*reboots 2 '
	for b in 1 2 3; do
		expect_line "^PVTIME_$b=1\$"
	done
	k1=$(guest_value KTEXT_1)
	k2=$(guest_value KTEXT_2)
	k3=$(guest_value KTEXT_3)
	[ -n "$k1" ] && [ "$k1" != 0000000000000000 ] && [ "$k1" != "$k2" ] && [ "$k2" != "$k3" ]
	check $? "a fresh KASLR seed every boot: _text at $k1, $k2, $k3"
	[ "$(dd if="$disk" bs=512 count=1 2>/dev/null | tr -dc '0-9')" = 3 ]
	check $? "the disk image on the host says 3 boots"
}

guest() {
	boot_then 3
}
