# Linux boots to init with 1, 2 and 4 vCPUs and sees all of them (2: the
# shared boot's).
# boot: basic
# timeout: 200

host() {
	for n in 2 1 4; do
		[ $n = 2 ] || lkvm_run -c $n -m 256
		expect_exit 0
		expect_line "^lkvm-guest: test $TEST\$"
		expect_line "^NPROC=$n\$"
		expect_line "^CPUINFO=$n\$"
		expect_line "^ONLINE=0(-$((n - 1)))?\$"
	done
}

guest() {
	echo "NPROC=$(nproc)"
	echo "CPUINFO=$(grep -c '^processor' /proc/cpuinfo)"
	echo "ONLINE=$(cat /sys/devices/system/cpu/online)"
}
