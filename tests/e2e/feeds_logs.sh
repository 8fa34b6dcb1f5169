#!/bin/sh
# Zeek dns.log and Suricata EVE read with -r (issue 12): the project's converter
# (scripts/capture2logs.py) writes the DNS traffic of the labelled flux sample as Zeek TSV, Zeek
# JSON, EVE v1, EVE v2 (detailed answers and authorities) and EVE v2 "grouped"; each is read back
# and its report compared with the capture's (tests/e2e/feeds_compare.py):
#   - EVE v2 detailed: the same domains, verdicts, answer addresses, responses and NS layer;
#   - Zeek (TSV, JSON, gzip in two members) and EVE v1 / grouped, which keep no authority records:
#     every asked domain with the same answers (CNAME chains rebuilt), responses and verdict
#     wherever its NS layer is the same; the absent domains are only NS owners never asked.
# Then hostile input: broken lines are counted and skipped without changing the report; a cut
# gzip, a file of another kind and an empty one are one sentence naming the file.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
W="$BUILD/e2e/feeds-logs"
rm -rf "$W"; mkdir -p "$W"
G="--geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb"
CMP="python3 tests/e2e/feeds_compare.py"

$FLUXSCOPE -r samples/flux-demo.pcap --dump --no-geoip >"$W/dump.jsonl" || bad "--dump of the sample"
python3 scripts/capture2logs.py "$W/dump.jsonl" --zeek-tsv "$W/dns.log" --zeek-json "$W/dns.json" \
	--eve-v1 "$W/eve1.json" --eve-v2 "$W/eve2.json" --eve-v2-grouped "$W/eve2g.json" ||
	bad "capture2logs.py"
# Zeek rotates into gzip files; logrotate may concatenate members: two members, each a log
half=$(($(wc -l <"$W/dns.log") / 2))
head -n "$half" "$W/dns.log" | sed '$!b' >"$W/part1.log"
{ head -n 8 "$W/dns.log"; tail -n +"$((half + 1))" "$W/dns.log"; } >"$W/part2.log"
{ gzip -c "$W/part1.log"; gzip -c "$W/part2.log"; } >"$W/dns.log.gz"

$FLUXSCOPE -r samples/flux-demo.pcap --report --json --all --spread $G >"$W/r.pcap.json" || bad "report of the capture"
for f in eve2.json:full dns.log:answers dns.json:answers dns.log.gz:answers eve1.json:answers eve2g.json:answers; do
	file=${f%%:*}; mode=${f##*:}
	if ! $FLUXSCOPE -r "$W/$file" --report --json --all --spread $G >"$W/r.$file.json" 2>"$W/r.$file.err"; then
		bad "$file: $(cat "$W/r.$file.err")"; continue
	fi
	if out=$($CMP "$W/r.pcap.json" "$W/r.$file.json" "$mode"); then
		ok "$file ($mode): $out"
	else
		bad "$file ($mode): $out"
	fi
done
# counts: every message of the capture came back (queries and responses)
want=$($FLUXSCOPE -r samples/flux-demo.pcap --stats --no-geoip | awk '$1 == "dns-messages" { print $2 }')
for file in dns.log dns.log.gz dns.json eve1.json eve2.json; do
	got=$($FLUXSCOPE -r "$W/$file" --stats --no-geoip | awk '$1 == "dns-messages" { print $2 }')
	[ "$got" = "$want" ] && ok "$file: $got DNS messages, as in the capture" ||
		bad "$file: $got DNS messages, the capture has $want"
done

# hostile lines: counted and skipped, the rest read
{ head -n 20 "$W/eve2.json"; echo '{"event_type":"dns","dns":{"type":"answer"'; echo 'not json at all';
  printf '{"event_type":"dns","timestamp":"2026-01-01T00:00:00.0+0000","src_ip":"1.2.3.4","dest_ip":"5.6.7.8","dns":{"version":2,"type":"answer","id":1,"rrname":"%s","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"x","rrtype":"A","ttl":1,"rdata":"999.1.1.1"}]}}\n' "$(head -c 300 /dev/zero | tr '\0' a)";
  head -c 70000 /dev/zero | tr '\0' x; echo; tail -n +21 "$W/eve2.json"; } >"$W/eve2-bad.json"
$FLUXSCOPE -r "$W/eve2-bad.json" --stats --no-geoip >"$W/bad.stats" 2>&1
b=$(awk '$1 == "feed-bad" { print $2 }' "$W/bad.stats"); o=$(awk '$1 == "feed-oversized" { print $2 }' "$W/bad.stats")
m=$(awk '$1 == "dns-messages" { print $2 }' "$W/bad.stats")
[ "$b" = 3 ] && [ "$o" = 1 ] && [ "$m" = "$want" ] && ok "EVE with 3 broken lines and a 70 kB one: feed-bad $b, feed-oversized $o, $m messages read" ||
	bad "hostile EVE: feed-bad '$b' feed-oversized '$o' messages '$m' (want 3, 1, $want): $(cat "$W/bad.stats" | head -5)"
{ head -n 30 "$W/dns.log"; printf 'garbage\tline\n1.5\tCx\tnot-an-address\t1\t2.2.2.2\t53\tudp\t1\t-\tq.test\n'; tail -n +31 "$W/dns.log"; } >"$W/dns-bad.log"
$FLUXSCOPE -r "$W/dns-bad.log" --stats --no-geoip >"$W/badz.stats" 2>&1
b=$(awk '$1 == "feed-bad" { print $2 }' "$W/badz.stats"); m=$(awk '$1 == "dns-messages" { print $2 }' "$W/badz.stats")
[ "$b" = 2 ] && [ "$m" = "$want" ] && ok "Zeek log with 2 broken lines: feed-bad $b, $m messages read" ||
	bad "hostile Zeek: feed-bad '$b' messages '$m' (want 2, $want)"

# errors: one sentence naming the file
head -c 20000 "$W/dns.log.gz" >"$W/cut.log.gz"
$FLUXSCOPE -r "$W/cut.log.gz" --stats --no-geoip >"$W/cut.out" 2>"$W/cut.err"; rc=$?
[ $rc -ne 0 ] && grep -q "cut.log.gz' is corrupt after [0-9]* messages (its gzip data ends in the middle)" "$W/cut.err" &&
	ok "cut gzip: $(cat "$W/cut.err")" || bad "cut gzip (rc $rc): $(cat "$W/cut.err")"
echo "hello" >"$W/hello.txt"
$FLUXSCOPE -r "$W/hello.txt" --stats >/dev/null 2>"$W/h.err"; rc=$?
[ $rc -ne 0 ] && grep -q "hello.txt' is not a capture file or resolver log" "$W/h.err" &&
	ok "text file refused: $(cat "$W/h.err")" || bad "text file (rc $rc): $(cat "$W/h.err")"
exit $fail
