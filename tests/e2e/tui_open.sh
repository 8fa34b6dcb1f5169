#!/bin/sh
# Several captures in one investigation (issue 13): ":open FILE" reads a second capture into
# the same store while the TUI runs; a domain answered in both shows, in its Timeline, a row
# from each file, named; the session keeps both captures, so reopening it reads both again,
# and --report from the session lists both sources.
. "$(dirname "$0")/lib/tui.sh"
W="$BUILD/e2e/tui-open"
rm -rf "$W"; mkdir -p "$W"
W=$(cd "$W" && pwd)
A=samples/flux-demo.pcap
B=samples/flux-demo-upstream.pcap
D=m.metrowave.top          # one response in each capture
S="$W/two.session"
TUI_ENV="XDG_STATE_HOME=$W/state"

tui_start 160 40 --no-geoip --session "$S" $A
tui_wait "Loaded" 20 || exit 1
tui_keys :
tui_type "open $B"
tui_keys Enter
tui_wait "flux-demo-upstream.pcap read:" 30 || exit 1
check "the second capture was read: $(tui_screen | grep 'read:' | head -1)" \
	sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -q "flux-demo-upstream.pcap read: [1-9][0-9]* packets added"' sh "$TUI_SOCK"
tui_wait_gone "(scoring)" 20
tui_keys :
tui_type "domain $D timeline"
tui_keys Enter
tui_wait "Timeline" || exit 1
sleep 0.5
check "$D's Timeline has a row from flux-demo.pcap" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -q "flux-demo\.pcap"' sh "$TUI_SOCK"
check "... and one from flux-demo-upstream.pcap" sh -c 'tmux -L "$1" capture-pane -p -t fs:0.0 | grep -q "flux-demo-upstream\.pcap"' sh "$TUI_SOCK"
tui_screen >"$W/timeline.txt"
tui_keys q q
tui_dead >/dev/null
check "the session holds both captures" sh -c 'grep -q "flux-demo.pcap\"" "$1" && grep -q "flux-demo-upstream.pcap\"" "$1"' sh "$S"

# Reopen: both are read again.
$FLUXSCOPE --no-geoip --session "$S" --report --json --all >"$W/rep.json" 2>/dev/null
check "--report from the session lists both sources" sh -c \
	'head -1 "$1" | grep -q "flux-demo.pcap" && head -1 "$1" | grep -q "flux-demo-upstream.pcap"' sh "$W/rep.json"
n=$(grep "\"domain\":\"$D\"" "$W/rep.json" | sed -n 's/.*"responses":\([0-9]*\).*/\1/p')
check "$D has its 2 responses (one per capture) after reopening (got $n)" test "$n" = 2
tui_done
