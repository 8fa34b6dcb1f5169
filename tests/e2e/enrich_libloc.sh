#!/bin/sh
# Out of the box, with no MaxMind-format database, fluxscope enriches from Debian's libloc
# database, and every field it prints (asn, as_org, country, network) equals what the
# `location lookup` tool prints for the same address and database: for every A/AAAA address in
# the test captures plus well-known anycast resolvers and IPv4-mapped spellings.
set -eu
F=${FLUXSCOPE:-./fluxscope}
B=${BUILD:-build}
W=$B/e2e/enrich_libloc
rm -rf "$W"; mkdir -p "$W/home"

DB=""
for d in /var/lib/location/database.db /usr/share/libloc-location/location.db; do
  [ -r "$d" ] && { DB=$d; break; }
done
[ -n "$DB" ] || { echo "no libloc database (apt-get install libloc-database)"; exit 1; }

mergecap -F pcapng -w "$W/all.pcapng" tests/data/pcaps/*.pcap tests/data/pcaps/*.pcapng
tshark -r "$W/all.pcapng" -Y "dns.flags.response == 1" -T fields -e dns.a -e dns.aaaa \
  2>/dev/null | tr ',\t' '\n\n' | grep -v '^$' > "$W/addrs.raw" || true
cat >>"$W/addrs.raw" <<'LIST'
8.8.8.8
1.1.1.1
9.9.9.9
::ffff:8.8.8.8
2001:4860:4860::8888
2606:4700:4700::1111
10.0.0.1
192.0.2.1
LIST
sort -u "$W/addrs.raw" > "$W/addrs"
echo "$(wc -l < "$W/addrs") addresses"

fail=0
# The database given explicitly (recognised as libloc by its content).
"$F" --geoip "$DB" --lookup - < "$W/addrs" > "$W/explicit.jsonl" 2> "$W/explicit.err" || {
  cat "$W/explicit.err"; exit 1; }
python3 tests/e2e/enrich_oracle.py libloc "$W/addrs" "$W/explicit.jsonl" "$DB" || fail=1
found=$(grep -c '"found":true' "$W/explicit.jsonl" || true)
[ "$found" -ge 100 ] || { echo "libloc found only $found addresses"; fail=1; }

# --dump with libloc: "asn" and "country" of every A/AAAA record are location's.
caps=""
for p in tests/data/pcaps/*.pcap tests/data/pcaps/*.pcapng; do caps="$caps -r $p"; done
# shellcheck disable=SC2086
"$F" $caps --dump --geoip "$DB" > "$W/dump.jsonl" 2> "$W/dump.err" || true  # truncated inputs
python3 tests/e2e/enrich_oracle.py rows dump "$W/dump.jsonl" "$W/dump.addrs" "$W/dump.rows" &&
python3 tests/e2e/enrich_oracle.py libloc "$W/dump.addrs" "$W/dump.rows" "$DB" || fail=1
[ "$(grep -c '"asn": [0-9]' "$W/dump.rows")" -ge 100 ] || { echo "dump: too few ASNs"; fail=1; }

# Out of the box: no --geoip, no config, empty home folders. Only meaningful where the system
# folders hold no MaxMind-format database (they would answer first, as documented).
sys_mmdb=$(ls /usr/share/GeoIP/*.mmdb /var/lib/GeoIP/*.mmdb 2>/dev/null | head -1 || true)
if [ -z "$sys_mmdb" ]; then
  HOME="$W/home" XDG_DATA_HOME="" XDG_CONFIG_HOME="" "$F" --lookup 8.8.8.8 \
    > "$W/default.jsonl" 2> "$W/default.err" || { cat "$W/default.err"; exit 1; }
  grep -q '"asn_source":"libloc"' "$W/default.jsonl" || {
    echo "default lookup did not use libloc:"; cat "$W/default.jsonl" "$W/default.err"; fail=1; }
  grep -q '"asn":[1-9]' "$W/default.jsonl" || { echo "no ASN out of the box"; fail=1; }
  # and the same answer as the explicit run
  want=$(grep '"address":"8.8.8.8"' "$W/explicit.jsonl" | sed 's/,"asn_source.*//')
  got=$(sed 's/,"asn_source.*//' "$W/default.jsonl")
  if [ "$DB" = /var/lib/location/database.db ] && [ "$want" != "$got" ]; then
    echo "default and explicit libloc answers differ: $got / $want"; fail=1
  fi
else
  echo "note: $sys_mmdb exists, so the out-of-the-box check is skipped"
fi
exit $fail
