#!/usr/bin/env bash
# `make run`: boot the default guest (Debian's arm64 kernel + lkvm's busybox
# initramfs; an interactive shell on ttyS0).  On an arm64 machine with
# /dev/kvm, ./lkvm runs directly; elsewhere it runs inside the emulated KVM
# host, whose console is this terminal ('poweroff' in the guest ends it all;
# Ctrl-A x kills QEMU).  Without a terminal on stdin, the input is held back
# until the guest's shell is up and then typed into it, e.g.
#   echo 'uname -a; poweroff' | make run
# Extra arguments go to `lkvm run` (only on the native path).
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$TOP"
[ -x ./lkvm ] || rig_die "no ./lkvm (run make lkvm)"
mkdir -p "$RIG_OUT"
l2_initrd "$RIG_OUT/initrd.cpio.gz"

if native_kvm; then
	exec ./lkvm run -k "$L2_KERNEL" -i "$RIG_OUT/initrd.cpio.gz" "$@"
fi

l1_initrd "$RIG_OUT/l1-run.cpio" run "$RIG_OUT/initrd.cpio.gz"
qemu_l1_cmd "$RIG_OUT/l1-run.cpio"
if [ -t 0 ]; then
	exec "${QEMU_CMD[@]}"
fi

# Non-interactive: QEMU's console on two pipes.  Copy its output through and,
# once the guest's shell banner has appeared, type our stdin into it followed
# by an end-of-file (Ctrl-D), which ends the guest's shell and powers it off.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/in" "$tmp/out"
exec 4<&0
"${QEMU_CMD[@]}" <"$tmp/in" >"$tmp/out" 2>&1 &
qemu=$!
exec 3>"$tmp/in"
fed=0
while IFS= read -r line || [ -n "$line" ]; do
	printf '%s\n' "${line%$'\r'}"
	if [ $fed = 0 ] && [[ $line == *"lkvm default guest"* ]]; then
		fed=1
		{
			sleep 2
			cat <&4 >&3
			sleep 1
			printf '\004' >&3
		} &
	fi
done <"$tmp/out"
exec 3>&-
wait $qemu
