# virtio-net in user mode (-n mode=user): the guest gets its address from
# passt by DHCP and fetches a file from a TCP server on the emulated host's
# loopback through the gateway address, checksum compared.  Then passt is
# stopped, sent to, and killed (its socket ends in ECONNRESET): lkvm says
# so once, the guest's link goes down, lkvm keeps running and the guest
# powers off normally.  The emulated host has no NIC for passt
# to copy its addresses from, so passt gets link-local ones here: started by
# the test (socket=PATH), and started by lkvm with the test's addresses on
# dummy0 to copy.
# timeout: 150

# The pids of running passt processes (busybox may lack pidof).
passt_pids() {
	ps | awk '$0 ~ /[p]asst / && $0 !~ /awk/ { print $1 }'
}

host() {
	command -v passt >/dev/null || skip "no passt in the emulated host"
	mkdir -p "$WORK/www"
	dd if=/dev/urandom of="$WORK/www/blob" bs=1M count=4 2>/dev/null
	want=$(md5sum <"$WORK/www/blob" | cut -d' ' -f1)
	httpd -f -p 127.0.0.1:8080 -h "$WORK/www" &
	httpd_pid=$!

	passt -f -q -s "$WORK/passt.sock" -4 -a 169.254.2.15 -n 16 -g 169.254.2.2 \
		--no-dhcpv6 --no-ndp --no-ra &
	passt_pid=$!
	i=0
	while [ ! -S "$WORK/passt.sock" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	lkvm_start -k "$KERNEL" -i "$INITRD" -c 2 -m 256 -p "lkvm.test=$TEST" --loglevel info \
		-n "mode=user,socket=$WORK/passt.sock"
	if ! wait_line '^FETCH-MD5 ' 90; then
		fail "the guest did not fetch the file"
		stop_lkvm KILL 5
		kill "$httpd_pid"
		return
	fi
	got=$(tr -d '\r' <"$OUT" | sed -n 's/^FETCH-MD5 //p')
	[ "$got" = "$want" ]
	check $? "4 MiB fetched from the host's loopback through passt, md5 $got (want $want)"

	# passt dies under the guest, with frames from lkvm it never read: the
	# socket then ends in ECONNRESET rather than EOF, the same end.
	kill -STOP "$passt_pid"
	type_line "SEND"
	wait_line '^SENT' 30
	check $? "the guest sent to a stopped passt"
	kill -KILL "$passt_pid"
	wait_line 'net0: passt at .* closed the connection; the guest.s link is down' 20
	check $? "lkvm says passt went away"
	type_line "CARRIER"
	wait_line '^CARRIER-AFTER ' 30
	type_line "DONE"
	wait_exit 60 || fail "the guest did not power off"
	stop_lkvm TERM 5
	expect_exit 0
	expect_line "net0: user mode through passt"
	expect_line '^DHCP-ADDR 169\.254\.2\.15$'
	expect_line '^CARRIER-AFTER 0$'
	n=$(tr -d '\r' <"$OUT" | grep -c 'closed the connection')
	[ "$n" = 1 ]
	check $? "said once ($n times)"

	# lkvm starts passt itself; passt copies dummy0's address and route.
	ip addr add 169.254.2.15/16 dev dummy0
	ip link set dummy0 up
	ip route add default via 169.254.2.2 dev dummy0
	lkvm_start -k "$KERNEL" -i "$INITRD" -c 2 -m 256 -p "lkvm.test=$TEST" --loglevel info \
		-n mode=user
	if wait_line '^FETCH-MD5 ' 90; then
		got=$(tr -d '\r' <"$OUT" | sed -n 's/^FETCH-MD5 //p')
		[ "$got" = "$want" ]
		check $? "passt started by lkvm: fetched, md5 $got (want $want)"
		# The one lkvm started (the test's own, killed above, says -f).
		pid=$(ps | awk '$0 ~ /[p]asst --foreground/ { print $1 }')
		# shellcheck disable=SC2086 # one word a pid
		kill $pid
		wait_line 'net0: passt exited \(.*\); the guest.s link is down' 20
		check $? "lkvm says its passt exited ($(tr -d '\r' <"$OUT" | grep 'passt exited'))"
		type_line "CARRIER"
		wait_line '^CARRIER-AFTER ' 30
		type_line "DONE"
		wait_exit 60 || fail "the guest did not power off"
	else
		fail "passt started by lkvm: the guest did not fetch the file"
	fi
	stop_lkvm TERM 5
	expect_exit 0
	ip route del default via 169.254.2.2 dev dummy0
	ip addr del 169.254.2.15/16 dev dummy0
	kill "$httpd_pid" 2>/dev/null
	[ -z "$(passt_pids)" ] || fail "a passt is left running: $(passt_pids)"
	return 0
}

guest() {
	for m in failover net_failover virtio_net; do
		[ -f "/lib/modules/$m.ko" ] && insmod "/lib/modules/$m.ko" 2>/dev/null
	done
	i=0
	while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ip link set eth0 up
	udhcpc -i eth0 -n -q -t 5 -T 2 >/dev/null 2>&1
	echo "DHCP-ADDR $(ip -4 addr show dev eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')"
	s=/sys/class/net/eth0/statistics
	echo "NET-STATS tx $(cat $s/tx_packets) rx $(cat $s/rx_packets) rxerr $(cat $s/rx_errors)" \
		"drop $(cat $s/rx_dropped) carrier $(cat /sys/class/net/eth0/carrier)"
	gw=$(ip route | sed -n 's/^default via \([0-9.]*\).*/\1/p')
	echo "GATEWAY $gw"
	# Busybox's static wget crashes in this guest; HTTP/1.0 by hand: the
	# server closes when the file is out, and the body is its last 4 MiB.
	printf 'GET /blob HTTP/1.0\r\n\r\n' | timeout 60 nc "$gw" 8080 >/tmp/resp
	echo "FETCH-RC $?"
	tail -c 4194304 /tmp/resp >/tmp/blob
	echo "FETCH-MD5 $(md5sum </tmp/blob | cut -d' ' -f1)"
	while read -r cmd; do
		case $cmd in
		CARRIER)
			i=0
			while [ "$(cat /sys/class/net/eth0/carrier)" = 1 ] && [ $i -lt 50 ]; do
				sleep 0.2
				i=$((i + 1))
			done
			echo "CARRIER-AFTER $(cat /sys/class/net/eth0/carrier)"
			;;
		SEND)
			ping -c 3 -W 1 "$gw" >/dev/null 2>&1
			echo "SENT"
			;;
		DONE)
			break
			;;
		esac
	done
}
