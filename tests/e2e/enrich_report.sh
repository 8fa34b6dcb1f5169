#!/bin/sh
# Every enriched field in `--report --json --all --spread` (the per-address "spread" rows: asn, as_org,
# country, city, lat, lon, network) equals what mmdblookup prints for the same address and
# database, and for libloc what `location lookup` prints; every row of an address agrees with
# every other and with `--lookup`; each "spread_summary" is recomputed from its rows (counts,
# top ASNs and countries with shares, entropies, and the greatest distance by an independent
# haversine).
set -eu
F=${FLUXSCOPE:-./fluxscope}
B=${BUILD:-build}
MM=tests/data/geoip
W=$B/e2e/enrich_report
rm -rf "$W"; mkdir -p "$W"
O=tests/e2e/enrich_oracle.py
fail=0

summary_check() {   # report.jsonl
  python3 - "$1" <<'PY' || fail=1
import json, math, sys
R = 6371.0088
def hav(a, b):
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(h)))
def ent(counts):
    t = sum(counts)
    return -sum(c / t * math.log2(c / t) for c in counts) if t else 0.0
bad = n = 0
for ln in open(sys.argv[1]):
    d = json.loads(ln)
    if d.get("kind") in ("zone", "run"):
        continue
    rows, s = d["spread"], d["spread_summary"]
    n += 1
    want = {"addresses": len(rows),
            "found": sum(1 for r in rows if any(r[k] is not None for k in
                         ("asn", "country", "city", "lat"))),
            "asns": len({r["asn"] for r in rows if r["asn"] is not None}),
            "countries": len({r["country"] for r in rows if r["country"] is not None}),
            "cities": len({r["city"] for r in rows if r["city"] is not None}),
            "networks": len({r["network"] for r in rows if r["network"] is not None}),
            "located": sum(1 for r in rows if r["lat"] is not None)}
    for k, v in want.items():
        if s[k] != v:
            print("%s: spread_summary.%s = %r, rows say %r" % (d["domain"], k, s[k], v)); bad += 1
    asn_n, cc_n = {}, {}
    for r in rows:
        if r["asn"] is not None:
            asn_n[r["asn"]] = asn_n.get(r["asn"], 0) + 1
        if r["country"] is not None:
            cc_n[r["country"]] = cc_n.get(r["country"], 0) + 1
    top = sorted(asn_n.items(), key=lambda x: (-x[1], x[0]))[:5]
    got = [(t["asn"], t["addresses"]) for t in s["top_asns"]]
    if got != top:
        print("%s: top_asns %r, rows say %r" % (d["domain"], got, top)); bad += 1
    for t in s["top_asns"]:
        if abs(t["share"] - t["addresses"] / len(rows)) > 6e-5:
            print("%s: share %r" % (d["domain"], t)); bad += 1
    topc = sorted(cc_n.items(), key=lambda x: (-x[1], x[0]))[:5]
    gotc = [(t["country"], t["addresses"]) for t in s["top_countries"]]
    if gotc != topc:
        print("%s: top_countries %r, rows say %r" % (d["domain"], gotc, topc)); bad += 1
    for k, c in (("asn_entropy", asn_n), ("country_entropy", cc_n)):
        if abs(s[k] - ent(list(c.values()))) > 1e-4:
            print("%s: %s %r vs %r" % (d["domain"], k, s[k], ent(list(c.values())))); bad += 1
    pts = list({(r["lat"], r["lon"]) for r in rows if r["lat"] is not None})
    far = max((hav(a, b) for i, a in enumerate(pts) for b in pts[i + 1:]), default=0.0)
    if len([r for r in rows if r["lat"] is not None]) < 2:
        far = None          # two located addresses are needed (both may share a place: 0)
    if (far is None) != (s["max_distance_km"] is None) or \
       (far is not None and abs(far - s["max_distance_km"]) > 0.051):
        print("%s: max_distance_km %r, haversine says %r" % (d["domain"], s["max_distance_km"], far))
        bad += 1
print("summaries: %d domains checked, %d mismatches" % (n, bad))
sys.exit(1 if bad else 0)
PY
}

# 1. The labelled flux capture with the demo databases (samples/): thousands of known
#    addresses. Rows vs --lookup for all of them, vs mmdblookup for every 8th.
"$F" -r tests/data/flux/flux-small.pcap --report --json --all --spread --geoip samples/demo-geo.mmdb \
  --geoip samples/demo-asn.mmdb > "$W/flux.jsonl" 2> "$W/flux.err" || { cat "$W/flux.err"; exit 1; }
python3 $O rows report "$W/flux.jsonl" "$W/flux.addrs" "$W/flux.rows" || fail=1
"$F" --geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb --lookup - < "$W/flux.addrs" \
  > "$W/flux.lookup" 2>/dev/null
python3 - "$W/flux.rows" "$W/flux.lookup" <<'PY' || fail=1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
look = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(look) and len(rows) >= 1000, (len(rows), len(look))
bad = 0
for r, l in zip(rows, look):
    for k in ("asn", "as_org", "country", "city", "lat", "lon", "network"):
        if r[k] != l[k]:
            print("report %s %s: %r, --lookup %r" % (r["address"], k, r[k], l[k])); bad += 1
print("report rows vs --lookup: %d addresses, %d mismatches" % (len(rows), bad))
sys.exit(1 if bad else 0)
PY
awk 'NR % 8 == 1' "$W/flux.addrs" > "$W/flux.s.addrs"
awk 'NR % 8 == 1' "$W/flux.rows" > "$W/flux.s.rows"
python3 $O mmdb "$W/flux.s.addrs" "$W/flux.s.rows" samples/demo-geo.mmdb samples/demo-asn.mmdb || fail=1
summary_check "$W/flux.jsonl"

# 2. The test captures with MaxMind's test databases, every address against mmdblookup.
caps=""
for p in tests/data/pcaps/*.pcap tests/data/pcaps/*.pcapng; do caps="$caps -r $p"; done
# shellcheck disable=SC2086
"$F" $caps --report --json --all --spread --geoip "$MM/GeoLite2-ASN-Test.mmdb" \
  --geoip "$MM/GeoIP2-City-Test.mmdb" > "$W/caps.jsonl" 2> "$W/caps.err" || true  # truncated inputs
python3 $O rows report "$W/caps.jsonl" "$W/caps.addrs" "$W/caps.rows" || fail=1
python3 $O mmdb "$W/caps.addrs" "$W/caps.rows" "$MM/GeoLite2-ASN-Test.mmdb" \
  "$MM/GeoIP2-City-Test.mmdb" || fail=1
[ "$(wc -l < "$W/caps.addrs")" -ge 200 ] || { echo "too few report addresses"; fail=1; }
summary_check "$W/caps.jsonl"

# 3. The same captures with libloc, every address against `location lookup`.
DB=""
for d in /var/lib/location/database.db /usr/share/libloc-location/location.db; do
  [ -r "$d" ] && { DB=$d; break; }
done
if [ -n "$DB" ]; then
  # shellcheck disable=SC2086
  "$F" $caps --report --json --all --spread --geoip "$DB" > "$W/loc.jsonl" 2> "$W/loc.err" || true
  python3 $O rows report "$W/loc.jsonl" "$W/loc.addrs" "$W/loc.rows" || fail=1
  python3 $O libloc "$W/loc.addrs" "$W/loc.rows" "$DB" || fail=1
  summary_check "$W/loc.jsonl"
else
  echo "no libloc database (apt-get install libloc-database)"; fail=1
fi
exit $fail
