#!/bin/sh
# Resolver logs written outside the project (tests/data/feeds/SOURCES.md: Suricata 3.x and 6.0
# EVE, suricata-verify's EVE v1 over TCP, a Zeek JSON streaming log of WRCCDC 2018, dnstap files
# BIND 9 and dnsdist wrote): each is recognised as its format, read without a bad record (but
# the line Suricata cut at 4096 bytes), and every DNS message fluxscope makes is compared with an
# independent reading of the file (tests/e2e/feeds_real_check.py): direction, question, rcode,
# time, records by section for EVE; addresses and TTLs for Zeek; time, addresses, ports,
# transport, id for dnstap. Then the report runs on each.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
W="$BUILD/e2e/feeds-real"
rm -rf "$W"; mkdir -p "$W"
D=tests/data/feeds

# file, its format (the reading it is compared with: a file taken for another format gives
# other messages), feed-bad expected
for row in surevego-eve-v1-interleaved.json:eve:0 suricata-verify-eve-v1-tcp.json:eve:0 \
	suricata6-eve-v2.json:eve:1 zed-wrccdc-zeek.json:zeek:0 bind9-dnstap.saved:dnstap:0 \
	bind9-large-answer.fstrm:dnstap:0 godnscollector-dnsdist.fstrm:dnstap:0; do
	f=${row%%:*}; rest=${row#*:}; kind=${rest%%:*}; nbad=${rest#*:}
	if ! $FLUXSCOPE -r "$D/$f" --stats --no-geoip >"$W/$f.stats" 2>"$W/$f.err"; then
		bad "$f: --stats: $(cat "$W/$f.err")"; continue
	fi
	src=$(awk '$1 == "source" {print; exit}' "$W/$f.stats")
	got_bad=$(awk '$1 == "feed-bad" {print $2}' "$W/$f.stats")
	msgs=$(awk '$1 == "feed-messages" {print $2}' "$W/$f.stats")
	malformed=$(awk '$1 == "skipped:malformed-dns" {print $2}' "$W/$f.stats")
	if [ -z "$got_bad" ]; then bad "$f: not read as a feed: $src"; continue; fi
	[ "$got_bad" = "$nbad" ] && ok "$f: feed-bad $got_bad" || bad "$f: feed-bad $got_bad, expected $nbad"
	[ "$malformed" = 0 ] || bad "$f: $malformed messages malformed"
	$FLUXSCOPE -r "$D/$f" --dump --no-geoip >"$W/$f.dump" 2>"$W/$f.err" || bad "$f: --dump: $(cat "$W/$f.err")"
	n=$(wc -l <"$W/$f.dump")
	[ "$n" -gt 0 ] && [ "$n" = "$msgs" ] || bad "$f: $n messages dumped, feed-messages $msgs"
	if out=$(python3 tests/e2e/feeds_real_check.py "$kind" "$D/$f" "$W/$f.dump"); then
		ok "$out"
	else
		bad "$out"
	fi
	if ! $FLUXSCOPE -r "$D/$f" --report --json --all --no-geoip >"$W/$f.report" 2>"$W/$f.err"; then
		bad "$f: --report: $(cat "$W/$f.err")"
	elif [ ! -s "$W/$f.report" ]; then
		bad "$f: empty report"
	fi
done
exit $fail
