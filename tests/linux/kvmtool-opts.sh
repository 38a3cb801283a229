# kvmtool's arm64 `lkvm run` options, on bare payloads in the emulated host:
# --aarch32 boots a 32-bit guest (SVC mode, r0 = 0, r1 = ~0, r2 = the DTB);
# --kaslr-seed puts its value in /chosen, and without it each run gets a
# different one; --vcpu-affinity pins exactly the vCPU threads; kvmtool's
# options lkvm has no use for are refused by name with the reason, the ones
# that change nothing are accepted; --debug-single-step traces every
# instruction; kvm-unit-tests' probe for a usable command line finds
# kvmtool's words.
# timeout: 240

# run_bare ARGS...: one lkvm run to its end, output in $OUT, status in LKVM_RC.
run_bare() {
	_runs=$((_runs + 1))
	OUT=$WORK/out.$_runs
	echo "+ $LKVM run $*"
	timeout "$(time_left)" "$LKVM" run "$@" </dev/null >"$OUT" 2>&1
	LKVM_RC=$?
	sed 's/^/# | /' "$OUT" | head -n 40
}

host() {
	A32=$PAYLOADS/aarch32.bin
	SEED=$PAYLOADS/kaslr-seed.bin
	SPIN=$PAYLOADS/ctl-guest.bin
	HELLO=$PAYLOADS/hello.bin
	for f in "$A32" "$SEED" "$SPIN" "$HELLO"; do
		[ -f "$f" ] || fail "no payload $f"
	done
	export LKVM_RUNTIME_DIR=$WORK/rt

	# --aarch32, and with MTE on by default: KVM refuses MTE with AArch32,
	# so lkvm leaves it off for this guest.
	run_bare -k "$A32" -c 1 -m 64 --aarch32
	expect_exit 0
	expect_line '^0=00000000$'
	expect_line '^1=ffffffff$'
	expect_line '^2=8[0-9a-f]{7}$'
	# SVC mode (0x13) with IRQ and FIQ masked, AArch32 state (bit 4).
	c=$(guest_value c)
	[ -n "$c" ] && [ $((0x$c & 0xdf)) = $((0xd3)) ]
	check $? "CPSR 0x$c: SVC mode, IRQ and FIQ masked"
	# The DTB's magic, d00dfeed big-endian, read as a little-endian word.
	expect_line '^m=edfe0dd0$'

	# The same run traced an instruction at a time.
	run_bare -k "$A32" -c 1 -m 64 --aarch32 --debug-single-step
	expect_exit 0
	expect_line 'vCPU 0: step: PC 0x80008004 '
	n=$(grep -c 'vCPU 0: step: PC' "$OUT")
	# 26 instructions, five calls of 13 + 8 x 8 more each: several hundred.
	[ "$n" -ge 300 ] && [ "$n" -le 1000 ]
	check $? "--debug-single-step: $n steps traced"

	# --kaslr-seed, and a random one for each run without it.
	run_bare -k "$SEED" -c 1 -m 64 --kaslr-seed 0x1122334455667788
	expect_exit 0
	expect_line '^KASLR-SEED=1122334455667788$'
	run_bare -k "$SEED" -c 1 -m 64
	s1=$(guest_value KASLR-SEED)
	run_bare -k "$SEED" -c 1 -m 64
	s2=$(guest_value KASLR-SEED)
	[ -n "$s1" ] && [ "$s1" != none ] && [ "$s1" != "$s2" ]
	check $? "without --kaslr-seed: a random seed each run ($s1, $s2)"

	# --vcpu-affinity: the vCPU threads on CPU 1 only, lkvm's others not.
	lkvm_start -k "$SPIN" -c 2 -m 64 --name aff --vcpu-affinity 1
	ctl wait -n aff --state running --timeout 60
	wait_line '^SPIN pc=' 60
	vcpus=0
	others=0
	for t in /proc/$LKVM_PID/task/*; do
		comm=$(cat "$t/comm")
		cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")
		echo "# thread $comm: CPUs $cpus"
		case $comm in
		lkvm-vcpu*)
			[ "$cpus" = 1 ] && vcpus=$((vcpus + 1))
			;;
		*)
			[ "$cpus" != 1 ] && others=$((others + 1))
			;;
		esac
	done
	[ $vcpus = 2 ]
	check $? "--vcpu-affinity 1: both vCPU threads may run on CPU 1 only"
	[ $others -ge 1 ]
	check $? "--vcpu-affinity 1: the other threads ($others) are not pinned"
	stop_lkvm TERM 10

	# kvm-unit-tests' runner first runs each test's command line with a
	# kernel that does not exist, and runs the test only if the VMM then
	# says kvmtool's "Fatal: Unable to open kernel" (it took the options).
	run_bare --nodefaults --network mode=none --loglevel=warning --kernel _NO_FILE_4Uhere_ \
		-c 2 -m 256 --irqchip=gicv3-its --pmu --params "its-trigger"
	[ $LKVM_RC = 128 ] && grep -q 'Fatal: Unable to open kernel _NO_FILE_4Uhere_' "$OUT"
	check $? "kvm-unit-tests' probe: options taken, kernel refused in kvmtool's words"
	run_bare --nodefaults --kernel _NO_FILE_4Uhere_ --no-such-option
	[ $LKVM_RC = 129 ] && ! grep -q 'Fatal: Unable to open kernel' "$OUT"
	check $? "kvm-unit-tests' probe: an option lkvm lacks is said before the kernel"
	# How its runner finds kvmtool, and the environment it passes as the initrd.
	"$LKVM" --help | grep -q 'The most commonly used'
	check $? "lkvm --help has the words kvm-unit-tests looks for"
	printf 'TARGET=kvmtool\nERRATA_12345678=y\n' >"$WORK/env"
	run_bare --nodefaults --network mode=none --loglevel=warning --kernel "$HELLO" -c 1 -m 64 \
		--initrd "$WORK/env" --params "x=1"
	expect_exit 0

	# Refused by name, with the reason; accepted and ignored.
	for opt in --9p --balloon --vsock --hugetlbfs --firmware-address --nested; do
		run_bare -k "$HELLO" $opt x
		[ $LKVM_RC = 129 ] && grep -q "^lkvm: $opt: not supported: " "$OUT"
		check $? "$opt is refused by name, with a reason"
	done
	run_bare -k "$HELLO" -c 1 -m 64 --psci --override-bad-firmware-cntfrq \
		--irqchip=gicv3 --network mode=none --loglevel=warning
	expect_exit 0
	expect_line '^ok 1 '
	# --debug-mmio is --debug: the UART's accesses are traced.
	run_bare -k "$HELLO" -c 1 -m 64 --debug-mmio
	expect_exit 0
	expect_line 'vCPU 0: exit 6'
}
