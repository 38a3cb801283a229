# Snapshot of a running Linux guest, restored twice at once: under its own
# disk (snl-b) and as a clone on a copy of the disk (snl-c, -d).  The guest
# keeps a random value in RAM (tmpfs and a shell variable), a block it wrote
# on /dev/vda with the device held open (fd 3), and a background counter
# ticking every 0.2 s.  After the restore each guest, driven from its
# console, must find its RAM value, see the counter go on from where it was
# (so its timers fire), read the block back from the disk through the open
# device, and write a new block, which must land in its own image only.
# timeout: 240

# The lkvm runs this script drives: "a" (lkvm_start: fd 3, $OUT, $LKVM_PID)
# is the original and then snl-b; "c" is started by hand with fd 4.
use_vm() {
	case $1 in
	b) OUT=$OUT_B LKVM_PID=$PID_B _fd=3 ;;
	c) OUT=$OUT_C LKVM_PID=$PID_C _fd=4 ;;
	esac
	_vm=$1
}

# Type a line on the current vm's console, if it still runs (a write to a
# fifo nobody reads would end this script with SIGPIPE).
type_vm() {
	if kill -0 "$LKVM_PID" 2>/dev/null; then
		printf '%s\n' "$1" >&$_fd
	else
		fail "snl-$_vm: lkvm ended before '$1' could be typed"
	fi
}

# The value of the last "KEY=value" line of the current vm's output.
vm_value() {
	tr -d '\r' <"$OUT" | sed -n "s/^$1=//p" | tail -n 1
}

# check_vm NAME: type "check NAME" and verify what the restored guest says.
check_vm() {
	use_vm "$1"
	type_vm "check $1"
	wait_line "^CHECK-DONE=$1\$" 60
	check $? "snl-$1: the guest answers 'check' on its console"
	_ram=$(vm_value RAM)
	_var=$(vm_value RAMVAR)
	[ "$_ram" = "$VAL" ] && [ "$_var" = "$VAL" ]
	check $? "snl-$1: RAM value kept (tmpfs '$_ram', shell variable '$_var', before '$VAL')"
	_c1=$(vm_value COUNT1)
	_c2=$(vm_value COUNT2)
	[ -n "$_c1" ] && [ -n "$_c2" ] && [ "$_c1" -gt "$PRE" ] && [ "$_c2" -gt "$_c1" ]
	check $? "snl-$1: the counter goes on (${_c1:-?} then ${_c2:-?} a second later, ${PRE:-?} before the snapshot)"
	_blk=$(vm_value BLOCK)
	[ "$_blk" = "SNL-BLOCK-$VAL" ]
	check $? "snl-$1: the block read from the disk through the open device: '$_blk'"
	_new=$(vm_value NEWBLOCK)
	[ "$_new" = "SNL-NEW-$1-$VAL" ]
	check $? "snl-$1: a new block written and read back: '$_new'"
	[ "$(vm_value FD3)" = ok ]
	check $? "snl-$1: fd 3 still holds /dev/vda ($(vm_value FD3LINK))"
}

# finish_vm NAME: "off" must power the guest off, lkvm status 0.
finish_vm() {
	use_vm "$1"
	type_vm off
	wait_exit 60
	check $? "snl-$1: the guest powers off after 'off'"
	if [ "$1" = b ]; then
		stop_lkvm TERM 5
	else
		kill -0 "$LKVM_PID" 2>/dev/null && kill -TERM "$LKVM_PID" 2>/dev/null
		wait "$LKVM_PID"
		LKVM_RC=$?
		exec 4>&-
		_show_run
	fi
	expect_exit 0
	expect_no_line '(Kernel panic|Oops|BUG:|Call trace:)'
}

# The guest's 512-byte block at sector $2 of image $1, trailing blanks cut.
host_block() {
	dd if="$1" bs=512 skip="$2" count=1 2>/dev/null | tr -d '\0' | tr -d ' \n'
}

host() {
	export LKVM_RUNTIME_DIR=$WORK/rt
	dd if=/dev/zero of="$WORK/disk.img" bs=1024 count=4096 2>/dev/null

	lkvm_start -k "$KERNEL" -i "$INITRD" -p "lkvm.test=$TEST $GUEST_PARAMS" \
		-c 2 -m 256 -d "$WORK/disk.img" --name snl-a --loglevel info
	wait_line '^snl-ready ' 120
	_rc=$?
	check $_rc "snl-a: the guest is ready"
	if [ $_rc -ne 0 ]; then
		stop_lkvm TERM 10
		return 1
	fi
	VAL=$(tr -d '\r' <"$OUT" | sed -n 's/^snl-ready \([0-9a-f]*\)$/\1/p' | tail -n 1)
	type_line count
	wait_line '^PRE=[0-9]+$' 30
	check $? "snl-a: the counter runs before the snapshot"
	PRE=$(guest_value PRE)
	note "before the snapshot: value $VAL, counter $PRE"
	[ -n "$VAL" ] && [ -n "$PRE" ] || fail "no value or counter from the guest"
	[ "$(host_block "$WORK/disk.img" 8)" = "SNL-BLOCK-$VAL" ]
	check $? "snl-a: the guest's block is in disk.img"
	# Back in its "read line" (the console echo of "count" came before PRE).
	sleep 1

	ctl snapshot -n snl-a "$WORK/s" --stop
	check $CTL_RC "snl-a: lkvm snapshot --stop"
	wait_exit 60
	check $? "snl-a: lkvm exits after snapshot --stop"
	stop_lkvm TERM 5
	expect_exit 5
	ls -ls "$WORK/s"
	cp "$WORK/disk.img" "$WORK/disk2.img"

	# Both restores at once: snl-b on disk.img, snl-c on disk2.img.
	lkvm_start --restore "$WORK/s" --name snl-b --loglevel info
	OUT_B=$OUT
	PID_B=$LKVM_PID
	_runs=$((_runs + 1))
	OUT_C=$WORK/out.c
	rm -f "$WORK/stdin.c"
	mkfifo "$WORK/stdin.c"
	: >"$OUT_C"
	echo "+ $LKVM run --restore $WORK/s --name snl-c -d $WORK/disk2.img --loglevel info  (in the background)"
	"$LKVM" run --restore "$WORK/s" --name snl-c -d "$WORK/disk2.img" --loglevel info \
		<"$WORK/stdin.c" >"$OUT_C" 2>&1 &
	PID_C=$!
	exec 4>"$WORK/stdin.c"

	for v in b c; do
		ctl wait -n "snl-$v" --state running --timeout 60
		check $CTL_RC "snl-$v: the restored guest runs"
	done
	ctl list
	check_vm b
	check_vm c
	finish_vm b
	finish_vm c

	# Each clone wrote its new block into its own image only.
	_b8=$(host_block "$WORK/disk.img" 8)
	_c8=$(host_block "$WORK/disk2.img" 8)
	_b16=$(host_block "$WORK/disk.img" 16)
	_c16=$(host_block "$WORK/disk2.img" 16)
	note "disk.img: '$_b8' '$_b16'; disk2.img: '$_c8' '$_c16'"
	[ "$_b16" = "SNL-NEW-b-$VAL" ]
	check $? "disk.img holds snl-b's new block"
	[ "$_c16" = "SNL-NEW-c-$VAL" ]
	check $? "disk2.img holds snl-c's new block (the clone wrote to its -d disk)"
	[ "$_b8" = "SNL-BLOCK-$VAL" ] && [ "$_c8" = "SNL-BLOCK-$VAL" ]
	check $? "both images keep the block written before the snapshot"
	! grep -q "SNL-NEW-c" "$WORK/disk.img" && ! grep -q "SNL-NEW-b" "$WORK/disk2.img"
	check $? "neither image holds the other clone's block"
}

# The block at sector $1 of /dev/vda read from the disk (the page cache
# dropped first) through fd 3, trailing blanks cut.
guest_block() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/proc/self/fd/3 bs=512 skip="$1" count=1 2>/dev/null | tr -d '\0' | tr -d ' \n'
}

guest() {
	wait_dev /dev/vda
	val=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	echo "$val" >/tmp/snl.ram
	exec 3<>/dev/vda
	printf '%-511s\n' "SNL-BLOCK-$val" |
		dd of=/proc/self/fd/3 bs=512 seek=8 count=1 conv=notrunc,fsync 2>/dev/null
	(
		n=0
		while :; do
			n=$((n + 1))
			echo $n >/tmp/snl.count.new
			mv /tmp/snl.count.new /tmp/snl.count
			sleep 0.2
		done
	) &
	counter=$!
	sleep 1
	echo "snl-ready $val"
	while read -r cmd arg; do
		case $cmd in
		count)
			echo "PRE=$(cat /tmp/snl.count)"
			;;
		check)
			echo "RAM=$(cat /tmp/snl.ram)"
			echo "RAMVAR=$val"
			echo "COUNT1=$(cat /tmp/snl.count)"
			sleep 1
			echo "COUNT2=$(cat /tmp/snl.count)"
			link=$(readlink /proc/self/fd/3)
			echo "FD3LINK=$link"
			[ "$link" = /dev/vda ] && echo "FD3=ok" || echo "FD3=bad"
			echo "BLOCK=$(guest_block 8)"
			printf '%-511s\n' "SNL-NEW-$arg-$val" |
				dd of=/proc/self/fd/3 bs=512 seek=16 count=1 conv=notrunc,fsync 2>/dev/null
			echo "NEWBLOCK=$(guest_block 16)"
			echo "CHECK-DONE=$arg"
			;;
		off)
			break
			;;
		esac
	done
	kill $counter
	exec 3>&-
}
