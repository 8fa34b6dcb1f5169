#!/bin/sh
# make bench, live capture soak (issue 7). Two parts, both bounded in time by default:
#
#  1. Rate ladder on lo (root only): fluxscope -i lo headless (decoder, store, -w) while
#     tcpreplay replays the labelled sample at increasing rates (--pps, then --topspeed),
#     LIVE_STEP_S seconds per step. For each step: the rate achieved, DNS messages per second,
#     drops by kind (kernel, interface, application), CPU use of fluxscope during the replay
#     (from /proc/PID/stat) and its RSS; then the highest DNS message rate with zero drops.
#     tcpreplay runs on the same two shared cores, so the ceiling is a lower bound. The best
#     zero-drop rate and the one above are run again in libpcap immediate mode (TPACKET_V2),
#     which fluxscope does not use by default (include/fluxscope/capture.h says why).
#  2. Memory after SOAK_SECONDS (default one hour) of simulated traffic at SOAK_RATE responses
#     per second (bench/gen_soak.c: popular names, names seen once, CDN rotation, 20 flux
#     names; capture time spans the hour, replayed as fast as it goes through -r -) under
#     --max-memory SOAK_MB: peak RSS, store size, ageing runs and their cost, what was aged
#     out, and whether the 20 flux names are still flagged at the end. For comparison the
#     same traffic without a budget for SOAK_REF_SECONDS (default a quarter of an hour).
#
#  3. The TUI on the same traffic under --max-memory SOAK_MB (tmux): the longest wait of its
#     thread on the store lock (target under 50 ms), and the longest 'updating' stretch.
#
# Environment: BUILD; LIVE_RATES (default "2000 5000 10000 20000 40000 topspeed"),
# LIVE_STEP_S (4), SOAK_SECONDS (3600), SOAK_RATE (500), SOAK_MB (256), SOAK_REF_SECONDS (900),
# SOAK_TUI (1; 0 skips part 3).
# A longer soak: SOAK_SECONDS=86400 LIVE_STEP_S=30 make bench.
set -u
B=${BUILD:-build}
FS="$B/fluxscope"
GEN="$B/bench/gen_soak"
SAMPLE=samples/flux-demo.pcap
RATES=${LIVE_RATES:-"2000 5000 10000 20000 40000 topspeed"}
STEP=${LIVE_STEP_S:-4}
SOAK_SECONDS=${SOAK_SECONDS:-3600}
SOAK_RATE=${SOAK_RATE:-500}
SOAK_MB=${SOAK_MB:-256}
SOAK_REF_SECONDS=${SOAK_REF_SECONDS:-900}
T="$B/bench/live"
mkdir -p "$T"
HZ=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
stat_of() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }

# ---- 1. rate ladder ----------------------------------------------------------------------------
ladder_step() {   # ladder_step RATE [immediate]: one line of the table
	rate=$1
	imm=${2:-0}
	n=$(capinfos -M -c "$SAMPLE" | awk '/Number of packets/ { print $NF }')
	if [ "$rate" = topspeed ]; then
		loops=$((STEP * 100000 / n + 1)); speed="--topspeed"
	else
		loops=$(((rate * STEP + n - 1) / n)); speed="--pps=$rate"
	fi
	rm -f "$T/step.pcap"*
	FLUXSCOPE_PCAP_IMMEDIATE=$imm "$FS" -i lo --no-geoip --report --stats --duration 600 \
		-w "$T/step.pcap" >/dev/null 2>"$T/step.err" &
	pid=$!
	i=0
	while ! grep -q "listening on" "$T/step.err" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	c0=$(cpu_ticks $pid)
	t0=$(date +%s.%N)
	tcpreplay --intf1=lo $speed --loop="$loops" "$SAMPLE" >"$T/step.rp" 2>&1
	# Until the analysis has caught up (the hand-off ring may still hold frames): CPU time
	# stops growing for 0.3 s.
	c1=$(cpu_ticks $pid)
	while sleep 0.3; c2=$(cpu_ticks $pid); [ "$c2" != "$c1" ]; do c1=$c2; done
	t1=$(date +%s.%N)
	rss=$(rss_kb $pid)
	kill -INT $pid
	wait $pid
	sent=$(awk '/Successful packets:/ { print $3 }' "$T/step.rp")
	pps=$(awk '/^Rated:/ { print $(NF-1) }' "$T/step.rp")
	secs=$(awk '/^Actual:/ { for (i = 1; i <= NF; i++) if ($i == "seconds") print $(i-1) }' "$T/step.rp")
	S="$T/step.err"
	pk=$(stat_of "$S" packets); dm=$(stat_of "$S" dns-messages)
	kd=$(stat_of "$S" kernel-drops); id=$(stat_of "$S" interface-drops); ad=$(stat_of "$S" app-drops)
	awk -v r="$rate$( [ "$imm" = 1 ] && echo ' (imm)')" -v pps="$pps" -v secs="$secs" -v sent="$sent" \
	    -v pk="$pk" -v dm="$dm" -v kd="$kd" -v id="$id" -v ad="$ad" -v c="$((c1 - c0))" -v hz="$HZ" \
	    -v t0="$t0" -v t1="$t1" -v rss="$rss" 'BEGIN {
		dps = secs > 0 ? dm * (sent > 0 ? (pk < sent ? pk : sent) / pk : 1) / secs : 0
		cpu = secs > 0 ? 100 * c / hz / secs : 0
		us = dm > 0 ? 1e6 * c / hz / dm : 0
		printf "%-15s %10.0f %10.0f %9d %9d %8d %6d %8d %6.0f%% %6.2f %7.0f\n", r, pps, dps, sent, pk, kd, id, ad, cpu, us, rss / 1024
		printf "%s %.0f %d\n", r, dps, kd + id + ad > "/dev/stderr"
	}' 2>>"$T/ladder.sum"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "rate ladder skipped: capturing on lo needs root"
elif ! command -v tcpreplay >/dev/null || [ ! -x "$FS" ]; then
	echo "rate ladder skipped: tcpreplay or $FS missing"
else
	exec 9>"/tmp/fluxscope-live-e2e.lock"    # no e2e replay onto lo at the same time
	flock -w 900 9
	: >"$T/ladder.sum"
	echo "fluxscope -i lo --report --stats -w FILE (default filter, -B 32) while tcpreplay replays"
	echo "$SAMPLE (17,355 packets, 94% DNS messages) onto lo, about ${STEP} s per step:"
	echo "(CPU: fluxscope's CPU time until it caught up, over the replay time; us/msg: the same per DNS message)"
	printf "%-15s %10s %10s %9s %9s %8s %6s %8s %7s %6s %7s\n" "target pps" "sent pps" "DNS msg/s" \
	       "sent" "captured" "kernel" "iface" "app" "CPU" "us/msg" "RSS MB"
	for r in $RATES; do
		ladder_step "$r"
	done
	best=$(awk '!/imm/ && $3 == 0 && $2 > b { b = $2; r = $1 } END { print r }' "$T/ladder.sum")
	bestrate=$(awk '!/imm/ && $3 == 0 && $2 > b { b = $2 } END { printf "%.0f", b }' "$T/ladder.sum")
	next=$(awk -v best="$best" 'found { print $1; exit } $1 == best { found = 1 }' "$T/ladder.sum")
	if [ -n "$best" ]; then
		echo "highest DNS message rate with zero drops (kernel, interface and application): $bestrate msg/s (step $best)"
		echo "the same steps in libpcap immediate mode (TPACKET_V2; not the default):"
		for r in $best $next; do
			ladder_step "$r" 1
		done
	else
		echo "no step ran without drops"
	fi
	flock -u 9
	rm -f "$T/step.pcap"*
fi

# ---- 2. memory after an hour of simulated traffic ------------------------------------------------
if [ -x "$GEN" ] && [ -x "$FS" ]; then
	soak() {   # soak SECONDS [--max-memory MB]
		secs=$1; shift
		"$GEN" -s "$secs" -r "$SOAK_RATE" -o - 2>/dev/null |
			/usr/bin/time -f "%e %U %S %M" -o "$T/soak.time" \
			"$FS" -r - --no-geoip --report --json --stats "$@" >"$T/soak.json" 2>"$T/soak.err"
		read -r wall user sys maxrss <"$T/soak.time"
		flux=$(grep -c '"domain":"login[0-9]*\.fluxbench[0-9]*\.example".*"verdict":"single-flux"' "$T/soak.json")
		flagged=$(grep '"kind":"domain"' "$T/soak.json" | grep -Ec '"verdict":"(suspicious|single-flux|double-flux)"')
		label=${*:-"no budget"}
		printf "%-18s %6s s of traffic: %5d MB peak RSS, %s msgs in %.1f s (CPU %.1f s); flux names flagged %s/20, %s flagged in all\n" \
		       "$label" "$secs" "$((maxrss / 1024))" "$(stat_of "$T/soak.err" dns-messages)" "$wall" \
		       "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$flux" "$flagged"
		if grep -q '^ageing-runs' "$T/soak.err"; then
			printf "%-18s store %s MB of a %s MB share; %s ageing runs (max %s ms, total %s s); %s domains and %s responses aged out; %s pinned as flagged; %s runs over budget\n" "" \
			       "$(($(stat_of "$T/soak.err" store-bytes) / 1048576))" "$(($(stat_of "$T/soak.err" store-budget-bytes) / 1048576))" \
			       "$(stat_of "$T/soak.err" ageing-runs)" "$(stat_of "$T/soak.err" ageing-ms-max)" \
			       "$(awk '$1 == "ageing-ms-total" { printf "%.1f", $2 / 1000 }' "$T/soak.err")" \
			       "$(stat_of "$T/soak.err" expired-domains)" "$(stat_of "$T/soak.err" expired-responses)" \
			       "$(stat_of "$T/soak.err" pinned-flagged)" "$(stat_of "$T/soak.err" ageing-over-budget)"
			printf "%-18s locks: detection under the read lock, at most %s ms; %s write-locked steps, the longest %s ms\n" "" \
			       "$(stat_of "$T/soak.err" ageing-detect-ms-max)" "$(stat_of "$T/soak.err" ageing-steps)" \
			       "$(stat_of "$T/soak.err" ageing-lock-ms-max)"
		fi
	}
	echo
	echo "memory: bench/gen_soak at $SOAK_RATE responses/s of capture time (popular names, names seen once,"
	echo "CDN rotation, 20 flux names), through fluxscope -r - --report --stats:"
	soak "$SOAK_SECONDS" --max-memory "$SOAK_MB"
	soak "$SOAK_REF_SECONDS"
	rm -f "$T/soak.json"
fi

# ---- 3. the TUI during the soak: how long its thread waits for the store ------------------------
# The same traffic (written to a file first) in the TUI under --max-memory SOAK_MB, in tmux:
# the detail of a flux name is open the whole time (rebuilt from the store at every snapshot),
# its tabs switched every 0.3 s and the export dialog opened and closed every ~2 s, until
# loading ends; then quit. The TUI writes the waits of its own thread on the store lock
# (FLUXSCOPE_UI_STATS; src/ui/app.h): the longest wait (target under 50 ms: it gives up after
# APP_LOCK_WAIT_MS and shows "updating"), and the longest stretch it showed "updating".
if [ "${SOAK_TUI:-1}" = 1 ] && [ -x "$GEN" ] && [ -x "$FS" ] && command -v tmux >/dev/null; then
	S="fs-bench-tui-$$"
	"$GEN" -s "$SOAK_SECONDS" -r "$SOAK_RATE" -o "$T/soak-tui.pcap" 2>/dev/null
	rm -f "$T/ui.stats" "$T/tui.status"
	tmux -L "$S" -f /dev/null new-session -d -s fs -x 140 -y 40 \
		"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 FLUXSCOPE_UI_STATS=$T/ui.stats $FS -r $T/soak-tui.pcap --no-geoip --max-memory $SOAK_MB; echo \$? >$T/tui.status"
	scr() { tmux -L "$S" capture-pane -p -t fs:0.0 2>/dev/null; }
	tk() { tmux -L "$S" send-keys -t fs:0.0 "$@"; }
	i=0
	until scr | grep -q fluxbench; do i=$((i + 1)); [ $i -gt 3000 ] && break; sleep 0.1; done
	tk /
	tk -l fluxbench
	tk Enter Enter
	t0=$(date +%s)
	n=0
	while ! scr | grep -q "Loaded" && [ $(($(date +%s) - t0)) -lt 3600 ]; do
		n=$((n + 1))
		tk $((n % 5 + 1))
		if [ $((n % 7)) = 0 ]; then tk e; sleep 0.3; tk Escape; fi
		sleep 0.3
	done
	secs=$(($(date +%s) - t0))
	tpid=$(pgrep -f "^$FS -r $T/soak-tui.pcap" | head -1)
	thwm=$(rss_kb "$tpid")
	tk q
	sleep 1
	tk q
	i=0
	until [ -s "$T/tui.status" ]; do i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1; done
	tmux -L "$S" kill-server 2>/dev/null
	echo
	echo "the TUI on the same traffic under --max-memory $SOAK_MB (tmux; the detail of a flux name open, tabs"
	echo "switched every 0.3 s, the export dialog opened every ~2 s; $n key rounds over ${secs} s of loading):"
	if [ -s "$T/ui.stats" ]; then
		U="$T/ui.stats"
		printf "  longest wait of the UI thread for the store lock: %s ms (%s attempts, %s gave up after %s ms\n" \
		       "$(stat_of "$U" ui-lock-wait-ms-max)" "$(stat_of "$U" ui-lock-tries)" "$(stat_of "$U" ui-lock-busy)" \
		       "$(awk '/define APP_LOCK_WAIT_MS/ { print $3 }' src/ui/app.h)"
		printf "  and showed 'updating'; the longest 'updating' stretch %s ms); ageing: %s runs, %s write-locked\n" \
		       "$(stat_of "$U" ui-updating-ms-max)" "$(stat_of "$U" ageing-runs)" "$(stat_of "$U" ageing-steps)"
		printf "  steps, the longest %s ms; the longest run %s ms; peak RSS %s MB (exit status %s)\n" \
		       "$(stat_of "$U" ageing-lock-ms-max)" "$(stat_of "$U" ageing-ms-max)" "$((${thwm:-0} / 1024))" \
		       "$(cat "$T/tui.status" 2>/dev/null)"
	else
		echo "  no figures: the TUI did not write $T/ui.stats (exit status $(cat "$T/tui.status" 2>/dev/null))"
	fi
	rm -f "$T/soak-tui.pcap"
fi
