# The guest side of `make bench`'s snapshot runs (tests/bench/l1.sh boots it
# with "lkvm.test=bench-snap"): says when init has started, then waits on
# its console, where the host types "ping" after a restore (answered, to show
# the restored guest runs) and "off".
uptime_cs() {
	awk '{ printf "%d\n", $1 * 100 }' /proc/uptime
}

guest() {
	echo "BENCH-SNAP-READY $(uptime_cs)"
	while read -r cmd; do
		case $cmd in
		ping) echo "BENCH-SNAP-PONG" ;;
		off) return 0 ;;
		esac
	done
}
