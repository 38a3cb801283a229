#!/usr/bin/env bash
# Install (host) and fetch (arm64, into a private cache) everything lkvm needs to
# build and to be tested.  Idempotent: a second run with everything present does
# no network access and finishes in well under a second.
#
#   scripts/deps.sh build   toolchain + arm64 libraries/headers (enough for `make`)
#   scripts/deps.sh rig     build deps + QEMU + arm64 kernel/modules/busybox, and
#                           passt + virtiofsd with their libraries for the
#                           emulated host (into $LKVM_CACHE/l1-extra)
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
# The tests also fuzz (clang's libFuzzer) and run the unit tests under valgrind.
[ "$what" = rig ] && host_pkgs+=(cpio xz-utils clang libclang-rt-dev valgrind)
[ "$what" = rig ] && [ "$arch" != aarch64 ] && host_pkgs+=(qemu-system-arm)
# The networking and virtio-fs tests run these next to lkvm; natively that is here.
[ "$what" = rig ] && [ "$arch" = aarch64 ] && host_pkgs+=(passt virtiofsd)

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

# Once everything has been fetched this stamp ends the run at once, whatever the age
# of the package lists: a second run stays instant and offline, and the tested kernel
# does not change under you.  Remove it (or the cache) to fetch the current versions.
# The stamp names the emulated host's extra packages: a cache fetched for a shorter
# list (by an older version of this script) is brought up to date once.
#
# l1_run: what passt and virtiofsd run on in the emulated host, nothing more: the
# packages providing their NEEDED entries (libc.so.6, ld-linux-aarch64.so.1,
# libgcc_s.so.1, libcap-ng.so.0, libseccomp.so.2), not all of apt's Depends.
l1_run=(passt/sid virtiofsd/sid libc6/sid libgcc-s1/sid libcap-ng0/sid libseccomp2/sid)
# Natively there is no emulated host: the host's own packages (above) serve.
[ "$arch" = aarch64 ] && l1_run=()
stamp="$C/.stamp-$what"
stamp_says=""
[ "$what" = rig ] && stamp_says="l1-extra: ${l1_run[*]}"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_says" ] && exit 0

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

# retry WHY: a download failed, most likely because the lists name a version that sid
# has since dropped from the mirror.  Start the whole run over once, with freshly
# fetched lists, so that every name is resolved again (the kernel's package names
# change with each upload), then give up.  A new run, rather than a loop, keeps
# set -e in force everywhere.
retry() {
	[ -z "${LKVM_DEPS_RETRY:-}" ] ||
		die "$1, even with freshly fetched package lists (see $C/download.log)"
	echo "deps: $1; fetching the arm64 package lists again and retrying" >&2
	LKVM_DEPS_RETRY=1 exec "$BASH" "$0" "$what"
}

# Debian sid moves every day, so lists older than a day may name versions the mirror
# no longer has: fetch them again then.  A retry fetches them whatever their age.
if [ -n "${LKVM_DEPS_RETRY:-}" ] || [ -z "$(find "$C/.updated" -mmin -1440 2>/dev/null)" ]; then
	echo "deps: fetching arm64 package lists into $C" >&2
	if apt-get "${APT[@]}" update -q >/dev/null 2>"$C/update.log"; then
		touch "$C/.updated"
	elif [ -f "$C/.updated" ] && [ -z "${LKVM_DEPS_RETRY:-}" ]; then
		# Offline with old lists: what is cached may still be all that is needed.
		echo "deps: apt-get update for arm64 failed (see $C/update.log);" \
			"going on with the old lists" >&2
	else
		die "apt-get update for arm64 failed (see $C/update.log)"
	fi
fi

# fetch PKG/SUITE...: download (unless cached) each arm64 package, in the version the
# current lists name, and set debs to their file names, in the same order; .debs of
# other versions that sit in the cache are ignored.  All packages go through one
# apt-get call, as each call spends seconds reading the lists.
fetch() {
	local out spec deb need=()
	debs=()
	# --print-uris resolves each name as the download will, without network, and
	# prints the file name the download stores it under: NAME_VERSION_ARCH.deb, with
	# an epoch's ':' written %3a and ARCH "all" for arch-independent packages.
	out=$(apt-get "${APT[@]}" download --print-uris "$@" 2>"$C/download.log") ||
		retry "the arm64 package lists do not name all of $*"
	for spec; do
		# Package names cannot contain '_', so NAME_ starts only NAME's file name.
		deb=$(awk -v p="${spec%/*}_" 'index($2, p) == 1 { print $2; exit }' <<<"$out")
		[ -n "$deb" ] || die "apt-get named no .deb for $spec"
		debs+=("$deb")
		[ -f "$C/debs/$deb" ] || need+=("$spec")
	done
	if [ ${#need[@]} -gt 0 ]; then
		echo "deps: downloading ${need[*]} (arm64)" >&2
		(cd "$C/debs" && apt-get "${APT[@]}" download -q "${need[@]}") \
			>/dev/null 2>"$C/download.log" || {
			# apt keeps a download that fails its checksum as *.FAILED.
			rm -f "$C"/debs/*.FAILED
			retry "could not download arm64 package(s) ${need[*]}"
		}
	fi
}

# unpack DIR DEB...: unpack cached .debs into DIR.
unpack() {
	local dir=$1 deb
	shift
	mkdir -p "$dir"
	for deb; do
		[ -f "$C/debs/$deb" ] || die "apt-get download did not write $C/debs/$deb"
		dpkg-deb -x "$C/debs/$deb" "$dir"
	done
}

specs=()
if [ "$arch" != aarch64 ]; then
	specs+=(libfdt-dev/bookworm libfdt1/bookworm zlib1g-dev/bookworm zlib1g/bookworm)
fi
# UAPI headers new enough for the SMCCC filter and SYSTEM_OFF2.
specs+=(linux-libc-dev/sid)
fetch "${specs[@]}"
unpack "$C/sysroot" "${debs[@]}"

if [ "$what" = rig ]; then
	ver=$(apt-cache "${APT[@]}" depends linux-image-cloud-arm64/sid 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(.*-cloud-arm64\)$/\1/p' | head -n1)
	[ -n "$ver" ] || die "cannot resolve linux-image-cloud-arm64 in sid"
	img=linux-image-$ver
	imgdeps=$(apt-cache "${APT[@]}" depends "$img/sid" 2>/dev/null)
	# Newer Debian kernels split the image into linux-binary-*; follow what exists.
	bin=$(sed -n 's/.*Depends: \(linux-binary-[^ ]*\)$/\1/p' <<<"$imgdeps" | head -n1)
	mods=$(sed -n 's/.*Depends: \(linux-modules-[^ ]*\)$/\1/p' <<<"$imgdeps" | head -n1)
	specs=("${bin:-$img}/sid")
	[ -n "$mods" ] && specs+=("$mods/sid")
	specs+=(busybox-static/bookworm)
	n=${#specs[@]}
	fetch "${specs[@]}" "${l1_run[@]}"
	unpack "$C/sysroot" "${debs[@]:0:n}"
	# Not the sysroot: sid's libc6 has no business next to what lkvm links
	# against.  Afresh, so that it holds only the versions the lists name.
	rm -rf "$C/l1-extra"
	unpack "$C/l1-extra" "${debs[@]:n}"
	# The sysroot keeps the kernels of earlier runs: take the one just resolved.
	kimg=""
	for k in "$C/sysroot/usr/lib/modules/$ver/vmlinuz" "$C/sysroot/boot/vmlinuz-$ver"; do
		[ -f "$k" ] && { kimg=$k; break; }
	done
	[ -n "$kimg" ] || die "no arm64 kernel image for $ver in $C/sysroot"
	ln -sf "$kimg" "$C/Image"
	echo "$ver" > "$C/kernel-version"
fi
echo "$stamp_says" >"$stamp"
