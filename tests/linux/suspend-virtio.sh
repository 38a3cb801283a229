# A virtio interrupt wakes a guest from SYSTEM_SUSPEND: the bare payload
# tests/guest/suspend-virtio.c suspends with a receive buffer posted on
# virtio-console; typing a line here wakes it (see the payload).
# timeout: 120

host() {
	KERNEL=$PAYLOADS/suspend-virtio.bin
	GUEST_PARAMS="lkvm.wake=virtio"
	lkvm_run_input '^SUSPENDING$' 'wake up' --console virtio -c 1 -m 64 --loglevel info
	expect_exit 0
	# Whole, and before lkvm's own line: the UART's output goes through a
	# writer thread, and lkvm's message once cut it in two ("SUSPElkvm: ...").
	expect_line '^SUSPENDING$'
	expect_line 'guest suspended \(SYSTEM_SUSPEND on vCPU 0'
	expect_line 'guest resumed \(vCPU 0 at'
	expect_line '^ok .* woken by the virtio interrupt'
	expect_line '^ok .* the typed line is in the receive buffer'
	expect_no_line '^not ok'
	expect_no_line 'Bail out'
}

guest() {
	:	# the guest is the payload, not Linux
}
