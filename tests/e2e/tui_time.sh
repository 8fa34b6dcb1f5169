#!/bin/sh
# The capture-wide time view (issue 18): `t` opens responses and flagged domains per time bin;
# the bins' counts add up to the capture's responses (--stats dns-responses, and the sum of the
# domains' responses in --report --json --all); a range marked with [ and ] becomes the list's
# filter, which keeps as many flagged domains as --report --filter keeps for the same expression
# (the flagged list: `a`'s list of every domain leaves out zone owners seen only in NS records,
# which --report --all lists).
. "$(dirname "$0")/lib/tui.sh"
W="$BUILD/e2e/tui-time"
rm -rf "$W"; mkdir -p "$W"
PCAP=samples/flux-demo.pcap

$FLUXSCOPE -r $PCAP --no-geoip --stats >"$W/stats.txt" 2>"$W/stats.err" ||
	{ echo "FAIL: --stats: $(cat "$W/stats.err")"; exit 1; }
STATS=$(awk '$1 == "dns-responses" { print $2 }' "$W/stats.txt")
$FLUXSCOPE -r $PCAP --no-geoip --report --json --all >"$W/all.json" 2>"$W/all.err" ||
	{ echo "FAIL: --report --json --all: $(cat "$W/all.err")"; exit 1; }
REPORT=$(python3 -c '
import json, sys
print(sum(o.get("responses") or 0 for o in map(json.loads, open(sys.argv[1])) if o.get("kind") == "domain"))' "$W/all.json")
[ -n "$STATS" ] && [ "$STATS" -gt 0 ] || { echo "FAIL: no dns-responses in --stats"; exit 1; }

# 100 columns: 90 bins at most (2-minute bins over the sample's three hours); 130 rows: the
# table of every bin fits on the screen.
tui_start 100 130 --no-geoip $PCAP
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
tui_keys t
tui_wait "from (UTC)" || exit 1
tui_wait_gone "counting" || exit 1
tui_screen >"$W/time.txt"
bins=$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}  [0-9]{4}-' "$W/time.txt")
sum=$(grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}  [0-9]{4}-' "$W/time.txt" |
	awk '{ gsub(",", "", $3); s += $3 } END { print s + 0 }')
title=$(head -1 "$W/time.txt")
nb=$(printf '%s\n' "$title" | sed -nE 's/.* in ([0-9]+) bins of .*/\1/p')
check "the title names the bins ($bins rows): '$title'" test "$nb" = "$bins"
check "at most 90 bins at 100 columns (got $bins)" test "$bins" -ge 2 -a "$bins" -le 90
check "the bins add up to --stats dns-responses ($STATS, got $sum)" test "$sum" = "$STATS"
check "and to the domains' responses in --report --json --all ($REPORT)" test "$sum" = "$REPORT"
tsum=$(printf '%s\n' "$title" | sed -nE 's/.* ([0-9,]+) responses in.*/\1/p' | tr -d ,)
check "the title's total is the same ($tsum)" test "$tsum" = "$STATS"
check "a flagged row under the chart" screen_has '^ flagged '

# A range: bins 5 to 9 ([ at the fifth bin, ] four bins later).
tui_keys Right Right Right Right
tui_wait "bin 5/" || exit 1
tui_keys '['
tui_keys Right Right Right Right
tui_wait "bin 9/" || exit 1
tui_keys ']'
tui_wait "(bins 5–9)" || exit 1
expr=$(tui_screen | sed -nE 's/^range: (last_seen>=.*)$/\1/p' | head -1)
check "the range is a filter expression: '$expr'" text_has "$expr" "and first_seen<"
# the fifth bin's start and the ninth's end, as the table has them
start=$(grep -E '^[0-9]{4}-' "$W/time.txt" | sed -n 5p | awk '{ print $1 }')
end=$(grep -E '^[0-9]{4}-' "$W/time.txt" | sed -n 9p | awk '{ print $2 }')
check "from the fifth bin's start ($start) to the ninth's end ($end)" \
	test "$expr" = "last_seen>=$start and first_seen<$end"
$FLUXSCOPE -r $PCAP --no-geoip --report --json --filter "$expr" >"$W/range.json" 2>"$W/range.err" ||
	{ echo "FAIL: --report --filter '$expr': $(cat "$W/range.err")"; exit 1; }
WANT=$(grep -c '"kind":"domain"' "$W/range.json")
tui_keys Enter
tui_wait "filter last_seen>=" || exit 1
msg=$(tui_screen | grep -E "^filter .*: [0-9]+ " | tail -1)
got=$(printf '%s\n' "$msg" | sed -nE 's/.*: ([0-9]+) .*/\1/p')
check "the list keeps the flagged domains --report --filter keeps ($WANT): '$msg'" test "$got" = "$WANT"
FLAGGED=$($FLUXSCOPE -r $PCAP --no-geoip --report --json 2>/dev/null | grep -c '"kind":"domain"')
check "some but not every flagged domain ($got of $FLAGGED)" test "$got" -gt 0 -a "$got" -lt "$FLAGGED"
check "the list is back on top (no Time crumb)" sh -c '! tmux -L "$1" -f /dev/null capture-pane -p -t fs:0.0 | head -1 | grep -q Time' sh "$TUI_SOCK"
tui_done
