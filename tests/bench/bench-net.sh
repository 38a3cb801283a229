# The guest side of `make bench`'s network runs (tests/bench/l1.sh boots it
# with "lkvm.test=bench-net"): the NIC at 169.254.20.2, then 64 MiB over TCP
# to the host's 169.254.20.1:9000, timed here from the first connection
# attempt that succeeds to the host's close.  "BENCH-NET-TX-CS centiseconds".

uptime_cs() {
	awk '{ printf "%d\n", $1 * 100 }' /proc/uptime
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
	ip addr add 169.254.20.2/24 dev eth0
	ping -c 1 -W 10 169.254.20.1 >/dev/null
	# The host's listener is up before lkvm starts; warm the path first.
	t0=$(uptime_cs)
	dd if=/dev/zero bs=65536 count=1024 2>/dev/null | nc 169.254.20.1 9000
	rc=$?
	t1=$(uptime_cs)
	[ $rc -eq 0 ] && echo "BENCH-NET-TX-CS $((t1 - t0))"
}
