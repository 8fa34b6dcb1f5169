#!/bin/sh
# scripts/check-layers.sh against planted violations: each is planted alone in a copy of the
# tree, and the check (run from another folder, with a relative path to the copy) must fail
# naming the file; the unchanged copy passes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=build}"
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
work=$BUILD/e2e/check_layers
rm -rf "$work"; mkdir -p "$work/tree" "$work/elsewhere"
cp -r "$top/src" "$top/include" "$top/scripts" "$work/tree/"
fail=0

run() {  # run the check on the copy from another folder, through a relative path
	(cd "$work/elsewhere" && sh ../tree/scripts/check-layers.sh ../tree) >"$work/out" 2>&1
}

run; rc=$?
if [ $rc -ne 0 ]; then echo "FAIL: the unchanged tree does not pass (rc $rc)"; cat "$work/out"; fail=1; fi
# without an argument, from another folder, it checks the tree it belongs to
(cd / && sh "$work/tree/scripts/check-layers.sh") >"$work/out" 2>&1 || { echo "FAIL: run from / without an argument"; cat "$work/out"; fail=1; }

# plant FILE LINE DESCRIPTION: append LINE to FILE in the copy, check, restore
plant() {
	f=$1; text=$2; what=$3
	cp "$work/tree/$f" "$work/saved"
	printf '%s\n' "$text" >>"$work/tree/$f"
	run; rc=$?
	cp "$work/saved" "$work/tree/$f"
	if [ $rc -ne 1 ]; then
		echo "FAIL: $what: exit status $rc, not 1"; cat "$work/out"; fail=1
	elif ! grep -q "$f" "$work/out"; then
		echo "FAIL: $what: the message does not name $f"; cat "$work/out"; fail=1
	else
		echo "ok: $what: $(head -n 1 "$work/out")"
	fi
}

# the eleven of the issue
plant src/detect/model.c    '#include "../ui/app.h"'             'a relative path to a UI header in the core'
plant src/store/store.c     '# include <curses.h>'               'curses with a space after #'
plant src/store/expire.c    '#include "fluxscope/detect.h"'      'store including detect.h'
plant src/decode/dns.c      '#include "fluxscope/store.h"'       'decode including store.h'
plant src/store/intern.c    '#include <ldns/ldns.h>'             'ldns in store'
plant src/detect/zone.c     '#include "cli/report.h"'            'detect including cli/report.h'
plant src/export/rpz.c      'static void f(void) { printw("x"); }' 'printw in export'
plant src/query/filter.c    '#include <ncursesw/curses.h>'       'ncursesw in query'
plant src/enrich/geo.c      '#include "ui/snap.h"'               'a UI header in enrich'
plant src/capture/live.c    '#include <readline/readline.h>'     'readline in capture'
plant src/watch/watch.c     'static void g(void) { initscr(); }' 'a curses call in watch'
# and the other rules
plant src/detect/intel.c    'static void h(void) { printf("x"); }' 'printing in detect'
plant src/capture/pcapng.c  'static unsigned k(const unsigned char *p) { return p[0] << 8 | p[1]; }' 'a raw byte read in capture'
plant include/fluxscope/store.h '#include <pcap/pcap.h>'         'a third-party header in a public header'
plant src/export/table.c    '#  include   "../../src/ui/app.h"'  'odd spacing and a ../../src path'
plant src/util/fs.c         '#include "fluxscope/detect.h"'      'util including detect.h'
plant src/chouse/sink.c     '#include <libpsl.h>'                'libpsl in chouse (decode.h has dns_psl_*)'
plant src/detect/zone.c     '#include <libpsl.h>'                'libpsl in detect'

# a module folder missing from the description
mkdir -p "$work/tree/src/newmod" && printf 'int x;\n' >"$work/tree/src/newmod/x.c"
run; rc=$?
rm -rf "$work/tree/src/newmod"
if [ $rc -ne 1 ] || ! grep -q 'src/newmod' "$work/out"; then echo "FAIL: undescribed module folder (rc $rc)"; cat "$work/out"; fail=1; else echo "ok: undescribed module folder"; fi
# an unreadable description is an error, not a pass
mv "$work/tree/scripts/layers.conf" "$work/layers.conf"
run; rc=$?
mv "$work/layers.conf" "$work/tree/scripts/layers.conf"
if [ $rc -ne 2 ]; then echo "FAIL: missing layers.conf gave rc $rc"; fail=1; else echo "ok: missing description is an error"; fi
exit $fail
