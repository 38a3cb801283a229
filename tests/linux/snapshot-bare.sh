# Snapshots of bare payloads, where the guest itself checks what came back.
#  regs:    tests/guest/snapshot-regs.c spins with patterns in every register
#           it can set; snapshot --stop, restore --paused, a second snapshot
#           before it runs: both hold the same registers (snap-regs), so the
#           restore wrote back every register KVM lists; then it runs and
#           finds its patterns.
#  refusals: a restore refused in one line, before anything runs: shorter
#           SVE vectors, a truncated RAM file, a corrupted state file, a disk
#           touched or resized since (and --force taking it anyway).
#  sdei:    tests/guest/snapshot-sdei.c saved inside an SDEI handler; after
#           the restore the handler completes and the interrupted context
#           goes on intact.
#  suspend: tests/guest/snapshot-suspend.c saved in SYSTEM_SUSPEND; the
#           restored guest wakes at its entry point with its context id.
#  mte:     tests/guest/snapshot-mte.c tags pages across its RAM (a lone
#           page in a 64 KiB block, a tagged page of zeros, RAM's last
#           page); after the restore every tag and word reads back,
#           restored from tmpfs (RAM mapped) and from ramfs (RAM read in).
# timeout: 240

# expect_tap WHAT BEFORE: the payload's TAP across the snapshot, its first
# part in BEFORE (the saved lkvm's output), the rest in $OUT: a plan, as many
# ok lines, no failure.
expect_tap() {
	_tap=$(cat "$2" "$OUT" | tr -d '\r')
	_plan=$(echo "$_tap" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -n 1)
	_oks=$(echo "$_tap" | grep -c '^ok ')
	[ -n "$_plan" ] && [ "$_plan" -gt 0 ] && [ "$_oks" -eq "$_plan" ]
	check $? "$1: $_oks of ${_plan:-?} payload checks passed"
	expect_no_line '^(not ok|Bail out!)'
}

# refuse WHAT REGEX [lkvm run options...]: lkvm must refuse to start, with
# status 128 and exactly one line (so no guest output) matching REGEX.
refuse() {
	_what=$1
	_re=$2
	shift 2
	_runs=$((_runs + 1))
	OUT=$WORK/out.$_runs
	echo "+ $LKVM run $*"
	timeout "$(time_left)" "$LKVM" run "$@" </dev/null >"$OUT" 2>&1
	LKVM_RC=$?
	_show_run
	[ "$LKVM_RC" -eq 128 ] && [ "$(wc -l <"$OUT")" -eq 1 ] &&
		tr -d '\r' <"$OUT" | grep -Eq -- "^lkvm: .*$_re"
	check $? "$_what: refused with status 128 and one line /$_re/"
}

# Type a byte for the payload, if its lkvm still runs (a write to the fifo
# with nobody reading would end this script with SIGPIPE).
type_byte() {
	if kill -0 "$LKVM_PID" 2>/dev/null; then
		type_line x
	else
		fail "$1: lkvm ended before the byte could be typed"
	fi
}

# The end of an lkvm_start run that should power off by itself.
finish() {
	wait_exit 30
	stop_lkvm TERM 5
	expect_exit "$1"
}

# stop_and_restore WHAT FROM DIR TO: lkvm snapshot --stop of FROM into DIR,
# then DIR restored as TO, running; FROM's output in $_before.
stop_and_restore() {
	ctl snapshot -n "$2" "$3" --stop
	check $CTL_RC "$1: lkvm snapshot --stop"
	finish 5
	_before=$OUT
	lkvm_start --restore "$3" --name "$4"
	ctl wait -n "$4" --state running --timeout 30
	check $CTL_RC "$1: the restored guest runs"
}

part_regs() {
	dd if=/dev/zero of="$WORK/disk.img" bs=1024 count=1024 2>/dev/null
	lkvm_start -k "$PAYLOADS/snapshot-regs.bin" -c 2 -m 64 --psci-version 1.1 \
		-d "$WORK/disk.img" --name snapA
	wait_line '^snapshot-ready' 30
	check $? "regs: the payload is ready"
	# The line comes just before the patterns: give it time to reach the spin.
	sleep 1
	ctl snapshot -n snapA "$WORK/s1" --stop
	check $CTL_RC "regs: lkvm snapshot --stop"
	finish 5
	expect_no_line '^(ok|not ok) '
	OUT_REGS=$OUT
	VL=$(tr -d '\r' <"$OUT" | sed -n 's/^# SVE on, vector length \([0-9]*\) bytes$/\1/p')

	lkvm_start --restore "$WORK/s1" --name snapB --paused
	ctl wait -n snapB --state paused --timeout 30
	check $CTL_RC "regs: the restored guest is held (--paused)"
	_du1=$(du -k "$WORK/s1/ram" | cut -f1)
	ctl snapshot -n snapB "$WORK/s2"
	check $CTL_RC "regs: a snapshot of the restored guest before it ran"
	# Its RAM is s1's file, mapped: taking s2 must not read s1's holes
	# (on tmpfs that would fill them) and must hold the same bytes.
	_du2=$(du -k "$WORK/s1/ram" | cut -f1)
	[ "$_du2" -le $((_du1 + 64)) ]
	check $? "regs: s2 read s1's data, not its holes (s1/ram: $_du1 kB on disk before, $_du2 kB after)"
	cmp -n $((64 << 20)) "$WORK/s1/ram" "$WORK/s2/ram"
	check $? "regs: s2 holds s1's 64 MiB of RAM, byte for byte ($(du -k "$WORK/s2/ram" | cut -f1) kB on disk)"
	snap-regs "$WORK/s1" >"$WORK/s1.regs" && snap-regs "$WORK/s2" >"$WORK/s2.regs"
	check $? "regs: snap-regs reads both snapshots"
	echo "# $(wc -l <"$WORK/s1.regs") lines of vCPU state in s1, $(wc -l <"$WORK/s2.regs") in s2"
	# The snapshot caught vCPU 0 in its spin: x5's pattern, x29 the UART.
	grep -q '^cpu0 x5 0x5a00068005050505$' "$WORK/s1.regs" &&
		grep -q '^cpu0 x29 0x1000000$' "$WORK/s1.regs"
	check $? "regs: s1 holds vCPU 0's patterns (x5, x29)"
	# The counters (KVM's TIMER_CNT, PTIMER_CNT) run while the restored
	# guest is held: they alone may differ.  Everything else was written by
	# the restore and has not run since; no other register KVM lists moves
	# by itself while the vCPUs are out of KVM_RUN.
	grep -Ev '^cpu[0-9]+ (TIMER_CNT|PTIMER_CNT) ' "$WORK/s1.regs" >"$WORK/s1.cmp"
	grep -Ev '^cpu[0-9]+ (TIMER_CNT|PTIMER_CNT) ' "$WORK/s2.regs" >"$WORK/s2.cmp"
	if cmp -s "$WORK/s1.cmp" "$WORK/s2.cmp"; then
		echo "pass: regs: s1 and s2 hold the same $(wc -l <"$WORK/s1.cmp") vCPU lines (counters aside)"
	else
		diff "$WORK/s1.cmp" "$WORK/s2.cmp" | cut -c 1-160 | head -n 40
		fail "regs: s1 and s2 differ in the registers above"
	fi
	# Held 5 s more: the guest's counter must not count the time it was
	# saved or held (it ran about a second and a half before the snapshot).
	sleep 5
	ctl resume -n snapB
	check $CTL_RC "regs: lkvm resume"
	type_byte regs
	finish 0
	expect_tap regs "$OUT_REGS"
	_ms=$(tr -d '\r' <"$OUT" | sed -n 's/^# the counter advanced \([0-9]*\) ms .*/\1/p')
	[ -n "$_ms" ] && [ "$_ms" -lt 5000 ]
	check $? "regs: the guest's counter advanced ${_ms:-?} ms across the snapshot, less than it was held"

	# s2, a snapshot of a restored guest, restores and runs as well.
	lkvm_start --restore "$WORK/s2" --name snapC
	ctl wait -n snapC --state running --timeout 30
	check $CTL_RC "regs: s2 restored"
	type_byte regs-s2
	finish 0
	expect_tap "regs (s2)" "$OUT_REGS"
}

part_refusals() {
	if [ -n "$VL" ]; then
		refuse "SVE: --sve-max-vl 128 under a $((VL * 8))-bit snapshot" \
			"--restore '[^']*/s1': SVE_VLS: the snapshot's vector lengths reach $((VL * 8)) bits; this host \(--sve-max-vl\) offers 128 at most$" \
			--restore "$WORK/s1" --name ref-sve --sve-max-vl 128
	else
		note "no SVE in the guest: the vector length refusal is not tried"
	fi

	# s2 is spent on these: RAM first (the state file must be whole for it).
	if [ ! -f "$WORK/s2/ram" ] || [ ! -f "$WORK/s2/state" ]; then
		fail "refusals: no snapshot s2 to truncate and corrupt"
		return
	fi
	_size=$(wc -c <"$WORK/s2/ram")
	truncate -s $((_size - 4096)) "$WORK/s2/ram"
	refuse "a RAM file 4 KiB short" \
		"ram': $((_size - 4096)) bytes, $_size expected \(truncated\?\)$" \
		--restore "$WORK/s2" --name ref-ram

	_st=$WORK/s2/state
	_mid=$(($(wc -c <"$_st") / 2))
	_b=$(dd if="$_st" bs=1 skip=$_mid count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %o $(((_b + 1) % 256)))" |
		dd of="$_st" bs=1 seek=$_mid conv=notrunc 2>/dev/null
	refuse "a byte of the state file changed (offset $_mid)" \
		"state': corrupted \(checksum mismatch\)$" --restore "$WORK/s2" --name ref-crc

	touch "$WORK/disk.img"
	refuse "a disk touched since the snapshot" \
		"disk '.*/disk.img' was modified since the snapshot \(--force takes it anyway\)$" \
		--restore "$WORK/s1" --name ref-mtime
	printf x >>"$WORK/disk.img"
	refuse "a disk one byte longer" \
		"disk '.*/disk.img': 1048577 bytes, 1048576 in the snapshot \(--force takes it anyway\)$" \
		--restore "$WORK/s1" --name ref-size

	lkvm_start --restore "$WORK/s1" --name force --force
	ctl wait -n force --state running --timeout 30
	check $CTL_RC "refusals: --force takes the resized disk and runs"
	type_byte --force
	finish 0
	expect_line "^lkvm: .*disk '.*/disk.img': 1048577 bytes, 1048576 in the snapshot$"
	expect_tap "--force" "$OUT_REGS"
}

part_sdei() {
	lkvm_start -k "$PAYLOADS/snapshot-sdei.bin" -c 1 -m 64 --name sdA
	wait_line '^sdei-ready' 30
	check $? "sdei: the payload is ready"
	sleep 1		# into its spin
	ctl sdei -n sdA --event 1000 --cpu 0
	[ $CTL_RC -eq 0 ] && echo "$CTL_OUT" | grep -q 'delivered on cpu 0'
	check $? "sdei: event 1000 delivered"
	wait_line '^in-handler event=1000' 30
	check $? "sdei: the handler runs"
	stop_and_restore "sdei (inside the handler)" sdA "$WORK/s3" sdB
	type_byte sdei
	finish 0
	expect_no_line '^in-handler'
	expect_tap sdei "$_before"
}

part_suspend() {
	lkvm_start -k "$PAYLOADS/snapshot-suspend.bin" -c 2 -m 64 --loglevel info --name suA
	ctl wait -n suA --state suspended --timeout 30
	check $CTL_RC "suspend: the guest is in SYSTEM_SUSPEND"
	ctl snapshot -n suA "$WORK/s4" --stop
	check $CTL_RC "suspend: lkvm snapshot --stop"
	finish 5
	_before=$OUT
	snap-regs "$WORK/s4" >"$WORK/s4.regs"
	grep -E '^cpu[01] (mp_state|psci_)' "$WORK/s4.regs" | sed 's/^/# /'
	grep -q '^cpu0 mp_state 0xa$' "$WORK/s4.regs" &&
		grep -q '^cpu0 psci_suspended 0x1$' "$WORK/s4.regs" &&
		grep -q '^cpu0 psci_context 0x5a5a1234cafe$' "$WORK/s4.regs" &&
		grep -q '^cpu1 mp_state 0x5$' "$WORK/s4.regs"
	check $? "suspend: s4 has vCPU 0 SUSPENDED with context 0x5a5a1234cafe, vCPU 1 STOPPED"

	lkvm_start --restore "$WORK/s4" --name suB --loglevel info
	ctl wait -n suB --state suspended --timeout 30
	check $CTL_RC "suspend: the restored guest is suspended"
	ctl wake -n suB
	check $CTL_RC "suspend: lkvm wake"
	finish 0
	expect_line 'guest resumed \(vCPU 0 at 0x[0-9a-f]+\)'
	expect_tap suspend "$_before"
}

part_mte() {
	lkvm_start -k "$PAYLOADS/snapshot-mte.bin" -c 1 -m 64 --name mtA
	wait_line '^mte-ready' 30
	check $? "mte: the payload is ready"
	sleep 1		# into its wait for a byte
	stop_and_restore mte mtA "$WORK/s5" mtB
	type_byte mte
	finish 0
	expect_no_line 'RAM read in'
	expect_tap mte "$_before"

	# The same snapshot on a file system that is not tmpfs (ramfs): KVM
	# takes no such file's pages for an MTE guest, so its RAM is read in.
	mkdir -p "$WORK/rfs"
	if ! mount -t ramfs ramfs "$WORK/rfs" 2>/dev/null; then
		note "no ramfs here: the restore that reads RAM in is not tried"
		return
	fi
	cp -r "$WORK/s5" "$WORK/rfs/s5"
	lkvm_start --restore "$WORK/rfs/s5" --name mtC --loglevel info
	ctl wait -n mtC --state running --timeout 30
	check $CTL_RC "mte (ramfs): the restored guest runs"
	type_byte mte-ramfs
	finish 0
	umount "$WORK/rfs"
	expect_line '^lkvm: restoring mtC: 1 vCPU, 64 MiB \(RAM read in: MTE, not on tmpfs\)'
	expect_tap "mte (ramfs)" "$_before"
}

host() {
	for p in snapshot-regs snapshot-sdei snapshot-suspend snapshot-mte; do
		[ -f "$PAYLOADS/$p.bin" ] || skip "no payload $p.bin"
	done
	if ! command -v snap-regs >/dev/null; then
		fail "snap-regs (build/tools) is not on PATH"
		return 1
	fi
	export LKVM_RUNTIME_DIR=$WORK/rt
	part_regs
	part_refusals
	part_sdei
	part_suspend
	part_mte
}

guest() {
	:	# the guests are the payloads, not Linux
}
