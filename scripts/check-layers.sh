#!/usr/bin/env bash
# Check lkvm's layering: no dependency cycle between modules, and no KVM in the
# "pure logic" sources (those also built natively for the unit tests/fuzzers).
#
#   scripts/check-layers.sh --pure "a.c b.c ..." [--all "every .c on disk"] FILE...
#
# FILE... are all product sources and headers, relative to the current directory;
# a header is named lkvm/NAME.h, as it is included.  Graph: X -> lkvm/H when X
# includes "lkvm/H"; lkvm/H -> C when H declares a function C defines (not
# static), so a.c calling b.h's function depends on b.c.  A header and the files
# implementing it are one unit (units sharing a file are one): x.c -> x.h -> x.c
# is the unit itself; only a cycle through two or more units is a problem.
#
# Problems, one line each on stderr, exit 1: a cycle, with the reason for each
# edge; a pure file whose includes reach <linux/kvm.h>, <asm/kvm.h>, kvm-compat.h
# or a glue header (declaring a function a non-pure file defines), with the
# chain; a pure file calling ioctl(); a listed pure file that does not exist;
# a source in --all that is not among FILE... (in neither of the Makefile's lists);
# an exported function whose name does not start with its file's.
# Otherwise a summary line on stdout, exit 0.
#
# C is read heuristically, kernel style: a definition starts at column 0 with
# NAME( and has its { alone at column 0 on a later line; a declaration in a
# header starts at column 0 and ends in ; (maybe lines later).
set -u

usage() { echo "usage: $0 --pure \"a.c b.c ...\" [--all \"a.c ...\"] FILE..." >&2; exit 2; }
pure="" all=""
if [ "${1:-}" = --pure ]; then
	[ $# -ge 2 ] || usage
	pure=$2
	shift 2
fi
if [ "${1:-}" = --all ]; then
	[ $# -ge 2 ] || usage
	all=$2
	shift 2
fi
[ $# -gt 0 ] || usage

bad=0 files=()
declare -A listed
for f in "$@" $pure; do		# a pure file is read even if not among FILE...
	[ -z "${listed[${f#./}]:-}" ] || continue
	listed[${f#./}]=1
	if [ -f "$f" ]; then
		files+=("$f")
	elif [[ " $pure " == *" $f "* ]]; then
		echo "$f: listed as pure but does not exist (a stale list?)" >&2; bad=1
	else
		echo "$f: no such file" >&2; bad=1
	fi
done
# A source nobody listed would be built by no rule, or checked by no one.
for f in $all; do
	[ -n "${listed[${f#./}]:-}" ] ||
		{ echo "$f: a source file in neither of the Makefile's lists" >&2; bad=1; }
done
[ ${#files[@]} -gt 0 ] || exit 1

awk -v pure="$pure" -v nfiles=${#files[@]} -v problems=$bad '
function node(path) {	# ./a.c -> a.c, include/lkvm/x.h -> lkvm/x.h
	sub(/^\.\//, "", path)
	if (path ~ /\.h$/) sub(/^.*include\//, "", path)
	return path
}
# The line without comments and the insides of string and char literals, so
# that a brace or "ioctl(" in them is not code.  incom: in a /* */ comment.
function strip(s,   out, i, n, c, q) {
	if (!incom && s !~ /[\/"\047]/) return s
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (incom) {
			if (c == "*" && substr(s, i + 1, 1) == "/") { incom = 0; i++ }
		} else if (c == "/" && substr(s, i + 1, 1) == "*") {
			incom = 1; i++
		} else if (c == "/" && substr(s, i + 1, 1) == "/") {
			break
		} else if (c == "\"" || c == "\047") {
			for (q = c; ++i <= n && substr(s, i, 1) != q; )
				if (substr(s, i, 1) == "\\") i++
			out = out q q
		} else
			out = out c
	}
	return out
}
# The function a column-0 line names: its first NAME( that is not an attribute;
# "" for none, a function pointer (*fn)(, a typedef, or a static function (file-
# local, or inline in a header: implemented where it is, so no edge).
function fname(s,   name, before) {
	gsub(/__attribute__[ \t]*\(\(([^()]|\([^()]*\))*\)\)/, "", s)
	while (match(s, /[A-Za-z_][A-Za-z0-9_]*\(/)) {
		name = substr(s, RSTART, RLENGTH - 1)
		before = before substr(s, 1, RSTART - 1)
		s = substr(s, RSTART + RLENGTH)
		if (name !~ /^(sizeof|typeof|__typeof__|_Static_assert|static_assert|__printf|alignas|_Alignas)$/) break
		name = ""
	}
	if (name == "" || s ~ /^[ \t]*\*/ || (" " before) ~ /[ \t]static[ \t]/ || before ~ /^typedef[ \t]/)
		return ""
	return name
}
function edge(from, to, why) {
	if ((from, to) in why_of) return
	why_of[from, to] = why
	adj[from] = adj[from] " " to
	nedges++
}
function find(x) { while (x in up) x = up[x]; return x }

BEGIN { npure = split(pure, p, " "); for (i = 1; i <= npure; i++) is_pure[node(p[i])] = 1 }
FILENAME != cur {
	cur = FILENAME; f = node(FILENAME); seen[f] = 1
	is_hdr = f ~ /\.h$/
	incom = inmacro = depth = 0; pend = ""
}
{ raw = $0; s = strip($0) }
inmacro { inmacro = raw ~ /\\$/; next }
s ~ /^[ \t]*#/ {	# an include; other directives, and macros, are skipped
	inmacro = raw ~ /\\$/
	if (match(s, /^[ \t]*#[ \t]*include[ \t]*/)) {
		inc = substr(raw, RSTART + RLENGTH)
		if (inc ~ /^"lkvm\/[^"]*"/ || inc ~ /^<(linux|asm)\/kvm\.h>/) {
			sub(/^"/, "", inc); sub(/".*/, "", inc); sub(/>.*/, ">", inc)
			includes[f] = includes[f] " " inc
		}
	}
	next
}
# A pending declaration ends at ";", a pending definition at "{" in column 0;
# anything else at column 0 first (or a stray ; or {) means it was neither.
pend != "" && is_hdr && s ~ /;/ { decls[f] = decls[f] " " pend; pend = "" }
pend != "" && !is_hdr && s ~ /^\{/ { definer[pend] = definer[pend] " " f; pend = "" }
pend != "" && s ~ /[;{]|^[^ \t]/ { pend = "" }
depth == 0 && s ~ /^[A-Za-z_]/ && (name = fname(s)) != "" {
	if (is_hdr && s ~ /;/)
		decls[f] = decls[f] " " name
	else if (!is_hdr && s ~ /\)[ \t]*\{[ \t]*$/)	# not kernel style, but plain
		definer[name] = definer[name] " " f
	else if (s !~ /[;{]/)
		pend = name
}
!is_hdr && s ~ /(^|[^A-Za-z0-9_])ioctl[ \t]*\(/ { ioctl_at[f] = ioctl_at[f] " " FNR }
{ depth += gsub(/\{/, "{", s) - gsub(/\}/, "}", s) }

END {
	for (x in seen) {	# sorted, so that reports are the same from run to run
		for (j = ++nn; j > 1 && nodes[j - 1] > x; j--) nodes[j] = nodes[j - 1]
		nodes[j] = x
	}
	for (j = 1; j <= nn; j++) {
		nd = split(decls[h = nodes[j]], d, " ")
		for (k = 1; k <= nd; k++) {
			nc = split(definer[d[k]], c, " ")
			for (m = 1; m <= nc; m++) {
				edge(h, c[m], h " declares " d[k] "(), defined in " c[m])
				if (find(h) != find(c[m])) up[find(h)] = find(c[m])
				if (!(c[m] in is_pure) && !(h in glue)) glue[h] = d[k] "() is defined in " c[m]
			}
		}
	}
	for (j = 1; j <= nn; j++) {
		ni = split(includes[x = nodes[j]], hs, " ")
		for (k = 1; k <= ni; k++)
			if (hs[k] !~ /^</) edge(x, hs[k], x " includes " hs[k])
	}
	for (j = 1; j <= nn; j++)
		if (!(nodes[j] in index_of)) tarjan(nodes[j])
	for (c1 = 1; c1 <= nscc; c1++)
		if (scc_size[c1] > 1) report_cycle(c1)
	for (j = 1; j <= nn; j++)
		if (nodes[j] in is_pure) check_pure(nodes[j])
	for (j = 1; j <= nn; j++)
		if (nodes[j] ~ /\.c$/) check_names(nodes[j])
	if (problems) exit 1
	printf "layers: %d files, %d edges, no cycle; %d pure files clean; names follow files\n",
		nfiles, nedges, npure
}
# docs/design.md, "Names": an exported function starts with its file name
# ("-" read as "_"; "virtio_" first in virtio/, but for the virtqueue).
function prefix_of(f,   b) {
	b = f; sub(/^.*\//, "", b); sub(/\.c$/, "", b); gsub(/-/, "_", b)
	return f ~ /^virtio\// && b != "virtq" ? "virtio_" b : b
}
function check_names(f,   b, name, n, a, i) {
	b = prefix_of(f)
	for (name in definer) {
		n = split(definer[name], a, " ")
		for (i = 1; i <= n; i++) {
			if (a[i] != f || name == b || index(name, b "_") == 1) continue
			if (f == "main.c" && name == "main") continue
			if (f == "util.c" && name ~ /^(xzalloc|xmalloc|xrealloc|xstrdup|xasprintf|lkvm_log)$/)
				continue
			print f ": exported " name "() does not start with " b "_" > "/dev/stderr"
			problems++
		}
	}
}
# Tarjan: the strongly connected components (scc[node] = its number).
function tarjan(v,   a, n, i, w) {
	index_of[v] = low[v] = ++counter
	stack[++sp] = v; on_stack[v] = 1
	n = split(adj[v], a, " ")
	for (i = 1; i <= n; i++) {
		if (!((w = a[i]) in index_of)) {
			tarjan(w)
			if (low[w] < low[v]) low[v] = low[w]
		} else if (on_stack[w] && index_of[w] < low[v])
			low[v] = index_of[w]
	}
	if (low[v] == index_of[v]) {
		nscc++
		do {
			w = stack[sp--]; on_stack[w] = 0
			scc[w] = nscc; scc_size[nscc]++
		} while (w != v)
	}
}
# A component with an edge from one unit to another holds a cycle through two
# units: name the shortest (each such edge u -> w, then w back to u), and the
# rest of the component.
function report_cycle(c,   j, u, a, n, i, len, best, path, why, on, rest) {
	for (j = 1; j <= nn; j++) {
		if (scc[u = nodes[j]] != c) continue
		n = split(adj[u], a, " ")
		for (i = 1; i <= n; i++)
			if (scc[a[i]] == c && find(a[i]) != find(u) && (len = back(a[i], u, c)) && (!best || len < best)) {
				best = len
				path = u " -> " bpath; why = why_of[u, a[i]] "; " bwhy
			}
	}
	if (!best) return	# one unit
	n = split(path, a, " -> ")
	for (i = 1; i <= n; i++) on[a[i]] = 1
	for (j = 1; j <= nn; j++)
		if (scc[nodes[j]] == c && !(nodes[j] in on)) rest = rest " " nodes[j]
	print "cycle: " path " [" why "]" (rest == "" ? "" : " (also in this knot:" rest ")") > "/dev/stderr"
	problems++
}
# Shortest path from -> to inside component c (BFS): its length, bpath, bwhy.
function back(from, to, c,   q, head, tail, prev, v, a, n, i, len) {
	head = 1; tail = 0; q[++tail] = from; prev[from] = ""
	while (head <= tail && (v = q[head++]) != to) {
		n = split(adj[v], a, " ")
		for (i = 1; i <= n; i++)
			if (scc[a[i]] == c && !(a[i] in prev)) { prev[a[i]] = v; q[++tail] = a[i] }
	}
	bpath = to; bwhy = ""
	for (v = to; prev[v] != ""; v = prev[v]) {
		bpath = prev[v] " -> " bpath
		bwhy = why_of[prev[v], v] (bwhy == "" ? "" : "; " bwhy)
		len++
	}
	return len + 1
}
# A pure file: no ioctl(), and no KVM header reachable through its includes (a
# BFS, for the shortest chain; a KVM header is reported, not gone through).
function check_pure(f,   n, a, i, q, head, tail, prev, v, w, x, what, chain) {
	n = split(ioctl_at[f], a, " ")
	for (i = 1; i <= n; i++) {
		print f ":" a[i] ": pure file calls ioctl()" > "/dev/stderr"
		problems++
	}
	head = 1; tail = 0; q[++tail] = f; prev[f] = ""
	while (head <= tail) {
		n = split(includes[v = q[head++]], a, " ")
		for (i = 1; i <= n; i++) {
			if ((w = a[i]) in prev) continue
			prev[w] = v
			what = w ~ /^</ || w == "lkvm/kvm-compat.h" ? "a KVM header" : ""
			if (what == "" && (w in glue)) what = "a glue header: " glue[w]
			if (what == "") { q[++tail] = w; continue }
			chain = w
			for (x = v; x != ""; x = prev[x]) chain = x " -> " chain
			print f ": pure file includes " w " (" what "): " chain > "/dev/stderr"
			problems++
		}
	}
}
' "${files[@]}"
