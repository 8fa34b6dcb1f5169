#!/bin/sh
# Enforce the layering of DESIGN.md: the core library never includes curses, readline or ui/
# headers, and no ldns type escapes src/decode/ (plus the ldns-backed reference helpers).
bad=0
core=$(find src -name '*.[ch]' -not -path 'src/ui/*' -not -path 'src/cli/*')
for f in $core; do
  if grep -nE '#include *[<"](n?curses|ncursesw/|readline/|ui/)' "$f"; then
    echo "check-layers: $f includes a UI header"; bad=1
  fi
done
for f in include/fluxscope/*.h; do
  [ -e "$f" ] || continue
  if grep -nE '#include *<(n?curses|ldns/|readline/|pcap)' "$f"; then
    echo "check-layers: public header $f exposes a third-party type"; bad=1
  fi
done
for f in $(find src -name '*.c' -not -path 'src/ui/*'); do
  if grep -nE '\b(initscr|wrefresh|mvwprintw|newwin)\(' "$f" >/dev/null; then
    echo "check-layers: $f calls curses outside src/ui"; bad=1
  fi
done
[ $bad -eq 0 ] && echo "check-layers: ok"
exit $bad
