# virtio-console carries the guest console (hvc0) both ways, and virtio-rng
# feeds the guest's hw_random with bytes that are not constant.
# timeout: 200

host() {
	lkvm_run_input '^READY-FOR-INPUT$' 'typed into hvc0' --console virtio --rng -c 1 -m 256
	expect_exit 0
	# The whole conversation went through hvc0: there is no other console.
	expect_line '^CONSOLE=hvc0$'
	expect_line '^GOT=<typed into hvc0>$'
	expect_line '^RNG_CURRENT=virtio_rng'
	expect_line '^RNG_BYTES=64$'
	distinct=$(guest_value RNG_DISTINCT)
	case $distinct in
	'' | *[!0-9]*) fail "RNG_DISTINCT='$distinct' is not a number" ;;
	*)
		# 64 random bytes have about 56 distinct values; a stuck source has 1.
		if [ "$distinct" -ge 24 ]; then
			echo "pass: $distinct distinct values in 64 bytes"
		else
			fail "only $distinct distinct values in 64 bytes from /dev/hwrng"
		fi
		;;
	esac
	expect_no_line 'ttyS0'
}

guest() {
	for arg in $(cat /proc/cmdline); do
		case $arg in
		console=*) echo "CONSOLE=${arg#console=}" ;;
		esac
	done
	echo "RNG_CURRENT=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
	dd if=/dev/hwrng of=/tmp/rng bs=64 count=1 2>/dev/null
	echo "RNG_BYTES=$(wc -c </tmp/rng)"
	echo "RNG_DISTINCT=$(od -A n -t x1 -v /tmp/rng | tr ' ' '\n' | grep . | sort -u | wc -l)"
	echo "READY-FOR-INPUT"
	if read -r line; then
		echo "GOT=<$line>"
	else
		echo "READ-FAILED"
	fi
}
