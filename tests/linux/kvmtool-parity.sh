# What kvmtool gives a Linux guest by default, lkvm too: MTE (hwcap and
# /proc/cpuinfo), PV stolen time (the kernel says it uses it) and the
# --kaslr-seed value in /chosen (the shared boot passes one, and nokaslr, so
# that the kernel leaves it there; a kernel that randomises wipes it).  Then
# one boot with each of them off (--disable-mte, --no-pvtime) and an ITS
# (--irqchip gicv3-its), which Linux finds through the device tree.
# boot: basic
# timeout: 300

host() {
	expect_exit 0
	if grep -qw mte /proc/cpuinfo; then
		expect_line '^MTE=yes$'
	else
		note "the emulated host has no MTE: the guest cannot have it either"
		expect_line '^MTE=no$'
	fi
	expect_line '^PVTIME=yes$'
	expect_line '^KASLR_SEED=6c6b766d2d6b736c$'
	expect_line '^ITS=no$'

	# -c 1: the ITS sits below one redistributor: 0x3fff0000 - 2 x 128 KiB.
	lkvm_run -c 1 -m 256 --disable-mte --no-pvtime --irqchip gicv3-its
	expect_exit 0
	expect_line '^MTE=no$'
	expect_line '^PVTIME=no$'
	expect_line '^ITS=yes$'
	expect_line '^ITS_REG=000000003ffb00000000000000020000$'
	expect_line '^ITS_PROBED=yes$'
}

guest() {
	if grep -q '^Features.* mte' /proc/cpuinfo; then echo "MTE=yes"; else echo "MTE=no"; fi
	if dmesg | grep -q 'arm-pv: using stolen time PV'; then
		echo "PVTIME=yes"
	else
		echo "PVTIME=no"
	fi
	echo "KASLR_SEED=$(od -An -tx1 -v /proc/device-tree/chosen/kaslr-seed 2>/dev/null |
		tr -d ' \n')"
	its=$(ls -d /proc/device-tree/intc*/msic* 2>/dev/null | head -n 1)
	if [ -n "$its" ]; then
		echo "ITS=yes"
		echo "ITS_REG=$(od -An -tx1 -v "$its/reg" | tr -d ' \n')"
		if dmesg | grep -q 'ITS.*3ffb0000'; then
			echo "ITS_PROBED=yes"
		else
			echo "ITS_PROBED=no"
			dmesg | grep -i its
		fi
	else
		echo "ITS=no"
	fi
}
