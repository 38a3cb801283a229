# SVE vector lengths: --sve-max-vl caps them, the default offers the host's
# maximum, --disable-sve hides SVE.  Lengths in /proc/sys/abi are in bytes.
# The default is the shared boot's; the other two are runs of their own.
# boot: basic
# timeout: 200

host() {
	if ! grep -q '^Features.* sve' /proc/cpuinfo; then
		skip "the host has no SVE"
	fi
	expect_exit 0
	expect_line '^SVE=yes$'
	max=$(guest_value SVE_MAX_VL)
	case $max in
	16 | 32 | 64 | 128 | 256) echo "pass: default maximum vector length $max bytes" ;;
	*) fail "default SVE_MAX_VL='$max' is not a power of two in 16..256" ;;
	esac
	# Inside the rig we own the host and may ask it for its own maximum.
	if [ "${LKVM_RIG:-}" = 1 ] && [ -w /proc/sys/abi/sve_default_vector_length ]; then
		echo -1 >/proc/sys/abi/sve_default_vector_length
		hmax=$(cat /proc/sys/abi/sve_default_vector_length)
		[ "$max" = "$hmax" ]
		check $? "guest maximum VL $max = the host's $hmax bytes"
	fi

	lkvm_run -c 1 -m 256 --sve-max-vl 256
	expect_exit 0
	expect_line '^SVE=yes$'
	expect_line '^SVE_MAX_VL=32$'
	expect_line '^SVE_DEFAULT_VL=(16|32)$'

	lkvm_run -c 1 -m 256 --disable-sve
	expect_exit 0
	expect_line '^SVE=no$'
}

guest() {
	if grep -q '^Features.* sve' /proc/cpuinfo; then echo "SVE=yes"; else echo "SVE=no"; fi
	f=/proc/sys/abi/sve_default_vector_length
	if [ -e $f ]; then
		echo "SVE_DEFAULT_VL=$(cat $f)"
		echo -1 >$f
		echo "SVE_MAX_VL=$(cat $f)"
	fi
}
