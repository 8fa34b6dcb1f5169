#!/bin/sh
# :probe in the TUI (issue 17), driven through tmux against the loopback DNS lab of
# tests/e2e/lib/probe_lab.sh: `:probe flux.probe-lab` on a capture that does not hold the name
# brings its row into the list while the probe runs (the UI thread never waits), the detail's
# timeline gains rows as answers arrive, the summary's verdict and NS-set changes update, the
# status bar shows the probe's progress and `:probe stop` ends it. `--probe NAME` without a
# headless mode opens the TUI with the probe running. --no-probe refuses :probe.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
W="$BUILD/e2e/tui-probe"
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
for t in knotd knsupdate unbound dig python3 tmux; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing (scripts/deps.sh test installs it)"; exit 1; }
done
TUI_ENV="XDG_STATE_HOME=$W/state"
. tests/e2e/lib/tui.sh
. tests/e2e/lib/probe_lab.sh
trap 'tui_cleanup; lab_stop' EXIT
trap 'tui_cleanup; lab_stop; exit 1' INT TERM
P=$((20000 + ($$ + 4500) % 9000))
UB=$((P + 1))
lab_start || { echo "FAIL: the lab did not start"; exit 1; }
echo "ok: lab up (servers on port $P, Unbound on $UB)"

PCAP=tests/data/pcaps/dnscap-dns.pcap
ARGS="-r $PCAP --no-geoip --resolver 127.0.0.1:$UB --probe-port $P --probe-allow-private --probe-timeout 800 --probe-count 8 --probe-interval 2"

# the number in "N responses in M rows" of the timeline tab, 0 when not shown
responses() { tui_screen | sed -n 's/^ *\([0-9][0-9]*\) responses in [0-9]* rows.*/\1/p' | head -1; }
# the NS-set changes of the summary tab
ns_changes() { tui_screen | sed -n 's/^ Nameservers .* \([0-9][0-9]*\) NS-set changes.*/\1/p' | head -1; }

tui_start 160 45 $ARGS
tui_wait "82 DNS" 15
check "flux.probe-lab is not in the capture" sh -c "! tmux -L $TUI_SOCK capture-pane -p -t $TUI_T | grep -q flux.probe-lab"
tui_keys :; tui_type "show all"; tui_keys Enter
tui_keys :; tui_type "probe flux.probe-lab"; tui_keys Enter
tui_wait "probe flux.probe-lab: round" 15 && echo "ok: the status bar shows the probe's progress"
tui_wait "flux.probe-lab " 15 && echo "ok: the probed name's row arrived while the probe runs"
tui_keys :; tui_type "search flux.probe-lab"; tui_keys Enter
tui_keys Enter
tui_wait "Verdict" 10
tui_keys :; tui_type "tab timeline"; tui_keys Enter
tui_wait " rows" 10
r1=$(responses)
# new rows arrive: wait (polling, no fixed sleep) for at least 12 more responses
n=0; r2=$r1
while [ "$n" -lt 400 ] && [ "${r2:-0}" -lt $((${r1:-0} + 12)) ]; do sleep 0.05; n=$((n + 1)); r2=$(responses); done
if [ "${r2:-0}" -ge $((${r1:-0} + 12)) ]; then
	echo "ok: the timeline grew from $r1 to $r2 responses while the detail was open"
else
	echo "FAIL: the timeline stayed at $r1 -> $r2 responses"; tui_screen; TUI_FAILS=$((TUI_FAILS + 1))
fi
tui_keys :; tui_type "tab summary"; tui_keys Enter
tui_wait "Verdict      double-flux" 30 && echo "ok: the verdict reached double-flux"
c1=$(ns_changes)
n=0; c2=$c1
while [ "$n" -lt 400 ] && [ "${c2:-0}" -le "${c1:-0}" ]; do sleep 0.05; n=$((n + 1)); c2=$(ns_changes); done
if [ "${c2:-0}" -gt "${c1:-0}" ]; then
	echo "ok: the summary updated: NS-set changes $c1 -> $c2"
else
	echo "FAIL: NS-set changes stayed $c1 -> $c2"; tui_screen; TUI_FAILS=$((TUI_FAILS + 1))
fi
tui_keys :; tui_type "probe stop"; tui_keys Enter
tui_wait "probe flux.probe-lab: stopped" 10 && echo "ok: :probe stop ends it: $(tui_screen | grep -o 'probe flux.probe-lab: stopped.*' | head -1)"
tui_wait_gone "probe flux.probe-lab: round" 5
tui_keys :; tui_type "quit -f"; tui_keys Enter
st=$(tui_dead 10)
[ "$st" = 0 ] && echo "ok: quit with status 0" || { echo "FAIL: exit status $st"; TUI_FAILS=$((TUI_FAILS + 1)); }

# --probe NAME with no headless mode: the TUI opens with the probe started (no capture needed)
PARGS=$(echo "$ARGS" | sed "s|-r $PCAP ||")
tui_start 160 45 --probe flux.probe-lab $PARGS
tui_wait "probe flux.probe-lab: round" 15 && echo "ok: --probe NAME opened the TUI with the probe running"
tui_keys :; tui_type "show all"; tui_keys Enter
tui_wait "flux.probe-lab " 15 && echo "ok: the probed name's row arrived"
tui_keys :; tui_type "probe stop"; tui_keys Enter
tui_wait "probe flux.probe-lab: stopped" 10 && echo "ok: :probe stop ends the probe --probe started"
tui_keys :; tui_type "quit -f"; tui_keys Enter
st=$(tui_dead 10)
[ "$st" = 0 ] && echo "ok: quit with status 0" || { echo "FAIL: exit status $st"; TUI_FAILS=$((TUI_FAILS + 1)); }

# --no-probe: refused in one sentence (no probe is made)
tui_start 160 45 $ARGS --no-probe
tui_wait "82 DNS" 15
tui_keys :; tui_type "probe stable.probe-lab"; tui_keys Enter
tui_wait "probing is turned off (--no-probe)" 10 && echo "ok: --no-probe refuses :probe"
tui_keys :; tui_type "quit -f"; tui_keys Enter
tui_dead 10 >/dev/null

[ "$TUI_FAILS" -eq 0 ]
