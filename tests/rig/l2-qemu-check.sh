#!/usr/bin/env bash
# Debug aid: boot the L2 test kernel + initramfs directly under QEMU (TCG, no
# lkvm) to check tests/linux/init and a test's guest() part.
#   tests/rig/l2-qemu-check.sh [NAME]   runs lkvm.test=NAME (default: the shell)
# QEMU's virt board differs from lkvm's (PL011 ttyAMA0, PL031 elsewhere), so
# only guest-side plumbing is meaningful here.
set -euo pipefail
. "$(dirname "$0")/common.sh"
mkdir -p "$RIG_OUT"
l2_initrd "$RIG_OUT/initrd.cpio.gz"
disk=$RIG_OUT/l2-check-disk.img
[ -f "$disk" ] || dd if=/dev/zero of="$disk" bs=1M count=4 status=none
params="console=ttyAMA0 panic=-1"
[ -n "${1:-}" ] && params="$params lkvm.test=$1"
exec qemu-system-aarch64 -M virt,gic-version=3 -cpu max,pauth-impdef=on -smp 2 -m 512 \
	-nographic -no-reboot -nic none -kernel "$L2_KERNEL" -initrd "$RIG_OUT/initrd.cpio.gz" \
	-append "$params" -drive "if=none,id=d0,file=$disk,format=raw" \
	-device virtio-blk-device,drive=d0 -device virtio-rng-device
