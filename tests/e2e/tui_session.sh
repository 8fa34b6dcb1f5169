#!/bin/sh
# Investigations that survive a quit (issue 13): in a new session (--session PATH), mark three
# domains with notes, filter the list and open one domain's Timeline; quit; reopen the session
# with no capture named: the same capture is read again and the marks, notes, filter and view
# come back. A mark made just before a SIGKILL is there on reopening (autosave after every
# change). A damaged or foreign session file is refused with a sentence naming it and is left
# byte for byte as it was.
. "$(dirname "$0")/lib/tui.sh"
W="$BUILD/e2e/tui-session"
rm -rf "$W"; mkdir -p "$W"
W=$(cd "$W" && pwd)
PCAP=samples/flux-demo.pcap
S="$W/inv.session"
TUI_ENV="XDG_STATE_HOME=$W/state"

wait_file() {   # wait_file FILE TEXT [SECONDS]
	n=$(( ${3:-10} * 20 * TUI_SLOW ))
	while [ $n -gt 0 ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05; n=$((n - 1))
	done
	echo "FAIL: $1 never held: $2"; TUI_FAILS=$((TUI_FAILS + 1)); return 1
}
row_name() { tui_line "$1" | awk '{ print $NF }'; }   # the domain column is not last; see below

tui_start 150 40 --no-geoip --session "$S" $PCAP
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
tui_keys :
tui_type "sort domain asc"
tui_keys Enter
# the cursor stays on its domain across a sort: back to the top
tui_keys g
sleep 0.3
# Rows 2, 3, 4 of the screen are the first three domains (row 1 is the header).
names=""
for i in 1 2 3; do
	line=$(tui_line $((i + 1)))
	d=$(printf '%s\n' "$line" | awk '{ for (k = 1; k <= NF; k++) if ($k ~ /\./ && $k !~ /^-?[0-9.]+$/) { print $k; exit } }')
	names="$names $d"
	tui_keys m
	tui_keys :
	tui_type "note suspect number $i"
	tui_keys Enter
	tui_wait "note on domain $d" || exit 1
	tui_keys Down
done
set -- $names
check "three domains picked: $names" test $# -eq 3
# The column chooser: hide the ASN column, show the (sortable-only by default) responses one.
check "the ASN column is shown by default" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | sed -n 2p | grep -q "ASNs"' sh "$TUI_SOCK"
tui_keys :
tui_type "columns -asns"
tui_keys Enter
tui_wait "columns: -asns" || true
check ":columns -asns hides it" sh -c '! tmux -L "$1" capture-pane -p -t fs:0.0 | sed -n 2p | grep -q "ASNs"' sh "$TUI_SOCK"
wait_file "$S" '"columns": "-asns"' 5
tui_keys :
tui_type "filter verdict=flux or verdict=suspicious"
tui_keys Enter
tui_keys :
tui_type "domain $2 timeline"
tui_keys Enter
tui_wait "Timeline" || exit 1
wait_file "$S" '"detail '"$2"' tab=1"' || exit 1
check "the session file names the capture" grep -q "flux-demo.pcap" "$S"
for i in 1 2 3; do
	eval d=\${$i}
	check "the session file holds the mark and note of $d" sh -c \
		'tr -d "\n" <"$1" | grep -q "\"key\": \"$2\", \"marked\": true, \"note\": \"suspect number $3\""' sh "$S" "$d" "$i"
done
# Quit from the detail view (:quit), so that what the session holds at the end has it open.
# (Closing it with q first and quitting from the list saved the list alone whenever a tick,
# every 100 ms, came between the two keys: the test then depended on the machine's speed.)
tui_keys :
tui_type "quit"
tui_keys Enter
tui_dead || { tui_screen; exit 1; }

# Reopen with no capture named: the capture, the view, the marks, notes and filter come back.
tui_start 150 40 --no-geoip --session "$S"
tui_wait "Loaded" 20 || exit 1
tui_wait "Timeline" 20
check "the detail of $2 is open again, on its Timeline" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | head -1 | grep -qF "$2"' sh "$TUI_SOCK" "$2"
tui_keys 1
tui_wait "Note " || true
check "its Summary shows the note" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -q "Note .*\[marked\] suspect number 2"' sh "$TUI_SOCK"
# m on a Spread line marks that address (not the domain).
tui_keys 3
tui_keys j
tui_keys m
tui_wait "address " 5 || true
addr=$(tui_screen | sed -nE 's/^address ([0-9a-f.:]+) marked.*/\1/p' | head -1)
check "m on a Spread line marks its address ($addr)" test -n "$addr"
[ -n "$addr" ] && wait_file "$S" "\"key\": \"$addr\", \"marked\": true" 5
tui_keys :
tui_type "note hosting seen in case 4711"
tui_keys Enter
tui_wait "note on address" 5 || true
check "the Spread line of $addr shows its mark and note" sh -c \
	'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -F "$2" | grep -q "^●.*✎ hosting seen in case 4711"' sh "$TUI_SOCK" "$addr"
tui_keys Escape
tui_wait "filter: verdict=flux or verdict=suspicious" || true
check "the list has the filter again" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -qF "filter: verdict=flux or verdict=suspicious"' sh "$TUI_SOCK"
check "the column choice came back (no ASN column)" sh -c '! tmux -L "$1" capture-pane -p -t fs:0.0 | sed -n 2p | grep -q "ASNs"' sh "$TUI_SOCK"
check "three marked" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -q "3 marked"' sh "$TUI_SOCK"
# SIGKILL right after a change: mark a fourth (an address, by command) and kill.
tui_keys :
tui_type "mark address 192.0.2.77"
tui_keys Enter
wait_file "$S" '"key": "192.0.2.77", "marked": true' 5
pid=$(pgrep -f -- "^$FLUXSCOPE .*--session $S" | head -1)
check "fluxscope is running (pid $pid)" test -n "$pid"
kill -KILL "$pid" 2>/dev/null
tui_dead
check "after SIGKILL the session still parses and holds the address mark" sh -c \
	'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert any(m[\"key\"]==\"192.0.2.77\" and m[\"marked\"] for m in d[\"marks\"])" "$1"' sh "$S"
check "no temporary file is left beside it... (or only one of the killed process)" sh -c \
	'[ $(ls "$1" | grep -c "inv.session.tmp") -le 1 ]' sh "$W"

# Headless from the session: --report lists the marks and notes, the JSON carries them, and
# --export writes the marked domains with their notes as comments.
$FLUXSCOPE --no-geoip --session "$S" --report >"$W/rep.txt" 2>/dev/null
for i in 1 2 3; do
	eval d=\${$i}
	check "--report --session lists $d with its note" grep -q "^domain  *$d  *\[marked\] suspect number $i" "$W/rep.txt"
done
$FLUXSCOPE --no-geoip --session "$S" --report --json --all --filter marked=yes >"$W/rep.json" 2>/dev/null
check "--report --json --filter marked=yes gives the 3 marked domains" test "$(grep -c '"marked":true' "$W/rep.json")" -eq 3
check "... with their notes" test "$(grep -c '"note":"suspect number [123]"' "$W/rep.json")" -eq 3
$FLUXSCOPE --no-geoip --session "$S" --export rpz -o "$W/marked.rpz" 2>"$W/exp.err"
check "--export from the session: the 3 marked domains ($(tail -1 "$W/exp.err"))" \
	test "$(grep -c 'CNAME	\.$' "$W/marked.rpz")" -eq 3
check "... each with its note as a comment" test "$(grep -c '| note: suspect number [123]$' "$W/marked.rpz")" -eq 3
if command -v named-checkzone >/dev/null; then
	check "... and the zone loads in BIND" named-checkzone -q rpz.fluxscope.local "$W/marked.rpz"
fi

# A damaged and a foreign file: refused, named, untouched.
printf '{"format": "fluxscope-session", "version": 1, "marks": [' >"$W/damaged.session"
printf '{"name": "not a session", "items": [1, 2, 3]}\n' >"$W/foreign.session"
for f in damaged foreign; do
	cp "$W/$f.session" "$W/$f.orig"
	$FLUXSCOPE --no-geoip --session "$W/$f.session" $PCAP >"$W/$f.out" 2>"$W/$f.err"
	rc=$?
	check "$f session: exit 2 (got $rc): $(cat "$W/$f.err")" test $rc -eq 2
	check "$f session: the message names the file" grep -qF "$W/$f.session" "$W/$f.err"
	check "$f session: left byte for byte as it was" cmp -s "$W/$f.session" "$W/$f.orig"
done
tui_done
