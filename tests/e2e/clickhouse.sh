#!/bin/sh
# Many sensors, one store (issue 15): a real clickhouse-server (Debian's), started here on
# 127.0.0.1 with its own configuration, data folder and ports, stopped by the trap.
#  1. two sensor processes write the two halves of the labelled flux sample (split with
#     editcap), the first read as pcap, the second as a dnstap file made from it
#     (tests/e2e/pcap2dnstap.c: CLIENT_QUERY/CLIENT_RESPONSE with the capture's addresses);
#     every response is there once, the dnstap rows with the feed's vantage and view; the
#     workstation's --report --json and --export from ClickHouse equal the offline ones of
#     the same two files, and give the verdicts of the offline report of the whole capture
#     (its scores differ a little where a name's answers are split between the two vantages);
#  2. ClickHouse stopped and restarted while a sensor reads a pipe: batches spooled, then
#     replayed; every response there exactly once (the offline --dump's responses);
#  3. a spool at its bound with ClickHouse away: the drop is counted and reported (exit 1),
#     and the next run replays what was spooled, nothing twice.
set -u
F=${FLUXSCOPE:-$PWD/fluxscope}
B=${BUILD:-build}
D=$(mktemp -d "${TMPDIR:-/tmp}/fx-ch.XXXXXX")
S=samples/flux-demo.pcap
G="--geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb"
WIN="--since 2026-11-18T00:00:00Z --until 2026-11-19T00:00:00Z"
fail=0
feedpid=""
. tests/e2e/lib/clickhouse.sh
cleanup() {
  [ -n "$feedpid" ] && kill "$feedpid" 2>/dev/null
  ch_stop
  rm -rf "$D"
}
trap cleanup EXIT INT TERM
bad() { echo "FAIL: $*"; fail=1; }

[ -x "$CH" ] || { echo "clickhouse-server is missing (scripts/deps.sh test installs it)"; exit 1; }
ch_setup
ch_start || exit 1
echo "clickhouse-server $(q 'SELECT version()') on 127.0.0.1:$HP"

# ---- 1. two sensors, the two halves ----------------------------------------------------------
n=$(capinfos -c -M "$S" | awk '/Number of packets/ { print $NF }')
h=$((n / 2))
editcap -r "$S" "$D/a.pcap" "1-$h" >/dev/null && editcap -r "$S" "$D/b.pcap" "$((h + 1))-$n" >/dev/null \
  || { echo "editcap failed"; exit 1; }
"$B/tests/e2e/pcap2dnstap" -i edge-b "$D/b.pcap" "$D/b.dnstap" || { echo "pcap2dnstap failed"; exit 1; }
[ "$("$F" -r "$D/b.dnstap" --stats | awk '$1 == "dns-responses" { print $2 }')" = \
  "$("$F" -r "$D/b.pcap" --stats | awk '$1 == "dns-responses" { print $2 }')" ] || bad "the dnstap half holds other responses than its pcap"
"$F" --sink "$U/fx" --sink-init --sensor edge-a --spool "$D/spool-a" -r "$D/a.pcap" --stats \
  >"$D/a.stats" 2>"$D/a.err" &
pa=$!
# the second waits until the schema exists (the first creates it)
i=0; until [ "$(q 'EXISTS TABLE fx.fluxscope_obs')" = "1" ] || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.1; done
"$F" --sink "$U/fx" --sensor edge-b --spool "$D/spool-b" -r "$D/b.dnstap" --stats \
  >"$D/b.stats" 2>"$D/b.err" &
pb=$!
wait $pa || bad "sensor a exit $? ($(cat "$D/a.err"))"
wait $pb || bad "sensor b exit $? ($(cat "$D/b.err"))"
resp=$("$F" -r "$S" --stats | awk '$1 == "dns-responses" { print $2 }')
rows=$(q "SELECT count() FROM fx.fluxscope_obs")
uniq=$(q "SELECT uniqExact(sensor, batch, seq) FROM fx.fluxscope_obs")
sensors=$(q "SELECT groupArray(s) FROM (SELECT concat(sensor, ':', toString(count())) AS s FROM fx.fluxscope_obs GROUP BY sensor ORDER BY sensor)")
echo "responses in the capture: $resp; rows: $rows ($uniq distinct); per sensor: $sensors"
[ "$rows" = "$resp" ] || bad "ClickHouse holds $rows rows for $resp responses"
[ "$uniq" = "$rows" ] || bad "duplicate rows: $uniq distinct of $rows"
ra=$(awk '$1 == "dns-responses" { print $2 }' "$D/a.stats"); rb=$(awk '$1 == "dns-responses" { print $2 }' "$D/b.stats")
[ "$sensors" = "['edge-a:$ra','edge-b:$rb']" ] || bad "per sensor $sensors, expected edge-a:$ra edge-b:$rb"
[ "$ra" -gt 0 ] && [ "$rb" -gt 0 ] || bad "a half without responses ($ra, $rb)"

feeds=$(q "SELECT groupArray(s) FROM (SELECT concat(sensor, '|', feed, '|', toString(vantage), '|', toString(bitAnd(flags, 256)), ':', toString(count())) AS s FROM fx.fluxscope_obs GROUP BY sensor, feed, vantage, bitAnd(flags, 256) ORDER BY sensor)")
echo "sensor|feed|vantage|view declared: $feeds"
[ "$feeds" = "['edge-a||1|0:$ra','edge-b|edge-b CLIENT_RESPONSE|1|256:$rb']" ] || bad "feed columns $feeds"
"$F" -r "$S" $G --report --json >"$D/off.json" || bad "offline report"
"$F" -r "$D/a.pcap" -r "$D/b.dnstap" $G --report --json >"$D/halves.json" || bad "offline report of the halves"
"$F" --source "$U/fx" $WIN $G --report --json >"$D/ws.json" 2>"$D/ws.err" || bad "workstation report: $(cat "$D/ws.err")"
# the records after the run object (its start time, sources and loaded-domain count differ)
tail -n +2 "$D/halves.json" >"$D/halves.body"; tail -n +2 "$D/ws.json" >"$D/ws.body"
cmp -s "$D/halves.body" "$D/ws.body" || { bad "the workstation's report differs from the offline one of the same files"; diff "$D/halves.body" "$D/ws.body" | head -5; }
"$F" --source "$U/fx" $WIN --stats >"$D/ws.stats" 2>&1 || bad "workstation stats"
grep clickhouse- "$D/ws.stats"
python3 - "$D/off.json" "$D/ws.json" <<'EOF' || bad "verdicts differ"
import json, sys
def load(p):
    d = {}
    for line in open(p):
        o = json.loads(line)
        if o["kind"] == "run":
            continue
        d[(o["kind"], o["domain"])] = (o["verdict"], o["addresses"] if "addresses" in o else None, round(o["score"], 2))
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
flux = sum(1 for v in a.values() if v[0] in ("single-flux", "double-flux"))
scores = sum(1 for k in a if k in b and a[k][2] != b[k][2])
print(f"offline (whole capture) {len(a)} flagged rows ({flux} flux), from ClickHouse {len(b)}; "
      f"scores differing at 2 decimals: {scores}")
diff = sorted((k, a.get(k), b.get(k)) for k in set(a) | set(b) if (a.get(k) or ())[:2] != (b.get(k) or ())[:2])
for d in diff[:20]:
    print("differs:", d)
sys.exit(1 if diff or len(a) < 50 or flux < 20 else 0)
EOF
"$F" -r "$D/a.pcap" -r "$D/b.dnstap" $G --export rpz --rpz-origin x.test -o "$D/off.rpz" 2>/dev/null || bad "offline export"
"$F" --source "$U/fx" $WIN $G --export rpz --rpz-origin x.test -o "$D/ws.rpz" 2>/dev/null || bad "workstation export"
grep -v SOA "$D/off.rpz" | grep -v '^;' >"$D/off.rpz.body"; grep -v SOA "$D/ws.rpz" | grep -v '^;' >"$D/ws.rpz.body"
cmp -s "$D/off.rpz.body" "$D/ws.rpz.body" || bad "RPZ exports differ"
echo "RPZ triggers: $(grep -c CNAME "$D/ws.rpz.body")"
# an empty window, a bad window, an unreachable server: one sentence each
out=$("$F" --source "$U/fx" --since 2020-01-01 --until 2020-01-02 --report --json 2>/dev/null); rc=$?
# (the run object alone: no domain, no zone)
[ $rc -eq 0 ] && [ -z "$(printf '%s\n' "$out" | grep -v '^{"kind":"run"')" ] || bad "empty window: $rc $out"
out=$("$F" --source "$U/fx" --since tomorrow --report 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q -- "--since" && [ "$(echo "$out" | wc -l)" -eq 1 ] || bad "bad --since: $rc $out"
out=$("$F" --source "clickhouse://127.0.0.1:1/fx" --report 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "127.0.0.1:1" || bad "unreachable server: $rc $out"

# ---- 2. stopped and restarted mid-run ---------------------------------------------------------
cat > "$D/feed.py" <<'EOF'
# Writes a pcap to stdout in three parts, waiting for a flag file before parts 2 and 3.
import os, struct, sys, time
data = open(sys.argv[1], "rb").read()
d = sys.argv[2]
off, recs = 24, []
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    recs.append((off, off + 16 + incl)); off += 16 + incl
out = sys.stdout.buffer
n = len(recs); cuts = [0, n // 3, 2 * n // 3, n]
out.write(data[:24])
for part in range(3):
    if part > 0:
        flag = os.path.join(d, f"go{part}")
        while not os.path.exists(flag):
            time.sleep(0.05)
    a, b = recs[cuts[part]][0], recs[cuts[part + 1] - 1][1]
    out.write(data[a:b]); out.flush()
EOF
python3 "$D/feed.py" "$S" "$D" | "$F" --sink "$U/fx2" --sink-init --sensor pipe --spool "$D/spool-r" \
  --sink-batch 300 -r - --stats >"$D/r.stats" 2>"$D/r.err" &
feedpid=$!
i=0; until [ "$(q 'SELECT count() FROM fx2.fluxscope_obs' 2>/dev/null)" -gt 0 ] 2>/dev/null || [ $i -gt 200 ]; do i=$((i + 1)); sleep 0.1; done
first=$(q 'SELECT count() FROM fx2.fluxscope_obs')
sleep 1.5   # the first third's last batch goes out after batch_ms (1 s)
ch_stop
echo "ClickHouse stopped with $(find "$D/ch/data" -name '*.bin' | wc -l) column files; first rows seen: $first"
touch "$D/go1"
i=0; until [ "$(ls "$D/spool-r" 2>/dev/null | grep -c '\.spool$')" -ge 2 ] || [ $i -gt 300 ]; do i=$((i + 1)); sleep 0.1; done
spooled=$(ls "$D/spool-r" | grep -c '\.spool$')
echo "spool files while ClickHouse was away: $spooled"
[ "$spooled" -ge 2 ] || bad "no batches spooled while ClickHouse was away"
ch_start || exit 1
touch "$D/go2"
wait $feedpid || bad "restart sensor exit $? ($(cat "$D/r.err"))"
feedpid=""
cat "$D/r.err"
grep -E '^sink-(rows|batches)-(spooled|replayed|sent)|present' "$D/r.stats"
rows=$(q "SELECT count() FROM fx2.fluxscope_obs")
uniq=$(q "SELECT uniqExact(batch, seq) FROM fx2.fluxscope_obs")
[ "$rows" = "$resp" ] || bad "after the restart ClickHouse holds $rows rows for $resp responses"
[ "$uniq" = "$rows" ] || bad "after the restart: $uniq distinct of $rows rows"
rep=$(awk '$1 == "sink-rows-replayed" { print $2 }' "$D/r.stats")
[ "${rep:-0}" -gt 0 ] || bad "nothing was replayed from the spool"
[ "$(ls "$D/spool-r" | grep -c '\.spool$')" = 0 ] || bad "spool files left after the replay"
# the rows are the capture's responses, each once: time and query name against --dump
"$F" -r "$S" --dump --no-geoip | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l, parse_float=str)
    if o["qr"] == 1 and o["opcode"] == "QUERY" and o["qname"] is not None:
        print("%s\t%s" % (o["ts"], o["qname"]))' | sort >"$D/dump.rows"
q "SELECT toUInt32(ts), us, qname FROM fx2.fluxscope_obs FORMAT TSVRaw" | awk -F'\t' '{ printf "%s.%06d\t%s\n", $1, $2, $3 }' | sort >"$D/ch.rows"
cmp -s "$D/dump.rows" "$D/ch.rows" || { bad "rows after the restart differ from the capture's responses"; diff "$D/dump.rows" "$D/ch.rows" | head; }

# ---- 3. a spool at its bound, then the next run --------------------------------------------------
ch_stop
out=$("$F" --sink "$U/fx3" --sensor bound --spool "$D/spool-b3" --spool-max 256K --sink-batch 500 \
  -r "$S" --stats 2>"$D/b3.err"); rc=$?
cat "$D/b3.err"
[ $rc -eq 1 ] || bad "a spool at its bound: exit $rc (want 1)"
grep -q "reached its bound" "$D/b3.err" || bad "the drop is not reported"
sp=$(echo "$out" | awk '$1 == "sink-rows-spooled" { print $2 }')
dr=$(echo "$out" | awk '$1 == "sink-rows-dropped" { print $2 }')
tot=$(echo "$out" | awk '$1 == "sink-rows" { print $2 }')
echo "bound 256 KiB: $tot rows, $sp spooled, $dr dropped"
[ "$dr" -gt 0 ] && [ "$sp" -gt 0 ] && [ $((sp + dr)) -eq "$tot" ] || bad "spooled $sp + dropped $dr != $tot"
bytes=$(du -cb "$D"/spool-b3/*.spool | tail -1 | cut -f1)
[ "$bytes" -le 262144 ] || bad "the spool holds $bytes bytes, over its bound"
ch_start || exit 1
q "CREATE DATABASE IF NOT EXISTS fx3" >/dev/null
"$F" --sink "$U/fx3" --sink-init --sensor bound --spool "$D/spool-b3" -r "$D/a.pcap" --stats >"$D/n.stats" 2>"$D/n.err" \
  || bad "next run: $(cat "$D/n.err")"
rep=$(awk '$1 == "sink-rows-replayed" { print $2 }' "$D/n.stats")
rows=$(q "SELECT count() FROM fx3.fluxscope_obs")
uniq=$(q "SELECT uniqExact(batch, seq) FROM fx3.fluxscope_obs")
echo "next run: $rep rows replayed; fx3 holds $rows ($uniq distinct) = $sp spooled + $ra of a.pcap"
[ "$rep" = "$sp" ] || bad "replayed $rep of $sp spooled rows"
[ "$rows" = $((sp + ra)) ] && [ "$uniq" = "$rows" ] || bad "fx3 holds $rows rows ($uniq distinct), want $((sp + ra))"
exit $fail
