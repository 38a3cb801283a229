# virtio-net over taps, two NICs in one boot: net0 on lkvm's own data path,
# net1 on vhost-net (vhost=1).  On each: ping both ways.  Then over TCP, each
# 64 MiB of random data with its checksum compared on both sides: host -> guest
# and back guest -> host on net0, guest -> host on net1 (and 8 MiB host ->
# guest on net1).  Link-local addresses only (169.254.10.0/24 for net0,
# 169.254.11.0/24 for net1): the emulated host has no NIC.
# timeout: 200

MAC0=02:4c:4b:00:00:10
MAC1=02:4c:4b:00:00:11

# A listener on port $2 writing what it gets to $1, until the peer closes; its
# pid in $NC_PID.  Its stdin is a fifo held open on fd 4 (stop_listen closes
# it): at EOF on stdin nc would close its side before the peer is done.
listen() {
	rm -f "$1.hold"
	mkfifo "$1.hold"
	nc -l -p "$2" <"$1.hold" >"$1" &
	NC_PID=$!
	exec 4>"$1.hold"
}

# Wait up to $1 s for the listener to end (the peer closed), then close fd 4.
wait_listen() {
	_n=0
	while kill -0 "$NC_PID" 2>/dev/null && [ $_n -lt $(($1 * 10)) ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill "$NC_PID" 2>/dev/null
	exec 4>&-
}

# nc to $1 port $2 from file $3, a few tries while the listener starts.
send_file() {
	for _t in 1 2 3 4 5; do
		nc "$1" "$2" <"$3" && return 0
		sleep 1
	done
	return 1
}

# to_guest NIC FILE MD5 MIB: the guest receives FILE on NIC, says its md5.
to_guest() {
	type_line "RECV $1"
	wait_line "^RX-READY $1\$" 30 || fail "net$1: the guest's listener did not start"
	send_file "169.254.1$1.2" 6000 "$2" || fail "net$1: cannot connect to the guest"
	wait_line "^RX-MD5 $1 " 120
	got=$(tr -d '\r' <"$OUT" | sed -n "s/^RX-MD5 $1 //p" | tail -n 1)
	[ "$got" = "$3" ]
	check $? "net$1: $4 MiB host -> guest, md5 $got (want $3)"
}

# from_guest NIC MD5 MIB: the guest sends what it last received, on NIC.
from_guest() {
	listen "$WORK/back.$1" 7000
	type_line "SEND $1"
	wait_line "^TX-DONE $1 " 120
	wait_listen 10
	got=$(md5sum <"$WORK/back.$1" | cut -d' ' -f1)
	[ "$got" = "$2" ]
	check $? "net$1: $3 MiB guest -> host, md5 $got (want $2)"
}

host() {
	[ -c /dev/net/tun ] || skip "no /dev/net/tun in the emulated host"
	for i in 0 1; do
		ip link del "lkvmt$i" 2>/dev/null
		tunctl -t "lkvmt$i" >/dev/null || fail "tunctl -t lkvmt$i"
		ip addr add "169.254.1$i.1/24" dev "lkvmt$i"
		ip link set "lkvmt$i" up
	done
	dd if=/dev/urandom of="$WORK/data" bs=1M count=64 2>/dev/null
	want=$(md5sum <"$WORK/data" | cut -d' ' -f1)

	head -c 8388608 "$WORK/data" >"$WORK/data8"
	want8=$(md5sum <"$WORK/data8" | cut -d' ' -f1)

	lkvm_start -k "$KERNEL" -i "$INITRD" -c 2 -m 384 -p "lkvm.test=$TEST" --loglevel info \
		-n "mode=tap,tapif=lkvmt0,guest_mac=$MAC0" \
		-n "mode=tap,tapif=lkvmt1,guest_mac=$MAC1,vhost=1"
	if ! wait_line '^NET-UP' 90; then
		fail "the guest's NICs did not come up"
		stop_lkvm KILL 5
		return
	fi
	for i in 0 1; do
		ping -c 3 -W 5 "169.254.1$i.2" >/dev/null
		check $? "net$i: the host pings the guest"
	done
	# vhost-net's worker is a thread of lkvm's (a kernel thread before Linux 6.4).
	{ cat /proc/"$LKVM_PID"/task/*/comm; ps; } 2>/dev/null | grep -q "vhost-$LKVM_PID"
	check $? "net1: vhost-net's worker runs for lkvm"
	t0=$(date +%s)
	to_guest 0 "$WORK/data" "$want" 64
	from_guest 0 "$want" 64
	t1=$(date +%s)
	from_guest 1 "$want" 64
	t2=$(date +%s)
	to_guest 1 "$WORK/data8" "$want8" 8
	note "net0: 2 x 64 MiB in $((t1 - t0)) s; net1: 64 MiB out in $((t2 - t1)) s," \
		"8 MiB in in $(($(date +%s) - t2)) s"
	type_line "DONE"
	wait_exit 60 || fail "the guest did not power off"
	stop_lkvm TERM 5
	expect_exit 0
	expect_line "net0: tap 'lkvmt0', lkvm's own data path"
	expect_line "net1: tap 'lkvmt1', vhost-net \\(in-kernel\\) data path"
	expect_line '^PING 0 0$'
	expect_line '^PING 1 0$'
	expect_no_line 'vhost-net unavailable'
	for i in 0 1; do
		ip link del "lkvmt$i" 2>/dev/null
	done
	return 0
}

# The interface with MAC $1.
nic_of() {
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "$1" ] && echo "${d##*/}"
	done
}

guest() {
	for m in failover net_failover virtio_net; do
		[ -f "/lib/modules/$m.ko" ] && insmod "/lib/modules/$m.ko" 2>/dev/null
	done
	i=0
	while [ -z "$(nic_of $MAC1)" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	for i in 0 1; do
		eval mac=\$MAC$i
		nic=$(nic_of "$mac")
		ip link set "$nic" up
		ip addr add "169.254.1$i.2/24" dev "$nic"
		echo "NIC $i $nic"
	done
	# The links come up, then the host answers.
	for i in 0 1; do
		ping -c 3 -W 10 "169.254.1$i.1" >/dev/null
		echo "PING $i $?"
	done
	echo "NET-UP"
	while read -r cmd i; do
		case $cmd in
		RECV)
			listen /tmp/in 6000
			echo "RX-READY $i"
			wait_listen 120
			echo "RX-MD5 $i $(md5sum </tmp/in | cut -d' ' -f1)"
			;;
		SEND)
			send_file "169.254.1$i.1" 7000 /tmp/in
			echo "TX-DONE $i $?"
			;;
		DONE)
			break
			;;
		esac
	done
	rm -f /tmp/in /tmp/in.hold
}
