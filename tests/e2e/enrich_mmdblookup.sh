#!/bin/sh
# Every enriched field `fluxscope --lookup` prints (asn, as_org, country, city, lat, lon,
# network, found, sources) equals what mmdblookup prints for the same address and database:
# for every A/AAAA address in the test captures, the edges of every network in the fixtures
# (tests/data/geo/*.json, built into $BUILD/fixtures/geo), MaxMind's published test addresses,
# and IPv4-mapped spellings; for each database alone and for the ASN+City+Country stacks.
set -eu
F=${FLUXSCOPE:-./fluxscope}
B=${BUILD:-build}
FX=$B/fixtures/geo
MM=tests/data/geoip
W=$B/e2e/enrich_mmdblookup
rm -rf "$W"; mkdir -p "$W"

for f in "$FX"/flux-asn.mmdb "$FX"/flux-city.mmdb; do
  [ -s "$f" ] || { echo "fixture $f missing (make builds it from tests/data/geo)"; exit 1; }
done

# Addresses: answers in the test captures (tshark decodes them independently of fluxscope;
# one merged file, since tshark's start-up dominates)…
mergecap -F pcapng -w "$W/all.pcapng" tests/data/pcaps/*.pcap tests/data/pcaps/*.pcapng
tshark -r "$W/all.pcapng" -Y "dns.flags.response == 1" -T fields -e dns.a -e dns.aaaa \
  2>/dev/null | tr ',\t' '\n\n' | grep -v '^$' > "$W/addrs.raw" || true
ncap=$(sort -u "$W/addrs.raw" | wc -l)
[ "$ncap" -ge 100 ] || { echo "only $ncap capture addresses: tshark extraction broke"; exit 1; }
# …the first and last address of every fixture network and the addresses just outside them…
python3 - tests/data/geo/*.json >>"$W/addrs.raw" <<'PY'
import ipaddress, json, sys
for f in sys.argv[1:]:
    for n in json.load(open(f))["networks"]:
        net = ipaddress.ip_network(n["network"])
        for a in (net[0], net[-1], net[0] + (net.num_addresses // 2)):
            print(a)
        for a in (int(net[0]) - 1, int(net[-1]) + 1):
            if 0 <= a < 2 ** net.max_prefixlen:
                print(ipaddress.ip_address(a) if net.version == 6 else ipaddress.IPv4Address(a))
        if net.version == 4:
            print("::ffff:%s" % net[1])
PY
# …MaxMind's published test addresses (tests/data/geoip/SOURCES.md) and their misses.
cat >>"$W/addrs.raw" <<'LIST'
81.2.69.142
::ffff:81.2.69.142
2001:480:10::1
1.128.0.1
89.160.20.112
2600:6000::1
2001:218::1
8.8.8.8
2001:480::1
2a02:ec00::1
216.160.83.56
LIST
sort -u "$W/addrs.raw" > "$W/addrs"
echo "$(wc -l < "$W/addrs") addresses ($ncap from the test captures)"

fail=0
groups=""
check() {   # name db...: run fluxscope now, compare all at the end (mmdblookup answers shared)
  name=$1; shift
  args=""
  for d in "$@"; do args="$args --geoip $d"; done
  # shellcheck disable=SC2086
  "$F" $args --lookup - < "$W/addrs" > "$W/$name.jsonl" 2> "$W/$name.err" || {
    echo "fluxscope failed for $name:"; cat "$W/$name.err"; fail=1; return; }
  groups="$groups -- $W/$name.jsonl $*"
}

for d in "$MM"/*.mmdb "$FX"/*.mmdb; do
  check "$(basename "$d" .mmdb)" "$d"
done
check maxmind-stack "$MM/GeoIP2-Country-Test.mmdb" "$MM/GeoIP2-City-Test.mmdb" "$MM/GeoLite2-ASN-Test.mmdb"
check fixture-stack "$FX/flux-country-v4.mmdb" "$FX/flux-city.mmdb" "$FX/flux-asn.mmdb" "$FX/generic-flat.mmdb"
check dbip-stack "$FX/dbip-city-lite.mmdb" "$FX/dbip-asn-lite.mmdb"
# shellcheck disable=SC2086
python3 tests/e2e/enrich_oracle.py mmdb "$W/addrs" $groups || fail=1

# The project's labelled flux capture with the demo databases that go with it (samples/):
# nearly every address is known there. Every 8th distinct address keeps the run short.
if [ -r samples/demo-asn.mmdb ] && [ -r samples/demo-geo.mmdb ] && [ -r tests/data/flux/flux-small.pcap ]; then
  tshark -r tests/data/flux/flux-small.pcap -Y "dns.flags.response == 1" -T fields -e dns.a \
    -e dns.aaaa 2>/dev/null | tr ',\t' '\n\n' | grep -v '^$' | sort -u | awk 'NR % 8 == 1' \
    > "$W/flux-addrs"
  "$F" --geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb --lookup - \
    < "$W/flux-addrs" > "$W/demo.jsonl" 2> "$W/demo.err" || { cat "$W/demo.err"; fail=1; }
  python3 tests/e2e/enrich_oracle.py mmdb "$W/flux-addrs" "$W/demo.jsonl" \
    samples/demo-geo.mmdb samples/demo-asn.mmdb || fail=1
  n=$(wc -l < "$W/flux-addrs"); found=$(grep -c '"found":true' "$W/demo.jsonl" || true)
  [ "$n" -ge 500 ] && [ "$found" -ge $((n * 9 / 10)) ] ||
    { echo "demo databases: $found of $n flux-small addresses found"; fail=1; }
else
  echo "samples/demo-*.mmdb or tests/data/flux/flux-small.pcap missing"; fail=1
fi

# --dump: every A/AAAA record carries "asn" and "country", and they are mmdblookup's.
caps=""
for p in tests/data/pcaps/*.pcap tests/data/pcaps/*.pcapng; do caps="$caps -r $p"; done
# shellcheck disable=SC2086
"$F" $caps --dump --geoip "$MM/GeoLite2-ASN-Test.mmdb" --geoip "$MM/GeoIP2-Country-Test.mmdb" \
  > "$W/dump.jsonl" 2> "$W/dump.err" || true   # some captures are truncated on purpose
python3 tests/e2e/enrich_oracle.py rows dump "$W/dump.jsonl" "$W/dump.addrs" "$W/dump.rows" &&
python3 tests/e2e/enrich_oracle.py mmdb "$W/dump.addrs" "$W/dump.rows" \
  "$MM/GeoLite2-ASN-Test.mmdb" "$MM/GeoIP2-Country-Test.mmdb" || fail=1
[ "$(grep -c '"asn": [0-9]' "$W/dump.rows")" -ge 10 ] || { echo "dump: too few ASNs"; fail=1; }

# Enough real agreement to mean something: the ASN test database knows some capture answers.
hits=$(grep -c '"found":true' "$W/GeoLite2-ASN-Test.jsonl" || true)
[ "$hits" -ge 10 ] || { echo "only $hits addresses found in GeoLite2-ASN-Test"; fail=1; }
exit $fail
