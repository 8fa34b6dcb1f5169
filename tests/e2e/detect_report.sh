#!/bin/sh
# fluxscope --report on the small seeded labelled capture (tests/data/flux): the issue's
# detection targets as scripts/eval_score.py scores them, the JSON fields, the table, running
# without GeoIP, --min-score/--all, intel feeds, allowlists, weights-file errors, and the
# upstream-side vantage.
set -u
: "${FLUXSCOPE:?}"
: "${BUILD:=build}"
d="$BUILD/e2e/detect_report"
rm -rf "$d"
mkdir -p "$d"
cap=tests/data/flux/flux-small.pcap
labels=tests/data/flux/flux-small.labels.csv
G="--geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb"
fail() { echo "FAIL: $*"; exit 1; }

# --- the targets on the seeded capture --------------------------------------------------------
$FLUXSCOPE -r $cap $G --report --json --all --spread >"$d/all.json" 2>"$d/all.err" || fail "--report --json --all exited $?"
python3 scripts/eval_score.py --labels $labels --truth tests/data/flux/flux-small.truth.csv.gz \
	--report "$d/all.json" --quiet-ttd --strict >"$d/score.txt" 2>&1 || { cat "$d/score.txt"; fail "detection targets"; }
grep -E "PASS|FAIL" "$d/score.txt"

# --- every object carries the documented fields, consistent with each other ---------------------
python3 - "$d/all.json" "$labels" <<'EOF' || fail "JSON fields"
import csv, json, math, sys
need = ["domain", "registrable", "score", "verdict", "holz_score", "reasons", "addresses", "asns",
        "countries", "ttl", "ns_names", "first_seen", "last_seen", "cluster", "terms", "spread",
        "spread_summary", "first_flux", "first_flagged", "windows", "counts", "unavailable"]
verdicts = {"benign", "cdn", "pool", "suspicious", "single-flux", "double-flux"}
labels = {r["domain"]: r for r in csv.DictReader(open(sys.argv[2]))}
n = 0
zones = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("kind") == "run":
        # the first object describes the run
        assert n == 0 and zones == 0, "the run object is not first"
        for k in ("version", "started", "started_iso", "sources", "databases", "vantage",
                  "detector", "unavailable", "domains", "verdicts"):
            assert k in o, ("run", k)
        assert o["sources"][0]["type"] == "file"
        continue
    if o.get("kind") == "zone":
        # a zone row: the aggregate of its names, with its own verdict and reasons
        zones += 1
        for k in ("domain", "registrable", "score", "verdict", "reasons", "names", "members",
                  "confidence", "counts", "terms"):
            assert k in o, (o["domain"], k)
        assert o["verdict"] in verdicts and o["reasons"][0].startswith("zone of "), o["domain"]
        assert o["names"]["with_answers"] >= 2 and o["names"]["flux"] <= o["names"]["with_answers"]
        continue
    assert o["kind"] == "domain" and o["zone"] and o["confidence"].startswith("from ")
    n += 1
    for k in need:
        assert k in o, (o["domain"], k)
    assert o["verdict"] in verdicts, o["verdict"]
    assert 0 <= o["score"] <= 100
    assert isinstance(o["reasons"], list) and o["reasons"], o["domain"]
    # the score is the logistic of the logit, and the logit is the bias plus the contributions
    assert abs(o["score"] - 100 / (1 + math.exp(-o["logit"]))) < 0.01, o["domain"]
    contrib = sum(t["contribution"] for t in o["terms"])
    bias = o["logit"] - contrib
    assert abs(bias - (-13.0)) < 1e-3, (o["domain"], bias)
    for t in o["terms"]:
        if not t["available"]:
            assert t["contribution"] == 0 and t["name"] in o["unavailable"]
    assert len(o["spread"]) == len(o["addresses"]) == o["counts"]["addresses"], o["domain"]
    # one entry per nameserver address (nameservers share hosts; glue repeats across NS names)
    assert len(o["ns_addresses"]) == len(set(o["ns_addresses"])), (o["domain"], o["ns_addresses"])
    for row in o["spread"]:
        for k in ("address", "asn", "as_org", "country", "city", "lat", "lon", "network",
                  "first_seen", "last_seen", "count"):
            assert k in row
    if o["holz_score"] is not None and o["counts"]["addresses"] > 0:
        assert o["holz_score_all"] >= o["holz_score"] - 1e-6
    lab = labels.get(o["domain"])
    # pools come out "pool", never flux; allowlisted names are never flux
    if o["domain"].endswith(".pool.ntp.org") or o["domain"] == "pool.ntp.org":
        assert o["verdict"] == "pool", (o["domain"], o["verdict"])
    if o["allowlisted"]:
        assert o["verdict"] not in ("single-flux", "double-flux"), o["domain"]
    if o["verdict"] in ("single-flux", "double-flux"):
        # flux says how much evidence it rests on (counted, never waited for: no TTL-period
        # gate), or that its zone's names together flux; and when it was first given
        assert any(r.startswith("flux from ") for r in o["reasons"]) or \
            (o["via_zone"] and o["reasons"][0].startswith("part of ")), o["domain"]
        assert o["first_flux"] is not None and o["first_flux_resp"] >= 1
        assert o["first_flagged"] <= o["first_flux"] + 1e-6
assert n > 100, n
assert zones > 10, zones
EOF

# --- the table: the vantage, what was unavailable, flagged domains only -------------------------
$FLUXSCOPE -r $cap $G --report >"$d/table.txt" || fail "--report exited $?"
grep -q "^vantage: *client side" "$d/table.txt" || fail "table: no client-side vantage line"
grep -q "^unavailable: *none" "$d/table.txt" || fail "table: unavailable features line"
grep -q "^VERDICT *SCORE *LOGIT *HOLZ" "$d/table.txt" || fail "table: header"
rows=$(grep -cE "^(single-flux|double-flux|suspicious) " "$d/table.txt")
others=$(grep -cE "^(benign|cdn|pool) " "$d/table.txt")
[ "$rows" -gt 40 ] && [ "$others" -eq 0 ] || fail "table: $rows flagged rows, $others unflagged"
grep -qE "^ +[0-9]+ addresses in [0-9]+ ASNs across [0-9]+ countries in .*; TTL [0-9]+ s; [0-9]+ of [0-9]+ answers changed" "$d/table.txt" \
	|| fail "table: no reason in words and numbers"

# --- without GeoIP: said so, Holz not computed, flux still found by prefix diversity -------------
$FLUXSCOPE -r $cap --no-geoip --report --json >"$d/nogeo.json" 2>"$d/nogeo.err" || fail "--no-geoip exited $?"
grep -q "unavailable features: asn" "$d/nogeo.err" || fail "--no-geoip: no unavailable-features line"
python3 - "$d/nogeo.json" <<'EOF' || fail "--no-geoip JSON"
import json, sys
objs = [o for o in map(json.loads, open(sys.argv[1])) if o["kind"] == "domain"]
flux = [o for o in objs if o["verdict"] in ("single-flux", "double-flux")]
assert len(flux) >= 40, len(flux)
assert all(o["holz_score"] is None for o in objs)
assert all("asn_count" in o["unavailable"] for o in flux)
assert any("Holz flux-score not computed" in r for o in flux for r in o["reasons"])
EOF
$FLUXSCOPE -r $cap --no-geoip --report | grep -q "^unavailable: *asn" || fail "--no-geoip table"
# A database that is present but knows none of the addresses is not "no ASN database".
unk=$($FLUXSCOPE -r tests/data/pcaps/dnscap-dns.pcap --geoip tests/data/geoip/GeoLite2-ASN-Test.mmdb --report | grep "^unavailable:")
echo "$unk" | grep -q "ASN database knows none of the answer addresses" || fail "unknown addresses: $unk"
echo "$unk" | grep -q "no ASN database" && fail "unknown addresses reported as a missing database: $unk"

# --- without --spread only flagged domains carry the per-address rows; nothing else changes ----
$FLUXSCOPE -r $cap $G --report --json --all >"$d/nospread.json" 2>/dev/null || fail "--report without --spread exited $?"
python3 - "$d/all.json" "$d/nospread.json" <<'EOF' || fail "--spread"
import json, sys
full = [json.loads(l) for l in open(sys.argv[1])][1:]
lean = [json.loads(l) for l in open(sys.argv[2])][1:]
assert len(full) == len(lean), (len(full), len(lean))
kept = dropped = 0
for f, l in zip(full, lean):
    if f.get("kind") != "domain":
        assert f == l, f["domain"]
        continue
    flagged = f["verdict"] in ("suspicious", "single-flux", "double-flux")
    assert ("spread" in l) == flagged, (f["domain"], f["verdict"])
    assert "spread_summary" in l and l["addresses"] == f["addresses"], f["domain"]
    kept += flagged
    dropped += not flagged and len(f["spread"]) > 0
    f.pop("spread")
    l.pop("spread", None)
    assert f == l, f["domain"]
assert kept > 0 and dropped > 0, (kept, dropped)
print("--spread: %d flagged domains keep their rows, %d others with addresses lose them" % (kept, dropped))
EOF

# --- selection: --all adds unflagged domains, --min-score filters -------------------------------
n_all=$(wc -l <"$d/all.json")
n_flag=$($FLUXSCOPE -r $cap $G --report --json | wc -l)
n_min=$($FLUXSCOPE -r $cap $G --report --json --min-score 99.99 | wc -l)
[ "$n_all" -gt "$n_flag" ] && [ "$n_flag" -gt "$n_min" ] || fail "selection: all $n_all, flagged $n_flag, min-score $n_min"
$FLUXSCOPE -r $cap $G --report --json --all --min-score 99.99 | python3 -c '
import json, sys
assert all(o["score"] >= 99.99 for o in map(json.loads, sys.stdin) if o["kind"] != "run")' || fail "--min-score lets lower scores through"

# --- an intel feed raises a benign name and the reason names the feed ---------------------------
benign=$(awk -F, '$2 == "benign" && $3 == "static" && $5 == "query" { print $1; exit }' $labels)
[ -n "$benign" ] || fail "no benign name in the labels"
printf '# test feed\nfirst_seen,domain,note\n2026-01-01,%s,c2\n' "$benign" >"$d/feed.csv"
$FLUXSCOPE -r $cap $G --intel "$d/feed.csv" --report --json --all >"$d/intel.json" || fail "--intel exited $?"
python3 - "$d/intel.json" "$benign" <<'EOF' || fail "intel hit"
import json, sys
o = next(o for o in map(json.loads, open(sys.argv[1])) if o.get("domain") == sys.argv[2])
assert o["verdict"] == "suspicious" and o["intel"] == "feed.csv", o["verdict"]
assert any("listed in intel feed feed.csv" in r for r in o["reasons"]), o["reasons"]
assert next(t for t in o["terms"] if t["name"] == "intel")["contribution"] > 0
EOF
# an ASN list in Spamhaus ASN-DROP's JSON lines: the benign name's network is listed, so its
# answers are a hit, named by address and ASN
asn=$(python3 -c 'import json,sys
o = next(o for o in map(json.loads, open(sys.argv[1])) if o.get("domain") == sys.argv[2])
print(o["asns"][0])' "$d/all.json" "$benign") || fail "no ASN for $benign"
printf '{"asn":%s,"rir":"ripencc","domain":"x.example","cc":"SC","asname":"TEST"}\n{"type":"metadata","size":1}\n' \
	"$asn" >"$d/asndrop.json"
$FLUXSCOPE -r $cap $G --intel "$d/asndrop.json" --report --json --all >"$d/asn.json" || fail "--intel ASN exited $?"
python3 - "$d/asn.json" "$benign" "$asn" <<'EOF' || fail "intel ASN hit"
import json, sys
o = next(o for o in map(json.loads, open(sys.argv[1])) if o.get("domain") == sys.argv[2])
assert o["intel"] == "asndrop.json" and o["verdict"] == "suspicious", (o["intel"], o["verdict"])
assert any(("in AS%s" % sys.argv[3]) in r and "asndrop.json" in r for r in o["reasons"]), o["reasons"]
EOF
printf 'nothing useful here\n' >"$d/empty.txt"
if $FLUXSCOPE -r $cap --intel "$d/empty.txt" --report >"$d/out" 2>"$d/err"; then fail "empty feed accepted"; fi
grep -q "empty.txt holds no domain, address, CIDR or ASN" "$d/err" || fail "empty feed message: $(cat "$d/err")"

# --- an allowlist entry makes a flux name cdn, never flux ---------------------------------------
flux=$(awk -F, '$2 == "single-flux" && $3 == "classic" && $5 == "query" { print $1; exit }' $labels)
printf 'cdn %s Test operator\n' "$flux" >"$d/allow.conf"
$FLUXSCOPE -r $cap $G --allowlist "$d/allow.conf" --report --json --all >"$d/allow.json" || fail "--allowlist exited $?"
python3 - "$d/allow.json" "$flux" <<'EOF' || fail "allowlist"
import json, sys
o = next(o for o in map(json.loads, open(sys.argv[1])) if o.get("domain") == sys.argv[2])
assert o["verdict"] == "cdn" and o["allowlisted"] and o["guard"] == "Test operator", o
EOF
printf 'cdn ok.example\nfrobnicate x.example\n' >"$d/bad-allow.conf"
if $FLUXSCOPE -r $cap --allowlist "$d/bad-allow.conf" --report >"$d/out" 2>"$d/err"; then fail "bad allowlist accepted"; fi
grep -q "bad-allow.conf:2: unknown entry kind 'frobnicate'" "$d/err" || fail "allowlist error: $(cat "$d/err")"

# --- weights: a bad file is one error with the line; a changed weight changes the score ---------
printf 'bias = -13\n\nweight.novelty = lots\n' >"$d/bad.conf"
if $FLUXSCOPE -r $cap --weights "$d/bad.conf" --report >"$d/out" 2>"$d/err"; then fail "bad weights accepted"; fi
grep -q "bad.conf:3: 'lots' is not a number (key 'weight.novelty')" "$d/err" || fail "weights error: $(cat "$d/err")"
printf 'bias = -40\n' >"$d/strict.conf"
n_strict=$($FLUXSCOPE -r $cap $G --weights "$d/strict.conf" --report --json | wc -l)
[ "$n_strict" -lt "$n_flag" ] || fail "--weights bias -40 flagged $n_strict (default $n_flag)"

# --- the upstream side of the demo capture: vantage shown, double flux still found --------------
$FLUXSCOPE -r samples/flux-demo-upstream.pcap $G --report >"$d/up.txt" || fail "upstream exited $?"
grep -q "^vantage: *upstream side" "$d/up.txt" || fail "upstream vantage: $(grep vantage "$d/up.txt")"
grep -q "^double-flux " "$d/up.txt" || fail "upstream: no double flux"
echo "detect_report: ok"
