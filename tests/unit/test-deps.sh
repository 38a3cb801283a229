#!/usr/bin/env bash
# scripts/deps.sh, without network: apt-get, apt-cache, dpkg-deb, dpkg-query and
# uname are fakes on PATH, and the "mirror" is a file that the tests change the way
# Debian sid changes.  Checked: a second run does nothing, the package lists are
# fetched again once they are a day old, the .deb unpacked is the version the lists
# name (not whichever cached one sorts first), and a download that fails because the
# lists went stale is retried once with fresh lists, then fails saying so; offline,
# old lists still do when everything they name is cached; the emulated host's
# passt, virtiofsd and libraries go to l1-extra, not the sysroot, and a cache
# stamped by an older deps.sh, without them, fetches them once.
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
[ -f "$TOP/scripts/deps.sh" ] || TOP=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
F=$tmp/fake C=$tmp/cache
mkdir -p "$F" "$tmp/bin"
n=0 bad=0
ok() {
	n=$((n + 1))
	if eval "$1"; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi
}

# The fakes.  $F/mirror and $F/lists hold "NAME SUITE VERSION ARCH" lines: what the
# mirror has now, and what the private lists said when last fetched.  $F/log gets a
# line per apt call, $F/unpacked the .debs dpkg-deb unpacked; the pool lacks the
# files $F/gone lists although the mirror's index names them.
cat >"$tmp/bin/apt-get" <<'EOS'
#!/usr/bin/env bash
cmd="" uris=0 specs=()
while [ $# -gt 0 ]; do
	case $1 in
	-o) shift ;;
	--print-uris) uris=1 ;;
	-*) ;;
	*) if [ -z "$cmd" ]; then cmd=$1; else specs+=("$1"); fi ;;
	esac
	shift
done
case $cmd in
update)
	echo update >>"$FAKE/log"
	[ -f "$FAKE/offline" ] && { echo "E: no network" >&2; exit 100; }
	cp "$FAKE/mirror" "$FAKE/lists"
	;;
download)
	[ $uris = 1 ] && echo "print-uris ${specs[*]}" >>"$FAKE/log"
	[ $uris = 0 ] && echo "download ${specs[*]}" >>"$FAKE/log"
	out=""
	for s in "${specs[@]}"; do
		p=${s%/*} r=${s#*/}
		va=$(awk -v p="$p" -v r="$r" '$1 == p && $2 == r { print $3, $4; f = 1 }
			END { exit !f }' "$FAKE/lists" 2>/dev/null) ||
			{ echo "E: Unable to locate package $p" >&2; exit 100; }
		read -r v a <<<"$va"
		f=${p}_${v//:/%3a}_$a.deb
		# Printed last-first: apt's order is not the command line's either.
		out="'http://fake/pool/$f' $f 1 SHA256:0"$'\n'$out
		if [ $uris = 0 ]; then
			grep -qxF "$p $r $v $a" "$FAKE/mirror" && ! grep -qsxF "$p $r $v $a" "$FAKE/gone" ||
				{ echo "E: Failed to fetch http://fake/pool/$f  404  Not Found" >&2
				  : >"$f.FAILED"; exit 100; }
			echo "$p $v" >"$f"
		fi
	done
	[ $uris = 1 ] && printf '%s' "$out"
	;;
*) echo "fake apt-get: $cmd?" >&2; exit 100 ;;
esac
exit 0
EOS
cat >"$tmp/bin/apt-cache" <<'EOS'
#!/usr/bin/env bash
for a; do case $a in */sid) p=${a%/sid} ;; esac; done
echo "apt-cache $p" >>"$FAKE/log"
case $p in
linux-image-cloud-arm64)
	k=$(awk '$1 == "linux-image-cloud-arm64" { print $3 }' "$FAKE/lists")
	echo "$p"; echo "  Depends: linux-image-$k-cloud-arm64" ;;
linux-image-*)
	k=${p#linux-image-}
	echo "$p"; echo "  Depends: linux-binary-$k"; echo "  Depends: linux-modules-$k" ;;
esac
EOS
cat >"$tmp/bin/dpkg-deb" <<'EOS'
#!/usr/bin/env bash
[ "$1" = -x ] && [ -f "$2" ] || exit 2
b=${2##*/}
echo "$b" >>"$FAKE/unpacked"
echo "${3#$FAKE_C/} $b" >>"$FAKE/placed"
case $b in linux-binary-*)
	k=${b#linux-binary-}; k=${k%%_*}
	mkdir -p "$3/usr/lib/modules/$k" && echo "$b" >"$3/usr/lib/modules/$k/vmlinuz" ;;
esac
EOS
printf '#!/bin/sh\nprintf "install ok installed"\n' >"$tmp/bin/dpkg-query"
printf '#!/bin/sh\necho x86_64\n' >"$tmp/bin/uname"
chmod +x "$tmp"/bin/*

cat >"$F/mirror" <<'EOS'
libfdt-dev bookworm 1.6.1-4 arm64
libfdt1 bookworm 1.6.1-4 arm64
zlib1g-dev bookworm 1:1.2.13-1 arm64
zlib1g bookworm 1:1.2.13-1 arm64
linux-libc-dev sid 7.2.13-1 all
linux-image-cloud-arm64 sid 7.2.13+deb14 arm64
linux-binary-7.2.13+deb14-cloud-arm64 sid 7.2.13-1 arm64
linux-modules-7.2.13+deb14-cloud-arm64 sid 7.2.13-1 arm64
busybox-static bookworm 1:1.35.0-4 arm64
passt sid 0.0~git20261002-1 arm64
virtiofsd sid 1.14.0-4 arm64
libc6 sid 2.43-7 arm64
libgcc-s1 sid 16.2.0-4 arm64
libcap-ng0 sid 0.9.6-1 arm64
libseccomp2 sid 2.6.1-1 arm64
EOS
# sid moves: NAME's version becomes VERSION on the mirror (the lists do not know yet)
move() { sed -i "s/^\($1 [^ ]*\) [^ ]*/\1 $2/" "$F/mirror"; }
# sid's kernel moves from release OLD to NEW: new package names, new versions
kmove() { sed -i "s/$1+deb14/$2+deb14/g; s/^\(linux-[bm][^ ]* sid\) $1-1/\1 $2-1/" "$F/mirror"; }

run() {	# run build|rig: scripts/deps.sh; stderr in $tmp/err
	: >"$F/log"; : >"$F/unpacked"; : >"$F/placed"
	PATH=$tmp/bin:$PATH FAKE=$F FAKE_C=$C LKVM_CACHE=$C HOME=$tmp \
		bash "$TOP/scripts/deps.sh" "$1" >/dev/null 2>"$tmp/err"
	rc=$?
}
logged() { grep -Ec -- "$1" "$F/log"; }
unpacked() { grep -qxF -- "$1" "$F/unpacked"; }
said() { grep -Eq -- "$1" "$tmp/err"; }

echo "TAP version 13"
echo "1..16"
run build
ok '[ $rc = 0 ] && [ -f "$C/.stamp-build" ] && [ "$(logged ^update)" = 1 ]' \
	"a first run fetches the lists once and succeeds"
ok '[ "$(logged ^download)" = 1 ] && [ "$(wc -l <"$F/unpacked")" = 5 ] &&
	unpacked "zlib1g_1%3a1.2.13-1_arm64.deb" && unpacked "linux-libc-dev_7.2.13-1_all.deb"' \
	"one download; the five packages unpacked, an epoch as %3a and arch all in their names"
run build
ok '[ $rc = 0 ] && [ ! -s "$F/log" ] && [ ! -s "$F/unpacked" ]' \
	"a second run calls neither apt nor dpkg-deb"

rm "$C/.stamp-build"; touch -d '20 hours ago' "$C/.updated"; move linux-libc-dev 7.3.1-1
run build
ok '[ $rc = 0 ] && [ "$(logged "^(update|download)")" = 0 ] && unpacked "linux-libc-dev_7.2.13-1_all.deb"' \
	"lists under a day old: no update, nothing downloaded, the cached versions unpacked"

rm "$C/.stamp-build"; touch -d '2 days ago' "$C/.updated"
run build
ok '[ $rc = 0 ] && [ "$(logged ^update)" = 1 ] && [ -n "$(find "$C/.updated" -mmin -5)" ]' \
	"lists two days old are fetched again"
ok 'unpacked "linux-libc-dev_7.3.1-1_all.deb" && ! unpacked "linux-libc-dev_7.2.13-1_all.deb" &&
	[ -f "$C/debs/linux-libc-dev_7.2.13-1_all.deb" ]' \
	"the version the new lists name is downloaded and unpacked, not the older cached one"

# The lists are fresh, but sid's kernel has moved on since they were fetched: the
# packages they name are gone.  The retry must resolve the kernel's names again.
kmove 7.2.13 7.2.9
run rig
ok '[ $rc = 0 ] && [ "$(cat "$C/kernel-version")" = 7.2.9+deb14-cloud-arm64 ] &&
	[ "$(readlink "$C/Image")" = "$C/sysroot/usr/lib/modules/7.2.9+deb14-cloud-arm64/vmlinuz" ] &&
	unpacked "busybox-static_1%3a1.35.0-4_arm64.deb" && [ -f "$C/.stamp-rig" ]' \
	"rig: a download failing on stale lists succeeds with the kernel the new lists name"
ok '[ "$(grep -Eo "^(update|download)" "$F/log" | tr "\n" " ")" = "download update download " ]' \
	"in that order: download (fails), update, download"
ok 'said "could not download arm64 package\\(s\\) linux-binary-7\\.2\\.13.*; fetching the arm64 package lists again" &&
	! ls "$C"/debs/*.FAILED >/dev/null 2>&1' \
	"the retry says why, and apt's .FAILED file is removed"

# The mirror's own index names a file its pool lacks (a mirror mid-sync): fresh lists
# do not help, and the run must end rather than loop.
rm "$C/.stamp-build"; touch -d '2 days ago' "$C/.updated"
move linux-libc-dev 7.3.3-1; echo "linux-libc-dev sid 7.3.3-1 all" >"$F/gone"
run build
ok '[ $rc != 0 ] && [ "$(logged ^update)" = 2 ] && [ "$(logged ^download)" = 2 ] && [ ! -f "$C/.stamp-build" ]' \
	"a download still failing after fetching the lists again ends the run, without a stamp"
ok 'said "^deps: could not download .*linux-libc-dev/sid, even with freshly fetched package lists \\(see .*download.log\\)$"' \
	"with a clear message pointing at download.log"
rm "$F/gone"

# A newer kernel in sid; the older one stays in the sysroot and sorts first there.
rm "$C/.stamp-rig"; touch -d '2 days ago' "$C/.updated"; kmove 7.2.9 7.3.0
run rig
ok '[ $rc = 0 ] && [ "$(cat "$C/kernel-version")" = 7.3.0+deb14-cloud-arm64 ] &&
	[ "$(readlink "$C/Image")" = "$C/sysroot/usr/lib/modules/7.3.0+deb14-cloud-arm64/vmlinuz" ] &&
	[ -d "$C/sysroot/usr/lib/modules/7.2.9+deb14-cloud-arm64" ]' \
	"rig after sid's kernel changed: Image is the new kernel, not the first in the sysroot"
ok 'grep -qxF "l1-extra passt_0.0~git20261002-1_arm64.deb" "$F/placed" &&
	grep -qxF "l1-extra libc6_2.43-7_arm64.deb" "$F/placed" &&
	[ "$(grep -c "^l1-extra " "$F/placed")" = 6 ] && ! grep -q "^sysroot \(passt\|libc6\)_" "$F/placed" &&
	grep -qxF "sysroot busybox-static_1%3a1.35.0-4_arm64.deb" "$F/placed"' \
	"rig: passt, virtiofsd and their five libraries unpacked into l1-extra, not the sysroot"
run rig
ok '[ $rc = 0 ] && [ ! -s "$F/log" ]' "a second rig run calls no apt"

# A cache an older deps.sh stamped (empty stamp, no l1-extra) is brought up to date.
: >"$C/.stamp-rig"; rm -rf "$C/l1-extra"
run rig
ok '[ $rc = 0 ] && [ "$(logged ^update)" = 0 ] && unpacked "virtiofsd_1.14.0-4_arm64.deb" &&
	grep -q "^l1-extra: passt/sid virtiofsd/sid" "$C/.stamp-rig"' \
	"rig with an older stamp: the emulated host's packages fetched once, with the lists as they are"

# Offline, with day-old lists and everything they name cached: the old lists do.
rm "$C/.stamp-rig"; touch -d '2 days ago' "$C/.updated"; : >"$F/offline"
run rig
ok '[ $rc = 0 ] && [ "$(logged ^update)" = 1 ] && said "going on with the old lists" && [ -f "$C/.stamp-rig" ]' \
	"offline, old lists and a full cache still make a working run"
rm "$F/offline"
[ $bad = 0 ] || sed 's/^/# /' "$tmp/err" "$F/log"
exit $bad
