#!/usr/bin/env bash
# `make bench`: lkvm's power-management figures, measured inside the emulated
# KVM host with deterministic timing (QEMU -icount shift=0,sleep=off: the
# host's clocks advance 1 ns per instruction, so runs repeat within ~1%), or
# directly on an arm64 machine with /dev/kvm.  Figures are counts and ratios,
# never pass/fail.  Prints a table and writes it to build/bench/results.txt.
#
#   BENCH_CYCLES=64  suspend/resume cycles per run (ioctls: N vs 2N)
#   BENCH_BOOTS=20   boots for reboot-in-place vs cold start
#   BENCH_ONLY="exits linux"  only these parts (suspend boot sdei exits linux net
#                    snapshot)
# What each figure means: tests/bench/l1.sh.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
# shellcheck source=tests/rig/common.sh
. tests/rig/common.sh

OUTDIR=$TOP/build/bench
RESULTS=$OUTDIR/results.txt
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}
mkdir -p "$OUTDIR" "$RIG_OUT"
make --no-print-directory -s -k -f tests/bench/build.mk >"$OUTDIR/build.log" 2>&1 ||
	echo "bench: some payloads did not build (build/bench/build.log)" >&2
[ -f build/bench/suspend.bin ] && [ -f build/bench/reboot.bin ] ||
	rig_die "bench payloads missing (build/bench/build.log)"
[ -x ./lkvm ] || rig_die "no ./lkvm (run make lkvm)"

raw=$OUTDIR/raw.log
env_note=
if native_kvm; then
	env_note="native /dev/kvm ($(uname -r)); timing is not deterministic here"
	LKVM=$TOP/lkvm BENCH_BIN=$TOP/build/bench sh tests/bench/l1.sh >"$raw" 2>&1
else
	env_note="emulated KVM host, QEMU TCG -icount shift=0,sleep=off (1 ns per instruction)"
	stage=$OUTDIR/l1-extra
	rm -rf "$stage"
	mkdir -p "$stage/bench"
	cp build/bench/*.bin "$stage/bench/"
	cp build/bench/floor build/bench/blkio "$stage/bench/" 2>/dev/null || true
	cp tests/bench/l1.sh "$stage/bench/l1.sh"
	l2_initrd "$OUTDIR/l2.cpio.gz" || rig_die "could not build the guest initramfs"
	l1_initrd "$OUTDIR/l1.cpio" bench "$OUTDIR/l2.cpio.gz" "BENCH_CYCLES=${BENCH_CYCLES:-64}" \
		"BENCH_BOOTS=${BENCH_BOOTS:-20}" "BENCH_ONLY=${BENCH_ONLY:-}"
	# A second archive appended: the kernel unpacks both.
	cpio_dir "$stage" >>"$OUTDIR/l1.cpio"
	qemu_l1_cmd "$OUTDIR/l1.cpio"
	QEMU_CMD+=(-icount shift=0,sleep=off)
	echo "bench: booting the emulated host (deterministic timing; a few minutes)" >&2
	timeout "$BENCH_TIMEOUT" "${QEMU_CMD[@]}" </dev/null 2>&1 | tr -d '\r' >"$raw"
fi

if ! grep -q '^@@BENCH ' "$raw"; then
	echo "bench: no results; see $raw" >&2
	tail -n 30 "$raw" >&2
	exit 1
fi
grep '^# bench:' "$raw" >&2

declare -A desc=(
	[suspend-roundtrip-ns]="SYSTEM_SUSPEND call -> guest at its entry, timer already due (median)"
	[suspend-roundtrip-min-ns]="  the same, best cycle"
	[suspend-roundtrip-ticks]="  the same, in the guest's CNTVCT ticks"
	[suspend-call-to-entry-ns]="call -> entry with a 1 ms timer (median; includes the 1 ms)"
	[suspend-wake-after-deadline-ns]="timer deadline -> guest at its entry (median)"
	[suspend-ioctls-per-cycle-1vcpu]="KVM ioctls lkvm issues per suspend/resume cycle, 1 vCPU"
	[suspend-ioctls-per-cycle-2vcpu]="  the same, 2 vCPUs (one off)"
	[suspend-exits-per-cycle-1vcpu]="KVM_RUN exits per cycle, 1 vCPU"
	[suspend-exits-per-cycle-2vcpu]="KVM_RUN exits per cycle, 2 vCPUs"
	[boot-in-place-us]="wall time per reboot in place (inside one lkvm run)"
	[boot-cold-start-us]="wall time per boot, cold start (a new lkvm run each)"
	[boot-in-place-vs-cold]="reboot in place / cold start of lkvm"
	[psci-version-hvc]="PSCI_VERSION, answered inside KVM (the baseline)"
	[sdei-version]="SDEI_VERSION, forwarded to lkvm"
	[sdei-signal-complete]="EVENT_SIGNAL -> handler entry -> EVENT_COMPLETE -> back"
	[sdei-version-vs-psci]="  forwarded SDEI_VERSION / in-kernel PSCI_VERSION"
	[sdei-signal-complete-vs-psci]="  SDEI round trip / in-kernel PSCI_VERSION"
	[sdei-signal-complete-floor-ns]="  the same round trip under the floor VMM (the least it takes)"
	[sdei-signal-complete-lkvm-vs-floor]="  lkvm / floor"
	[suspend-roundtrip-floor-ns]="  SYSTEM_SUSPEND round trip under the floor VMM (the least it takes)"
	[suspend-roundtrip-lkvm-vs-floor]="  lkvm / floor"
	[sdei-ioctls-psci]="ioctls lkvm issues per PSCI_VERSION (KVM answers it)"
	[sdei-ioctls-version]="ioctls per SDEI VERSION"
	[sdei-ioctls-status]="ioctls per SDEI EVENT_STATUS"
	[sdei-ioctls-get_info]="ioctls per SDEI EVENT_GET_INFO"
	[sdei-ioctls-mask]="ioctls per PE_MASK + PE_UNMASK pair"
	[sdei-ioctls-signal]="ioctls per EVENT_SIGNAL -> handler -> COMPLETE round trip"
	[exit-hvc-ns-lkvm]="in-kernel hypercall (PSCI_VERSION) under lkvm, SDEI on (a filter)"
	[exit-hvc-ns-floor]="  the same under the floor VMM with the same filter"
	[exit-hvc-lkvm-vs-floor]="  lkvm / floor"
	[exit-hvc-ns-floor-thread]="  the floor with its KVM_RUN on a second thread, as a VMM has it"
	[exit-hvc-lkvm-vs-floor-thread]="  lkvm / that floor"
	[exit-hvc-ns-lkvm-nosdei]="in-kernel hypercall under lkvm --no-sdei (no filter)"
	[exit-hvc-ns-floor-nofilter]="  the same under the floor VMM without a filter"
	[exit-hvc-filter-cost]="  what the SMCCC filter costs every in-kernel hypercall (on / off)"
	[exit-hvc-nosdei-vs-floor]="  lkvm --no-sdei / floor without filter"
	[exit-mmio-hole-ns-lkvm]="MMIO read nobody claims: exit to lkvm and back"
	[exit-mmio-hole-ns-floor]="  the same under the floor VMM"
	[exit-mmio-hole-lkvm-vs-floor]="  lkvm / floor (target: within 2%)"
	[exit-mmio-hole-ns-floor-thread]="  the floor with its KVM_RUN on a second thread, as a VMM has it"
	[exit-mmio-hole-lkvm-vs-floor-thread]="  lkvm / that floor"
	[exit-mmio-hole-ns-lkvm-nosdei]="  the same under lkvm --no-sdei"
	[exit-mmio-uart-ns-lkvm]="MMIO read of the UART's LSR (a device model)"
	[exit-mmio-uart-ns-floor]="  the same under the floor VMM (a constant)"
	[exit-mmio-uart-lkvm-vs-floor]="  lkvm / floor"
	[exit-mmio-uart-ns-floor-thread]="  the floor with its KVM_RUN on a second thread, as a VMM has it"
	[exit-mmio-uart-lkvm-vs-floor-thread]="  lkvm / that floor"
	[exit-fwd-ns-lkvm]="SDEI_VERSION forwarded to lkvm and answered"
	[exit-fwd-ns-floor]="  a forwarded call the floor VMM answers NOT_SUPPORTED"
	[exit-fwd-lkvm-vs-floor]="  lkvm / floor"
	[exit-fwd-ns-floor-thread]="  the floor with its KVM_RUN on a second thread, as a VMM has it"
	[exit-fwd-lkvm-vs-floor-thread]="  lkvm / that floor"
	[lkvm-rss-outside-ram-kb]="lkvm resident memory outside guest RAM, Linux guest idle (target <= 1024)"
	[lkvm-threads]="  its threads (main, 2 vCPUs, RTC, one per virtio device)"
	[lkvm-fds]="  its open fds"
	[lkvm-binary-bytes]="the static lkvm binary"
	[linux-lkvm-startup-us]="lkvm start -> first KVM_RUN (Linux guest, 256 MiB)"
	[linux-guest-uptime-at-init-ms]="  the guest's uptime when init starts"
	[linux-start-to-init-ms]="  lkvm start -> the guest's init"
	[linux-run-to-poweroff-ms]="the whole run, boot to power-off, incl. the blk tests"
	[linux-run-exits]="  KVM_RUN exits in that run"
	[linux-run-mmio]="  MMIO exits"
	[linux-run-hypercall]="  forwarded hypercall exits"
	[linux-run-system-events]="  system events"
	[linux-run-ioctls]="  KVM ioctls lkvm issued"
	[linux-run-ioctls-per-exit]="  KVM ioctls per exit (1: only the KVM_RUN that resumes)"
	[blk-seq-read-guest-buffered-mbps]="virtio-blk sequential read through the guest's page cache (dd, 64 MiB)"
	[blk-seq-read-guest]="virtio-blk sequential 1 MiB reads, 64 MiB, O_DIRECT in the guest"
	[blk-seq-read-host-file]="  the same reads of the image file on this host"
	[blk-seq-read-guest-vs-host]="  guest / host (target >= 0.90)"
	[blk-seq-write-guest]="virtio-blk sequential 1 MiB writes + fsync, 64 MiB, O_DIRECT"
	[blk-seq-write-host-file]="  the same writes to the image file on this host"
	[blk-seq-write-guest-vs-host]="  guest / host (target >= 0.90)"
	[blk-rand-read-guest]="virtio-blk random 4 KiB reads, O_DIRECT, 2048 a pass"
	[blk-rand-read-host-file]="  the same reads of the image file on this host"
	[blk-rand-read-guest-vs-host]="  guest / host"
	[net-host-loopback-mbps]="TCP over this host's loopback, 64 MiB (busybox nc): the reference"
	[net-tx-lkvm-mbps]="virtio-net TCP guest -> host over a tap, 64 MiB, lkvm's data path"
	[net-tx-lkvm-vs-loopback]="  / the host's loopback"
	[net-tx-vhost-mbps]="  the same with vhost=1 (vhost-net in the kernel)"
	[net-tx-vhost-vs-loopback]="  / the host's loopback"
)
# The snapshot figures, one set per guest size.
for size in "256m 256 MiB" "1g 1 GiB"; do
	m=${size%% *}
	desc+=(
		[snap-$m-cold-startup-us]="Linux guest, ${size#* }, 2 vCPUs, cold boot: lkvm start -> first KVM_RUN"
		[snap-$m-cold-start-to-init-ms]="  cold boot: lkvm start -> the guest's init"
		[snap-$m-snapshot-ms]="  lkvm snapshot of it, idle at init: the command's wall time (median)"
		[snap-$m-snapshot-lkvm-ms]="  the last (--stop), as lkvm's reply counts it (pause to files renamed)"
		[snap-$m-snapshot-vs-cold-boot]="  snapshot (median) / cold boot to init"
		[snap-$m-ram-data-kb]="  guest RAM written (pages not zero)"
		[snap-$m-state-bytes]="  the state file (registers, vGIC, devices, MTE tags)"
		[snap-$m-files-on-disk-kb]="  the snapshot's blocks on disk (RAM is a sparse file)"
		[snap-$m-restore-to-first-run-us]="  lkvm run --restore: start -> first KVM_RUN (the guest's next instruction)"
		[snap-$m-cold-boot-vs-restore]="  cold boot to init / restore to first KVM_RUN"
		[snap-$m-restore-vs-cold-startup]="  restore / a cold boot's start -> first KVM_RUN"
		[snap-$m-restore-to-answer-ms]="  restore start -> the guest's answer to a line typed at once"
		[snap-$m-cold-boot-vs-restore-answer]="  cold boot to init / restore to that answer"
	)
done
[ -f "$RESULTS" ] && mv "$RESULTS" "$OUTDIR/results.prev.txt"
{
	echo "lkvm bench ($(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?'))"
	echo "host: $env_note"
	printf '%-42s %14s  %s\n' figure value meaning
	grep '^@@BENCH ' "$raw" | while read -r _ key val unit; do
		case $key in suspend-call-to-entry-ticks | suspend-wake-after-deadline-ticks | \
			suspend-call-to-entry-min-ns) continue ;; esac
		printf '%-42s %14s  %s\n' "$key" "$val $unit" "${desc[$key]:-}"
	done
} | tee "$RESULTS"
echo "bench: written to build/bench/results.txt" >&2

# Against the last run: a figure that moved by more than its noise (its own
# min..max spread when it has one, else 2%) is named.
if [ -f "$OUTDIR/results.prev.txt" ]; then
	awk 'NR == FNR {
		if ($2 ~ /^[0-9.]+$/) old[$1] = $2
		next
	}
	$2 ~ /^[0-9.]+$/ && ($1 in old) && old[$1] > 0 {
		noise = 0.02
		if (match($0, /min [0-9]+, max [0-9]+/)) {
			split(substr($0, RSTART, RLENGTH), m, /[ ,]+/)
			if ($2 > 0 && (m[4] - m[2]) / $2 > noise)
				noise = (m[4] - m[2]) / $2
		}
		d = ($2 - old[$1]) / old[$1]
		if (d > noise || d < -noise)
			printf "bench: moved: %s %s -> %s (%+.1f%%, noise %.1f%%)\n", $1, old[$1], $2,
				100 * d, 100 * noise
	}' "$OUTDIR/results.prev.txt" "$RESULTS" >&2
fi
