# The serial console carries guest output to lkvm's stdout and lkvm's stdin to
# the guest.  The shared boot types the line once the guest asks for it.
# boot: basic
# timeout: 30

host() {
	expect_exit 0
	# Computed in the guest, so it cannot be an echo of the command line.
	expect_line '^OUT-TOKEN=lkvm-6x7-42$'
	expect_line '^GOT=<hello from the host 42>$'
	expect_line '^UPPER=HELLO FROM THE HOST 42$'
}

guest() {
	echo "OUT-TOKEN=lkvm-6x7-$((6 * 7))"
	echo "READY-FOR-INPUT"
	if read -r line; then
		echo "GOT=<$line>"
		echo "UPPER=$(echo "$line" | tr '[:lower:]' '[:upper:]')"
	else
		echo "READ-FAILED"
	fi
}
