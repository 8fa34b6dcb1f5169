#!/bin/sh
# make bench, section "TUI loading a large capture" (issue 11): a capture of
# BENCH_TUI_LOAD_PACKETS packets (default 10,000,000; bench/gen_capture) loaded headless
# (--report --json to /dev/null, the time to beat) and in the TUI (tmux), with keys sent every
# 0.2 s while it loads. Prints the headless time, the TUI's load time and their ratio (target
# at most 1.5), when the first flagged row showed (target: before loading ends), the longest
# time from a key to its frame and the longest wait of the UI thread for the store
# (FLUXSCOPE_UI_STATS; keystrokes target under 50 ms),
# and the peak RSS of each. Figures, never pass/fail. Environment: BUILD, BENCH_TUI_LOAD_PACKETS.
set -u
B=${BUILD:-build}
FS="$B/fluxscope"
N=${BENCH_TUI_LOAD_PACKETS:-10000000}
CAP="$B/bench/tui-load-$N.pcap"
command -v tmux >/dev/null || { echo "skipped: no tmux"; exit 0; }
[ -s "$CAP" ] || "$B/bench/gen_capture" -n "$N" -o "$CAP" >/dev/null || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "capture: $CAP ($N packets), load before: $(cut -d' ' -f1 /proc/loadavg)"
/usr/bin/time -o "$T/h.time" -f "%e %U %S %M" "$FS" -r "$CAP" --no-geoip --report --json >/dev/null 2>&1
read -r hw hu hs hm < "$T/h.time"
printf "headless --report --json: %s s wall, %.2f s cpu, %d MiB peak RSS\n" "$hw" "$(echo "$hu + $hs" | bc)" $((hm / 1024))

S="fs-bench-load-$$"
tmux -L "$S" -f /dev/null new-session -d -s fs -x 140 -y 40 \
	"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 FLUXSCOPE_UI_STATS=$T/ui.stats /usr/bin/time -o $T/t.time -f '%e %U %S %M' $FS -r $CAP --no-geoip; echo \$? >$T/tui.status"
scr() { tmux -L "$S" capture-pane -p -t fs:0.0 2>/dev/null; }
tk() { tmux -L "$S" send-keys -t fs:0.0 "$@" 2>/dev/null; }
t0=$(date +%s.%N)
first=""
n=0
while :; do
	s=$(scr)
	now=$(date +%s.%N)
	if [ -z "$first" ] && printf '%s\n' "$s" | sed -n '3,$p' | grep -qE '^ +(single-flux|double-flux|suspicious) '; then
		if printf '%s\n' "$s" | grep -q "^Loaded "; then first="after"; else first=$(echo "$now - $t0" | bc); fi
	fi
	printf '%s\n' "$s" | grep -q "^Loaded " && break
	[ "$(echo "$now - $t0 > 3600" | bc)" = 1 ] && break
	n=$((n + 1))
	if [ $((n % 2)) = 0 ]; then tk j; else tk k; fi
	sleep 0.2
done
loaded=$(echo "$(date +%s.%N) - $t0" | bc)
line=$(scr | grep "^Loaded " | head -1)
tk q
sleep 1
tk q
i=0
until [ -s "$T/tui.status" ]; do i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1; done
tmux -L "$S" kill-server 2>/dev/null
echo "TUI: $line"
printf "TUI: loaded after %.1f s on this script's clock; %d key presses sent while loading\n" "$loaded" "$n"
if [ -s "$T/t.time" ]; then
	read -r tw tu ts tm < "$T/t.time"
	printf "TUI process: %.2f s cpu until quit, %d MiB peak RSS\n" "$(echo "$tu + $ts" | bc)" $((tm / 1024))
fi
printf "ratio TUI load / headless report: %.2f (target <= 1.5)\n" "$(echo "$loaded / $hw" | bc -l)"
if [ "$first" = "after" ] || [ -z "$first" ]; then
	echo "first flagged row: not before loading ended (target: while loading)"
else
	printf "first flagged row: %.1f s after start, while loading (target: while loading)\n" "$first"
fi
if [ -s "$T/ui.stats" ]; then
	st() { awk -v k="$1" '$1 == k { print $2 }' "$T/ui.stats"; }
	printf "UI thread: %s keys handled, the longest from a key to its frame %s ms (target under 50 ms);\n" \
		"$(st ui-keys)" "$(st ui-key-ms-max)"
	printf "  longest wait for the store lock %s ms over %s tries, %s gave up and showed 'updating'\n" \
		"$(st ui-lock-wait-ms-max)" "$(st ui-lock-tries)" "$(st ui-lock-busy)"
fi
