#!/bin/sh
# Live capture end to end (issue 7) on the loopback, as root (CI runs as root, no network):
#   - a real Unbound on 127.0.0.1 (unprivileged port, given to --dns-port) serves names whose
#     answers change: flux.e2e.test gets four new addresses in four ASNs every round
#     (unbound-control local_data), stable.e2e.test keeps one; dig (UDP) and kdig (TCP) query it;
#   - tcpreplay replays the labelled flux sample and two captures of fragmented DNS (IPv4 and
#     IPv6) onto lo;
#   - fluxscope -i lo --report --json --all --stats -w FILE -C 1 captures all of it headless
#     with the default filter, as the default user nobody, until SIGINT.
# Asserted: it runs as nobody with no capabilities; no drop of any kind; the -w files (rotated,
# owned by nobody) hold exactly the frames that were sent (tshark decode of the replayed
# captures against tshark decode of the -w files, frame by frame) and exactly the answers the
# clients printed; the live report equals the report of the -w files read offline; every domain
# of the replayed capture has the same addresses live as offline, flux.e2e.test is flagged with
# exactly the addresses served, stable.e2e.test is not, the fragmented IPv6 answer is there (and
# is lost with a port-only --filter-bpf, the negative control). Also the errors: a missing
# interface, a bad BPF expression, no permission, -C into a folder nobody cannot write, -Z with
# an unknown user, live options without -i; -D; --duration ends a run by itself.
# Everything started here is stopped by the trap; one such test at a time per machine (flock),
# since a second replay onto lo would be captured too.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
. tests/e2e/lib/unbound.sh
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: capturing on lo needs root (CI runs as root)"
	exit 0
fi
for t in unbound unbound-control dig kdig tcpreplay tshark capinfos setpriv flock python3; do
	command -v "$t" >/dev/null || { echo "FAIL: $t is missing (scripts/deps.sh test)"; exit 1; }
done

W="$BUILD/e2e/live-capture"
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
ROOT=$(pwd)
CMP="python3 $ROOT/tests/e2e/live_compare.py"
SAMPLE="$ROOT/samples/flux-demo.pcap"
FRAG4="$ROOT/tests/data/pcaps/godnscollector-ip4-fragmented-udp.pcap"
FRAG6="$ROOT/tests/data/pcaps/godnscollector-ip6-fragmented-udp.pcap"
GEO="--geoip $ROOT/samples/demo-geo.mmdb --geoip $ROOT/samples/demo-asn.mmdb"
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)

UB_PID=""
FS_PID=""
RP_PID=""
stop() {
	for p in $RP_PID $FS_PID $UB_PID; do
		kill "$p" 2>/dev/null
	done
	sleep 0.3
	for p in $RP_PID $FS_PID $UB_PID; do
		kill -9 "$p" 2>/dev/null
	done
	RP_PID=""
	FS_PID=""
	UB_PID=""
}
trap stop EXIT INT TERM

exec 9>"/tmp/fluxscope-live-e2e.lock"
flock -w 900 9 || { echo "FAIL: another live capture test holds the lock"; exit 1; }

# Wait until $1 contains $2 (up to 20 s).
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 200 ] && return 1
		sleep 0.1
	done
	return 0
}

# Value of a --stats line ("key value") in file $1.
stat_of() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }

# ---- errors and small runs ----------------------------------------------------------------------
$FLUXSCOPE -i nosuch0 --report >"$W/e.out" 2>"$W/e.err"
[ $? -ne 0 ] && grep -q "no capture interface named 'nosuch0'" "$W/e.err" &&
	ok "missing interface: $(cat "$W/e.err")" || bad "missing interface: $(cat "$W/e.err")"
$FLUXSCOPE -i lo --filter-bpf "udp prt 53" --report >"$W/e.out" 2>"$W/e.err"
[ $? -ne 0 ] && grep -q -- "--filter-bpf 'udp prt 53'" "$W/e.err" && grep -q "syntax error" "$W/e.err" &&
	ok "bad BPF expression: $(cat "$W/e.err")" || bad "bad BPF expression: $(cat "$W/e.err")"
cp "$FLUXSCOPE" "$W/fluxscope-copy"   # a binary nobody can reach
chmod 755 "$W/fluxscope-copy"
setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups "$W/fluxscope-copy" -i lo \
	--stats --duration 1 --no-geoip >"$W/e.out" 2>"$W/e.err"
[ $? -ne 0 ] && grep -q "CAP_NET_RAW and CAP_NET_ADMIN" "$W/e.err" &&
	ok "no permission: $(cat "$W/e.err")" || bad "no permission: $(cat "$W/e.err")"
$FLUXSCOPE -i lo -Z no-such-user-fluxscope --stats --duration 1 --no-geoip >"$W/e.out" 2>"$W/e.err"
[ $? -ne 0 ] && grep -q "option -Z: there is no user named 'no-such-user-fluxscope'" "$W/e.err" &&
	ok "unknown -Z user" || bad "unknown -Z user: $(cat "$W/e.err")"
$FLUXSCOPE -r "$SAMPLE" -w "$W/x.pcap" --report >"$W/e.out" 2>"$W/e.err"
[ $? -ne 0 ] && grep -q "option -w (write) needs a live capture (-i IFACE)" "$W/e.err" &&
	ok "-w without -i refused" || bad "-w without -i: $(cat "$W/e.err")"
$FLUXSCOPE -D >"$W/d.out" 2>&1
grep -Eq '^[0-9]+\.lo \[.*Loopback' "$W/d.out" && grep -Eq '^[0-9]+\.any ' "$W/d.out" &&
	ok "-D lists lo and any" || bad "-D: $(cat "$W/d.out")"
# A folder only root may write: the first -w file is opened before the drop (and handed to
# nobody), but -C must create more files there as nobody, which is refused up front.
mkdir -m 700 "$W/rootonly"
timeout 30 $FLUXSCOPE -i lo --stats --duration 1 --no-geoip -w "$W/rootonly/x.pcap" -C 1 >"$W/e.out" 2>"$W/e.err"
[ $? -ne 0 ] && grep -q "option -C cannot rotate" "$W/e.err" && grep -q "user $NOBODY_UID" "$W/e.err" &&
	ok "-C into a folder nobody cannot write: $(grep rotate "$W/e.err")" || bad "-C rootonly: $(cat "$W/e.err")"
start=$(date +%s)
timeout 30 $FLUXSCOPE -i lo --stats --duration 1 --no-geoip -w "$W/rootonly/y.pcap" >"$W/e.out" 2>"$W/e.err"
rc=$?
[ $rc -eq 0 ] && [ "$(stat -c %U "$W/rootonly/y.pcap")" = nobody ] && grep -q '^kernel-drops ' "$W/e.out" &&
	ok "--duration 1 ends by itself after $(( $(date +%s) - start )) s; -w without -C writes there, file owned by nobody" ||
	bad "--duration / -w rootonly (rc $rc): $(cat "$W/e.err")"

# ---- the resolver -------------------------------------------------------------------------------
PORT=$((40000 + $$ % 20000))
{ unbound_server "$PORT" "$W"; cat <<EOF
	local-zone: "e2e.test." static
	local-data: "stable.e2e.test. 30 IN A 192.0.2.80"
remote-control:
	control-enable: yes
	control-interface: "$W/unbound.ctl"
	control-use-cert: no
EOF
} >"$W/unbound.conf"
unbound-checkconf "$W/unbound.conf" >/dev/null || bad "unbound-checkconf"
unbound -d -c "$W/unbound.conf" >"$W/unbound.stderr" 2>&1 &
UB_PID=$!
UBC="unbound-control -c $W/unbound.conf"
i=0
until $UBC status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && { bad "unbound did not start: $(cat "$W/unbound.stderr" "$W/unbound.log" 2>/dev/null)"; exit 1; }
	sleep 0.1
done
ok "unbound on 127.0.0.1:$PORT"

# ---- the live capture ---------------------------------------------------------------------------
mkdir "$W/cap"
chown "$NOBODY_UID:$NOBODY_GID" "$W/cap"   # -C: the dropped user creates FILE.1, FILE.2, ...
$FLUXSCOPE -i lo --dns-port "53,$PORT" $GEO --report --json --all --stats --duration 120 \
	-w "$W/cap/live.pcap" -C 1 >"$W/live.json" 2>"$W/live.err" &
FS_PID=$!
if wait_for "$W/live.err" "listening on lo"; then
	ok "$(grep listening "$W/live.err")"
else
	bad "no 'listening' line: $(cat "$W/live.err")"
	exit 1
fi
st=/proc/$FS_PID/status
uids=$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "$st")
gids=$(awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "$st")
caps=$(awk '$1 == "CapEff:" || $1 == "CapPrm:" { printf "%s ", $2 }' "$st")
nnp=$(awk '$1 == "NoNewPrivs:" { print $2 }' "$st")
groups=$(awk '$1 == "Groups:" { $1 = ""; print }' "$st" | tr -s ' ')
if [ "$uids" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ] &&
   [ "$gids" = "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" ] &&
   [ "$caps" = "0000000000000000 0000000000000000 " ] && [ "$nnp" = 1 ] &&
   ! echo " $groups " | grep -q " 0 "; then
	ok "capturing as nobody: uids $uids, gids $gids, groups$groups, no capabilities, no_new_privs"
else
	bad "privileges not dropped: uids '$uids' gids '$gids' caps '$caps' nnp '$nnp' groups '$groups'"
fi

# Replay the flux sample, then the fragmented captures, while the clients query the resolver.
( tcpreplay --intf1=lo --pps=4000 "$SAMPLE" && tcpreplay --intf1=lo --pps=10 "$FRAG4" &&
  tcpreplay --intf1=lo --pps=10 "$FRAG6" ) >"$W/tcpreplay.log" 2>&1 &
RP_PID=$!

ADDRS=$($CMP pick-addrs "$ROOT/samples/demo-geo.tsv" 32)
: >"$W/answers.txt"
: >"$W/served.txt"
ask() {   # ask TOOL NAME [TCP]: one query; record "name answers" as the client printed them
	if [ "$1" = kdig ]; then
		out=$(kdig +short +tcp +time=3 +retry=0 @127.0.0.1 -p "$PORT" "$2" A)
	else
		out=$(dig +short +time=3 +tries=1 -p "$PORT" @127.0.0.1 "$2" A)
	fi
	echo "$2 $(echo "$out" | sort | paste -sd, -)" >>"$W/answers.txt"
}
round=0
set -- $ADDRS
while [ $# -ge 4 ]; do
	round=$((round + 1))
	$UBC local_data_remove flux.e2e.test >/dev/null
	for a in "$1" "$2" "$3" "$4"; do
		$UBC local_data "flux.e2e.test. 5 IN A $a" >/dev/null
		echo "$a" >>"$W/served.txt"
	done
	shift 4
	ask dig flux.e2e.test
	ask dig flux.e2e.test
	ask kdig flux.e2e.test
	ask dig stable.e2e.test
	sleep 0.5
done
wait "$RP_PID"
rp=$?
RP_PID=""
[ $rp -eq 0 ] && ok "replayed: $(grep -h '^Actual' "$W/tcpreplay.log" | paste -sd';' -)" ||
	bad "tcpreplay: $(cat "$W/tcpreplay.log")"
grep -c . "$W/answers.txt" | { read -r n; ok "$round rounds of answers, $n client queries"; }
sleep 1
kill -INT "$FS_PID"
wait "$FS_PID"
rc=$?
FS_PID=""
[ $rc -eq 0 ] && ok "SIGINT ended the capture cleanly" || bad "exit status $rc after SIGINT: $(tail -5 "$W/live.err")"

# ---- what was captured --------------------------------------------------------------------------
S="$W/live.err"
pk=$(stat_of "$S" packets)
for k in kernel-drops interface-drops app-drops; do
	[ "$(stat_of "$S" $k)" = 0 ] && ok "$k 0" || bad "$k $(stat_of "$S" $k) (of $pk packets)"
done
files=$(ls "$W/cap" | sort -t. -k3,3n | sed "s|^|$W/cap/|" | paste -sd, -)
nfiles=$(ls "$W/cap" | wc -l)
[ "$nfiles" -ge 2 ] && [ "$nfiles" = "$(stat_of "$S" written-files)" ] &&
	ok "-C 1 rotated into $nfiles files: $(ls "$W/cap" | paste -sd' ' -)" || bad "rotation: $nfiles files, stats say $(stat_of "$S" written-files)"
owners=$(stat -c %U "$W"/cap/* | sort -u | paste -sd, -)
[ "$owners" = nobody ] && ok "-w files owned by nobody" || bad "-w files owned by $owners"
total=0
for f in $(echo "$files" | tr , ' '); do
	n=$(capinfos -M -c "$f" 2>/dev/null | awk '/Number of packets/ { print $NF }')
	total=$((total + n))
done
[ "$total" = "$pk" ] && [ "$(stat_of "$S" written-packets)" = "$pk" ] &&
	ok "-w holds all $pk captured packets" || bad "-w holds $total packets, captured $pk, written $(stat_of "$S" written-packets)"
[ "$(stat_of "$S" ip-reassembled)" -ge 2 ] 2>/dev/null &&
	ok "fragmented DNS reassembled live: $(stat_of "$S" ip-reassembled)" || bad "ip-reassembled $(stat_of "$S" ip-reassembled)"

$CMP frames '!(ip.addr == 127.0.0.0/8) && !(ipv6.addr == ::1)' "$SAMPLE,$FRAG4,$FRAG6" "$files" >"$W/frames.txt" 2>&1 &&
	ok "-w vs sent: $(paste -sd';' "$W/frames.txt")" || bad "-w vs sent: $(cat "$W/frames.txt")"
$CMP digs "$PORT" "$W/answers.txt" "$files" >"$W/digs.txt" 2>&1 &&
	ok "-w vs the clients: $(paste -sd';' "$W/digs.txt")" || bad "-w vs the clients: $(cat "$W/digs.txt")"

# The same capture read offline gives the same report, byte for byte.
set --
for f in $(echo "$files" | tr , ' '); do set -- "$@" -r "$f"; done
$FLUXSCOPE "$@" --dns-port "53,$PORT" $GEO --report --json --all >"$W/offline.json" 2>/dev/null
# the records after the run object (its start time and sources differ)
tail -n +2 "$W/live.json" >"$W/live.body"; tail -n +2 "$W/offline.json" >"$W/offline.body"
if cmp -s "$W/live.body" "$W/offline.body" && [ -s "$W/live.body" ]; then
	ok "live report = offline report of the -w files ($(grep -c . "$W/live.body") records, $(grep -Ec '"verdict":"(suspicious|single-flux|double-flux)"' "$W/live.json") flagged)"
else
	bad "live and offline reports differ: $(diff "$W/live.body" "$W/offline.body" | head -c 600)"
fi

# Against what was sent: the replayed capture read offline, and what the resolver served.
$FLUXSCOPE -r "$SAMPLE" $GEO --report --json --all >"$W/sample.json" 2>/dev/null
{
	echo "flux.e2e.test flagged $(paste -sd, "$W/served.txt")"
	echo "stable.e2e.test benign 192.0.2.80"
	echo "pa.weberlab.de benign 2001:470:1f0b:1024::2"
} >"$W/expect.txt"
$CMP report "$W/live.json" "$W/sample.json" "$W/expect.txt" >"$W/report.txt" 2>&1 &&
	ok "report vs sent: $(paste -sd';' "$W/report.txt")" || bad "report vs sent: $(cat "$W/report.txt")"

# Replayed far faster than it was captured (3 hours in a few seconds), the sample gets the same
# flux verdicts live as offline at its own pace: the detector counts evidence, not elapsed time.
python3 - "$W/live.json" "$W/sample.json" "$SAMPLE" >"$W/speed.txt" 2>&1 <<'PY'
import json, subprocess, sys
def flux(path):
    out = {}
    for line in open(path):
        o = json.loads(line)
        if o.get("kind", "domain") == "domain":
            out[o["domain"]] = o["verdict"] in ("single-flux", "double-flux")
    return out
live, off = flux(sys.argv[1]), flux(sys.argv[2])
dur = subprocess.run(["capinfos", "-M", "-u", sys.argv[3]], capture_output=True, text=True).stdout
span = float([l.split(":", 1)[1].split()[0] for l in dur.splitlines() if "duration" in l.lower()][0])
want = sorted(n for n, f in off.items() if f)
got = sorted(n for n in off if live.get(n))
print("%d flux domains offline, %d of them flux live, %d names flux live only; sample spans %.0f s"
      % (len(want), len(set(want) & set(got)), len(set(got) - set(want)), span))
sys.exit(0 if want == got and want else 1)
PY
speed_rc=$?
rpdur=$(awk '/^Actual/ { for (i = 1; i <= NF; i++) if ($i == "in") { print $(i + 1); exit } }' "$W/tcpreplay.log")
if [ "$speed_rc" -eq 0 ]; then
	ok "replayed in ${rpdur:-?} s: same flux verdicts live as offline at the sample's own pace ($(cat "$W/speed.txt"))"
else
	bad "flux verdicts differ between the fast live replay and the offline sample: $(cat "$W/speed.txt")"
fi

# ---- negative control: a port-only filter loses the later fragments ---------------------------
$FLUXSCOPE -i lo --filter-bpf "udp port 53" --no-geoip --report --json --all --stats --duration 60 \
	>"$W/ctl.json" 2>"$W/ctl.err" &
FS_PID=$!
wait_for "$W/ctl.err" "listening on lo" || bad "control run did not start: $(cat "$W/ctl.err")"
tcpreplay --intf1=lo --pps=10 "$FRAG4" >/dev/null 2>&1
tcpreplay --intf1=lo --pps=10 "$FRAG6" >/dev/null 2>&1
sleep 1
kill -TERM "$FS_PID"
wait "$FS_PID"
rc=$?
FS_PID=""
if [ $rc -eq 0 ] && [ "$(stat_of "$W/ctl.err" ip-reassembled)" = 0 ] &&
   [ "$(stat_of "$W/ctl.err" ip-fragments)" -ge 1 ] && ! grep -q '"domain":"pa.weberlab.de"' "$W/ctl.json"; then
	# (the IPv4 first fragment carries the port; IPv6 fragments, port or not, are not matched)
	ok "control: with --filter-bpf 'udp port 53' the later fragments are lost ($(stat_of "$W/ctl.err" ip-fragments) first fragment, 0 reassembled, no pa.weberlab.de); SIGTERM ended it cleanly"
else
	bad "control run (rc $rc): reassembled $(stat_of "$W/ctl.err" ip-reassembled), $(grep -c weberlab "$W/ctl.json") weberlab lines"
fi

exit $fail
