#!/bin/sh
# dnstap from a real resolver (issue 12): Unbound on 127.0.0.1 (unprivileged port, its own
# config and folder) serves a local zone whose records change (unbound-control local_data):
# flux.dnstap.test gets two new addresses every round, stable.dnstap.test keeps one. dig asks
# both every round. Unbound sends dnstap (client queries and responses, identity
# "unbound-e2e") over Frame Streams (bidirectional handshake) to
#   1. fluxscope --dnstap unix:SOCK --report --json --all --stats --duration: live;
#   2. fstrm_capture, whose file is then read with fluxscope -r;
# and 3. Knot Resolver (kresd, Debian's knot-resolver) forwarding to an Unbound that holds the
# changing zone, sending its own dnstap (identity "kresd-e2e") to fluxscope --dnstap.
# Asserted each time: the report holds both domains with exactly the addresses dig printed,
# flux.dnstap.test flagged single-flux and stable.dnstap.test not; the feed is listed with its
# identity, messages and no errors or drops; the vantage is the client side. Also: a second
# Unbound connecting to the same socket shows as a second feed; a resolver that goes away is
# shown disconnected; a bad endpoint and a socket in use are one sentence. Everything started
# here is stopped by the trap.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
. tests/e2e/lib/unbound.sh
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
for t in unbound unbound-control kresd dig fstrm_capture python3 ss; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing (scripts/deps.sh test)"; exit 1; }
done
W="$BUILD/e2e/feeds-dnstap"
rm -rf "$W"; mkdir -p "$W"
W=$(cd "$W" && pwd)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT INT TERM
wait_for() {   # wait_for FILE PATTERN: up to 10 s
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.1
	done
}
PORT=$((30000 + $$ % 20000))

unbound_conf() {   # unbound_conf NAME PORT SOCKET IDENTITY (SOCKET "": no dnstap)
	mkdir -p "$W/$1"
	{ unbound_server "$2" "$W/$1"; cat <<EOC
	local-zone: "dnstap.test." static
	local-data: "stable.dnstap.test. 30 IN A 192.0.2.80"
remote-control:
	control-enable: yes
	control-interface: "$W/$1/unbound.ctl"
	control-use-cert: no
EOC
	} >"$W/$1/unbound.conf"
	[ -n "$3" ] && cat >>"$W/$1/unbound.conf" <<EOC
dnstap:
	dnstap-enable: yes
	dnstap-socket-path: "$3"
	dnstap-send-identity: yes
	dnstap-identity: "$4"
	dnstap-log-client-query-messages: yes
	dnstap-log-client-response-messages: yes
EOC
	unbound-checkconf "$W/$1/unbound.conf" >/dev/null || bad "unbound-checkconf $1"
}
start_unbound() {   # start_unbound NAME: sets UB_PID
	unbound -d -c "$W/$1/unbound.conf" >"$W/$1/stderr" 2>&1 &
	UB_PID=$!
	PIDS="$PIDS $UB_PID"
	i=0
	until unbound-control -c "$W/$1/unbound.conf" status >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && { bad "unbound $1 did not start: $(cat "$W/$1/stderr" "$W/$1/unbound.log")"; return 1; }
		sleep 0.1
	done
}
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# rounds NAME PORT OUT: change the records of Unbound NAME, ask with dig at PORT (that Unbound or
# a resolver forwarding to it); "name addr,addr" lines in OUT
rounds() {
	UBC="unbound-control -c $W/$1/unbound.conf"
	: >"$3"
	for r in 1 2 3 4 5 6; do
		$UBC local_data_remove flux.dnstap.test >/dev/null
		# addresses in new networks every round, as flux agents are (nothing is contacted)
		$UBC local_data "flux.dnstap.test. 20 IN A 45.$((r * 10)).7.$r" >/dev/null
		$UBC local_data "flux.dnstap.test. 20 IN A 91.$((r + 20)).$((r * 3)).9" >/dev/null
		for n in flux stable; do
			a=$(dig +short +time=3 +tries=1 -p "$2" @127.0.0.1 "$n.dnstap.test" A | sort | paste -sd, -)
			echo "$n.dnstap.test $a" >>"$3"
		done
	done
}

# check REPORT STATS ANSWERS LABEL: the report against what dig printed
check() {
	python3 - "$1" "$3" "$4" <<'EOP' || fail=1
import json, sys
rep, answers, label = sys.argv[1], sys.argv[2], sys.argv[3]
dom = {}
for line in open(rep):
    o = json.loads(line)
    if o.get("kind") == "domain":
        dom[o["domain"]] = o
seen = {}
for line in open(answers):
    name, _, addrs = line.strip().partition(" ")
    seen.setdefault(name, set()).update(a for a in addrs.split(",") if a)
bad = []
for name, addrs in seen.items():
    got = set(s["address"] for s in (dom.get(name) or {}).get("spread") or [])
    if got != addrs:
        bad.append("%s: report %s, dig %s" % (name, sorted(got), sorted(addrs)))
f = dom.get("flux.dnstap.test", {}).get("verdict")
s = dom.get("stable.dnstap.test", {}).get("verdict")
if f != "single-flux":
    bad.append("flux.dnstap.test is %s, not single-flux" % f)
if s in ("single-flux", "double-flux", "suspicious"):
    bad.append("stable.dnstap.test is flagged %s" % s)
if bad:
    print("FAIL: %s: %s" % (label, "; ".join(bad)))
    sys.exit(1)
print("ok: %s: %d addresses for flux.dnstap.test (single-flux, score %s), stable.dnstap.test %s, as dig saw them"
      % (label, len(seen["flux.dnstap.test"]), dom["flux.dnstap.test"]["score"], s))
EOP
}

# ---- 1. live: two resolvers on one socket, one goes away ---------------------------------------
SOCK="$W/fs.sock"
unbound_conf ub1 "$PORT" "$SOCK" unbound-e2e
unbound_conf ub2 "$((PORT + 1))" "$SOCK" unbound-two
$FLUXSCOPE --dnstap "unix:$SOCK" --report --json --all --spread --stats --no-geoip --duration 600 \
	>"$W/live.json" 2>"$W/live.err" &
FS_PID=$!
PIDS="$PIDS $FS_PID"
wait_for "$W/live.err" "listening for dnstap on unix:$SOCK" && ok "$(head -n 1 "$W/live.err")" ||
	{ bad "no 'listening' line: $(cat "$W/live.err")"; exit 1; }
start_unbound ub1 || exit 1
UB1=$UB_PID
start_unbound ub2 || exit 1
UB2=$UB_PID
rounds ub1 "$PORT" "$W/live.answers"
dig +short -p "$((PORT + 1))" @127.0.0.1 stable.dnstap.test A >/dev/null
sleep 1   # Unbound's dnstap writer flushes its queue about every second
stop_pid "$UB2"
sleep 0.5
kill -INT "$FS_PID"
wait "$FS_PID"; rc=$?
[ $rc -eq 0 ] && ok "fluxscope --dnstap ended on SIGINT with status 0" || bad "fluxscope --dnstap exit status $rc: $(cat "$W/live.err")"
cp "$W/live.err" "$W/live.stats"   # with --report, --stats goes to standard error
grep '^{' "$W/live.json" >"$W/live.report"
check "$W/live.report" "$W/live.stats" "$W/live.answers" "live dnstap"
f1=$(grep '^dnstap-feed .*identity=unbound-e2e ' "$W/live.stats")
f2=$(grep '^dnstap-feed .*identity=unbound-two ' "$W/live.stats")
q=$(grep -c . "$W/live.answers")
m1=$(echo "$f1" | sed -n 's/.* messages=\([0-9]*\) .*/\1/p')
if [ -n "$f1" ] && [ "$m1" = $((2 * q)) ] && echo "$f1" | grep -q "errors=0 drops=0 connects=1"; then
	ok "feed unbound-e2e: $m1 messages for $q dig queries (query and response each), no errors or drops"
else
	bad "feed unbound-e2e: '$f1' (want messages=$((2 * q)))"
fi
echo "$f2" | grep -q "disconnected messages=2 .*disconnects=1" && ok "second resolver shown as a feed of its own, disconnected after it stopped" ||
	bad "second feed: '$f2' $(grep dnstap-feed "$W/live.stats")"
[ "$(awk '$1 == "app-drops" { print $2 }' "$W/live.stats")" = 0 ] && ok "no drops" || bad "drops: $(grep drops "$W/live.stats")"
stop_pid "$UB1"

# ---- 2. a file written by fstrm_capture --------------------------------------------------------
SOCK2="$W/fc.sock"
unbound_conf ub3 "$((PORT + 2))" "$SOCK2" unbound-file
fstrm_capture -t protobuf:dnstap.Dnstap -u "$SOCK2" -w "$W/capture.dnstap" >"$W/fc.log" 2>&1 &
FC=$!
PIDS="$PIDS $FC"
i=0; while [ ! -S "$SOCK2" ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
start_unbound ub3 || exit 1
UB3=$UB_PID
rounds ub3 "$((PORT + 2))" "$W/file.answers"
sleep 1
stop_pid "$UB3"
sleep 0.3
stop_pid "$FC"
$FLUXSCOPE -r "$W/capture.dnstap" --report --json --all --spread --no-geoip >"$W/file.report" 2>"$W/file.err" ||
	bad "reading the fstrm_capture file: $(cat "$W/file.err")"
check "$W/file.report" /dev/null "$W/file.answers" "fstrm_capture file"
$FLUXSCOPE -r "$W/capture.dnstap" --report --no-geoip | grep -q "^vantage: *client side" &&
	ok "vantage from the dnstap message types: client side" || bad "vantage not client side"
q=$(grep -c . "$W/file.answers")
msgs=$($FLUXSCOPE -r "$W/capture.dnstap" --stats --no-geoip | awk '$1 == "dns-messages" { print $2 }')
[ "$msgs" = $((2 * q)) ] && ok "file: $msgs DNS messages for $q dig queries" || bad "file: $msgs messages, want $((2 * q))"
# the file cut in the middle of a frame: every message before the cut, one sentence
size=$(stat -c %s "$W/capture.dnstap")
head -c $((size - 40)) "$W/capture.dnstap" >"$W/cut.dnstap"
$FLUXSCOPE -r "$W/cut.dnstap" --stats --no-geoip >"$W/cut.out" 2>"$W/cut.err"; rc=$?
[ $rc -eq 1 ] && grep -q "cut.dnstap' is truncated: it ends in the middle of a frame" "$W/cut.err" &&
	ok "cut dnstap file: $(cat "$W/cut.err")" || bad "cut dnstap file (rc $rc): $(cat "$W/cut.err")"

# ---- 3. Knot Resolver ----------------------------------------------------------------------------
# Debian's kresd 5.6 (its dnstap module logs the client side, over a unix socket only) on its own
# port and folder, forwarding dnstap.test to an Unbound without dnstap (policy.STUB, no cache so
# every round reaches the changing records) and refusing everything else; no trust anchor and no
# priming, so it asks nothing outside loopback.
SOCK3="$W/kr.sock"
unbound_conf ub4 "$((PORT + 3))" "" ""
KPORT=$((PORT + 4))
mkdir -p "$W/kr"
cat >"$W/kr/config" <<EOC
net.listen('127.0.0.1', $KPORT, { kind = 'dns' })
cache.size = 10 * MB
trust_anchors.remove('.')
for _, m in ipairs({ 'priming', 'detect_time_skew', 'detect_time_jump', 'ta_update',
                     'ta_signal_query', 'ta_sentinel' }) do modules.unload(m) end
policy.add(policy.all(policy.FLAGS({ 'NO_CACHE' })))
policy.add(policy.suffix(policy.STUB('127.0.0.1@$((PORT + 3))'), { todname('dnstap.test.') }))
policy.add(policy.all(policy.REFUSE))
modules = {
	dnstap = {
		socket_path = "$SOCK3",
		identity = "kresd-e2e",
		client = { log_queries = true, log_responses = true },
	}
}
EOC
$FLUXSCOPE --dnstap "unix:$SOCK3" --report --json --all --spread --stats --no-geoip --duration 600 \
	>"$W/kr.json" 2>"$W/kr.err" &
FS_PID=$!
PIDS="$PIDS $FS_PID"
wait_for "$W/kr.err" "listening for dnstap on unix:$SOCK3" || { bad "no 'listening' line: $(cat "$W/kr.err")"; exit 1; }
start_unbound ub4 || exit 1
UB4=$UB_PID
kresd -n -c "$W/kr/config" "$W/kr" >"$W/kr/stderr" 2>&1 </dev/null &
KR=$!
PIDS="$PIDS $KR"
i=0
until ss -Hlnu "sport = :$KPORT" | grep -q . ; do
	i=$((i + 1))
	[ $i -gt 100 ] || ! kill -0 "$KR" 2>/dev/null && { bad "kresd did not start: $(cat "$W/kr/stderr")"; exit 1; }
	sleep 0.1
done
ok "kresd $(kresd --version | sed 's/.*version //') listening on 127.0.0.1:$KPORT, forwarding to Unbound on $((PORT + 3))"
rounds ub4 "$KPORT" "$W/kr.answers"
sleep 1
stop_pid "$KR"
sleep 0.5
kill -INT "$FS_PID"
wait "$FS_PID"; rc=$?
[ $rc -eq 0 ] || bad "fluxscope --dnstap (kresd) exit status $rc: $(cat "$W/kr.err")"
stop_pid "$UB4"
grep '^{' "$W/kr.json" >"$W/kr.report"
check "$W/kr.report" "$W/kr.err" "$W/kr.answers" "Knot Resolver dnstap"
fk=$(grep '^dnstap-feed ' "$W/kr.err")
q=$(grep -c . "$W/kr.answers")
mk=$(echo "$fk" | sed -n 's/.* messages=\([0-9]*\) .*/\1/p')
if [ "$(echo "$fk" | grep -c .)" = 1 ] && echo "$fk" | grep -q "identity=kresd-e2e .*errors=0 drops=0 connects=1" &&
	[ "$mk" = $((2 * q)) ]; then
	ok "feed kresd-e2e: $mk messages for $q dig queries (query and response each), no errors or drops"
else
	bad "feed kresd-e2e: '$fk' (want one feed, messages=$((2 * q)))"
fi
[ "$(awk '$1 == "dns-queries" { print $2 }' "$W/kr.err")" = "$q" ] &&
	[ "$(awk '$1 == "dns-responses" { print $2 }' "$W/kr.err")" = "$q" ] &&
	ok "kresd: $q client queries and $q responses, nothing else" || bad "kresd: $(grep -E '^dns-(queries|responses)' "$W/kr.err")"

# ---- errors ----------------------------------------------------------------------------------------
$FLUXSCOPE --dnstap "udp:1.2.3.4:5" --stats --duration 1 >/dev/null 2>"$W/e1"; rc=$?
[ $rc -ne 0 ] && grep -q "option --dnstap needs unix:PATH or tcp:ADDRESS:PORT, not 'udp:1.2.3.4:5'" "$W/e1" &&
	ok "bad endpoint refused" || bad "bad endpoint (rc $rc): $(cat "$W/e1")"
$FLUXSCOPE --dnstap "tcp:127.0.0.1:99999" --stats --duration 1 >/dev/null 2>"$W/e2"; rc=$?
[ $rc -ne 0 ] && grep -q "needs a port from 1 to 65535" "$W/e2" && ok "bad port refused" || bad "bad port: $(cat "$W/e2")"
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(5)' "$W/busy.sock" &
PY=$!
PIDS="$PIDS $PY"
i=0; while [ ! -S "$W/busy.sock" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
$FLUXSCOPE --dnstap "unix:$W/busy.sock" --stats --duration 1 >/dev/null 2>"$W/e3"; rc=$?
[ $rc -ne 0 ] && grep -q "another program listens on that socket" "$W/e3" && ok "socket in use refused" || bad "busy socket: $(cat "$W/e3")"
stop_pid "$PY"
$FLUXSCOPE --dnstap "unix:$W/x.sock" -w "$W/x.pcap" --stats >/dev/null 2>"$W/e4"; rc=$?
[ $rc -ne 0 ] && grep -q "option -w (write) needs a live capture (-i IFACE)" "$W/e4" && ok "-w with --dnstap refused" || bad "-w --dnstap: $(cat "$W/e4")"
exit $fail
