#!/usr/bin/env bash
# `make bench`: lkvm's power-management figures, measured inside the emulated
# KVM host with deterministic timing (QEMU -icount shift=0,sleep=off: the
# host's clocks advance 1 ns per instruction, so runs repeat within ~1%), or
# directly on an arm64 machine with /dev/kvm.  Figures are counts and ratios,
# never pass/fail.  Prints a table and writes it to build/bench/results.txt.
#
#   BENCH_CYCLES=64  suspend/resume cycles per run (ioctls: N vs 2N)
#   BENCH_BOOTS=20   boots for reboot-in-place vs cold start
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
	cp tests/bench/l1.sh "$stage/bench/l1.sh"
	: >"$OUTDIR/no-l2-initrd"
	l1_initrd "$OUTDIR/l1.cpio" bench "$OUTDIR/no-l2-initrd" "BENCH_CYCLES=${BENCH_CYCLES:-64}" \
		"BENCH_BOOTS=${BENCH_BOOTS:-20}"
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
	[sdei-ioctls-psci]="ioctls lkvm issues per PSCI_VERSION (KVM answers it)"
	[sdei-ioctls-version]="ioctls per SDEI VERSION"
	[sdei-ioctls-status]="ioctls per SDEI EVENT_STATUS"
	[sdei-ioctls-get_info]="ioctls per SDEI EVENT_GET_INFO"
	[sdei-ioctls-mask]="ioctls per PE_MASK + PE_UNMASK pair"
	[sdei-ioctls-signal]="ioctls per EVENT_SIGNAL -> handler -> COMPLETE round trip"
)
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
