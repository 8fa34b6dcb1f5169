#!/bin/sh
# Stopping a live capture loses nothing (issue 16), as root on the loopback (CI runs as root).
# With TPACKET_V3 the kernel hands its last, partly filled block over only when the block timer
# fires (50 ms): a capture that stops reading at once loses the frames of the last ~50 ms.
# tcpreplay replays the labelled flux sample (17,355 frames) onto lo at 20,000 packets/s while
#   fluxscope -i lo --report --json --all --stats -w FILE
# captures it, and the stop comes right after tcpreplay returns (the next command of the same
# shell, a few milliseconds after the last frame; the gap is measured and printed):
#   1. SIGINT, SIGTERM, SIGINT, SIGTERM (headless: the loss depended on where the stop fell in
#      the 50 ms block period, so more than one run), 2. q in the TUI (tmux), then q to quit.
# Asserted each time: the -w file holds every frame sent, in order (tshark, frame by frame,
# frames of 127.0.0.0/8 and ::1 left aside: other tests' resolvers); the analysis took every
# captured frame (no drop of any kind; --stats packets = frames in -w); headless, the report is
# the report of the -w file read offline, byte for byte; in the TUI, the status bar counts the
# frames of the -w file.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: capturing on lo needs root (CI runs as root)"
	exit 0
fi
for t in tcpreplay tshark capinfos flock python3 tmux; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing (scripts/deps.sh test)"; exit 1; }
done

W="$BUILD/e2e/live-stop"
rm -rf "$W"
mkdir -p "$W"
chmod 755 "$W"
W=$(cd "$W" && pwd)
ROOT=$(pwd)
CMP="python3 $ROOT/tests/e2e/live_compare.py"
SAMPLE="$ROOT/samples/flux-demo.pcap"
SENT=$(capinfos -M -c "$SAMPLE" | awk '/Number of packets/ { print $NF }')
NOT_LO='!(ip.addr == 127.0.0.0/8) && !(ipv6.addr == ::1)'
PPS=20000

FS_PID=""
TSOCK="fs-live-stop-$$"
stop() {
	[ -n "$FS_PID" ] && kill -9 "$FS_PID" 2>/dev/null
	tmux -L "$TSOCK" kill-server 2>/dev/null
	FS_PID=""
}
trap stop EXIT INT TERM

exec 9>"/tmp/fluxscope-live-e2e.lock"   # one replay onto lo at a time on this machine
flock -w 900 9 || { echo "FAIL: another live capture test holds the lock"; exit 1; }

wait_for() {   # wait_for FILE TEXT: up to 20 s
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 400 ] && return 1
		sleep 0.05
	done
	return 0
}
stat_of() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
frames_in() { capinfos -M -c "$1" 2>/dev/null | awk '/Number of packets/ { print $NF }'; }
# Milliseconds between the last frame of the -w file matching the sample and time $2 (epoch s).
gap_ms() {
	last=$(tshark -n -r "$1" -Y "$NOT_LO" -T fields -e frame.time_epoch 2>/dev/null | tail -1)
	awk -v a="$last" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}

# What the -w file must hold, and that the analysis had all of it.
check_capture() {   # check_capture LABEL WFILE
	n=$(frames_in "$2")
	if $CMP frames "$NOT_LO" "$SAMPLE" "$2" >"$W/frames.txt" 2>&1; then
		ok "$1: -w holds all $SENT frames sent, in order ($n frames in all): $(paste -sd';' "$W/frames.txt")"
	else
		bad "$1: -w vs sent: $(cat "$W/frames.txt")"
	fi
}

# ---- 1: headless, SIGINT and SIGTERM -----------------------------------------------------------
for sig in INT TERM INT TERM; do
	rm -f "$W/w.pcap" "$W/live.err"   # (the wait below must not see the last run's line)
	$FLUXSCOPE -i lo --no-geoip --report --json --all --stats -w "$W/w.pcap" \
		>"$W/live.json" 2>"$W/live.err" &
	FS_PID=$!
	wait_for "$W/live.err" "listening on lo" || { bad "SIG$sig run did not start: $(cat "$W/live.err")"; continue; }
	tcpreplay --intf1=lo --pps=$PPS "$SAMPLE" >"$W/rp.log" 2>&1
	t=$(date +%s.%N)
	kill -$sig "$FS_PID"
	wait "$FS_PID"
	rc=$?
	FS_PID=""
	[ $rc -eq 0 ] && ok "SIG$sig ended the capture cleanly, $(gap_ms "$W/w.pcap" "$t") ms after the last frame was captured" ||
		bad "exit status $rc after SIG$sig: $(tail -3 "$W/live.err")"
	check_capture "SIG$sig" "$W/w.pcap"
	S="$W/live.err"
	n=$(frames_in "$W/w.pcap")
	drops="$(stat_of "$S" kernel-drops)/$(stat_of "$S" interface-drops)/$(stat_of "$S" app-drops)"
	[ "$(stat_of "$S" packets)" = "$n" ] && [ "$(stat_of "$S" written-packets)" = "$n" ] && [ "$drops" = 0/0/0 ] &&
		ok "SIG$sig: the analysis took all $n captured frames (drops kernel/if/app $drops)" ||
		bad "SIG$sig: analysed $(stat_of "$S" packets), written $(stat_of "$S" written-packets), in -w $n, drops $drops"
	$FLUXSCOPE -r "$W/w.pcap" --no-geoip --report --json --all >"$W/offline.json" 2>/dev/null
	# the records after the run object (its start time and sources differ)
	tail -n +2 "$W/live.json" >"$W/live.body"; tail -n +2 "$W/offline.json" >"$W/offline.body"
	if [ -s "$W/live.body" ] && cmp -s "$W/live.body" "$W/offline.body"; then
		ok "SIG$sig: live report = report of the -w file ($(grep -c . "$W/live.body") records, $(grep -Ec '"verdict":"(single-flux|double-flux)"' "$W/live.json") flux)"
	else
		bad "SIG$sig: live and offline reports differ: $(diff "$W/live.body" "$W/offline.body" | head -c 600)"
	fi
done

# ---- 2: the TUI, q while capturing, then q to quit ---------------------------------------------
rm -f "$W/t.pcap" "$W/tui.status"
tmux -L "$TSOCK" -f /dev/null new-session -d -s fs -x 140 -y 40 \
	"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $FLUXSCOPE -i lo --no-geoip -w $W/t.pcap 2>$W/tui.err; echo \$? >$W/tui.status"
tmux -L "$TSOCK" set-option -t fs remain-on-exit on >/dev/null
screen() { tmux -L "$TSOCK" capture-pane -p -t fs:0.0 2>/dev/null; }
i=0
until screen | grep -q "Capturing on lo"; do
	i=$((i + 1)); [ $i -gt 400 ] && break; sleep 0.05
done
if screen | grep -q "Capturing on lo"; then
	tcpreplay --intf1=lo --pps=$PPS "$SAMPLE" >"$W/rp.log" 2>&1
	t=$(date +%s.%N)
	tmux -L "$TSOCK" send-keys -t fs:0.0 q
	i=0
	until screen | grep -q "Stopped after"; do
		i=$((i + 1)); [ $i -gt 400 ] && break; sleep 0.05
	done
	shown=$(screen | grep -o '[0-9,]* pkts' | head -1 | tr -d ', pkts')
	tmux -L "$TSOCK" send-keys -t fs:0.0 q
	i=0
	until [ -s "$W/tui.status" ]; do
		i=$((i + 1)); [ $i -gt 400 ] && break; sleep 0.05
	done
	[ "$(cat "$W/tui.status" 2>/dev/null)" = 0 ] && ok "TUI: q stopped the capture $(gap_ms "$W/t.pcap" "$t") ms after the last frame, q quit" ||
		bad "TUI did not quit cleanly: status '$(cat "$W/tui.status" 2>/dev/null)' $(cat "$W/tui.err")"
	check_capture "TUI" "$W/t.pcap"
	n=$(frames_in "$W/t.pcap")
	[ "$shown" = "$n" ] && ok "TUI: the status bar counted all $n frames of the -w file" ||
		bad "TUI: status bar '$shown' packets, -w $n: $(screen | tail -3)"
else
	bad "the TUI did not start capturing: $(screen | tail -5) $(cat "$W/tui.err")"
fi
tmux -L "$TSOCK" kill-server 2>/dev/null

exit $fail
