# shellcheck shell=bash disable=SC2034
# Shared by the rig scripts (bash).  Paths, the arm64 inputs from
# scripts/deps.sh, newc cpio helpers and the emulated-host QEMU command line.

LKVM_CACHE=${LKVM_CACHE:-$HOME/.cache/lkvm}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RIG_OUT=$TOP/build/rig
SYSROOT=$LKVM_CACHE/sysroot
L2_KERNEL=$LKVM_CACHE/Image
BUSYBOX=$SYSROOT/bin/busybox
# passt, virtiofsd and the sid libraries they run on (scripts/deps.sh rig).
L1_EXTRA=$LKVM_CACHE/l1-extra

rig_die() {
	echo "rig: $*" >&2
	exit 1
}

# Is this an arm64 machine where lkvm can run directly?
native_kvm() {
	[ "$(uname -m)" = aarch64 ] && [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# cpio_node NAME MODE(octal) RDEV_MAJOR RDEV_MINOR: one newc entry with no
# data (directory or device node), so no root privileges are needed to put
# /dev/console into an archive.
cpio_node() {
	local name=$1 mode=$2 maj=$3 min=$4
	local namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$((cpio_ino++))" "$((8#$mode))" 0 0 1 0 0 0 0 "$maj" "$min" "$namesize" 0
	printf '%s\0' "$name"
	head -c $(((4 - (110 + namesize) % 4) % 4)) /dev/zero
}
cpio_ino=900000

# The device nodes both initramfs need, as a complete archive of their own
# (the kernel unpacks concatenated archives).
cpio_dev_nodes() {
	cpio_node dev 040755 0 0
	cpio_node dev/console 020600 5 1
	cpio_node dev/null 020666 1 3
	cpio_node TRAILER!!! 0 0 0
}

# cpio_dir DIR: a newc archive of DIR's contents, owned by root.
cpio_dir() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0)
}

# Directory for the L2 test guest's initramfs (see tests/linux/init).
l2_initrd() {
	local out=$1 stage ver mods m
	[ -x "$BUSYBOX" ] || rig_die "no arm64 busybox at $BUSYBOX (run scripts/deps.sh rig)"
	ver=$(cat "$LKVM_CACHE/kernel-version" 2>/dev/null) || rig_die "no kernel in $LKVM_CACHE"
	mods=$SYSROOT/usr/lib/modules/$ver/kernel
	stage=$RIG_OUT/l2-root
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,lib/modules,tests,proc,sys,tmp,mnt,root,etc}
	cp "$BUSYBOX" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	for m in drivers/virtio/virtio_mmio drivers/virtio/virtio_input drivers/input/evdev \
		drivers/block/virtio_blk \
		drivers/char/hw_random/virtio-rng \
		net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
		[ -f "$mods/$m.ko.xz" ] || rig_die "missing module $mods/$m.ko.xz"
		xz -dc "$mods/$m.ko.xz" >"$stage/lib/modules/${m##*/}.ko"
	done
	cp "$TOP/tests/linux/init" "$stage/init"
	chmod 755 "$stage/init"
	for f in "$TOP"/tests/linux/*.sh; do
		[ "${f##*/}" = lib.sh ] || cp "$f" "$stage/tests/"
	done
	# The guest half of `make bench`'s Linux runs (lkvm.test=bench-linux).
	cp "$TOP"/tests/bench/bench-*.sh "$stage/tests/" 2>/dev/null || true
	cp "$TOP"/build/bench/blkio "$stage/bin/" 2>/dev/null || true
	# poweroff/reboot must not go through init (a shell script): call the
	# kernel directly, which ends in PSCI SYSTEM_OFF / SYSTEM_RESET.
	for cmd in poweroff reboot halt; do
		printf '#!/bin/sh\nsync\nexec /bin/busybox %s -f\n' "$cmd" >"$stage/sbin/$cmd"
		chmod 755 "$stage/sbin/$cmd"
	done
	# Debian's busybox looks for its udhcpc script here, not in /usr/share.
	mkdir -p "$stage/etc/udhcpc"
	cp "$TOP/tests/linux/udhcpc.script" "$stage/etc/udhcpc/default.script"
	chmod 755 "$stage/etc/udhcpc/default.script"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/etc/passwd"
	# A static glibc resolves names (wget's too) only with these.
	printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$stage/etc/nsswitch.conf"
	printf '127.0.0.1 localhost\n' >"$stage/etc/hosts"
	printf 'export PS1='"'"'lkvm-guest:\\w# '"'"'\n' >"$stage/etc/profile"
	{ cpio_dev_nodes; cpio_dir "$stage"; } | gzip -9n >"$out.tmp"
	mv "$out.tmp" "$out"
}

# qemu_l1 INITRD [extra kernel args]: boot the emulated KVM host.
qemu_l1_cmd() {
	local initrd=$1
	shift
	# shellcheck disable=SC2054 # commas belong to -M/-cpu values
	QEMU_CMD=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,mte=on
		-cpu max,pauth-impdef=on -smp 2 -m 3072 -nographic -no-reboot -nic none
		-kernel "$L2_KERNEL" -initrd "$initrd"
		-append "console=ttyAMA0 rdinit=/init panic=-1 quiet $*")
}

# l1_libs STAGE ELF: copy into STAGE the shared libraries ELF needs, and the
# ones they need, from the packages deps.sh unpacked into L1_EXTRA.  Following
# the NEEDED entries keeps the initramfs to what runs, whatever sid changes.
l1_libs() {
	local stage=$1 elf=$2 lib src
	for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		[ -e "$stage/usr/lib/aarch64-linux-gnu/$lib" ] && continue
		src=$L1_EXTRA/usr/lib/aarch64-linux-gnu/$lib
		[ -e "$src" ] || rig_die "no $lib (needed by ${elf##*/}) in $L1_EXTRA"
		cp -L "$src" "$stage/usr/lib/aarch64-linux-gnu/$lib"
		l1_libs "$stage" "$src"
	done
}

# The emulated host's side of the networking tests: /dev/net/tun, taps,
# /dev/vhost-net, dummy links and bridges.  Modules in Debian's kernel, in the
# order l1-init loads them: each after the ones it depends on.
L1_MODULES="drivers/net/tun drivers/net/tap drivers/vhost/vhost_iotlb drivers/vhost/vhost
	drivers/vhost/vhost_net drivers/net/dummy net/llc/llc net/802/stp net/bridge/bridge"

# l1_extras STAGE: passt, virtiofsd and the modules above into the L1 stage.
l1_extras() {
	local stage=$1 ver mods m name dep loaded=" "
	if [ -x "$L1_EXTRA/usr/bin/passt" ]; then
		mkdir -p "$stage/usr/bin" "$stage/usr/libexec" "$stage/usr/lib/aarch64-linux-gnu"
		# Debian's layout: the programs ask for /lib/ld-linux-aarch64.so.1
		# (a link libc6 ships) and the loader searches /lib/aarch64-linux-gnu.
		ln -s usr/lib "$stage/lib"
		ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$stage/usr/lib/ld-linux-aarch64.so.1"
		cp "$L1_EXTRA/usr/bin/passt" "$stage/usr/bin/"
		cp "$L1_EXTRA/usr/libexec/virtiofsd" "$stage/usr/libexec/"
		ln -s ../libexec/virtiofsd "$stage/usr/bin/virtiofsd"
		l1_libs "$stage" "$stage/usr/bin/passt"
		l1_libs "$stage" "$stage/usr/libexec/virtiofsd"
		# passt started as root drops to "nobody", and fails without one.
		mkdir -p "$stage/etc"
		printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
			>"$stage/etc/passwd"
		printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
		printf 'passwd: files\ngroup: files\n' >"$stage/etc/nsswitch.conf"
	fi
	ver=$(cat "$LKVM_CACHE/kernel-version" 2>/dev/null) || return 0
	mods=$SYSROOT/usr/lib/modules/$ver/kernel
	mkdir -p "$stage/usr/lib/modules"
	for m in $L1_MODULES; do
		name=${m##*/}
		# Not there: built in, or gone from Debian's config; l1-init goes on.
		[ -f "$mods/$m.ko.xz" ] || continue
		xz -dc "$mods/$m.ko.xz" >"$stage/usr/lib/modules/$name.ko"
		for dep in $(tr '\0' '\n' <"$stage/usr/lib/modules/$name.ko" |
			sed -n 's/^depends=//p' | head -n1 | tr ',' ' '); do
			case $loaded in
			*" $dep "*) ;;
			*) rig_die "L1_MODULES: $name needs $dep before it" ;;
			esac
		done
		loaded="$loaded$name "
		echo "$name" >>"$stage/usr/lib/modules/order"
	done
}

# Directory for the L1 initramfs: busybox, lkvm, the L2 kernel and initramfs,
# payloads, tests, the runner.  MODE is "test" or "run"; the rest goes into
# /rig.conf as shell assignments.
l1_initrd() {
	local out=$1 mode=$2 l2=$3 stage
	shift 3
	stage=$RIG_OUT/l1-root
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,proc,sys,tmp,src/tests,payloads}
	cp "$BUSYBOX" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	cp "$TOP/lkvm" "$stage/lkvm"
	cp "$TOP"/build/tools/* "$stage/bin/" 2>/dev/null || true
	cp "$L2_KERNEL" "$stage/Image"
	cp "$l2" "$stage/initrd.cpio.gz"
	cp "$TOP/tests/rig/l1-init" "$stage/init"
	chmod 755 "$stage/init"
	cp -r "$TOP/tests/rig" "$TOP/tests/linux" "$TOP/tests/cli" "$stage/src/tests/"
	mkdir -p "$stage/src/tests/guest"
	cp "$TOP"/tests/guest/*.c "$stage/src/tests/guest/" 2>/dev/null || true
	cp "$TOP"/build/guest/*.bin "$stage/payloads/" 2>/dev/null || true
	l1_extras "$stage"
	{
		echo "MODE=$mode"
		for kv in "$@"; do
			printf '%s=%q\n' "${kv%%=*}" "${kv#*=}"
		done
	} >"$stage/rig.conf"
	{ cpio_dev_nodes; cpio_dir "$stage"; } >"$out.tmp"
	mv "$out.tmp" "$out"
}
