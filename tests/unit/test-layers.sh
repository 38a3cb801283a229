#!/usr/bin/env bash
# The product keeps its layering (docs/design.md): `make check-layers` finds
# no cycle in the include graph, no pure file that reaches a KVM header or
# calls ioctl, and no source file missing from the Makefile's lists.
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
[ -f "$TOP/scripts/check-layers.sh" ] || TOP=$(cd "$(dirname "$0")/../.." && pwd)
echo "TAP version 13"
echo "1..1"
if out=$(make -C "$TOP" --no-print-directory -s check-layers 2>&1); then
	echo "# $out"
	echo "ok 1 - layers: one-way include graph, pure files pure"
else
	sed 's/^/# /' <<<"$out"
	echo "not ok 1 - layers: one-way include graph, pure files pure"
	exit 1
fi
