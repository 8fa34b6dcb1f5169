#!/bin/sh
# Enrichment on the command line: --stats names the databases with build dates and flags stale
# ones; --no-geoip and "no database at all" each give one clear message; the config file's
# `geoip =` lines and --geoip select databases (--geoip wins); a bad or unreadable database is
# one sentence naming the file and exit status 1, never a crash.
set -u
F=${FLUXSCOPE:-./fluxscope}
B=${BUILD:-build}
FX=$(cd "$B/fixtures/geo" && pwd)
W=$B/e2e/enrich_cli
rm -rf "$W"; mkdir -p "$W/home" "$W/empty" "$W/cfgdir/dbs"
W=$(cd "$W" && pwd)
PCAP=tests/data/pcaps/dnscap-dns.pcap
fail=0
no() { echo "FAIL: $*"; fail=1; }
# Keep the user's own config and databases out of it.
export HOME="$W/home" XDG_CONFIG_HOME="$W/home/.config" XDG_DATA_HOME="$W/home/.local/share"

# --stats: one geoip-db line per database, kind, type, build date, age, path; stale flagged.
out=$("$F" -r $PCAP --stats --geoip "$FX/flux-asn.mmdb" --geoip "$FX/stale-asn.mmdb" \
      --geoip tests/data/geoip/GeoIP2-City-Test.mmdb 2>&1) || no "--stats exit $?"
echo "$out" | grep -qE '^geoip-db +asn FluxTest-ASN built [0-9]{4}-[0-9]{2}-[0-9]{2} \(1[0-9] days ago\) .*flux-asn.mmdb$' ||
  no "no fresh FluxTest-ASN line: $out"
echo "$out" | grep -qE '^geoip-db +asn GeoLite2-ASN built .* \(9[0-9] days ago\) STALE \(over 60 days\) .*stale-asn.mmdb$' ||
  no "stale database not flagged: $out"
echo "$out" | grep -qE '^geoip-db +city GeoIP2-City built 2026-02-04 ' || no "City test DB line: $out"
echo "$out" | grep -qE '^geoip-warning .*stale-asn.mmdb.*geoipupdate' || no "no stale warning: $out"
echo "$out" | grep -q '^dns-messages' || no "--stats lost its counters"
# the ASN databases come first, in the order given
first=$(echo "$out" | grep '^geoip-db' | head -1)
echo "$first" | grep -q FluxTest-ASN || no "precedence: $first"

# --no-geoip
out=$("$F" -r $PCAP --stats --no-geoip 2>&1) || no "--no-geoip exit $?"
echo "$out" | grep -q '^geoip  *GeoIP disabled (--no-geoip)' || no "--no-geoip line: $out"

# No database at all (the config names an empty folder, so neither search nor libloc runs):
# one sentence saying what is missing and how to get it.
printf 'geoip = %s\n' "$W/empty" > "$W/none.conf"
out=$("$F" -r $PCAP --stats --config "$W/none.conf" 2>&1) || no "none: exit $?"
line=$(echo "$out" | grep '^geoip ')
for want in "No GeoIP database found" "apt-get install libloc-database" geoipupdate "DB-IP" "--geoip"; do
  echo "$line" | grep -q -- "$want" || no "no-database message lacks '$want': $line"
done
[ "$(echo "$line" | wc -l)" -eq 1 ] || no "no-database message is not one line"

# Config file: relative paths are relative to the file; --geoip replaces the config's entries.
cp "$FX/flux-city.mmdb" "$W/cfgdir/dbs/"
printf '# test\ngeoip = dbs/flux-city.mmdb\n' > "$W/cfgdir/config"
out=$("$F" --config "$W/cfgdir/config" --lookup 198.51.100.7 2>&1) || no "config: exit $?"
echo "$out" | grep -q '"geo_source":"FluxTest-City"' || no "config geoip not used: $out"
out=$("$F" --config "$W/cfgdir/config" --geoip "$FX/flux-asn.mmdb" --lookup 198.51.100.7 2>&1)
echo "$out" | grep -q '"asn":64500' || no "--geoip not used: $out"
echo "$out" | grep -q '"country":null' || no "--geoip did not replace the config: $out"
# the default config file ($XDG_CONFIG_HOME/fluxscope/config)
mkdir -p "$XDG_CONFIG_HOME/fluxscope"
printf 'geoip = %s\n' "$FX/dbip-asn-lite.mmdb" > "$XDG_CONFIG_HOME/fluxscope/config"
out=$("$F" --lookup 198.51.100.7 2>&1)
echo "$out" | grep -q '"asn_source":"DBIP-ASN-Lite (compat=GeoLite2-ASN)"' || no "default config: $out"
rm -f "$XDG_CONFIG_HOME/fluxscope/config"
# the default search: $XDG_DATA_HOME/fluxscope, whatever the file is called
mkdir -p "$XDG_DATA_HOME/fluxscope"
cp "$FX/flux-asn.mmdb" "$XDG_DATA_HOME/fluxscope/whatever-name.mmdb"
out=$("$F" --lookup 198.51.100.7 2>&1)
echo "$out" | grep -q '"asn_source":"FluxTest-ASN"' || no "XDG_DATA_HOME search: $out"
rm -rf "$XDG_DATA_HOME/fluxscope"
# a broken config file: one sentence with the line number
printf 'geoip = x\nnonsense\n' > "$W/bad.conf"
out=$("$F" --config "$W/bad.conf" --lookup 1.2.3.4 2>&1); rc=$?
[ $rc -eq 1 ] || no "bad config exit $rc"
echo "$out" | grep -q "bad.conf:2:" || no "bad config message: $out"
out=$("$F" --config "$W/missing.conf" --lookup 1.2.3.4 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "missing.conf" || no "missing --config: $rc $out"

# Bad databases given explicitly: one sentence naming the file, exit 1, no crash.
: > "$W/empty.mmdb"
printf 'this is not a database at all\n' > "$W/text.mmdb"
head -c 700 "$FX/flux-city.mmdb" > "$W/truncated.mmdb"
printf 'LOCDBXX\001short' > "$W/fake-libloc.db"
mkdir -p "$W/folder"; printf 'junk' > "$W/folder/broken.mmdb"
for bad in "$W/missing.mmdb" "$W/empty.mmdb" "$W/text.mmdb" "$W/truncated.mmdb" \
           "$W/fake-libloc.db" "$W/folder"; do
  for mode in "--lookup 1.2.3.4" "-r $PCAP --stats"; do
    # shellcheck disable=SC2086
    out=$("$F" --geoip "$bad" $mode 2>&1); rc=$?
    [ $rc -eq 1 ] || no "$bad ($mode): exit $rc"
    [ "$(echo "$out" | wc -l)" -eq 1 ] || no "$bad ($mode): not one line: $out"
    echo "$out" | grep -q "^fluxscope: .*$(basename "$bad")" || no "$bad ($mode): $out"
  done
done
# a bad address for --lookup
out=$("$F" --geoip "$FX/flux-asn.mmdb" --lookup not-an-ip 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "'not-an-ip' is not an IPv4 or IPv6 address" || no "bad address: $rc $out"
exit $fail
