#!/bin/sh
# The filter language in the TUI (issue 13): a filter with a typo is shown with a caret under
# the column where it went wrong, `f` offers it again for editing, the corrected and/or/not
# expression keeps exactly the rows `--report --filter` lists for it; and prompt history
# survives a quit ($XDG_STATE_HOME/fluxscope/history): Up in a new run recalls a command and a
# filter typed in the first.
. "$(dirname "$0")/lib/tui.sh"
W="$BUILD/e2e/tui-filter"
rm -rf "$W"; mkdir -p "$W/state"
PCAP=samples/flux-demo.pcap
GOOD='prefixes16 > 3 and not (verdict = benign or name ~ "co")'
TUI_ENV="XDG_STATE_HOME=$(pwd)/$W/state"

# Headless, the same expression: how many rows it keeps.
$FLUXSCOPE -r $PCAP --no-geoip --report --all --json --filter "$GOOD" >"$W/report.json" 2>"$W/report.err" ||
	{ echo "FAIL: --report --filter: $(cat "$W/report.err")"; exit 1; }
WANT=$(grep -c '"kind":"domain"' "$W/report.json")
[ "$WANT" -gt 0 ] || { echo "FAIL: the filter keeps no rows headless"; exit 1; }

# Headless, a typo: the sentence with its column, then the expression with a caret under it.
$FLUXSCOPE -r $PCAP --no-geoip --report --filter 'prefixes16>3 or (asns>2 and verdict flux)' \
	>"$W/bad.out" 2>"$W/bad.err"
rc=$?
check "a bad --filter exits 2 (got $rc)" test "$rc" = 2
check "it names the option and the column: $(head -1 "$W/bad.err")" \
	grep -q "option --filter: expected an operator .* after 'verdict' (column 37)" "$W/bad.err"
check "the expression follows, the caret under column 37" sh -c '
	sed -n 2p "$1" | grep -qF "  prefixes16>3 or (asns>2 and verdict flux)" &&
	[ "$(sed -n 3p "$1")" = "$(printf "%39s" "^")" ]' sh "$W/bad.err"

tui_start 120 30 --no-geoip $PCAP
tui_wait "Loaded" 20 || exit 1
tui_wait_gone "(scoring)"
tui_keys a
tui_keys f
tui_wait "filter:" || exit 1
tui_type 'prefixes16 3 and verdict=flux'
tui_keys Enter
tui_wait "expected an operator" || exit 1
input=$(tui_screen | grep -n '^filter: prefixes16 3 and verdict=flux' | head -1)
caret=$(tui_screen | grep '\^ .*expected an operator' | head -1)
# "filter: " is 8 columns; the error is at column 12 of the expression (the '3' where an operator
# belongs), so the caret sits at screen column 8 + 11 = 19 (0-based).
pos=$(printf '%s\n' "$caret" | awk '{ print index($0, "^") - 1 }')
check "the rejected expression is shown: '$input'" test -n "$input"
check "the caret is under column 12 of it (screen column 19, got $pos): '$caret'" test "$pos" = 19
check "the message names the column: '$caret'" sh -c 'printf "%s" "$1" | grep -q "(column 12)"' sh "$caret"
# f brings the rejected text back; replace it with the corrected expression.
tui_keys f
tui_wait "filter: prefixes16 3 and verdict=flux" || exit 1
tui_keys C-u
tui_type "$GOOD"
tui_keys Enter
tui_wait "domains" || true
msg=$(tui_screen | grep -E "^filter .*: [0-9]+ " | tail -1)
got=$(printf '%s\n' "$msg" | sed -nE 's/.*: ([0-9]+) .*/\1/p')
check "the TUI keeps the rows --report keeps ($WANT): '$msg'" test "$got" = "$WANT"
# A command, for the history.
tui_keys :
tui_type "show flagged"
tui_keys Enter
tui_keys q
tui_dead >/dev/null
tui_wait "" 1 >/dev/null
check "the history file was written" test -s "$W/state/fluxscope/history"
check "it holds the command" grep -q "^command	show flagged$" "$W/state/fluxscope/history"

# A new run: Up recalls the command and the filter typed before.
tui_start 120 30 --no-geoip $PCAP
tui_wait "Loaded" 20 || exit 1
tui_keys :
tui_keys Up
tui_wait ":show flagged" || true
check "Up at ':' recalls 'show flagged' from the earlier run" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -q "^:show flagged"' sh "$TUI_SOCK"
tui_keys Escape
tui_keys f
tui_keys C-u
tui_keys Up
tui_wait "filter: $GOOD" || true
check "Up at the filter prompt recalls the corrected filter" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -qF "filter: $2"' sh "$TUI_SOCK" "$GOOD"
tui_keys Escape
tui_keys q
tui_dead >/dev/null
# The command line's selection applies in the TUI too, and --json alone is the JSON report.
$FLUXSCOPE -r $PCAP --no-geoip --json >"$W/json-alone.json" 2>/dev/null
$FLUXSCOPE -r $PCAP --no-geoip --report --json >"$W/json-report.json" 2>/dev/null
# (after the first line, the run object, whose start time differs)
check "--json alone gives the --report --json output" sh -c 'test -s "$1" && head -1 "$1" | grep -q "^{\"kind\":\"run\"" && tail -n +2 "$1" >"$1.body" && tail -n +2 "$2" >"$2.body" && cmp -s "$1.body" "$2.body"' sh "$W/json-alone.json" "$W/json-report.json"
tui_start 120 30 --no-geoip --filter 'verdict=flux' --min-score 99 $PCAP
tui_wait "Loaded" 20 || exit 1
tui_wait "(verdict=flux) and score>=99" 10
check "--filter and --min-score start the TUI filtered" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -qF "filter: (verdict=flux) and score>=99"' sh "$TUI_SOCK"
tui_keys q
tui_dead >/dev/null
tui_done
