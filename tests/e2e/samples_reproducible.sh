#!/bin/sh
# The committed samples (demo capture, labels, GeoIP source and .mmdb files, the small labelled
# test capture) are exactly what samples/regen.sh makes from the committed generator, and the
# demo databases answer as their source says.
set -e
: "${BUILD:=build}"
out="$BUILD/e2e/samples-check"
rm -rf "$out"
samples/regen.sh --check "$out"
# a Cloudflare edge address: real ASN, placed in the US
ip=$(awk -F'\t' '$2 == 13335 && $1 ~ /^104\./ { sub(/\.0\/.*/, ".7", $1); print $1; exit }' samples/demo-geo.tsv)
mmdblookup --file samples/demo-asn.mmdb --ip "$ip" autonomous_system_number | grep -q 13335
mmdblookup --file samples/demo-geo.mmdb --ip "$ip" country iso_code | grep -q '"US"'
# an address of an invented network: ASN, organisation and city as the TSV row says
row=$(awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+\./ && $1 ~ /\/19$/ { print; exit }' samples/demo-geo.tsv)
net=$(printf '%s' "$row" | cut -f1); asn=$(printf '%s' "$row" | cut -f2); city=$(printf '%s' "$row" | cut -f7)
ip=$(printf '%s' "$net" | sed 's/\.0\/19$/.9/')
mmdblookup --file samples/demo-asn.mmdb --ip "$ip" autonomous_system_number | grep -q "$asn"
mmdblookup --file samples/demo-geo.mmdb --ip "$ip" city names en | grep -q "\"$city\""
# nothing outside the plan
if mmdblookup --file samples/demo-asn.mmdb --ip 192.0.2.1 >/dev/null 2>&1; then exit 1; fi
echo "samples reproducible"
