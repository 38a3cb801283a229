# The device tree has what a Linux guest needs, with the values asked for.
# The shared boot has 2 vCPUs, 320 MiB, a disk and virtio-rng.
# boot: basic
# timeout: 30

host() {
	expect_exit 0
	expect_line '^PSCI_METHOD=hvc$'
	expect_line '^PSCI_COMPAT=.*arm,psci-(0\.2|1\.0)'
	expect_line "^BOOTARGS=.*lkvm\\.test=([^ ]*,)?$TEST(,| |\$)"
	expect_line '^STDOUT_PATH=.+'
	# RAM at 0x80000000, 320 MiB = 0x14000000: two cells each.
	expect_line '^MEMREG=00000000800000000000000014000000$'
	expect_line '^UARTS=[1-9]'
	expect_line '^RTC=[1-9]'
	expect_line '^GICV3=1$'
	expect_line '^TIMER=1$'
	# One disk + one rng.
	expect_line '^VIRTIO=([2-9]|[1-9][0-9])$'
	expect_line '^CPUS=2$'
	expect_line '^HWRNG=yes$'
	expect_line '^VDA=yes$'
}

# Count nodes whose "compatible" list has $1.
compat_count() {
	find /proc/device-tree/ -name compatible | while IFS= read -r f; do
		tr '\0' '\n' <"$f" | grep -qx "$1" && echo x
	done | wc -l
}

guest() {
	dt=/proc/device-tree
	echo "PSCI_METHOD=$(tr -d '\0' <$dt/psci/method)"
	echo "PSCI_COMPAT=$(tr '\0' ' ' <$dt/psci/compatible)"
	echo "BOOTARGS=$(tr -d '\0' <$dt/chosen/bootargs)"
	echo "STDOUT_PATH=$(tr -d '\0' <$dt/chosen/stdout-path 2>/dev/null)"
	echo "MEMREG=$(od -An -tx1 -v $dt/memory*/reg | tr -d ' \n')"
	echo "UARTS=$(compat_count ns16550a)"
	echo "RTC=$(compat_count arm,pl031)"
	echo "GICV3=$(compat_count arm,gic-v3)"
	echo "TIMER=$(compat_count arm,armv8-timer)"
	echo "VIRTIO=$(compat_count virtio,mmio)"
	echo "CPUS=$(ls -d $dt/cpus/cpu@* | wc -l)"
	wait_dev /dev/vda
	if [ -b /dev/vda ]; then echo "VDA=yes"; else echo "VDA=no"; fi
	if [ -e /dev/hwrng ]; then echo "HWRNG=yes"; else echo "HWRNG=no"; fi
	echo "RNG_CURRENT=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
}
