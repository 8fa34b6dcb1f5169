#!/bin/sh
# Names without addresses roll up into their zone's row (issue 18): 30 minutes of a resolver's
# upstream traffic (tests/e2e/nx_zone_gen.py) where 120 random labels under rot-ns.com are
# answered only NXDOMAIN while the zone's nameservers rotate (the NS layer alone used to make
# each label a "suspicious" row with no address). Checked: no flagged row without addresses;
# the zone row counts them and is flagged; each label says "no addresses: only NXDOMAIN/NODATA
# answers" (not that the Holz score needs ASN data) and names its zone; the control zone stays
# benign; the same with and without GeoIP.
set -u
: "${BUILD:=build}"
: "${FLUXSCOPE:=./fluxscope}"
W="$BUILD/e2e/nx-zone"
rm -rf "$W"
mkdir -p "$W"
fail=0

python3 tests/e2e/nx_zone_gen.py "$W/nx.pcap" || { echo "FAIL: generator"; exit 1; }
for geo in "--geoip samples/demo-asn.mmdb --geoip samples/demo-geo.mmdb" "--no-geoip"; do
	# shellcheck disable=SC2086
	"$FLUXSCOPE" -r "$W/nx.pcap" $geo --report --json --all >"$W/report.json" 2>"$W/report.err" ||
		{ echo "FAIL: report ($geo): $(cat "$W/report.err")"; fail=1; continue; }
	python3 - "$W/report.json" "$geo" <<'PY' || fail=1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
doms = [r for r in rows if r.get("kind") == "domain"]
zones = {r["domain"]: r for r in rows if r.get("kind") == "zone"}
bad = 0
def check(cond, what):
    global bad
    print(("ok: " if cond else "FAIL: ") + "(%s) " % sys.argv[2] + what)
    bad |= not cond
flagged = ("suspicious", "single-flux", "double-flux")
labels = [r for r in doms if r["domain"].endswith(".rot-ns.com")
          and r["domain"].split(".")[0] not in ("www", "mail")]
check(len(labels) == 120, "120 random labels in the report (%d)" % len(labels))
noaddr = [r for r in doms if r["verdict"] in flagged and r["counts"]["addresses"] == 0]
check(not noaddr, "no flagged row without addresses (%s)" % [r["domain"] for r in noaddr[:3]])
rolled = [r for r in doms if r["rolled_up"]]
check(len(rolled) >= 100, "at least 100 names rolled up into their zone (%d)" % len(rolled))
check(all(r["zone"] == "rot-ns.com" and r["zone_verdict"] in flagged for r in rolled),
      "each rolled-up name names its zone, which is flagged")
z = zones.get("rot-ns.com")
check(z is not None and z["verdict"] in flagged, "zone rot-ns.com is flagged (%s)" % (z and z["verdict"]))
check(z is not None and z["names"]["without_addresses"] == len(rolled),
      "the zone row counts the names without addresses (%s)" % (z and z["names"]))
check(z is not None and any("without addresses" in s for s in z["reasons"]),
      "the zone row says so in its reasons")
nx = [r for r in labels if r["reasons"] and
      any(s.startswith("no addresses: only NXDOMAIN/NODATA answers") for s in r["reasons"])]
check(len(nx) == len(labels), "every label says it has no addresses: only NXDOMAIN/NODATA (%d of %d)"
      % (len(nx), len(labels)))
check(not any("needs ASN data" in s for r in labels for s in r["reasons"]),
      "no label blames the ASN database")
q = zones.get("quiet.org")
check(q is not None and q["verdict"] == "benign", "control zone quiet.org is benign")
sys.exit(bad)
PY
done
# the text report lists no label
"$FLUXSCOPE" -r "$W/nx.pcap" --no-geoip --report >"$W/table.txt" 2>/dev/null
n=$(grep -c '^[a-z-]* .*[0-9a-z]\{12\}\.rot-ns\.com$' "$W/table.txt")
if [ "$n" -eq 0 ]; then echo "ok: the flagged table lists no label"; else echo "FAIL: $n labels in the flagged table"; fail=1; fi
exit $fail
