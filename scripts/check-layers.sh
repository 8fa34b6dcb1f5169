#!/bin/sh
# Enforce the layering described in scripts/layers.conf (README "Architecture"): which module
# may include which, third-party headers only in the module made for them, curses calls only in
# the TUI, printing only in the front ends, multi-byte reads only in decode.
#
# usage: scripts/check-layers.sh [ROOT]   (ROOT defaults to the tree this script belongs to;
# runs from any directory). Exit status 0 when the tree holds to the description, 1 when a
# rule is broken (one line per violation), 2 when the tree or the description cannot be read.
here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=${1:-$here/..}
root=$(cd "$root" 2>/dev/null && pwd) || { echo "check-layers: no such folder: $1" >&2; exit 2; }
conf=$root/scripts/layers.conf
[ -r "$conf" ] || { echo "check-layers: cannot read $conf" >&2; exit 2; }
[ -d "$root/src" ] || { echo "check-layers: $root has no src/ folder" >&2; exit 2; }

files=$(cd "$root" && find src include -name '*.[ch]' 2>/dev/null | LC_ALL=C sort)
[ -n "$files" ] || { echo "check-layers: no sources under $root" >&2; exit 2; }

cd "$root" || exit 2
# shellcheck disable=SC2086
LC_ALL=C awk -v conf="$conf" '
function die(msg) { print "check-layers: " msg > "/dev/stderr"; bad = 2; exit 2 }
function exists(p,   l, r) { r = (getline l < p); close(p); return r >= 0 }
function norm(p,   n, a, i, out, k, s) {
	n = split(p, a, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (a[i] == "" || a[i] == ".") continue
		if (a[i] == "..") { if (k > 0) k--; continue }
		s[++k] = a[i]
	}
	out = ""
	for (i = 1; i <= k; i++) out = out (i > 1 ? "/" : "") s[i]
	return out
}
# module of a path relative to the root, "" when none
function mod_of(p,   a) {
	if (p ~ /^include\//) { sub(/^include\//, "", p); return (p in hdr) ? hdr[p] : "?" p }
	if (p ~ /^src\//) { split(p, a, "/"); return (a[2] in dir2mod) ? dir2mod[a[2]] : "?src/" a[2] }
	return ""
}
function report(f, ln, msg) { print "check-layers: " f ":" ln ": " msg; bad = 1 }
function excused(rule, f) { return ((rule SUBSEP f) in except) }
BEGIN {
	nrule = 0
	while ((r = getline line < conf) > 0) {
		sub(/#.*/, "", line)
		n = split(line, w, /[ \t]+/)
		if (w[1] == "") { for (i = 1; i < n; i++) w[i] = w[i + 1]; n-- }
		if (n < 1) continue
		if (w[1] == "module") {
			if (n < 3) die(conf ": module needs a name and a folder")
			m = w[2]; isMod[m] = 1; d = w[3]; sub(/^src\//, "", d); dir2mod[d] = m
			uses[m, m] = 1
			for (i = 4; i <= n; i++) { if (!(w[i] in isMod)) die(conf ": module " m " uses " w[i] ", described below it or not at all"); uses[m, w[i]] = 1 }
		} else if (w[1] == "header") {
			if (n != 3 || !(w[3] in isMod)) die(conf ": header " w[2] " names no module")
			hdr[w[2]] = w[3]
		} else if (w[1] == "lib" || w[1] == "call") {
			if (n < 3) die(conf ": " w[1] " needs a name and a pattern")
			nrule++; rkind[nrule] = w[1]; rname[nrule] = w[2]; rre[nrule] = w[3]
			for (i = 4; i <= n; i++) { if (!(w[i] in isMod)) die(conf ": " w[1] " " w[2] " names unknown module " w[i]); rok[nrule, w[i]] = 1 }
		} else if (w[1] == "except") {
			if (n < 4) die(conf ": except needs a rule, a file and a reason")
			except[w[2], w[3]] = 1
		} else die(conf ": unknown line: " line)
	}
	if (r < 0) die("cannot read " conf)
	bad = 0
}
FNR == 1 {
	f = FILENAME; incomment = 0
	fdir = f; sub(/\/[^\/]*$/, "", fdir)
	pub = (f ~ /^include\//)
	fm = mod_of(f)
	if (fm ~ /^\?/) { report(f, 0, "belongs to no module of scripts/layers.conf (" substr(fm, 2) ")"); fm = "" }
}
{
	line = $0
	# includes (any spacing: "#  include", "# include")
	if (match(line, /^[ \t]*#[ \t]*include[ \t]*[<"][^>"]*[>"]/)) {
		inc = substr(line, RSTART, RLENGTH); q = inc; sub(/^[^<"]*/, "", q)
		quoted = (substr(q, 1, 1) == "\""); p = substr(q, 2, length(q) - 2)
		target = ""
		if (quoted && (p ~ /^\.\.?\// || exists(fdir "/" p))) target = norm(fdir "/" p)
		else if (exists("src/" p)) target = "src/" p
		else if (exists("include/" p)) target = "include/" p
		if (target != "" && fm != "") {
			tm = mod_of(target)
			if (tm ~ /^\?/) report(f, FNR, "includes " p ", which belongs to no module of scripts/layers.conf")
			else if (tm != "" && !((fm, tm) in uses))
				report(f, FNR, "module " fm " includes " p " (module " tm "), which it may not use (scripts/layers.conf)")
		} else if (target == "" && fm != "") {
			for (i = 1; i <= nrule; i++) {
				if (rkind[i] != "lib" || p !~ rre[i]) continue
				if (pub) report(f, FNR, "public header includes " p " (" rname[i] "): no third-party type in include/")
				else if (!((i, fm) in rok) && !excused(rname[i], f))
					report(f, FNR, "module " fm " includes " p " (" rname[i] "), allowed only in:" allowed(i))
			}
		}
		next
	}
	# code without comments and string literals, for the call rules
	code = ""; s = line
	while (s != "") {
		if (incomment) {
			e = index(s, "*/"); if (e == 0) { s = ""; break }
			s = substr(s, e + 2); incomment = 0; continue
		}
		c1 = index(s, "/*"); c2 = index(s, "//"); c3 = index(s, "\"")
		first = 0
		if (c1 && (!first || c1 < first)) first = c1
		if (c2 && (!first || c2 < first)) first = c2
		if (c3 && (!first || c3 < first)) first = c3
		if (!first) { code = code s; break }
		code = code substr(s, 1, first - 1)
		if (first == c2) break
		if (first == c1) { s = substr(s, first + 2); incomment = 1; continue }
		# string literal: skip to its unescaped end
		s = substr(s, first + 1)
		while (match(s, /^([^"\\]|\\.)*"/)) { s = substr(s, RLENGTH + 1); break }
		code = code "\"\""
	}
	if (fm == "") next
	for (i = 1; i <= nrule; i++) {
		if (rkind[i] != "call" || ((i, fm) in rok) || excused(rname[i], f)) continue
		if (code ~ rre[i]) report(f, FNR, rname[i] " outside its modules (allowed only in:" allowed(i) "): " trim(line))
	}
}
function allowed(i,   k, o) { o = ""; for (k in isMod) if ((i, k) in rok) o = o " " k; return o }
function trim(s) { sub(/^[ \t]+/, "", s); return s }
END {
	if (bad == 2) exit 2
	if (bad) exit 1
	print "check-layers: ok"
}
' $files
