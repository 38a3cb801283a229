#!/usr/bin/env bash
# scripts/check-layers.sh on small fake trees: a clean one passes; cycles
# through headers, a pure file reaching a KVM or glue header, a pure file
# calling ioctl(), a stale pure list, a source in neither list and an
# exported function not named after its file fail, naming what is wrong; static
# functions, static inlines, macros and function pointers make no edge.  The
# real tree is checked by test-layers.sh.
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
[ -f "$TOP/scripts/check-layers.sh" ] || TOP=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
ok() {
	n=$((n + 1))
	if eval "$1"; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi
}
tree() {	# tree NAME: a new, empty fake tree, made the current directory
	mkdir -p "$tmp/$1/include/lkvm" && cd "$tmp/$1" || exit 1
}
mod() {	# mod NAME [HDR...]: NAME.c implements lkvm/NAME.h and includes lkvm/HDR.h...
	local name=$1 h
	shift
	{
		printf '// SPDX-License-Identifier: GPL-2.0\n#include <stdio.h>\n\n'
		for h in "$name" "$@"; do printf '#include "lkvm/%s.h"\n' "$h"; done
		printf '\nint %s_fn(int x,\n\t     int y)\n{\n\treturn x + y;\n}\n' "$name"
	} >"$name.c"
	printf '#ifndef LKVM_%s_H\n#define LKVM_%s_H\n\nint %s_fn(int x,\n\t     int y);\n\n#endif\n' \
		"${name^^}" "${name^^}" "$name" >"include/lkvm/$name.h"
}
compat() {	# lkvm/kvm-compat.h, as the real one
	printf '#include <linux/kvm.h>\n#define KVM_CAP_X 1\n' >include/lkvm/kvm-compat.h
}
run() {	# run PURE: the check on the current fake tree; $rc, $tmp/out (stdout + stderr)
	bash "$TOP/scripts/check-layers.sh" --pure "$1" *.c include/lkvm/*.h >"$tmp/out" 2>&1
	rc=$?
	cat "$tmp/out" >>"$tmp/all"
}
has() { grep -Fq -- "$1" "$tmp/out"; }
lines() { grep -c . "$tmp/out"; }

echo "TAP version 13"
echo "1..21"

tree clean
mod util
mod dev util
mod bus dev util
run "util.c dev.c"
ok '[ $rc = 0 ]' "a clean tree passes (a file including its own header is no cycle)"
ok '[ "$(cat "$tmp/out")" = "layers: 6 files, 9 edges, no cycle; 2 pure files clean; names follow files" ]' \
	"and says so in one line, counting files, edges and pure files"

tree two
mod a b
mod b a
run ""
ok '[ $rc = 1 ] && [ "$(lines)" = 1 ]' "a cycle of two files through their headers fails, in one line"
ok 'has "cycle: a.c -> lkvm/b.h -> b.c -> lkvm/a.h -> a.c"' "the cycle is named node by node"
ok 'has "a.c includes lkvm/b.h; lkvm/b.h declares b_fn(), defined in b.c" &&
	has "b.c includes lkvm/a.h; lkvm/a.h declares a_fn(), defined in a.c"' \
	"both edges are named with why (include, declared/defined), multi-line prototypes read"

tree three
mod a b
mod b c
mod c a util
mod util
run ""
ok '[ $rc = 1 ] && has "cycle: a.c -> lkvm/b.h -> b.c -> lkvm/c.h -> c.c -> lkvm/a.h -> a.c"' \
	"a cycle of three modules fails, naming them"
ok 'has "b.c includes lkvm/c.h" && has "c.c includes lkvm/a.h" && ! has util' \
	"its edges are named, and a module off the cycle is not"

tree static
mod b a
cat >include/lkvm/a.h <<'EOF'
#define A_PROTO \
int a_macro(int x);
/* int a_hook(int x); */
typedef int a_type(int x);
typedef int (*a_cb)(int x);
struct a_ops {
	int (*a_hook)(int x);
};
static inline int a_inline(void)
{
	return 0;
}
static inline int
a_inline2(void)
{
	return 0;
}
int a_local(void);
EOF
{	# a.c defines each name again, as a non-static function, but a_local
	printf '#include "lkvm/b.h"\n\nstatic int a_local(void)\n{\n\treturn b_fn(1, 2);\n}\n'
	for f in a_macro a_hook a_type a_cb a_inline a_inline2; do
		printf '\nint %s(int x)\n{\n\treturn x;\n}\n' "$f"
	done
} >a.c
run ""
ok '[ $rc = 0 ] && has "layers: 4 files, 4 edges, no cycle"' \
	"a static function, static inlines, a macro, function pointers, a typedef and a comment make no edge (no false cycle)"

tree compat
compat
mod mid kvm-compat
mod p util mid
mod q
mod util
printf '#include "lkvm/kvm-compat.h"\n' >>include/lkvm/mid.h
printf '#include <asm/kvm.h>\n' >>q.c
run "p.c q.c util.c mid.c"
ok '[ $rc = 1 ] && has "mid.c: pure file includes lkvm/kvm-compat.h (a KVM header): mid.c -> lkvm/kvm-compat.h"' \
	"a pure file including kvm-compat.h fails, naming it"
ok 'has "p.c: pure file includes lkvm/kvm-compat.h (a KVM header): p.c -> lkvm/mid.h -> lkvm/kvm-compat.h"' \
	"so does one reaching it through a header, with the chain"
ok 'has "q.c: pure file includes <asm/kvm.h> (a KVM header): q.c -> <asm/kvm.h>" && [ "$(lines)" = 3 ]' \
	"so does one including <asm/kvm.h>, and nothing else is reported"

tree glue
mod vm
mod pure util vm
mod util
run "pure.c util.c"
ok '[ $rc = 1 ] && has "pure.c: pure file includes lkvm/vm.h (a glue header: vm_fn() is defined in vm.c): pure.c -> lkvm/vm.h"' \
	"a pure file including a glue header fails, naming it and why it is glue"
ok '[ "$(lines)" = 1 ]' "a pure file including a pure module's header is fine"

tree ioctl
mod util
mod p util
cat >>p.c <<'EOF'

/* ioctl(fd, 0) in a comment, and vm_ioctl( are not the call */
int p_ioctl(int fd)
{
	const char *s = "ioctl(";

	if (vm_ioctl(fd, 0, s) < 0)
		return ioctl(fd, 1, 0);
	return 0;
}
EOF
run "p.c util.c"
ok '[ $rc = 1 ] && has "p.c:19: pure file calls ioctl()"' "a pure file calling ioctl() fails, with file:line"
ok '[ "$(lines)" = 1 ]' "ioctl( in a comment or a string, and vm_ioctl(, are not reported"

tree stale
mod util
run "util.c gone.c"
ok '[ $rc = 1 ] && has "gone.c: listed as pure but does not exist"' "a listed pure file that does not exist fails"

tree names
mod util
mod dev util
printf 'int other_fn(void);\n' >>include/lkvm/dev.h
printf '\nint other_fn(void)\n{\n\treturn 0;\n}\n' >>dev.c
run "util.c dev.c"
ok '[ $rc = 1 ] && has "dev.c: exported other_fn() does not start with dev_"' \
	"an exported function not named after its file fails"

tree dashes
mod util
mkdir -p virtio
printf '#include "lkvm/util.h"\n\nint psci_kvm_go(void)\n{\n\treturn 0;\n}\n' >psci-kvm.c
printf '#include "lkvm/util.h"\n\nint virtio_blk_go(void)\n{\n\treturn 0;\n}\n' >virtio/blk.c
printf '\nvoid *xzalloc(int n)\n{\n\treturn 0;\n}\n' >>util.c
bash "$TOP/scripts/check-layers.sh" --pure "util.c" *.c virtio/*.c include/lkvm/*.h >"$tmp/out" 2>&1
rc=$?
ok '[ $rc = 0 ]' "psci-kvm.c may export psci_kvm_*, virtio/blk.c virtio_blk_*, util.c xzalloc"
printf '#include "lkvm/util.h"\n\nint blk_go(void)\n{\n\treturn 0;\n}\n' >virtio/blk.c
printf '\nvoid *xzalloc(int n)\n{\n\treturn 0;\n}\n' >>psci-kvm.c
bash "$TOP/scripts/check-layers.sh" --pure "util.c" *.c virtio/*.c include/lkvm/*.h >"$tmp/out" 2>&1
rc=$?
ok '[ $rc = 1 ] && has "virtio/blk.c: exported blk_go() does not start with virtio_blk_" &&
	has "psci-kvm.c: exported xzalloc() does not start with psci_kvm_"' \
	"in virtio/ the prefix starts with virtio_; util.c's allocator names are util.c's only"

tree unlisted
mod util
mod dev util
printf 'int stray_fn(void);\n' >stray.c
bash "$TOP/scripts/check-layers.sh" --pure "util.c" --all "util.c dev.c stray.c" util.c dev.c \
	include/lkvm/*.h >"$tmp/out" 2>&1
rc=$?
ok '[ $rc = 1 ] && has "stray.c: a source file in neither of the Makefile'"'"'s lists"' \
	"a source on disk that neither list names fails"
bash "$TOP/scripts/check-layers.sh" --pure "util.c" --all "util.c dev.c" util.c dev.c \
	include/lkvm/*.h >"$tmp/out" 2>&1
rc=$?
ok '[ $rc = 0 ]' "and passes once it is listed (or gone)"

[ $bad = 0 ] || sed 's/^/# /' "$tmp/all"
exit $bad
