#!/usr/bin/env bash
# Install (host) and fetch (arm64, into a private cache) everything lkvm needs to
# build and to be tested.  Idempotent: a second run with everything present does
# no network access and finishes in well under a second.
#
#   scripts/deps.sh build   toolchain + arm64 libraries/headers (enough for `make`)
#   scripts/deps.sh rig     build deps + QEMU + arm64 kernel/modules/busybox
#
# The arm64 packages are only downloaded and unpacked with dpkg-deb; they are never
# installed over the host.  Cache: $LKVM_CACHE (default ~/.cache/lkvm).
set -euo pipefail

what=${1:-build}
C=${LKVM_CACHE:-$HOME/.cache/lkvm}
arch=$(uname -m)

die() { echo "deps: $*" >&2; exit 1; }

host_pkgs=(make gcc pkg-config)
if [ "$arch" = aarch64 ]; then
	host_pkgs+=(libfdt-dev zlib1g-dev linux-libc-dev)
else
	host_pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libfdt-dev zlib1g-dev)
fi
[ "$what" = rig ] && host_pkgs+=(cpio xz-utils)
[ "$what" = rig ] && [ "$arch" != aarch64 ] && host_pkgs+=(qemu-system-arm)

missing=()
for p in "${host_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing host packages: ${missing[*]}" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -q >/dev/null || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null || die "could not install: ${missing[*]}"
fi

# On arm64 the host's own packages are the sysroot; the emulated host is not needed.
if [ "$arch" = aarch64 ] && [ "$what" = build ]; then
	exit 0
fi

stamp="$C/.stamp-$what"
[ -f "$stamp" ] && exit 0

mkdir -p "$C"/{state,cache/archives/partial,debs,sysroot}
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/debian.sources \
	2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $2 ~ /debian\/?$/ {print $2; exit}' \
	/etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
kr=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$C/sources.list" <<EOS
deb [arch=arm64 signed-by=$kr] $mirror sid main
deb [arch=arm64 signed-by=$kr] $mirror bookworm main
EOS
APT=(-o Dir::State="$C/state" -o Dir::Cache="$C/cache" -o Dir::Etc::SourceList="$C/sources.list"
	-o Dir::Etc::SourceParts=/dev/null -o APT::Architecture=arm64 -o APT::Architectures=arm64
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root)

if [ ! -f "$C/.updated" ]; then
	echo "deps: fetching arm64 package lists into $C" >&2
	apt-get "${APT[@]}" update -q >/dev/null 2>"$C/update.log" ||
		die "apt-get update for arm64 failed (see $C/update.log)"
	touch "$C/.updated"
fi

# fetch PKG [SUITE]: download and unpack one arm64 package into the sysroot.
fetch() {
	local pkg=$1 rel=${2:-}
	local spec=$pkg
	[ -n "$rel" ] && spec="$pkg/$rel"
	if ! ls "$C/debs/${pkg}_"*.deb >/dev/null 2>&1; then
		echo "deps: downloading $spec (arm64)" >&2
		(cd "$C/debs" && apt-get "${APT[@]}" download -q "$spec" >/dev/null 2>&1) ||
			die "could not download arm64 package $spec"
	fi
	dpkg-deb -x "$(ls "$C/debs/${pkg}_"*.deb | head -n1)" "$C/sysroot"
}

if [ "$arch" != aarch64 ]; then
	fetch libfdt-dev bookworm
	fetch libfdt1 bookworm
	fetch zlib1g-dev bookworm
	fetch zlib1g bookworm
fi
# UAPI headers new enough for the SMCCC filter and SYSTEM_OFF2.
fetch linux-libc-dev sid

if [ "$what" = rig ]; then
	ver=$(apt-cache "${APT[@]}" depends linux-image-cloud-arm64/sid 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(.*-cloud-arm64\)$/\1/p' | head -n1)
	[ -n "$ver" ] || die "cannot resolve linux-image-cloud-arm64 in sid"
	img=linux-image-$ver
	# Newer Debian kernels split the image into linux-binary-*; follow what exists.
	bin=$(apt-cache "${APT[@]}" depends "$img/sid" 2>/dev/null |
		sed -n 's/.*Depends: \(linux-binary-[^ ]*\)$/\1/p' | head -n1)
	fetch "${bin:-$img}" sid
	mods=$(apt-cache "${APT[@]}" depends "$img/sid" 2>/dev/null |
		sed -n 's/.*Depends: \(linux-modules-[^ ]*\)$/\1/p' | head -n1)
	[ -n "$mods" ] && fetch "$mods" sid
	fetch busybox-static bookworm
	kimg=$( (ls "$C"/sysroot/usr/lib/modules/*/vmlinuz "$C"/sysroot/boot/vmlinuz-* \
		2>/dev/null || true) | head -n1)
	[ -n "$kimg" ] || die "no arm64 kernel image in $C/sysroot"
	ln -sf "$kimg" "$C/Image"
	echo "$ver" > "$C/kernel-version"
fi
touch "$stamp"
