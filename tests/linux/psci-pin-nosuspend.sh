# --psci-version 1.0 --no-system-suspend: Linux reports PSCIv1.0 and, with no
# SYSTEM_SUSPEND in PSCI_FEATURES, offers no "deep" suspend; with the pin
# alone (1.0 has SYSTEM_SUSPEND) it does.
# timeout: 300

host() {
	lkvm_run -c 1 -m 256 --psci-version 1.0 --no-system-suspend
	expect_exit 0
	expect_line '^PSCI_LINE=psci: PSCIv1.0 detected in firmware.$'
	expect_line '^MEM_SLEEP='
	expect_no_line '^MEM_SLEEP=.*deep'
	expect_line '^SET_DEEP_RC=[1-9]'
	lkvm_run -c 1 -m 256 --psci-version 1.0
	expect_exit 0
	expect_line '^PSCI_LINE=psci: PSCIv1.0 detected in firmware.$'
	expect_line '^MEM_SLEEP=.*deep'
}

guest() {
	echo "PSCI_LINE=$(dmesg | grep -o 'psci: PSCIv[0-9.]* detected in firmware.')"
	echo "MEM_SLEEP=$(cat /sys/power/mem_sleep)"
	echo deep >/sys/power/mem_sleep 2>/dev/null
	echo "SET_DEEP_RC=$?"
}
